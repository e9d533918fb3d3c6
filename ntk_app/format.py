"""The one place where numbers become text on the pages."""

from __future__ import annotations

import math


def num(value: float, spec: str = ".3g") -> str:
    """A number with ``spec``; "—" for NaN or None, "∞" for infinities."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return format(value, spec)


def count(n: int | float) -> str:
    """A whole number with thousands separators: 1,000 and 100,000 (never 1000)."""
    return f"{round(float(n)):,}"


def pct(value: float, digits: int = 3) -> str:
    """A fraction as a percentage with ``digits`` significant figures ("1.97 %")."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{100 * value:.{digits}g} %"


def badge(holds: bool, yes: str = "holds", no: str = "does not hold") -> str:
    """A coloured text badge in Streamlit markdown (no emoji: they need an emoji font)."""
    return f":green-badge[{yes}]" if holds else f":red-badge[{no}]"
