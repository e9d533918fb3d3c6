"""Infinite width: the analytic NNGP and NTK of a deep fully connected net, how depth reshapes
them (the article's half-true "deeper kernels are more local"), their spectra, and how close a
real network of a chosen width comes to the limit."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import ntk_core as nc
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
from ntk_app.list_setting import int_list_setting
from ntk_app.state import WIDTH_OPTIONS, PageState, Setting, seed_setting, width_setting
from ntk_core import cost
from ntk_core import experiments as ex
from ntk_core.setups import PROFILE_ANGLES

DEPTH_MAX = 20
PROFILE_DEPTHS = tuple(range(1, DEPTH_MAX + 1))
# PROFILE_ANGLES: slices at 2.5° steps on [0°, 180°]; diag/mean on the 144-point ring
INPUT_LABELS = {"circle": "unit circle (angles)", "grid": "1-D grid on [−2, 2]"}
INIT_NORMALS_PER_S = 5e7  # drawing the initial weights (not in cost.empirical_ntk_cost)
SQRT2 = math.sqrt(2.0)


def legend_right(fig):
    """Legend beside the plot (figures.lines puts it on top, where it overlaps the title)."""
    fig.update_layout(legend=dict(orientation="v", x=1.01, xanchor="left", y=1.0, yanchor="top"))
    return fig


setup_page("infinite_width")

state = PageState(
    "infinite_width",
    [
        Setting("depth", "int", 3, 1, DEPTH_MAX),
        Setting("activation", "choice", "relu", choices=("relu", "erf")),
        Setting("sigma_w", "float", SQRT2, 0.1, 3.0),
        Setting("sigma_b", "float", 0.0, 0.0, 2.0),
        Setting("inputs", "choice", "circle", choices=tuple(INPUT_LABELS)),
        Setting("n", "int", 72, 16, 100),
        int_list_setting("depths", (1, 2, 5, 10, 20), PROFILE_DEPTHS),
        width_setting("width", 1000),
        seed_setting(0),
    ],
)

# ----------------------------------------------------------------------------- controls
st.sidebar.header("Network (infinite width)")
network_controls(state, depth_max=DEPTH_MAX)
st.sidebar.header("Inputs")
st.sidebar.selectbox(
    "Input set", list(INPUT_LABELS), format_func=INPUT_LABELS.get, key=state.key("inputs")
)
st.sidebar.slider("Number of inputs n", 16, 100, key=state.key("n"))
st.sidebar.multiselect(
    "Depths to overlay",
    PROFILE_DEPTHS,
    key=state.key("depths"),
    help="Normalised slices on the unit circle; the current depth is always drawn, thicker.",
)
st.sidebar.header("Finite-width net")
seed_controls(state)
state.sync_url()

depth, act = int(state["depth"]), str(state["activation"])
sw, sb = float(state["sigma_w"]), float(state["sigma_b"])
kind, n = str(state["inputs"]), int(state["n"])
seed = int(state["seed"])
overlay = sorted({int(d) for d in state["depths"]} | {depth})


# ----------------------------------------------------------------------------- engine calls
@cached(max_entries=32)
def analytic(kind: str, n: int, depth: int, act: str, sw: float, sb: float):
    x = nc.make_inputs(kind, n)
    k = nc.analytic_kernels(x, depth=depth, activation=act, weight_std=sw, bias_std=sb)
    return x, k.nngp, k.ntk, nc.spectrum(k.nngp), nc.spectrum(k.ntk)


@cached(max_entries=32)
def unit_diag(depth: int, act: str, sw: float, sb: float) -> float:
    """Theta(x, x) for x = (1, 0) on the unit circle."""
    x0 = nc.circle_points(np.zeros(1))
    return float(nc.analytic_ntk(x0, depth=depth, activation=act, weight_std=sw, bias_std=sb)[0, 0])


@cached(max_entries=16)
def profile(act: str, sw: float, sb: float) -> ex.DepthProfile:
    # odd activation without bias: the ring's kernel averages to exactly 0 -> diag/mean = inf
    with np.errstate(divide="ignore", invalid="ignore"):
        return ex.depth_profile(nc.MLP(1, 1, act, sw, sb), PROFILE_DEPTHS, n_angles=PROFILE_ANGLES)


@cached(max_entries=16)
def empirical(kind: str, n: int, depth: int, width: int, act: str, sw: float, sb: float, seed: int):
    x = nc.make_inputs(kind, n)
    net = nc.MLP(depth, width, act, sw, sb)
    k = nc.empirical_kernels(net, net.init(x.shape[1], seed), x)
    inf = nc.analytic_kernels(x, depth=depth, activation=act, weight_std=sw, bias_std=sb)
    return (
        k.nngp,
        k.ntk,
        nc.relative_frobenius(k.ntk, inf.ntk),
        nc.relative_frobenius(k.nngp, inf.nngp),
    )


require_budget(
    cost.analytic_cost(n, None, depth)
    + ex.depth_profile_cost(nc.MLP(1, 1), PROFILE_DEPTHS, n_angles=PROFILE_ANGLES),
    what="The analytic kernels",
    hint="Reduce n or the depth.",
)
x, nngp, ntk, lam_nngp, lam_ntk = analytic(kind, n, depth, act, sw, sb)
prof = profile(act, sw, sb)
i_cur = depth - 1
floor, peak = float(prof.floor[i_cur]), math.degrees(float(prof.peak_width[i_cur]))
# diag/mean is undefined when the kernel averages to zero over the ring (odd φ without bias)
dm = np.where(np.isfinite(prof.diag_mean) & (np.abs(prof.diag_mean) < 1e6), prof.diag_mean, np.nan)
if kind == "circle":
    axis = np.degrees(np.mod(np.arctan2(x[:, 1], x[:, 0]), 2 * np.pi))
    axis_title = "angle (°)"
else:
    axis, axis_title = x[:, 0], "x"

# ----------------------------------------------------------------------------- intro + metrics
st.markdown(
    "When every hidden layer is infinitely wide, a randomly initialised network's output is a "
    "Gaussian process with covariance **K** (the NNGP kernel), and its Neural Tangent Kernel "
    "**Θ** no longer depends on the random draw: both follow from the inputs alone, layer by "
    "layer. This page draws these limits, shows how depth reshapes them, and puts a real network "
    "of a chosen width beside them."
)
st.caption(
    PARAM_NOTE + " Kernels here are the exact infinite-width limits of that network "
    "(neural-tangents' `stax` conventions); K⁰(x, x′) = x·x′/d."
)

c1, c2, c3, c4 = st.columns(4)
diag = unit_diag(depth, act, sw, sb)
c1.metric(
    "Θ(x, x) on the unit circle",
    f"{diag:.4g}",
    help="For ReLU with σ_w = √2, σ_b = 0 each layer adds exactly 1: Θ(x, x) = depth + 1.",
)
c2.metric(
    "Floor Θ(0°, 180°)/Θ(0°, 0°)",
    f"{floor:.3f}",
    help="How similar two opposite points of the circle stay (normalised NTK).",
)
c3.metric(
    "Peak width",
    f"{peak:.1f}°",
    help="Half width at half height above the floor: the angle at which the normalised NTK "
    "slice first falls halfway from 1 to the floor.",
)
c4.metric("diag/mean of Θ on the circle", "n/a" if np.isnan(dm[i_cur]) else f"{dm[i_cur]:.3f}")
if act == "relu" and abs(sw - SQRT2) < 1e-4 and sb == 0.0:
    st.caption(f"✅ Check: Θ(x, x) = depth + 1 = {depth + 1} for ReLU, σ_w = √2, σ_b = 0.")
if act == "relu" and sb == 0.0 and kind == "grid":
    st.info(
        "1-D inputs without a bias: a ReLU net is positively homogeneous, so its NTK has rank 2 "
        "(one block for x > 0, one for x < 0). Raise σ_b or use the unit circle.",
        icon="ℹ️",
    )

# ----------------------------------------------------------------------------- heatmaps
st.subheader("The analytic kernels")
h1, h2 = st.columns(2)
h1.plotly_chart(
    figures.heatmap(nngp, f"NNGP K, depth {depth}", axis_values=axis, axis_title=axis_title),
    key="nngp_heatmap",
)
h2.plotly_chart(
    figures.heatmap(ntk, f"NTK Θ, depth {depth}", axis_values=axis, axis_title=axis_title),
    key="ntk_heatmap",
)
st.markdown(
    "K is the covariance of the outputs of random networks; Θ is the kernel that gradient descent "
    "actually uses, Θ(x, x′) = ⟨∇_θ f(x), ∇_θ f(x′)⟩. On the circle both depend only on the angle "
    "between the two inputs, so every row is the same curve shifted: the band along the diagonal "
    "is how fast similarity falls off with angle."
)
download(
    "Kernels (NPZ)",
    to_npz(
        {
            "x": x,
            "nngp": nngp,
            "ntk": ntk,
            "depth": np.array(depth),
            "sigma_w": np.array(sw),
            "sigma_b": np.array(sb),
        }
    ),
    f"analytic_kernels_{kind}_depth{depth}.npz",
    key="dl_kernels",
)

# ----------------------------------------------------------------------------- depth profile
st.subheader("Depth: a sharper peak over a rising floor")
angles = np.degrees(prof.angles)
slices = {}
for d in overlay:
    slices[f"depth {d}" + (" (current)" if d == depth else "")] = prof.slices[d - 1]
fig = figures.lines(
    angles,
    slices,
    "Normalised NTK slice Θ(0°, φ)/Θ(0°, 0°) on the unit circle",
    xlabel="angle φ between the inputs (°)",
    ylabel="Θ(0°, φ)/Θ(0°, 0°)",
    height=380,
)
for tr in fig.data:
    tr.line.width = 4 if tr.name.endswith("(current)") else 1.6
half = 0.5 * (1.0 + floor)
fig.add_scatter(
    x=[peak],
    y=[half],
    mode="markers",
    name=f"half height, depth {depth}",
    marker=dict(color="black", size=9, symbol="x"),
)
st.plotly_chart(legend_right(fig), key="slices")

pf, pw, pd_ = prof.floor, np.degrees(prof.peak_width), prof.depths
m1, m2, m3 = st.columns(3)
for col, ys, title, ylabel, key in (
    (m1, {"peak width (°)": pw}, "Peak width vs depth", "angle (°)", "peak_vs_depth"),
    (m2, {"floor": pf}, "Floor vs depth", "Θ(0°, 180°)/Θ(0°, 0°)", "floor_vs_depth"),
    (m3, {"diag/mean": dm}, "diag/mean vs depth", "mean Θ(x,x) / mean Θ", "dm_vs_depth"),
):
    f = figures.lines(
        pd_, ys, title, xlabel="depth (hidden layers)", ylabel=ylabel, markers=tuple(ys), height=300
    )
    f.add_vline(x=depth, line_dash="dot", line_color="grey")
    f.update_layout(showlegend=False)
    col.plotly_chart(f, key=key)

f1, f5, f20 = (float(prof.floor[d - 1]) for d in (1, 5, 20))
w1, w5, w20 = (math.degrees(float(prof.peak_width[d - 1])) for d in (1, 5, 20))
if np.isfinite(dm).all():
    lowest = int(prof.depths[int(np.argmin(dm))])
    if lowest == DEPTH_MAX:
        dm_text = f"falls all the way from {dm[0]:.2f} at depth 1 to {dm[-1]:.2f} at depth 20"
    else:
        dm_text = (
            f"falls from {dm[0]:.2f} at depth 1 to {dm[lowest - 1]:.2f} at depth "
            f"{lowest} and then creeps back up to {dm[-1]:.2f} at depth 20"
        )
else:
    dm_text = "is undefined for these settings (see below)"
floor_word = "*rises*" if f20 > f1 + 1e-3 else ("falls" if f20 < f1 - 1e-3 else "stays put")
ring = 2 * (PROFILE_ANGLES - 1)
st.markdown(
    f"""
