"""Width stability (the original article's first widget): two random initialisations of the same
network have nearly the same NTK once the network is wide, and both approach the analytic
infinite-width kernel; the spread shrinks like 1/√width."""

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
    network_controls,
    require_budget,
    seed_controls,
    setup_page,
    to_csv,
    to_npz,
)
from ntk_app.state import WIDTH_OPTIONS, PageState, Setting, seed_setting, width_setting
from ntk_core import MLP, cost, make_inputs
from ntk_core import experiments as ex
from ntk_core.setups import WIDTH_STABILITY_POINTS, WIDTH_STABILITY_SWEEP

DEPTH_MAX = 4
N_POINTS = WIDTH_STABILITY_POINTS  # circle: 10° steps; grid: step 0.125, so x = 0 is a point
INPUT_LABELS = {"circle": "points on the unit circle", "grid": "1-D grid on [−2, 2]"}
MIDDLE_LABELS = {"diff": "Θ_A − Θ_B", "B": "Θ_B (init B)"}
SWEEP_MAX_OPTIONS = tuple(w for w in WIDTH_OPTIONS if w >= 1000)
SWEEP_BUDGET_S = 1.5  # estimated seconds; wider sweeps stop at the last affordable width
SLICE_WIDTHS = (10, 100, 1000, 10_000)
SLICE_BUDGET_S = 0.5  # the fixed slice widths (the current width is a row of Θ_A)
ARTICLE = {  # width: (printed in the article, what its own code prints, ntk_core._article)
    10: (0.5823, 0.7243),
    50: (0.2741, 0.2934),
    200: (0.1284, 0.1976),
    1000: (0.0594, 0.0991),
}

setup_page("width_stability")

state = PageState(
    "width_stability",
    [
        width_setting("width", 50),
        Setting("depth", "int", 1, 1, DEPTH_MAX),
        Setting("activation", "choice", "relu", choices=("relu", "erf")),
        Setting("sigma_w", "float", 1.41, 0.1, 3.0),
        Setting("sigma_b", "float", 0.5, 0.0, 2.0),
        Setting("inputs", "choice", "circle", choices=tuple(INPUT_LABELS)),
        seed_setting(0),
        Setting("middle", "choice", "diff", choices=tuple(MIDDLE_LABELS)),
        Setting("seeds", "int", 5, 2, 10),
        Setting("sweep_max", "snap", max(WIDTH_STABILITY_SWEEP), choices=SWEEP_MAX_OPTIONS),
    ],
)

# ----------------------------------------------------------------------------- controls
st.sidebar.header("Network")
network_controls(state, depth_max=DEPTH_MAX)
st.sidebar.header("Inputs")
st.sidebar.radio(
    "Input set",
    list(INPUT_LABELS),
    format_func=INPUT_LABELS.get,
    key=state.key("inputs"),
    help="The 1-D grid needs σ_b > 0: without a bias a ReLU net's NTK on 1-D inputs has rank 2.",
)
seed_controls(state)

st.markdown(
    "Draw two random networks **A** and **B** with the same architecture and compare their "
    "Neural Tangent Kernels on the same inputs. Narrow networks disagree; as the width grows, "
    "both kernels settle on one deterministic matrix, the analytic infinite-width NTK Θ∞."
)
st.select_slider(
    "Width",
    options=WIDTH_OPTIONS,
    format_func=lambda w: f"{w:,}",
    key=state.key("width"),
    help="Units in every hidden layer (log scale). Start at 50, then slide right.",
)
st.radio(
    "Middle panel",
    list(MIDDLE_LABELS),
    format_func=MIDDLE_LABELS.get,
    key=state.key("middle"),
    horizontal=True,
)
state.sync_url()  # once here (the guard below may stop the page) and again after the sweep

width, depth = int(state["width"]), int(state["depth"])
act, sw, sb = str(state["activation"]), float(state["sigma_w"]), float(state["sigma_b"])
kind, seed = str(state["inputs"]), int(state["seed"])
n = N_POINTS[kind]
x = make_inputs(kind, n)
d = x.shape[1]
if kind == "circle":
    axis = np.degrees(np.arctan2(x[:, 1], x[:, 0])) % 360.0
    axis_title, x0_index, x0_label = "angle (°)", 0, "x₀ = (1, 0), angle 0°"
