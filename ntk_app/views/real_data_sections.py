"""Sections of the Real data page computed only when opened.

Each section is an ``st.fragment`` with its own toggle (in the URL): its controls rerun only it,
its sweeps show a progress bar and are cached point by point, and an error is shown inside it.
Papers: Arora et al. 2020 (arXiv:1910.01663), Lee et al. 2020 (arXiv:2007.15801), Lee et al.
2019 (arXiv:1902.06720).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from ntk_app import budget
from ntk_app import datasets as data
from ntk_app.figures import AXIS_LEFT_LOG_PX, LEGEND_BELOW, PALETTE, finite_or_none, margin
from ntk_app.format import count, num, pct
from ntk_app.layout import cached
from ntk_app.state import PageState
from ntk_app.views import real_data as rv
from ntk_core import analytic_kernels, cost
from ntk_core import realdata as rd

AGREE_WIDTHS = (10, 30, 100, 300, 1000, 3000, 10_000)
CURVE_N = (20, 50, 100, 200, 400, 800)
N_HEAT_TEST = 12
MAX_HEAT_TRAIN = 100
N_SIMILAR = 5


def _toggle(state: PageState, name: str, label: str) -> bool:
    st.toggle(label, key=state.key(name))
    state.sync_url()
    return bool(state[name])


def _kernel_section_on(state: PageState, run: rv.Run, ds: data.Dataset, name: str, label: str,
                       caption: str, what: str) -> bool:
    """A kernel-sized section's toggle (``caption`` while it is off), then its share of the
    page's budget (``budget.section_now``)."""
    if not _toggle(state, name, label):
        st.caption(caption)
        return False
    n_tr, n_te, _, _ = rv.shape(ds, run.n_train)
    return budget.section_now(rv.kernel_cost(n_tr, n_te, run.depth), what=what,
                              key=f"{name}-{run}")


def _band(fig: go.Figure, x, values: np.ndarray, name: str, color: str, col: int,
          dash: str = "solid") -> None:
    """Mean line and min–max band over seeds (columns of ``values``) in subplot ``col``."""
    lo, hi = np.nanmin(values, axis=1), np.nanmax(values, axis=1)
    xs = np.concatenate([x, x[::-1]]).astype(float)
    fig.add_trace(go.Scatter(x=xs, y=finite_or_none(np.concatenate([hi, lo[::-1]])),
                             fill="toself", fillcolor=color, opacity=0.2, mode="lines",
                             line=dict(width=0), hoverinfo="skip", showlegend=False,
                             legendgroup=name), row=1, col=col)
    fig.add_trace(go.Scatter(x=np.asarray(x, float), y=finite_or_none(np.nanmean(values, 1)),
                             name=name, mode="lines+markers", legendgroup=name,
                             line=dict(color=color, dash=dash)), row=1, col=col)


# ============================================================================= width
@cached(max_entries=64)
def width_point(run: rv.Run, width: int, _ds: data.Dataset) -> rd.WidthAgreement:
    """Nets of one width at the last step beside their twins (``agreement_vs_width``)."""
    p = rv.prepare(_ds, run.scaling, run.n_train, run.seed)
    return rd.agreement_vs_width(p.x_tr, p.y_tr, p.x_te, p.lab_te, rv.net(run), [width],
                                 lr=rv.step_size(run, _ds), steps=run.steps,
                                 n_seeds=run.seeds, seed=run.seed)


