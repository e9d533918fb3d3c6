"""Training dynamics: a real net trained by gradient descent beside its NTK prediction.

Sections of ``pages/2_Training_dynamics.py``. The numerics live in
``ntk_core.experiments.training_dynamics``: full-batch GD on ½‖f(X) − y‖² beside the exact
discrete linearized run r_t = (I − ηΘ₀)ᵗ r₀ and gradient flow r(t) = exp(−ηΘ₀t) r₀, with Θ₀ the
empirical NTK of the same initial weights (Jacot et al. 2018, arXiv:1806.07572; Lee et al. 2019,
arXiv:1902.06720). This module plans the cost, builds the figures (plain layout dicts, float32
data: one validation per figure) and draws each section.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ntk_core import MLP, TARGETS, make_inputs, setups, target_function
from ntk_core.cost import Cost
from ntk_core.experiments import TrainingDynamics, training_dynamics, training_dynamics_cost

from .. import format as fmt
from ..budget import affordable, fits, long_run
from ..figures import (
    AXIS_LEFT_LOG_PX,
    LEGEND_ABOVE,
    LEGEND_BELOW,
    PALETTE,
    ZERO_EIG,
    log_axis,
    margin,
)
from ..layout import PARAM_NOTE, cached, download, to_csv
from ..prefetch import neighbours, prefetch
from ..state import WIDTH_OPTIONS, PageState, Setting, seed_setting, width_setting

TARGET_LABELS = {
    "sin": "sin(2x)",
    "sin_high": "sin(2x) + ½·sin(8x)  (smooth + wiggly)",
    "step": "step: sign(x)",
    "noisy_sin": "sin(2x) + noise (σ = 0.1)",
    "abs": "|x| − 1",
}
LR_OPTIONS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05)
STEP_OPTIONS = (100, 200, 500, 1000, 2000, 5000)
BIAS_OPTIONS = (0.25, 0.5, 1.0, 2.0)
SIGMA_W = math.sqrt(2.0)  # He scaling for ReLU
N_TEST = setups.TRAINING_TEST_POINTS  # test grid on setups.EVAL_RANGE
N_RECORDS = setups.TRAINING_RECORDS  # requested snapshots, log-spaced in t
TOP_MODES = 6
LAST = -1  # value of "t" meaning "the last recorded step"
MAX_POINTS = 500  # points per loss curve on screen (the CSV has every step)
ARXIV = {
    "jacot": "[Jacot et al. 2018](https://arxiv.org/abs/1806.07572)",
    "lee": "[Lee et al. 2019](https://arxiv.org/abs/1902.06720)",
}
SECTIONS = ("Formulas", "Spectrum", "Predictions")  # the tabs under the loss chart
_F32_MAX = float(np.finfo(np.float32).max)
_DISCRETE, _CONTINUOUS = "NTK, discrete (I − ηΘ₀)ᵗ", "NTK, continuous exp(−ηΘ₀t)"


def settings() -> list[Setting]:
    """The page's URL-backed settings (parameter names are part of shared links: keep them)."""
    return [
        Setting("target", "choice", "sin", choices=TARGETS),
        Setting("n", "int", 15, 5, 60),
        Setting("sigma_b", "snap", 1.0, choices=BIAS_OPTIONS),
        Setting("nobias", "bool", False),
        width_setting("width", default=1000),
        Setting("depth", "int", 1, 1, 3),
        Setting("lr", "snap", 0.01, choices=LR_OPTIONS),
        Setting("steps", "snap", 1000, choices=STEP_OPTIONS),
        seed_setting(0),
        Setting("t", "int", LAST, LAST, max(STEP_OPTIONS)),
        Setting("logt", "bool", True),
        Setting("section", "choice", SECTIONS[0], choices=SECTIONS),
    ]


