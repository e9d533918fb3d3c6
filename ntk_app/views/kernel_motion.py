"""Kernel motion: fluctuation between inits vs evolution during training, scale-free measures,
and the three parameterizations (sections of pages/6_Kernel_motion.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ntk_core import MLP, make_inputs, motion, setups, target_function
from ntk_core.cost import Cost
from ntk_core.motion import KernelMotion, ParameterizationLimits, RateFit

from .. import format as fmt
from ..budget import with_progress
from ..figures import AXIS_LEFT_LOG_PX, LEGEND_BELOW, PALETTE, log_ticks, margin
from ..layout import to_csv

SERIES = {  # measure: (label, colour, dash)
    "spread": ("spread between two inits", PALETTE[2], "dot"),
    "change": ("change during training, whole Θ", PALETTE[0], "solid"),
    "change_hidden": ("… hidden-layer block", PALETTE[1], "solid"),
    "change_readout": ("… readout block", PALETTE[3], "solid"),
}
LAW_TEXT = {  # (activation, measure): the law that applies, for the fit table
    ("relu", "spread"): "m^(−1/2): central limit theorem over m units",
    ("erf", "spread"): "m^(−1/2): central limit theorem over m units",
    ("relu", "change"): "≈ m^(−1/2): gate flips (hidden block); bound O(m^(−1/2))",
    ("erf", "change"): "≈ 1/m: sign cancellation; bound O(m^(−1/2)) not attained",
    ("relu", "change_hidden"): "≈ m^(−1/2): gate flips",
    ("erf", "change_hidden"): "≈ 1/m: sign cancellation",
    ("relu", "change_readout"): "≈ 1/m",
    ("erf", "change_readout"): "≈ 1/m",
}


def _stats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per width: mean, min and max over the seeds' finite values (NaN where none)."""
    ok = np.isfinite(values)
    count = ok.sum(axis=1)
    mean = np.where(count > 0, np.where(ok, values, 0).sum(axis=1) / np.maximum(count, 1), np.nan)
    lo = np.where(count > 0, np.where(ok, values, np.inf).min(axis=1), np.nan)
    hi = np.where(count > 0, np.where(ok, values, -np.inf).max(axis=1), np.nan)
    return mean, lo, hi


def _fit_line(fit: RateFit, widths: np.ndarray, values: np.ndarray) -> tuple[list, list]:
    """The fitted power law drawn over its own widths, through the fit's geometric centre."""
    if not np.isfinite(fit.slope) or len(fit.widths) < 2:
        return [], []
    keep = np.isin(widths, fit.widths)
    mean = _stats(values[keep])[0]
    lw, lm = np.log(np.asarray(fit.widths, float)), np.log(mean)
    c = np.mean(lm) - fit.slope * np.mean(lw)
    xs = np.array([fit.widths[0], fit.widths[-1]], float)
    return xs.tolist(), np.exp(c + fit.slope * np.log(xs)).tolist()


def rates_figure(motion: KernelMotion, title: str, height: int = 420) -> go.Figure:
    """Log-log: each measure's mean over seeds (markers, min–max band) and its fitted slope over
    the asymptotic widths (straight segment); the slope is in the legend."""
    w = motion.widths.astype(np.float64)
    traces = []
    for key, (label, colour, dash) in SERIES.items():
        values = getattr(motion, key)
        mean, lo, hi = _stats(values)
        fit = motion.fits[key]
        traces.append(go.Scatter(
            x=np.concatenate([w, w[::-1]]), y=np.concatenate([hi, lo[::-1]]).astype(np.float32),
            fill="toself", fillcolor=colour, opacity=0.18, line=dict(width=0), mode="lines",
            hoverinfo="skip", showlegend=False, legendgroup=key))
        traces.append(go.Scatter(
            x=w, y=mean.astype(np.float32), mode="markers+lines", legendgroup=key,
            name=f"{label}: slope {fmt.num(fit.slope, '+.2f')}",
            line=dict(color=colour, dash=dash, width=1), marker=dict(size=7)))
        fx, fy = _fit_line(fit, motion.widths, values)
        traces.append(go.Scatter(x=fx, y=fy, mode="lines", line=dict(color=colour, width=4),
                                 opacity=0.6, showlegend=False, legendgroup=key,
                                 hoverinfo="skip"))
    layout = go.Layout(
        title=dict(text=title), height=height,
        margin=margin(50, left=AXIS_LEFT_LOG_PX, legend_rows=4),  # four rows of legend, measured
        xaxis=dict(title="width m", type="log"), yaxis=dict(title="relative change", type="log"),
        legend=LEGEND_BELOW,
    )
    return log_ticks(go.Figure(data=traces, layout=layout))


