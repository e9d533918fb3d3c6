"""Width stability (the original article's first widget): two random initialisations of the same
network have nearly the same NTK once the network is wide, and both approach the analytic
infinite-width kernel; the spread shrinks like 1/√width (Jacot et al. 2018, arXiv:1806.07572).

Sequencing only: settings → controls → budget → sections (``ntk_app/views/width_stability.py``).
"""

from __future__ import annotations

import streamlit as st

from ntk_app.layout import setup_page
from ntk_app.state import PageState
from ntk_app.views import width_stability as view

setup_page("width_stability")
state = PageState("width_stability", view.settings())
view.sidebar_controls(state)
setup = view.Setup.from_state(state)

# Budget: the width control offers only the widths whose kernels fit at this depth.
offered = view.offered_widths(setup)
view.clamp_width(state, setup, offered)
state.sync_url()

st.markdown(
    "Two random networks **A** and **B** of one architecture, the same inputs: narrow networks "
    "disagree on their Neural Tangent Kernel; as the width grows both settle on one matrix, the "
    "analytic infinite-width NTK Θ∞."
)
view.rank_warning(setup)
view.kernels_section(state, setup, offered)
view.why_section()
view.sweep_section(state, setup)
view.slices_section(setup)
view.convention_note(setup)
