"""A long-running server's memory stays bounded: every engine call is behind a cache with
``max_entries``, so 200 interactions with distinct settings (all cache misses) must plateau
instead of growing with the number of interactions."""

import gc
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
# cheap, distinct settings per interaction: a new seed is a new cache key on every page
PAGES = {
    "pages/1_Width_stability.py": {"sweep_max": "1000", "seeds": "2"},
    "pages/2_Training_dynamics.py": {"width": "200", "steps": "200"},
    "pages/4_Infinite_width.py": {"width": "200", "n": "32"},
}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status")


def interact(page: str, params: dict, seed: int) -> None:
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    for k, v in {**params, "seed": str(seed)}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception


@pytest.mark.slow
def test_memory_plateaus_over_200_interactions():
    pages = list(PAGES.items())
    samples = []
    for i in range(200):
        page, params = pages[i % len(pages)]
        interact(page, params, seed=1000 + i)
        if i in (59, 129, 199):
            gc.collect()
            samples.append(rss_mb())
    growth_late = samples[2] - samples[1]
    print(f"MEMORY_RSS_MB after 60/130/200 interactions: {samples}")
    # caches hold at most 32 entries per function: once they are full (by 60 interactions,
    # 20 per page) further misses replace entries instead of adding them. Measured here:
    # 208 / 213 / 214 MB; 70 more cache misses may add allocator noise, not 20 MB.
    assert growth_late < 20, samples


def test_every_engine_cache_is_bounded():
    """Pages cache through ntk_app.layout.cached (always max_entries); a bare st.cache_data
    or st.cache_resource without max_entries would grow with every new setting."""
    import re

    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        src = path.read_text()
        for m in re.finditer(r"st\.cache_(data|resource)\(([^)]*)\)|@st\.cache_(data|resource)\b",
                             src):
            assert "max_entries" in (m.group(2) or ""), f"{path.name}: unbounded {m.group(0)}"
