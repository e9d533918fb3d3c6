"""Real-browser checks of the landing page and every page in pages/ (Debian Chromium, Playwright).

Run: ``.venv/bin/python -m pytest -q -m e2e tests/test_e2e_pages.py``

Pages are discovered from ``pages/*.py`` when the tests are collected; ``PAGE_SPECS`` says how to
drive each one (URL, width controls, a deep link). A page file without an entry fails
``test_page_renders_and_width_controls_repaint`` with a message saying what to add, so a new
page cannot slip through untested.

For every page: open it, wait until every plotly chart is drawn (``gd._fullData``), save a
full-page screenshot to ``artifacts/screenshots/`` (git-ignored) and check it is not blank, then
move each width control one step with the keyboard and wait until the charts' data really
changed. No console errors (except the benign ``/_stcore/(health|host-config)`` 404s of deep
links), no page errors, no ``stException``. A link with query parameters opens the page in that
state; a bad value (``width=abc``) gives a warning, not an exception.

Slider -> repainted chart latency (key press until the last change of the charts' data digest,
plus two animation frames) is printed as ``E2E_LATENCY ...`` lines and written to
``artifacts/e2e_latency.json``. Nothing is asserted about it (the machine is shared and noisy).

One browser context and one tab are shared by the whole module: the first load of the 4.7 MB
plotly chunk costs ~5 s, later loads come from the HTTP cache.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from helpers import APP_IDLE_SELECTOR, REPO_ROOT
from PIL import Image
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e

PAGES_DIR = Path(os.environ.get("NTK_APP_DIR", REPO_ROOT)).resolve() / "pages"  # as conftest
ARTIFACTS = REPO_ROOT / "artifacts"  # git-ignored
SHOTS = ARTIFACTS / "screenshots"
LATENCY_JSON = ARTIFACTS / "e2e_latency.json"
LOAD_TIMEOUT = 90_000  # ms; a first load on the shared 2-CPU box took up to 11 s
STEP_TIMEOUT = 60_000  # ms; one slider step (a rerun with a cache miss)
QUIET_MS = 400  # the charts' digest must stay unchanged this long (and the script be idle)


@dataclass(frozen=True)
class Control:
    """A width slider: its exact label, the URL parameter it writes, the key that moves it."""

    label: str
    param: str
    key: str = "ArrowRight"


@dataclass(frozen=True)
class PageSpec:
    url: str
    controls: tuple[Control, ...] = ()
    min_plots: int = 1
    # A link's query parameters and what the sliders (exact label -> shown value) must show.
    deep_link: dict[str, str] | None = None
    deep_link_shows: dict[str, str] = field(default_factory=dict)
    # A link with one bad value: it must give a warning and be replaced in the URL.
    bad_param: str | None = None


# Every file in pages/ needs an entry here (read the labels and URL parameter names from the
# page source: the select_slider label and the Setting name).
PAGE_SPECS: dict[str, PageSpec] = {
    "1_Width_stability.py": PageSpec(
        "/Width_stability",
        (Control("Width", "width", "ArrowRight"),),
        deep_link={"width": "1000", "seed": "7", "depth": "2"},
        deep_link_shows={"Width": "1000", "Depth (hidden layers)": "2"},
        bad_param="width",
    ),
    "2_Training_dynamics.py": PageSpec(
        "/Training_dynamics",
        (Control("Width (hidden units per layer)", "width", "ArrowLeft"),),
        deep_link={"width": "200", "seed": "7", "depth": "2"},
        deep_link_shows={"Width (hidden units per layer)": "200", "Depth (hidden layers)": "2"},
        bad_param="width",
    ),
    "3_Lazy_vs_rich.py": PageSpec(
        "/Lazy_vs_rich",
        (
            Control("Width (wide)", "width_wide", "ArrowLeft"),
            Control("Width (narrow)", "width_narrow", "ArrowRight"),
            Control("Width (knob)", "width_knob", "ArrowLeft"),
        ),
        deep_link={"width_wide": "1000", "width_narrow": "20", "seed": "7"},
        deep_link_shows={"Width (wide)": "1000", "Width (narrow)": "20"},
        bad_param="width_wide",
    ),
    "4_Infinite_width.py": PageSpec(
        "/Infinite_width",
        (Control("Width of the empirical net", "width", "ArrowLeft"),),
        deep_link={"width": "200", "seed": "7", "depth": "2"},
        deep_link_shows={"Width of the empirical net": "200", "Depth (hidden layers)": "2"},
        bad_param="width",
    ),
    "5_Claims.py": PageSpec("/Claims", (), min_plots=0, deep_link={"seed": "7"}, bad_param="seed"),
}

PAGE_FILES = sorted(p.name for p in PAGES_DIR.glob("*.py") if not p.name.startswith("_"))
DEEP_LINK_FILES = [f for f in PAGE_FILES if f in PAGE_SPECS and PAGE_SPECS[f].deep_link]
BAD_LINK_FILES = [f for f in PAGE_FILES if f in PAGE_SPECS and PAGE_SPECS[f].bad_param]

# Deep links (/Page) make the frontend probe /Page/_stcore/{health,host-config} first: benign.
BENIGN_URL = re.compile(r"/_stcore/(health|host-config)$")

# ----------------------------------------------------------------------------- browser side

# Defined on every document (context init script): a digest of the data of every drawn plot,
# from gd._fullData (decoded by plotly.js; gd.data may still hold base64). Floats are hashed by
# their bits, so any change shows.
DIGEST_INIT_JS = """
window.__ntkDigest = () => {
  const f64 = new Float64Array(1), u32 = new Uint32Array(f64.buffer);
  let h = 2166136261 >>> 0, n = 0;
  const mix = v => { h = Math.imul(h ^ v, 16777619) >>> 0; };
  const walk = (v, depth) => {
    if (v === null || v === undefined) { mix(0x9e37); return; }
    if (typeof v === 'number') { f64[0] = v; mix(u32[0]); mix(u32[1]); n++; return; }
    if (typeof v === 'string') { for (let i = 0; i < v.length; i++) mix(v.charCodeAt(i)); return; }
    if (typeof v === 'boolean') { mix(v ? 1 : 2); return; }
    if ((Array.isArray(v) || ArrayBuffer.isView(v)) && depth < 4) {
      mix(v.length);
      for (let i = 0; i < v.length; i++) walk(v[i], depth + 1);
    }
  };
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  for (const gd of plots) {
    const traces = gd._fullData || [];
    mix(traces.length);
    for (const t of traces) {
      for (const k of ['type', 'name', 'x', 'y', 'z', 'text', 'customdata', 'visible']) {
        mix(k.length); walk(t[k], 0);
      }
    }
  }
  return `${h.toString(16)}:${n}:${plots.length}`;
};
"""

# Script run finished, at least `min` charts, and every chart drawn by plotly.js; or an
# exception box (returned as its text, so a broken page fails at once instead of timing out).
CHARTS_READY_JS = """(min) => {
  const exc = document.querySelector('[data-testid="stException"]');
  if (exc) return 'stException: ' + exc.innerText.slice(0, 2000);
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  if (charts.length < min) return false;
  return charts.every(c => {
    const gd = c.querySelector('.js-plotly-plot');
    return gd && gd._fullData && gd._fullData.length > 0;
  });
}"""

# Start watching the digest before a key press: record the key-down time and, for every change
# of the digest, the time two animation frames later (the browser has painted it by then).
WATCH_JS = """(before) => {
  const w = window.__ntkWatch = {before, digest: before, tKey: null, changes: 0,
                                 tFirst: null, tLast: null, tPaint: null};
  document.addEventListener('keydown', () => { if (w.tKey === null) w.tKey = performance.now(); },
                            {capture: true, once: true});
  w.timer = setInterval(() => {
    const d = window.__ntkDigest();
    if (d === w.digest) return;
    const t = performance.now();
    w.digest = d; w.changes += 1; w.tLast = t; if (w.tFirst === null) w.tFirst = t;
    w.tPaint = null;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (w.tLast === t) w.tPaint = performance.now();
    }));
  }, 10);
  return true;
}"""

# The step is over: the data changed, the script is idle, the last change was painted and
# nothing changed for `quiet` ms.
WATCH_DONE_JS = """(quiet) => {
  const w = window.__ntkWatch;
  const app = document.querySelector('[data-testid="stApp"]');
  return !!w && w.changes > 0 && w.digest !== w.before && w.tPaint !== null
    && app && app.getAttribute('data-test-script-state') === 'notRunning'
    && performance.now() - w.tLast >= quiet;
}"""

WATCH_RESULT_JS = """() => {
  const w = window.__ntkWatch;
  clearInterval(w.timer);
  return {tKey: w.tKey, tFirst: w.tFirst, tLast: w.tLast, tPaint: w.tPaint, changes: w.changes,
          digest: w.digest};
}"""


TWO_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


# ----------------------------------------------------------------------------- fixtures


@dataclass
class Tab:
    """The module's shared browser tab and the errors it reported since the last reset."""

    page: Page
    errors: list[str]


