"""Speculative prefetch: warm the cache for the slider values a visitor is likely to pick next.

After a page has drawn everything, it calls :func:`prefetch` with its cached compute function and
the arguments of the neighbouring slider values. One background thread per server, at a lower
CPU priority than the script threads (a daemon: it never delays the server's exit), runs them,
so that the next step is a cache hit. Bounds: at most ``MAX_PENDING`` queued calls per server
and ``MAX_PER_SESSION`` per session; calls that are already queued or running are not queued
twice; with the queue full, new calls are dropped (prefetch is only a hint). A call whose
estimated cost (``cost_of``) does not fit ``MAX_COST_FRACTION`` of the interactive budget (or
the memory budget) is not queued: on two cores it would hold the CPU (and, on this VM, fault in
hundreds of MB of fresh memory) while the visitor's next real request waits — at Infinite
width, width 5,000 and depth 2, the wider neighbour alone is estimated at 3.9 s and 835 MB.
Errors in a prefetched call are swallowed: the page computes (and reports) them itself when the
value is really chosen.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from ntk_core.cost import Cost, fits, time_budget_s

MAX_PENDING = 8
MAX_PER_SESSION = 4
MAX_COST_FRACTION = 0.4  # of ntk_core.cost.time_budget_s(): 2 s at the default 5 s
# NTK_PREFETCH=0 switches it off (README, "operator"); the test suite switches it off for its
# in-process page runs (AppTest): see conftest.py
ENABLED = os.environ.get("NTK_PREFETCH", "1").strip() != "0"
_NICE = 10  # added niceness of the prefetch thread (Linux: per thread)

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_pending: set[Hashable] = set()
_per_session: Counter[str] = Counter()


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        pass


# One daemon thread (not a ThreadPoolExecutor: Python joins executor threads at exit, so a
# queued prefetch kept a server from stopping on SIGTERM). Started on first use.
_jobs: queue.Queue = queue.Queue()
_worker: threading.Thread | None = None


def _work() -> None:
    _lower_priority()
    while True:
        _run(*_jobs.get())


def _submit(*job) -> None:
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="ntk-prefetch", daemon=True)
            _worker.start()
    _jobs.put(job)


def _session_id() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        return ctx.session_id if ctx is not None else "-"
    except Exception:
        return "-"


def _key(fn: Callable[..., Any], args: tuple, kwargs: dict) -> Hashable:
    return (getattr(fn, "__qualname__", repr(fn)), args, tuple(sorted(kwargs.items())))


def prefetch(fn: Callable[..., Any], calls: Iterable[tuple[tuple, dict] | tuple], *,
             cost_of: Callable[..., Cost] | None = None) -> int:
    """Queue ``fn(*args, **kwargs)`` for each call (a tuple of args, or (args, kwargs)), in
    order, skipping those whose estimate ``cost_of(*args, **kwargs)`` does not fit
    ``MAX_COST_FRACTION`` of the interactive budget (``ntk_core.cost.fits``).

    ``fn`` should be a ``st.cache_data`` function whose arguments are hashable. Returns how many
    calls were queued.
    """
    if not ENABLED:
        return 0
    max_cost_s = MAX_COST_FRACTION * time_budget_s()
    session = _session_id()
    queued = 0
    for call in calls:
        if len(call) == 2 and isinstance(call[0], tuple) and isinstance(call[1], dict):
            args, kwargs = call
        else:
            args, kwargs = tuple(call), {}
        if cost_of is not None and not fits(cost_of(*args, **kwargs), max_cost_s):
            continue
        key = _key(fn, args, kwargs)
        with _lock:
            if (key in _pending or len(_pending) >= MAX_PENDING
                    or _per_session[session] >= MAX_PER_SESSION):
                continue
            _pending.add(key)
            _per_session[session] += 1
        _submit(fn, args, kwargs, key, session)
        queued += 1
    return queued


def _run(fn, args, kwargs, key, session) -> None:
    try:
        fn(*args, **kwargs)
    except Exception:
        _log.debug("prefetch of %s failed", key, exc_info=True)
    finally:
        with _lock:
            _pending.discard(key)
            _per_session[session] -= 1
            if _per_session[session] <= 0:
                del _per_session[session]


def pending() -> int:
    """Calls queued or running now (for tests and the memory check)."""
    with _lock:
        return len(_pending)


def neighbours(options: list, value: Any, k: int = 1) -> list:
    """The ``k`` options on each side of ``value`` in ``options``, nearest first, the earlier
    option of each pair first (options run from cheap to costly: the cheaper neighbour is
    ready sooner)."""
    if value not in options:
        return []
    i = options.index(value)
    out = []
    for step in range(1, k + 1):
        out += [options[j] for j in (i - step, i + step) if 0 <= j < len(options)]
    return out
