"""Lazy vs rich, the sections under the two panels: the NTK change against width (NTK and
mean-field parameterizations) and the lazy ↔ rich knob at a fixed width (output scale α of
Chizat, Oyallon & Bach 2019, arXiv:1812.07956). Each section is an ``st.fragment`` that owns its
controls, so they rerun only that section.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ntk_app import budget
from ntk_app.figures import AXIS_LEFT_LOG_PX, LEGEND_BELOW, PALETTE, margin
from ntk_app.fits import fit_plot
from ntk_app.format import count, num, pct
from ntk_app.layout import download, to_csv
from ntk_app.prefetch import neighbours, prefetch
from ntk_app.state import PageState
from ntk_core import experiments, loglog_slope

from .lazy_vs_rich import (
    ALPHA_OPTIONS,
    COLORS,
    FIT_FROM,
    KNOB_WIDTHS,
    LOG_AXIS,
    MF_WIDTHS,
    PARAM_LABELS,
    PARAMS,
    SWEEP_SEEDS,
    SWEEP_WIDTHS,
    Run,
    affordable_prefix,
    alpha_cost,
    alpha_curve,
    change_sweep,
    clean_target,
    data,
    fit_width,
    offered_widths,
    panel_args,
    positive32,
    rms,
    train_panel,
    y_range,
)


# ----------------------------------------------------------------------------- width sweep
def sweep_figure(ntk_sw: experiments.ChangeSweep, mf_sw: experiments.ChangeSweep,
                 run: Run) -> go.Figure:
    """Mean NTK change over seeds against width (NTK and mean-field), the seed range as a band
    and a m^(−1/2) line through the widest NTK point (the rate of the upper bound)."""
    mean = ntk_sw.change_mean
    ok = np.isfinite(mean) & (mean > 0)
    ref = np.full(mean.size, np.nan)
    if ok.any():
        j = np.flatnonzero(ok)[-1]
        ref = mean[j] * (ntk_sw.knob / ntk_sw.knob[j]) ** -0.5
    lo = np.fmin.reduce(ntk_sw.change, axis=1)
    hi = np.fmax.reduce(ntk_sw.change, axis=1)
    w = ntk_sw.knob.astype(np.float32)
    data = [
        go.Scatter(x=np.concatenate([w, w[::-1]]), y=positive32(np.concatenate([hi, lo[::-1]])),
                   mode="lines", fill="toself", fillcolor=PALETTE[0], opacity=0.25,
                   line=dict(width=0), name="seed range (NTK)", hoverinfo="skip"),
        go.Scatter(x=w, y=positive32(mean), name="NTK param. (mean of seeds)",
                   mode="lines+markers", line=dict(color=PALETTE[0])),
        go.Scatter(x=w, y=positive32(ref), name="∝ m^(−1/2), the bound's rate",
                   mode="lines", line=dict(color=PALETTE[8], dash="dash")),
        go.Scatter(x=mf_sw.knob.astype(np.float32), y=positive32(mf_sw.change_mean),
                   name="mean-field", mode="lines+markers", line=dict(color=PALETTE[1])),
    ]
    layout = dict(
        title=dict(text=f"Relative NTK change after {count(run.steps)} steps at η = {run.lr:g}"),
        height=400,
        margin=margin(left=AXIS_LEFT_LOG_PX, legend_rows=1),
        xaxis=dict(title=dict(text="width m"), tickformat=",~r", **LOG_AXIS),
        yaxis=dict(title=dict(text="‖Θ_T − Θ₀‖/‖Θ₀‖"), **LOG_AXIS),
        legend=LEGEND_BELOW,
    )
    return go.Figure(data=data, layout=layout)


def sweep_text(ntk_sw: experiments.ChangeSweep, mf_sw: experiments.ChangeSweep) -> None:
    """The fitted slopes, and what they say about the bound."""
    big = ntk_sw.knob >= FIT_FROM
    slope, err = loglog_slope(ntk_sw.knob[big], ntk_sw.change_mean[big])
    s1, s2, s3 = st.columns(3)
    s1.metric(f"NTK slope, widths ≥ {FIT_FROM}", f"{num(slope, '.2f')} ± {num(err, '.2f')}",
              help="Least-squares slope of log(mean change) against log(width).")
    s2.metric("NTK slope, all widths",
              f"{num(ntk_sw.slope, '.2f')} ± {num(ntk_sw.slope_stderr, '.2f')}")
    s3.metric("Mean-field slope", f"{num(mf_sw.slope, '.2f')} ± {num(mf_sw.slope_stderr, '.2f')}")
    if np.isnan(ntk_sw.change).any() or np.isnan(mf_sw.change).any():
        st.warning("Some runs diverged at this η and are left out of the curves.",
                   icon=":material/warning:")
    st.markdown(
        f"In the NTK parameterization the kernel change of this ReLU net falls with width, "
        f"log-log slope **{num(slope, '.2f')}** on widths ≥ {FIT_FROM} "
        f"({num(ntk_sw.slope, '.2f')} over all widths). The bound of Lee et al. (2019) only "
        f"says that it falls at least like $m^{{-1/2}}$; for ReLU the measured rate is close "
        f"to that, for smooth activations such as erf it is faster, close to $1/m$ (Dyer & "
        f"Gur-Ari "
        f"2020). In the mean-field parameterization the change stays of order one "
        f"({', '.join(pct(c) for c in mf_sw.change_mean)} at widths "
        f"{', '.join(count(w) for w in mf_sw.knob)}): there, width alone does not make "
        f"training lazy."
    )


@st.fragment
def width_sweep(state: PageState, run: Run) -> None:
    """NTK change after training against width, NTK and mean-field, several seeds; trained
    only when switched on, and only the widths that fit the time budget."""
    st.header("NTK change vs width")
    st.toggle("Run the width sweep (NTK and mean-field; a few seconds the first time)",
              key=state.key("sweep"))
    state.sync_url()
    if not state["sweep"]:
        st.caption(
            f"Trains {len(SWEEP_WIDTHS)} widths ({count(SWEEP_WIDTHS[0])} … "
            f"{count(SWEEP_WIDTHS[-1])}) × {SWEEP_SEEDS} seeds in the NTK parameterization and "
            f"{len(MF_WIDTHS)} in mean-field, with the current target, η, steps and seed."
        )
        return
    widths = affordable_prefix(SWEEP_WIDTHS, run.steps, SWEEP_SEEDS)
    mf_widths = affordable_prefix(MF_WIDTHS, run.steps, SWEEP_SEEDS) or MF_WIDTHS[:1]
    dropped = [w for w in SWEEP_WIDTHS if w not in widths]
    if dropped:
        st.caption(
            f"Left out at {count(run.steps)} steps to stay within the time budget: widths "
            f"{', '.join(count(w) for w in dropped)} (fewer steps bring them back)."
        )
    if len(widths) < 2:
        st.info(f"{count(run.steps)} steps are too many for a width sweep within the time "
                "budget; choose 1,000 steps or fewer.", icon=":material/hourglass_disabled:")
        return
    with st.spinner("Training the sweep…"):
        ntk_sw = change_sweep(run.target, widths, run.lr, run.steps, run.seed, "ntk")
        mf_sw = change_sweep(run.target, mf_widths, run.lr, run.steps, run.seed, "mean_field")
    st.plotly_chart(sweep_figure(ntk_sw, mf_sw, run), key="sweep_fig", width="stretch")
    sweep_text(ntk_sw, mf_sw)

    def sweep_csv() -> bytes:
        return to_csv({
            "width": ntk_sw.knob,
            **{f"ntk_change_seed{k}": ntk_sw.change[:, k] for k in range(SWEEP_SEEDS)},
            "ntk_change_mean": ntk_sw.change_mean,
            **{f"ntk_final_loss_seed{k}": ntk_sw.final_loss[:, k] for k in range(SWEEP_SEEDS)},
            "mf_width": mf_sw.knob, "mf_change_mean": mf_sw.change_mean,
        })

    download("NTK change vs width (CSV)", sweep_csv, "ntk_change_vs_width.csv", key="dl_sweep")


# ----------------------------------------------------------------------------- the α knob
def knob_controls(state: PageState, options: tuple[int, ...]) -> None:
    """Width, output scale α and parameterization of the knob run."""
    k1, k2, k3 = st.columns(3)
    k1.select_slider("Width (knob)", options, key=state.key("width_knob"), format_func=count)
    k2.select_slider(
        "Output scale α", ALPHA_OPTIONS, key=state.key("alpha"), format_func=lambda a: f"{a:g}",
        help="Small α: rich (parameters must move ∝ 1/α). Large α: lazy.",
    )
    k3.radio("Parameterization", PARAMS, format_func=PARAM_LABELS.get, key=state.key("param"))
    st.toggle("Run the α sweep (8 values of α at this width)", key=state.key("asweep"))


def knob_result(knob: experiments.LazyRichPanel, run: Run, width: int, alpha: float,
                param: str) -> None:
    """The knob run's fit after training beside its kernel change."""
    x, y, x_test = data(run.target)
    y_target = clean_target(run.target, x_test)
    if knob.diverged:
        st.warning(f"This run diverged: {knob.message} Lower η or raise α (small α means "
                   "parameter steps ∝ 1/α).", icon=":material/warning:")
    kf, km = st.columns([3, 2])
    kf.plotly_chart(
        fit_plot(
            x_test[:, 0],
            {"target": y_target, "model h": knob.net_test[-1],
             "kernel Θ₀, same step": knob.linear_test[-1]},
            f"m = {count(width)}, α = {alpha:g}, {PARAM_LABELS[param]}, after "
            f"{count(run.steps)} steps",
            points=(x[:, 0], y),
            yrange=y_range(y, knob.net_test[-1], knob.linear_test[-1]),
            dashes={"target": "dot", "kernel Θ₀, same step": "dash"},
            colors={"target": COLORS["target"], "model h": COLORS["net"],
                    "kernel Θ₀, same step": COLORS["kernel"]},
        ),
        key="knob_fig", width="stretch",
    )
    with km:
        st.metric("Knob run: NTK change", pct(knob.kernel_change[-1]))
        st.metric("Knob run: alignment distance", num(knob.kernel_alignment[-1], ".2g"))
        st.metric("Knob run: parameter change", "—" if knob.diverged else pct(knob.param_change))
        st.caption(
            f"Final loss ½Σ(h − y)² = {num(knob.losses[-1])}; RMS gap to the kernel prediction "
            f"= {num(rms(knob.net_test[-1], knob.linear_test[-1]))}. Model h and loss as in the "
            "formulas below; "
            + ("NTK parameterization." if param == "ntk" else
               "mean-field parameterization (kernel shown as m·Θ).")
        )

    def knob_csv() -> bytes:
        return to_csv({"x": x_test[:, 0], "model": knob.net_test[-1],
                       "kernel_same_step": knob.linear_test[-1],
                       "kernel_t_inf": knob.kernel_regression, "target": y_target})

    download("knob run, final step (CSV)", knob_csv,
             f"knob_m{width}_alpha{alpha:g}_{param}.csv", key="dl_knob")


