"""Figures of the Width stability page: the three kernel heatmaps (with one animation frame per
width), the log-log sweep and the kernel slices. Display preparation only (float32 payloads,
NaN for non-finite values); no numerics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ntk_core.experiments import KernelPair, KernelSlices, WidthSweep

from .. import figures
from ..fits import legend_below
from ..format import count

SQUARE_PX = 205  # plot-area height: about the width of one of three panels at a 1280-px window
TOP_PX, AXIS_PX, BAR_PX, SLIDER_PX = 50, 38, 36, 76  # AXIS_PX: tick labels above the bars
DOMAINS = ((0.0, 0.29), (0.355, 0.645), (0.71, 1.0))
_ANIMATE = {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
            "transition": {"duration": 0}}


def _f32(a: np.ndarray) -> np.ndarray:
    return figures.finite_or_none(a).astype(np.float32)


def _frame(kp: KernelPair, width: int, middle: str) -> tuple[list[dict], dict]:
    """The two width-dependent traces (Θ_A, middle panel) and the layout of one width: colour
    ranges (Θ_A, Θ∞ and Θ_B share one; A − B is symmetric about 0) and the title's numbers."""
    mid = kp.theta_a - kp.theta_b if middle == "diff" else kp.theta_b
    shown = [kp.theta_a, kp.analytic] + ([kp.theta_b] if middle == "B" else [])
    lo = float(min(np.nanmin(k) for k in shown))
    hi = float(max(np.nanmax(k) for k in shown))
    layout: dict = {
        "coloraxis": {"cmin": lo, "cmax": hi},
        "title": {"text": f"width {count(width)}: variation A vs B {kp.variation:.3f}, "
                          f"distance of Θ_A to Θ∞ {kp.distance_a:.3f}",
                  "x": 0, "xanchor": "left", "font": {"size": 15}},
    }
    if middle == "diff":
        lim = float(np.nanmax(np.abs(mid))) if np.isfinite(mid).any() else 1.0
        layout["coloraxis2"] = {"cmin": -(lim or 1.0), "cmax": lim or 1.0}
    data = [{"type": "heatmap", "z": _f32(kp.theta_a)}, {"type": "heatmap", "z": _f32(mid)}]
    return data, layout


def _colorbar(panel: int) -> dict:
    """A horizontal colour bar under ``panel``, below its x axis title."""
    lo, hi = DOMAINS[panel]
    return {"orientation": "h", "x": (lo + hi) / 2, "xanchor": "center", "len": hi - lo,
            "thickness": 10, "y": -AXIS_PX / SQUARE_PX, "yanchor": "top", "ypad": 0}