@pytest.fixture(scope="module")
def shared_tab(browser: Browser, browser_context_args: dict):
    context = browser.new_context(**browser_context_args)
    context.add_init_script(DIGEST_INIT_JS)
    context.set_default_timeout(LOAD_TIMEOUT)
    page = context.new_page()
    tab = Tab(page, [])

    def on_console(msg) -> None:
        url = msg.location.get("url", "") if msg.location else ""
        if msg.type == "error" and not BENIGN_URL.search(url):
            tab.errors.append(f"console error: {msg.text} @ {url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
    yield tab
    context.close()


@pytest.fixture
def tab(shared_tab: Tab, request: pytest.FixtureRequest):
    """The shared tab, errors reset; after a failed test, a screenshot of what it showed."""
    shared_tab.errors.clear()
    failed_before = request.session.testsfailed
    yield shared_tab
    if request.session.testsfailed > failed_before:
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        SHOTS.mkdir(parents=True, exist_ok=True)
        shared_tab.page.screenshot(path=str(SHOTS / f"FAILED-{name}.png"))


@pytest.fixture(scope="module")
def latency_log():
    """Every slider measurement of the module; written to artifacts/e2e_latency.json."""
    records: list[dict] = []
    yield records
    if records:
        write_latency_json(records)


def write_latency_json(records: list[dict]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    payload = {
        "what": "slider key press -> last change of the plotly data digest + 2 animation frames",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpus": os.cpu_count(),
        "loadavg_1min": os.getloadavg()[0],
        "measurements": records,
    }
    LATENCY_JSON.write_text(json.dumps(payload, indent=2) + "\n")


# ----------------------------------------------------------------------------- helpers


def spec_for(file_name: str) -> PageSpec:
    if file_name not in PAGE_SPECS:
        pytest.fail(
            f"pages/{file_name} has no entry in PAGE_SPECS (tests/test_e2e_pages.py): add its URL "
            "(/<name without the number prefix>), its width controls (exact select_slider "
            "label, URL parameter, key) and a deep link, so the page gets browser tests."
        )
    return PAGE_SPECS[file_name]


def goto(page: Page, url: str) -> float:
    """Open ``url`` and wait for the first script run to end; returns the seconds it took."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_test_id("stApp")).to_be_visible(timeout=LOAD_TIMEOUT)
    # the app root says notRunning before the websocket is up, so also wait for some content
    expect(page.get_by_test_id("stMainBlockContainer").locator("h1, h2, h3").first).to_be_visible(
        timeout=LOAD_TIMEOUT
    )
    page.wait_for_selector(APP_IDLE_SELECTOR, timeout=LOAD_TIMEOUT)
    return time.perf_counter() - t0


def digest(page: Page) -> str:
    return page.evaluate("() => window.__ntkDigest()")


def wait_charts(page: Page, min_plots: int, timeout_s: float = LOAD_TIMEOUT / 1000) -> str:
    """Wait until at least ``min_plots`` charts are drawn and their data is stable; the digest."""
    deadline = time.monotonic() + timeout_s
    ready = page.wait_for_function(CHARTS_READY_JS, arg=min_plots, timeout=timeout_s * 1000)
    last = digest(page)
    while True:
        if isinstance(state := ready.json_value(), str):
            pytest.fail(f"{page.url} shows an exception:\n{state}")
        time.sleep(QUIET_MS / 1000)
        now = digest(page)
        ready = page.evaluate_handle(CHARTS_READY_JS, min_plots)
        if now == last and ready.json_value() is True:
            return now
        if time.monotonic() > deadline:
            raise TimeoutError(f"charts kept changing for {timeout_s:.0f} s")
        last = now


def slider(page: Page, label: str):
    """The thumb of the slider labelled exactly ``label``. Its accessible name also takes text
    from ``aria-labelledby``, so ``get_by_role("slider", name=label, exact=True)`` finds nothing
    and the non-exact form also matches "Width (wide)" etc.: match ``aria-label`` instead."""
    quoted = label.replace("\\", "\\\\").replace('"', '\\"')
    return page.locator(f'input[type="range"][aria-label="{quoted}"]')


def slider_value(page: Page, label: str) -> str:
    """The value a slider shows (aria-valuetext, thousands separators dropped)."""
    text = slider(page, label).get_attribute("aria-valuetext") or ""
    return text.replace(",", "").replace("\u202f", "").strip()


def url_params(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_url_has(page: Page, params: dict[str, str]) -> None:
    page.wait_for_function(
        """(want) => { const q = new URLSearchParams(location.search);
          return Object.entries(want).every(([k, v]) => q.get(k) === v); }""",
        arg=params,
        timeout=STEP_TIMEOUT,
    )


def assert_clean(tab: Tab) -> None:
    """No exception box, no st.error box (such as the cost guard's refusal: defaults, deep links
    and one width step must stay within budget), no console or page errors."""
    expect(tab.page.get_by_test_id("stException")).to_have_count(0)
    expect(tab.page.get_by_test_id("stAlertContentError")).to_have_count(0)
    assert tab.errors == [], "\n".join(tab.errors)


def full_page_screenshot(page: Page, path: Path) -> None:
    """Streamlit scrolls inside [data-testid=stMain], so ``full_page=True`` alone captures only
    the viewport: make the viewport as tall as the content for the shot, then restore it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]');
          return m ? m.scrollHeight : document.documentElement.scrollHeight; }"""
    )
    height = max(size["height"], min(int(height), 20_000))
    try:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.evaluate(TWO_FRAMES_JS)
        time.sleep(0.3)  # let plotly's resize handlers settle
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


def assert_not_blank(path: Path) -> None:
    """Many distinct colours, and no single colour covering (almost) the whole picture."""
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        w, h = rgb.size
        small = rgb.resize((max(1, w // 2), max(1, h // 2)), Image.Resampling.NEAREST)
        colours = small.getcolors(maxcolors=1 << 20) or []
    total = sum(c for c, _ in colours)
    top = max((c for c, _ in colours), default=total)
    assert len(colours) >= 64, f"{path.name}: only {len(colours)} distinct colours (blank page?)"
    assert top / total < 0.97, f"{path.name}: one colour covers {top / total:.1%} of the page"


def card_link(page: Page, url: str):
    """The landing page's st.page_link to ``url`` (its href is relative: "Width_stability")."""
    return page.locator(f'a[data-testid="stPageLink-NavLink"][href$="{url.lstrip("/")}"]')