else:
    axis = x[:, 0]
    axis_title, x0_index, x0_label = "x", n // 2, "x₀ = 0"


# Cost of each experiment (ntk_core.experiments.*_cost; the activation and scales do not matter).
def kernel_pair_cost(n: int, d: int, width: int, depth: int) -> cost.Cost:
    return ex.kernel_pair_cost(x, MLP(depth, width))


def width_sweep_cost(n: int, d: int, widths, depth: int, n_seeds: int) -> cost.Cost:
    return ex.width_sweep_cost(x, MLP(depth, 1), widths, n_seeds=n_seeds)


def kernel_slices_cost(n: int, d: int, widths, depth: int) -> cost.Cost:
    return ex.kernel_slices_cost(x, MLP(depth, 1), widths)


def square(fig: go.Figure) -> go.Figure:
    """Keep a heatmap square without padding its axes beyond the data."""
    fig.update_xaxes(constrain="domain")
    fig.update_yaxes(constrain="domain")
    return fig


def legend_below(fig: go.Figure) -> go.Figure:
    """Many curves: put the legend under the plot so it does not cover the title (on the
    figure's bottom edge; plotly grows the bottom margin so it clears the x axis title)."""
    fig.update_layout(
        legend=dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom")
    )
    return fig


# ----------------------------------------------------------------------------- engine (cached)
@cached(max_entries=32)
def kernel_pair(kind: str, width: int, depth: int, act: str, sw: float, sb: float, seed: int):
    net = MLP(depth, width, act, sw, sb)
    return ex.kernel_pair(make_inputs(kind, N_POINTS[kind]), net, seed=seed)


@cached(max_entries=8)
def width_sweep(
    kind: str,
    widths: tuple[int, ...],
    n_seeds: int,
    depth: int,
    act: str,
    sw: float,
    sb: float,
    seed: int,
):
    return ex.width_sweep(
        make_inputs(kind, N_POINTS[kind]),
        MLP(depth, 1, act, sw, sb),
        widths,
        n_seeds=n_seeds,
        seed=seed,
    )


@cached(max_entries=16)
def kernel_slices(
    kind: str,
    widths: tuple[int, ...],
    x0_index: int,
    depth: int,
    act: str,
    sw: float,
    sb: float,
    seed: int,
):
    return ex.kernel_slices(
        make_inputs(kind, N_POINTS[kind]),
        MLP(depth, 1, act, sw, sb),
        widths,
        x0_index=x0_index,
        seed=seed,
    )


# ----------------------------------------------------------------------------- the two kernels
if kind == "grid" and sb == 0 and act == "relu":
    st.warning(
        "σ_b = 0 on the 1-D grid: a bias-free ReLU net is positively homogeneous in x, so its "
        "NTK has rank 2 (the original article's set-up). Raise σ_b or use the circle.",
        icon="⚠️",
    )

# Plan the view within one time budget, before computing anything. The sweep and the slices do
# not depend on the width slider (they are cached across width moves); the two kernels at the
# chosen width get whatever the budget leaves.
n_seeds, sweep_max = int(state["seeds"]), int(state["sweep_max"])
asked = tuple(w for w in WIDTH_OPTIONS if w <= sweep_max)


def plan(depth: int) -> tuple[tuple[int, ...], tuple[int, ...], cost.Cost]:
    """Sweep widths, slice widths and their cost at ``depth`` (independent of the width)."""
    # the longest prefix of the asked widths within budget, and widths 10, 20, 50 always (they
    # cost next to nothing)
    sweep = cost.largest_affordable_prefix(
        asked, lambda ws: width_sweep_cost(n, d, ws, depth, n_seeds), SWEEP_BUDGET_S
    )
    sweep = sweep if len(sweep) >= 3 else asked[:3]
    slices = cost.largest_affordable_prefix(
        SLICE_WIDTHS, lambda ws: kernel_slices_cost(n, d, ws, depth), SLICE_BUDGET_S
    )
    total = width_sweep_cost(n, d, sweep, depth, n_seeds) + kernel_slices_cost(n, d, slices, depth)
    return sweep, slices, total


