"""Infinite width: the analytic NNGP and NTK of a deep fully connected net, how depth reshapes
them, their spectra, and the empirical NTK of a real network of a chosen width beside them.

Kernels: the infinite-width limits of the NTK parameterization (Jacot et al. 2018,
arXiv:1806.07572; the NNGP: Lee et al. 2018, arXiv:1711.00165), computed layer by layer with
the arc-cosine (ReLU, Cho & Saul 2009) and erf maps by :func:`ntk_core.analytic_kernels`.

Sections are functions with explicit arguments; the cached computations below take an
:class:`~ntk_core.MLP` (hashable) and the input settings. Cost of the analytic part is bounded
by the settings' clamps (n ≤ 100, depth ≤ 20: ≈ 1.5 ms for the kernels, ≈ 0.15 s for the depth
profile); only the empirical kernel is costed and capped by budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps

import numpy as np
import streamlit as st

import ntk_core as nc
from ntk_core import cost
from ntk_core import experiments as ex
from ntk_core.setups import PROFILE_ANGLES  # slices at 2.5° steps; diag/mean on 144 points

from .. import budget, figures
from .. import format as fmt
from ..fits import legend_below
from ..layout import PARAM_NOTE, download, seed_controls, to_csv, to_npz
from ..list_setting import int_list_setting
from ..prefetch import neighbours, prefetch
from ..state import WIDTH_OPTIONS, PageState, Setting, seed_setting, width_setting

DEPTH_MAX = 20
PROFILE_DEPTHS = tuple(range(1, DEPTH_MAX + 1))
INPUT_LABELS = {"circle": "unit circle (angles)", "grid": "1-D grid on [−2, 2]"}
SQRT2 = math.sqrt(2.0)
ZERO_EIG = figures.ZERO_EIG

JACOT = "[Jacot et al. 2018](https://arxiv.org/abs/1806.07572)"
LEE_NNGP = "[Lee et al. 2018](https://arxiv.org/abs/1711.00165)"
CHO_SAUL = "[Cho & Saul 2009](https://papers.nips.cc/paper/3628-kernel-methods-for-deep-learning)"


def settings() -> list[Setting]:
    """The page's URL settings (parameter names are part of shared links: keep them)."""
    return [
        Setting("depth", "int", 3, 1, DEPTH_MAX),
        Setting("activation", "choice", "relu", choices=("relu", "erf")),
        Setting("sigma_w", "float", SQRT2, 0.1, 3.0),
        Setting("sigma_b", "float", 0.0, 0.0, 2.0),
        Setting("inputs", "choice", "circle", choices=tuple(INPUT_LABELS)),
        Setting("n", "int", 72, 16, 100),
        int_list_setting("depths", (1, 2, 5, 10, 20), PROFILE_DEPTHS),
        width_setting("width", 1000),
        seed_setting(0),
    ]


def sidebar(state: PageState) -> None:
    """Network, inputs and the depths to overlay (the width and seed live with their section)."""
    from ..layout import network_controls

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


def isolated(section: Callable) -> Callable:
    """Run a section so that an error in it is shown there, and the rest of the page still
    draws (Streamlit's rerun/stop signals are BaseExceptions and pass through)."""

    @wraps(section)
    def run(*args, **kwargs):
        try:
            return section(*args, **kwargs)
        except Exception as err:  # shown to the visitor, in this section only
            st.error(f"This section could not be drawn: {err}", icon=":material/error:")
            return None

    return run


# ----------------------------------------------------------------------------- computations
@st.cache_data(max_entries=64, show_spinner=False)
def analytic(net: nc.MLP, kind: str, n: int) -> tuple[np.ndarray, nc.Kernels, np.ndarray,
                                                      np.ndarray]:
    """Inputs, analytic kernels of ``net``'s architecture, and their spectra (NNGP, NTK);
    call :func:`kernels`."""
    x = nc.make_inputs(kind, n)
    k = nc.analytic_kernels(x, depth=net.depth, activation=net.activation,
                            weight_std=net.sigma_w, bias_std=net.sigma_b)
    return x, k, nc.spectrum(k.nngp), nc.spectrum(k.ntk)


