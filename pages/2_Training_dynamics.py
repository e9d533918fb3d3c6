"""Training dynamics: a real net trained by gradient descent beside its NTK prediction.

Served at /Training_dynamics. Settings (mirrored in the URL) -> sidebar controls -> the
width-dependent fragment (width slider, budget, run, loss chart first, then spectrum and
predictions) -> conventions. Sections: ntk_app.views.training_dynamics; numerics:
ntk_core.experiments.training_dynamics.
"""

from __future__ import annotations

import streamlit as st

from ntk_app.layout import seed_controls, setup_page
from ntk_app.state import PageState
from ntk_app.views import training_dynamics as td
from ntk_core import TARGETS

setup_page("training_dynamics")
state = PageState("training", td.settings())

# ----------------------------------------------------------------------------- controls
sb = st.sidebar
sb.header("Data")
sb.selectbox("Target function", TARGETS, format_func=lambda k: td.TARGET_LABELS.get(k, k),
             key=state.key("target"))
sb.slider("Training points n (grid on [−2, 2])", 5, 60, key=state.key("n"))
sb.header("Network")
no_bias = sb.checkbox(
    "No bias (the article's broken set-up)", key=state.key("nobias"),
    help="σ_b = 0 with 1-D inputs: the ReLU net is positively homogeneous, its NTK has rank 2 "
    "and gradient descent cannot fit the target. Shown here as the failure case.",
)
sb.select_slider("σ_b (bias scale)", options=td.BIAS_OPTIONS, key=state.key("sigma_b"),
                 disabled=no_bias,
                 help="Kept > 0 on purpose: with 1-D inputs a bias-free ReLU net cannot fit a "
                 "sine.")
sb.slider("Depth (hidden layers)", 1, 3, key=state.key("depth"))
sb.header("Gradient descent")
sb.select_slider("Learning rate η", options=td.LR_OPTIONS, key=state.key("lr"))
sb.select_slider("Steps T", options=td.STEP_OPTIONS, key=state.key("steps"),
                 on_change=state.set, args=("t", td.LAST))  # a new run shows its last step
sb.checkbox("Log time axis", key=state.key("logt"))
seed_controls(state, container=sb)

# ----------------------------------------------------------------------------- sections
setup = td.Setup.from_values(state.values())
td.intro()
td.dynamics(state, setup)  # width slider, budget, run, every chart (a fragment)
td.conventions(setup.sigma_b)
