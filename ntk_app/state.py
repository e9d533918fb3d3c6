"""Settings mirrored in the URL query string, validated on the way in.

A page declares its settings once as a list of :class:`Setting`; :class:`PageState` seeds
``st.session_state`` from the URL the first time the page runs in a session (clamping or
replacing bad values with a visible warning, never raising), the page's widgets use
``state.key(name)`` as their key, and ``state.sync_url()`` writes every current value back, so
that a copied link reproduces the view.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

WIDTH_OPTIONS: tuple[int, ...] = (
    10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000,
)
SEED_MAX = 2**31 - 1
_MAX_RAW = 64  # longer URL values are rejected before parsing
_MAX_SHOWN = 24  # longer URL values are cut to this many characters in warnings


def quote_raw(raw: str) -> str:
    """A raw URL value for a warning: cut to ``_MAX_SHOWN`` characters, repr-quoted (so
    newlines and control characters show as escapes) and wrapped in an inline code span.

    ``st.warning`` renders markdown: a value such as ``[x](https://evil.example)``, a bare
    ``https://…`` (GFM autolink), ``**bold**`` or ``$…$`` (KaTeX) would otherwise turn into a live
    link or formatting on the page. Inside a code span markdown is not interpreted; backticks,
    the only characters that could end the span, are replaced.
    """
    shown = raw if len(raw) <= _MAX_SHOWN else raw[: _MAX_SHOWN - 3] + "…"
    return "`" + repr(shown).replace("`", "'") + "`"


@dataclass(frozen=True)
class Setting:
    """One URL-backed setting.

    kind: "int", "float", "choice" (one of ``choices``), "snap" (numeric, snapped to the nearest
    of ``choices`` on a log scale) or "bool". ``lo``/``hi`` clamp numeric kinds.
    """

    name: str
    kind: str
    default: Any
    lo: float | None = None
    hi: float | None = None
    choices: Sequence[Any] = field(default_factory=tuple)

    def parse(self, raw: str | None) -> tuple[Any, str | None]:
        """(value, warning or None) for a raw URL string; never raises."""
        if raw is None or raw == "":
            return self.default, None
        shown = quote_raw(raw)
        bad = f"Ignored invalid {self.name}={shown}; using {self.default}."
        if len(raw) > _MAX_RAW:
            return self.default, bad
        try:
            if self.kind == "bool":
                low = raw.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True, None
                if low in ("0", "false", "no", "off"):
                    return False, None
                return self.default, bad
            if self.kind == "choice":
                for c in self.choices:
                    if str(c) == raw.strip():
                        return c, None
                return self.default, (
                    f"Unknown {self.name}={shown}; expected one of "
                    f"{', '.join(map(str, self.choices))}. Using {self.default}."
                )
            value = float(raw)
        except (ValueError, OverflowError):
            return self.default, bad
        if not math.isfinite(value):
            return self.default, bad
        if self.kind == "snap":
            return self._snap(value, shown)
        warning = None
        clamped = value
        if self.lo is not None and clamped < self.lo:
            clamped = self.lo
        if self.hi is not None and clamped > self.hi:
            clamped = self.hi
        if self.kind == "int":
            clamped = round(clamped)
        if clamped != value:
            lo = "−∞" if self.lo is None else f"{self.lo:g}"
            hi = "∞" if self.hi is None else f"{self.hi:g}"
            warning = f"{self.name}={shown} is outside {lo} … {hi} or not whole; using {clamped}."
        return clamped, warning

    def _snap(self, value: float, shown: str) -> tuple[Any, str | None]:
        opts = list(self.choices)
        if value <= 0:
            best = opts[0]
        else:
            best = min(opts, key=lambda c: abs(math.log(c) - math.log(value)))
        if best == value:
            return best, None
        return best, f"{self.name}={shown} is not one of the offered values; using {best}."

    def to_url(self, value: Any) -> str:
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "float":
            return f"{float(value):.6g}"
        return str(value)


def width_setting(name: str = "width", default: int = 50) -> Setting:
    """A width on the log-spaced menu WIDTH_OPTIONS (10 … 10^5)."""
    return Setting(name, "snap", default, choices=WIDTH_OPTIONS)


def seed_setting(default: int = 0) -> Setting:
    return Setting("seed", "int", default, 0, SEED_MAX)


class PageState:
    """URL <-> session-state bridge for one page (keys are namespaced by ``page``)."""

    def __init__(self, page: str, settings: Sequence[Setting]) -> None:
        self.page = page
        self.settings = {s.name: s for s in settings}
        self.warnings: list[str] = []
        marker = f"{page}::loaded"
        if marker not in st.session_state:
            params = st.query_params
            for s in settings:
                raw = params.get(s.name)
                value, warning = s.parse(raw)
                st.session_state[self.key(s.name)] = value
                if warning:
                    self.warnings.append(warning)
            st.session_state[marker] = True
        else:
            for s in settings:  # a widget not drawn last run loses its state: restore it
                saved = st.session_state.get(self._saved(s.name), s.default)
                st.session_state.setdefault(self.key(s.name), saved)
        for w in self.warnings:
            st.warning(w, icon=":material/warning:")

    def key(self, name: str) -> str:
        return f"{self.page}:{name}"

    def _saved(self, name: str) -> str:
        return f"{self.page}::saved:{name}"

    def __getitem__(self, name: str) -> Any:
        return st.session_state[self.key(name)]

    def set(self, name: str, value: Any) -> None:
        """Change a value (only from a callback, or before its widget is drawn)."""
        st.session_state[self.key(name)] = value

    def snap_down(self, name: str, options: Sequence[int]) -> int | None:
        """Bring setting ``name`` into ``options`` (ascending) before its control is drawn: the
        largest option not above its value, else the smallest. Returns the value it had when
        it was moved (for the page's note), None when it was offered."""
        value = int(self[name])
        if value in options:
            return None
        below = [o for o in options if o <= value]
        self.set(name, below[-1] if below else options[0])
        return value

    def values(self) -> dict[str, Any]:
        return {n: self[n] for n in self.settings}

    def sync_url(self) -> None:
        """Write every setting into the URL query string (and drop unknown parameters)."""
        for n in self.settings:
            st.session_state[self._saved(n)] = self[n]
        wanted = {n: s.to_url(self[n]) for n, s in self.settings.items()}
        current = st.query_params.to_dict()
        if current != wanted:
            st.query_params.from_dict(wanted)

    def next_seed(self) -> int:
        """The seed the next Re-initialise will set: drawn once and kept until used, so that a
        page can prefetch what that seed will show."""
        key = f"{self.page}::next_seed"
        if key not in st.session_state:
            st.session_state[key] = random.SystemRandom().randrange(0, 1_000_000)
        return int(st.session_state[key])

    def reseed(self) -> None:
        """Callback for a Re-initialise button: use the pre-drawn seed (:meth:`next_seed`) and
        draw the one after it."""
        seed = self.next_seed()
        del st.session_state[f"{self.page}::next_seed"]
        self.set("seed", seed)
