"""The page benchmark runs and reports every registry page (structure only: no timed
assertions)."""

import json

from ntk_app import bench_pages
from ntk_app.registry import PAGES


def test_bench_pages_reports_every_page(capsys):
    assert bench_pages.main(["--repeat", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["pages"]) == [p.view for p in PAGES]
    for view, r in out["pages"].items():
        assert r["cold_ms"] > 0 and r["rerun_ms"] > 0
        # a page with a width control reports one step of it; one without, no interaction
        assert (r["interaction_ms"] > 0) is (r["control"] is not None), view
    assert sum(r["control"] is not None for r in out["pages"].values()) >= 4
