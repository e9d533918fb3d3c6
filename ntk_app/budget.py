"""Budgets as the pages apply them: cap what a control offers, or offer a longer run.

The engine estimates costs (``ntk_core.cost`` and ``ntk_core.experiments.*_cost``); this module
decides what a visitor sees. A control never offers a value its page would refuse:

- :func:`affordable` keeps the options whose cost fits the interactive budget, for capping a
  slider;
- :func:`long_run` lets a visitor opt in to a costlier view (≈ seconds shown on the button), with
  a progress bar, up to an operator-set ceiling ``NTK_MAX_RUN_S`` (seconds, default 120);
- :func:`section_now` lets the optional sections below a page's main picture share one
  interactive budget in a full page run, so a link with every section switched on still draws
  the page within seconds (a section that does not fit waits behind a button).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

import streamlit as st

from ntk_core.cost import Cost, env_seconds, fits, time_budget_s

T = TypeVar("T")
_DEFAULT_CEILING_S = 120.0  # the Claims page's rate fits need ≈ 1 min (rate_claims_cost)
_LEDGER = "budget:sections_spent"  # session-state key: estimated seconds spent in this full run


def ceiling_s() -> float:
    """The operator's per-request ceiling for explicit long runs, in seconds
    (environment variable ``NTK_MAX_RUN_S``; invalid or non-positive values fall back to 120)."""
    return env_seconds("NTK_MAX_RUN_S", _DEFAULT_CEILING_S)


def affordable(options: Sequence[T], cost_of: Callable[[T], Cost],
               budget_s: float | None = None) -> tuple[T, ...]:
    """The options whose cost fits ``budget_s`` (at least the first, so a control always has a
    value)."""
    kept = tuple(o for o in options if fits(cost_of(o), budget_s))
    return kept or tuple(options[:1])


def affordable_prefix(values: Sequence[T], cost_of: Callable[[tuple], Cost], *,
                      budget_s: float | None = None, at_least: int = 1) -> tuple[T, ...]:
    """The longest prefix of ``values`` whose cost fits ``budget_s``
    (``cost.largest_affordable_prefix``), and never fewer than the first ``at_least`` values:
    a sweep always has something to draw."""
    from ntk_core.cost import largest_affordable_prefix

    fit = largest_affordable_prefix(values, cost_of, budget_s)
    return fit if len(fit) >= at_least else tuple(values[:at_least])


def all_on_request(values: Sequence[T], shown: Sequence[T], cost_of: Callable[[tuple], Cost],
                   *, what: str, key: str) -> tuple[T, ...]:
    """All of ``values`` when ``shown`` (their affordable prefix) falls short and the visitor
    asked for the longer run (:func:`long_run`'s button, offered at ``cost_of(values)``);
    otherwise ``shown``. Nothing is offered when the prefix is already everything."""
    if len(shown) < len(values) and long_run(cost_of(tuple(values)), what=what, key=key):
        return tuple(values)
    return tuple(shown)


def long_run(c: Cost, *, what: str, key: str) -> bool:
    """For a request over the interactive budget: explain, and offer an explicit run.

    Returns True when the request fits the interactive budget, or when the visitor has asked for
    the longer run (a button showing the estimate; the choice is remembered for ``key`` in this
    session). Over the operator's ceiling no button is offered and the reason is shown.
    """
    if fits(c):
        return True
    if c.seconds > ceiling_s() or not fits(c, math.inf):
        st.info(
            f"{what} would need {c.describe()}, more than this server allows per request "
            f"({ceiling_s():g} s). Choose a smaller setting.",
            icon=":material/hourglass_disabled:",
        )
        return False
    flag = f"long_run:{key}"
    if st.session_state.get(flag):
        return True
    st.info(f"{what} takes {c.describe()}: longer than an interactive step.",
            icon=":material/hourglass_top:")
    if st.button(f"Run the full version (≈ {c.seconds:.0f} s)", key=f"btn_{flag}"):
        st.session_state[flag] = True
        return True
    return False


def start_page() -> None:
    """Open the sections' ledger of a full page run (``layout.setup_page`` calls this first)."""
    st.session_state[_LEDGER] = 0.0


def _fragment_rerun() -> bool:
    """Whether this run reruns only fragments (a control inside an ``st.fragment``)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def section_now(c: Cost, *, what: str, key: str) -> bool:
    """Whether an optional section (an ``st.fragment``) computes in this run.

    In a full page run the sections share the interactive budget (time_budget_s()), in page
    order: a section whose estimate ``c`` does not fit what is left shows a button with its
    estimate instead, so the page above it draws first. The button (or any control of the
    section) reruns only the section's fragment, which then gets the whole interactive budget;
    a section computed so is computed on later full runs with the same ``key`` (its settings:
    then usually from the cache) without asking again.
    """
    flag = f"section_now:{key}"
    if _fragment_rerun():
        st.session_state[flag] = True
        return True
    if st.session_state.get(f"btn_{flag}"):  # its button was clicked for this run
        st.session_state[flag] = True
    if st.session_state.get(flag):  # asked for: it does not take the others' share
        return True
    spent = float(st.session_state.get(_LEDGER, 0.0))
    if spent + c.seconds <= time_budget_s():
        st.session_state[_LEDGER] = spent + c.seconds
        return True
    st.caption(f"{what} waits for a click, so that the page above draws first: the sections "
               f"switched on above it use this page's {time_budget_s():g} s budget.")
    st.button(f"Compute it now (≈ {max(1, round(c.seconds))} s)", key=f"btn_{flag}")
    return False


def with_progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """Yield ``items`` while a progress bar counts them (removed when done). Any widget click
    stops the run: Streamlit interrupts the script at its next call."""
    bar = st.progress(0.0, text=label)
    for i, item in enumerate(items):
        yield item
        bar.progress(min(1.0, (i + 1) / max(total, 1)), text=f"{label} ({i + 1}/{total})")
    bar.empty()


def memo(max_entries: int = 8) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A bounded, thread-safe, server-wide cache (least recently used out) for computations
    that report progress through an element the caller drew.

    ``st.cache_data`` replays the elements a cached function creates and refuses one that
    writes into a block created outside it (a progress bar updated from inside): such a
    function raises on every cache miss. Keyword arguments whose name starts with ``_`` (the
    progress callback) are not part of the key; the others must be hashable.
    """
    import collections
    import functools
    import threading

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        store: collections.OrderedDict = collections.OrderedDict()
        lock = threading.Lock()

        @functools.wraps(fn)
        def cached_fn(*args, **kwargs):
            key = (args, tuple(sorted((k, v) for k, v in kwargs.items() if not k.startswith("_"))))
            with lock:
                if key in store:
                    store.move_to_end(key)
                    return store[key]
            value = fn(*args, **kwargs)
            with lock:
                store[key] = value
                store.move_to_end(key)
                while len(store) > max_entries:
                    store.popitem(last=False)
            return value

        cached_fn.clear = store.clear  # type: ignore[attr-defined]
        return cached_fn

    return wrap
