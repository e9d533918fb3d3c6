"""AppTest checks of pages/5_Claims.py: it renders, the seed moves the measured values but not
the verdicts, bad URL values warn, and every claim's link opens its page with those exact
settings (no URL warning, the settings kept in the page's URL)."""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from ntk_core.claims import evaluate_claims

PAGE = "../pages/5_Claims.py"
REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120
PAGE_FILES = {
    "width_stability": "../pages/1_Width_stability.py",
    "training_dynamics": "../pages/2_Training_dynamics.py",
    "lazy_vs_rich": "../pages/3_Lazy_vs_rich.py",
    "infinite_width": "../pages/4_Infinite_width.py",
}
SLUGS = {
    "width_stability": "Width_stability",
    "training_dynamics": "Training_dynamics",
    "lazy_vs_rich": "Lazy_vs_rich",
    "infinite_width": "Infinite_width",
}
# what ntk_app.state.PageState says about a URL value it could not use
URL_WARNINGS = ("Ignored invalid", "Unknown ", "is outside", "is not one of", "Dropped ")


def run_page(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def table(at: AppTest):
    return at.dataframe[0].value


def url_of(c) -> str:
    """The app-relative link of a claim's view with its settings."""
    return f"{SLUGS[c.view]}?{urlencode(c.settings)}"


def as_query(settings: dict) -> dict[str, str]:
    return {k: str(v) for k, v in settings.items()}


def links(at: AppTest) -> list[str]:
    return [b.proto.url for b in at.get("link_button")]


@pytest.fixture(scope="module")
def claims0():
    return evaluate_claims(0)


def test_renders_at_defaults(claims0):
    at = run_page()
    assert not at.exception
    assert not at.warning
    assert at.query_params["seed"] == "0"
    df = table(at)
    assert list(df.index) == [c.id for c in claims0]
    assert list(df["Verdict"]) == ["✅ holds" if c.holds else "❌ does not hold" for c in claims0]
    assert list(df["Measured now"]) == [c.measured_text for c in claims0]
    # one "open the page" link per claim, relative to the app, with the claim's settings
    assert sorted(links(at)) == sorted(url_of(c) for c in claims0)
    assert all(not u.startswith(("/", "http")) for u in links(at))
    assert len(at.metric) == 4 and at.metric[0].value == str(len(claims0))
    assert at.get("download_button")
    assert at.latex  # the two parameterizations


def test_seed_changes_measured_values_not_verdicts(claims0):
    at = run_page()
    before = table(at)
    at.number_input(key="claims:seed").set_value(1).run()
    assert not at.exception
    after = table(at)
    assert at.query_params["seed"] == "1"
    assert list(after["Verdict"]) == list(before["Verdict"])
    stochastic = [c.id for c in claims0 if c.stochastic]
    changed = [
        i for i in stochastic if after.loc[i, "Measured now"] != before.loc[i, "Measured now"]
    ]
    assert changed == stochastic
    # the links follow the seed (analytic claims keep their fixed settings)
    assert sorted(links(at)) == sorted(after["Page"])
    for c in claims0:
        if "seed" in c.settings and c.stochastic:
            assert "seed=1" in after.loc[c.id, "Page"], c.id


def test_reinitialise_draws_a_new_seed():
    at = run_page()
    before = table(at)["Measured now"].copy()
    at.button(key="claims:reinit").click().run()
    assert not at.exception
    assert at.query_params["seed"] != "0"
    assert list(table(at)["Measured now"]) != list(before)


@pytest.mark.parametrize("raw", ["xyz", "-5", "1e400", "3.5"])
def test_bad_seed_in_url_warns(raw):
    at = run_page(seed=raw)
    assert not at.exception
    assert at.warning and "seed" in at.warning[0].value
    assert at.query_params["seed"] in {"0", "4", "3"}


def _page_run(view: str, settings: dict) -> AppTest:
    at = AppTest.from_file(PAGE_FILES[view], default_timeout=TIMEOUT)
    for k, v in as_query(settings).items():
        at.query_params[k] = v
    return at.run()


def test_links_open_their_pages_with_those_settings(claims0):
    """Each claim's settings are valid query parameters of its page: no URL warning, no
    exception, and the page keeps every value in its URL (the link reproduces the view)."""
    seen = set()
    for c in claims0:
        if not (REPO / PAGE_FILES[c.view].removeprefix("../")).is_file():
            continue
        key = url_of(c)
        if key in seen:
            continue
        seen.add(key)
        at = _page_run(c.view, c.settings)
        assert not at.exception, (c.id, at.exception)
        bad = [w.value for w in at.warning if any(s in w.value for s in URL_WARNINGS)]
        assert not bad, (c.id, bad)
        kept = {k: at.query_params.get(k) for k in c.settings}
        assert kept == as_query(c.settings), c.id
    assert len(seen) >= 4
