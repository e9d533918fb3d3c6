"""Helpers shared by the tests (import as ``from helpers import ...``; tests/ is on sys.path).

AppTest side:
- ``plotly_figures(at)``: every ``st.plotly_chart`` of an AppTest run as a decoded figure dict.
- ``decode_plotly_array(obj)``: plotly >= 6 writes numpy arrays as base64 typed arrays
  ``{"dtype": "f4", "bdata": "...", "shape": "200, 200"}``; this turns those (or plain lists)
  into numpy arrays.

Browser side (Playwright), for ``page.evaluate`` / ``page.wait_for_function``:
- ``PLOTLY_FULL_DATA_JS``: ``gd._fullData`` of every ``.js-plotly-plot`` on the page, as plain
  JSON (typed arrays converted to lists). ``gd.data`` would still hold the base64 form.
- ``PLOTLY_SUMMARY_JS``: the same but only trace type/name and array shapes (cheap).
- ``PLOTLY_COUNT_JS``: how many plots have been drawn (``_fullData`` present).
- ``browser_plotly_traces(page)`` / ``wait_for_plots(page, n)``: Python wrappers around them.
- ``APP_IDLE_SELECTOR``: matches once Streamlit has finished running the page script.

Environment (used by conftest.py and test_container.py): ``CHROMIUM``/``CHROMIUM_ARGS`` (Debian
Chromium, offline flags), ``browser_missing_reason()``, ``browser_required()``, ``free_port()``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import socket
from pathlib import Path
from typing import Any

import numpy as np

# ----------------------------------------------------------------------------- environment

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",  # small /dev/shm in containers
    "--disable-background-networking",  # no network: stop Chromium's own phone-home attempts
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def browser_required() -> bool:
    """True on CI (CI=true) or with NTK_REQUIRE_BROWSER=1: skipped e2e tests then fail."""
    return _truthy(os.environ.get("CI")) or _truthy(os.environ.get("NTK_REQUIRE_BROWSER"))


def browser_missing_reason() -> str | None:
    """Why browser tests cannot run here, or None if they can."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (run scripts/setup.sh)"
    if importlib.util.find_spec("pytest_playwright") is None:
        return "pytest-playwright is not installed (run scripts/setup.sh)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (run scripts/setup.sh: apt-get install chromium)"
    return None


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- AppTest side


def is_typed_array(obj: Any) -> bool:
    """True for plotly's base64 typed-array encoding ``{"dtype", "bdata"[, "shape"]}``."""
    return isinstance(obj, dict) and "bdata" in obj and "dtype" in obj


def _shape(raw: Any) -> tuple[int, ...] | None:
    if raw is None:
        return None
    if isinstance(raw, int):
        return (raw,)
    if isinstance(raw, str):
        return tuple(int(s) for s in raw.split(",") if s.strip())
    return tuple(int(s) for s in raw)


def decode_plotly_array(obj: Any) -> np.ndarray:
    """Turn a plotly array value into a numpy array.

    Accepts the base64 typed-array dict of plotly >= 6 (dtype codes such as ``f8``, ``f4``,
    ``i4``, ``u1``; little-endian), (nested) lists possibly holding ``None`` (-> NaN for numeric
    data) or typed-array dicts, scalars, and numpy arrays (returned as they are).
    """
    if isinstance(obj, np.ndarray):
        return obj
    if is_typed_array(obj):
        dtype = np.dtype(obj["dtype"]).newbyteorder("<")
        arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=dtype)
        shape = _shape(obj.get("shape"))
        return arr.reshape(shape) if shape else arr
    if isinstance(obj, list | tuple):
        items = [
            decode_plotly_array(x) if is_typed_array(x) or isinstance(x, list | tuple) else x
            for x in obj
        ]
        if any(x is None for x in items) and all(
            x is None or isinstance(x, int | float) for x in items
        ):
            return np.array([np.nan if x is None else x for x in items], dtype=float)
        try:
            return np.asarray(items)
        except ValueError:  # ragged rows
            return np.asarray(items, dtype=object)
    return np.asarray(obj)


