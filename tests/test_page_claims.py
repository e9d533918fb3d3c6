"""AppTest checks of pages/5_Claims.py (entered from app.py, so that the sidebar's page links
resolve): summary and list first, text badges and no emoji, links built by the registry that
open their pages with those exact settings, the seed moves the numbers but not the verdicts,
bad URL values warn, and the rate rows are offered as a run and shown when computed."""

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ntk_app.registry import page
from ntk_core import _claims_ensembles, _claims_realdata, claims_rates
from ntk_core.claims import evaluate_claims

PAGE = "pages/5_Claims.py"
ENSEMBLE_IDS = ["ensemble-converges", "readout-nngp-posterior"]
REAL_IDS = ["lee2020-nngp-vs-ntk", "lee2020-ridge-like-stopping", "lee2020-ensembling",
            "lee2020-large-lr", "lee2020-ntk-vs-standard", "arora2020-small-data"]
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
    n = len(claims0)
    assert list(df.index)[:n] == [c.id for c in claims0]
    assert list(df.index)[n:] in ([], ENSEMBLE_IDS)  # within the budget or on request
    assert list(df["verdict"])[:n] == [c.verdict for c in claims0]
    assert list(df["measured"])[:n] == [c.measured_text for c in claims0]
    assert len(at.metric) == 4 and at.metric[0].value == str(len(claims0))
    assert at.metric[1].value == str(sum(c.holds for c in claims0))
    assert at.get("download_button")
    assert at.latex  # the two parameterizations


def test_badges_and_no_emoji(page0, claims0):
    text = all_text(page0)
    assert not EMOJI.search(text), EMOJI.findall(text)
    n_yes = text.count(":green-badge[holds]")
    n_no = text.count(":red-badge[does not hold]")
    verdicts = list(table(page0)["verdict"])
    assert (n_yes, n_no) == (verdicts.count("holds"), verdicts.count("does not hold"))
    # formulas typeset and papers linked on arXiv
    assert "$L(t)\\le L(0)" in text
    assert "https://arxiv.org/abs/1806.07572" in text and "https://arxiv.org/abs/1902.06720" in text


def test_links_are_the_registrys(page0, claims0):
    want = [page(c.view).url(c.settings) for c in claims0]
    assert list(table(page0)["page"])[: len(claims0)] == want
    assert sorted(links(page0)) == sorted(u for u in table(page0)["page"] if u)
    assert all(not u.startswith(("/", "http")) for u in links(page0))


def test_summary_and_list_come_first(page0):
    """The counts, then the claim rows, before the rate section and the long texts."""
    heads = [h.value for h in page0.subheader]
    assert heads[:5] == ["The article's claims", "The papers' claims", "Infinite ensembles",
                         "Real data", "Rates of kernel motion"]
    assert heads[-1] == "Why the article's numbers differ"


def test_rate_section_offers_the_run(page0):
    button = page0.button(key="btn_long_run:claim-rates-0")
    est = claims_rates.rate_claims_cost().seconds
    assert button.label == f"Run the full version (≈ {est:.0f} s)"
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


def test_links_open_their_pages_with_those_settings(claims0, app_budget):
    """Each claim's settings are valid query parameters of its page: no URL warning, no
    exception, and the page keeps every value in its URL (the link reproduces the view) at the
    app's own budget."""
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


def test_cookbook_rows_in_the_ensembles_section(page0, claims0):
    """The Cookbook's rows come with the others and link to the Infinite ensembles page."""
    cookbook = [c for c in claims0 if c.view == "infinite_ensembles"]
    assert [c.id for c in cookbook] == ["cookbook-interpolates", "cookbook-gd-vs-bayes",
                                        "ntk-not-posterior", "prior-to-posterior"]
    assert sum(u.startswith("Infinite_ensembles?") for u in links(page0)) >= len(cookbook)
    assert "neural_tangents_cookbook.ipynb" in all_text(page0)


def _small_ensembles(monkeypatch):
    monkeypatch.setattr(_claims_ensembles, "CONV_WIDTHS", (64, 256))
    monkeypatch.setattr(_claims_ensembles, "CONV_MEMBERS", 3)


def _small_real(monkeypatch):
    for k, v in dict(N_TRAIN=40, N_TEST=40, WIDTH=16, STEPS=5, SEEDS=2).items():
        monkeypatch.setattr(_claims_realdata, k, v)


def test_ensemble_and_real_rows_shown_when_run(monkeypatch):
    """Both sections' rows appear (run at once within the budget, else on request); a real-data
    row links to the Real data page when this build has it, and is shown without a link
    otherwise."""
    _small_ensembles(monkeypatch)
    _small_real(monkeypatch)
    st.cache_data.clear()
    at = open_page()
    for key in ("btn_long_run:claim-ensembles-0", "btn_long_run:claim-real-0"):
        if any(b.key == key for b in at.button):
            at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    ids = list(table(at).index)
    assert ids[-8:] == ENSEMBLE_IDS + REAL_IDS
    pages = table(at)["page"]
    try:
        page("real_data")
    except KeyError:
        assert all(pages[i] == "" for i in REAL_IDS)
        assert sum("page is not in this build" in c.value for c in at.caption) == 6
    else:
        assert all(pages[i].startswith("Real_data?data=digits") for i in REAL_IDS)
    assert not at.error
    st.cache_data.clear()


def test_a_failing_section_stays_in_its_section(monkeypatch):
    """An error while measuring the real-data rows is shown there; every other section and
    the table are still drawn."""
    from ntk_app import datasets

    def broken(*_a, **_k):
        raise OSError("bundled file missing")

    monkeypatch.setattr(datasets, "load_bundled", broken)
    st.cache_data.clear()
    at = open_page()
    assert not at.exception
    assert any("bundled file missing" in e.value for e in at.error)
    heads = [h.value for h in at.subheader]
    assert "Rates of kernel motion" in heads and heads[-1] == "Why the article's numbers differ"
    assert at.dataframe
    st.cache_data.clear()
