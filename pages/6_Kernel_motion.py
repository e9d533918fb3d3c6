"""Kernel motion: how far the NTK moves between random draws and during training, which layer
carries the motion, scale-free measures, and the three parameterizations. Served at
/Kernel_motion."""

from __future__ import annotations

import streamlit as st

from ntk_app import budget
from ntk_app import format as fmt
from ntk_app.layout import download, seed_controls, setup_page
from ntk_app.state import PageState, Setting, seed_setting
from ntk_app.views import kernel_motion as view
from ntk_core import setups

setup_page("kernel_motion")
MAX_OPTIONS = setups.MOTION_WIDTHS[3:]
state = PageState("kernel_motion", [
    Setting("max_width", "snap", setups.MOTION_DEFAULT_MAX, choices=MAX_OPTIONS),
    Setting("seeds", "int", setups.MOTION_SEEDS, 2, 8),
    seed_setting(0),
])
st.sidebar.select_slider("Widest network", MAX_OPTIONS, key=state.key("max_width"),
                         format_func=fmt.count)
st.sidebar.slider("Trained seeds per width", 2, 8, key=state.key("seeds"))
seed_controls(state)
state.sync_url()
widths = tuple(w for w in setups.MOTION_WIDTHS if w <= state["max_width"])
seeds, seed = int(state["seeds"]), int(state["seed"])

st.markdown(
    "Two random networks of the same width have different kernels, and training moves a "
    "network's kernel. Both shrink as the width m grows, **at different rates**, and the rate "
    "of the second depends on the activation. One hidden layer, "
    f"{setups.MOTION_POINTS} points on [−2, 2], target sin 2x, σ_b = {setups.MOTION_SIGMA_B:g}, "
    f"η = {setups.MOTION_LR:g}, {setups.MOTION_STEPS} steps of gradient descent, NTK "
    "parameterization. Bands: min–max over seeds; thick segments: slopes fitted over widths "
    f"≥ {fmt.count(setups.MOTION_FIT_FROM)}, where the laws are asymptotic."
)
# budget: the widths that fit are drawn at once; the whole sweep is offered as a longer run
cost_of = lambda ws: view.sweep_cost(("relu", "erf"), ws, seeds)  # noqa: E731
shown = budget.all_on_request(widths, budget.affordable_prefix(widths, cost_of), cost_of,
                              what=f"The sweep up to width {fmt.count(widths[-1])}",
                              key=f"motion-{widths}-{seeds}")
# picture first: ReLU's chart is drawn before erf's sweep (3.5 times its cost) starts
motions = {}
for col, act in zip(st.columns(2), ("relu", "erf"), strict=True):
    with col:
        motions[act] = view.sweep(act, "ntk", shown, seeds, seed, f"Training {act} networks")
        st.plotly_chart(view.rates_figure(motions[act], f"{act}: spread vs change"),
                        key=f"rates-{act}")
if len(shown) < len(widths):
    st.caption(f"Widths up to {fmt.count(shown[-1])} of the {fmt.count(widths[-1])} asked: "
               "the wider ones need the longer run offered above.")
view.laws_explained()
st.dataframe(view.rates_table(motions), hide_index=True)
download("The sweep (CSV)", lambda: view.sweep_csv(motions), "ntk_kernel_motion.csv",
         "dl_motion")

st.subheader("Scale or shape? NTK vs mean-field")
small = setups.MOTION_SMALL_WIDTHS
if st.toggle("Measure the scale-free changes (ReLU, NTK and mean-field)", key="scale_on"):
    view.scale_or_shape_intro()
    scale = {f"{p} parameterization": view.sweep("relu", p, small, seeds, seed,
                                                 f"Training ({p})")
             for p in ("ntk", "mean_field")}
    st.dataframe(view.scale_free_table(scale), hide_index=True)

st.subheader("Three parameterizations")
st.dataframe(view.PARAMETERIZATION_TABLE)
if st.toggle("Measure where each parameterization's kernel goes", key="param_on"):
    lim = view.limits(seed)
    st.plotly_chart(view.limits_figure(lim), key="limits")
    view.limits_caption(lim)
    std = view.sweep("relu", "standard", small, seeds, seed, "Training (standard)")
    st.dataframe(view.scale_free_table({"standard parameterization, η ∝ 1/m": std}),
                 hide_index=True)