def decode_plotly_tree(obj: Any) -> Any:
    """Recursively replace every typed-array dict in a figure JSON tree by a numpy array.

    Other values (plain lists included) are left as JSON; use ``decode_plotly_array`` on a
    trace attribute to get a numpy array whichever way it was encoded.
    """
    if is_typed_array(obj):
        return decode_plotly_array(obj)
    if isinstance(obj, dict):
        return {k: decode_plotly_tree(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode_plotly_tree(v) for v in obj]
    return obj


def plotly_figures(at: Any) -> list[dict]:
    """Decoded figure dicts (``{"data": [...], "layout": {...}}``) of all plotly charts.

    There is no typed accessor: ``at.get("plotly_chart")`` gives UnknownElements whose
    ``proto.spec`` is exactly ``plotly.io.to_json(fig)``.
    """
    return [decode_plotly_tree(json.loads(el.proto.spec)) for el in at.get("plotly_chart")]


def trace_array(trace: dict, key: str) -> np.ndarray:
    """``trace[key]`` as a numpy array (typed-array dict, list or already-decoded array)."""
    return decode_plotly_array(trace[key])


# ----------------------------------------------------------------------------- browser side

# Convert typed arrays (and arrays of typed arrays) to plain lists so Playwright returns JSON.
_PLAIN_JS = """
const plain = (v, depth = 0) => {
  if (ArrayBuffer.isView(v)) return Array.from(v);
  if (Array.isArray(v)) return v.map(x => plain(x, depth + 1));
  if (v && typeof v === 'object' && depth < 6) {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('_') || typeof x === 'function') continue;
      out[k] = plain(x, depth + 1);
    }
    return out;
  }
  return (typeof v === 'function') ? undefined : v;
};
"""

# [[trace, ...] per plot] from gd._fullData (decoded by plotly.js), in document order.
PLOTLY_FULL_DATA_JS = (
    "() => {"
    + _PLAIN_JS
    + """
  return Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd =>
    (gd._fullData || []).map(t => {
      const out = {};
      for (const k of ['type', 'name', 'visible', 'mode', 'x', 'y', 'z', 'text',
                       'customdata', 'zmin', 'zmax']) {
        if (t[k] !== undefined) out[k] = plain(t[k]);
      }
      return out;
    }));
}"""
)

# [[{type, name, shapes: {x: [n], y: [n], z: [rows, cols]}}, ...] per plot]: cheap to poll.
PLOTLY_SUMMARY_JS = """() => {
  const shape = v => {
    if (!(Array.isArray(v) || ArrayBuffer.isView(v))) return null;
    const s = [v.length];
    if (v.length && (Array.isArray(v[0]) || ArrayBuffer.isView(v[0]))) s.push(v[0].length);
    return s;
  };
  return Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd =>
    (gd._fullData || []).map(t => ({
      type: t.type, name: t.name === undefined ? null : t.name,
      shapes: {x: shape(t.x), y: shape(t.y), z: shape(t.z)},
    })));
}"""

# Streamlit sets data-test-script-state="notRunning" on the app root when a script run has ended
# (use after an interaction too: it goes "running" and back).
APP_IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# Number of plots on the page that plotly.js has drawn.
PLOTLY_COUNT_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(gd => gd._fullData && gd._fullData.length).length"""


def browser_plotly_traces(page: Any) -> list[list[dict]]:
    """``gd._fullData`` of each plot on a Playwright page, x/y/z etc. as numpy arrays."""
    plots = page.evaluate(PLOTLY_FULL_DATA_JS)
    out = []
    for traces in plots:
        decoded = []
        for t in traces:
            d = dict(t)
            for k in ("x", "y", "z", "customdata"):
                if isinstance(d.get(k), list):
                    d[k] = decode_plotly_array(d[k])
            decoded.append(d)
        out.append(decoded)
    return out


def wait_for_plots(page: Any, n: int = 1, timeout: float = 30_000) -> None:
    """Wait until at least ``n`` plotly charts have been drawn on the page."""
    page.wait_for_function(f"() => ({PLOTLY_COUNT_JS})() >= {int(n)}", timeout=timeout)
