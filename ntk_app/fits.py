"""plotly builders for 1-D function fits: curves on a test grid over the training points.

Display preparation only (NaN/inf become gaps, float32 payloads); no numerics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import PALETTE, finite_or_none

_DISPLAY_MAX = 1e15  # larger values (a diverging model) are shown as gaps


def _f32(y: np.ndarray) -> np.ndarray:
    """float32 for the browser, with NaN for ±inf and for values too large to draw."""
    a = finite_or_none(y)
    return np.where(np.abs(a) < _DISPLAY_MAX, a, np.nan).astype(np.float32)


def fit_plot(
    x: np.ndarray,
    curves: Mapping[str, np.ndarray],
    title: str,
    *,
    points: tuple[np.ndarray, np.ndarray] | None = None,
    points_name: str = "training points",
    dashes: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
    yrange: tuple[float, float] | None = None,
    xlabel: str = "x",
    ylabel: str = "f(x)",
    height: int = 340,
) -> go.Figure:
    """Named curves y(x) on a shared grid ``x`` and, optionally, the training points as
    markers. ``yrange`` fixes the y axis (e.g. the same range for every frame of an animation).
    """
    fig = go.Figure()
    xs = np.asarray(x, dtype=np.float64).reshape(-1).astype(np.float32)
    for i, (name, y) in enumerate(curves.items()):
        color = (colors or {}).get(name, PALETTE[i % len(PALETTE)])
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=_f32(y),
                name=name,
                mode="lines",
                line=dict(color=color, dash=(dashes or {}).get(name, "solid"), width=2),
            )
        )
    if points is not None:
        px_, py_ = (np.asarray(a, dtype=np.float64).reshape(-1) for a in points)
        fig.add_trace(
            go.Scatter(
                x=px_.astype(np.float32),
                y=_f32(py_),
                name=points_name,
                mode="markers",
                marker=dict(color="black", size=8, symbol="circle-open", line=dict(width=2)),
            )
        )
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(t=40, b=10, l=10, r=10),
        xaxis=dict(title=xlabel),
        yaxis=dict(title=ylabel, range=list(yrange) if yrange else None),
    )
    return legend_below(fig)


def mark_x(
    fig: go.Figure, x: float, text: str = "", color: str = "#888", position: str = "top right"
) -> go.Figure:
    """A dotted vertical line at ``x`` (e.g. the current step of an animation); its label goes
    at ``position`` (plotly annotation position, e.g. "top" puts it above the plot area)."""
    fig.add_vline(
        x=float(x),
        line=dict(color=color, dash="dot", width=1.5),
        annotation_text=text,
        annotation_position=position,
    )
    return fig


def legend_below(fig: go.Figure) -> go.Figure:
    """Move a figure's legend under the plot (horizontal), clear of the title and of the x axis
    title: it sits on the figure's bottom edge (container coordinates) and plotly grows the
    bottom margin to make room for it, whatever the figure's height."""
    fig.update_layout(
        legend=dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom")
    )
    return fig


def animated_fits(
    x: np.ndarray,
    panels: Sequence[tuple[str, Mapping[str, np.ndarray], Mapping[str, np.ndarray]]],
    frame_labels: Sequence[object],
    current: int,
    *,
    points: tuple[np.ndarray, np.ndarray] | None = None,
    points_name: str = "training points",
    dashes: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
    yrange: tuple[float, float] | None = None,
    title: str = "step {}",
    frame_ms: int = 200,
    height: int = 380,
) -> go.Figure:
    """Side-by-side fits (one subplot per panel, shared y axis) at frame ``current``, with plotly
    animation frames for every frame label and a ▶ Play / ⏸ button that animates them in the
    browser (no server round trip).

    ``panels``: (subplot title, static curves {name: (n,)}, moving curves {name: (k, n)}); the
    moving curves' row j is frame j. ``title`` is formatted with the frame label.
    """
    k = len(frame_labels)
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        subplot_titles=[p[0] for p in panels],
        shared_yaxes=True,
        horizontal_spacing=0.05,
    )
    xs = np.asarray(x, dtype=np.float64).reshape(-1).astype(np.float32)
    moving_idx: list[int] = []
    palette = {}
    for col, (_, static, moving) in enumerate(panels, start=1):
        for name in [*static, *moving]:
            color = (colors or {}).get(name) or palette.setdefault(
                name, PALETTE[len(palette) % len(PALETTE)]
            )
            if name in moving:
                moving_idx.append(len(fig.data))
                y = np.asarray(moving[name])[current]
            else:
                y = static[name]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=_f32(y),
                    name=name,
                    mode="lines",
                    legendgroup=name,
                    showlegend=col == 1,
                    line=dict(color=color, dash=(dashes or {}).get(name, "solid"), width=2),
                ),
                row=1,
                col=col,
            )
        if points is not None:
            px_, py_ = (np.asarray(a, dtype=np.float64).reshape(-1) for a in points)
            fig.add_trace(
                go.Scatter(
                    x=px_.astype(np.float32),
                    y=_f32(py_),
                    name=points_name,
                    mode="markers",
                    legendgroup=points_name,
                    showlegend=col == 1,
                    marker=dict(color="black", size=8, symbol="circle-open", line=dict(width=2)),
                ),
                row=1,
                col=col,
            )
    frames = []
    for j, label in enumerate(frame_labels):
        data = [go.Scatter(y=_f32(np.asarray(mv[name])[j])) for _, _, mv in panels for name in mv]
        frames.append(
            go.Frame(
                name=str(label),
                data=data,
                traces=moving_idx,
                layout=dict(title=dict(text=title.format(label))),
            )
        )
    fig.frames = frames
    play = dict(
        frame=dict(duration=frame_ms, redraw=True),
        transition=dict(duration=0),
        fromcurrent=False,
        mode="immediate",
    )
    pause = dict(
        frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate"
    )
    fig.update_layout(
        title=dict(text=title.format(frame_labels[current]) if k else ""),
        height=height,
        margin=dict(t=70, b=10, l=10, r=10),
        yaxis=dict(range=list(yrange) if yrange else None),
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=1.0,
                xanchor="right",
                y=1.18,
                yanchor="top",
                showactive=False,
                pad=dict(r=0, t=0),
                buttons=[
                    dict(label="▶ Play", method="animate", args=[None, play]),
                    dict(label="Pause", method="animate", args=[[None], pause]),
                ],
            )
        ],
    )
    return legend_below(fig)
