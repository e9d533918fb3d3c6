"""Claims: every claim of the original article and of the papers beside the value the engine
measures now, a verdict with its reason, and a link to the page that shows the experiment with
the same settings. Served at /Claims."""

from __future__ import annotations

import streamlit as st

from ntk_app.layout import PARAM_NOTE, download, seed_controls, setup_page
from ntk_app.state import PageState, seed_setting
from ntk_app.views import claims as view

setup_page("claims")
state = PageState("claims", [seed_setting(0)])
st.sidebar.header("Random initialisation")
seed_controls(state)
st.sidebar.caption(
    "The seed fixes every random initialisation behind the measured values. A new seed moves "
    "the numbers; the verdicts should not move."
)
state.sync_url()
seed = int(state["seed"])

view.intro()
with st.spinner("Measuring every claim (a few dozen small networks)…"):
    claims, seconds = view.measure(seed)
view.summary(claims)
view.claim_list("The article's claims", [c for c in claims if c.from_article])
cookbook = [c for c in claims if c.view == "infinite_ensembles"]
view.claim_list("The papers' claims",
                [c for c in claims if not c.from_article and c.view != "infinite_ensembles"])
ensembles = view.ensembles_section(seed, cookbook)
real = view.real_data_section(seed)
rates = view.rate_section(seed)

frame = view.claims_frame([*claims, *ensembles, *real, *rates], seed)
view.table(frame)
download("The claims table (CSV)", lambda: view.to_csv(frame), f"ntk_claims_seed{seed}.csv",
         "dl_claims")
st.caption(
    f"Measured in {seconds:.1f} s of server time at seed {seed} (cached afterwards). The same "
    "table on the command line: `python -m ntk_core claims --seed N` (add `--json`; "
    "`--no-rates` skips the rates and ensembles); the real-data rows: "
    "`python -m ntk_app.real_claims --seed N`."
)

view.why_they_differ(claims)
st.caption(
    PARAM_NOTE + " Rows about the article's own network use a faithful copy of its code "
    "(ntk_core._article), which follows none of these conventions."
)