@st.cache_data(max_entries=64, show_spinner=False)
def unit_diag(net: nc.MLP) -> float:
    """Θ(x, x) for x = (1, 0) on the unit circle."""
    x0 = nc.circle_points(np.zeros(1))
    return float(nc.analytic_ntk(x0, depth=net.depth, activation=net.activation,
                                 weight_std=net.sigma_w, bias_std=net.sigma_b)[0, 0])


@st.cache_data(max_entries=16, show_spinner=False)
def profile(net: nc.MLP) -> ex.DepthProfile:
    """Slices and summaries for every depth 1 … 20 (call :func:`depth_profile`)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # odd φ without bias: mean 0
        return ex.depth_profile(net, PROFILE_DEPTHS, n_angles=PROFILE_ANGLES)


def kernels(net: nc.MLP, kind: str, n: int) -> tuple[np.ndarray, nc.Kernels, np.ndarray,
                                                      np.ndarray]:
    """:func:`analytic` keyed without the width (the limit does not depend on it)."""
    return analytic(net.with_width(1), kind, n)


def depth_profile(net: nc.MLP) -> ex.DepthProfile:
    """:func:`profile` keyed by activation, σ_w and σ_b only: a depth change is a cache hit."""
    return profile(net.with_depth(1).with_width(1))


@dataclass(frozen=True)
class Empirical:
    """One random network's kernels and their distances to the limit."""

    nngp: np.ndarray
    ntk: np.ndarray
    ntk_distance: float  # ‖Θ_m − Θ∞‖_F / ‖Θ∞‖_F
    nngp_distance: float  # ‖K_m − K∞‖_F / ‖K∞‖_F


@st.cache_data(max_entries=24, show_spinner=False)
def empirical(net: nc.MLP, kind: str, n: int, seed: int) -> Empirical:
    """The empirical NNGP and NTK of ``net`` initialised with ``seed``, beside the limit."""
    x, inf, _, _ = kernels(net, kind, n)
    k = nc.empirical_kernels(net, net.init(x.shape[1], seed), x)
    return Empirical(k.nngp, k.ntk, nc.relative_frobenius(k.ntk, inf.ntk),
                     nc.relative_frobenius(k.nngp, inf.nngp))


def empirical_cost(net: nc.MLP, n: int, d: int) -> cost.Cost:
    """Estimated cost of :func:`empirical` (drawing the weights included)."""
    return cost.empirical_ntk_cost(n, None, d, net.width, net.depth) + cost.analytic_cost(
        n, None, net.depth
    )


def offered_widths(net: nc.MLP, n: int, d: int) -> tuple[int, ...]:
    """The widths whose empirical kernel fits the budget at ``net``'s depth (a prefix of
    WIDTH_OPTIONS: cost grows with width)."""
    return budget.affordable(WIDTH_OPTIONS, lambda w: empirical_cost(net.with_width(w), n, d))


def axis_of(x: np.ndarray, kind: str) -> tuple[np.ndarray, str]:
    """Heatmap axis values: angles in degrees on the circle, x on the grid."""
    if kind == "circle":
        return np.degrees(np.mod(np.arctan2(x[:, 1], x[:, 0]), 2 * np.pi)), "angle (°)"
    return x[:, 0], "x"


def diag_mean(prof: ex.DepthProfile) -> np.ndarray:
    """diag/mean per depth, NaN where it is undefined (the kernel averages to ~0 on the ring)."""
    dm = prof.diag_mean
    return np.where(np.isfinite(dm) & (np.abs(dm) < 1e6), dm, np.nan)


