"""Infinite ensembles: the Gaussian that infinitely wide nets trained from random inits predict
(NTK gradient descent, and the NNGP posterior for readout-only training) over time, beside real
ensembles of finite nets converging to it. Served at /Infinite_ensembles."""

from __future__ import annotations

import streamlit as st

from ntk_app import budget
from ntk_app import format as fmt
from ntk_app.layout import download, network_controls, seed_controls, setup_page
from ntk_app.prefetch import neighbours
from ntk_app.state import WIDTH_OPTIONS, PageState, Setting, seed_setting, width_setting
from ntk_app.views import infinite_ensembles as view
from ntk_core import MLP, TARGETS
from ntk_core import ensemble_bands as eb

setup_page("infinite_ensembles")
REGS = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)
state = PageState("infinite_ensembles", [
    Setting("target", "choice", "sin", choices=TARGETS),
    Setting("n", "int", 8, 3, 20),
    Setting("depth", "int", 1, 1, 3),
    Setting("activation", "choice", "relu", choices=("relu", "erf")),
    Setting("sigma_w", "float", 1.41, 0.1, 3.0),
    Setting("sigma_b", "float", 0.5, 0.0, 2.0),
    width_setting("width", 500),
    Setting("members", "int", 10, 2, 30),
    Setting("diag_reg", "choice", 0.0, choices=REGS),
    Setting("t", "choice", "∞", choices=tuple(view.STEP_LABELS)),
    seed_setting(0),
])
st.sidebar.header("Data and network")
st.sidebar.selectbox("Target function", TARGETS, key=state.key("target"))
st.sidebar.slider("Training points", 3, 20, key=state.key("n"))
network_controls(state, depth_max=3)
st.sidebar.select_slider("diag_reg (ridge on the inverted kernel)", REGS,
                         key=state.key("diag_reg"), format_func=lambda r: f"{r:g}")
seed_controls(state)


def net_at(width: int) -> MLP:
    return MLP(int(state["depth"]), int(width), state["activation"], float(state["sigma_w"]),
               float(state["sigma_b"]))


x, y, xt = view.data(state["target"], int(state["n"]))
members = int(state["members"])
offered = budget.affordable(WIDTH_OPTIONS, lambda w: eb.ensemble_bands_cost(
    x, y, xt, net_at(w), n_members=members))
if state["width"] not in offered:
    st.info(f"Width {fmt.count(state['width'])} with {members} nets would exceed the "
            f"budget; showing width {fmt.count(offered[-1])}.", icon=":material/speed:")
    state.set("width", offered[-1])
left, right = st.columns(2)
left.select_slider("Width of the finite nets", offered, key=state.key("width"),
                   format_func=fmt.count)
right.slider("Nets in each ensemble", 2, 30, key=state.key("members"))
state.sync_url()

net = net_at(state["width"])
b = view.bands(state["target"], int(state["n"]), net, members, int(state["seed"]),
               float(state["diag_reg"]))
active = view.STEP_LABELS.index(state["t"])
st.plotly_chart(view.bands_figure(b, x, y, xt, active, int(state["width"])),
                key="bands", config={"displayModeBar": False})
st.select_slider("Time shown when the page opens (steps of gradient descent; ∞ = the limit)",
                 view.STEP_LABELS, key=state.key("t"))
view.time_caption(b)
view.explanation()
view.article_note(view.article_gap())
download("Bands at this time (CSV)", lambda: view.bands_csv(b, xt, active),
         "ntk_infinite_ensembles.csv", "dl_bands")
view.prefetch_widths(state["target"], int(state["n"]),
                     [net_at(w) for w in neighbours(list(offered), int(state["width"]))],
                     members, int(state["seed"]), float(state["diag_reg"]))

st.subheader("Do finite ensembles converge to it?")
steps = 200
if st.toggle(f"Measure the ensembles' errors at widths "
             f"{', '.join(fmt.count(w) for w in view.CONV_WIDTHS)} ({members} nets each, "
             f"{steps} steps)", key="conv_on") and budget.long_run(
        view.convergence_cost(x, xt, net, members, steps), what="This convergence sweep",
        key=f"conv-{net}-{members}"):
    conv = view.convergence(state["target"], int(state["n"]), net, members,
                            int(state["seed"]), steps)
    st.plotly_chart(view.convergence_figure(conv), key="conv")
    view.convergence_caption(conv)