@st.fragment
def agreement(state: PageState, run: rv.Run, ds: data.Dataset) -> None:
    """Accuracy of nets and of their twins, and the agreement RMS ratio, against width."""
    st.subheader("Agreement with the infinite-width limit, against width")
    if not _toggle(state, "agree", "Compute the width sweep"):
        st.caption(f"Nets of widths {count(AGREE_WIDTHS[0])} … {count(AGREE_WIDTHS[-1])}, "
                   f"{run.seeds} seed(s) each, trained like the nets above.")
        return
    n_tr, n_te, d, k = rv.shape(ds, run.n_train)
    cost_of = lambda ws: sum((rv.finite_cost(run, w, n_tr, n_te, d, k, n_records=2)  # noqa: E731
                              for w in ws), cost.Cost(0.0, 0.0))
    widths = budget.affordable_prefix(AGREE_WIDTHS, cost_of)
    if not budget.section_now(cost_of(widths), what="The width sweep", key=f"agree-{run}"):
        return
    widths = budget.all_on_request(AGREE_WIDTHS, widths, cost_of,
                                   what=f"The sweep up to width {count(AGREE_WIDTHS[-1])}",
                                   key=f"agree-{run}")
    try:
        points = [width_point(run, w, ds) for w in budget.with_progress(
            widths, len(widths), "Training nets of each width")]
    except rv.SECTION_ERRORS as err:
        st.error(f"The sweep failed: {err}")
        return
    acc = np.vstack([pt.accuracy for pt in points])
    tacc = np.vstack([pt.twin_accuracy for pt in points])
    agree = np.vstack([pt.agreement for pt in points])
    x = np.asarray(widths, float)
    fig = make_subplots(1, 2, subplot_titles=("Test accuracy after training",
                                              "RMS(net − twin) / RMS(twin − its start)"))
    _band(fig, x, acc, "finite nets", PALETTE[0], 1)
    _band(fig, x, tacc, "their infinite-width twins", PALETTE[3], 1, "dot")
    _band(fig, x, agree, "agreement ratio", PALETTE[4], 2)
    fig.update_layout(height=380, margin=margin(legend_rows=1), legend=LEGEND_BELOW)
    fig.update_xaxes(title_text="width", **rv.LOG_AXIS)
    fig.update_yaxes(tickformat=".0%", row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=2)
    st.plotly_chart(fig, key="agree_fig")
    st.caption(f"Bands: min–max over {run.seeds} seed(s); lines: means. The ratio compares how "
               "far a net ends from its twin with how far training moved the twin; "
               "Lee et al. 2019 (arXiv:1902.06720) bound it by O(1/√width)."
               + ("" if len(widths) == len(AGREE_WIDTHS) else
                  f" Widths above {count(widths[-1])} need the longer run."))


# ============================================================================= learning curves
@cached(max_entries=64)
def curve_point(run: rv.Run, width: int, n_train: int, _ds: data.Dataset) -> dict[str, float]:
    """Test accuracy at one n_train: NTK and NNGP at t = ∞, one net of ``width``, baseline."""
    r = run._replace(n_train=int(n_train), seeds=1)
    p = rv.prepare(_ds, r.scaling, r.n_train, r.seed)
    kp = rd.kernel_paths(p.x_tr, p.y_tr, p.x_te, p.lab_te, rv.net(r), ts=[math.inf],
                         diag_reg=r.diag_reg)
    fin = rv.finite(r, width, _ds)
    return {"NTK-GD, t = ∞": float(kp.accuracy["ntk"][-1]),
            "NNGP, t = ∞": float(kp.accuracy["nngp"][-1]),
            f"net of width {count(width)}": float(fin.accuracy[0, -1]),
            "RBF SVM baseline": rv.baseline(r, _ds)}


@st.fragment
def learning_curves(state: PageState, run: rv.Run, width: int, ds: data.Dataset) -> None:
    """Accuracy against n_train for the kernels, one finite net and the baseline."""
    st.subheader("Learning curves")
    if not _toggle(state, "curves", "Compute the learning curves"):
        st.caption("Test accuracy against the number of training rows.")
        return
    cap = rv.n_train_cap(ds)
    ns = tuple(sorted({n for n in CURVE_N if n < cap} | {cap})) if cap < max(CURVE_N) \
        else CURVE_N
    _, n_te, d, k = rv.shape(ds, run.n_train)
    one = run._replace(seeds=1)
    cost_of = lambda nn: sum(  # noqa: E731
        (rv.finite_cost(one, width, n, n_te, d, k) + rv.kernel_cost(n, n_te, run.depth)
         for n in nn), cost.Cost(0.0, 0.0))
    ns = budget.affordable_prefix(ns, cost_of)
    if not budget.section_now(cost_of(ns), what="The learning curves",
                              key=f"curves-{run}-{width}"):
        return
    try:
        rows = [curve_point(run, width, n, ds)
                for n in budget.with_progress(ns, len(ns), "Training at each n_train")]
    except rv.SECTION_ERRORS as err:
        st.error(f"The learning curves failed: {err}")
        return
    styles = {0: ("solid", PALETTE[1]), 1: ("dash", PALETTE[2]), 2: ("solid", PALETTE[0]),
              3: ("longdash", PALETTE[8])}
    traces = [go.Scatter(x=np.asarray(ns, float), y=[r[name] for r in rows], name=name,
                         mode="lines+markers", line=dict(dash=styles[i][0], color=styles[i][1]))
              for i, name in enumerate(rows[0])]
    st.plotly_chart(go.Figure(traces, dict(
        height=360, margin=margin(30, legend_rows=1), legend=LEGEND_BELOW,
        xaxis=dict(title="training rows n_train", **rv.LOG_AXIS),
        yaxis=dict(title="test accuracy", tickformat=".0%"))), key="curves_fig")
    st.caption(f"One seed per point; the net is trained for {count(run.steps)} steps at "
               "η = 1/λ_max of its own training set. n_train values whose training would "
               "not fit the interactive budget are left out.")


