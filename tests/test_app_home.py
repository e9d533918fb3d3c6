"""AppTest checks of the landing page (app.py): the story, a card per registry page, the sidebar
drawn from the registry."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from ntk_app import registry
from ntk_app.layout import PARAM_NOTE

APP = "../" + registry.HOME.path


def run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_landing_page_renders_quickly():
    """No heavy computation on the landing page (a hero figure, if any, must be cheap)."""
    run()  # warm imports
    at = AppTest.from_file(APP, default_timeout=60)
    t0 = time.perf_counter()
    at.run()
    assert time.perf_counter() - t0 < 2.0
    assert not at.exception
    assert at.title[0].value == "NTK Explorer"


def test_story_and_conventions_are_shown():
    at = run()
    text = "\n".join(m.value for m in at.markdown)
    for phrase in ("Jacot", "Lee et al", "Chizat", "Yang & Hu", "Cho & Saul", "λ_min"):
        assert phrase in text, phrase
    assert PARAM_NOTE in text
    assert len(at.get("latex")) >= 3


def test_one_card_per_content_page():
    at = run()
    targets = [link.proto.page for link in at.main.get("page_link")]
    for p in registry.content_pages():
        assert targets.count(p.slug) == 1, (p.slug, targets)
    assert len(targets) == len(registry.content_pages())


def test_sidebar_lists_the_registry():
    """The sidebar's page list is the registry's, in order, Home labelled "Home" (Streamlit's
    own list called it "app")."""
    at = run()
    labels = [link.proto.label for link in at.sidebar.get("page_link")]
    assert labels == [p.title for p in registry.PAGES]


def test_navigate_to_infinite_width():
    at = run()
    at.switch_page(registry.page("infinite_width").path).run()
    assert not at.exception
    assert at.get("plotly_chart")
