"""AppTest checks of the landing page (app.py)."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ntk_app.layout import PARAM_NOTE

APP = "../app.py"
ROOT = Path(__file__).resolve().parents[1]
PAGE_FILES = (
    "pages/1_Width_stability.py",
    "pages/2_Training_dynamics.py",
    "pages/3_Lazy_vs_rich.py",
    "pages/4_Infinite_width.py",
    "pages/5_Claims.py",
)


def run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_landing_page_renders_quickly():
    run()  # warm imports
    at = AppTest.from_file(APP, default_timeout=60)
    t0 = time.perf_counter()
    at.run()
    assert time.perf_counter() - t0 < 2.0  # no computation on the landing page
    assert not at.exception
    assert at.title[0].value == "🧠 NTK Explorer"
    assert not at.get("plotly_chart")


def test_story_and_conventions_are_shown():
    at = run()
    text = "\n".join(m.value for m in at.markdown)
    for phrase in ("Jacot", "Lee et al", "Chizat", "Yang & Hu", "Cho & Saul", "λ_min"):
        assert phrase in text, phrase
    assert PARAM_NOTE in text
    assert len(at.get("latex")) >= 3


def test_one_card_per_existing_page():
    at = run()
    links = at.get("page_link")
    existing = [p for p in PAGE_FILES if (ROOT / p).is_file()]
    assert len(links) == len(existing)
    targets = {link.proto.page for link in links}
    for path in existing:
        assert Path(path).stem.split("_", 1)[1] in targets


def test_navigate_to_infinite_width():
    at = run()
    at.switch_page("pages/4_Infinite_width.py").run()
    assert not at.exception
    assert at.get("plotly_chart")