def knob_theory(width: int, alpha: float, knob: experiments.LazyRichPanel) -> None:
    """The α-scaled model and the mean-field parameterization, and why α is a knob."""
    st.latex(
        r"\begin{aligned}"
        r"h_\alpha(\theta; x) &= \alpha\bigl(f(\theta; x) - f(\theta_0; x)\bigr)\\"
        r"L_\alpha(\theta) &= \frac{1}{2\alpha^2}\sum_i \bigl(h_\alpha(\theta; x_i) - y_i\bigr)^2"
        r"\end{aligned}"
    )
    st.latex(
        r"\text{mean-field: } f(x) = \frac{1}{m}\sum_{j=1}^m a_j\,\varphi(w_j\cdot x + b_j),"
        r"\qquad \theta \leftarrow \theta - \eta\, m\, \nabla_\theta L"
    )
    st.markdown(
        f"**Why α is a lazy ↔ rich knob** ([Chizat, Oyallon & Bach 2019]"
        f"(https://arxiv.org/abs/1812.07956)). With this loss, gradient descent moves h in "
        f"function space at the same speed for every α (the kernel seen by h is α²Θ and the "
        f"loss carries 1/α²), but the parameters must move ∝ 1/α to change h by the same "
        f"amount. Large α: tiny parameter steps, a frozen kernel, lazy. Small α: large steps, "
        f"the features move, rich, even at a width that is lazy at α = 1. Here, at width "
        f"{count(width)} and α = {alpha:g}, the kernel moved by "
        f"**{pct(knob.kernel_change[-1])}** and the parameters by "
        f"**{pct(knob.param_change)}**. The mean-field parameterization is the other knob: "
        f"with a $1/m$ readout and a step $\\times m$, each neuron moves by $O(1)$ at every "
        f"width, so the kernel keeps changing by $O(1)$ however wide the net is (the sweep "
        f"above)."
    )