# ============================================================================= kernel heatmap
def heat_rows(p: rv.Prepared, n_rows: int = N_HEAT_TEST, n_cols: int = MAX_HEAT_TRAIN
              ) -> tuple[np.ndarray, np.ndarray]:
    """Indices of ``n_rows`` test points (cycling through the classes) and of at most
    ``n_cols`` training points ordered by class (every j-th of each class)."""
    k = int(max(p.lab_tr.max(), p.lab_te.max())) + 1
    per_class = [np.flatnonzero(p.lab_te == c) for c in range(k)]
    rows: list[int] = []
    for i in range(n_rows):
        for c in range(k):
            if len(rows) < n_rows and i < per_class[c].size:
                rows.append(int(per_class[c][i]))
    order = np.argsort(p.lab_tr, kind="stable")
    step = max(1, -(-order.size // n_cols))
    return np.array(sorted(rows, key=lambda r: p.lab_te[r])), order[::step]


@cached(max_entries=16)
def ntk_block(run: rv.Run, _ds: data.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Θ∞(test, train) for all test and training points, and the two label vectors."""
    p = rv.prepare(_ds, run.scaling, run.n_train, run.seed)
    n_te = p.x_te.shape[0]
    theta = analytic_kernels(np.concatenate([p.x_te, p.x_tr]), depth=run.depth,
                             activation=run.activation, weight_std=run.sigma_w,
                             bias_std=run.sigma_b).ntk[:n_te, n_te:]
    return theta, p.lab_te, p.lab_tr


@st.fragment
def kernel_heatmap(state: PageState, run: rv.Run, ds: data.Dataset) -> None:
    """Θ∞ between a few test points and the training set, both ordered by class; for digits
    the most and least similar training images of a chosen test digit."""
    st.subheader("The NTK between test and training points")
    if not _kernel_section_on(state, run, ds, "heat", "Show the kernel matrix",
                              "Θ∞(test point, training point), ordered by class.",
                              "The kernel matrix"):
        return
    try:
        theta, lab_te, lab_tr = ntk_block(run, ds)
    except rv.SECTION_ERRORS as err:
        st.error(f"The kernel could not be computed: {err}")
        return
    p = rv.prepare(ds, run.scaling, run.n_train, run.seed)
    rows, cols = heat_rows(p)
    names = ds.class_names
    z = theta[np.ix_(rows, cols)].astype(np.float32)
    fig = go.Figure(go.Heatmap(
        z=z, colorscale="Viridis", colorbar=dict(title="Θ"),
        x=[f"{names[lab_tr[c]]} #{c}" for c in cols],
        y=[f"test {names[lab_te[r]]} #{r}" for r in rows],
        hovertemplate="%{y} · train %{x}: Θ = %{z:.3g}<extra></extra>"),
        dict(height=380, margin=margin(30, left=AXIS_LEFT_LOG_PX, bottom=40),
             title=dict(text=f"Θ∞ of {rows.size} test points vs {cols.size} training points "
                             f"(of {count(lab_tr.size)}), ordered by class"),
             xaxis=dict(title="training points, by class", showticklabels=False),
             yaxis=dict(autorange="reversed")))
    st.plotly_chart(fig, key="heat_fig")
    same = np.mean([theta[r, lab_tr == lab_te[r]].mean() for r in range(lab_te.size)])
    other = np.mean([theta[r, lab_tr != lab_te[r]].mean() for r in range(lab_te.size)])
    st.caption(f"Mean Θ∞ to training points of the same class: {num(same)}; of other classes: "
               f"{num(other)} (over all {count(lab_te.size)} test points). The kernel "
               "regressor's prediction is a Θ-weighted combination of training targets.")
    if ds.images is not None:
        similar_digits(state, ds, p, theta)


def similar_digits(state: PageState, ds: data.Dataset, p: rv.Prepared,
                   theta: np.ndarray) -> None:
    """A chosen test digit beside the ``N_SIMILAR`` training images with the largest and the
    smallest Θ∞ to it (8×8 images as heatmaps)."""
    n_te = p.lab_te.size
    if int(state["digit"]) >= n_te:
        state.set("digit", 0)
    st.slider("Test digit (index in the test set)", 0, n_te - 1, key=state.key("digit"))
    state.sync_url()
    i = int(state["digit"])
    order = np.argsort(theta[i])[::-1]
    picks = [("most similar", order[:N_SIMILAR]), ("least similar", order[::-1][:N_SIMILAR])]
    titles = []
    for _, idx in picks:
        titles += [f"test: {ds.class_names[p.lab_te[i]]}"]
        titles += [f"{ds.class_names[p.lab_tr[j]]}, Θ={num(theta[i, j], '.2f')}" for j in idx]
    fig = make_subplots(2, N_SIMILAR + 1, subplot_titles=titles, horizontal_spacing=0.02,
                        vertical_spacing=0.12, row_titles=[w for w, _ in picks])
    for r, (_, idx) in enumerate(picks, start=1):
        images = [ds.images[p.idx_te[i]]] + [ds.images[p.idx_tr[j]] for j in idx]
        for c, img in enumerate(images, start=1):
            fig.add_trace(go.Heatmap(z=img.astype(np.float32), colorscale="Greys", zmin=0,
                                     zmax=16, showscale=False, hoverinfo="skip"), row=r, col=c)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_layout(height=360, margin=dict(t=30, b=10, l=10, r=30))
    st.plotly_chart(fig, key="digits_fig")


# ============================================================================= ridge vs time
@cached(max_entries=16)
def regularisation(run: rv.Run, _ds: data.Dataset) -> dict[str, np.ndarray]:
    """``realdata.regularisation_vs_time`` on a ridge grid scaled by the mean eigenvalue of
    Θ∞ on the training set, and times 1/ridge."""
    p = rv.prepare(_ds, run.scaling, run.n_train, run.seed)
    scale = float(np.trace(analytic_kernels(p.x_tr, depth=run.depth, activation=run.activation,
                                            weight_std=run.sigma_w,
                                            bias_std=run.sigma_b).ntk)) / p.x_tr.shape[0]
    regs = scale * np.logspace(-5, 1, 13)
    return rd.regularisation_vs_time(p.x_tr, p.y_tr, p.x_te, p.lab_te, rv.net(run),
                                     diag_regs=regs, ts=1.0 / regs[::-1])


@st.fragment
def ridge_vs_stopping(state: PageState, run: rv.Run, ds: data.Dataset) -> None:
    """NTK test accuracy over the ridge λ at t = ∞ beside the accuracy over 1/t without one."""
    st.subheader("diag_reg vs early stopping")
    if not _kernel_section_on(state, run, ds, "reg", "Compare ridge and stopping time",
                              "Lee et al. 2020: a ridge on the kernel acts like stopping "
                              "training early.", "The comparison"):
        return
    try:
        res = regularisation(run, ds)
    except rv.SECTION_ERRORS as err:
        st.error(f"The comparison failed: {err}")
        return
    fig = go.Figure([
        go.Scatter(x=res["diag_reg"], y=res["accuracy_reg"], name="ridge λ = diag_reg, t = ∞",
                   mode="lines+markers", line=dict(color=PALETTE[1])),
        go.Scatter(x=1.0 / res["ts"], y=res["accuracy_t"], name="stopping time t, no ridge "
                   "(x = 1/t)", mode="lines+markers", line=dict(color=PALETTE[0], dash="dash")),
    ], dict(height=360, margin=margin(30, legend_rows=2), legend=LEGEND_BELOW,
            xaxis=dict(title="λ, or 1/t", **rv.LOG_AXIS),
            yaxis=dict(title="NTK-GD test accuracy", tickformat=".0%")))
    st.plotly_chart(fig, key="reg_fig")
    st.markdown("Per eigenmode λᵢ of Θ the ridge keeps the fraction on the left, stopping at "
                "time t the one on the right; both pass modes with λᵢ ≫ λ (or ≫ 1/t) and cut "
                "the others ([Lee et al. 2020](https://arxiv.org/abs/2007.15801)):")
    st.latex(r"\frac{\lambda_i}{\lambda_i + \lambda}\quad\text{vs}\quad 1 - e^{-\lambda_i t}")
    best_r = int(np.argmax(res["accuracy_reg"]))
    best_t = int(np.argmax(res["accuracy_t"]))
    st.caption(f"Best ridge: λ = {num(res['diag_reg'][best_r])} "
               f"({pct(res['accuracy_reg'][best_r])}); best stopping time: "
               f"t = {num(res['ts'][best_t])} ({pct(res['accuracy_t'][best_t])}).")