def kernel_figure(widths: Sequence[int], pairs: Sequence[KernelPair], active: int, *,
                  middle: str, axis: np.ndarray, axis_title: str) -> go.Figure:
    """Θ_A, the middle panel (Θ_A − Θ_B or Θ_B) and Θ∞ as three square heatmaps at
    ``widths[active]``. With several widths, every width is an animation frame and the
    figure's own slider (under the heatmaps) scrubs them in the browser."""
    frames = [_frame(kp, w, middle) for w, kp in zip(widths, pairs, strict=True)]
    animated = len(widths) > 1
    bottom = AXIS_PX + BAR_PX + (SLIDER_PX if animated else 0)
    height = TOP_PX + SQUARE_PX + bottom
    ax = _f32(axis)
    hover = figures.KERNEL_HOVER
    data, layout = frames[active]
    traces = [
        {**data[0], "x": ax, "y": ax, "coloraxis": "coloraxis", "hovertemplate": hover},
        {**data[1], "x": ax, "y": ax, "xaxis": "x2", "yaxis": "y2", "hovertemplate": hover,
         "coloraxis": "coloraxis2" if middle == "diff" else "coloraxis"},
        {"type": "heatmap", "z": _f32(pairs[active].analytic), "x": ax, "y": ax, "xaxis": "x3",
         "yaxis": "y3", "coloraxis": "coloraxis", "hovertemplate": hover},
    ]
    titles = ("Θ_A: init A",
              "Θ_A − Θ_B (own scale)" if middle == "diff" else "Θ_B: init B",
              "Θ∞: analytic, infinite width")
    full_layout: dict = {
        "height": height,
        "margin": {"t": TOP_PX, "b": bottom + 6, "l": 68, "r": 8},  # figures.margin's note
        "title": layout["title"],
        "annotations": figures.panel_titles(titles, DOMAINS),
        "coloraxis": {**layout["coloraxis"], "colorscale": "Viridis",
                      "colorbar": _colorbar(2)},
        # three square panels; only the first names its axes (colour bars sit under the others)
        **figures.square_panels(DOMAINS, axis_title, x_titles="first"),
    }
    if middle == "diff":
        full_layout["coloraxis2"] = {**layout["coloraxis2"], "colorscale": "RdBu",
                                     "colorbar": _colorbar(1)}
    spec: dict = {"data": traces, "layout": full_layout}
    if animated:
        spec["frames"] = [{"name": str(w), "traces": [0, 1], "data": d, "layout": lay}
                          for w, (d, lay) in zip(widths, frames, strict=True)]
        full_layout["sliders"] = [{
            "active": active, "len": 0.97, "x": 0.015, "y": -bottom / SQUARE_PX,
            "yanchor": "bottom", "pad": {"t": 0, "b": 4},
            "currentvalue": {"prefix": "Scrub in the browser, width ", "font": {"size": 13}},
            "steps": [{"label": count(w), "method": "animate", "args": [[str(w)], _ANIMATE]}
                      for w in widths]}]
    return go.Figure(spec)


def sweep_figure(res: WidthSweep, c_var: float) -> go.Figure:
    """Mean variation and distance vs width (log-log) with min–max bands over the pairs and the
    c/√width reference line."""
    ws = res.widths.astype(np.float64)
    var, dist, ref = "‖Θ_A − Θ_B‖/‖Θ_A‖ (mean)", "‖Θ_A − Θ∞‖/‖Θ∞‖ (mean)", "c · width^(−1/2)"
    fig = figures.lines(
        ws, {var: res.variation_mean, dist: res.distance_mean, ref: c_var / np.sqrt(ws)},
        "Relative spread vs width (log-log)", xlabel="width", ylabel="relative Frobenius norm",
        logx=True, logy=True, dashes={ref: "dash"}, markers=[var, dist], height=460)
    k = res.variation.shape[1]
    figures.band(fig, ws, res.variation.min(axis=1), res.variation.max(axis=1),
                 f"A vs B: min–max of {k} pairs", figures.PALETTE[0])
    figures.band(fig, ws, res.distance.min(axis=1), res.distance.max(axis=1),
                 f"A vs Θ∞: min–max of {k} pairs", figures.PALETTE[1])
    figures.log_ticks(fig)  # again, now that the bands are in
    return legend_below(fig, bottom=142)  # five entries in two rows, measured


def slices_figure(sl: KernelSlices, axis: np.ndarray, axis_title: str,
                  x0_label: str) -> tuple[go.Figure, dict[str, np.ndarray]]:
    """Θ(x₀, ·) of init A at each width over the analytic row (dashed, black), sorted along the
    axis; also the plotted columns for a CSV download."""
    order = np.argsort(axis)
    curves = {f"width {count(w)}": row[order] for w, row in zip(sl.widths, sl.empirical,
                                                                strict=True)}
    curves["Θ∞ (analytic)"] = sl.analytic[order]
    fig = figures.lines(axis[order], curves, f"Θ(x₀, x) with {x0_label}: init A at each width",
                        xlabel=axis_title, ylabel="Θ(x₀, x)", dashes={"Θ∞ (analytic)": "dash"},
                        height=400)
    fig.update_traces(selector={"name": "Θ∞ (analytic)"}, line={"color": "black", "width": 3})
    csv = {axis_title.split(" ")[0]: axis[order]}
    csv.update({f"width_{int(w)}": row[order] for w, row in zip(sl.widths, sl.empirical,
                                                               strict=True)})
    csv["analytic"] = sl.analytic[order]
    return legend_below(fig), csv