# ----------------------------------------------------------------------------- sections
def intro() -> None:
    """One line before the picture."""
    st.markdown(
        "The exact kernels of an infinitely wide network at the depth chosen on the left: the "
        f"NTK $\\Theta$ ({JACOT}) and the NNGP $K$ ({LEE_NNGP}). Depth sharpens the peak of "
        "$\\Theta$ and lifts its floor."
    )


@isolated
def picture(ntk: np.ndarray, axis: np.ndarray, axis_title: str, prof: ex.DepthProfile,
            overlay: Sequence[int], depth: int) -> None:
    """The normalised NTK slice per depth (current depth thicker) beside the NTK heatmap."""
    left, right = st.columns([1.2, 1])
    slices = {
        f"depth {d}" + (" (current)" if d == depth else ""): prof.slices[d - 1] for d in overlay
    }
    fig = figures.lines(
        np.degrees(prof.angles), slices, "Normalised NTK slice Θ(0°, φ)/Θ(0°, 0°)",
        xlabel="angle φ between the inputs (°)", ylabel="Θ(0°, φ)/Θ(0°, 0°)", height=400,
    )
    for tr in fig.data:
        tr.line.width = 4 if tr.name.endswith("(current)") else 1.6
    floor = float(prof.floor[depth - 1])
    fig.add_scatter(x=[math.degrees(float(prof.peak_width[depth - 1]))],
                    y=[0.5 * (1.0 + floor)], mode="markers", name=f"half height, depth {depth}",
                    marker=dict(color="black", size=9, symbol="x"))
    left.plotly_chart(legend_below(fig), key="slices")
    right.plotly_chart(
        figures.heatmap(ntk, f"NTK Θ, depth {depth}", axis_values=axis, axis_title=axis_title,
                        height=400),
        key="ntk_heatmap",
    )


@isolated
def tiles(net: nc.MLP, prof: ex.DepthProfile, kind: str) -> None:
    """The current depth's numbers, labelled, under the picture."""
    i = net.depth - 1
    dm = diag_mean(prof)[i]
    diag = unit_diag(net.with_width(1))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("$\\Theta(x, x)$ on the unit circle", f"{diag:.4g}",
              help="For ReLU with σ_w = √2, σ_b = 0 each layer adds exactly 1: "
              "Θ(x, x) = depth + 1.")
    c2.metric("Floor (0° against 180°)", f"{float(prof.floor[i]):.3f}",
              help="$\\Theta(0^\\circ, 180^\\circ)/\\Theta(0^\\circ, 0^\\circ)$: how similar "
              "two opposite points of the circle stay (normalised NTK).")
    c3.metric("Peak width", f"{math.degrees(float(prof.peak_width[i])):.1f}°",
              help="Half width at half height above the floor: the angle at which the "
              "normalised slice first falls halfway from 1 to the floor (× on the chart).")
    c4.metric("diag/mean of $\\Theta$ on the circle", "n/a" if np.isnan(dm) else f"{dm:.3f}",
              help="Mean of the diagonal over the mean of all entries of Θ on "
              f"{2 * (PROFILE_ANGLES - 1)} evenly spaced points of the circle.")
    if net.activation == "relu" and abs(net.sigma_w - SQRT2) < 1e-4 and net.sigma_b == 0.0:
        expected = net.depth + 1
        st.markdown(
            f"{fmt.badge(abs(diag - expected) < 1e-9 * expected, 'check holds', 'check fails')} "
            f"$\\Theta(x, x) = \\text{{depth}} + 1 = {expected}$ for ReLU, "
            "$\\sigma_w = \\sqrt 2$, $\\sigma_b = 0$ (measured "
            f"{diag:.10g})."
        )
    if net.activation == "relu" and net.sigma_b == 0.0 and kind == "grid":
        st.info(
            "1-D inputs without a bias: a ReLU net is positively homogeneous, so its NTK has "
            "rank 2 (one block for x > 0, one for x < 0). Raise σ_b or use the unit circle.",
            icon=":material/info:",
        )


