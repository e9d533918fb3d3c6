"""plotly builders for 1-D function fits: curves on a test grid over the training points.

Display preparation only (NaN/inf become gaps, float32 payloads); no numerics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from .figures import LEGEND_BELOW, PALETTE, finite_or_none, margin

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
        margin=margin(),
        xaxis=dict(title=xlabel),
        yaxis=dict(title=ylabel, range=list(yrange) if yrange else None),
    )
    return legend_below(fig, bottom=114)  # measured on Lazy vs rich's knob panel


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


def legend_below(fig: go.Figure, bottom: int | None = None) -> go.Figure:
    """Move a figure's legend under the plot (horizontal), clear of the title and of the x axis
    title: it sits on the figure's bottom edge (container coordinates) and plotly grows the
    bottom margin to make room for it, whatever the figure's height. The base bottom margin is
    raised to ``bottom`` px, by default what one row of it needs (figures.margin: one draw
    instead of two)."""
    bottom = max(fig.layout.margin.b or 0, bottom or margin(legend_rows=1)["b"])
    fig.update_layout(legend=LEGEND_BELOW, margin=dict(b=bottom))
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
    animation frames for every frame label and a Play / Pause button that animates them in the
    browser (no server round trip).

    ``panels``: (subplot title, static curves {name: (n,)}, moving curves {name: (k, n)}); the
    moving curves' row j is frame j. ``title`` is formatted with the frame label. An empty
    subplot title draws none.

    Built as plain dicts and validated once by the one ``go.Figure`` call (adding traces and
    frames one by one re-validated the figure each time: ≈ 5× slower for 21 frames).
    """
    k = len(frame_labels)
    n_panels = max(len(panels), 1)
    gap = 0.05
    span = (1.0 - gap * (n_panels - 1)) / n_panels
    xs = np.asarray(x, dtype=np.float64).reshape(-1).astype(np.float32)
    palette: dict[str, str] = {}
    data: list[dict] = []
    moving_idx: list[int] = []
    layout: dict = {}
    for col, (sub_title, static, moving) in enumerate(panels, start=1):
        suffix = "" if col == 1 else str(col)
        lo = (col - 1) * (span + gap)
        layout[f"xaxis{suffix}"] = dict(domain=[lo, lo + span], anchor=f"y{suffix}")
        layout[f"yaxis{suffix}"] = dict(anchor=f"x{suffix}", range=list(yrange) if yrange else None)
        if col > 1:
            layout[f"yaxis{suffix}"].update(matches="y", showticklabels=False)
        if sub_title:
            layout.setdefault("annotations", []).append(dict(
                text=sub_title, x=lo + span / 2, y=1.0, xref="paper", yref="paper",
                xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=16)))
        for name in [*static, *moving]:
            color = (colors or {}).get(name) or palette.setdefault(
                name, PALETTE[len(palette) % len(PALETTE)]
            )
            if name in moving:
                moving_idx.append(len(data))
                y = np.asarray(moving[name])[current]
            else:
                y = static[name]
            data.append(dict(
                type="scatter", x=xs, y=_f32(y), name=name, mode="lines", legendgroup=name,
                showlegend=col == 1, xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                line=dict(color=color, dash=(dashes or {}).get(name, "solid"), width=2),
            ))
        if points is not None:
            px_, py_ = (np.asarray(a, dtype=np.float64).reshape(-1) for a in points)
            data.append(dict(
                type="scatter", x=px_.astype(np.float32), y=_f32(py_), name=points_name,
                mode="markers", legendgroup=points_name, showlegend=col == 1,
                xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                marker=dict(color="black", size=8, symbol="circle-open", line=dict(width=2)),
            ))
    frames = [
        dict(
            name=str(label),
            data=[dict(type="scatter", y=_f32(np.asarray(mv[name])[j]))
                  for _, _, mv in panels for name in mv],
            traces=moving_idx,
            layout=dict(title=dict(text=title.format(label))),
        )
        for j, label in enumerate(frame_labels)
    ]
    play = dict(frame=dict(duration=frame_ms, redraw=True), transition=dict(duration=0),
                fromcurrent=False, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0),
                 mode="immediate")
    layout.update(
        title=dict(text=title.format(frame_labels[current]) if k else ""),
        height=height,
        margin=margin(70, left=45, bottom=72, legend_rows=1),
        updatemenus=[dict(
            type="buttons", direction="left", x=1.0, xanchor="right", y=1.18, yanchor="top",
            showactive=False, pad=dict(r=0, t=0),
            buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                     dict(label="Pause", method="animate", args=[[None], pause])],
        )],
        legend=LEGEND_BELOW,
    )
    return go.Figure(data=data, layout=layout, frames=frames)
