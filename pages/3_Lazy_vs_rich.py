"""Lazy vs rich: a wide and a narrow net trained on the same points, beside kernel regression
with their initial NTK; how far the kernel moves with width, with the output scale α (Chizat,
Oyallon & Bach 2019, arXiv:1812.07956) and with the parameterization (NTK vs mean-field).

Sequencing only: settings -> controls -> sections (ntk_app/views/lazy_vs_rich.py and
lazy_vs_rich_sweeps.py). Each panel and
each section below them is an st.fragment that owns its controls, checks their cost against the
budget and computes what it shows, so a control reruns only what depends on it.
"""

from __future__ import annotations

import streamlit as st

from ntk_app.layout import setup_page
from ntk_app.state import PageState
from ntk_app.views import lazy_vs_rich as view
from ntk_app.views import lazy_vs_rich_sweeps as sweeps

setup_page("lazy_vs_rich")
state = PageState("lazy", view.SETTINGS)

view.sidebar(state)
run = view.run_settings(state)
state.sync_url()

view.intro()
wide, narrow = st.columns(2)
with wide:
    view.panel(state, view.WIDE, run)
with narrow:
    view.panel(state, view.NARROW, run)

view.explanation()
sweeps.width_sweep(state, run)
sweeps.knob(state, run)