@isolated
def depth_section(prof: ex.DepthProfile, overlay: Sequence[int], activation: str,
                  sigma_b: float) -> None:
    """Peak width, floor and diag/mean against depth (the same charts at every depth: the
    current depth's values are in the tiles), what is measured, and why."""
    st.subheader("Depth: a sharper peak, and a floor")
    dm = diag_mean(prof)
    pw = np.degrees(prof.peak_width)
    cols = st.columns(3)
    for col, ys, title, ylabel, key in (
        (cols[0], {"peak width (°)": pw}, "Peak width vs depth", "angle (°)", "peak_vs_depth"),
        (cols[1], {"floor": prof.floor}, "Floor vs depth", "Θ(0°, 180°)/Θ(0°, 0°)",
         "floor_vs_depth"),
        (cols[2], {"diag/mean": dm}, "diag/mean vs depth", "mean Θ(x,x) / mean Θ",
         "dm_vs_depth"),
    ):
        f = figures.lines(prof.depths, ys, title, xlabel="depth (hidden layers)", ylabel=ylabel,
                          markers=tuple(ys), height=300)
        f.update_layout(showlegend=False, margin=dict(t=40))
        col.plotly_chart(f, key=key)
    st.markdown(depth_text(prof))
    if activation == "relu":
        st.markdown(why_text(prof))
    else:
        st.markdown(
            "The article's claim is about ReLU networks: choose **relu** to see the sharper "
            "peak over a rising floor. erf kernels follow their own recursion (below)."
        )
    if activation == "erf" and sigma_b == 0.0:
        st.info(
            "erf is odd and there is no bias, so Θ(x, −x) = −Θ(x, x): the floor is −1, the peak "
            "width is 90° by definition, and the kernel averages to zero over the circle "
            "(diag/mean is undefined). Add a bias to see a floor build up.",
            icon=":material/info:",
        )
    angles = np.degrees(prof.angles)
    d1, d2 = st.columns(2)
    with d1:
        download("Slices (CSV)", lambda: to_csv({
            "angle_deg": angles,
            **{f"ntk_depth{d}": prof.slices[d - 1] for d in overlay},
            **{f"nngp_depth{d}": prof.nngp_slices[d - 1] for d in overlay},
        }), "ntk_slices.csv", key="dl_slices")
    with d2:
        download("Depth metrics (CSV)", lambda: to_csv(
            {"depth": prof.depths, "floor": prof.floor, "peak_width_deg": pw, "diag_mean": dm}
        ), "depth_metrics.csv", key="dl_depth")


def _at(prof: ex.DepthProfile, depth: int, angle_deg: float) -> float:
    """The normalised NTK slice of ``depth`` at ``angle_deg`` (linear interpolation)."""
    return float(np.interp(angle_deg, np.degrees(prof.angles), prof.slices[depth - 1]))


