"""Server time per interaction on every page (AppTest run time): ``python -m ntk_app.bench_pages``.

For each page of ``ntk_app.registry.PAGES``: the first load with empty caches, a rerun with
nothing changed (the cost of drawing the page: widgets, figure JSON), and an interaction — one
step of the page's first width control (the first slider labelled "Width…"), which misses the
engine caches that depend on it; a page without one reports no interaction. Medians over
``--repeat`` rounds; ``--json`` prints machine-readable output, keyed by view name. The budget
is 150 ms per interaction.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time

from .registry import PAGES, ROOT

BUDGET_MS = 150.0


def _neighbour(widget) -> object:
    """The option next to the current one (left if possible)."""
    options = list(widget.options)
    shown = [str(o).replace(",", "") for o in options]  # options as formatted: "1,000"
    i = shown.index(str(widget.value))
    return type(widget.value)(shown[i - 1] if i > 0 else shown[i + 1])


def width_control(at) -> object | None:
    """The page's first width control that can move: a slider or select-slider labelled
    "Width…" with more than one value (a budget may leave a single option)."""
    widgets = [*at.select_slider, *at.slider]
    return next((w for w in widgets if w.label.strip().lower().startswith("width")
                 and (len(w.options) > 1 if hasattr(w, "options") else w.max > w.min)), None)


def measure(view: str) -> dict[str, float | str | None]:
    """Cold load, rerun and one width step of the registry page ``view`` (ms)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from .registry import page

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / page(view).path), default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    at.run()
    rerun = time.perf_counter() - t0
    interaction = float("nan")
    widget = width_control(at)
    if widget is not None:
        if hasattr(widget, "options"):
            widget.set_value(_neighbour(widget))
        else:  # a plain slider: one step down (up at its minimum)
            step = widget.step or 1
            widget.set_value(widget.value - step if widget.value - step >= widget.min
                             else widget.value + step)
        t0 = time.perf_counter()
        at.run()
        interaction = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{view}: {at.exception[0].message}")
    return {"cold_ms": 1e3 * cold, "rerun_ms": 1e3 * rerun, "interaction_ms": 1e3 * interaction,
            "control": None if widget is None else widget.label}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    results = {}
    for p in PAGES:
        runs = [measure(p.view) for _ in range(max(1, args.repeat))]
        results[p.view] = {
            k: (runs[0][k] if k == "control" else statistics.median(r[k] for r in runs))
            for k in runs[0]
        }
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
    print(f"{'page':20s} {'first load':>11s} {'rerun':>8s} {'interaction':>12s}  control")
    for view, r in results.items():
        inter = r["interaction_ms"]
        mark = "  " if inter != inter else (" ✓" if inter <= BUDGET_MS else " ✗")
        print(f"{view:20s} {r['cold_ms']:9.0f}ms {r['rerun_ms']:6.0f}ms {inter:10.0f}ms{mark} "
              f"{r['control'] or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
