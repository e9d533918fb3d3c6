"""A long-running server's memory stays bounded: every engine call is behind a cache with
``max_entries``, so 120 interactions with distinct settings (all cache misses) must plateau
instead of growing with the number of interactions: once every cache is full (72), 48 more
misses may not add more than the allocator's noise."""

import ctypes
import gc
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ntk_app import registry

ROOT = registry.ROOT
# cheap, distinct settings per interaction (view name -> URL parameters): a new seed is a new
# cache key on every page
INTERACTIONS = {
    "width_stability": {"sweep_max": "1000", "seeds": "2"},
    "training_dynamics": {"width": "200", "steps": "200"},
    "infinite_width": {"width": "200", "n": "32"},
}


# Every cache these pages fill is full after FILL interactions (24 visits per page, counted
# with st.cache_data's stats): the last, Infinite width's 24-entry empirical kernels, takes one
# entry per visit; Training dynamics' 16 runs and Width stability's caches (8 grids, 8 sweeps,
# 16 slices: one entry per visit; 32 kernel pairs: 13 per visit) are full before. WINDOW more
# misses then only replace entries. Were a cache unbounded, the three pages' misses would add
# their cached bytes, ~1.4 MB (0.47 MB per interaction), 22 MB over the window; the limit is
# the former one's rate (20 MB over 70 interactions: 0.29 MB per interaction).
FILL = 72
WINDOW = 48
GROWTH_LIMIT_MB = 14.0
_LIBC = ctypes.CDLL(None)


def rss_mb() -> float:
    """VmRSS of this process after a full collection, with free heap pages handed back to the
    system (glibc's malloc_trim): without it RSS wandered by up to 14 MB between samples of
    the same plateau (allocator noise); with it, by about 5 MB."""
    gc.collect()
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status")


def interact(view: str, params: dict, seed: int) -> None:
    at = AppTest.from_file(str(ROOT / registry.page(view).path), default_timeout=60)
    for k, v in {**params, "seed": str(seed)}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception


@pytest.mark.slow
def test_memory_plateaus_over_120_interactions():
    import streamlit

    # start from empty caches: with pytest-xdist this process has run other tests, whose cache
    # entries would be evicted during the measured window and blur the plateau
    streamlit.cache_data.clear()
    streamlit.cache_resource.clear()
    gc.collect()
    pages = list(INTERACTIONS.items())
    total = FILL + WINDOW
    at_sample = (FILL, FILL + WINDOW // 2, total)  # caches full, half-way, end
    samples = []
    for i in range(total):
        page, params = pages[i % len(pages)]
        interact(page, params, seed=1000 + i)
        if i + 1 in at_sample:
            samples.append(rss_mb())
    growth_late = samples[2] - samples[0]
    print(f"MEMORY_RSS_MB after {'/'.join(map(str, at_sample))} interactions: {samples}")
    # every cache is bounded (test below), so once they are full (FILL) further misses replace
    # entries; the 64-entry caches these pages use hold small analytic kernels (one entry each
    # here). Measured here (trimmed): 200 / 200 / 197 MB, and 196-201 MB from 21 interactions
    # to 200; 48 more misses may add allocator noise, not GROWTH_LIMIT_MB.
    assert growth_late < GROWTH_LIMIT_MB, samples


def test_every_engine_cache_is_bounded():
    """Pages cache through ntk_app.layout.cached (always max_entries); a bare st.cache_data
    or st.cache_resource without max_entries would grow with every new setting (in a page
    script or in the code the pages share, views included)."""
    import re

    shared = sorted((ROOT / "ntk_app").rglob("*.py"))
    for path in [*(ROOT / p.path for p in registry.PAGES), *shared]:
        src = path.read_text()
        pattern = r"st\.cache_(data|resource)\(([^)]*)\)|@st\.cache_(data|resource)\b(?!\()"
        for m in re.finditer(pattern, src):
            assert "max_entries" in (m.group(2) or ""), f"{path.name}: unbounded {m.group(0)}"