def rates_table(motions: dict[str, KernelMotion]) -> pd.DataFrame:
    """One row per activation and measure: fitted slope, its range over seeds, fit widths."""
    rows = []
    for act, m in motions.items():
        for key, (label, _, _) in SERIES.items():
            fit = m.fits[key]
            lo, hi = fit.seed_range
            rows.append({
                "activation": act, "measure": label.replace("… ", ""),
                "slope": round(fit.slope, 2),
                "per-seed slopes": f"{fmt.num(lo, '+.2f')} … {fmt.num(hi, '+.2f')}",
                "fit over widths": ", ".join(fmt.count(v) for v in fit.widths),
                "seeds": getattr(m, key).shape[1],
                "what to expect": LAW_TEXT[(act, key)],
            })
    return pd.DataFrame(rows)


def laws_explained() -> None:
    """Which law is which, and why."""
    st.markdown(
        "**Two different things.** The *spread between initialisations* compares two random "
        "draws of the same network before any training. Θ is an average over m units, so by the "
        r"central limit theorem the spread falls like $m^{-1/2}$ for every activation. "
        "The *change during training* compares one network's kernel before and after gradient "
        "descent. [Lee et al. 2019](https://arxiv.org/abs/1902.06720) prove it is **at most** "
        r"$O(m^{-1/2})$ in the NTK parameterization; that is an upper bound, and how fast it "
        "really falls depends on the activation:"
    )
    st.markdown(
        "- **Smooth activations (erf): ≈ 1/m.** Each unit moves by O(1/√m), but its move is "
        "multiplied by the random sign of its readout weight, and the m contributions cancel "
        "in the sum ([Dyer & Gur-Ari 2020](https://arxiv.org/abs/1909.11304); "
        "[Huang & Yau 2020](https://arxiv.org/abs/1909.08156)). Both blocks fall like ≈ 1/m.\n"
        "- **ReLU: ≈ m^(−1/2), carried by the hidden-layer block.** A unit whose "
        "pre-activation crosses zero at a training point flips its gate: a jump of its "
        "derivative that does not cancel. The readout block still falls like ≈ 1/m."
    )


def scale_free_table(motions: dict[str, KernelMotion]) -> pd.DataFrame:
    """Per parameterization (or activation) and width: Frobenius change beside the scale-free
    measures, seed means."""
    rows = []
    for name, m in motions.items():
        for i, w in enumerate(m.widths):
            def mean(a: np.ndarray, i: int = i) -> float:
                r = a[i][np.isfinite(a[i])]
                return float(r.mean()) if r.size else float("nan")
            rows.append({
                "setting": name, "width": fmt.count(w),
                "Frobenius change": fmt.pct(mean(m.change)),
                "alignment distance": fmt.num(mean(m.alignment), ".2g"),
                "trace ratio tr Θ_T / tr Θ_0": fmt.num(mean(m.trace_ratio), ".3g"),
                "kernel–target alignment t=0": fmt.num(mean(m.target_alignment_0), ".3f"),
                "kernel–target alignment t=T": fmt.num(mean(m.target_alignment_T), ".3f"),
            })
    return pd.DataFrame(rows)


def limits_figure(limits: ParameterizationLimits) -> go.Figure:
    """Distance of each parameterization's rescaled kernel at init to the kernel it tends to."""
    w = limits.widths.astype(np.float64)
    labels = {"standard": "standard: Θ/m vs the readout-only kernel",
              "ntk": "NTK: Θ vs Θ∞", "mean_field": "mean-field: m·Θ vs Θ∞ (= NTK exactly)"}
    traces = []
    for i, (p, d) in enumerate(limits.distance.items()):
        mean = _stats(d)[0]
        traces.append(go.Scatter(
            x=w, y=mean.astype(np.float32), mode="markers+lines",
            name=f"{labels[p]}: slope {fmt.num(limits.fits[p].slope, '+.2f')}",
            line=dict(color=PALETTE[i], dash="dot" if p == "mean_field" else "solid")))
    layout = go.Layout(
        title="At initialisation: each rescaled kernel approaches its own limit",
        height=380, margin=margin(50, left=AXIS_LEFT_LOG_PX, legend_rows=1),
        xaxis=dict(title="width m", type="log"),
        yaxis=dict(title="relative Frobenius distance", type="log"),
        legend=LEGEND_BELOW)
    return log_ticks(go.Figure(data=traces, layout=layout))


