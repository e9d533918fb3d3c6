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
- ``E2E_INIT_JS`` (a context init script) defines ``window.__ntk``: per-chart data digests, a
  watcher timing one interaction chart by chart, the time the first chart was drawn; with
  ``width_sliders``, ``sidebar_links``, ``goto``, ``wait_charts``, ``watch_step``, ``assert_clean``
  the browser tests find their controls from the page itself (nothing per page hard-coded).

Environment (used by conftest.py and test_container.py): ``CHROMIUM``/``CHROMIUM_ARGS`` (Debian
Chromium, offline flags), ``browser_missing_reason()``, ``browser_required()``, ``free_port()``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

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


# ----------------------------------------------------------------------------- browser: generic
#
# The browser tests find everything from the page itself: width controls are the sliders whose
# label starts with "Width"; the URL parameter a slider writes is read from its element's key
# class (Streamlit adds ``st-key-<key>`` with ``:`` turned into ``-``; pages key widgets as
# "<page>:<setting>", see ntk_app.state.PageState.key) and matched against the page's URL, which
# every page rewrites with all its declared settings (PageState.sync_url).

# Deep links (/Page) make the frontend probe /Page/_stcore/{health,host-config} first: benign.
BENIGN_URL = re.compile(r"/_stcore/(health|host-config)$")
LOAD_TIMEOUT = 120_000  # ms; a first load on the shared 2-CPU box took up to 11 s (60 s busy)
STEP_TIMEOUT = 90_000  # ms; one slider step or jump (a rerun with cache misses)
QUIET_MS = 400  # the charts' data must stay unchanged this long (and the script be idle)

