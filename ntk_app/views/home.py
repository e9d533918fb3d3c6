"""Home: the hero figure (one kernel row at every width, scrubbed in the browser) and the story."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ntk_core import MLP, circle_points
from ntk_core import experiments as ex

from .. import format as fmt
from ..figures import LEGEND_ABOVE, PALETTE, margin

HERO_WIDTHS = (10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000)
HERO_SEEDS = (0, 1, 2, 3)
HERO_ANGLES_DEG = np.arange(0, 181, 5)


@st.cache_data(max_entries=1, show_spinner=False)
def hero_data() -> tuple[np.ndarray, np.ndarray]:
    """Θ(x₀, x) on the unit circle against x₀ = (1, 0) for every hero width and seed (one
    hidden ReLU layer, σ_w = √2, no bias), and the infinite-width row.

    Returns (rows of shape (widths, seeds, angles), analytic row of shape (angles,)). About
    20 ms in all: one row of the kernel is n Gram products of length ``width``.
    """
    x = circle_points(np.deg2rad(HERO_ANGLES_DEG))
    net = MLP(depth=1, width=HERO_WIDTHS[0], activation="relu")
    slices = [ex.kernel_slices(x, net, HERO_WIDTHS, x0_index=0, seed=s) for s in HERO_SEEDS]
    rows = np.stack([s.empirical for s in slices], axis=1)
    return rows, slices[0].analytic


def hero_figure(rows: np.ndarray, analytic: np.ndarray, start: int = 2) -> go.Figure:
    """Thin lines: Θ(x₀, ·) of four random nets at one width; thick: the infinite-width kernel.
    A slider under the plot moves through the widths without asking the server (plotly frames).

    At γ = 0 the limit is Θ(x₀, x₀) = 2 and at γ = 180° it is 0 (one hidden ReLU layer, He
    scaling, no bias: Θ(γ) = cos γ (π − γ)/π + (sin γ + (π − γ) cos γ)/π).
    """
    deg = HERO_ANGLES_DEG.astype(np.float32)
    nets = [
        go.Scatter(x=deg, y=rows[start, k].astype(np.float32), mode="lines",
                   line=dict(width=1.5, color=PALETTE[0]), opacity=0.75,
                   name="random nets", legendgroup="nets", showlegend=k == 0)
        for k in range(rows.shape[1])
    ]
    limit = go.Scatter(x=deg, y=analytic.astype(np.float32), mode="lines",
                       line=dict(width=4, color="black", dash="dot"), name="infinite width Θ∞")
    frames = [
        go.Frame(name=str(w), data=[go.Scatter(y=rows[i, k].astype(np.float32))
                                    for k in range(rows.shape[1])],
                 traces=list(range(rows.shape[1])))
        for i, w in enumerate(HERO_WIDTHS)
    ]
    steps = [
        dict(method="animate", label=fmt.count(w),
             args=[[str(w)], dict(mode="immediate", frame=dict(duration=0, redraw=False),
                                  transition=dict(duration=0))])
        for w in HERO_WIDTHS
    ]
    lo = float(min(rows.min(), analytic.min()))
    hi = float(max(rows.max(), analytic.max()))
    pad = 0.05 * (hi - lo)
    layout = go.Layout(
        height=420,
        margin=margin(46, left=62, bottom=136, right=22),  # legend above, frames slider below
        xaxis=dict(title="angle between x and x₀ (degrees)", range=[0, 180], dtick=30),
        yaxis=dict(title="Θ(x₀, x)", range=[max(lo - pad, -1.0), min(hi + pad, 4.0)]),
        legend=LEGEND_ABOVE,
        sliders=[dict(active=start, steps=steps, currentvalue=dict(prefix="width  "),
                      pad=dict(t=50), len=1.0)],
    )
    return go.Figure(data=[*nets, limit], frames=frames, layout=layout)


def hero(rows: np.ndarray, analytic: np.ndarray) -> None:
    """The hero figure with one line saying what to do with it."""
    st.markdown(
        "**Drag the width.** Each thin line is one row of the Neural Tangent Kernel of a "
        "randomly drawn network, Θ(x₀, x) for points x on the unit circle. Narrow networks "
        "disagree with each other; wide ones all fall on the same curve, the kernel of the "
        "infinitely wide network (dotted)."
    )
    st.plotly_chart(hero_figure(rows, analytic), config={"displayModeBar": False},
                    key="hero")