PARAMETERIZATION_TABLE = pd.DataFrame(
    {
        "readout": ["v·a, v ~ N(0, σ_w²/m)", "σ_w·v·a/√m", "σ_w·v·a/m"],
        "step η must scale": ["∝ 1/m", "O(1), fixed", "∝ m"],
        "kernel it converges to": ["Θ/m → readout-only kernel E[φφ]", "Θ → Θ∞ (the NTK)",
                                   "none fixed: m·Θ starts at Θ∞ and evolves"],
        "features move?": ["no (lazy)", "no (lazy): change at most O(m^(−1/2))",
                           "yes, O(1) at every width"],
    },
    index=["standard", "NTK", "mean-field / μP"],
)


# ----------------------------------------------------------------------------- compute (cached)
def _setup() -> tuple[np.ndarray, np.ndarray]:
    x = make_inputs("grid", setups.MOTION_POINTS)
    return x, target_function("sin", x)


@st.cache_data(max_entries=64, show_spinner=False)
def one_width(act: str, param: str, width: int, seeds: int, seed: int) -> KernelMotion:
    """The page's set-up (ntk_core.setups) at one width: cached, so a sweep is assembled from
    cells that other settings already computed."""
    x, y = _setup()
    net = MLP(1, width, act, bias_std=setups.MOTION_SIGMA_B, parameterization=param)
    return motion.kernel_motion(x, y, net, [width], lr=setups.MOTION_LR,
                                steps=setups.MOTION_STEPS, n_seeds=seeds, seed=seed,
                                fit_from=setups.MOTION_FIT_FROM,
                                n_spread=setups.MOTION_PAIRS)


def sweep(act: str, param: str, widths: tuple[int, ...], seeds: int, seed: int,
          label: str) -> KernelMotion:
    """:func:`one_width` over ``widths`` with a progress bar, combined and refitted."""
    parts = [one_width(act, param, w, seeds, seed)
             for w in with_progress(widths, len(widths), label)]
    return motion.combine(parts, fit_from=setups.MOTION_FIT_FROM)


def sweep_cost(acts: tuple[str, ...], widths: tuple[int, ...], seeds: int,
               param: str = "ntk") -> Cost:
    """Estimated cost of :func:`sweep` for each activation (erf trains slower than ReLU)."""
    x, y = _setup()
    total = Cost(0.0, 0.0)
    for act in acts:
        net = MLP(1, widths[0], act, bias_std=setups.MOTION_SIGMA_B, parameterization=param)
        total = total + motion.kernel_motion_cost(x, y, net, widths, steps=setups.MOTION_STEPS,
                                                  n_seeds=seeds, n_spread=setups.MOTION_PAIRS)
    return total


@st.cache_data(max_entries=4, show_spinner=False)
def limits(seed: int) -> ParameterizationLimits:
    """Each parameterization's rescaled kernel at init vs its limit, widths 100 … 10,000."""
    x, _ = _setup()
    net = MLP(1, 10, "relu", bias_std=setups.MOTION_SIGMA_B)
    return motion.parameterization_limits(x, net, (100, 1000, 10_000), seed=seed)


def sweep_csv(motions: dict[str, KernelMotion]) -> bytes:
    """Seed means of every measure per width, one column per activation and measure."""
    first = next(iter(motions.values()))
    cols = {"width": first.widths}
    for act, m in motions.items():
        for key in SERIES:
            cols[f"{act}_{key}"] = _stats(getattr(m, key))[0]
    return to_csv(cols)


def scale_or_shape_intro() -> None:
    """What the scale-free measures separate."""
    st.markdown(
        "The Frobenius change mixes two things: the kernel growing or shrinking, and its shape "
        r"changing. The trace ratio $\mathrm{tr}\,\Theta_T/\mathrm{tr}\,\Theta_0$ measures the "
        r"first; the alignment distance $1 - \langle\Theta_0,\Theta_T\rangle_F/"
        r"(\|\Theta_0\|_F\|\Theta_T\|_F)$ and the kernel–target alignment "
        r"$y^\top\Theta y/(\|\Theta\|_F\|y\|^2)$ "
        "([Cristianini et al. 2002](https://papers.nips.cc/paper/1946-on-kernel-target-alignment))"
        " are blind to scale. Under mean-field most of the Frobenius change is the kernel's "
        "scale growing; its shape moves much less. ReLU, widths "
        f"{', '.join(fmt.count(w) for w in setups.MOTION_SMALL_WIDTHS)}."
    )


def limits_caption(lim: ParameterizationLimits) -> None:
    """How different the standard limit is, and where η ∝ 1/m is right."""
    st.caption(
        "The standard parameterization's limit differs from Θ∞ in shape: at equal trace the "
        f"two kernels are {fmt.pct(lim.shape_gap)} apart (relative Frobenius). Its step must "
        "shrink like 1/m, so there, and only there, a step ∝ 1/m is the right scaling; in the "
        "NTK parameterization it would freeze wide nets and fake laziness."
    )
