"""The prefetch pool warms a cache in the background, within its bounds."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from ntk_app import prefetch
from ntk_core.cost import MEMORY_BUDGET_B, Cost


@pytest.fixture(autouse=True)
def prefetch_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/conftest.py switches prefetch off for the suite's in-process page runs."""
    monkeypatch.setattr(prefetch, "ENABLED", True)


def _wait_idle(timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while prefetch.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert prefetch.pending() == 0


def test_prefetch_runs_each_call_once_and_swallows_errors():
    _wait_idle(60)  # calls an earlier page test in this process queued (pending() is global)
    seen = []

    def work(x, *, scale=1):
        if x == 3:
            raise ValueError("a bad neighbour must not break anything")
        seen.append(x * scale)

    n = prefetch.prefetch(work, [(1,), ((2,), {"scale": 10}), (3,)])
    assert n == 3
    _wait_idle()
    assert sorted(seen) == [1, 20]


def test_prefetch_is_bounded_per_session_and_deduplicated():
    _wait_idle(60)  # calls an earlier page test in this process queued (pending() is global)
    gate = threading.Event()
    started = []

    def slow(x):
        started.append(x)
        gate.wait(5)

    try:
        queued = prefetch.prefetch(slow, [(i,) for i in range(10)] + [(0,)])
        assert queued == prefetch.MAX_PER_SESSION  # outside Streamlit: one session "-"
        assert prefetch.pending() == prefetch.MAX_PER_SESSION
    finally:
        gate.set()
    _wait_idle()
    assert sorted(started) == list(range(prefetch.MAX_PER_SESSION))


def test_neighbours():
    opts = [10, 20, 50, 100]
    assert prefetch.neighbours(opts, 20) == [10, 50]
    assert prefetch.neighbours(opts, 100, k=2) == [50, 20]
    assert prefetch.neighbours(opts, 20, k=2) == [10, 50, 100]
    assert prefetch.neighbours(opts, 7) == []


def test_calls_over_the_cost_cap_are_not_queued(monkeypatch):
    """cost_of prices each call; those over MAX_COST_FRACTION of the time budget, or over the
    memory budget, are skipped."""
    _wait_idle(60)
    monkeypatch.setenv("NTK_TIME_BUDGET_S", "5")
    cap = prefetch.MAX_COST_FRACTION * 5
    ran = []
    huge = MEMORY_BUDGET_B + 1
    calls = [(0.5 * cap, 0), (1.01 * cap, 0), (cap, 0), (0.1, huge)]
    queued = prefetch.prefetch(lambda s, b: ran.append(s), calls, cost_of=Cost)
    _wait_idle()
    assert queued == 2 and sorted(ran) == [0.5 * cap, cap]


def test_a_queued_prefetch_does_not_delay_the_interpreters_exit():
    """A server stopped with SIGTERM exits even while a long prefetch is queued: the worker is
    a daemon thread (a ThreadPoolExecutor's workers are joined at exit)."""
    import subprocess
    import sys
    import time as _time

    code = (
        "import time\n"
        "from ntk_app import prefetch\n"
        "prefetch.prefetch(time.sleep, [(30,), (31,)])\n"
        "time.sleep(0.2)\n"
    )
    t0 = _time.monotonic()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=20)
    assert _time.monotonic() - t0 < 15


def test_memo_keeps_a_bounded_lru_and_ignores_private_arguments():
    """ntk_app.budget.memo: the cache for computations that draw progress from outside."""
    from ntk_app.budget import memo

    calls = []

    @memo(max_entries=2)
    def square(x, *, _progress=None):
        calls.append(x)
        if _progress:
            _progress(1.0)
        return x * x

    seen = []
    assert square(3, _progress=seen.append) == 9 and seen == [1.0]
    assert square(3, _progress=lambda f: None) == 9  # a different callback: same key
    square(4)
    square(5)  # evicts 3
    assert square(3) == 9
    assert calls == [3, 4, 5, 3]


@pytest.mark.parametrize(("value", "enabled"), [(None, True), ("1", True), ("0", False),
                                                (" 0 ", False), ("no", True)])
def test_operator_switch(value: str | None, enabled: bool):
    """NTK_PREFETCH=0 (and only "0") switches prefetch off for a server; read at import, so
    checked in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k != "NTK_PREFETCH"}
    if value is not None:
        env["NTK_PREFETCH"] = value
    out = subprocess.run(
        [sys.executable, "-c", "from ntk_app import prefetch; print(prefetch.ENABLED)"],
        env=env, cwd=prefetch.__file__.rsplit("/ntk_app/", 1)[0], capture_output=True,
        text=True, check=True,
    ).stdout.strip()
    assert out == str(enabled)