def shot_name(file_name: str, suffix: str) -> Path:
    return SHOTS / f"{Path(file_name).stem}{suffix}.png"


def move_and_measure(tab: Tab, spec: PageSpec, control: Control) -> dict:
    """Press ``control.key`` on the slider, wait for the charts to repaint; the measurement."""
    page = tab.page
    before_value = slider_value(page, control.label)
    before = digest(page)
    thumb = slider(page, control.label)
    thumb.focus()
    page.evaluate(WATCH_JS, before)
    thumb.press(control.key)
    page.wait_for_function(WATCH_DONE_JS, arg=QUIET_MS, timeout=STEP_TIMEOUT, polling=50)
    res = page.evaluate(WATCH_RESULT_JS)
    after_value = slider_value(page, control.label)
    assert after_value != before_value, f"{control.label}: {control.key} did not move the slider"
    assert res["tKey"] is not None, "the key press never reached the page"
    wait_url_has(page, {control.param: after_value})
    return {
        "page": spec.url,
        "control": control.label,
        "param": control.param,
        "from": before_value,
        "to": after_value,
        "ms": round(res["tPaint"] - res["tKey"], 1),
        "first_change_ms": round(res["tFirst"] - res["tKey"], 1),
        "digest_changes": res["changes"],
    }


# ----------------------------------------------------------------------------- tests