# Context init script: ``window.__ntk`` on every document.
#   digests(): one digest per st.plotly_chart (document order) of gd._fullData (decoded by
#     plotly.js; gd.data may still hold base64), floats hashed by their bits, so any change of
#     data shows; null for a chart plotly has not drawn. Cached per _fullData object (plotly
#     makes a new one on every draw), so polling every 10 ms stays cheap.
#   ready(): the script run is over and every visible chart is drawn (or the text of an
#     exception box, so a broken page fails at once instead of timing out).
#   watch()/done()/result(): time one interaction: key-down, each chart's last data change and
#     the paint two animation frames later, the end of the script run(s) it caused.
#   firstChart: performance.now() (ms since navigation start) when a chart was first drawn.
E2E_INIT_JS = """
(() => {
  const f64 = new Float64Array(1), u32 = new Uint32Array(f64.buffer);
  const digestOf = gd => {
    const fd = gd._fullData;
    if (!fd || !fd.length) return null;
    if (gd.__ntkRef === fd) return gd.__ntkDigest;
    let h = 2166136261 >>> 0, n = 0;
    const mix = v => { h = Math.imul(h ^ v, 16777619) >>> 0; };
    const walk = (v, depth) => {
      if (v === null || v === undefined) { mix(0x9e37); return; }
      if (typeof v === 'number') { f64[0] = v; mix(u32[0]); mix(u32[1]); n++; return; }
      if (typeof v === 'string') {
        for (let i = 0; i < v.length; i++) mix(v.charCodeAt(i));
        return;
      }
      if (typeof v === 'boolean') { mix(v ? 1 : 2); return; }
      if ((Array.isArray(v) || ArrayBuffer.isView(v)) && depth < 4) {
        mix(v.length);
        for (let i = 0; i < v.length; i++) walk(v[i], depth + 1);
      }
    };
    mix(fd.length);
    for (const t of fd) {
      for (const k of ['type', 'name', 'x', 'y', 'z', 'text', 'customdata', 'visible']) {
        mix(k.length); walk(t[k], 0);
      }
    }
    gd.__ntkRef = fd;
    gd.__ntkDigest = `${h.toString(16)}:${n}`;
    return gd.__ntkDigest;
  };
  const charts = () => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  const plotOf = c => c.querySelector('.js-plotly-plot');
  const app = () => document.querySelector('[data-testid="stApp"]');
  const idle = () => {
    const a = app();
    return !!a && a.getAttribute('data-test-script-state') === 'notRunning';
  };
  const ntk = window.__ntk = {firstChart: null, w: null};
  ntk.digests = () => {
    const d = charts().map(c => { const gd = plotOf(c); return gd ? digestOf(gd) : null; });
    if (ntk.firstChart === null && d.some(x => x !== null)) ntk.firstChart = performance.now();
    return d;
  };
  // a chart without a box counts as drawn only where the page hides it (a closed expander, an
  // inactive tab); one still loading plotly's code has no box either
  const hidden = c => c.getClientRects().length === 0 &&
    c.closest('details:not([open]), [hidden], [data-baseweb="tab-panel"]') !== null;
  ntk.drawn = () => ntk.digests().filter(d => d !== null).length;
  ntk.ready = () => {
    const exc = document.querySelector('[data-testid="stException"]');
    if (exc) return 'stException: ' + exc.innerText.slice(0, 2000);
    if (!idle()) return false;
    // a lazily loaded element (plotly's code in a fresh tab) shows a skeleton until it mounts
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    return charts().every(c => hidden(c) || digestOf(plotOf(c) || {}) !== null);
  };
  const first = setInterval(() => {
    if (ntk.firstChart === null && document.querySelector('.js-plotly-plot') &&
        ntk.digests().some(d => d !== null)) {
      ntk.firstChart = performance.now(); clearInterval(first);
    }
  }, 20);
  ntk.watch = () => {
    const before = ntk.digests();
    const w = ntk.w = {before, cur: before.slice(), tKey: null, tChange: {}, tPaint: {},
                       changes: 0, tLast: null, runs: 0, tRunEnd: null};
    const start = () => { if (w.tKey === null) w.tKey = performance.now(); };
    document.addEventListener('keydown', start, {capture: true, once: true});
    document.addEventListener('pointerdown', start, {capture: true, once: true});
    w.mo = new MutationObserver(() => {
      if (w.tKey === null) return;
      if (idle()) w.tRunEnd = performance.now(); else w.runs += 1;
    });
    w.mo.observe(app(), {attributes: true, attributeFilter: ['data-test-script-state']});
    w.timer = setInterval(() => {
      const d = ntk.digests();
      const n = Math.max(d.length, w.cur.length);
      for (let i = 0; i < n; i++) {
        if (d[i] === w.cur[i] || (d[i] === undefined && w.cur[i] === null)) continue;
        const t = performance.now();
        w.cur[i] = d[i] === undefined ? null : d[i];
        w.tChange[i] = t; w.tLast = t; w.changes += 1; w.tPaint[i] = null;
        requestAnimationFrame(() => requestAnimationFrame(() => {
          if (w.tChange[i] === t) w.tPaint[i] = performance.now();
        }));
      }
    }, 10);
    return before;
  };
  ntk.done = ({quiet, minRunMs}) => {
    const w = ntk.w, now = performance.now();
    if (!w || w.tKey === null || !idle()) return false;
    if (w.tRunEnd === null && now - w.tKey < minRunMs) return false;
    if (Object.values(w.tPaint).some(t => t === null)) return false;
    const last = Math.max(w.tKey, w.tLast || 0, w.tRunEnd || 0);
    return now - last >= quiet;
  };
  ntk.stop = () => { clearInterval(ntk.w.timer); ntk.w.mo.disconnect(); };
  ntk.result = () => {
    const w = ntk.w;
    const dependent = [];
    w.cur.forEach((d, i) => { if (d !== null && d !== w.before[i]) dependent.push(i); });
    const paints = dependent.map(i => (w.tPaint[i] == null ? null : w.tPaint[i] - w.tKey));
    return {dependent, paints, tKey: w.tKey, runs: w.runs, changes: w.changes,
            runEndMs: w.tRunEnd === null ? null : w.tRunEnd - w.tKey,
            chartsBefore: w.before.length, chartsAfter: w.cur.length,
            drawnAfter: w.cur.filter(d => d !== null).length};
  };
})();
"""

# Every slider on the page: its label, key class, position in its options, the value it shows.
SLIDERS_JS = """() => Array.from(document.querySelectorAll('input[type="range"]')).map(e => {
  const c = e.closest('[class*="st-key-"]');
  const key = c ? (Array.from(c.classList).find(k => k.startsWith('st-key-')) || '') : '';
  return {label: e.getAttribute('aria-label') || '', key: key.slice('st-key-'.length),
          index: Number(e.value), lo: Number(e.min), hi: Number(e.max),
          text: e.getAttribute('aria-valuetext') || '', disabled: e.disabled};
})"""

