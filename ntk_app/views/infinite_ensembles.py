"""Sections of the Infinite ensembles page (pages/8_Infinite_ensembles.py)."""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from ntk_core import MLP, make_inputs, target_function
from ntk_core import ensemble_bands as eb
from ntk_core.cost import Cost
from ntk_core.ensembles import EnsembleConvergence, ensemble_convergence, finite_ensemble_cost
from ntk_core.setups import eval_grid

from .. import format as fmt
from ..budget import memo, with_progress
from ..figures import AXIS_LEFT_LOG_PX, LEGEND_BELOW, PALETTE, log_ticks, margin
from ..layout import to_csv

TITLES = {"ntk": "All layers trained: NTK gradient descent",
          "nngp": "Readout only: NNGP (posterior at t = ∞)"}
STEP_LABELS = [*(str(s) for s in eb.STEPS_GRID), "∞"]
N_TEST = 81


def data(target: str, n_train: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training inputs on a grid of [−2, 2], their targets, and the test grid."""
    x = make_inputs("grid", n_train)
    return x, target_function(target, x), eval_grid(N_TEST)


@st.cache_data(max_entries=32, show_spinner=False)
def _bands_one(kind: str, target: str, n_train: int, net: MLP, n_members: int, seed: int,
               diag_reg: float) -> eb.Bands:
    x, y, xt = data(target, n_train)
    return eb.ensemble_bands(x, y, xt, net, n_members=n_members, seed=seed, diag_reg=diag_reg,
                             kinds=(kind,))


def bands(target: str, n_train: int, net: MLP, n_members: int, seed: int,
          diag_reg: float) -> eb.Bands:
    """Both kinds' bands and ensembles, each cached, with a progress bar over the two."""
    parts = [_bands_one(k, target, n_train, net, n_members, seed, diag_reg)
             for k in with_progress(eb.KINDS, 2, f"Training 2 × {n_members} networks")]
    return eb.merge(parts)


def prefetch_widths(target: str, n_train: int, nets: Sequence[MLP], n_members: int, seed: int,
                    diag_reg: float) -> None:
    """Warm the cache of both kinds' bands for ``nets`` (the neighbouring widths, nearest
    first), so that the next width step is a cache hit (ntk_app/prefetch.py)."""
    from ntk_app.prefetch import prefetch

    prefetch(_bands_one, [(kind, target, n_train, net, n_members, seed, diag_reg)
                          for net in nets for kind in eb.KINDS])


def _members_trace(xt: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All members as one line trace, NaN between them (one trace instead of N)."""
    n = members.shape[0]
    if n == 0:  # every net diverged: nothing to draw (the page says so)
        return np.empty(0, np.float32), np.empty(0, np.float32)
    xs = np.tile(np.append(xt, np.nan), n)
    ys = np.hstack([np.append(m, np.nan) for m in members])
    return xs.astype(np.float32), ys.astype(np.float32)


def _frame_data(b: eb.Bands, xt: np.ndarray, j: int, with_x: bool = True) -> list[dict]:
    """Traces that change with time, panel by panel: band, infinite mean, members, ensemble
    mean. Frame ``j`` indexes steps, then ∞ (members shown at their last step). Without
    ``with_x`` only the y arrays are given (a frame updates the traces' y; their x never
    changes), which halves the frames' payload."""
    out = []
    jm = min(j, len(b.steps) - 1)
    xt32 = xt.astype(np.float32)
    for kind in eb.KINDS:
        mean, std = b.mean[kind][j], b.std[kind][j]
        ok = ~b.diverged[kind]
        members = b.members[kind][ok, jm]
        member_x, member_y = _members_trace(xt, members)
        xs = (np.concatenate([xt32, xt32[::-1]]), xt32, member_x, xt32)
        ys = (np.concatenate([mean + 2 * std, (mean - 2 * std)[::-1]]).astype(np.float32),
              mean.astype(np.float32), member_y,
              (members.mean(axis=0) if len(members) else np.full(len(xt), np.nan))
              .astype(np.float32))
        out += [{"type": "scatter", "x": x, "y": y} if with_x else {"type": "scatter", "y": y}
                for x, y in zip(xs, ys, strict=True)]
    return out


@functools.cache
def _panels_layout() -> dict:
    """The two panels' axes (a shared y axis) and titles, from make_subplots once per process."""
    return make_subplots(rows=1, cols=2, subplot_titles=[TITLES[k] for k in eb.KINDS],
                         shared_yaxes=True, horizontal_spacing=0.04).layout.to_plotly_json()


def bands_figure(b: eb.Bands, x: np.ndarray, y: np.ndarray, xt: np.ndarray, active: int,
                 width: int) -> go.Figure:
    """Two panels with plotly frames over time: the slider under the figure scrubs t without a
    round trip to the server. Built as one plain spec (validated once by go.Figure: a width
    step reruns this page, and building it trace by trace took ~65 ms per run)."""
    xt1, xs = xt[:, 0], x[:, 0]
    first = _frame_data(b, xt1, active)
    styles = [
        dict(fill="toself", fillcolor=PALETTE[0], opacity=0.22, line=dict(width=0),
             mode="lines", name="infinite width: mean ± 2σ", hoverinfo="skip"),
        dict(mode="lines", line=dict(color=PALETTE[0], width=3), name="infinite width: mean"),
        dict(mode="lines", line=dict(color="rgba(90,90,90,0.35)", width=1),
             name=f"nets of width {fmt.count(width)}", hoverinfo="skip"),
        dict(mode="lines", line=dict(color=PALETTE[1], width=2, dash="dash"),
             name="their mean"),
    ]
    axes = ({"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"})
    data = [{**trace, **styles[i % 4], **axes[i // 4], "legendgroup": str(i % 4),
             "showlegend": i < 4} for i, trace in enumerate(first)]
    data += [{"type": "scatter", "x": xs, "y": y, "mode": "markers", "name": "training points",
              "marker": dict(color="black", size=8), "showlegend": col == 0,
              "legendgroup": "pts", **axes[col]} for col in (0, 1)]
    moving = list(range(8))
    frames = [{"name": lab, "data": _frame_data(b, xt1, j, with_x=False), "traces": moving}
              for j, lab in enumerate(STEP_LABELS)]
    steps = [dict(method="animate", label=lab,
                  args=[[lab], dict(mode="immediate", frame=dict(duration=0, redraw=False),
                                    transition=dict(duration=0))]) for lab in STEP_LABELS]
    lo = float(np.nanmin([(b.mean[k] - 2.2 * b.std[k]).min() for k in eb.KINDS]))
    hi = float(np.nanmax([(b.mean[k] + 2.2 * b.std[k]).max() for k in eb.KINDS]))
    layout = copy.deepcopy(_panels_layout())
    layout.update(
        height=440, margin=margin(left=40, bottom=144),  # legend and the steps slider below
        yaxis={**layout["yaxis"], "range": [max(lo, -4.0), min(hi, 4.0)]},
        legend=LEGEND_BELOW,
        sliders=[dict(active=active, steps=steps, currentvalue=dict(prefix="steps  "),
                      pad=dict(t=30), len=1.0)],
    )
    return go.Figure(data=data, layout=layout, frames=frames)


def time_caption(b: eb.Bands) -> None:
    """What t means for each panel (and which nets diverged)."""
    for kind in eb.KINDS:
        if b.diverged[kind].any():
            st.warning(f"{TITLES[kind].split(':')[0]}: {int(b.diverged[kind].sum())} of "
                       f"{b.diverged[kind].size} nets diverged at this step size and are not "
                       "drawn.", icon=":material/warning:")
    st.caption(
        "Time is t = η·steps, with η = 1/λ_max of each panel's kernel on the training points "
        f"(all layers: η = {fmt.num(b.lr['ntk'])}; readout only: η = {fmt.num(b.lr['nngp'])}). "
        "The infinite-width band is that of gradient descent with the same η, so the nets "
        "differ from it by their width alone; at ∞ the nets are shown at their last step. "
        + " ".join(n for n in b.notes.values() if n)
    )


def explanation() -> None:
    """NNGP posterior vs the NTK-GD Gaussian."""
    st.markdown(
        "**Two Gaussians.** A network drawn at random is, at infinite width, a Gaussian process "
        "with the NNGP kernel K. Train only its readout and every sample moves along K: at "
        r"$t=\infty$ the ensemble is the Bayesian posterior of that process, "
        r"$\mu = K_{*X}K^{-1}Y$, $\Sigma = K_{**} - K_{*X}K^{-1}K_{X*}$ "
        "([Lee et al. 2018](https://arxiv.org/abs/1711.00165)). Train every layer and the "
        "samples move along the NTK Θ instead: the mean is NTK regression, "
        r"$\mu = \Theta_{*X}\Theta^{-1}Y$, and the covariance "
        r"$K_{**} + \Theta_{*X}\Theta^{-1}K\Theta^{-1}\Theta_{X*} - "
        r"(\Theta_{*X}\Theta^{-1}K_{X*} + \mathrm{h.c.})$ "
        "([Lee et al. 2019](https://arxiv.org/abs/1902.06720), eq. 16) is **not** a "
        "posterior: it mixes two kernels. Both vanish on the training points at t = ∞, but off "
        "the data the NTK band does not shrink the way a posterior does."
    )


def bands_csv(b: eb.Bands, xt: np.ndarray, j: int) -> bytes:
    """The two Gaussians and the two ensembles' means and standard deviations at frame j."""
    jm = min(j, len(b.steps) - 1)
    cols = {"x": xt[:, 0]}
    for kind in eb.KINDS:
        ok = ~b.diverged[kind]
        cols[f"{kind}_infinite_mean"] = b.mean[kind][j]
        cols[f"{kind}_infinite_std"] = b.std[kind][j]
        cols[f"{kind}_ensemble_mean"] = b.members[kind][ok, jm].mean(axis=0)
        cols[f"{kind}_ensemble_std"] = b.members[kind][ok, jm].std(axis=0, ddof=1)
    return to_csv(cols)


# ----------------------------------------------------------------------------- convergence
CONV_WIDTHS = (256, 1024, 4096, 16_384)


@memo(max_entries=8)
def convergence(target: str, n_train: int, net: MLP, n_members: int, seed: int,
                steps: int) -> dict[str, EnsembleConvergence]:
    """Ensemble errors against the infinite-width Gaussian over widths, both kinds."""
    x, y, xt = data(target, n_train)
    out = {}
    for kind in with_progress(eb.KINDS, 2, "Training ensembles at four widths"):
        lr = eb.step_size(x, net, kind)
        out[kind] = ensemble_convergence(x, y, xt, net, CONV_WIDTHS, n_members=n_members,
                                         lr=lr, steps=steps, seed=seed,
                                         readout_only=kind == "nngp")
    return out


def convergence_cost(x: np.ndarray, xt: np.ndarray, net: MLP, n_members: int,
                     steps: int) -> Cost:
    """Estimated cost of :func:`convergence`: both kinds' ensembles at every width."""
    total = Cost(0.0, 0.0)
    for readout_only in (False, True):
        for w in CONV_WIDTHS:
            total = total + finite_ensemble_cost(
                len(x), x.shape[1], w, net.depth, steps, n_members, n_test=len(xt),
                readout_only=readout_only)
    return total


def convergence_figure(conv: dict[str, EnsembleConvergence]) -> go.Figure:
    """Mean and variance errors (control-variate estimates) and the Monte-Carlo floors."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=[TITLES[k].split(":")[0]
                                                        for k in eb.KINDS], shared_yaxes=True)
    series = {"mean_error_coupled": ("mean error", PALETTE[0], "solid"),
              "var_error_coupled": ("variance error", PALETTE[1], "solid"),
              "mean_floor": ("Monte-Carlo floor of the plain mean", PALETTE[0], "dot"),
              "twin_distance": ("net − infinite-width twin", PALETTE[2], "dash")}
    for col, kind in enumerate(eb.KINDS, start=1):
        c = conv[kind]
        for key, (label, colour, dash) in series.items():
            slope = c.slopes[key][0]
            fig.add_trace(go.Scatter(
                x=c.widths.astype(float), y=getattr(c, key), mode="markers+lines",
                line=dict(color=colour, dash=dash),
                name=f"{label} (slope {fmt.num(slope, '+.2f')})" if col == 1 else label,
                legendgroup=key, showlegend=True), row=1, col=col)
    fig.update_xaxes(type="log", title="width")
    fig.update_yaxes(type="log")
    fig.update_layout(height=380, margin=margin(left=AXIS_LEFT_LOG_PX, legend_rows=1),
                      yaxis=dict(title="relative error at the last step"),
                      legend=LEGEND_BELOW)
    return log_ticks(fig)


def article_note(gap: float) -> None:
    """The article's own network, stated for what it is."""
    st.caption(
        "The original article's network (He-scaled hidden weights, a readout a ~ N(0, 1/m) "
        "and a further 1/√m) is, as m → ∞, kernel regression with its limit kernel 2T(K₀), "
        f"which is exactly ½ × the NNGP of a σ_w = √2 ReLU layer (largest difference here "
        f"{gap:.1e}): its training is readout-dominated, the right panel's kernel at half "
        "the scale."
    )


def article_gap() -> float:
    """max |2T(K₀) − ½·NNGP| on the test grid with a bias-free 1-D input (engine check)."""
    from ntk_core import analytic_kernels
    from ntk_core._article import article_limit_ntk

    xt = np.concatenate([eval_grid(N_TEST), np.linspace(-1, 1, 9)[:, None]])
    nngp = analytic_kernels(xt, depth=1, weight_std=math.sqrt(2.0), bias_std=0.0).nngp
    return float(np.max(np.abs(article_limit_ntk(xt) - 0.5 * nngp)))


def convergence_caption(conv: dict[str, EnsembleConvergence]) -> None:
    """How to read the convergence plot; the rate is described by what was measured."""
    def verdict(slope: float) -> str:
        if -0.65 <= slope <= -0.35:
            return "close to the −1/2 of a kernel that fluctuates by O(width^(−1/2))"
        if slope > -0.35:
            return "slower than −1/2: over these widths it has not reached its asymptotic rate"
        return "faster than −1/2"

    parts = [f"{TITLES[k].split(':')[0].lower()}: slope "
             f"{fmt.num(conv[k].slopes['twin_distance'][0], '+.2f')}, "
             f"{verdict(conv[k].slopes['twin_distance'][0])}" for k in eb.KINDS]
    st.caption(
        "Each net is compared with its infinite-width twin (the infinite-width dynamics "
        "started from the net's own outputs); their distance over widths "
        f"{', '.join(fmt.count(w) for w in CONV_WIDTHS)}: " + "; ".join(parts) + ". Using the "
        "twins as control variates, the ensemble's mean and variance errors can fall below "
        "the Monte-Carlo floor (dotted) that a plain average of this many nets has."
    )
