"""Lazy vs rich: a wide and a narrow net trained on the same points, beside kernel regression
with their initial NTK; how far the kernel moves as a function of width, of the output scale α
(Chizat, Oyallon & Bach 2019) and of the parameterization (NTK vs mean-field)."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from ntk_app.figures import band, lines
from ntk_app.fits import animated_fits, fit_plot, legend_below, mark_x
from ntk_app.layout import cached, download, require_budget, seed_controls, setup_page, to_csv
from ntk_app.state import WIDTH_OPTIONS, PageState, Setting, seed_setting
from ntk_core import MLP, TARGETS, cost, experiments, loglog_slope, make_inputs, target_function
from ntk_core import setups as su

# ----------------------------------------------------------------------------- fixed set-up
N_TRAIN = su.LAZY_TRAIN_POINTS  # 1-D grid on [-2, 2]
N_TEST = su.LAZY_TEST_POINTS  # test grid on [-2.5, 2.5]
SIGMA_B = su.LAZY_SIGMA_B  # a bias: without one the 1-D ReLU NTK has rank 2 and cannot fit a sine
N_SNAP = su.LAZY_SNAPSHOTS  # recorded snapshots (the animation's frames)
NARROW_OPTIONS = (5, 10, 20, 50, 100, 200, 500, 1000)
KNOB_WIDTHS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
LR_OPTIONS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05)
STEP_OPTIONS = (100, 200, 500, 1000, 2000, 5000)
ALPHA_OPTIONS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
SWEEP_WIDTHS = su.LAZY_SWEEP_WIDTHS
MF_WIDTHS = su.LAZY_MF_WIDTHS
SWEEP_SEEDS = su.LAZY_SWEEP_SEEDS
FIT_FROM = su.LAZY_FIT_FROM  # the -1/2 law is asymptotic: fit the slope on widths >= FIT_FROM
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

setup_page("lazy_vs_rich")

state = PageState(
    "lazy",
    [
        Setting("width_wide", "snap", 2000, choices=WIDTH_OPTIONS),
        Setting("width_narrow", "snap", 10, choices=NARROW_OPTIONS),
        Setting("target", "choice", "sin", choices=TARGETS),
        Setting("lr", "snap", su.TRAINING_LR, choices=LR_OPTIONS),
        Setting("steps", "snap", su.TRAINING_STEPS, choices=STEP_OPTIONS),
        seed_setting(0),
        Setting("snapshot", "int", N_SNAP - 1, 0, N_SNAP - 1),
        Setting("sweep", "bool", False),
        Setting("width_knob", "snap", 500, choices=KNOB_WIDTHS),
        Setting("alpha", "snap", 1.0, choices=ALPHA_OPTIONS),
        Setting("param", "choice", "ntk", choices=PARAMS),
        Setting("asweep", "bool", False),
    ],
)


# ----------------------------------------------------------------------------- engine calls
def data(target: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training inputs and targets, and the test grid."""
    x = make_inputs("grid", N_TRAIN)
    return x, target_function(target, x), su.eval_grid(N_TEST)


@cached(max_entries=32)
def train_panel(
    target: str,
    width: int,
    lr: float,
    steps: int,
    seed: int,
    alpha: float | None = None,
    param: str = "ntk",
) -> experiments.LazyRichPanel:
    x, y, x_test = data(target)
    return experiments.lazy_rich_panel(
        x,
        y,
        x_test,
        MLP(1, width, bias_std=SIGMA_B, parameterization=param),
        lr=lr,
        steps=steps,
        alpha=alpha,
        seed=seed,
        n_snapshots=N_SNAP,
    )


@cached(max_entries=8)
def change_sweep(
    target: str, widths: tuple[int, ...], lr: float, steps: int, seed: int, param: str
) -> experiments.ChangeSweep:
    x, y, _ = data(target)
    return experiments.ntk_change_vs_width(
        x,
        y,
        MLP(1, 1, bias_std=SIGMA_B, parameterization=param),
        widths,
        lr=lr,
        steps=steps,
        n_seeds=SWEEP_SEEDS,
        seed=seed,
    )


