"""Real data: infinite-width NTK and NNGP predictors against finite nets and an RBF-kernel SVM
on scikit-learn's bundled data sets (digits, iris, wine, breast cancer) or your own CSV file
(Arora et al. 2020, arXiv:1910.01663; Lee et al. 2020, arXiv:2007.15801).

Sequencing only: settings -> controls -> budget -> compute -> sections
(ntk_app/views/real_data.py and real_data_sections.py). The main picture and each section are
st.fragments: the width slider reruns only the picture, a section's controls only that section.
Every setting is in the URL except the uploaded file.
"""

from __future__ import annotations

import streamlit as st

from ntk_app.layout import setup_page
from ntk_app.state import PageState
from ntk_app.views import real_data as view
from ntk_app.views import real_data_sections as sections

setup_page("real_data")
state = PageState("real", view.SETTINGS)

ds, key, name = view.data_controls(state)
run, notes = view.controls(state, ds, key)
state.sync_url()
for note in notes:
    st.caption(note)

view.picture(state, run, ds, name)
view.explanation(view.prepare(ds, run.scaling, run.n_train, run.seed), name, run.scaling,
                 view.step_size(run, ds), run.steps)

sections.agreement(state, run, ds)
sections.learning_curves(state, run, int(state["width"]), ds)
sections.kernel_heatmap(state, run, ds)
sections.ridge_vs_stopping(state, run, ds)
