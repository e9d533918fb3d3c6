"""plotly figure builders shared by the pages (no numerics beyond display preparation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

MAX_CELLS = 100  # heatmaps are downsampled to at most MAX_CELLS × MAX_CELLS
PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6",
           "#9d755d", "#bab0ac", "#eeca3b")


def finite_or_none(a: np.ndarray) -> np.ndarray:
    """float array with NaN in place of ±inf (plotly leaves NaN gaps; it never draws inf)."""
    a = np.asarray(a, dtype=np.float64)
    return np.where(np.isfinite(a), a, np.nan)


def downsample(z: np.ndarray, max_cells: int = MAX_CELLS) -> np.ndarray:
    """Every k-th row/column so that neither side exceeds ``max_cells``."""
    z = np.asarray(z)
    step_r = max(1, -(-z.shape[0] // max_cells))
    step_c = max(1, -(-z.shape[1] // max_cells))
    return z[::step_r, ::step_c]


def heatmap(
    z: np.ndarray,
    title: str,
    *,
    diverging: bool = False,
    zrange: tuple[float, float] | None = None,
    axis_values: np.ndarray | None = None,
    axis_title: str = "input index",
    height: int = 360,
) -> go.Figure:
    """A kernel matrix as a heatmap: float32, ≤ MAX_CELLS², a diverging scale centred at 0 when
    ``diverging`` (signed data such as A − B), otherwise a sequential scale."""
    zz = downsample(finite_or_none(z)).astype(np.float32)
    kwargs: dict = {}
    if axis_values is not None:
        ax = downsample(np.asarray(axis_values)[None, :])[0].astype(np.float32)
        kwargs = {"x": ax, "y": ax}
    if diverging:
        lim = float(np.nanmax(np.abs(zz))) if np.isfinite(zz).any() else 1.0
        lim = lim or 1.0
        trace = go.Heatmap(z=zz, colorscale="RdBu", zmid=0.0, zmin=-lim, zmax=lim, **kwargs)
    else:
        rng = zrange or (None, None)
        trace = go.Heatmap(z=zz, colorscale="Viridis", zmin=rng[0], zmax=rng[1], **kwargs)
    fig = go.Figure(trace)
    fig.update_layout(
        title=title, height=height, margin=dict(t=40, b=10, l=10, r=10),
        yaxis=dict(autorange="reversed", scaleanchor="x", constrain="domain", title=axis_title),
        xaxis=dict(title=axis_title, constrain="domain"),
    )
    return fig


def lines(
    x: np.ndarray | Mapping[str, np.ndarray],
    ys: Mapping[str, np.ndarray],
    title: str,
    *,
    xlabel: str = "",
    ylabel: str = "",
    logx: bool = False,
    logy: bool = False,
    dashes: Mapping[str, str] | None = None,
    markers: Sequence[str] = (),
    height: int = 360,
) -> go.Figure:
    """Several named curves; ``x`` is shared or given per curve. NaN/inf points are gaps; with
    ``logy`` non-positive values are dropped too."""
    fig = go.Figure()
    for i, (name, y) in enumerate(ys.items()):
        xv = x[name] if isinstance(x, Mapping) else x
        yv = finite_or_none(y)
        if logy:
            yv = np.where(yv > 0, yv, np.nan)
        mode = "lines+markers" if name in markers else "lines"
        fig.add_trace(go.Scatter(
            x=np.asarray(xv, dtype=np.float64), y=yv, name=name, mode=mode,
            line=dict(color=PALETTE[i % len(PALETTE)], dash=(dashes or {}).get(name, "solid")),
        ))
    fig.update_layout(
        title=title, height=height, margin=dict(t=70, b=10, l=10, r=10),
        xaxis=dict(title=xlabel, type="log" if logx else "linear"),
        yaxis=dict(title=ylabel, type="log" if logy else "linear"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    )
    return fig


def band(
    fig: go.Figure, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, name: str, color: str
) -> go.Figure:
    """Add a shaded band between ``lo`` and ``hi`` (e.g. mean ± std over seeds)."""
    xs = np.concatenate([x, x[::-1]]).astype(np.float64)
    ys = finite_or_none(np.concatenate([hi, lo[::-1]]))
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="lines", fill="toself", fillcolor=color, opacity=0.25,
        line=dict(width=0),
        name=name, hoverinfo="skip",
    ))
    return fig


def spectrum(eigvals: np.ndarray, title: str = "Eigen-spectrum of Θ", height: int = 320):
    """Eigenvalues (descending) on a log axis; zeros are dropped."""
    lam = finite_or_none(eigvals)
    idx = np.arange(1, lam.size + 1)
    fig = go.Figure(go.Scatter(x=idx, y=np.where(lam > 0, lam, np.nan), mode="markers+lines",
                               name="λ_i", line=dict(color=PALETTE[0])))
    fig.update_layout(title=title, height=height, margin=dict(t=40, b=10, l=10, r=10),
                      xaxis=dict(title="index i"), yaxis=dict(title="λ_i", type="log", dtick=1))
    return fig