def view_fits(width: int, depth: int) -> bool:
    return cost.fits(kernel_pair_cost(n, d, width, depth) + plan(depth)[2])


sweep_widths, slice_widths, fixed_cost = plan(depth)
pair_cost = kernel_pair_cost(n, d, width, depth)
hint = ""
if not cost.fits(pair_cost + fixed_cost):
    ok_widths = [w for w in WIDTH_OPTIONS if view_fits(w, depth)]
    ok_depths = [k for k in range(1, depth) if view_fits(width, k)]
    hint = f"Reduce the width to {max(ok_widths):,} or less at depth {depth}"
    hint += f", or the depth to {max(ok_depths)}." if ok_depths else "."
    hint += " (Each hidden-to-hidden layer holds width² weights.)"
require_budget(
    pair_cost + fixed_cost,
    what=f"Two NTKs at width {width:,} and depth {depth} ({width**2 * (depth - 1):,} "
    "hidden-to-hidden weights each), with the width sweep and the slices,",
    hint=hint,
)
kp = kernel_pair(kind, width, depth, act, sw, sb, seed)

middle = str(state["middle"])
shown = [kp.theta_a, kp.analytic] + ([kp.theta_b] if middle == "B" else [])
zrange = (float(min(k.min() for k in shown)), float(max(k.max() for k in shown)))
# Three squares in a row, colour bars under them ("below"): Θ_A, Θ∞ (and Θ_B) share one scale,
# shown once under Θ∞; the difference has its own. The height makes the square plot area about
# as wide as a third of the page at a 1280-px window (it shrinks to fit narrower columns).
HEAT_HEIGHT = 340
col_a, col_m, col_inf = st.columns(3)
with col_a:
    st.plotly_chart(
        square(
            figures.heatmap(
                kp.theta_a,
                f"Θ_A: init A, width {width:,}",
                zrange=zrange,
                axis_values=axis,
                axis_title=axis_title,
                height=HEAT_HEIGHT,
                colorbar="hidden",
            )
        ),
        key="heat_a",
    )
with col_m:
    if middle == "diff":
        fig_m = figures.heatmap(
            kp.theta_a - kp.theta_b,
            "Θ_A − Θ_B (own scale, centred at 0)",
            diverging=True,
            axis_values=axis,
            axis_title=axis_title,
            height=HEAT_HEIGHT,
            colorbar="below",
        )
    else:
        fig_m = figures.heatmap(
            kp.theta_b,
            f"Θ_B: init B, width {width:,}",
            zrange=zrange,
            axis_values=axis,
            axis_title=axis_title,
            height=HEAT_HEIGHT,
            colorbar="hidden",
        )
    st.plotly_chart(square(fig_m), key="heat_mid")
with col_inf:
    st.plotly_chart(
        square(
            figures.heatmap(
                kp.analytic,
                "Θ∞: analytic, infinite width",
                zrange=zrange,
                axis_values=axis,
                axis_title=axis_title,
                height=HEAT_HEIGHT,
                colorbar="below",
            )
        ),
        key="heat_inf",
    )
shared = "Θ_A, Θ_B and Θ∞" if middle == "B" else "Θ_A and Θ∞"
st.caption(
    f"{n} inputs ({INPUT_LABELS[kind]}). {shared} share one colour scale "
    f"({zrange[0]:.3g} … {zrange[1]:.3g}), drawn once under Θ∞"
    + ("; the difference has its own scale, centred at 0." if middle == "diff" else ".")
)

