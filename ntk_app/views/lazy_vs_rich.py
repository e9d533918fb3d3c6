"""Lazy vs rich (``pages/3_Lazy_vs_rich.py``): a wide and a narrow net trained on the same
points, beside kernel regression with their initial NTK, then how far the kernel moves as a
function of width, of the output scale α (Chizat, Oyallon & Bach 2019, arXiv:1812.07956) and of
the parameterization (NTK vs mean-field).

The wide and the narrow panel are independent ``st.fragment`` sections, each with its own width
slider: a width step reruns and repaints only that panel. Every section is a function of its
explicit arguments; the cached compute functions take hashable settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ntk_app import budget
from ntk_app.figures import LEGEND_BELOW, PALETTE, finite_or_none, margin
from ntk_app.fits import animated_fits
from ntk_app.format import count, num, pct
from ntk_app.layout import cached, download, seed_controls, to_csv
from ntk_app.prefetch import neighbours, prefetch
from ntk_app.state import WIDTH_OPTIONS, PageState, Setting, seed_setting
from ntk_core import MLP, TARGETS, cost, experiments, make_inputs, target_function

# ----------------------------------------------------------------------------- fixed set-up
N_TRAIN = 15  # 1-D grid on [-2, 2]
N_TEST = 81  # test grid on [-2.5, 2.5]
SIGMA_B = 1.0  # a bias: without one the 1-D ReLU NTK has rank 2 and cannot fit a sine
N_SNAP = 21  # recorded snapshots (the animation's frames)
NARROW_OPTIONS = (5, 10, 20, 50, 100, 200, 500, 1000)
KNOB_WIDTHS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
LR_OPTIONS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05)
STEP_OPTIONS = (100, 200, 500, 1000, 2000, 5000)
ALPHA_OPTIONS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
SWEEP_WIDTHS = (10, 30, 100, 300, 1000, 3000)
MF_WIDTHS = (10, 100, 1000)
SWEEP_SEEDS = 2
FIT_FROM = 100  # fit the sweep's slope on widths >= FIT_FROM (the narrowest are off the trend)
PARAMS = ("ntk", "mean_field")
PARAM_LABELS = {"ntk": "NTK (1/√m readout)", "mean_field": "mean-field (1/m readout, step × m)"}
TARGET_LABELS = {
    "sin": "sin 2x",
    "step": "step sign(x)",
    "noisy_sin": "sin 2x + noise",
    "abs": "|x| − 1",
    "sin_high": "sin 2x + ½ sin 8x",
}
COLORS = {"target": "#bab0ac", "net": "#4c78a8", "kernel": "#f58518", "limit": "#54a24b"}
CHANGE_RANGE = (-7.0, 0.7)  # log10 range of the kernel-change axis, the same in both panels
# figure layouts are plain dicts (validated once, by go.Figure): log axes labelled at the powers
# of ten, legends under the plot on the figure's bottom edge (as ntk_app.fits.legend_below)
LOG_AXIS = dict(type="log", dtick=1, exponentformat="power", showexponent="all")

SETTINGS = [
    Setting("width_wide", "snap", 2000, choices=WIDTH_OPTIONS),
    Setting("width_narrow", "snap", 10, choices=NARROW_OPTIONS),
    Setting("target", "choice", "sin", choices=TARGETS),
    Setting("lr", "snap", 0.01, choices=LR_OPTIONS),
    Setting("steps", "snap", 1000, choices=STEP_OPTIONS),
    seed_setting(0),
    Setting("snapshot", "int", N_SNAP - 1, 0, N_SNAP - 1),
    Setting("sweep", "bool", False),
    Setting("width_knob", "snap", 500, choices=KNOB_WIDTHS),
    Setting("alpha", "snap", 1.0, choices=ALPHA_OPTIONS),
    Setting("param", "choice", "ntk", choices=PARAMS),
    Setting("asweep", "bool", False),
]

LAZY_RICH = (
    "A **lazy** net hardly moves its weights: its tangent kernel Θ stays what it was at "
    "initialisation, training *is* kernel regression with Θ₀, and the net (blue) lies on the "
    "kernel prediction (dashed orange). A **rich** net moves its kernel: its features adapt."
)


@dataclass(frozen=True)
class Run:
    """The training settings shared by every section (the sidebar's controls)."""

    target: str
    lr: float
    steps: int
    seed: int
    snapshot: int


@dataclass(frozen=True)
class Panel:
    """One of the two side-by-side panels: its name, URL setting, slider label and widths."""

    name: str
    setting: str
    label: str
    options: tuple[int, ...]


WIDE = Panel("wide", "width_wide", "Width (wide)", WIDTH_OPTIONS)
NARROW = Panel("narrow", "width_narrow", "Width (narrow)", NARROW_OPTIONS)


# ============================================================================= compute
def data(target: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training inputs and targets (``N_TRAIN`` grid points on [−2, 2]) and the test grid."""
    x = make_inputs("grid", N_TRAIN)
    return x, target_function(target, x), np.linspace(-2.5, 2.5, N_TEST)[:, None]


def net(width: int, param: str = "ntk") -> MLP:
    """One hidden ReLU layer of ``width`` units, σ_w = √2, σ_b = ``SIGMA_B``."""
    return MLP(1, int(width), bias_std=SIGMA_B, parameterization=param)


@cached(max_entries=32)
def train_panel(
    target: str, width: int, lr: float, steps: int, seed: int, alpha: float | None, param: str
) -> experiments.LazyRichPanel:
    """The net trained by full-batch GD at a fixed step, with ``N_SNAP`` snapshots and its
    linearization (``experiments.lazy_rich_panel``)."""
    x, y, x_test = data(target)
    return experiments.lazy_rich_panel(x, y, x_test, net(width, param), lr=lr, steps=steps,
                                       alpha=alpha, seed=seed, n_snapshots=N_SNAP)


def panel_args(run: Run, width: int, alpha: float | None = None, param: str = "ntk") -> tuple:
    """The arguments of :func:`train_panel` (one form, so page calls and prefetch share a
    cache entry)."""
    return (run.target, int(width), run.lr, run.steps, run.seed, alpha, param)


@cached(max_entries=8)
def change_sweep(
    target: str, widths: tuple[int, ...], lr: float, steps: int, seed: int, param: str
) -> experiments.ChangeSweep:
    """Relative NTK change after training, per width × ``SWEEP_SEEDS`` seeds."""
    x, y, _ = data(target)
    return experiments.ntk_change_vs_width(x, y, net(1, param), widths, lr=lr, steps=steps,
                                           n_seeds=SWEEP_SEEDS, seed=seed)


@cached(max_entries=8)
def alpha_curve(target: str, width: int, lr: float, steps: int, seed: int):
    """Relative NTK change after training at one width, per output scale α."""
    x, y, _ = data(target)
    return experiments.alpha_sweep(x, y, net(width), ALPHA_OPTIONS, lr=lr, steps=steps,
                                   n_seeds=1, seed=seed)


def panel_cost(width: int, steps: int) -> cost.Cost:
    """Estimated cost of :func:`train_panel` (the engine's model; target and η do not
    change it)."""
    x, y, x_test = data("sin")
    return experiments.lazy_rich_panel_cost(x, y, x_test, net(width), lr=0.01, steps=steps,
                                            n_snapshots=N_SNAP)


def sweep_cost(widths: tuple[int, ...], steps: int, n_seeds: int) -> cost.Cost:
    """Estimated cost of :func:`change_sweep` over ``widths``."""
    x, y, _ = data("sin")
    return experiments.ntk_change_vs_width_cost(x, y, net(1), widths, lr=0.01, steps=steps,
                                                n_seeds=n_seeds)


def alpha_cost(width: int, steps: int) -> cost.Cost:
    """Estimated cost of :func:`alpha_curve`."""
    x, y, _ = data("sin")
    return experiments.alpha_sweep_cost(x, y, net(width), ALPHA_OPTIONS, lr=0.01, steps=steps,
                                        n_seeds=1)


def affordable_prefix(widths: tuple[int, ...], steps: int, n_seeds: int) -> tuple[int, ...]:
    """The longest prefix of ``widths`` whose sweep fits the time and memory budget."""
    return cost.largest_affordable_prefix(widths, lambda ws: sweep_cost(ws, steps, n_seeds))


def offered_widths(options: tuple[int, ...], steps: int) -> tuple[int, ...]:
    """The widths whose panel trains within the interactive budget at ``steps`` steps."""
    return budget.affordable(options, lambda w: panel_cost(w, steps))


def fit_width(state: PageState, setting: str, options: tuple[int, ...], steps: int) -> str:
    """Bring ``setting`` into ``options`` (the widest offered width not above it) before its
    slider is drawn; returns a note saying so, or "" when the value was offered."""
    asked = state.snap_down(setting, options)
    if asked is None:
        return ""
    return (
        f"Width {count(asked)} would need {panel_cost(asked, steps).describe()} at "
        f"{count(steps)} steps, over the {cost.time_budget_s():g} s budget: showing width "
        f"{count(state[setting])}. Fewer steps allow wider nets."
    )


# ============================================================================= helpers
def _blown_up(a: np.ndarray) -> bool:
    """True when a prediction is non-finite or absurdly large (a diverging model)."""
    a = np.asarray(a, dtype=np.float64)
    return not bool(np.all(np.isfinite(a)) and np.all(np.abs(a) < 1e6))


def rms(a: np.ndarray, b: np.ndarray) -> float:
    """Root-mean-square difference; NaN when either model blew up."""
    if _blown_up(a) or _blown_up(b):
        return math.nan
    d = np.asarray(a) - np.asarray(b)
    return float(np.sqrt(np.mean(d * d)))


def y_range(*arrays: np.ndarray) -> tuple[float, float]:
    """A fixed y range for every frame: the finite values of all frames, padded, capped."""
    vals = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    vals = vals[np.isfinite(vals)]
    lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (-1.5, 1.5)
    lo, hi = max(lo, -4.0), min(hi, 4.0)
    pad = 0.08 * (hi - lo or 1.0)
    return lo - pad, hi + pad


def positive32(a: np.ndarray) -> np.ndarray:
    """float32 for a log axis: non-positive and non-finite values become gaps."""
    a = finite_or_none(a)
    return np.where(a > 0, a, np.nan).astype(np.float32)


def clean_target(target: str, x_test: np.ndarray) -> np.ndarray:
    """The target on the test grid (the noiseless sine for the noisy target)."""
    return target_function(target if target != "noisy_sin" else "sin", x_test)


# ============================================================================= figures
def fit_figure(p: experiments.LazyRichPanel, title: str, run: Run) -> go.Figure:
    """The net and its kernel prediction on the test grid, one animation frame per snapshot
    (▶ Play runs them in the browser), at snapshot ``run.snapshot`` when drawn."""
    x, y, x_test = data(run.target)
    y_target = clean_target(run.target, x_test)
    i = min(run.snapshot, len(p.steps) - 1)
    first = 0 if i == 0 else 1  # an untrained net can start far off: range from step 1 on
    return animated_fits(
        x_test[:, 0],
        [("", {"target": y_target, "kernel Θ₀, t → ∞": p.kernel_regression},
          {"net": p.net_test, "kernel Θ₀, same step": p.linear_test})],
        [count(s) for s in p.steps],
        i,
        points=(x[:, 0], y),
        dashes={"target": "dot", "kernel Θ₀, same step": "dash", "kernel Θ₀, t → ∞": "dot"},
        colors={"target": COLORS["target"], "net": COLORS["net"],
                "kernel Θ₀, same step": COLORS["kernel"], "kernel Θ₀, t → ∞": COLORS["limit"]},
        yrange=y_range(y, y_target, p.net_test[first:], p.linear_test[first:],
                       p.kernel_regression),
        title=title + ": step {} of " + count(run.steps),
        height=340,
    )


def curves_figure(p: experiments.LazyRichPanel, steps: int) -> go.Figure:
    """Kernel change (relative Frobenius and alignment distance) at the snapshots, over the
    training loss; log axes, the kernel axis on one fixed range for both panels."""
    stride = max(1, steps // 400)
    t = np.arange(0, steps + 1, stride)
    snaps = np.asarray(p.steps, dtype=np.float32)
    data = [
        go.Scatter(x=snaps, y=positive32(p.kernel_change), name="‖Θ_t − Θ₀‖/‖Θ₀‖",
                   mode="lines+markers", line=dict(color=PALETTE[0])),
        go.Scatter(x=snaps, y=positive32(p.kernel_alignment), name="alignment distance",
                   mode="lines+markers", line=dict(color=PALETTE[1], dash="dash")),
        go.Scatter(x=t.astype(np.float32), y=positive32(p.losses[::stride]),
                   name="loss ½Σ(f − y)²", yaxis="y2", mode="lines",
                   line=dict(color=PALETTE[2])),
    ]
    layout = dict(
        title=dict(text="During training"),
        height=380,
        margin=margin(left=80, legend_rows=2),
        xaxis=dict(anchor="y2", title=dict(text="step t")),
        yaxis=dict(domain=[0.52, 1.0], range=list(CHANGE_RANGE), title=dict(text="kernel"),
                   **{**LOG_AXIS, "dtick": 2}),
        yaxis2=dict(domain=[0.0, 0.4], title=dict(text="loss"), **LOG_AXIS),
        legend=LEGEND_BELOW,
    )
    return go.Figure(data=data, layout=layout)


# ============================================================================= sections
def sidebar(state: PageState) -> None:
    """The training settings every section shares, and the snapshot shown."""
    with st.sidebar:
        st.header("Training")
        st.selectbox("Target function", TARGETS, format_func=TARGET_LABELS.get,
                     key=state.key("target"))
        st.select_slider(
            "Learning rate η (fixed)", LR_OPTIONS, key=state.key("lr"),
            help="The same η at every width, never scaled as 1/width. Gradient descent is "
            "stable for η < 2/λ_max(Θ) ≈ 0.03 here.",
        )
        st.select_slider("Steps T", STEP_OPTIONS, key=state.key("steps"), format_func=count)
        steps = int(state["steps"])
        st.select_slider(
            "Training step shown", options=list(range(N_SNAP)), key=state.key("snapshot"),
            format_func=lambda i: count(round(i * steps / (N_SNAP - 1))),
            help=f"{N_SNAP} snapshots are recorded during training; ▶ Play on a panel's "
            "figure animates them in the browser.",
        )
        seed_controls(state)
        st.caption(
            f"Data: {N_TRAIN} points of a 1-D grid on [−2, 2]; test grid of {N_TEST} points on "
            "[−2.5, 2.5]. One hidden ReLU layer, σ_w = √2, σ_b = 1."
        )


def run_settings(state: PageState) -> Run:
    """The shared settings as one hashable value."""
    return Run(str(state["target"]), float(state["lr"]), int(state["steps"]),
               int(state["seed"]), int(state["snapshot"]))


def intro() -> None:
    """One line above the two panels."""
    st.markdown(
        "Two one-hidden-layer ReLU nets, one wide and one narrow, learn the same 15 points with "
        "the same fixed step η. Width alone decides which one stays on its kernel prediction."
    )


def panel_metrics(p: experiments.LazyRichPanel, name: str, i: int) -> None:
    """The key contrast under a panel's picture: how far its kernel moved by step ``i``."""
    step = int(p.steps[i])
    m1, m2 = st.columns(2)
    m1.metric(
        f"{name.capitalize()}: NTK change", pct(p.kernel_change[i]),
        help="Relative Frobenius distance ‖Θ_t − Θ₀‖_F/‖Θ₀‖_F of the empirical NTK on the "
        "training points from its value at initialisation.",
    )
    m2.metric(
        f"{name.capitalize()}: alignment distance", num(p.kernel_alignment[i], ".2g"),
        help="1 − ⟨Θ_t, Θ₀⟩_F/(‖Θ_t‖_F‖Θ₀‖_F): scale-free, it ignores a kernel that only "
        "grows or shrinks and measures how far its shape turned.",
    )
    st.caption(
        f"Scale and alignment at step {count(step)}: tr Θ_t / tr Θ₀ = "
        f"{num(p.trace_ratio[i], '.3g')}; kernel–target alignment yᵀΘy/(‖Θ‖_F‖y‖²) "
        f"{num(p.target_alignment[0], '.3f')} at step 0 → {num(p.target_alignment[i], '.3f')}."
    )
    st.caption(
        f"At step {count(step)}: loss ½Σ(f − y)² = {num(p.losses[step])}; RMS gap between net "
        f"and kernel prediction on the test grid = "
        f"{num(rms(p.net_test[i], p.linear_test[i]))}; parameters moved by "
        f"{'—' if p.diverged else pct(p.param_change)} of ‖θ₀‖ by step {count(p.steps[-1])}."
    )


def panel_warnings(p: experiments.LazyRichPanel, name: str, lr: float) -> None:
    """Divergence of the net or of its linearization, said in the panel concerned."""
    if _blown_up(p.linear_test[-1]):
        st.warning(
            f"η = {lr:g} is above 2/λ_max of this net's initial kernel: its linearized model "
            "(kernel regression run by gradient descent) diverges, so that curve is left out. "
            "A net that still converges at such a step has had to move its kernel to get "
            "there (the 'catapult' of Lewkowycz et al. 2020, arXiv:2003.02218): it is not lazy.",
            icon=":material/warning:",
        )
    if p.diverged:
        st.warning(
            f"The {name} net (width {count(p.width)}) diverged: {p.message} Its curves stop "
            "where the loss blew up; lower η.",
            icon=":material/warning:",
        )


def panel_download(p: experiments.LazyRichPanel, name: str, run: Run) -> None:
    """Every snapshot of the panel's curves, and the curves during training, as CSV."""
    _, _, x_test = data(run.target)
    xs, k = x_test[:, 0], len(p.steps)
    y_target = clean_target(run.target, x_test)

    def fits_csv() -> bytes:
        return to_csv({
            "step": np.repeat(p.steps, N_TEST), "x": np.tile(xs, k), "net": p.net_test.ravel(),
            "kernel_same_step": p.linear_test.ravel(),
            "kernel_t_inf": np.tile(p.kernel_regression, k), "target": np.tile(y_target, k),
        })

    def curves_csv() -> bytes:
        return to_csv({
            "step": p.steps, "ntk_change": p.kernel_change,
            "alignment_distance": p.kernel_alignment, "target_alignment": p.target_alignment,
            "trace_ratio": p.trace_ratio, "loss": p.losses[p.steps],
        })

    d1, d2 = st.columns(2)
    with d1:
        download("Fits (CSV)", fits_csv,
                 f"lazy_rich_{name}_m{p.width}.csv", key=f"dl_{name}")
    with d2:
        download("Curves (CSV)", curves_csv,
                 f"lazy_rich_{name}_curves_m{p.width}.csv", key=f"dl_{name}_curves")


@st.fragment
def panel(state: PageState, spec: Panel, run: Run) -> None:
    """One panel: its width slider (capped by the time budget at the current steps), the
    trained net over its kernel prediction, the kernel change, and the curves. Moving its slider
    reruns this panel only; the neighbouring widths are then trained in the background."""
    options = offered_widths(spec.options, run.steps)
    note = fit_width(state, spec.setting, options, run.steps)
    st.select_slider(
        spec.label, options, key=state.key(spec.setting), format_func=count,
        help=f"Hidden units m. Widths whose training would exceed the {cost.time_budget_s():g} s "
        "budget at the current steps are not offered.",
    )
    state.sync_url()
    width = int(state[spec.setting])
    p = train_panel(*panel_args(run, width))
    i = min(run.snapshot, len(p.steps) - 1)
    st.plotly_chart(fit_figure(p, f"{spec.name.capitalize()} net, m = {count(width)}", run),
                    key=f"fits_{spec.name}", width="stretch")
    panel_metrics(p, spec.name, i)
    if note:  # under the picture, so that the two panels' pictures stay level
        st.info(note, icon=":material/speed:")
    panel_warnings(p, spec.name, run.lr)
    st.plotly_chart(curves_figure(p, run.steps), key=f"curves_{spec.name}", width="stretch")
    panel_download(p, spec.name, run)
    prefetch(train_panel, [panel_args(run, w) for w in neighbours(list(options), width)])


def explanation() -> None:
    """What to look at, the formulas, the bound on the kernel change, and the article's table."""
    st.markdown(
        f"**What to look at.** {LAZY_RICH} Compare the two panels' NTK change (at the default "
        "widths 2,000 and 10: about 2 % against more than 100 %). The alignment distance "
        "ignores a kernel that only grows or shrinks: beside the Frobenius change it shows how "
        "much of the move is a change of scale and how much a turn of the kernel's shape. Why "
        "width does this in the NTK parameterization: every weight of a width-$m$ layer "
        "enters the output with a factor $1/\\sqrt{m}$, so fitting the data needs an $O(1)$ "
        "parameter change in total but only $O(1/\\sqrt{m})$ per neuron."
    )
    st.latex(
        r"\begin{aligned}"
        r"f^{\mathrm{lin}}_t(x) &= f_0(x) - \Theta_0(x, X)\,\Theta_0^{-1}"
        r"\bigl[I - (I - \eta\Theta_0)^t\bigr]\,\bigl(f_0(X) - Y\bigr)\\"
        r"\Theta_t(x, x') &= \nabla_\theta f_t(x)\cdot\nabla_\theta f_t(x')\\"
        r"d_{\mathrm{align}}(\Theta_t, \Theta_0) &= 1 - \frac{\langle \Theta_t, \Theta_0"
        r"\rangle_F}{\lVert \Theta_t\rVert_F\,\lVert \Theta_0\rVert_F}"
        r"\end{aligned}"
    )
    st.latex(
        r"\sup_{t \le T}\frac{\lVert \Theta_t - \Theta_0 \rVert_F}{\lVert \Theta_0 \rVert_F}"
        r"\;\le\; \frac{C}{\sqrt{m}}"
        r"\quad\text{(with high probability; NTK parameterization, fixed }\eta\text{)}"
    )
    st.markdown(
        "The bound is from [Lee et al. 2019](https://arxiv.org/abs/1902.06720) (see also "
        "[Jacot et al. 2018](https://arxiv.org/abs/1806.07572)). How fast the change really "
        "falls depends on the activation: for smooth ones such as erf it falls like "
        "$\\approx 1/m$, because each neuron's $O(1/\\sqrt{m})$ move carries the random sign "
        "of its readout weight and "
        "cancels on average ([Dyer & Gur-Ari 2020](https://arxiv.org/abs/1909.11304)); for "
        "ReLU, units whose gate flips keep it near the $m^{-1/2}$ of the bound. Not to be "
        "confused with the spread of Θ₀ *between initialisations*, which falls like $m^{-1/2}$ "
        "for every activation (a central limit theorem; the Width stability page)."
    )
    st.latex(
        r"z^{l} = \frac{\sigma_w}{\sqrt{n_{l-1}}}\,W^{l} a^{l-1} + \sigma_b\, b^{l},\quad "
        r"W^{l}_{ij},\ b^{l}_i \sim \mathcal{N}(0, 1),\qquad "
        r"L = \tfrac12 \sum_i \bigl(f(x_i) - y_i\bigr)^2"
    )
    st.caption(
        "Dashed orange: the linearized net (exact discrete-time gradient descent on the model "
        "linear in θ, i.e. kernel regression with the initial NTK Θ₀ after the same number of "
        "steps). Dotted green: its t → ∞ limit. NTK parameterization as in neural-tangents "
        "('ntk', above); squared loss; full-batch gradient descent with a fixed step η, never "
        "scaled by width."
    )
    with st.expander("What the original article printed (and why it was wrong)"):
        st.markdown(
            "The article's lazy/rich table claimed that the NTK change falls from **0.42** at "
            'width 20 ("rich") to **0.02** at width 2000 ("lazy"). Its own code prints '
            "**0.0077, 0.0002, 0.0005, 0.0000, 0.0000** for widths 20, 50, 100, 500, 2000: "
            'every width comes out "lazy". The cause is its learning rate η = 0.5/width: the '
            "total training time η·T = 150/width shrinks as the net widens, so wide nets "
            'barely train at all and "laziness" is faked (with a correct NTK-parameterised '
            "net at width 2000: loss 3.25 after its schedule against 0.04 with a fixed η). Its "
            "network also scales the readout twice, which freezes the hidden layer at any "
            "width. This page keeps η fixed, so the only difference between the panels is the "
            "width."
        )

