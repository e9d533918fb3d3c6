"""The page benchmark runs and reports every page (structure only: no timed assertions)."""

import json

from ntk_app import bench_pages


def test_bench_pages_reports_every_page(capsys):
    assert bench_pages.main(["--repeat", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["pages"]) == set(bench_pages.PAGES)
    for page, control in bench_pages.PAGES.items():
        r = out["pages"][page]
        assert r["cold_ms"] > 0 and r["rerun_ms"] > 0
        assert (r["interaction_ms"] > 0) is (control is not None)


def test_bench_pages_covers_every_page():
    pages = {
        p.relative_to(bench_pages.ROOT).as_posix()
        for p in (bench_pages.ROOT / "pages").glob("*.py")
    }
    assert pages | {"app.py"} == set(bench_pages.PAGES)