def test_landing_page(tab: Tab):
    page = tab.page
    goto(page, "/")
    expect(page.get_by_role("heading", name="NTK Explorer").first).to_be_visible()
    # one card link per existing page, and the sidebar lists every page
    existing = [f for f in PAGE_FILES if f in PAGE_SPECS]
    for f in existing:
        expect(card_link(page, PAGE_SPECS[f].url), f"no card links to {f}").to_have_count(1)
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link")).to_have_count(
        len(PAGE_FILES) + 1
    )
    path = shot_name("0_landing", "")
    full_page_screenshot(page, path)
    assert_not_blank(path)
    assert_clean(tab)


def test_landing_card_opens_a_page(tab: Tab):
    """Client-side navigation from a card (no reload) draws the page's charts."""
    page = tab.page
    goto(page, "/")
    first = next((f for f in PAGE_FILES if f in PAGE_SPECS and PAGE_SPECS[f].min_plots), None)
    if first is None:
        pytest.fail("no page with charts in pages/")
    spec = PAGE_SPECS[first]
    card_link(page, spec.url).click()
    expect(page).to_have_url(re.compile(re.escape(spec.url) + r"(\?|$)"), timeout=LOAD_TIMEOUT)
    wait_charts(page, spec.min_plots)
    assert_clean(tab)