download(
    "The three kernels (NPZ)",
    to_npz(
        {
            "x": x,
            "theta_a": kp.theta_a,
            "theta_b": kp.theta_b,
            "analytic": kp.analytic,
            "width": np.array(width),
            "depth": np.array(depth),
            "seed": np.array(seed),
            "sigma_w": np.array(sw),
            "sigma_b": np.array(sb),
        }
    ),
    f"ntk_width{width}_depth{depth}_seed{seed}.npz",
    key="dl_kernels",
)
m1, m2, m3 = st.columns(3)
m1.metric(
    "Relative variation A vs B",
    f"{kp.variation:.3f}",
    help="‖Θ_A − Θ_B‖_F / ‖Θ_A‖_F: how different two random initialisations' kernels are, "
    "relative to their size.",
)
m2.metric(
    "Distance to Θ∞",
    f"{kp.distance_a:.3f}",
    help="‖Θ_A − Θ∞‖_F / ‖Θ∞‖_F: how far init A's kernel is from the analytic "
    "infinite-width kernel.",
)
m3.metric(
    "√width · variation",
    f"{math.sqrt(width) * kp.variation:.2f}",
    help="If the variation falls like c/√width this stays near the constant c at every width "
    "(one pair of inits, so expect scatter; the sweep below averages several).",
)
st.markdown(
    f"**What to look at.** At width {width:,} the two initialisations give "
    f"{'visibly different' if kp.variation > 0.15 else 'nearly identical'} kernels "
    f"(relative variation {kp.variation:.2f}). Slide the width right: the difference panel "
    "fades to noise and Θ_A becomes indistinguishable from Θ∞. Each factor 100 in width cuts "
    "the spread by a factor 10."
)

# ----------------------------------------------------------------------------- why 1/√width
st.subheader("Why the spread shrinks like 1/√width")
st.latex(
    r"\begin{aligned}"
    r"\Theta(x,x') &= \sum_{l=1}^{L+1}\Big\langle \frac{\partial f(x)}{\partial\theta_l},"
    r"\frac{\partial f(x')}{\partial\theta_l}\Big\rangle\\"
    r" &= \sum_{l=1}^{L+1} \big(G^l G^{l\top}\big)\circ\Big(\frac{\sigma_w^2}{n_{l-1}}"
    r"A^{l-1}A^{l-1\top} + \sigma_b^2\Big)"
    r"\end{aligned}"
)
st.markdown(
    "Here θ_l are the weights and biases of layer l, Aˡ⁻¹ holds the layer's inputs (one row per "
    "data point), Gˡ = ∂f/∂zˡ the back-propagated gradients and ∘ the entry-wise product. For "
    "one hidden layer of width n the sum runs over the hidden units j:"
)
st.latex(
    r"\Theta(x,x') = \sigma_b^2 + \frac{\sigma_w^2}{n}\sum_{j=1}^{n}\Big[\phi(z_j)\phi(z_j')"
    r" + v_j^2\,\phi'(z_j)\phi'(z_j')\Big(\frac{\sigma_w^2\,x\cdot x'}{d}+\sigma_b^2\Big)\Big]"
)
st.latex(
    r"\Longrightarrow\qquad \frac{\lVert\Theta_A-\Theta_B\rVert_F}{\lVert\Theta_A\rVert_F}"
    r"\approx \frac{c}{\sqrt{n}}"
)
st.markdown(
    "At initialisation the hidden units are independent and identically distributed, so the "
    "NTK is an **average of n i.i.d. terms** (the 1/n comes from the σ_w/√n in front of the "
    "readout). The law of large numbers sends that average to its expectation, the "
    "deterministic Θ∞; the central limit theorem says the fluctuation around it has a standard "
    "deviation ∝ 1/√n. Two independent draws differ by √2 times that fluctuation, hence the "
    "slope −1/2 on log-log axes. In deeper nets the layers below are random too and add their "
    "own O(1/√n) terms: the constant c grows with depth, the exponent does not."
)

