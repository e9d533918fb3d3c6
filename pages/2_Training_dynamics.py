"""Training dynamics: a real net trained by gradient descent beside its NTK prediction.

Served at /Training_dynamics. The numerics live in ntk_core.experiments.training_dynamics; this
page reads the settings (mirrored in the URL), guards the cost, draws and explains.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ntk_app import figures
from ntk_app.layout import (
    PARAM_NOTE,
    cached,
    download,
    require_budget,
    seed_controls,
    setup_page,
    to_csv,
)
from ntk_app.state import WIDTH_OPTIONS, PageState, Setting, seed_setting, width_setting
from ntk_core import MLP, TARGETS, make_inputs, target_function
from ntk_core.cost import TIME_BUDGET_S, Cost, fits
from ntk_core.experiments import training_dynamics, training_dynamics_cost
from ntk_core.setups import (
    TRAINING_LR,
    TRAINING_POINTS,
    TRAINING_RECORDS,
    TRAINING_STEPS,
    TRAINING_TEST_POINTS,
    eval_grid,
)

setup_page("training_dynamics")

# ----------------------------------------------------------------------------- settings
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
N_TEST = TRAINING_TEST_POINTS  # test grid on [-2.5, 2.5]
N_RECORDS = TRAINING_RECORDS  # requested snapshots, log-spaced in t (fewer after rounding)
TOP_MODES = 6
LAST = -1  # value of "t" meaning "the last recorded step"

state = PageState(
    "training",
    [
        Setting("target", "choice", "sin", choices=TARGETS),
        Setting("n", "int", TRAINING_POINTS, 5, 60),
        Setting("sigma_b", "snap", 1.0, choices=BIAS_OPTIONS),
        Setting("nobias", "bool", False),
        width_setting("width", default=1000),
        Setting("depth", "int", 1, 1, 3),
        Setting("lr", "snap", TRAINING_LR, choices=LR_OPTIONS),
        Setting("steps", "snap", TRAINING_STEPS, choices=STEP_OPTIONS),
        seed_setting(0),
        Setting("t", "int", LAST, LAST, max(STEP_OPTIONS)),
        Setting("logt", "bool", True),
    ],
)


def _show_last_step() -> None:
    """When the number of steps changes, show the predictions at the (new) last step."""
    state.set("t", LAST)


sb = st.sidebar
sb.header("Data")
sb.selectbox(
    "Target function",
    TARGETS,
    format_func=lambda k: TARGET_LABELS.get(k, k),
    key=state.key("target"),
)
sb.slider("Training points n (grid on [−2, 2])", 5, 60, key=state.key("n"))
sb.header("Network")
no_bias = sb.checkbox(
    "No bias (the article's broken set-up)",
    key=state.key("nobias"),
    help="σ_b = 0 with 1-D inputs: the ReLU net is positively homogeneous, its NTK has rank 2 "
    "and gradient descent cannot fit the target. Shown here as the failure case.",
)
sb.select_slider(
    "σ_b (bias scale)",
    options=BIAS_OPTIONS,
    key=state.key("sigma_b"),
    disabled=no_bias,
    help="Kept > 0 on purpose: with 1-D inputs a bias-free ReLU net cannot fit a sine.",
)
sb.select_slider("Width (hidden units per layer)", options=WIDTH_OPTIONS, key=state.key("width"))
sb.slider("Depth (hidden layers)", 1, 3, key=state.key("depth"))
sb.header("Gradient descent")
sb.select_slider("Learning rate η", options=LR_OPTIONS, key=state.key("lr"))
sb.select_slider("Steps T", options=STEP_OPTIONS, key=state.key("steps"), on_change=_show_last_step)
sb.checkbox("Log time axis", key=state.key("logt"))
seed_controls(state, container=sb)

v = state.values()
sigma_b = 0.0 if v["nobias"] else float(v["sigma_b"])
n, width, depth, steps = int(v["n"]), int(v["width"]), int(v["depth"]), int(v["steps"])
lr, seed, target = float(v["lr"]), int(v["seed"]), str(v["target"])

# the URL is written now (a refused request below stops the script) and again after the
# time slider, which is drawn further down
state.sync_url()


# ----------------------------------------------------------------------------- engine calls
@cached(max_entries=16)
def run(
    target: str, n: int, width: int, depth: int, lr: float, steps: int, sigma_b: float, seed: int
):
    """GD on the 1-D grid beside the discrete and continuous NTK predictions (one init)."""
    x = make_inputs("grid", n)
    y = target_function(target, x, seed=0)  # the data stay fixed; the seed is the init's
    x_test = eval_grid(N_TEST)
    res = training_dynamics(
        x,
        y,
        x_test,
        MLP(depth, width, "relu", SIGMA_W, sigma_b),
        lr=lr,
        steps=steps,
        seed=seed,
        n_records=N_RECORDS,
    )
    clean = "sin" if target == "noisy_sin" else target
    return x[:, 0], y, x_test[:, 0], target_function(clean, x_test), res


def estimate(n_steps: int) -> Cost:
    """Estimated time and memory of run(...) with ``n_steps`` steps (ntk_core.cost)."""
    x = make_inputs("grid", n)
    x_test = np.empty((N_TEST, 1))  # only its shape enters the estimate
    net = MLP(depth, width, "relu", SIGMA_W, sigma_b)
    return training_dynamics_cost(
        x, x[:, 0], x_test, net, lr=lr, steps=n_steps, n_records=N_RECORDS
    )


# too many steps for this width/depth: run the largest offered number that fits, and say so;
# if even the fewest steps do not fit, refuse
run_steps = steps
if not fits(estimate(steps)):
    fitting = [s for s in STEP_OPTIONS if s < steps and fits(estimate(s))]
    run_steps = max(fitting) if fitting else min(STEP_OPTIONS)
require_budget(
    estimate(run_steps),
    what=f"Training a width-{width:,}, depth-{depth} net for {run_steps:,} steps",
    hint="Reduce the width or the depth.",
)
if run_steps < steps:
    st.info(
        f"**Ran {run_steps:,} steps instead of {steps:,}:** {steps:,} steps at width {width:,} "
        f"and depth {depth} would take about {estimate(steps).seconds:.0f} s, over the "
        f"{TIME_BUDGET_S:g} s budget. Reduce the width or the depth to run them all.",
        icon="⏱️",
    )
steps = run_steps
x_train, y_train, x_test, y_test, r = run(target, n, width, depth, lr, steps, sigma_b, seed)


def fmt(value: float, spec: str = ".3g") -> str:
    return format(value, spec) if math.isfinite(value) else "—"


def _roomy(fig: go.Figure, *, legend_below: bool = False) -> go.Figure:
    """Room for the title above a horizontal legend, or the legend under the x axis."""
    fig.update_layout(title=dict(y=0.97, yanchor="top"), margin=dict(t=80))
    if legend_below:
        fig.update_layout(  # on the figure's bottom edge: plotly grows the margin to fit it
            legend=dict(
                orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom"
            ),
            margin=dict(t=50, b=10),
        )
    return fig


# ----------------------------------------------------------------------------- the story
st.markdown(
    "A real network is trained by full-batch gradient descent on ½‖f(X) − y‖². Beside it, "
    "the Neural Tangent Kernel Θ₀ of the **same initial weights** predicts the whole run in "
    "closed form, as if the kernel never moved. The wider the net, the closer the two — and "
    "the eigenvalues of Θ₀ say which parts of the target are learned first and how large a "
    "step may be."
)
if v["nobias"]:
    st.error(
        "**Broken case on purpose: no bias (σ_b = 0).** With 1-D inputs a bias-free ReLU net "
        "satisfies f(c·x) = c·f(x) for c > 0, so f(x) = x·f(1) for x > 0 and |x|·f(−1) for "
        "x < 0 whatever the weights: all gradients span two directions, Θ has rank 2 "
        "(λ_min = 0), and gradient descent can only fit the best two-sided linear function. "
        "The loss stalls well above zero. Untick *No bias* to see the working set-up.",
        icon="🧱",
    )

eta_lam_max = lr * r.lam_max
linear_diverged = eta_lam_max > 2.0  # (I − ηΘ₀)ᵗ grows along the top eigenvector
if lr >= r.lr_bound:
    where = f" at step {r.diverged_at}" if r.diverged_at is not None else ""
    net_words = (
        f"The network's loss blew up too{where}, so its curves stop there."
        if r.diverged
        else "This time the network itself survived: its loss shot up and came back down while "
        "its kernel moved away from Θ₀ (the 'catapult' of Lewkowycz et al. 2020, a non-lazy "
        "effect) — but the linearized prediction grows without bound."
    )
    st.warning(
        f"**Step too large: η = {lr:g} ≥ 2/λ_max = {r.lr_bound:.3g}** (ηλ_max = "
        f"{eta_lam_max:.2f} ≥ 2). The top eigenmode is multiplied by 1 − ηλ_max = "
        f"{1 - eta_lam_max:.2f} each step: it grows instead of shrinking. {net_words} Only the "
        "finite part is plotted. Lower the learning rate below 2/λ_max.",
        icon="💥",
    )
elif r.diverged:
    st.warning(
        f"**The network diverged at step {r.diverged_at}** although η = {lr:g} is below "
        f"2/λ_max(Θ₀) = {r.lr_bound:.3g}: its kernel grew during training (a narrow net is not "
        "lazy), so the step became too large for the kernel it had by then. Its curves stop "
        "there; the linearized prediction, which keeps Θ₀, still converges. Lower the learning "
        "rate or widen the net.",
        icon="💥",
    )
elif eta_lam_max > 1:
    st.info(
        f"ηλ_max = {eta_lam_max:.2f} lies between 1 and 2: the top mode still shrinks but flips "
        "sign every step (1 − ηλ < 0), and the continuous formula is far off for it.",
        icon="〰️",
    )

# ----------------------------------------------------------------------------- metrics
finite_loss = r.losses[np.isfinite(r.losses)]
net_final = float(r.losses[-1])
lin_final = float(r.linear_losses[-1])
c1, c2, c3, c4 = st.columns(4)
c1.metric("λ_max(Θ₀)", fmt(r.lam_max))
# display: eigenvalues below rounding (1e-12 of λ_max) are zero, as ntk_core clips them
lam_min_text = fmt(r.lam_min) if r.lam_min > figures.ZERO_EIG * r.lam_max else "0"
c2.metric("λ_min(Θ₀)", lam_min_text, help="0 means a direction GD never moves (no bias).")
c3.metric("Stable step 2/λ_max", fmt(r.lr_bound), help=f"Your η = {lr:g}")
c4.metric("ηλ_max", fmt(eta_lam_max, ".2f"), help="< 2 for stability, ≪ 1 for gradient flow")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Initial loss", fmt(float(finite_loss[0]) if finite_loss.size else math.nan))
c2.metric("Final loss, network", fmt(net_final) if not r.diverged else "diverged")
c3.metric("Final loss, linearized", "diverged" if linear_diverged else fmt(lin_final))
c4.metric(
    "Kernel change",
    fmt(r.kernel_change),
    help="‖Θ_T − Θ₀‖_F/‖Θ₀‖_F: relative Frobenius change of the empirical NTK on the training "
    "inputs; → 0 like 1/√width (lazy training).",
)

# ----------------------------------------------------------------------------- loss curves
st.subheader("Loss: network vs NTK prediction")
t_all = np.arange(steps + 1)
# display prep: at most ~500 points per curve (log-spaced on a log axis); the CSV has every step
if v["logt"]:
    t_axis = np.unique(np.round(np.geomspace(1, steps, 500)).astype(int))
else:
    t_axis = np.unique(np.round(np.linspace(0, steps, 501)).astype(int))
# display prep: a curve that has grown 10⁶× past the initial loss is off the chart
ceiling = 1e6 * float(finite_loss[0]) if finite_loss.size else np.inf
loss_curves = {
    "network (GD)": r.losses[t_axis],
    "NTK, discrete (I − ηΘ₀)ᵗ": r.linear_losses[t_axis],
    "NTK, continuous exp(−ηΘ₀t)": r.continuous_losses[t_axis],
}
loss_curves = {k: np.where(np.abs(c) <= ceiling, c, np.nan) for k, c in loss_curves.items()}
fig_loss = figures.lines(
    t_axis,
    loss_curves,
    "Training loss ½‖f_t(X) − y‖²",
    xlabel="step t",
    ylabel="loss",
    logx=bool(v["logt"]),
    logy=True,
    dashes={"NTK, discrete (I − ηΘ₀)ᵗ": "dash", "NTK, continuous exp(−ηΘ₀t)": "dot"},
    height=380,
)
_roomy(fig_loss)
st.plotly_chart(fig_loss, key="loss_chart")
st.markdown(
    "The dashed curve is the exact linearized run, r_t = (I − ηΘ₀)ᵗ r₀. At large width the "
    "network sits on it; at small width the kernel moves during training and the net departs "
    "from it (often fitting *better*: that is feature learning). The dotted gradient-flow curve "
    "replaces (1 − ηλ)ᵗ by exp(−ηλt); per mode the ratio is about exp(−tη²λ²/2), so the two "
    "differ as soon as ηλ is not small — here ηλ_max = " + fmt(eta_lam_max, ".2f") + "."
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
download(
    "Loss curves (CSV)",
    to_csv(
        {
            "step": t_all,
            "loss_network": r.losses,
            "loss_ntk_discrete": r.linear_losses,
            "loss_ntk_continuous": r.continuous_losses,
        }
    ),
    "training_loss.csv",
    key="dl_loss",
)

# ----------------------------------------------------------------------------- spectrum + modes
left, right = st.columns(2)
with left:
    st.subheader("Spectrum of Θ₀")
    fig_spec = figures.spectrum(r.eigvals, "Eigenvalues of the initial NTK Θ₀(X, X)", height=430)
    idx = [1, r.eigvals.size]
    for level, name, dash, color in (
        (2.0 / lr, "2/η: modes above diverge", "dash", "#e45756"),
        (1.0 / (lr * steps), "1/(ηT): modes below barely learned by T", "dot", "#54a24b"),
    ):
        fig_spec.add_trace(
            go.Scatter(
                x=idx,
                y=[level, level],
                mode="lines",
                name=name,
                line=dict(color=color, dash=dash, width=1.5),
            )
        )
    figures.log_ticks(fig_spec)  # again, with the two levels in
    _roomy(fig_spec, legend_below=True)
    st.plotly_chart(fig_spec, key="spectrum_chart")
    st.caption(
        "Zero eigenvalues are not drawn on the log axis. Gradient descent is stable only if "
        "|1 − ηλ_i| < 1 for every i, i.e. η < 2/λ_max."
    )
    download(
        "Spectrum (CSV)",
        to_csv({"index": np.arange(1, r.eigvals.size + 1), "eigenvalue": r.eigvals}),
        "ntk_spectrum.csv",
        key="dl_spectrum",
    )
with right:
    st.subheader("Residual per eigenmode (spectral bias)")
    k = min(TOP_MODES, r.eigvals.size)
    rec = r.steps[1:] if v["logt"] else r.steps
    rs = slice(1, None) if v["logt"] else slice(None)
    mode_curves: dict[str, np.ndarray] = {}
    dashes: dict[str, str] = {}
    for i in range(k):
        lam_i = r.eigvals[i] if r.eigvals[i] > figures.ZERO_EIG * r.lam_max else 0.0  # rounding
        mode_curves[f"{i + 1}: net, λ={lam_i:.3g}"] = r.net_modes[rs, i]
        name = f"{i + 1}: NTK"
        mode_curves[name] = r.linear_modes[rs, i]
        dashes[name] = "dash"
    fig_modes = figures.lines(
        rec,
        mode_curves,
        "|v_iᵀ r_t| for the top modes: net (solid), NTK (dashed)",
        xlabel="step t",
        ylabel="|v_iᵀ r_t|",
        logx=bool(v["logt"]),
        logy=True,
        dashes=dashes,
        height=430,
    )
    for j, trace in enumerate(fig_modes.data):  # one colour per mode, net and NTK alike
        trace.line.color = figures.PALETTE[(j // 2) % len(figures.PALETTE)]
        trace.legendgroup = f"mode{j // 2}"
        trace.showlegend = j % 2 == 0  # one legend entry per mode toggles net and NTK
    # display prep: the linearized modes decay to 1e-300; show six decades below the start
    finite_modes = np.abs(r.net_modes[:, :k])
    finite_modes = finite_modes[np.isfinite(finite_modes) & (finite_modes > 0)]
    top = float(finite_modes.max()) if finite_modes.size else 1.0
    fig_modes.update_yaxes(range=[math.log10(top) - 6.0, math.log10(top) + 0.3])
    figures.log_ticks(fig_modes, "y")
    _roomy(fig_modes, legend_below=True)
    st.plotly_chart(fig_modes, key="modes_chart")
    download(
        "Mode residuals (CSV)",
        to_csv(
            {"step": r.steps}
            | {f"net_mode_{i + 1}": r.net_modes[:, i] for i in range(r.eigvals.size)}
            | {f"ntk_mode_{i + 1}": r.linear_modes[:, i] for i in range(r.eigvals.size)}
        ),
        "mode_residuals.csv",
        key="dl_modes",
    )
st.markdown(
    "Mode i of the residual shrinks by the factor 1 − ηλ_i every step, so it needs about "
    "1/(ηλ_i) steps. On a 1-D grid the top eigenvectors of Θ₀ are smooth, slowly varying "
    "functions and the bottom ones oscillate from point to point: the smooth part of the target "
    "is fitted within a few steps, the wiggly part much later or never within T — **spectral "
    "bias**. Try *sin(2x) + ½·sin(8x)* or the step: the loss drops fast, then crawls."
)

# ----------------------------------------------------------------------------- predictions
st.subheader("Predictions on a test grid")
options = [int(s) for s in r.steps]
t_now = int(state["t"])
if t_now not in options:
    t_now = (
        options[-1]
        if t_now < 0 or t_now > options[-1]
        else min(options, key=lambda s: abs(s - t_now))
    )
    state.set("t", t_now)
t_sel = st.select_slider("Show the predictions at step t", options=options, key=state.key("t"))
state.sync_url()
i_t = options.index(int(t_sel))
net_t, lin_t, cont_t = r.net_test[i_t], r.linear_test[i_t], r.continuous_test[i_t]
fig_pred = figures.lines(
    {
        "target": x_test,
        "training points": x_train,
        "network at init f₀": x_test,
        "network f_t": x_test,
        "NTK, discrete": x_test,
        "NTK, continuous": x_test,
    },
    {
        "target": y_test,
        "training points": y_train,
        "network at init f₀": r.f0_test,
        "network f_t": net_t,
        "NTK, discrete": lin_t,
        "NTK, continuous": cont_t,
    },
    f"Network vs NTK predictions at step t = {t_sel}",
    xlabel="x",
    ylabel="f(x)",
    dashes={
        "target": "solid",
        "network at init f₀": "dot",
        "NTK, discrete": "dash",
        "NTK, continuous": "dot",
    },
    height=420,
)
fig_pred.data[0].line.color = "#888888"
if target == "noisy_sin":
    fig_pred.data[0].name = "target (noise-free)"
fig_pred.data[1].mode = "markers"
fig_pred.data[1].marker = dict(size=8, color="#222222")
fig_pred.data[2].line.color = "#bab0ac"
fig_pred.data[2].visible = "legendonly"  # far off the target's scale: click to show
_roomy(fig_pred)
st.plotly_chart(fig_pred, key="predictions_chart")

with np.errstate(invalid="ignore"):
    gap_t = float(np.sqrt(np.mean((net_t - lin_t) ** 2)))
    gap_cont = float(np.sqrt(np.mean((net_t - cont_t) ** 2)))
c1, c2, c3 = st.columns(3)
c1.metric(
    f"RMS gap net − NTK discrete (t = {t_sel})",
    "NTK diverged" if linear_diverged and t_sel > 0 else fmt(gap_t),
)
c2.metric(f"RMS gap net − NTK continuous (t = {t_sel})", fmt(gap_cont))
c3.metric("Test points", f"{N_TEST} on [−2.5, 2.5]")
if not np.all(np.isfinite(net_t)):
    st.caption("The network had diverged by this step: its curve is not drawn.")
st.markdown(
    "Outside the training points the NTK prediction is the kernel interpolant built from "
    "Θ₀(x, X); a wide net follows it also between and beyond the points (x ∈ [−2.5, 2.5] "
    "reaches outside the data on [−2, 2]). Narrow the width to see the two part ways."
)
st.latex(
    r"\begin{gathered}"
    r"f_t(x) = f_0(x) - \Theta_0(x, X)\,\Theta_0^{-1}\left[I - (I - \eta\Theta_0)^t\right] r_0"
    r"\\[4pt] \text{(stable only for } \eta < 2/\lambda_{\max})"
    r"\end{gathered}"
)
download(
    "Predictions at this step (CSV)",
    to_csv(
        {
            "x_test": x_test,
            "target": y_test,
            "f0": r.f0_test,
            "network": net_t,
            "ntk_discrete": lin_t,
            "ntk_continuous": cont_t,
            "x_train": x_train,
            "y_train": y_train,
        }
    ),
    f"predictions_t{t_sel}.csv",
    key="dl_predictions",
)

# ----------------------------------------------------------------------------- conventions
st.caption(
    PARAM_NOTE
    + f" Here: ReLU, σ_w = √2 (He), σ_b = {sigma_b:g}, inputs on a 1-D grid of n points in "
    "[−2, 2]. Θ₀ is the empirical NTK of this very initialisation (not the infinite-width "
    "kernel), so any gap between the curves is the kernel moving during training. The bias is "
    "on by default because without it a 1-D ReLU net has a rank-2 NTK (λ_min = 0) and cannot "
    "fit a sine — the mistake behind the original article's stalled training loss. The noise "
    "of 'noisy sin' is fixed (the grey target curve is then the noise-free sine); the seed only "
    "changes the initial weights."
)