**Definitions.** *Floor* = Θ(0°, 180°)/Θ(0°, 0°), how similar two opposite points stay.
*Peak width* = the angle at which the normalised slice first falls halfway from 1 to the floor
(marked ✕ above). *diag/mean* = mean of the diagonal over the mean of all entries of Θ on
{ring} evenly spaced points of the circle.

**Measured here.** The peak width goes from {w1:.0f}° at depth 1 to {w5:.0f}° at depth 5 and
{w20:.0f}° at depth 20, while the floor {floor_word}: {f1:.2f} → {f5:.2f} → {f20:.2f}.
diag/mean, the article's own measure of locality, {dm_text}.
"""
)
if act == "relu" and f20 > f1 + 1e-3:
    st.markdown(
        """
**"Deeper kernels are more local" is half true.** The peak does sharpen, but far-apart points
become *more* alike with depth, not less: a deep ReLU kernel is a narrow spike on the diagonal
sitting on a nearly flat plateau, not a local kernel.

**Why.** Each ReLU layer pulls the correlation of two inputs towards 1 (ρ = 1 is an attracting
fixed point of the arc-cosine map), so the NNGP term of every deeper layer is flatter: that is
the floor. The NTK adds up one such term per layer, Θ = Σ_l K^l · Π_(k>l) K̇^k, and each term is
multiplied by the derivative factors K̇ = σ_w²(π − θ)/(2π) of the layers above it. These equal 1
on the diagonal (θ = 0, σ_w = √2) and are smaller off it, so the diagonal outgrows its
neighbourhood: that is the spike.
"""
    )
elif act != "relu":
    st.markdown(
        "The article's claim is about ReLU networks: choose **relu** to see the sharper peak "
        "over a rising floor. erf kernels follow their own recursion (formulas below)."
    )
if act == "erf" and sb == 0.0:
    st.info(
        "erf is odd and there is no bias, so Θ(x, −x) = −Θ(x, x): the floor is −1, the peak width "
        "is 90° by definition, and the kernel averages to zero over the circle (diag/mean is "
        "undefined). Add a bias to see a floor build up.",
        icon="ℹ️",
    )
d1, d2 = st.columns(2)
with d1:
    download(
        "Slices (CSV)",
        to_csv(
            {
                "angle_deg": angles,
                **{f"ntk_depth{d}": prof.slices[d - 1] for d in overlay},
                **{f"nngp_depth{d}": prof.nngp_slices[d - 1] for d in overlay},
            }
        ),
        "ntk_slices.csv",
        key="dl_slices",
    )
with d2:
    download(
        "Depth metrics (CSV)",
        to_csv({"depth": pd_, "floor": pf, "peak_width_deg": pw, "diag_mean": dm}),
        "depth_metrics.csv",
        key="dl_depth",
    )

# ----------------------------------------------------------------------------- spectra
st.subheader("Spectrum")
tiny = 1e-12
s1, s2 = st.columns(2)
s1.plotly_chart(
    figures.spectrum(  # log axis labelled at the powers of ten only
        np.where(lam_ntk > tiny * lam_ntk[0], lam_ntk, 0.0),
        f"Eigenvalues of the NTK, depth {depth}",
    ),
    key="ntk_spectrum",
)
s2.plotly_chart(
    figures.spectrum(
        np.where(lam_nngp > tiny * lam_nngp[0], lam_nngp, 0.0),
        f"Eigenvalues of the NNGP, depth {depth}",
    ),
    key="nngp_spectrum",
)
zeros = int(np.sum(lam_ntk <= tiny * lam_ntk[0]))
zeros_text = (
    "All of them are positive here"
    if zeros == 0
    else f"Here {zeros} of the {lam_ntk.size} NTK eigenvalues are zero to rounding (not drawn)"
)
st.markdown(
    "Training with the NTK shrinks the residual along eigenvector i as exp(−ηλ_i t): the big "
    "eigenvalues are learned first (spectral bias). On the circle the kernel matrix is circulant, "
    "so its eigenvectors are Fourier modes (the eigenvalues come in cos/sin pairs) and the decay "
    "of λ_i is the decay with frequency. For ReLU, with depth the constant mode (the floor) "
    "takes a larger share of the top eigenvalue while the high-frequency tail becomes heavier "
    "(the spike). "
    f"{zeros_text}; for a one-hidden-layer ReLU net without bias on the circle the odd "
    "frequencies from 3 up are missing altogether (about half the spectrum is exactly zero)."
)

# ----------------------------------------------------------------------------- formulas
st.subheader("The recursion")
st.markdown(
    "Start from K⁰ = x·x′/d and Θ⁰ = 0, then for every hidden layer apply the dense step and the "
    "activation step, and finish with one more dense step (the readout):"
)
st.latex(
    r"\text{Dense:}\quad K \leftarrow \sigma_w^2 K + \sigma_b^2,"
    r"\qquad \Theta \leftarrow K + \sigma_w^2\,\Theta"
)
st.latex(
    r"\text{Activation:}\quad K \leftarrow \mathbb{E}[\varphi(u)\varphi(v)],\qquad "
    r"\Theta \leftarrow \Theta\cdot\mathbb{E}[\varphi'(u)\varphi'(v)],"
)
st.latex(
    r"\text{where}\quad (u,v)\sim\mathcal{N}\!\left(0,\begin{pmatrix}K_{11}&K_{12}\\"
    r"K_{12}&K_{22}\end{pmatrix}\right)"
)
st.latex(
    r"\text{ReLU (Cho \& Saul 2009):}\quad \theta=\operatorname{arctan2}\!\left("
    r"\sqrt{K_{11}K_{22}-K_{12}^2},\,K_{12}\right)"
)
st.latex(
    r"\mathbb{E}[\varphi\varphi]=\frac{\sqrt{K_{11}K_{22}-K_{12}^2}+(\pi-\theta)K_{12}}"
    r"{2\pi},\quad \mathbb{E}[\varphi'\varphi']=\frac{\pi-\theta}{2\pi}"
)
st.latex(
    r"\text{erf:}\quad \begin{aligned}"
    r"\mathbb{E}[\varphi\varphi]&=\frac{2}{\pi}\arcsin\frac{2K_{12}}"
    r"{\sqrt{(1+2K_{11})(1+2K_{22})}},\\ \mathbb{E}[\varphi'\varphi']&="
    r"\frac{4/\pi}{\sqrt{(1+2K_{11})(1+2K_{22})-4K_{12}^2}}"
    r"\end{aligned}"
)
st.caption(
    "arctan2 instead of arccos(K₁₂/√(K₁₁K₂₂)): arccos loses half of its digits for nearly "
    "parallel inputs, exactly where the diagonal spike lives."
)


# ----------------------------------------------------------------------------- finite width
@st.fragment
def finite_width() -> None:
    """The width slider and everything that depends on it: only this part reruns when the
    slider moves (the charts above do not depend on the width, and the browser then has less
    to redraw). The URL follows the slider: sync_url() runs inside the fragment too."""
    width = int(state["width"])
    st.subheader(f"A real network of width {width:,}")
    st.select_slider(
        "Width of the empirical net",
        options=WIDTH_OPTIONS,
        key=state.key("width"),
        help="Hidden-layer width m of the real network whose NTK is compared with the limit. "
        "Moving it reruns only this section.",
    )
    state.sync_url()
    init_cost = cost.Cost(cost.num_params(x.shape[1], width, depth) / INIT_NORMALS_PER_S, 0.0)
    require_budget(
        cost.empirical_ntk_cost(n, None, x.shape[1], width, depth)
        + init_cost
        + cost.analytic_cost(n, None, depth),
        what=f"The empirical NTK of a depth-{depth}, width-{width:,} network",
        hint="Reduce the width (or the depth): deep layers cost width² each.",
    )
    e_nngp, e_ntk, dist, dist_nngp = empirical(kind, n, depth, width, act, sw, sb, seed)
    lo = float(min(ntk.min(), e_ntk.min()))
    hi = float(max(ntk.max(), e_ntk.max()))
    e1, e2 = st.columns(2)
    e1.plotly_chart(
        figures.heatmap(
            ntk,
            "Analytic NTK (width → ∞)",
            zrange=(lo, hi),
            axis_values=axis,
            axis_title=axis_title,
        ),
        key="analytic_ntk_cmp",
    )
    e2.plotly_chart(
        figures.heatmap(
            e_ntk,
            f"Empirical NTK, width {width:,}, seed {seed}",
            zrange=(lo, hi),
            axis_values=axis,
            axis_title=axis_title,
        ),
        key="empirical_ntk",
    )
    k1, k2, k3 = st.columns(3)
    k1.metric("‖Θ_m − Θ∞‖_F / ‖Θ∞‖_F", f"{dist:.3g}")
    k2.metric("NNGP: ‖K_m − K∞‖_F / ‖K∞‖_F", f"{dist_nngp:.3g}")
    k3.metric(
        "√m × NTK distance",
        f"{math.sqrt(width) * dist:.3g}",
        help="Roughly constant across widths if the distance falls like 1/√m.",
    )
    x0_label = "0°" if kind == "circle" else f"x = {x[0, 0]:g}"
    fig = figures.lines(
        axis,
        {"analytic (width → ∞)": ntk[0], f"width {width:,}": e_ntk[0]},
        f"Θ(x₀, ·) with x₀ at {x0_label}",
        xlabel=axis_title,
        ylabel="Θ(x₀, x)",
        dashes={"analytic (width → ∞)": "dash"},
        height=320,
    )
    st.plotly_chart(legend_right(fig), key="empirical_slice")
    st.markdown(
        "A finite network's NTK is random: it scatters around the analytic kernel with entries "
        "of order 1/√width, so the relative distance shrinks about tenfold per hundredfold width. "
        "Depth makes the scatter larger at a given width (the fluctuations of every layer add "
        "up), which is why deep kernels need wide nets before the infinite-width picture "
        "applies. Press "
        "**Re-initialise** to draw another network of the same width."
    )
    download(
        "Empirical and analytic kernels (NPZ)",
        to_npz(
            {
                "x": x,
                "empirical_ntk": e_ntk,
                "empirical_nngp": e_nngp,
                "analytic_ntk": ntk,
                "analytic_nngp": nngp,
                "width": np.array(width),
                "seed": np.array(seed),
            }
        ),
        f"empirical_kernels_depth{depth}_width{width}_seed{seed}.npz",
        key="dl_empirical",
    )


finite_width()
