"""Kernel motion page (AppTest, entered from app.py): the picture first, both laws told apart,
the sections that compute on request, and URL state."""

from __future__ import annotations

import json

from helpers import plotly_figures, trace_array
from streamlit.testing.v1 import AppTest

from ntk_app.views import kernel_motion as view
from ntk_core import cost, setups

PAGE = "pages/6_Kernel_motion.py"


def _page(**query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=600)
    at.run()
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_default_view_draws_both_activations_first():
    at = _page()
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # ReLU and erf side by side, no refusal in their place
    for chart, act in zip(charts, ("relu", "erf"), strict=True):
        fig = json.loads(chart.proto.spec)
        assert fig["layout"]["title"]["text"].startswith(act)
        names = " ".join(t.get("name", "") for t in fig["data"])
        assert "spread between two inits" in names and "readout block" in names
    table = at.dataframe[0].value
    assert set(table["activation"]) == {"relu", "erf"}
    # the default sweep fits the app's 5 s budget; under a smaller one (the suite's) the page
    # draws the widths that fit and says so
    default = tuple(w for w in setups.MOTION_WIDTHS if w <= setups.MOTION_DEFAULT_MAX)
    sweep = view.sweep_cost(("relu", "erf"), default, setups.MOTION_SEEDS)
    assert cost.fits(sweep, cost.DEFAULT_TIME_BUDGET_S)
    assert bool(at.info) is not cost.fits(sweep)


def test_text_tells_the_two_laws_apart_and_states_the_bound_as_a_bound():
    at = _page()
    text = "\n".join(m.value for m in at.markdown)
    assert "at most" in text and "upper bound" in text
    assert "central limit theorem" in text
    assert "Smooth activations (erf): ≈ 1/m" in text and "ReLU: ≈ m^(−1/2)" in text
    assert "arxiv.org/abs/1909.11304" in text and "arxiv.org/abs/1902.06720" in text


def test_sections_on_request_and_url_state():
    at = _page(max_width="2000", seeds="2", seed="3")
    assert at.query_params["max_width"] in ("2000", ["2000"])
    at.toggle(key="scale_on").set_value(True)
    at.toggle(key="param_on").set_value(True)
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3
    tables = [d.value for d in at.dataframe]
    assert any("alignment distance" in t.columns for t in tables)
    assert any("kernel it converges to" in t.columns for t in tables)


def _widths_drawn(at) -> set[float]:
    xs = set()
    for fig in plotly_figures(at):
        for tr in fig["data"]:
            if tr.get("mode") == "markers+lines":
                xs |= {float(v) for v in trace_array(tr, "x")}
    return xs


def test_a_wide_link_draws_what_fits_and_offers_the_rest_as_a_longer_run():
    """Widest 8,000 with 3 seeds (≈ 7 s) does not fit the budget: both charts are drawn over the
    widths that fit (with a caption), and the button runs the whole sweep."""
    at = _page(max_width="8000", seeds="3")
    assert not at.error
    assert {c.key for c in at.get("plotly_chart")} >= {"rates-relu", "rates-erf"}
    drawn = _widths_drawn(at)
    assert drawn and max(drawn) < 8_000
    assert any("need the longer run" in c.value for c in at.caption)
    offer = [b for b in at.button if b.label.startswith("Run the full version")]
    assert len(offer) == 1
    offer[0].click().run()
    assert not at.exception and not at.error
    assert max(_widths_drawn(at)) == 8_000