@cached(max_entries=8)
def alpha_curve(target: str, width: int, lr: float, steps: int, seed: int):
    x, y, _ = data(target)
    return experiments.alpha_sweep(
        x,
        y,
        MLP(1, width, bias_std=SIGMA_B),
        ALPHA_OPTIONS,
        lr=lr,
        steps=steps,
        n_seeds=1,
        seed=seed,
    )


# ----------------------------------------------------------------------------- cost estimates
def panel_cost(width: int, steps: int) -> cost.Cost:
    """Training with N_SNAP recorded kernels and test predictions, plus the linearization."""
    x, y, x_test = data("sin")
    return experiments.lazy_rich_panel_cost(
        x, y, x_test, MLP(1, width, bias_std=SIGMA_B), lr=0.01, steps=steps, n_snapshots=N_SNAP
    )


def sweep_cost(widths, steps: int, n_seeds: int) -> cost.Cost:
    x, y, _ = data("sin")
    return experiments.ntk_change_vs_width_cost(
        x, y, MLP(1, 1, bias_std=SIGMA_B), widths, lr=0.01, steps=steps, n_seeds=n_seeds
    )


def alpha_sweep_cost(width: int, steps: int) -> cost.Cost:
    x, y, _ = data("sin")
    return experiments.alpha_sweep_cost(
        x, y, MLP(1, width, bias_std=SIGMA_B), ALPHA_OPTIONS, lr=0.01, steps=steps, n_seeds=1
    )


def affordable_widths(widths, steps: int, n_seeds: int) -> tuple[int, ...]:
    """The longest prefix of ``widths`` whose sweep fits the time and memory budget."""
    return cost.largest_affordable_prefix(widths, lambda ws: sweep_cost(ws, steps, n_seeds))


fits = cost.fits


# ----------------------------------------------------------------------------- formatting
def fmt(v: float, spec: str = ".3g") -> str:
    return "—" if v is None or not math.isfinite(v) else format(v, spec)


def pct(v: float) -> str:
    if v is None or not math.isfinite(v):
        return "—"
    return f"{100 * v:.3g} %" if v < 0.1 else f"{100 * v:.0f} %"


def blown_up(a: np.ndarray) -> bool:
    """True when a prediction is non-finite or absurdly large (a diverging model)."""
    a = np.asarray(a, dtype=np.float64)
    return not bool(np.all(np.isfinite(a)) and np.all(np.abs(a) < 1e6))


def rms(a: np.ndarray, b: np.ndarray) -> float:
    if blown_up(a) or blown_up(b):
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


# ============================================================================= page
st.markdown(
    "Two nets of the same architecture — one hidden ReLU layer, σ_w = √2, σ_b = 1 — learn the "
    "same 15 points with the same fixed step η. A **lazy** net hardly moves its weights: its "
    "tangent kernel Θ stays what it was at initialisation, so training *is* kernel regression "
    "with Θ₀, and the net (blue) lies on the kernel prediction (orange). A **rich** net moves "
    "its weights far enough to change Θ itself — its hidden features adapt to the data — and "
    "its fit leaves the kernel prediction behind. Width decides which of the two you get in "
    "the NTK parameterization; the output scale α and the mean-field parameterization (at the "
    "bottom) show that width is not the only knob."
)

# Sections are laid out first, then every widget is drawn and the URL written, and only then
# does anything get computed: a refused (over-budget) request never leaves the URL stale.
panels_box = st.container()
sweep_box = st.container()
knob_box = st.container()

with st.sidebar:
    st.header("Shared settings")
    st.selectbox("Target function", TARGETS, format_func=TARGET_LABELS.get, key=state.key("target"))
    st.select_slider(
        "Learning rate η (fixed)",
        LR_OPTIONS,
        key=state.key("lr"),
        help="The same η at every width — never scaled as 1/width. Gradient "
        "descent is stable for η < 2/λ_max(Θ) ≈ 0.03 here.",
    )
    st.select_slider("Steps T", STEP_OPTIONS, key=state.key("steps"))
    seed_controls(state)
    st.caption(
        f"Data: {N_TRAIN} points of a 1-D grid on [−2, 2] with a bias (σ_b = 1); test grid of "
        f"{N_TEST} points on [−2.5, 2.5]. Depth 1, ReLU, σ_w = √2."
    )