# The sidebar's page links: (label, href), in order.
SIDEBAR_LINKS_JS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')).map(a => {
  const lines = a.innerText.split('\\n').map(s => s.trim()).filter(Boolean);
  return [lines[lines.length - 1] || '', a.getAttribute('href') || ''];
})"""


@dataclass(frozen=True)
class Slider:
    """A slider as the browser shows it; ``param`` is the URL parameter it writes (or None)."""

    label: str
    param: str | None
    index: int
    lo: int
    hi: int
    text: str

    @property
    def value(self) -> str:
        """The shown value with thousands separators dropped ("1,000" -> "1000")."""
        return self.text.replace(",", "").replace("\u202f", "").strip()


@dataclass
class Tab:
    """A browser tab and what it reported since a reset: console and page errors, and requests
    to anywhere but the app's own loopback server (``external``, checked by its own test)."""

    page: Any
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


def is_external(url: str) -> bool:
    """A request that leaves the machine (not loopback, data: or blob:)."""
    parts = urlparse(url)
    if parts.scheme in ("data", "blob", "about", "chrome-extension", ""):
        return False
    return parts.hostname not in ("127.0.0.1", "localhost", "::1")


def watch_errors(tab: Tab) -> Tab:
    """Collect console errors (except the benign deep-link probes, and failed loads of external
    URLs, which go to ``external``), page errors and external requests."""

    def on_console(msg: Any) -> None:
        url = msg.location.get("url", "") if msg.location else ""
        if msg.type == "error" and not BENIGN_URL.search(url) and not is_external(url):
            tab.errors.append(f"console error: {msg.text} @ {url}")

    def on_request(request: Any) -> None:
        if is_external(request.url):
            tab.external.append(request.url)

    tab.page.on("console", on_console)
    tab.page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
    tab.page.on("request", on_request)
    return tab