@pytest.mark.parametrize("file_name", PAGE_FILES, ids=[Path(f).stem for f in PAGE_FILES])
def test_page_renders_and_width_controls_repaint(tab: Tab, latency_log: list, file_name: str):
    spec = spec_for(file_name)
    page = tab.page
    load_s = goto(page, spec.url)
    wait_charts(page, spec.min_plots)
    path = shot_name(file_name, "")
    full_page_screenshot(page, path)
    assert_not_blank(path)
    assert_clean(tab)
    print(f"E2E_LOAD page={spec.url} s={load_s:.1f}")

    # every visible "Width…" slider must be listed, so a new width control gets tested too
    labels = page.locator('input[type="range"]').evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label') || '')"
    )
    width_labels = {lab for lab in labels if lab.lower().startswith("width")}
    listed = {c.label for c in spec.controls}
    assert width_labels <= listed, f"untested width controls on {spec.url}: {width_labels - listed}"
    assert listed <= set(labels), f"controls not found on {spec.url}: {listed - set(labels)}"

    for control in spec.controls:
        record = move_and_measure(tab, spec, control)
        latency_log.append(record)
        write_latency_json(latency_log)
        print(
            f"E2E_LATENCY page={spec.url} control={control.label!r} "
            f"{record['from']}->{record['to']} ms={record['ms']:.0f} "
            f"(first change {record['first_change_ms']:.0f} ms)"
        )
        assert_clean(tab)
    if spec.controls:
        wait_charts(page, spec.min_plots)
        full_page_screenshot(page, path.with_name(path.stem + "-moved.png"))


@pytest.mark.parametrize("file_name", DEEP_LINK_FILES, ids=[Path(f).stem for f in DEEP_LINK_FILES])
def test_link_with_query_params_opens_that_state(tab: Tab, file_name: str):
    spec = PAGE_SPECS[file_name]
    assert spec.deep_link
    page = tab.page
    goto(page, f"{spec.url}?{urlencode(spec.deep_link)}")
    wait_charts(page, spec.min_plots)
    for label, shown in spec.deep_link_shows.items():
        assert slider_value(page, label) == shown, f"{label} shows {slider_value(page, label)}"
    if "seed" in spec.deep_link:
        expect(page.get_by_role("spinbutton", name="Seed")).to_have_value(spec.deep_link["seed"])
    wait_url_has(page, spec.deep_link)  # the page rewrote its URL, keeping these values
    params = url_params(page)
    assert {k: params.get(k) for k in spec.deep_link} == spec.deep_link, page.url
    expect(page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
    assert_clean(tab)


@pytest.mark.parametrize("file_name", BAD_LINK_FILES, ids=[Path(f).stem for f in BAD_LINK_FILES])
def test_bad_link_warns_instead_of_failing(tab: Tab, file_name: str):
    spec = PAGE_SPECS[file_name]
    assert spec.bad_param
    page = tab.page
    goto(page, f"{spec.url}?{spec.bad_param}=abc")
    warning = page.get_by_test_id("stAlertContentWarning").filter(has_text=spec.bad_param)
    expect(warning.first).to_be_visible(timeout=LOAD_TIMEOUT)
    wait_charts(page, spec.min_plots)
    control = next((c for c in spec.controls if c.param == spec.bad_param), None)
    if control is not None:  # the URL now holds the value the slider shows
        wait_url_has(page, {spec.bad_param: slider_value(page, control.label)})
    assert url_params(page).get(spec.bad_param) != "abc", page.url
    assert_clean(tab)