def depth_text(prof: ex.DepthProfile) -> str:
    """Definitions, and what the profile measures at depths 1, 5 and 20 (numbers read from
    ``prof``, never written in)."""
    f1, f5, f20 = (float(prof.floor[d - 1]) for d in (1, 5, 20))
    w1, w5, w20 = (math.degrees(float(prof.peak_width[d - 1])) for d in (1, 5, 20))
    dm = diag_mean(prof)
    if np.isfinite(dm).all():
        lowest = int(prof.depths[int(np.argmin(dm))])
        if lowest == DEPTH_MAX:
            dm_text = f"falls all the way from {dm[0]:.2f} at depth 1 to {dm[-1]:.2f} at depth 20"
        else:
            dm_text = (f"falls from {dm[0]:.2f} at depth 1 to {dm[lowest - 1]:.2f} at depth "
                       f"{lowest} and then creeps back up to {dm[-1]:.2f} at depth 20")
    else:
        dm_text = "is undefined for these settings (see below)"
    floor_word = "rises" if f20 > f1 + 1e-3 else ("falls" if f20 < f1 - 1e-3 else "stays put")
    far = 2.0 * w20
    far_text = (
        f" Beyond the peak the deep slice is not flat: at depth 20 it is {_at(prof, 20, far):.2f}"
        f" at {far:.0f}° (twice the peak width), {_at(prof, 20, 90.0):.2f} at 90° and "
        f"{f20:.2f} at 180°." if far < 180.0 else ""
    )
    return (
        "**Definitions.** *Floor* "
        "$=\\Theta(0^\\circ, 180^\\circ)/\\Theta(0^\\circ, 0^\\circ)$, how similar two "
        "opposite points stay. *Peak width* = the angle at which the normalised slice first "
        "falls halfway from 1 to the floor (× on the slices). *diag/mean* = mean of the diagonal "
        f"over the mean of all entries of $\\Theta$ on {2 * (PROFILE_ANGLES - 1)} evenly spaced "
        "points of the circle.\n\n"
        f"**Measured here.** The peak width goes from {w1:.0f}° at depth 1 to {w5:.0f}° at "
        f"depth 5 and {w20:.0f}° at depth 20, while the floor {floor_word}: {f1:.2f} → "
        f"{f5:.2f} → {f20:.2f}.{far_text} diag/mean, the article's own measure of locality, "
        f"{dm_text}."
    )


def why_text(prof: ex.DepthProfile) -> str:
    """The ReLU explanation: the NNGP correlation moves towards 1 (its floor is measured),
    and the NTK sums one term per layer damped by derivative factors off the diagonal."""
    f1, f5, f20 = (float(prof.floor[d - 1]) for d in (1, 5, 20))
    k2, k20 = (float(prof.nngp_slices[d - 1][-1]) for d in (2, 20))
    verdict = (
        "**\"Deeper kernels are more local\" is half true.** The peak does sharpen, but "
        "far-apart points do not become less alike: the floor rises "
        f"({f1:.2f} → {f5:.2f} → {f20:.2f} at depths 1, 5, 20). With depth the normalised "
        "kernel approaches a spike on the diagonal plus a floor, not a local kernel."
        if f20 > f1 + 1e-3 else
        "**\"Deeper kernels are more local\":** with these settings the floor does not rise "
        f"({f1:.2f} → {f5:.2f} → {f20:.2f} at depths 1, 5, 20)."
    )
    return (
        f"{verdict}\n\n"
        "**Why.** Each ReLU layer moves the correlation of two inputs towards 1, the fixed "
        f"point of the arc-cosine map ({CHO_SAUL}): the NNGP's own floor "
        f"$K(0^\\circ, 180^\\circ)/K(0^\\circ, 0^\\circ)$ is {k2:.2f} at depth 2 and {k20:.2f} "
        f"at depth 20. The NTK adds up one such term per layer ({JACOT}),\n\n"
        "$$\\Theta^{(L)} = \\sum_{l=1}^{L+1} \\Sigma^{(l)} \\prod_{k=l}^{L} "
        "\\dot\\Sigma^{(k)}, \\qquad \\dot\\Sigma^{(k)} = \\sigma_w^2\\,"
        "\\frac{\\pi - \\theta^{(k)}}{2\\pi},$$\n\n"
        "where $\\Sigma^{(l)}$ is the pre-activation kernel of layer $l$ and $\\theta^{(k)}$ the "
        "angle between the two inputs' pre-activations. The factors $\\dot\\Sigma$ equal 1 on "
        "the diagonal ($\\theta = 0$, $\\sigma_w = \\sqrt2$) and are smaller off it, so early "
        "layers' terms are damped off the diagonal but not on it: that is the spike."
    )


