"""AppTest checks of pages/5_Claims.py (entered from app.py, so that the sidebar's page links
resolve): summary and list first, text badges and no emoji, links built by the registry that
open their pages with those exact settings, the seed moves the numbers but not the verdicts,
bad URL values warn, and the rate rows are offered as a run and shown when computed."""

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ntk_app.registry import page
from ntk_core import claims_rates
from ntk_core.claims import evaluate_claims

PAGE = "pages/5_Claims.py"
TIMEOUT = 300
# what ntk_app.state.PageState says about a URL value it could not use
URL_WARNINGS = ("Ignored invalid", "Unknown ", "is outside", "is not one of", "Dropped ")
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u26FF\u2705\u274C\u2B50\uFE0F]")


def open_page(path: str = PAGE, **params: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    return at.switch_page(path).run()


def table(at: AppTest):
    return at.dataframe[0].value


def links(at: AppTest) -> list[str]:
    return [b.proto.url for b in at.get("link_button")]


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [b.label for b in at.button] + [str(m.label) + str(m.value) for m in at.metric]
    parts += [b.proto.label for b in at.get("link_button")]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def claims0():
    return evaluate_claims(0)


@pytest.fixture(scope="module")
def page0() -> AppTest:
    at = open_page()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_renders_at_defaults(page0, claims0):
    at = page0
    assert not at.warning
    assert at.query_params["seed"] == "0"
    df = table(at)
    assert list(df.index) == [c.id for c in claims0]
    assert list(df["verdict"]) == [c.verdict for c in claims0]
    assert list(df["measured"]) == [c.measured_text for c in claims0]
    assert len(at.metric) == 4 and at.metric[0].value == str(len(claims0))
    assert at.metric[1].value == str(sum(c.holds for c in claims0))
    assert at.get("download_button")
    assert at.latex  # the two parameterizations


def test_badges_and_no_emoji(page0, claims0):
    text = all_text(page0)
    assert not EMOJI.search(text), EMOJI.findall(text)
    n_yes = text.count(":green-badge[holds]")
    n_no = text.count(":red-badge[does not hold]")
    assert (n_yes, n_no) == (sum(c.holds for c in claims0), sum(not c.holds for c in claims0))
    # formulas typeset and papers linked on arXiv
    assert "$L(t)\\le L(0)" in text
    assert "https://arxiv.org/abs/1806.07572" in text and "https://arxiv.org/abs/1902.06720" in text


def test_links_are_the_registrys(page0, claims0):
    want = sorted(page(c.view).url(c.settings) for c in claims0)
    assert sorted(links(page0)) == want
    assert all(not u.startswith(("/", "http")) for u in links(page0))
    assert list(table(page0)["page"]) == [page(c.view).url(c.settings) for c in claims0]


def test_summary_and_list_come_first(page0):
    """The counts, then the claim rows, before the rate section and the long texts."""
    heads = [h.value for h in page0.subheader]
    assert heads[:3] == ["The article's claims", "The papers' claims", "Rates of kernel motion"]
    assert heads[-1] == "Why the article's numbers differ"


def test_rate_section_offers_the_run(page0):
    buttons = [b for b in page0.button if b.label.startswith("Run the full version")]
    assert len(buttons) == 1
    est = claims_rates.rate_claims_cost().seconds
    assert f"≈ {est:.0f} s" in buttons[0].label
    assert not [c for c in table(page0).index if c in ("spread-rate", "change-rate-erf")]


def test_rate_rows_shown_when_run(monkeypatch):
    monkeypatch.setattr(claims_rates, "CLAIM_WIDTHS", (100, 200, 400))
    monkeypatch.setattr(claims_rates, "CLAIM_SEEDS", 2)
    monkeypatch.setattr(claims_rates, "CLAIM_PAIRS", 3)
    st.cache_data.clear()
    at = open_page()
    assert not at.exception, [e.value for e in at.exception]
    ids = list(table(at).index)
    assert ids[-3:] == ["spread-rate", "change-rate-erf", "change-rate-relu"]
    assert sum(u.startswith("Kernel_motion?") for u in links(at)) == 3
    assert "max_width=400" in links(at)[-1]
    st.cache_data.clear()


def test_seed_changes_measured_values_not_verdicts(page0, claims0):
    at = open_page()
    before = table(at)
    at.number_input(key="claims:seed").set_value(1).run()
    assert not at.exception
    after = table(at)
    assert at.query_params["seed"] == "1"
    assert list(after["verdict"]) == list(before["verdict"])
    stochastic = [c.id for c in claims0 if c.stochastic]
    changed = [i for i in stochastic if after.loc[i, "measured"] != before.loc[i, "measured"]]
    assert changed == stochastic
    for c in claims0:
        if "seed" in c.settings and c.stochastic:
            assert "seed=1" in after.loc[c.id, "page"], c.id


@pytest.mark.parametrize("raw", ["xyz", "-5", "1e400", "3.5"])
def test_bad_seed_in_url_warns(raw):
    at = open_page(seed=raw)
    assert not at.exception
    assert at.warning and "seed" in at.warning[0].value
    assert at.query_params["seed"] in {"0", "4", "3"}


def test_links_open_their_pages_with_those_settings(claims0):
    """Each claim's settings are valid query parameters of its page: no URL warning, no
    exception, and the page keeps every value in its URL (the link reproduces the view)."""
    seen = set()
    for c in claims0:
        key = page(c.view).url(c.settings)
        if key in seen:
            continue
        seen.add(key)
        at = open_page(page(c.view).path, **{k: str(v) for k, v in c.settings.items()})
        assert not at.exception, (c.id, [e.value for e in at.exception])
        bad = [w.value for w in at.warning if any(s in w.value for s in URL_WARNINGS)]
        assert not bad, (c.id, bad)
        kept = {k: at.query_params.get(k) for k in c.settings}
        assert kept == {k: str(v) for k, v in c.settings.items()}, c.id
    assert len(seen) >= 4


def test_reinitialise_draws_a_new_seed():
    at = open_page()
    before = table(at)["measured"].copy()
    at.button(key="claims:reinit").click().run()
    assert not at.exception
    assert at.query_params["seed"] != "0"
    assert list(table(at)["measured"]) != list(before)