def alpha_sweep(run: Run, width: int, alpha: float, param: str,
                knob: experiments.LazyRichPanel) -> None:
    """NTK change after training against α at the knob's width (NTK parameterization); a run
    over the interactive budget waits for an explicit click."""
    c = alpha_cost(width, run.steps)
    if not budget.long_run(c, what=f"The α sweep at width {count(width)}",
                           key=f"asweep:{run.target}:{width}:{run.lr}:{run.steps}:{run.seed}"):
        return
    with st.spinner("Training one net per α…"):
        a_sw = alpha_curve(run.target, width, run.lr, run.steps, run.seed)
    here = knob.kernel_change[-1] if param == "ntk" else math.nan
    fig = go.Figure(
        data=[
            go.Scatter(x=a_sw.knob, y=positive32(a_sw.change_mean),
                       name="NTK change (NTK param.)", mode="lines+markers",
                       line=dict(color=PALETTE[0])),
            go.Scatter(x=[alpha], y=positive32(np.array([here])), name="this α",
                       mode="markers", marker=dict(size=12, symbol="diamond",
                                                   color=PALETTE[1])),
        ],
        layout=dict(
            title=dict(text=f"NTK change vs output scale α, m = {count(width)}, "
                       f"{count(run.steps)} steps"),
            height=360, margin=margin(left=AXIS_LEFT_LOG_PX, legend_rows=1),
            xaxis=dict(title=dict(text="α"), **LOG_AXIS),
            yaxis=dict(title=dict(text="‖Θ_T − Θ₀‖/‖Θ₀‖"), **LOG_AXIS),
            legend=LEGEND_BELOW,
        ),
    )
    st.plotly_chart(fig, key="alpha_fig", width="stretch")
    finite = np.isfinite(a_sw.change_mean)
    if finite.any():
        st.caption(
            f"From α = {a_sw.knob[finite][0]:g} to α = {a_sw.knob[finite][-1]:g} the kernel "
            f"change falls from {pct(a_sw.change_mean[finite][0])} to "
            f"{pct(a_sw.change_mean[finite][-1])} (log-log slope {num(a_sw.slope, '.2f')} ± "
            f"{num(a_sw.slope_stderr, '.2f')}). At large α it decays more slowly than 1/α: "
            "single ReLU units switching on or off still move the kernel a little."
        )
    if not finite.all():
        st.warning("Runs at some α diverged and are left out.", icon=":material/warning:")

    def alpha_csv() -> bytes:
        return to_csv({"alpha": a_sw.knob, "ntk_change": a_sw.change_mean,
                       "final_loss": a_sw.final_loss[:, 0]})

    download("α sweep (CSV)", alpha_csv, f"alpha_sweep_m{width}.csv", key="dl_alpha")


@st.fragment
def knob(state: PageState, run: Run) -> None:
    """The lazy ↔ rich knob at a fixed width: output scale α and parameterization. Its controls
    rerun this section only."""
    st.header("The lazy ↔ rich knob at fixed width")
    options = offered_widths(KNOB_WIDTHS, run.steps)
    note = fit_width(state, "width_knob", options, run.steps)
    knob_controls(state, options)
    state.sync_url()
    if note:
        st.caption(note)
    width, alpha, param = int(state["width_knob"]), float(state["alpha"]), str(state["param"])
    result = train_panel(*panel_args(run, width, alpha, param))
    knob_result(result, run, width, alpha, param)
    knob_theory(width, alpha, result)
    if state["asweep"]:
        alpha_sweep(run, width, alpha, param, result)
    prefetch(train_panel,
             [panel_args(run, w, alpha, param) for w in neighbours(list(options), width)])