with panels_box:
    st.header("Two widths, one data set")
    col_w, col_n = st.columns(2)
    col_w.select_slider(
        "Width (wide)",
        WIDTH_OPTIONS,
        key=state.key("width_wide"),
        help="Widths above ~20 000 need fewer steps (cost guard).",
    )
    col_n.select_slider("Width (narrow)", NARROW_OPTIONS, key=state.key("width_narrow"))

with sweep_box:
    st.header("NTK change vs width")
    st.toggle(
        "Run the width sweep (NTK and mean-field; a few seconds the first time, then cached)",
        key=state.key("sweep"),
    )

with knob_box:
    st.header("The lazy ↔ rich knob at fixed width")
    k1, k2, k3 = st.columns(3)
    k1.select_slider("Width (knob)", KNOB_WIDTHS, key=state.key("width_knob"))
    k2.select_slider(
        "Output scale α",
        ALPHA_OPTIONS,
        key=state.key("alpha"),
        format_func=lambda a: f"{a:g}",
        help="Small α: rich (parameters must move ∝ 1/α). Large α: lazy.",
    )
    k3.radio(
        "Parameterization",
        PARAMS,
        format_func=PARAM_LABELS.get,
        horizontal=False,
        key=state.key("param"),
    )
    st.toggle("Run the α sweep (8 values of α at this width)", key=state.key("asweep"))

state.sync_url()

v = state.values()
target, lr, steps, seed = v["target"], float(v["lr"]), int(v["steps"]), int(v["seed"])
w_wide, w_narrow, w_knob = int(v["width_wide"]), int(v["width_narrow"]), int(v["width_knob"])
alpha, param = float(v["alpha"]), v["param"]
x_train, y_train, x_test = data(target)
xs = x_test[:, 0]

# ----------------------------------------------------------------------------- cost guard
with panels_box:
    total = panel_cost(w_wide, steps) + panel_cost(w_narrow, steps) + panel_cost(w_knob, steps)
    if not fits(total):
        others = panel_cost(w_narrow, steps) + panel_cost(w_knob, steps)
        ok_w = [w for w in WIDTH_OPTIONS if fits(panel_cost(w, steps) + others)]
        ok_s = [
            s
            for s in STEP_OPTIONS
            if fits(panel_cost(w_wide, s) + panel_cost(w_narrow, s) + panel_cost(w_knob, s))
        ]
        options = []
        if ok_w:
            options.append(f"the wide width to ≤ {max(ok_w):,} (at {steps:,} steps)")
        if ok_s:
            options.append(f"the steps to ≤ {max(ok_s):,} (at width {w_wide:,})")
        hint = "Reduce " + (" or ".join(options) if options else "the widths and the steps")
        hint += ": training costs one forward and backward pass per step."
        require_budget(
            total,
            what=f"Training width {w_wide:,} for {steps:,} steps "
            f"(with the narrow and the knob nets)",
            hint=hint,
        )
    with st.spinner("Training the wide and the narrow net…"):
        wide = train_panel(target, w_wide, lr, steps, seed)
        narrow = train_panel(target, w_narrow, lr, steps, seed)
    if blown_up(wide.linear_test[-1]) or blown_up(narrow.linear_test[-1]):
        st.warning(
            f"η = {lr:g} is above 2/λ_max of an initial kernel: the linearized model (kernel "
            "regression run by gradient descent) diverges, so its curve is left out. A net that "
            "still converges at such a step has had to move its kernel to get there (the "
            "'catapult' of Lewkowycz et al. 2020): it is not lazy.",
            icon="⚠️",
        )
    for name, p in (("wide", wide), ("narrow", narrow)):
        if p.diverged:
            st.warning(
                f"The {name} net (width {p.width:,}) diverged: {p.message} Its curves "
                f"stop where the loss blew up; lower η.",
                icon="⚠️",
            )

y_target = target_function(target if target != "noisy_sin" else "sin", x_test)


def fits_range(i: int) -> tuple[float, float]:
    """One y range for every frame of the animation: the targets and the snapshots after
    initialisation (an untrained net can start far off, e.g. at −3, and would leave most of the
    range empty once trained); snapshot 0 is included only while it is the one shown."""
    first = 0 if i == 0 else 1
    return y_range(
        y_train,
        y_target,
        *(a[first:] for p in (wide, narrow) for a in (p.net_test, p.linear_test)),
        wide.kernel_regression,
        narrow.kernel_regression,
    )


