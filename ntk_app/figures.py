"""plotly figure builders shared by the pages (no numerics beyond display preparation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

MAX_CELLS = 100  # heatmaps are downsampled to at most MAX_CELLS × MAX_CELLS
ZERO_EIG = 1e-12  # eigenvalues below this fraction of λ_max are zero to rounding
_BELOW_BAR_PX = 90  # bottom margin that holds the x axis and a horizontal colour bar under it
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# Legend placement, in one place: below the whole figure (the figure's container, so it never
# overlaps an x-axis title, however many entries wrap), or in one row above the plot.
LEGEND_BELOW = dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom")
LEGEND_ABOVE = dict(orientation="h", x=0, y=1.02, yanchor="bottom")
# Base margins, px. Streamlit mounts every chart afresh on each rerun (a chart's element id
# includes its figure), and a fresh plotly chart whose margins are too small for its tick labels,
# axis titles, colour bar or legend grows them and draws itself a second time. Margins that
# already hold them make it one draw (Infinite width, cold width steps in Chromium: first chart
# repainted 534 -> 387 ms, medians of 6). plotly's automargin stays on, so a longer label than
# planned still fits, at the cost of that second draw. Sizes measured on the pages
# (gd._fullLayout._size after the automatic growth).
AXIS_LEFT_PX = 72  # y tick labels of up to ~5 characters and the y title (measured 59-68)
AXIS_LEFT_LOG_PX = 88  # powers of ten (10⁻³) or long numbers on the y axis (measured 78-86)
AXIS_BOTTOM_PX = 68  # x tick labels and the x title (measured 65-67)
LEGEND_ROW_PX = 30  # one row of a horizontal legend under the plot (measured 29)
COLORBAR_PX = 84  # a vertical colour bar right of the plot (measured 72-82)
HEATMAP_LEFT_PX, HEATMAP_BOTTOM_PX = 80, 76  # a square heatmap's axes and their titles
# hover text of a kernel heatmap's cell: both inputs and the value
KERNEL_HOVER = "x: %{x:.4g}<br>x′: %{y:.4g}<br>%{z:.4g}<extra></extra>"


def margin(
    t: int = 40,
    *,
    left: int = AXIS_LEFT_PX,
    bottom: int = AXIS_BOTTOM_PX,
    right: int = 10,
    legend_rows: int = 0,
) -> dict:
    """A layout's ``margin`` that already holds the axes (see AXIS_LEFT_PX and the note
    above it); ``legend_rows`` rows of a legend under the plot are added to the bottom."""
    return dict(t=t, b=bottom + legend_rows * LEGEND_ROW_PX, l=left, r=right)


PALETTE = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#72b7b2",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
    "#eeca3b",
)


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
    colorbar: str = "right",
) -> go.Figure:
    """A kernel matrix as a heatmap: float32, ≤ MAX_CELLS², a diverging scale centred at 0 when
    ``diverging`` (signed data such as A − B), otherwise a sequential scale.

    ``colorbar``: "right" (beside the plot), "below" (a horizontal bar under the x axis: narrow
    columns keep a large square), "hidden" (no bar, but the same room as "below", so that a row
    of heatmaps sharing one scale shows it once and every square keeps the same size) or
    "none"."""
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
        title=title,
        height=height,
        margin=margin(left=HEATMAP_LEFT_PX, bottom=HEATMAP_BOTTOM_PX,
                      right=COLORBAR_PX if colorbar == "right" else 10),
        yaxis=dict(
            autorange="reversed",
            scaleanchor="x",
            constrain="domain",
            constraintoward="top",  # squares in a row line up under their titles
            title=axis_title,
        ),
        xaxis=dict(title=axis_title, constrain="domain"),
    )
    if colorbar in ("none", "hidden"):
        fig.update_traces(showscale=False)
    elif colorbar == "below":
        # pinned to the figure's bottom edge (container coordinates), under the axis title
        fig.update_traces(
            colorbar=dict(
                orientation="h",
                x=0.5,
                xanchor="center",
                yref="container",
                y=0.0,
                yanchor="bottom",
                len=0.9,
                thickness=12,
                ypad=4,
            )
        )
    if colorbar in ("below", "hidden"):
        fig.update_layout(margin=dict(b=_BELOW_BAR_PX))
    return fig


def square_panels(domains: Sequence[tuple[float, float]], axis_title: str, *,
                  x_titles: str = "all") -> dict:
    """Layout axes of square panels side by side (``domains``: each panel's x extent, in paper
    units); the y axes run downwards like a matrix and only the first names its y axis.
    ``x_titles``: "all" panels name their x axis, or only the "first"."""
    out: dict = {}
    for i, dom in enumerate(domains, start=1):
        s = "" if i == 1 else str(i)
        x_title = axis_title if i == 1 or x_titles == "all" else ""
        out[f"xaxis{s}"] = {"domain": list(dom), "anchor": f"y{s}", "constrain": "domain",
                            "title": {"text": x_title}}
        out[f"yaxis{s}"] = {"domain": [0.0, 1.0], "anchor": f"x{s}", "scaleanchor": f"x{s}",
                            "constrain": "domain", "constraintoward": "top",
                            "autorange": "reversed",
                            "title": {"text": axis_title if i == 1 else ""}}
    return out


def panel_titles(titles: Sequence[str], domains: Sequence[tuple[float, float]],
                 font_size: int | None = None) -> list[dict]:
    """One annotation per panel, centred above it."""
    font = {"font": {"size": font_size}} if font_size else {}
    return [{"text": t, "x": sum(d) / 2, "y": 1.0, "xref": "paper", "yref": "paper",
             "xanchor": "center", "yanchor": "bottom", "showarrow": False, **font}
            for t, d in zip(titles, domains, strict=True)]


def heatmap_row(
    panels: Sequence[tuple[np.ndarray, str]],
    *,
    zrange: tuple[float, float],
    axis_values: np.ndarray,
    axis_title: str,
    height: int = 360,
) -> go.Figure:
    """Square heatmaps side by side in one figure, on one colour scale (one colour bar, right):
    ``panels`` is a sequence of (matrix, title). One chart is mounted, laid out and drawn once
    where separate charts would each be (every rerun remounts a chart, see AXIS_LEFT_PX's
    note): Infinite width's cold width steps repainted their first chart at 306 ms instead of
    354 (medians of 9 in Chromium).
    """
    n, gap = len(panels), 0.06
    span = (1.0 - gap * (n - 1)) / n
    domains = [(i * (span + gap), i * (span + gap) + span) for i in range(n)]
    ax = downsample(np.asarray(axis_values)[None, :])[0].astype(np.float32)
    data = [{"type": "heatmap", "z": downsample(finite_or_none(z)).astype(np.float32),
             "x": ax, "y": ax, "xaxis": f"x{s}", "yaxis": f"y{s}",
             "coloraxis": "coloraxis", "hovertemplate": KERNEL_HOVER}
            for s, (z, _) in zip(["", *map(str, range(2, n + 1))], panels, strict=True)]
    layout = {
        **square_panels(domains, axis_title),
        "height": height,
        "annotations": panel_titles([t for _, t in panels], domains, font_size=14),
        "margin": margin(left=HEATMAP_LEFT_PX, bottom=HEATMAP_BOTTOM_PX, right=COLORBAR_PX),
        "coloraxis": {"colorscale": "Viridis", "cmin": zrange[0], "cmax": zrange[1]},
    }
    return go.Figure({"data": data, "layout": layout})


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
        fig.add_trace(
            go.Scatter(
                x=np.asarray(xv, dtype=np.float64),
                y=yv,
                name=name,
                mode=mode,
                line=dict(color=PALETTE[i % len(PALETTE)], dash=(dashes or {}).get(name, "solid")),
            )
        )
    fig.update_layout(
        title=title,
        height=height,
        margin=margin(70, left=AXIS_LEFT_LOG_PX if logy else AXIS_LEFT_PX, right=24),
        xaxis=dict(title=xlabel, type="log" if logx else "linear"),
        yaxis=dict(title=ylabel, type="log" if logy else "linear"),
        legend=LEGEND_ABOVE,
    )
    return log_ticks(fig)


def band(
    fig: go.Figure, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, name: str, color: str
) -> go.Figure:
    """Add a shaded band between ``lo`` and ``hi`` (e.g. mean ± std over seeds)."""
    xs = np.concatenate([x, x[::-1]]).astype(np.float64)
    ys = finite_or_none(np.concatenate([hi, lo[::-1]]))
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            fill="toself",
            fillcolor=color,
            opacity=0.25,
            line=dict(width=0),
            name=name,
            hoverinfo="skip",
        )
    )
    return fig


def spectrum(eigvals: np.ndarray, title: str = "Eigen-spectrum of Θ", height: int = 320):
    """Eigenvalues (descending) on a log axis; zeros are dropped, and so are eigenvalues below
    ZERO_EIG of the largest (zero to rounding: ntk_core clips eigenvalues at 0)."""
    lam = finite_or_none(eigvals)
    idx = np.arange(1, lam.size + 1)
    top = np.nanmax(lam) if np.isfinite(lam).any() else 0.0
    fig = go.Figure(
        go.Scatter(
            x=idx,
            y=np.where(lam > max(ZERO_EIG * top, 0.0), lam, np.nan),
            mode="markers+lines",
            name="λ_i",
            line=dict(color=PALETTE[0]),
        )
    )
    fig.update_layout(
        title=title,
        height=height,
        margin=margin(left=AXIS_LEFT_LOG_PX),
        xaxis=dict(title="index i"),
        yaxis=dict(title="λ_i", type="log"),
    )
    return log_ticks(fig)


def _pow10_text(v: float) -> str:
    """1 → "1", 10 → "10", 100 → "10²", 0.001 → "10⁻³", 2e-5 → "2×10⁻⁵" (as plotly's
    exponentformat="power" writes decades)."""
    k = int(np.floor(np.log10(v) + 1e-9))
    m = round(v / 10.0**k, 6)
    if k in (0, 1):
        return f"{v:g}"
    exp = f"10{str(k).translate(_SUPERSCRIPT)}"
    return exp if m == 1 else f"{m:g}×{exp}"


def log_ticks(fig: go.Figure, axis: str = "both") -> go.Figure:
    """Label log axes unambiguously (plotly's default labels 2 and 5 of each decade as bare
    digits, so "5" can mean 5 or 0.5, and it mixes "0.001" with "100µ"):

    - two decades or more: the powers of ten only (every k-th one when there are many), with
      unlabelled minor ticks in between;
    - one to two decades: 1, 2, 5 × 10ᵏ, each written in full;
    - less than a decade: plotly's own ticks, which are then full numbers (0.3, 0.4, …).

    Axes whose values lie in [1, 10⁵] (widths, steps) read 1, 10, 100, 1,000; other axes use
    powers (10⁻³, 10⁻¹, 1, 10, 10²). Looks at every trace's data (or the axis range, if one is
    set), so call it again after adding traces; linear axes are left alone. ``axis``: "x",
    "y" or "both"."""
    for ax in ("x", "y") if axis == "both" else (axis,):
        layout_ax = fig.layout[f"{ax}axis"]
        if layout_ax.type != "log":
            continue
        if layout_ax.range is not None and None not in layout_ax.range:
            # the range is in decades; clip to what float64 can hold
            lo, hi = (10.0 ** float(np.clip(r, -300, 300)) for r in sorted(layout_ax.range))
        else:
            vals = [
                np.asarray(getattr(tr, ax), dtype=np.float64).ravel()
                for tr in fig.data
                if getattr(tr, ax, None) is not None
            ]
            v = np.concatenate(vals) if vals else np.empty(0)
            v = v[np.isfinite(v) & (v > 0)]
            if v.size == 0:
                continue
            lo, hi = float(v.min()), float(v.max())
        settings = log_axis(lo, hi)
        (fig.update_xaxes if ax == "x" else fig.update_yaxes)(**settings)
    return fig


def log_axis(lo: float, hi: float) -> dict:
    """The tick settings :func:`log_ticks` gives a log axis whose data span [``lo``, ``hi``]
    (both > 0), as a plain dict: merge it into a layout's ``xaxis``/``yaxis`` dict when a figure
    is built in one go (no validated ``update_*axes`` call per run)."""
    plain = lo >= 1.0 and hi <= 1e5
    decades = float(np.log10(hi) - np.log10(lo))  # hi / lo can overflow
    settings: dict = dict(ticks="outside", ticklen=5, minor=dict(ticks=""))
    if plain:
        settings.update(tickformat=",~r", exponentformat="none")
    else:
        settings.update(tickformat="", exponentformat="power", showexponent="all")
    if decades >= 2.0:
        step = max(1, int(np.ceil(decades / 8)))  # at most ~9 labels: every step-th decade
        settings.update(
            tickmode="linear",
            tick0=0,
            dtick=step,
            minor=dict(
                ticks="outside", ticklen=3, dtick="D1" if step == 1 else 1, showgrid=False
            ),
        )
    elif decades >= 1.0:
        k0, k1 = int(np.floor(np.log10(lo))) - 1, int(np.ceil(np.log10(hi))) + 1
        ticks = [m * 10.0**k for k in range(k0, k1 + 1) for m in (1, 2, 5)]
        ticks = [t for t in ticks if lo / 1.6 <= t <= hi * 1.6]
        text = [
            f"{t:,.0f}" if plain else (f"{t:g}" if 1e-3 <= t < 1e5 else _pow10_text(t))
            for t in ticks
        ]
        settings.update(tickmode="array", tickvals=ticks, ticktext=text)
    else:
        settings.update(tickmode="auto", dtick=None, tick0=None)
    settings["hoverformat"] = ",.6~g" if plain else ".4~g"
    return settings
