"""Smoke test of ``python -m ntk_core.bench --quick --json``: it runs and its JSON is complete.

No timing is asserted (times depend on the machine and its load); only the structure.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TIMED_KEYS = {
    "name",
    "what",
    "seconds",
    "baseline",
    "baseline_seconds",
    "ratio",
    "target",
    "target_met",
    "estimate_seconds",
    "estimate_ratio",
    "repeats",
}
MEMORY_KEYS = {
    "name",
    "what",
    "peak_mb",
    "target_mb",
    "target_met",
    "seconds",
    "estimate_seconds",
    "estimate_ratio",
    "estimate_mb",
    "traced_peak_mb",
    "rss_growth_mb",
}


def test_quick_bench_json_structure():
    out = subprocess.run(
        [sys.executable, "-m", "ntk_core.bench", "--quick", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["quick"] is True
    machine = result["machine"]
    assert machine["nproc"] >= 1
    assert isinstance(machine["cpu"], str) and machine["numpy"]
    assert {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} <= set(machine["env"])
    assert "library" in machine["blas"]

    cases = {c["name"]: c for c in result["cases"]}
    assert {"empirical_gram", "empirical_vs_jacobian", "empirical_memory", "analytic"} <= set(cases)
    assert sum(name.startswith("train_step_") for name in cases) >= 2
    for name, case in cases.items():
        keys = MEMORY_KEYS if name == "empirical_memory" else TIMED_KEYS
        assert keys <= set(case), (name, keys - set(case))
        assert isinstance(case["target_met"], bool)
        assert case["seconds"] > 0 and math.isfinite(case["estimate_ratio"])
        if name != "empirical_memory":
            assert case["baseline_seconds"] > 0
            assert math.isclose(case["ratio"], case["seconds"] / case["baseline_seconds"])
    # the engine and the article's Jacobian route compute the same kernel, as do train_gd and
    # the plain GD loop
    assert cases["empirical_vs_jacobian"]["max_rel_diff"] < 1e-10
    assert cases["empirical_gram"]["two_grams_ratio"] > 0
    for name, case in cases.items():
        if name.startswith("train_step_"):
            assert case["max_rel_diff"] < 1e-8, name


def test_table_output():
    out = subprocess.run(
        [sys.executable, "-m", "ntk_core.bench", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "empirical_gram" in out.stdout and "OPENBLAS" in out.stdout
