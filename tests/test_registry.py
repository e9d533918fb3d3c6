"""The page registry is the only page list, and it agrees with the files in pages/."""

from __future__ import annotations

import re

import pytest

from ntk_app import registry
from ntk_app.registry import PAGES, ROOT


def test_registry_matches_the_pages_folder():
    assert registry.check_files() == []


def test_check_files_reports_an_unlisted_page(tmp_path):
    (tmp_path / "pages").mkdir()
    for p in PAGES:
        (tmp_path / p.path).write_text("")
    (tmp_path / "pages" / "9_Extra.py").write_text("")
    assert registry.check_files(tmp_path) == ["pages/9_Extra.py is not in ntk_app.registry.PAGES"]


@pytest.mark.parametrize("p", PAGES, ids=lambda p: p.view)
def test_every_page_sets_itself_up_from_the_registry(p):
    """Each script calls setup_page with its own view name: one title, icon and sidebar."""
    src = (ROOT / p.path).read_text()
    assert f'setup_page("{p.view}")' in src


def test_slugs_and_urls():
    assert registry.page("width_stability").slug == "Width_stability"
    assert registry.HOME.slug == ""
    url = registry.page("lazy_vs_rich").url({"width": 100, "act": "erf"})
    assert url == "Lazy_vs_rich?width=100&act=erf"


def test_icons_are_material_symbols_not_emoji():
    """Emoji render as boxes without an emoji font; Material Symbols ship with Streamlit."""
    for p in PAGES:
        assert re.fullmatch(r":material/[a-z_]+:", p.icon), p.icon


def test_no_other_module_lists_the_page_files():
    """The page list lives only in ntk_app/registry.py: no other module names two or more page
    files (a page's own view or test may name its one page)."""
    offenders = []
    for f in [*ROOT.glob("*.py"), *ROOT.glob("ntk_app/**/*.py"), *ROOT.glob("ntk_core/*.py"),
              *ROOT.glob("tests/*.py"), *ROOT.glob("deploy/*.py")]:
        if f.name in ("registry.py", "test_registry.py"):
            continue
        named = set(re.findall(r"\b\d_[A-Z]\w*\.py", f.read_text()))
        if len(named) > 1:
            offenders.append(f"{f.relative_to(ROOT)}: {sorted(named)}")
    assert offenders == []