def url_params(page: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def param_of(key: str, params: Iterable[str]) -> str | None:
    """The URL parameter behind a widget key class ("lazy-width_wide" -> "width_wide")."""
    if not key:
        return None
    names = set(params)
    parts = key.split("-")
    suffixes = ["-".join(parts[i:]) for i in range(len(parts))]
    return next((s for s in suffixes if s in names), parts[-1])


def sliders(page: Any) -> list[Slider]:
    params = url_params(page)
    return [
        Slider(s["label"], param_of(s["key"], params), s["index"], s["lo"], s["hi"], s["text"])
        for s in page.evaluate(SLIDERS_JS)
        if not s["disabled"]
    ]


def width_sliders(page: Any) -> list[Slider]:
    """The page's width controls: every enabled slider whose label starts with "Width" or whose
    URL parameter names a width ("max_width": Kernel motion's "Widest network")."""
    return [s for s in sliders(page)
            if s.label.strip().lower().startswith("width") or "width" in (s.param or "")]


def slider_thumb(page: Any, label: str) -> Any:
    """The thumb of the slider labelled exactly ``label``. Its accessible name also takes text
    from ``aria-labelledby``, so ``get_by_role("slider", name=label, exact=True)`` finds nothing
    and the non-exact form also matches "Width (wide)" etc.: match ``aria-label`` instead."""
    quoted = label.replace("\\", "\\\\").replace('"', '\\"')
    return page.locator(f'input[type="range"][aria-label="{quoted}"]')


def slider_now(page: Any, label: str) -> Slider:
    return next(s for s in sliders(page) if s.label == label)


def sidebar_links(page: Any, timeout: float = LOAD_TIMEOUT) -> list[tuple[str, str]]:
    """The sidebar's page links as (label, href), read once they are drawn: st.page_link's code
    is loaded lazily, and until it is, Streamlit shows a skeleton in each link's place (opening
    Home in a tab that had shown another page: 9 skeletons at 0.6 s, the links at 1.9 s)."""
    page.wait_for_function(
        """() => document.querySelector(
            '[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')
          && !document.querySelector('[data-testid="stSidebar"] [data-testid="stSkeleton"]')""",
        timeout=timeout,
    )
    return [tuple(x) for x in page.evaluate(SIDEBAR_LINKS_JS)]


def goto(page: Any, url: str, timeout: float = LOAD_TIMEOUT) -> float:
    """Open ``url`` and wait for the first script run to end; returns the seconds it took."""
    from playwright.sync_api import expect

    t0 = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    # the app root says notRunning before the websocket is up, so also wait for a heading
    expect(page.get_by_test_id("stMainBlockContainer").locator("h1, h2, h3").first).to_be_visible(
        timeout=timeout
    )
    page.wait_for_selector(APP_IDLE_SELECTOR, timeout=timeout)
    return time.perf_counter() - t0


def wait_charts(page: Any, timeout_s: float = LOAD_TIMEOUT / 1000) -> list[str | None]:
    """Wait until the script is idle, every visible chart is drawn and the charts' data stayed
    the same for QUIET_MS; returns the per-chart digests. Fails on an exception box."""
    import pytest

    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        handle = page.wait_for_function("() => window.__ntk.ready()", timeout=timeout_s * 1000)
        if isinstance(state := handle.json_value(), str):
            pytest.fail(f"{page.url} shows an exception:\n{state}")
        now = page.evaluate("() => window.__ntk.digests()")
        if now == last and page.evaluate("() => window.__ntk.ready()") is True:
            return now
        if time.monotonic() > deadline:
            raise TimeoutError(f"charts kept changing for {timeout_s:.0f} s on {page.url}")
        last = now
        time.sleep(QUIET_MS / 1000)


@dataclass
class Step:
    """One key press on a slider, timed chart by chart (ms from key-down)."""

    label: str
    key: str
    before: str
    after: str
    dependent: list[int]  # indices of the charts whose data changed
    first_ms: float | None  # first dependent chart repainted with its new data
    all_ms: float | None  # every dependent chart repainted
    run_end_ms: float | None  # the script run(s) it caused ended
    charts_before: int
    drawn_after: int


def watch_action(page: Any, action: Callable[[], None], timeout: float = STEP_TIMEOUT) -> dict:
    """Run ``action`` (a key press or a click) under the page's watcher and wait until the run it
    caused is over and the charts are painted and quiet. Returns the watcher's result: ms from
    the key-down or pointer-down to each dependent chart's repaint, and to the run's end."""
    page.evaluate("() => window.__ntk.watch()")
    action()
    # an action that changed something starts a run within ~0.1 s; without a run end, give up
    # waiting for one after 1.5 s (nothing changed, or the run ended before it was observed)
    deadline = time.monotonic() + timeout / 1000
    while True:
        page.wait_for_function(
            "(a) => window.__ntk.done(a)", arg={"quiet": QUIET_MS, "minRunMs": 1500},
            timeout=max(1.0, deadline - time.monotonic()) * 1000, polling=50,
        )
        r = page.evaluate("() => window.__ntk.result()")
        if None not in r["paints"]:  # else a chart changed again just now: wait for its paint
            break
    page.evaluate("() => window.__ntk.stop()")
    return r


def press_and_watch(page: Any, label: str, key: str, timeout: float = STEP_TIMEOUT) -> Step:
    """Focus the slider, press ``key``, wait until the run it caused is over and the charts are
    painted and quiet; the timings."""
    before = slider_now(page, label).value
    thumb = slider_thumb(page, label)
    thumb.focus()
    r = watch_action(page, lambda: thumb.press(key), timeout)
    paints = r["paints"]
    return Step(
        label, key, before, slider_now(page, label).value, r["dependent"],
        round(min(paints), 1) if paints else None, round(max(paints), 1) if paints else None,
        None if r["runEndMs"] is None else round(r["runEndMs"], 1),
        r["chartsBefore"], r["drawnAfter"],
    )


def assert_clean(tab: Tab) -> None:
    """No exception box, no error box, no console or page errors."""
    from playwright.sync_api import expect

    expect(tab.page.get_by_test_id("stException")).to_have_count(0)
    boxes = tab.page.get_by_test_id("stAlertContentError")
    texts = [boxes.nth(i).inner_text()[:500] for i in range(boxes.count())]
    assert texts == [], f"error boxes on {tab.page.url}: {texts}"
    assert tab.errors == [], "\n".join(tab.errors)