@isolated
def kernels_and_spectra(nngp: np.ndarray, lam_nngp: np.ndarray, lam_ntk: np.ndarray,
                        ntk: np.ndarray, axis: np.ndarray, axis_title: str, depth: int,
                        kind: str) -> None:
    """Inside an expander that runs only when open: the NNGP heatmap and both spectra."""
    h1, h2 = st.columns(2)
    h1.plotly_chart(figures.heatmap(nngp, f"NNGP K, depth {depth}", axis_values=axis,
                                    axis_title=axis_title), key="nngp_heatmap")
    h2.markdown(
        "$K$ is the covariance of the outputs of random networks (the NNGP, "
        f"{LEE_NNGP}); $\\Theta$ is the kernel that gradient descent actually uses, "
        "$\\Theta(x, x') = \\langle \\nabla_\\theta f(x), \\nabla_\\theta f(x')\\rangle$ "
        f"({JACOT}). On the circle both depend only on the angle between the two inputs, so "
        "every row is the same curve shifted: the band along the diagonal is how fast "
        "similarity falls off with angle."
    )
    s1, s2 = st.columns(2)
    s1.plotly_chart(figures.spectrum(lam_ntk, f"Eigenvalues of the NTK, depth {depth}"),
                    key="ntk_spectrum")
    s2.plotly_chart(figures.spectrum(lam_nngp, f"Eigenvalues of the NNGP, depth {depth}"),
                    key="nngp_spectrum")
    st.markdown(spectrum_text(ntk, lam_ntk, kind))


