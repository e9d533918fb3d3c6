"""A URL-backed setting that holds a set of whole numbers (for ``st.multiselect``).

``PageState`` only calls ``Setting.parse`` and ``Setting.to_url``, so this subclass plugs into it
unchanged: the URL carries ``?depths=1,2,5,10,20``; unknown or out-of-range items are dropped with
a warning, an empty or fully invalid value falls back to the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .state import Setting, quote_raw

_MAX_RAW = 64  # as in state.py: longer URL values are rejected before parsing


@dataclass(frozen=True)
class IntListSetting(Setting):
    """A sorted list of distinct ints from ``choices`` (kind "intlist"); default is a tuple."""

    def parse(self, raw: str | None) -> tuple[Any, str | None]:
        default = list(self.default)
        if raw is None or raw.strip() == "":
            return default, None
        shown = quote_raw(raw)  # markdown-safe: the warning must not render links or formatting
        if len(raw) > _MAX_RAW:
            return default, f"Ignored invalid {self.name}={shown}; using {self.to_url(default)}."
        allowed = {int(c) for c in self.choices}
        good: set[int] = set()
        bad: list[str] = []
        for token in raw.split(","):
            token = token.strip()
            try:
                value = float(token)
            except ValueError:
                bad.append(token)
                continue
            if value.is_integer() and int(value) in allowed:
                good.add(int(value))
            else:
                bad.append(token)
        if not good:
            return default, f"Ignored invalid {self.name}={shown}; using {self.to_url(default)}."
        if bad:
            return sorted(good), (
                f"Dropped {', '.join(quote_raw(b) for b in bad[:5])} from {self.name}: "
                f"allowed values are {min(allowed)} … {max(allowed)}."
            )
        return sorted(good), None

    def to_url(self, value: Any) -> str:
        return ",".join(str(int(v)) for v in sorted({int(v) for v in value}))


def int_list_setting(name: str, default: tuple[int, ...], choices: tuple[int, ...]) -> Setting:
    """A multiselect of ints mirrored in the URL as comma-separated values."""
    return IntListSetting(name, "intlist", tuple(default), choices=tuple(choices))
