"""Server time per interaction on every page (AppTest run time): ``python -m ntk_app.bench_pages``.

For each page: the first load with empty caches, a rerun with nothing changed (the cost of
drawing the page: widgets, figure JSON), and an interaction — one step of the page's first
width control, which misses the engine caches that depend on it. Medians over ``--repeat``
rounds; ``--json`` prints machine-readable output. The budget is 150 ms per interaction.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# page file -> the width control moved by an "interaction" (None: the seed)
PAGES: dict[str, str | None] = {
    "app.py": None,
    "pages/1_Width_stability.py": "width",
    "pages/2_Training_dynamics.py": "width",
    "pages/3_Lazy_vs_rich.py": "width_wide",
    "pages/4_Infinite_width.py": "width",
    "pages/5_Claims.py": None,
}
BUDGET_MS = 150.0


def _neighbour(widget) -> object:
    """The option next to the current one (left if possible)."""
    options = list(widget.options)
    i = [str(o) for o in options].index(str(widget.value))
    return type(widget.value)(options[i - 1] if i > 0 else options[i + 1])


def measure(page: str, control: str | None) -> dict[str, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    at.run()
    rerun = time.perf_counter() - t0
    interaction = float("nan")
    if control is not None:
        widget = next(w for w in at.select_slider if (w.key or "").endswith(f":{control}"))
        widget.set_value(_neighbour(widget))
        t0 = time.perf_counter()
        at.run()
        interaction = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    return {"cold_ms": 1e3 * cold, "rerun_ms": 1e3 * rerun, "interaction_ms": 1e3 * interaction}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    results = {}
    for page, control in PAGES.items():
        runs = [measure(page, control) for _ in range(max(1, args.repeat))]
        results[page] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    meta = {
        "cpus": os.cpu_count(),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "load_1min": os.getloadavg()[0],
        "budget_ms": BUDGET_MS,
    }
    if args.json:
        print(json.dumps({"machine": meta, "pages": results}, indent=2))
        return 0
    print(f"machine: {meta}")
    print(f"{'page':32s} {'first load':>11s} {'rerun':>8s} {'interaction':>12s}")
    for page, r in results.items():
        inter = r["interaction_ms"]
        mark = "" if inter != inter else (" ✓" if inter <= BUDGET_MS else " ✗")
        print(f"{page:32s} {r['cold_ms']:9.0f}ms {r['rerun_ms']:6.0f}ms {inter:10.0f}ms{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