@dataclass(frozen=True)
class Setup:
    """Everything but the width (the width moves inside the fragment)."""

    target: str
    n: int
    depth: int
    lr: float
    steps: int  # asked for; the run may do fewer (see plan_steps)
    sigma_b: float  # 0 when "no bias" is ticked
    seed: int
    logt: bool

    @classmethod
    def from_values(cls, v: Mapping[str, object]) -> Setup:
        """From ``PageState.values()``."""
        return cls(str(v["target"]), int(v["n"]), int(v["depth"]), float(v["lr"]),
                   int(v["steps"]), 0.0 if v["nobias"] else float(v["sigma_b"]),
                   int(v["seed"]), bool(v["logt"]))


@dataclass
class Run:
    """One training run and the data it was trained on."""

    x_train: np.ndarray  # (n,)
    y_train: np.ndarray  # (n,)
    x_test: np.ndarray  # (N_TEST,)
    y_test: np.ndarray  # (N_TEST,) noise-free target
    r: TrainingDynamics


# ----------------------------------------------------------------------------- compute
def _net(width: int, depth: int, sigma_b: float) -> MLP:
    return MLP(depth, width, "relu", SIGMA_W, sigma_b)


@cached(max_entries=16)
def run(target: str, n: int, width: int, depth: int, lr: float, steps: int, sigma_b: float,
        seed: int) -> Run:
    """GD on the 1-D grid beside the discrete and continuous NTK predictions (one init)."""
    x = make_inputs("grid", n)
    y = target_function(target, x, seed=0)  # the data stay fixed; the seed is the init's
    x_test = np.linspace(-2.5, 2.5, N_TEST)[:, None]
    res = training_dynamics(x, y, x_test, _net(width, depth, sigma_b), lr=lr, steps=steps,
                            seed=seed, n_records=N_RECORDS)
    clean = "sin" if target == "noisy_sin" else target
    return Run(x[:, 0], y, x_test[:, 0], target_function(clean, x_test), res)


def cost(s: Setup, width: int, steps: int) -> Cost:
    """Estimated time and memory of ``run`` (ntk_core.experiments.training_dynamics_cost)."""
    x = make_inputs("grid", s.n)
    return training_dynamics_cost(x, x[:, 0], np.empty((N_TEST, 1)),
                                  _net(width, s.depth, s.sigma_b), lr=s.lr, steps=steps,
                                  n_records=N_RECORDS)


def widths_offered(s: Setup) -> tuple[int, ...]:
    """The widths at which at least the fewest steps fit the interactive budget."""
    return affordable(WIDTH_OPTIONS, lambda w: cost(s, w, min(STEP_OPTIONS)))


def plan_steps(s: Setup, width: int) -> int:
    """The steps asked for, or the largest offered number below them that fits the budget."""
    fitting = [t for t in STEP_OPTIONS if t <= s.steps and fits(cost(s, width, t))]
    return max(fitting, default=min(STEP_OPTIONS))


def run_args(s: Setup, width: int, steps: int) -> tuple:
    """The arguments of ``run`` (one order, so that a prefetched call is a cache hit)."""
    return (s.target, s.n, width, s.depth, s.lr, steps, s.sigma_b, s.seed)


def prefetch_neighbours(s: Setup, width: int, offered: tuple[int, ...]) -> int:
    """Warm the cache for the widths one step either side (the next step is then a hit);
    returns how many runs were queued (ntk_app.prefetch bounds the queue)."""
    return prefetch(run, [run_args(s, w, plan_steps(s, w))
                          for w in neighbours(list(offered), width)])


# ----------------------------------------------------------------------------- controls
def clamp_width(state: PageState, offered: tuple[int, ...], depth: int) -> None:
    """Before the width slider is drawn: a width over the budget (from a link, or after the
    depth or n grew) becomes the largest offered one, and the page says so."""
    width = int(state["width"])
    if width in offered:
        return
    shown = max(w for w in offered if w <= width) if width > offered[0] else offered[0]
    state.set("width", shown)
    st.info(f"Width {fmt.count(width)} at depth {depth} does not fit the interactive budget "
            f"even for {fmt.count(min(STEP_OPTIONS))} steps: showing width {fmt.count(shown)}, "
            "the largest that does.", icon=":material/tune:")