# ----------------------------------------------------------------------------- sweep over widths
st.subheader("Across widths: the −1/2 law")
with st.expander("Sweep settings (the expensive part: computed once, then cached)"):
    st.slider(
        "Pairs of initialisations per width",
        2,
        10,
        key=state.key("seeds"),
        help="Each width gets this many independent (A, B) pairs; the band spans them.",
    )
    st.select_slider(
        "Largest width in the sweep",
        options=SWEEP_MAX_OPTIONS,
        format_func=lambda w: f"{w:,}",
        key=state.key("sweep_max"),
        help="The sweep runs over 10, 20, 50, … up to this width, cut short if the cost "
        "model says it would take too long at this depth.",
    )
state.sync_url()
if sweep_widths != asked:
    st.info(
        f"To keep the page within its time budget the sweep stops at width "
        f"{sweep_widths[-1]:,} at depth {depth} with {n_seeds} pairs per width: up to "
        f"{asked[len(sweep_widths)]:,} it would take about "
        f"{width_sweep_cost(n, d, asked[: len(sweep_widths) + 1], depth, n_seeds).seconds:.2g} s."
        " Use fewer pairs or a smaller depth to sweep further.",
        icon="⏱️",
    )
sw_res = width_sweep(kind, sweep_widths, n_seeds, depth, act, sw, sb, seed)

ws = sw_res.widths.astype(np.float64)
VAR, DIST, REF = "‖Θ_A − Θ_B‖/‖Θ_A‖ (mean)", "‖Θ_A − Θ∞‖/‖Θ∞‖ (mean)", "c · width^(−1/2)"
var_mean, dist_mean = sw_res.variation_mean, sw_res.distance_mean
c_var = float(np.exp(np.mean(np.log(var_mean * np.sqrt(ws)))))  # display: anchor of the −1/2 line
fig_sweep = figures.lines(
    ws,
    {
        VAR: var_mean,
        DIST: dist_mean,
        REF: c_var / np.sqrt(ws),
    },
    "Relative spread vs width (log-log)",
    xlabel="width",
    ylabel="relative Frobenius norm",
    logx=True,
    logy=True,
    dashes={REF: "dash"},
    markers=[VAR, DIST],
    height=460,
)
figures.band(
    fig_sweep,
    ws,
    sw_res.variation.min(axis=1),
    sw_res.variation.max(axis=1),
    f"A vs B: min–max of {n_seeds} pairs",
    figures.PALETTE[0],
)
figures.band(
    fig_sweep,
    ws,
    sw_res.distance.min(axis=1),
    sw_res.distance.max(axis=1),
    f"A vs Θ∞: min–max of {n_seeds} pairs",
    figures.PALETTE[1],
)
figures.log_ticks(fig_sweep)  # again, now that the bands are in
legend_below(fig_sweep)
col_plot, col_fit = st.columns([3, 1])
with col_plot:
    st.plotly_chart(fig_sweep, key="sweep")
with col_fit:
    st.metric(
        "Fitted slope of the variation",
        f"{sw_res.slope:.2f} ± {sw_res.slope_stderr:.2f}",
        help="Least-squares slope of log(mean variation) against log(width), ± its standard "
        "error. The 1/√width law predicts −0.5 (the dashed line).",
    )
    st.metric(
        "Fitted slope of the distance",
        f"{sw_res.distance_slope:.2f} ± {sw_res.distance_slope_stderr:.2f}",
        help="Same fit for the distance to Θ∞, ‖Θ_A − Θ∞‖/‖Θ∞‖; it also tends to −0.5 once "
        "the O(1/width) bias of the finite-width mean is small next to the fluctuations.",
    )
    st.metric(
        "c = √width · mean variation",
        f"{c_var:.2f}",
        help="Geometric mean over the swept widths; the dashed line is c/√width.",
    )
    st.metric("Widths × pairs", f"{len(sweep_widths)} × {n_seeds}")
st.caption(
    "Each width gets independent pairs of initialisations (the same pairs for every width "
    "index, so the curves are reproducible from the seed); lines are means, shaded bands span "
    "the smallest to the largest pair. The sweep does not depend on the width slider (so the "
    "chart is not redrawn when it moves): the pair shown above, at width "
    f"{width:,}, has variation {kp.variation:.3f} and distance to Θ∞ {kp.distance_a:.3f}."
)
sweep_cols = {"width": ws}
for k in range(n_seeds):
    sweep_cols[f"variation_pair{k}"] = sw_res.variation[:, k]