def spectrum_text(ntk: np.ndarray, lam: np.ndarray, kind: str) -> str:
    """Spectral bias in one paragraph, with this kernel's numbers."""
    zeros = int(np.sum(lam <= ZERO_EIG * lam[0]))
    zeros_text = ("All of them are positive here." if zeros == 0 else
                  f"Here {zeros} of the {lam.size} NTK eigenvalues are zero to rounding (not "
                  "drawn).")
    trace = float(np.sum(lam))
    upper = float(np.sum(lam[lam.size // 2:])) / trace if trace > 0 else math.nan
    circle = ""
    if kind == "circle" and trace > 0:
        const = float(np.mean(np.sum(ntk, axis=1))) / trace  # the constant Fourier mode
        circle = (
            " On the circle the kernel matrix is circulant, so its eigenvectors are Fourier "
            "modes (the eigenvalues come in cos/sin pairs) and the decay of $\\lambda_i$ is the "
            "decay with frequency. Here the constant mode (the floor) holds "
            f"{fmt.pct(const)} of the trace and the upper half of the spectrum "
            f"{fmt.pct(upper)} (the spike); move the depth to compare."
        )
    return (
        "Training with the NTK shrinks the residual along eigenvector $i$ as "
        "$e^{-\\eta\\lambda_i t}$: the big eigenvalues are learned first (spectral bias)."
        f"{circle} {zeros_text}"
    )


@isolated
def recursion() -> None:
    """The layer recursion, typeset."""
    st.markdown(
        "Start from $K^{0} = x\\cdot x'/d$ and $\\Theta^{0} = 0$, then for every hidden layer "
        "apply the dense step and the activation step, and finish with one more dense step "
        f"(the readout). {JACOT}; {LEE_NNGP}; ReLU maps: {CHO_SAUL}."
    )
    st.latex(r"\text{Dense:}\quad K \leftarrow \sigma_w^2 K + \sigma_b^2,"
             r"\qquad \Theta \leftarrow K + \sigma_w^2\,\Theta")
    st.latex(r"\text{Activation:}\quad K \leftarrow \mathbb{E}[\varphi(u)\varphi(v)],\qquad "
             r"\Theta \leftarrow \Theta\cdot\mathbb{E}[\varphi'(u)\varphi'(v)],")
    st.latex(r"\text{where}\quad (u,v)\sim\mathcal{N}\!\left(0,\begin{pmatrix}K_{11}&K_{12}\\"
             r"K_{12}&K_{22}\end{pmatrix}\right)")
    st.latex(r"\text{ReLU:}\quad \theta=\operatorname{arctan2}\!\left("
             r"\sqrt{K_{11}K_{22}-K_{12}^2},\,K_{12}\right)")
    st.latex(r"\mathbb{E}[\varphi\varphi]=\frac{\sqrt{K_{11}K_{22}-K_{12}^2}+(\pi-\theta)K_{12}}"
             r"{2\pi},\quad \mathbb{E}[\varphi'\varphi']=\frac{\pi-\theta}{2\pi}")
    st.latex(r"\text{erf:}\quad \begin{aligned}"
             r"\mathbb{E}[\varphi\varphi]&=\frac{2}{\pi}\arcsin\frac{2K_{12}}"
             r"{\sqrt{(1+2K_{11})(1+2K_{22})}},\\ \mathbb{E}[\varphi'\varphi']&="
             r"\frac{4/\pi}{\sqrt{(1+2K_{11})(1+2K_{22})-4K_{12}^2}}"
             r"\end{aligned}")
    st.caption(
        "arctan2 instead of $\\arccos(K_{12}/\\sqrt{K_{11}K_{22}})$: arccos loses half of its "
        "digits for nearly parallel inputs, exactly where the diagonal spike lives. "
        + PARAM_NOTE
    )


def analytic_download(x: np.ndarray, k: nc.Kernels, net: nc.MLP, kind: str) -> None:
    """The analytic kernels as NPZ (built on click)."""
    download("Kernels (NPZ)", lambda: to_npz({
        "x": x, "nngp": k.nngp, "ntk": k.ntk, "depth": np.array(net.depth),
        "sigma_w": np.array(net.sigma_w), "sigma_b": np.array(net.sigma_b),
    }), f"analytic_kernels_{kind}_depth{net.depth}.npz", key="dl_kernels")


# ----------------------------------------------------------------------------- finite width
@st.fragment
def finite_width(state: PageState, net: nc.MLP, kind: str, n: int) -> None:
    """The width slider, the seed and the empirical kernel they drive, in a fragment: moving
    the slider or pressing Re-initialise reruns and repaints this section only (sync_url()
    inside keeps the URL in step). Widths are capped by budget at the current depth; a width
    over budget (from a link, or after a depth change) is replaced by the widest affordable
    one, with a note. At the end, the neighbouring widths, the next seed and the neighbouring
    depths are prefetched (cold steps become cache hits)."""
    x, inf, _, _ = kernels(net, kind, n)
    d = x.shape[1]
    options = offered_widths(net, n, d)
    asked = int(state["width"])
    if asked not in options:
        state.set("width", options[-1])
    width = int(state["width"])
    st.subheader(f"A real network of width {fmt.count(width)}")
    c1, c2 = st.columns([3, 1])
    c1.select_slider(
        "Width of the empirical net", options=options, key=state.key("width"),
        format_func=fmt.count,
        help="Hidden-layer width m of the real network compared with the limit. Widths whose "
        f"kernel would take longer than {cost.time_budget_s():g} s at this depth are not offered. "
        "Moving it reruns only this section.",
    )
    seed_controls(state, container=c2)
    state.sync_url()
    width, seed = int(state["width"]), int(state["seed"])
    if asked not in options:
        st.info(
            f"Width {fmt.count(asked)} would need "
            f"{_describe(empirical_cost(net.with_width(asked), n, d))} at depth {net.depth}: "
            f"showing width {fmt.count(width)}, the widest within the budget.",
            icon=":material/speed:",
        )
    _empirical_view(net.with_width(width), x, inf, kind, seed)
    _prefetch(state, net, kind, n, options, width, seed)


def _describe(c: cost.Cost) -> str:
    """"about 7,500 s and 1.4 TB": an estimate in words a visitor can read."""
    secs = fmt.count(c.seconds) if c.seconds >= 100 else fmt.num(c.seconds, ".2g")
    size, unit = c.bytes / 2**20, "MB"
    for bigger in ("GB", "TB"):
        if size >= 1024:
            size, unit = size / 1024, bigger
    return f"about {secs} s and {fmt.num(size, '.2g')} {unit}"


@isolated
def _empirical_view(net: nc.MLP, x: np.ndarray, inf: nc.Kernels, kind: str, seed: int) -> None:
    """Analytic and empirical NTK heatmaps on one colour scale, the distances, a kernel row."""
    e = empirical(net, kind, x.shape[0], seed)
    axis, axis_title = axis_of(x, kind)
    zrange = (float(min(inf.ntk.min(), e.ntk.min())), float(max(inf.ntk.max(), e.ntk.max())))
    st.plotly_chart(figures.heatmap_row(
        [(inf.ntk, "Analytic NTK (width → ∞)"),
         (e.ntk, f"Empirical NTK, width {fmt.count(net.width)}, seed {seed}")],
        zrange=zrange, axis_values=axis, axis_title=axis_title), key="ntk_comparison")
    k1, k2, k3 = st.columns(3)
    k1.metric("NTK: $\\|\\Theta_m - \\Theta_\\infty\\|_F / \\|\\Theta_\\infty\\|_F$",
              f"{e.ntk_distance:.3g}")
    k2.metric("NNGP: $\\|K_m - K_\\infty\\|_F / \\|K_\\infty\\|_F$", f"{e.nngp_distance:.3g}")
    k3.metric("$\\sqrt{m}$ × NTK distance", f"{math.sqrt(net.width) * e.ntk_distance:.3g}",
              help="Roughly constant across widths if the distance falls like 1/√m.")
    x0_label = "0°" if kind == "circle" else f"x = {x[0, 0]:g}"
    fig = figures.lines(
        axis, {"analytic (width → ∞)": inf.ntk[0], f"width {fmt.count(net.width)}": e.ntk[0]},
        f"Θ(x₀, ·) with x₀ at {x0_label}", xlabel=axis_title, ylabel="Θ(x₀, x)",
        dashes={"analytic (width → ∞)": "dash"}, height=320,
    )
    st.plotly_chart(legend_below(fig), key="empirical_slice")
    st.markdown(
        "A finite network's NTK is random: it scatters around the analytic kernel with entries "
        "of order $1/\\sqrt{m}$, so the relative distance shrinks about tenfold per hundredfold "
        "width. Depth makes the scatter larger at a given width (the fluctuations of every "
        "layer add up), which is why deep kernels need wide nets before the infinite-width "
        "picture applies. Press **Re-initialise** to draw another network of the same width."
    )
    download("Empirical and analytic kernels (NPZ)", lambda: to_npz({
        "x": x, "empirical_ntk": e.ntk, "empirical_nngp": e.nngp, "analytic_ntk": inf.ntk,
        "analytic_nngp": inf.nngp, "width": np.array(net.width), "seed": np.array(seed),
    }), f"empirical_kernels_depth{net.depth}_width{net.width}_seed{seed}.npz",
        key="dl_empirical")


def _prefetch(state: PageState, net: nc.MLP, kind: str, n: int, options: Sequence[int],
              width: int, seed: int) -> None:
    """Warm the cache for what a visitor is likely to ask next, most likely first: the
    neighbouring widths, the next Re-initialise, then the neighbouring depths at this width
    (depth 1 … DEPTH_MAX). prefetch() bounds how many run per session and per server, and
    skips the costly ones (the wider neighbour of a wide net, a deeper one at a wide width)."""
    calls = [(net.with_width(w), kind, n, seed) for w in neighbours(list(options), width)]
    calls.append((net.with_width(width), kind, n, state.next_seed()))
    d_in = 2 if kind == "circle" else 1
    for depth in (net.depth + 1, net.depth - 1):
        if 1 <= depth <= DEPTH_MAX:
            calls.append((net.with_depth(depth).with_width(width), kind, n, seed))
    prefetch(empirical, calls, cost_of=lambda net, kind, n, seed: empirical_cost(net, n, d_in))