def panel_metrics(p: experiments.LazyRichPanel, i: int) -> None:
    step = int(p.steps[i])
    m1, m2 = st.columns(2)
    m1.metric(
        "NTK change",
        pct(p.kernel_change[i]),
        help="‖Θ_t − Θ₀‖_F/‖Θ₀‖_F: relative Frobenius distance of the empirical NTK on the "
        "training points from its value at initialisation.",
    )
    m2.metric("Loss ½Σ(f − y)²", fmt(p.losses[step]))
    m3, m4 = st.columns(2)
    m3.metric(
        "RMS gap to kernel",
        fmt(rms(p.net_test[i], p.linear_test[i])),
        help="Root-mean-square difference on the test grid between the net and the "
        "linearized model (kernel regression with Θ₀ run for the same steps).",
    )
    m4.metric(
        "Parameter change (at T)",
        "—" if p.diverged else pct(p.param_change),
        help="‖θ_T − θ₀‖/‖θ₀‖ over all weights and biases, after the last step.",
    )


def curves_figures(i: int):
    step = int(wide.steps[i])
    kc = lines(
        wide.steps,
        {
            f"wide (m = {w_wide:,})": wide.kernel_change,
            f"narrow (m = {w_narrow:,})": narrow.kernel_change,
        },
        "NTK change during training",
        xlabel="step t",
        ylabel="‖Θ_t − Θ₀‖/‖Θ₀‖",
        logy=True,
        markers=[f"wide (m = {w_wide:,})", f"narrow (m = {w_narrow:,})"],
        height=320,
    )
    stride = max(1, steps // 400)
    t = np.arange(0, steps + 1, stride)
    ls = lines(
        t,
        {
            f"wide (m = {w_wide:,})": wide.losses[::stride],
            f"narrow (m = {w_narrow:,})": narrow.losses[::stride],
        },
        "Training loss",
        xlabel="step t",
        ylabel="½Σ(f − y)²",
        logy=True,
        height=320,
    )
    # the label goes above the plot, clear of the curves (the narrow net's runs along the top)
    return legend_below(mark_x(kc, step, f"t = {step}", position="top")), legend_below(
        mark_x(ls, step)
    )


@st.fragment
def animation() -> None:
    """The snapshot slider and everything that depends on it: only this part reruns when the
    slider moves (the cached runs already hold every snapshot). The figure's own ▶ Play button
    animates the snapshots in the browser, without a server round trip."""
    st.select_slider(
        "Training step (snapshot)",
        options=list(range(N_SNAP)),
        format_func=lambda i: f"{int(wide.steps[i])}",
        key=state.key("snapshot"),
        help=f"{N_SNAP} snapshots recorded during training; moving this slider redraws "
        "the panels from the cached runs without training again.",
    )
    i = int(state["snapshot"])
    st.plotly_chart(
        animated_fits(
            xs,
            [
                (
                    f"{label} net, m = {p.width:,}",
                    {"target": y_target, "kernel Θ₀, t → ∞": p.kernel_regression},
                    {"net": p.net_test, "kernel Θ₀, same step": p.linear_test},
                )
                for p, label in ((wide, "Wide"), (narrow, "Narrow"))
            ],
            [int(s) for s in wide.steps],
            i,
            points=(x_train[:, 0], y_train),
            dashes={"target": "dot", "kernel Θ₀, same step": "dash", "kernel Θ₀, t → ∞": "dot"},
            colors={
                "target": COLORS["target"],
                "net": COLORS["net"],
                "kernel Θ₀, same step": COLORS["kernel"],
                "kernel Θ₀, t → ∞": COLORS["limit"],
            },
            yrange=fits_range(i),
            title="Step {} of " + f"{steps:,}",
        ),
        key="fits",
        width="stretch",
    )
    left, right = st.columns(2)
    for col, p in ((left, wide), (right, narrow)):
        with col:
            panel_metrics(p, i)
    kc, ls = curves_figures(i)
    cl, cr = st.columns(2)
    cl.plotly_chart(kc, key="kc_curve", width="stretch")
    cr.plotly_chart(ls, key="loss_curve", width="stretch")
    state.sync_url()


with panels_box:
    animation()

    ch_w, ch_n = wide.kernel_change[-1], narrow.kernel_change[-1]
    gap_w = rms(wide.net_test[-1], wide.linear_test[-1])
    gap_n = rms(narrow.net_test[-1], narrow.linear_test[-1])
    ratio = ch_n / ch_w if math.isfinite(ch_n) and math.isfinite(ch_w) and ch_w > 0 else math.nan
    st.markdown(
        f"**What to look at.** After {steps:,} steps the wide net's kernel has moved by "
        f"**{pct(ch_w)}** and the narrow net's by **{pct(ch_n)}** (≈ {fmt(ratio, '.2g')}× as "
        f"much), and the RMS gap between each net and its kernel prediction is {fmt(gap_w)} "
        f"(wide) against {fmt(gap_n)} (narrow). The lazy net is the one whose blue curve stays "
        f"on the dashed orange one. Why width does this: every weight of a width-m layer enters "
        f"the output with a factor 1/√m, so fitting the data needs a parameter change of size "
        f"O(1) in total but only O(1/√m) per neuron, and the kernel — an average over neurons "
        f"of their activations and gradients — then changes by O(1/√m) as well. Move the step "
        f"slider (or press ▶ Play on the figure) to watch the two nets train."
    )
    st.latex(
        r"\begin{aligned}"
        r"f^{\mathrm{lin}}_t(x) &= f_0(x) - \Theta_0(x, X)\,\Theta_0^{-1}"
        r"\bigl[I - (I - \eta\Theta_0)^t\bigr]\,\bigl(f_0(X) - Y\bigr)\\"
        r"\Theta_t(x, x') &= \nabla_\theta f_t(x)\cdot\nabla_\theta f_t(x')"
        r"\end{aligned}"
    )
    st.latex(
        r"\frac{\lVert \Theta_T - \Theta_0 \rVert_F}{\lVert \Theta_0 \rVert_F}"
        r"\;\sim\; \frac{C}{\sqrt{m}} \quad\text{(NTK parameterization, fixed }\eta\text{)}"
    )
    st.caption(
        "Dashed orange: the linearized net (exact discrete-time gradient descent on the "
        "model linear in θ, i.e. kernel regression with the initial NTK Θ₀ after the same "
        "number of steps). Dotted green: its t → ∞ limit. Parameterization: NTK "
        "(neural-tangents 'ntk'): W, b ~ N(0, 1), z = (σ_w/√n_in)·W·a + σ_b·b; loss "
        "½Σ(f − y)²; full-batch gradient descent with a fixed step η, never scaled by width."
    )
    with st.expander("What the original article printed (and why it was wrong)"):
        st.markdown(
            "The article's lazy/rich table claimed that the NTK change falls from **0.42** at "
            'width 20 ("rich") to **0.02** at width 2000 ("lazy"). Its own code prints '
            "**0.0077, 0.0002, 0.0005, 0.0000, 0.0000** for widths 20, 50, 100, 500, 2000 — "
            'every width comes out "lazy". The cause is its learning rate η = 0.5/width: the '
            "total training time η·T = 150/width shrinks as the net widens, so wide nets "
            'barely train at all and "laziness" is faked (with a correct NTK-parameterised '
            "net at width 2000: loss 3.25 after its schedule against 0.04 with a fixed η). Its "
            "network also scales the readout twice, which freezes the hidden layer at any "
            "width. This page keeps η fixed, so the only difference between the panels is the "
            "width."
        )

    d1, d2, d3 = st.columns(3)
    for col, p, name in ((d1, wide, "wide"), (d2, narrow, "narrow")):
        k = len(p.steps)
        with col:
            download(
                f"{name} panel, all snapshots (CSV)",
                to_csv(
                    {
                        "step": np.repeat(p.steps, N_TEST),
                        "x": np.tile(xs, k),
                        "net": p.net_test.ravel(),
                        "kernel_same_step": p.linear_test.ravel(),
                        "kernel_t_inf": np.tile(p.kernel_regression, k),
                        "target": np.tile(y_target, k),
                    }
                ),
                f"lazy_rich_{name}_m{p.width}.csv",
                key=f"dl_{name}",
            )
    with d3:
        download(
            "Curves per snapshot (CSV)",
            to_csv(
                {
                    "step": wide.steps,
                    "ntk_change_wide": wide.kernel_change,
                    "ntk_change_narrow": narrow.kernel_change,
                    "loss_wide": wide.losses[wide.steps],
                    "loss_narrow": narrow.losses[narrow.steps],
                }
            ),
            "lazy_rich_curves.csv",
            key="dl_curves",
        )

# ----------------------------------------------------------------------------- width sweep
with sweep_box:
    if not v["sweep"]:
        st.info(
            f"Switch on the sweep to train {len(SWEEP_WIDTHS)} widths "
            f"({SWEEP_WIDTHS[0]} … {SWEEP_WIDTHS[-1]:,}) × {SWEEP_SEEDS} seeds in the NTK "
            f"parameterization and {len(MF_WIDTHS)} widths in mean-field, with the current "
            "target, η, steps and seed. The setting is kept in the URL (`sweep=1`).",
            icon="📈",
        )
    else:
        widths = affordable_widths(SWEEP_WIDTHS, steps, SWEEP_SEEDS)
        mf_widths = affordable_widths(MF_WIDTHS, steps, SWEEP_SEEDS) or MF_WIDTHS[:1]
        dropped = [w for w in SWEEP_WIDTHS if w not in widths]
        if dropped:
            st.caption(
                f"Left out at {steps:,} steps to stay within the time budget: widths "
                f"{', '.join(f'{w:,}' for w in dropped)} (fewer steps bring them back)."
            )
        if len(widths) < 2:
            st.warning(
                f"{steps:,} steps are too many for a width sweep within the time "
                "budget; choose 1000 steps or fewer.",
                icon="⚠️",
            )
        else:
            with st.spinner("Training the sweep…"):
                require_budget(
                    sweep_cost(widths, steps, SWEEP_SEEDS),
                    what="The width sweep (NTK parameterization)",
                    hint="Reduce the steps.",
                )
                ntk_sw = change_sweep(target, widths, lr, steps, seed, "ntk")
                require_budget(
                    sweep_cost(mf_widths, steps, SWEEP_SEEDS),
                    what="The width sweep (mean-field)",
                    hint="Reduce the steps.",
                )
                mf_sw = change_sweep(target, mf_widths, lr, steps, seed, "mean_field")
            mean = ntk_sw.change_mean
            big = ntk_sw.knob >= FIT_FROM
            slope, err = loglog_slope(ntk_sw.knob[big], mean[big])
            ok = np.isfinite(mean) & (mean > 0)
            ref = np.full(len(widths), np.nan)
            if ok.any():
                j = np.flatnonzero(ok)[-1]
                ref = mean[j] * (ntk_sw.knob / ntk_sw.knob[j]) ** -0.5
            fig = lines(
                {
                    "NTK param. (mean of seeds)": ntk_sw.knob,
                    "∝ width^(−1/2)": ntk_sw.knob,
                    "mean-field": mf_sw.knob,
                    "these panels": [w_narrow, w_wide],
                },
                {
                    "NTK param. (mean of seeds)": mean,
                    "∝ width^(−1/2)": ref,
                    "mean-field": mf_sw.change_mean,
                    "these panels": [narrow.kernel_change[-1], wide.kernel_change[-1]],
                },
                f"Relative NTK change after {steps:,} steps at η = {lr:g}",
                xlabel="width m",
                ylabel="‖Θ_T − Θ₀‖/‖Θ₀‖",
                logx=True,
                logy=True,
                dashes={"∝ width^(−1/2)": "dash"},
                markers=["NTK param. (mean of seeds)", "mean-field", "these panels"],
                height=400,
            )
            fig.data[-1].mode = "markers"
            fig.data[-1].marker = dict(size=12, symbol="diamond")
            legend_below(fig)
            band(
                fig,
                ntk_sw.knob,
                np.fmin.reduce(ntk_sw.change, axis=1),
                np.fmax.reduce(ntk_sw.change, axis=1),
                "seed range (NTK)",
                "#4c78a8",
            )
            fig.data[-1].mode = "lines"  # the band is a filled outline, not data points
            st.plotly_chart(fig, key="sweep_fig", width="stretch")
            s1, s2, s3 = st.columns(3)
            s1.metric(
                f"Slope, widths ≥ {FIT_FROM}",
                f"{fmt(slope, '.2f')} ± {fmt(err, '.2f')}",
                help="Least-squares slope of log(mean change) against log(width).",
            )
            s2.metric(
                "Slope, all widths",
                f"{fmt(ntk_sw.slope, '.2f')} ± {fmt(ntk_sw.slope_stderr, '.2f')}",
            )
            s3.metric(
                "Mean-field slope", f"{fmt(mf_sw.slope, '.2f')} ± {fmt(mf_sw.slope_stderr, '.2f')}"
            )
            if np.isnan(ntk_sw.change).any() or np.isnan(mf_sw.change).any():
                st.warning("Some runs diverged at this η and are left out of the curves.", icon="⚠️")
            st.markdown(
                f"In the NTK parameterization the kernel change falls with width with slope "
                f"**{fmt(slope, '.2f')}** on widths ≥ {FIT_FROM} — close to the −1/2 of "
                f"Lee et al. (2019) — and more steeply over all widths "
                f"({fmt(ntk_sw.slope, '.2f')}): the narrowest nets are beyond the 1/√m regime. "
                f"In the mean-field parameterization the change stays of order one "
                f"({', '.join(pct(c) for c in mf_sw.change_mean)} at widths "
                f"{', '.join(f'{w:,.0f}' for w in mf_sw.knob)}): there, width alone does "
                f"not make training lazy."
            )
            download(
                "NTK change vs width (CSV)",
                to_csv(
                    {
                        "width": ntk_sw.knob,
                        **{f"ntk_change_seed{k}": ntk_sw.change[:, k] for k in range(SWEEP_SEEDS)},
                        "ntk_change_mean": mean,
                        **{
                            f"ntk_final_loss_seed{k}": ntk_sw.final_loss[:, k]
                            for k in range(SWEEP_SEEDS)
                        },
                        "mf_width": mf_sw.knob,
                        "mf_change_mean": mf_sw.change_mean,
                    }
                ),
                "ntk_change_vs_width.csv",
                key="dl_sweep",
            )

# ----------------------------------------------------------------------------- the knob
with knob_box:
    knob = train_panel(target, w_knob, lr, steps, seed, alpha, param)
    if knob.diverged:
        st.warning(
            f"This run diverged: {knob.message} Lower η or raise α "
            "(small α means parameter steps ∝ 1/α).",
            icon="⚠️",
        )
    kf, km = st.columns([3, 2])
    with kf:
        st.plotly_chart(
            fit_plot(
                xs,
                {
                    "target": y_target,
                    "model h": knob.net_test[-1],
                    "kernel Θ₀, same step": knob.linear_test[-1],
                },
                f"m = {w_knob:,}, α = {alpha:g}, {PARAM_LABELS[param]}, after {steps:,} steps",
                points=(x_train[:, 0], y_train),
                yrange=y_range(y_train, knob.net_test[-1], knob.linear_test[-1]),
                dashes={"target": "dot", "kernel Θ₀, same step": "dash"},
                colors={
                    "target": COLORS["target"],
                    "model h": COLORS["net"],
                    "kernel Θ₀, same step": COLORS["kernel"],
                },
            ),
            key="knob_fig",
            width="stretch",
        )
    with km:
        a1, a2 = st.columns(2)
        a1.metric("NTK change", pct(knob.kernel_change[-1]))
        a2.metric("Parameter change", "—" if knob.diverged else pct(knob.param_change))
        a3, a4 = st.columns(2)
        a3.metric("Final loss", fmt(knob.losses[-1]))
        a4.metric("RMS gap to kernel", fmt(rms(knob.net_test[-1], knob.linear_test[-1])))
        st.caption(
            "Model h = α(f(θ) − f(θ₀)), loss ½Σ(h − y)²/α² (reported as ½Σ(h − y)²). "
            + (
                "NTK parameterization."
                if param == "ntk"
                else "Mean-field: readout (σ_w/m)·Σ a_j φ(z_j) (+ σ_b/√m · b), parameter step "
                "η·m, kernel shown as m·Θ."
            )
        )
    st.latex(
        r"\begin{aligned}"
        r"h_\alpha(\theta; x) &= \alpha\bigl(f(\theta; x) - f(\theta_0; x)\bigr)\\"
        r"L_\alpha(\theta) &= \frac{1}{2\alpha^2}\sum_i \bigl(h_\alpha(\theta; x_i) - y_i\bigr)^2"
        r"\end{aligned}"
    )
    st.latex(
        r"\text{mean-field: } f(x) = \frac{1}{m}\sum_{j=1}^m a_j\,\varphi(w_j\cdot x + b_j),"
        r"\qquad \theta \leftarrow \theta - \eta\, m\, \nabla_\theta L"
    )
    st.markdown(
        f"**Why α is a lazy↔rich knob** (Chizat, Oyallon & Bach 2019). With this loss, "
        f"gradient descent moves h in function space at the same speed for every α — the "
        f"kernel seen by h is α²Θ and the loss carries 1/α² — but the parameters must move "
        f"∝ 1/α to change h by the same amount. Large α: tiny parameter steps, a frozen kernel, "
        f"lazy. Small α: large steps, the features move, rich — even at a width that is lazy "
        f"at α = 1. Here, at width {w_knob:,} and α = {alpha:g}, the kernel moved by "
        f"**{pct(knob.kernel_change[-1])}** and the parameters by "
        f"**{pct(knob.param_change)}**. The mean-field parameterization is the other knob: "
        f"with a 1/m readout and a step ×m, each neuron moves by O(1) at every width, so the "
        f"kernel keeps changing by O(1) however wide the net is (the sweep above)."
    )
    download(
        "knob run, final step (CSV)",
        to_csv(
            {
                "x": xs,
                "model": knob.net_test[-1],
                "kernel_same_step": knob.linear_test[-1],
                "kernel_t_inf": knob.kernel_regression,
                "target": y_target,
            }
        ),
        f"knob_m{w_knob}_alpha{alpha:g}_{param}.csv",
        key="dl_knob",
    )

    if v["asweep"]:
        require_budget(
            alpha_sweep_cost(w_knob, steps),
            what=f"The α sweep at width {w_knob:,}",
            hint="Reduce the knob width or the steps.",
        )
        with st.spinner("Training one net per α…"):
            a_sw = alpha_curve(target, w_knob, lr, steps, seed)
        afig = lines(
            {"NTK change (NTK param.)": a_sw.knob, "this α": [alpha]},
            {
                "NTK change (NTK param.)": a_sw.change_mean,
                "this α": [knob.kernel_change[-1] if param == "ntk" else math.nan],
            },
            f"NTK change vs output scale α, m = {w_knob:,}, {steps:,} steps",
            xlabel="α",
            ylabel="‖Θ_T − Θ₀‖/‖Θ₀‖",
            logx=True,
            logy=True,
            markers=["NTK change (NTK param.)", "this α"],
            height=360,
        )
        afig.data[-1].mode = "markers"
        afig.data[-1].marker = dict(size=12, symbol="diamond")
        legend_below(afig)
        st.plotly_chart(afig, key="alpha_fig", width="stretch")
        finite = np.isfinite(a_sw.change_mean)
        if finite.any():
            st.caption(
                f"From α = {a_sw.knob[finite][0]:g} to α = {a_sw.knob[finite][-1]:g} the kernel "
                f"change falls from {pct(a_sw.change_mean[finite][0])} to "
                f"{pct(a_sw.change_mean[finite][-1])} (log-log slope "
                f"{fmt(a_sw.slope, '.2f')} ± {fmt(a_sw.slope_stderr, '.2f')}). At large α it "
                "decays more slowly than 1/α: single ReLU units switching on or off still move "
                "the kernel a little."
            )
        if not finite.all():
            st.warning("Runs at some α diverged and are left out.", icon="⚠️")
        download(
            "α sweep (CSV)",
            to_csv(
                {
                    "alpha": a_sw.knob,
                    "ntk_change": a_sw.change_mean,
                    "final_loss": a_sw.final_loss[:, 0],
                }
            ),
            f"alpha_sweep_m{w_knob}.csv",
            key="dl_alpha",
        )