for k in range(n_seeds):
    sweep_cols[f"distance_pair{k}"] = sw_res.distance[:, k]
sweep_cols["variation_mean"] = var_mean
sweep_cols["distance_mean"] = dist_mean
download("Sweep (CSV)", to_csv(sweep_cols), "width_sweep.csv", key="dl_sweep")

# ----------------------------------------------------------------------------- slices
st.subheader("One row of the kernel: Θ(x₀, ·) at several widths")
order = np.argsort(axis)
sl = kernel_slices(kind, tuple(slice_widths), x0_index, depth, act, sw, sb, seed)
rows = {int(w): sl.empirical[i] for i, w in enumerate(sl.widths)}
rows[width] = kp.theta_a[x0_index]  # the current width: a row of Θ_A (the same init A)
slice_curves = {f"width {w:,}": rows[w][order] for w in sorted(rows)}
slice_curves["Θ∞ (analytic)"] = kp.analytic[x0_index][order]
fig_sl = figures.lines(
    axis[order],
    slice_curves,
    f"Θ(x₀, x) with {x0_label}: init A at each width",
    xlabel=axis_title,
    ylabel="Θ(x₀, x)",
    dashes={"Θ∞ (analytic)": "dash"},
    markers=[f"width {width:,}"],
    height=400,
)
fig_sl.update_traces(selector=dict(name="Θ∞ (analytic)"), line=dict(color="black", width=3))
legend_below(fig_sl)
st.plotly_chart(fig_sl, key="slices")
left_out = [w for w in SLICE_WIDTHS if w not in rows]
st.markdown(
    "As in Fig. 1 of Jacot, Gabriel & Hongler (2018): narrow networks give wiggly, "
    "seed-dependent rows, wide ones lie on the analytic curve. The marked curve is the width "
    "chosen above (the same initialisation A as the heatmap)."
    + (
        f" Left out to stay within the time budget: width {', '.join(f'{w:,}' for w in left_out)}."
        if left_out
        else ""
    )
)
slice_csv = {axis_title.split(" ")[0]: axis[order]}
slice_csv.update({f"width_{w}": rows[w][order] for w in sorted(rows)})
slice_csv["analytic"] = kp.analytic[x0_index][order]
download("Slices (CSV)", to_csv(slice_csv), "kernel_slices.csv", key="dl_slices")

# ----------------------------------------------------------------------------- the article
st.subheader("The original article's numbers")
cells = {int(w): i for i, w in enumerate(sw_res.widths)}
st.table(
    {
        "width": [f"{w:,}" for w in ARTICLE],
        "printed in the article": [f"{a:.2f}" for a, _ in ARTICLE.values()],
        "its own code prints": [f"{b:.2f}" for _, b in ARTICLE.values()],
        "this page (mean, current settings)": [
            f"{var_mean[cells[w]]:.2f}" if w in cells else "–" for w in ARTICLE
        ],
    }
)
st.markdown(
    "The article printed 0.58, 0.27, 0.13 and 0.06 for widths 10, 50, 200 and 1000, but its "
    "own listing prints about 0.72, 0.29, 0.20 and 0.10 (one pair of seeds; averaged over 20 "
    "pairs, 0.77, 0.46, 0.20, 0.10). The printed column falls faster than the code allows: at "
    "width 1000 the spread is about 10 %, not 6 %. The trend itself is real: √width·variation "
    "stays roughly constant (≈ 2.4–3.3 for its network). Its network mixes conventions, so its "
    "values are not expected to equal this page's, which uses one consistent parameterization."
)

# ----------------------------------------------------------------------------- data, convention
st.caption(
    PARAM_NOTE + f" Here: depth {depth}, {act}, σ_w = {sw:g}, σ_b = {sb:g}; inits A and B are "
    "two independent draws derived from the seed. Θ∞ is the exact infinite-width NTK of the "
    "same architecture (arc-cosine recursion for ReLU, closed form for erf)."
)