def width_slider(state: PageState, offered: tuple[int, ...]) -> int:
    """The width control (drawn inside the fragment: a step reruns only the dynamics)."""
    return int(st.select_slider("Width (hidden units per layer)", options=offered,
                                format_func=fmt.count, key=state.key("width"),
                                help="Widths whose training does not fit the interactive budget "
                                "at this depth are not offered."))


def steps_note(s: Setup, width: int, ran: int) -> bool:
    """Say that fewer steps ran than asked for, and offer the full run (True when chosen)."""
    if ran >= s.steps:
        return False
    st.info(f"**Ran {fmt.count(ran)} steps instead of {fmt.count(s.steps)}** to stay "
            f"interactive at width {fmt.count(width)} and depth {s.depth}. Reduce the width or "
            "the depth to run them all.", icon=":material/timer:")
    key = "td:" + ":".join(map(str, run_args(s, width, s.steps)))
    return long_run(cost(s, width, s.steps),
                    what=f"Training for all {fmt.count(s.steps)} steps", key=key)


# ----------------------------------------------------------------------------- figures
def _f32(y: np.ndarray, ceiling: float = math.inf, positive: bool = False) -> np.ndarray:
    """float32 for the browser: NaN for ±inf, for |y| > ceiling and (log axes) for y ≤ 0."""
    a = np.asarray(y, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(a) | (np.abs(a) > min(ceiling, _F32_MAX))
    if positive:
        bad |= a <= 0
    return np.where(bad, np.nan, a).astype(np.float32)


def _log_span(*arrays: np.ndarray) -> tuple[float, float] | None:
    v = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    v = v[np.isfinite(v) & (v > 0)]
    return (float(v.min()), float(v.max())) if v.size else None


def _axis(title: str, log: bool, *data: np.ndarray, rng: tuple[float, float] | None = None
          ) -> dict:
    """An axis layout dict; on a log axis the ticks of ``figures.log_axis``."""
    ax: dict = dict(title=dict(text=title), type="log" if log else "linear")
    if log:
        if rng is not None:
            ax["range"] = list(rng)
            span = (10.0 ** rng[0], 10.0 ** rng[1])
        else:
            span = _log_span(*data)
        if span is not None:
            ax.update(log_axis(*span))
    return ax


def _layout(title: str, height: int, xaxis: dict, yaxis: dict, legend_below: bool) -> dict:
    legend = LEGEND_BELOW if legend_below else LEGEND_ABOVE
    return dict(title=dict(text=title, y=0.97, yanchor="top"), height=height, xaxis=xaxis,
                yaxis=yaxis, legend=legend,
                margin=margin(50 if legend_below else 80, left=AXIS_LEFT_LOG_PX, bottom=72,
                              legend_rows=int(legend_below)))


def _line(x: np.ndarray, y: np.ndarray, name: str, color: str, dash: str = "solid",
          **extra) -> dict:
    return dict(type="scatter", mode="lines", x=np.asarray(x, dtype=np.float32), y=y, name=name,
                line=dict(color=color, dash=dash), **extra)


def display_steps(steps: int, logt: bool) -> np.ndarray:
    """At most ~MAX_POINTS steps to draw (log-spaced from 1 on a log axis)."""
    if logt:
        return np.unique(np.round(np.geomspace(1, max(steps, 1), MAX_POINTS)).astype(int))
    return np.unique(np.round(np.linspace(0, steps, MAX_POINTS + 1)).astype(int))


def loss_figure(r: TrainingDynamics, steps: int, logt: bool) -> go.Figure:
    """The three loss curves; a curve 10⁶× above the initial loss is off the chart."""
    t = display_steps(steps, logt)
    finite = r.losses[np.isfinite(r.losses)]
    ceiling = 1e6 * float(finite[0]) if finite.size else math.inf
    ys = [_f32(c[t], ceiling, positive=True)
          for c in (r.losses, r.linear_losses, r.continuous_losses)]
    data = [_line(t, ys[0], "network (GD)", PALETTE[0]),
            _line(t, ys[1], _DISCRETE, PALETTE[1], "dash"),
            _line(t, ys[2], _CONTINUOUS, PALETTE[2], "dot")]
    layout = _layout("Training loss ½‖f_t(X) − y‖²", 400, _axis("step t", logt, t),
                     _axis("loss", True, *ys), legend_below=False)
    return go.Figure(data=data, layout=layout)


def spectrum_figure(eigvals: np.ndarray, lr: float, steps: int) -> go.Figure:
    """Eigenvalues of Θ₀ (zeros to rounding dropped) with the levels 2/η and 1/(ηT)."""
    top = float(eigvals[0]) if eigvals.size else 0.0
    lam = _f32(np.where(eigvals > ZERO_EIG * top, eigvals, np.nan))
    idx = np.arange(1, eigvals.size + 1)
    ends = np.array([1, max(eigvals.size, 1)])
    levels = [(2.0 / lr, "2/η: modes above diverge", "dash", PALETTE[3]),
              (1.0 / (lr * steps), "1/(ηT): modes below barely learned by T", "dot", PALETTE[2])]
    data = [dict(_line(idx, lam, "λ_i", PALETTE[0]), mode="markers+lines")]
    data += [_line(ends, np.array([v, v], np.float32), name, color, dash)
             for v, name, dash, color in levels]
    yaxis = _axis("λ_i", True, lam, np.array([v for v, *_ in levels]))
    layout = _layout("Eigenvalues of the initial NTK Θ₀(X, X)", 430,
                     dict(title=dict(text="index i")), yaxis, legend_below=True)
    return go.Figure(data=data, layout=layout)


def modes_figure(r: TrainingDynamics, logt: bool, k: int = TOP_MODES) -> go.Figure:
    """|v_iᵀ r_t| for the top ``k`` modes, net (solid) and NTK (dashed) in one colour per mode;
    the y axis shows six decades below the net's largest value (the NTK's go to 1e-300)."""
    k = min(k, r.eigvals.size)
    rows = slice(1, None) if logt else slice(None)
    t = r.steps[rows]
    data = []
    for i in range(k):
        lam_i = r.eigvals[i] if r.eigvals[i] > ZERO_EIG * r.lam_max else 0.0  # rounding
        color, group = PALETTE[i % len(PALETTE)], f"mode{i}"
        data.append(_line(t, _f32(r.net_modes[rows, i], positive=True),
                          f"{i + 1}: net, λ={lam_i:.3g}", color, legendgroup=group))
        data.append(_line(t, _f32(r.linear_modes[rows, i], positive=True), f"{i + 1}: NTK",
                          color, "dash", legendgroup=group, showlegend=False))
    net = np.abs(r.net_modes[:, :k])
    net = net[np.isfinite(net) & (net > 0)]
    top = math.log10(float(net.max())) if net.size else 0.0
    layout = _layout("|v_iᵀ r_t| for the top modes: net (solid), NTK (dashed)", 430,
                     _axis("step t", logt, t), _axis("|v_iᵀ r_t|", True, rng=(top - 6, top + 0.3)),
                     legend_below=True)
    return go.Figure(data=data, layout=layout)


def predictions_figure(run_: Run, i_t: int, t: int, noisy: bool) -> go.Figure:
    """Target, training points, f₀ (hidden until clicked), network and both NTK predictions."""
    r, x = run_.r, run_.x_test
    data = [
        _line(x, _f32(run_.y_test), "target (noise-free)" if noisy else "target", "#888888"),
        dict(type="scatter", mode="markers", x=run_.x_train.astype(np.float32),
             y=_f32(run_.y_train), name="training points", marker=dict(size=8, color="#222222")),
        _line(x, _f32(r.f0_test), "network at init f₀", "#bab0ac", "dot", visible="legendonly"),
        _line(x, _f32(r.net_test[i_t]), "network f_t", PALETTE[0]),
        _line(x, _f32(r.linear_test[i_t]), "NTK, discrete", PALETTE[1], "dash"),
        _line(x, _f32(r.continuous_test[i_t]), "NTK, continuous", PALETTE[2], "dot"),
    ]
    layout = _layout(f"Network vs NTK predictions at step t = {t}", 420,
                     dict(title=dict(text="x")), dict(title=dict(text="f(x)")),
                     legend_below=False)
    return go.Figure(data=data, layout=layout)


# ----------------------------------------------------------------------------- sections
def intro() -> None:
    """One line before the picture."""
    st.markdown(
        "A real network trained by gradient descent (solid) beside the prediction of its "
        f"Neural Tangent Kernel $\\Theta_0$ at initialisation ({ARXIV['jacot']}), as if the "
        f"kernel never moved ({ARXIV['lee']}): dashed exact, dotted gradient flow."
    )


def _eta_lam_max(r: TrainingDynamics, lr: float) -> float:
    return lr * r.lam_max


def loss_tiles(r: TrainingDynamics, lr: float) -> None:
    """Four numbers beside the loss chart: the two final losses, the kernel's move, the step
    size limit."""
    linear_diverged = _eta_lam_max(r, lr) > 2.0  # (I − ηΘ₀)ᵗ grows along the top eigenvector
    st.metric("Final loss, network", "diverged" if r.diverged else fmt.num(float(r.losses[-1])))
    st.metric("Final loss, linearized NTK",
              "diverged" if linear_diverged else fmt.num(float(r.linear_losses[-1])))
    st.metric(
        "Kernel change in training", fmt.pct(r.kernel_change),
        help="$\\|\\Theta_T - \\Theta_0\\|_F / \\|\\Theta_0\\|_F$ on the training inputs. "
        "Bounded by $O(m^{-1/2})$ in the width $m$ (Lee et al. 2019); how fast it falls is "
        "measured on *Kernel motion* and depends on the activation (ReLU ≈ $m^{-1/2}$, "
        "erf ≈ $1/m$)." + _shift_help(r),
    )
    st.metric("Stable step 2/λ_max", fmt.num(r.lr_bound),
              help=f"Gradient descent is stable for $\\eta < 2/\\lambda_{{\\max}}$; "
              f"here $\\eta = {lr:g}$, $\\eta\\lambda_{{\\max}} = {_eta_lam_max(r, lr):.2f}$.")


def _shift_help(r: TrainingDynamics) -> str:
    """The scale-free measures of the same move (alignment, target alignment, trace)."""
    if r.shift is None:
        return ""
    sh = r.shift
    return (f" Shape and scale apart: alignment distance {fmt.num(sh.alignment, '.2g')}, "
            f"kernel–target alignment {fmt.num(sh.target_alignment_0, '.3f')} → "
            f"{fmt.num(sh.target_alignment_t, '.3f')}, trace ratio "
            f"{fmt.num(sh.trace_ratio, '.4g')}.")


def stability_notes(r: TrainingDynamics, lr: float, no_bias: bool) -> None:
    """What to read into the curves when a step is too large, the net diverged or the set-up
    is the article's broken one (no bias)."""
    el = _eta_lam_max(r, lr)
    if no_bias:
        st.error(
            "**Broken case on purpose: no bias ($\\sigma_b = 0$).** With 1-D inputs a bias-free "
            "ReLU net is positively homogeneous, $f(cx) = c\\,f(x)$ for $c > 0$, so all "
            "gradients span two directions: $\\Theta$ has rank 2 ($\\lambda_{\\min} = 0$) and "
            "gradient descent can only fit the best two-sided linear function. The loss stalls "
            "well above zero. Untick *No bias* to see the working set-up.",
            icon=":material/block:",
        )
    if lr >= r.lr_bound:
        where = f" at step {r.diverged_at}" if r.diverged_at is not None else ""
        net_words = (
            f"The network's loss blew up too{where}, so its curves stop there." if r.diverged
            else "This time the network itself survived: its loss shot up and came back down "
            "while its kernel moved away from $\\Theta_0$ (the 'catapult' of Lewkowycz et al. "
            "2020, [arXiv:2003.02218](https://arxiv.org/abs/2003.02218), a non-lazy effect), "
            "but the linearized prediction grows without bound."
        )
        st.warning(
            f"**Step too large: $\\eta = {lr:g} \\geq 2/\\lambda_{{\\max}} = {r.lr_bound:.3g}$** "
            f"($\\eta\\lambda_{{\\max}} = {el:.2f}$). The top eigenmode is multiplied by "
            f"$1 - \\eta\\lambda_{{\\max}} = {1 - el:.2f}$ each step: it grows instead of "
            f"shrinking. {net_words} Only the finite part is plotted. Lower the learning rate "
            "below 2/λ_max.",
            icon=":material/warning:",
        )
    elif r.diverged:
        st.warning(
            f"**The network diverged at step {r.diverged_at}** although $\\eta = {lr:g}$ is "
            f"below $2/\\lambda_{{\\max}}(\\Theta_0) = {r.lr_bound:.3g}$: its kernel grew during "
            "training (a narrow net is not lazy), so the step became too large for the kernel "
            "it had by then. Its curves stop there; the linearized prediction, which keeps "
            "$\\Theta_0$, still converges. Lower the learning rate or widen the net.",
            icon=":material/warning:",
        )
    elif el > 1:
        st.info(
            f"$\\eta\\lambda_{{\\max}} = {el:.2f}$ lies between 1 and 2: the top mode still "
            "shrinks but flips sign every step ($1 - \\eta\\lambda < 0$), and the continuous "
            "formula is far off for it.",
            icon=":material/swap_vert:",
        )


def loss_section(run_: Run, s: Setup, steps: int, tiles_box) -> None:
    """The loss chart (the page's picture) with its four tiles and its data in ``tiles_box``."""
    r = run_.r
    st.plotly_chart(loss_figure(r, steps, s.logt), key="loss_chart")
    with tiles_box:
        loss_tiles(r, s.lr)
        download("Loss curves (CSV)", lambda: to_csv({
            "step": np.arange(steps + 1), "loss_network": r.losses,
            "loss_ntk_discrete": r.linear_losses, "loss_ntk_continuous": r.continuous_losses,
        }), "training_loss.csv", key="dl_loss")


def loss_explainer(r: TrainingDynamics, lr: float) -> None:
    """How to read the three curves and the formulas behind them."""
    st.markdown(
        "The dashed curve is the exact linearized run. At large width the network sits on it; "
        "at small width the kernel moves during training and the net departs from it (often "
        "fitting *better*: feature learning). The dotted gradient-flow curve replaces "
        "$(1 - \\eta\\lambda)^t$ by $e^{-\\eta\\lambda t}$; per mode their ratio is about "
        "$e^{-t\\eta^2\\lambda^2/2}$, so the two differ as soon as $\\eta\\lambda$ is not small "
        f"(here $\\eta\\lambda_{{\\max}} = {_eta_lam_max(r, lr):.2f}$)."
    )
    st.latex(
        r"\begin{aligned}"
        r"\frac{df}{dt} &= -\eta\,\Theta\,(f - y)\\"
        r"r_t &= (I - \eta\Theta_0)^t\, r_0 = \sum_i (1 - \eta\lambda_i)^t\,(v_i^\top r_0)\, v_i"
        r"&&\text{(dashed)}\\"
        r"r(t) &= e^{-\eta\Theta_0 t}\, r_0 = \sum_i e^{-\eta\lambda_i t}\,(v_i^\top r_0)\, v_i"
        r"&&\text{(dotted)}"
        r"\end{aligned}"
    )


def spectrum_section(r: TrainingDynamics, lr: float, steps: int, logt: bool) -> None:
    """The spectrum of Θ₀ and the residual per eigenmode (spectral bias)."""
    st.markdown("##### Spectrum of Θ₀ and the residual per eigenmode (spectral bias)")
    lam_min = fmt.num(r.lam_min) if r.lam_min > ZERO_EIG * r.lam_max else "0"  # rounding
    c1, c2, c3 = st.columns(3)
    c1.metric("λ_max(Θ₀)", fmt.num(r.lam_max))
    c2.metric("λ_min(Θ₀)", lam_min, help="0 means a direction GD never moves (no bias).")
    c3.metric("ηλ_max", fmt.num(_eta_lam_max(r, lr), ".2f"),
              help="< 2 for stability, ≪ 1 for gradient flow")
    left, right = st.columns(2)
    with left:
        st.plotly_chart(spectrum_figure(r.eigvals, lr, steps), key="spectrum_chart")
        st.caption("Zero eigenvalues are not drawn on the log axis. Gradient descent is stable "
                   "only if $|1 - \\eta\\lambda_i| < 1$ for every $i$, i.e. "
                   "$\\eta < 2/\\lambda_{\\max}$.")
        download("Spectrum (CSV)", lambda: to_csv({
            "index": np.arange(1, r.eigvals.size + 1), "eigenvalue": r.eigvals,
        }), "ntk_spectrum.csv", key="dl_spectrum")
    with right:
        st.plotly_chart(modes_figure(r, logt), key="modes_chart")
        download("Mode residuals (CSV)", lambda: to_csv(
            {"step": r.steps}
            | {f"net_mode_{i + 1}": r.net_modes[:, i] for i in range(r.eigvals.size)}
            | {f"ntk_mode_{i + 1}": r.linear_modes[:, i] for i in range(r.eigvals.size)}
        ), "mode_residuals.csv", key="dl_modes")
    st.markdown(
        "Mode $i$ of the residual shrinks by the factor $1 - \\eta\\lambda_i$ every step, so it "
        "needs about $1/(\\eta\\lambda_i)$ steps. On a 1-D grid the top eigenvectors of "
        "$\\Theta_0$ are smooth and the bottom ones oscillate from point to point: the smooth "
        "part of the target is fitted within a few steps, the wiggly part much later or never "
        "within $T$ (**spectral bias**). Try *sin(2x) + ½·sin(8x)* or the step: the loss drops "
        "fast, then crawls."
    )


def time_slider(state: PageState, recorded: np.ndarray) -> int:
    """The step at which predictions are shown, snapped to a recorded step before the slider
    is drawn (LAST or a step past the end means the last one). A slider left at the last step
    follows the end of a new run (more steps, or the full run after a shortened one)."""
    options = [int(t) for t in recorded]
    end_key = f"{state.key('t')}::end"
    t_now = int(state["t"])
    if t_now == st.session_state.get(end_key):
        t_now = LAST
    st.session_state[end_key] = options[-1]
    if t_now not in options:
        t_now = (options[-1] if t_now < 0 or t_now > options[-1]
                 else min(options, key=lambda t: abs(t - t_now)))
        state.set("t", t_now)
    return int(st.select_slider("Show the predictions at step t", options=options,
                                key=state.key("t")))


@st.fragment
def predictions_section(state: PageState, run_: Run, lr: float, noisy: bool) -> None:
    """Network vs NTK predictions on a test grid at a chosen step (its own fragment: the time
    slider reruns only this section)."""
    r = run_.r
    st.markdown("##### Network vs NTK predictions on a test grid")
    t = time_slider(state, r.steps)
    state.sync_url()
    with shown_here("The predictions chart"):
        _predictions(run_, t, lr, noisy)


def _predictions(run_: Run, t: int, lr: float, noisy: bool) -> None:
    r = run_.r
    i_t = [int(s) for s in r.steps].index(t)
    st.plotly_chart(predictions_figure(run_, i_t, t, noisy), key="predictions_chart")
    net_t, lin_t, cont_t = r.net_test[i_t], r.linear_test[i_t], r.continuous_test[i_t]
    with np.errstate(invalid="ignore", over="ignore"):
        gap_t = float(np.sqrt(np.mean((net_t - lin_t) ** 2)))
        gap_cont = float(np.sqrt(np.mean((net_t - cont_t) ** 2)))
    linear_diverged = _eta_lam_max(r, lr) > 2.0
    c1, c2, c3 = st.columns(3)
    c1.metric(f"RMS gap net − NTK discrete (t = {t})",
              "NTK diverged" if linear_diverged and t > 0 else fmt.num(gap_t))
    c2.metric(f"RMS gap net − NTK continuous (t = {t})", fmt.num(gap_cont))
    c3.metric("Test points", f"{N_TEST} on [−2.5, 2.5]")
    if not np.all(np.isfinite(net_t)):
        st.caption("The network had diverged by this step: its curve is not drawn.")
    st.markdown(
        "Outside the training points the NTK prediction is the kernel interpolant built from "
        "$\\Theta_0(x, X)$; a wide net follows it also between and beyond the points "
        "($x \\in [-2.5, 2.5]$ reaches outside the data on $[-2, 2]$). Narrow the width to see "
        "the two part ways."
    )
    st.latex(
        r"\begin{gathered}"
        r"f_t(x) = f_0(x) - \Theta_0(x, X)\,\Theta_0^{-1}\left[I - (I - \eta\Theta_0)^t\right]"
        r" r_0 \\[4pt] \text{(stable only for } \eta < 2/\lambda_{\max})"
        r"\end{gathered}"
    )
    download("Predictions at this step (CSV)", lambda: to_csv({
        "x_test": run_.x_test, "target": run_.y_test, "f0": r.f0_test, "network": net_t,
        "ntk_discrete": lin_t, "ntk_continuous": cont_t, "x_train": run_.x_train,
        "y_train": run_.y_train,
    }), f"predictions_t{t}.csv", key="dl_predictions")


@st.fragment
def dynamics(state: PageState, s: Setup) -> None:
    """Everything that depends on the width, with the width slider: a width step reruns and
    repaints only this fragment, and of the three tabs under the loss chart only the open one.
    The URL follows (sync_url inside the fragment; the open tab is the "section" setting), and
    the neighbouring widths are computed in the background afterwards."""
    offered = widths_offered(s)
    chart_box, side = st.columns([3, 1])
    with side:
        clamp_width(state, offered, s.depth)
        width = width_slider(state, offered)
    state.sync_url()
    ran = plan_steps(s, width)
    with chart_box:
        if steps_note(s, width, ran):
            ran = s.steps
        long = ran > plan_steps(s, width)
        with st.spinner(f"Training {fmt.count(ran)} steps…") if long else nullcontext():
            run_ = run(*run_args(s, width, ran))
        with shown_here("The loss chart"):
            loss_section(run_, s, ran, side)
        with shown_here("The notes on this run"):
            stability_notes(run_.r, s.lr, s.sigma_b == 0.0)
    formulas, spectrum, predictions = st.tabs(SECTIONS, key=state.key("section"),
                                              on_change="rerun")
    if formulas.open:  # only the chosen tab is computed and repainted on a width step
        with formulas, shown_here("The explanation of the loss curves"):
            loss_explainer(run_.r, s.lr)
    if spectrum.open:
        with spectrum, shown_here("The spectrum section"):
            spectrum_section(run_.r, s.lr, ran, s.logt)
    if predictions.open:
        with predictions:
            predictions_section(state, run_, s.lr, s.target == "noisy_sin")
    prefetch_neighbours(s, width, offered)


@contextmanager
def shown_here(what: str) -> Iterator[None]:
    """Show an error raised inside the block in its place, so that one failing section does
    not blank the others (Streamlit's own control flow is a BaseException: not caught)."""
    try:
        yield
    except Exception as err:  # any failure stays in its section
        st.error(f"{what} could not be drawn: {err}", icon=":material/error:")


def conventions(sigma_b: float) -> None:
    """The conventions behind every number on the page."""
    st.caption(
        PARAM_NOTE
        + f" Here: ReLU, σ_w = √2 (He), σ_b = {sigma_b:g}, inputs on a 1-D grid of n points in "
        "[−2, 2]. Θ₀ is the empirical NTK of this very initialisation (not the infinite-width "
        "kernel), so any gap between the curves is the kernel moving during training. The bias "
        "is on by default because without it a 1-D ReLU net has a rank-2 NTK (λ_min = 0) and "
        "cannot fit a sine, the mistake behind the original article's stalled training loss. "
        "The noise of 'noisy sin' is fixed (the grey target curve is then the noise-free sine); "
        "the seed only changes the initial weights."
    )
