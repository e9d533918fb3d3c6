"""Real-browser checks of every page of the registry (Debian Chromium, Playwright).

Run: ``.venv/bin/python -m pytest -q -s -m e2e tests/test_e2e_pages.py``

The pages come from ``ntk_app.registry.PAGES``; nothing about a page's widgets is written here.
Its width controls are found on the page (sliders whose label starts with "Width") and the URL
parameter each one writes is read from its widget key (``helpers.sliders``). Only the settings
of a shared link are given per page (``SHARED_LINKS``, keyed by view name).

All browser tests share one server (conftest ``app_url``) and one tab (conftest ``tab``), except
where a test says why not. Per page, in this order (the tests of one page run together):

1. ``test_page_renders_and_steps_cold``: open the page with a seed never used before in this
   server's life, wait until every chart is drawn, save a full-page screenshot to
   ``artifacts/screenshots/`` (git-ignored) and check it is not blank; then move each width
   control ``COLD_STEPS`` notches, one key press at a time, each onto a width the server has not
   been asked for (the seed is fresh), after ``THINK_S`` of "reading". Each step is timed chart
   by chart: key-down -> first dependent chart repainted with its new data, -> every dependent
   chart repainted (``helpers.E2E_INIT_JS``). Medians per control are printed (``E2E_COLD``) and
   written to ``artifacts/e2e_latency.json``. Nothing is asserted about time: the machine is
   shared and noisy; the figures are reported, as users meet them (the background prefetch of
   neighbouring widths, if a page has it, counts).
2. ``test_shared_link_in_a_fresh_context``: the page's shared link (its settings and a fresh
   seed) opened in a new browser context (empty HTTP cache, as a friend's browser): the time
   from navigation start to the first chart drawn is reported (``E2E_LINK``); the page must show
   the link's state (sliders, URL) without a warning.
3. ``test_width_controls_at_their_maximum``: every width control jumped to its largest offered
   value (End key): no exception box, no error box, and no section lost (drawn charts not fewer).

Plus the landing page (a card per page, the sidebar from the registry, a card opens its page), a
bad link (``test_bad_link_warns_instead_of_failing``: a width of ``abc``, on one page) and
``test_deep_link_first_on_a_fresh_server``: a deep link is the first request a new server
process sees, and its sidebar must equal the one of ``/``.

Every step also checks: no console errors (except the benign ``/_stcore/(health|host-config)``
404s of deep links), no page errors, no ``stException``, no error box.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import statistics
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, streamlit_server
from helpers import (
    E2E_INIT_JS,
    LOAD_TIMEOUT,
    STEP_TIMEOUT,
    Tab,
    assert_clean,
    goto,
    press_and_watch,
    sidebar_links,
    slider_thumb,
    sliders,
    url_params,
    wait_charts,
    watch_action,
    watch_errors,
    width_sliders,
)
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from ntk_app.registry import HOME, PAGES, content_pages
from ntk_app.registry import Page as SitePage

pytestmark = pytest.mark.e2e

SHOTS = ARTIFACTS / "screenshots"
LATENCY_JSON = ARTIFACTS / "e2e_latency.json"
COLD_STEPS = 3  # cold steps per width control; the median is reported
THINK_S = 1.0  # a user looks at the page this long before moving a slider again
FRESH = "<fresh seed>"  # replaced by a seed this server has never seen

# The settings of a shared link per page (view name -> URL parameters); FRESH is replaced by a
# new seed, so the link is also cold on the server. A page missing here fails
# test_shared_link_in_a_fresh_context with a message saying what to add.
SHARED_LINKS: dict[str, dict[str, str]] = {
    "home": {},
    "width_stability": {"width": "1000", "depth": "2", "seed": FRESH},
    "training_dynamics": {"width": "200", "depth": "2", "seed": FRESH},
    "lazy_vs_rich": {"width_wide": "1000", "width_narrow": "20", "seed": FRESH},
    "infinite_width": {"width": "200", "depth": "2", "seed": FRESH},
    "claims": {"seed": FRESH},
    "kernel_motion": {"seeds": "2", "seed": FRESH},
    "infinite_ensembles": {"width": "1000", "members": "8", "t": "30", "seed": FRESH},
    "real_data": {"data": "iris", "n_train": "50", "width": "100", "seed": FRESH},
}
# The deep link test_deep_link_first_on_a_fresh_server opens first (a view in SHARED_LINKS).
FIRST_DEEP_LINK = ("lazy_vs_rich", {"width_wide": "1000"})

_seeds = itertools.count(random.SystemRandom().randrange(10**8, 2 * 10**9))


def fresh_seed() -> str:
    """A seed no earlier run of this server used: nothing computed for it is cached."""
    return str(next(_seeds))


def link_settings(view: str) -> dict[str, str]:
    if view not in SHARED_LINKS:
        pytest.fail(
            f"page {view!r} has no entry in SHARED_LINKS (tests/test_e2e_pages.py): add the "
            "settings of a typical shared link (URL parameter -> value; seed FRESH)."
        )
    return {k: (fresh_seed() if v == FRESH else v) for k, v in SHARED_LINKS[view].items()}


def page_url(site_page: SitePage, settings: dict[str, str] | None = None) -> str:
    return "/" + site_page.url(settings)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=PAGES, ids=lambda p: p.view)
def site_page(request: pytest.FixtureRequest) -> SitePage:
    """One registry page; module-scoped, so pytest runs all tests of one page together."""
    return request.param


@pytest.fixture(scope="module")
def latency() -> dict:
    """Every measurement of the module; written to artifacts/e2e_latency.json as it grows."""
    return {"cold_steps": [], "shared_links": [], "controls": []}


def write_latency_json(records: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)

    def median(xs: list) -> float | None:
        xs = [x for x in xs if x is not None]
        return round(statistics.median(xs), 1) if xs else None

    payload = {
        "what": {
            "cold_steps": "one key press on a width slider onto a width never asked of this "
            f"server (fresh seed), {THINK_S:g} s after the previous step settled: key-down -> "
            "first dependent chart repainted with its new data (first_ms), -> every dependent "
            "chart repainted (all_ms); 'repainted' = two animation frames after the data change",
            "shared_links": "a page's shared link (fresh seed) in a new browser context (empty "
            "HTTP cache): navigation start -> first chart drawn (first_chart_ms), -> every "
            "chart drawn and quiet (settled_s)",
            "controls": "Infinite width at width 5,000: a depth step, an activation change and "
            "a Re-initialise, each onto settings never computed (fresh seed): key- or "
            "pointer-down -> every dependent chart repainted (all_ms), -> run end (run_end_ms)",
        },
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpus": os.cpu_count(),
        "loadavg_1min": round(os.getloadavg()[0], 2),
        "summary": {
            "cold_steps": [
                {
                    "page": r["page"],
                    "control": r["control"],
                    "median_first_ms": median([s["first_ms"] for s in r["steps"]]),
                    "median_all_ms": median([s["all_ms"] for s in r["steps"]]),
                    "steps": len(r["steps"]),
                }
                for r in records["cold_steps"]
            ],
            "shared_links": [
                {"page": r["page"], "first_chart_ms": r["first_chart_ms"]}
                for r in records["shared_links"]
            ],
            "controls": [{k: r[k] for k in ("page", "action", "all_ms")}
                         for r in records["controls"]],
        },
        **records,
    }
    LATENCY_JSON.write_text(json.dumps(payload, indent=2) + "\n")


# ----------------------------------------------------------------------------- helpers


def on_page(page: Page, site_page: SitePage) -> bool:
    path = page.url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    return path == site_page.slug


def wait_url_has(page: Page, params: dict[str, str]) -> None:
    page.wait_for_function(
        """(want) => { const q = new URLSearchParams(location.search);
          return Object.entries(want).every(([k, v]) => q.get(k) === v); }""",
        arg=params,
        timeout=STEP_TIMEOUT,
    )


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
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                      "requestAnimationFrame(r)))")
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


def card_links(page: Page):
    """The landing page's st.page_link cards (main area, not the sidebar)."""
    return page.get_by_test_id("stMain").locator('a[data-testid="stPageLink-NavLink"]')


def cold_direction(index: int, lo: int, hi: int) -> tuple[str, int]:
    """The key that gives COLD_STEPS fresh notches (smaller widths first: they are cheaper),
    and how many notches there are room for."""
    if index > lo:  # wider values may be offered only as a longer run (a button, no repaint)
        return "ArrowLeft", min(COLD_STEPS, index - lo)
    return "ArrowRight", min(COLD_STEPS, hi - index)


def expected_sidebar() -> list[str]:
    return [p.title for p in PAGES]


def href_slug(href: str) -> str:
    return href.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] if "/" in href else href


# ----------------------------------------------------------------------------- landing page


def test_landing_page(tab: Tab):
    """One card per content page of the registry; the sidebar lists the registry's pages in
    order, Home labelled "Home" (Streamlit's own list called it "app")."""
    page = tab.page
    goto(page, "/")
    wait_charts(page)
    expect(page.get_by_role("heading", name="NTK Explorer").first).to_be_visible()
    hrefs = [href_slug(h or "") for h in card_links(page).evaluate_all(
        "els => els.map(a => a.getAttribute('href'))")]
    for p in content_pages():
        assert hrefs.count(p.slug) == 1, f"{hrefs}: no single card linking to {p.slug}"
    links = sidebar_links(page)
    assert [label for label, _ in links] == expected_sidebar()
    assert [href_slug(h) for _, h in links] == [p.slug for p in PAGES]
    assert_clean(tab)


def test_nothing_is_fetched_from_outside(tab: Tab):
    """Every request of Home and of a content page goes to the app's own server: the app must
    work offline and tell no third party who visits it (e.g. a ``:material/…:`` page_icon makes
    Streamlit load the favicon from fonts.gstatic.com)."""
    page = tab.page
    tab.external.clear()
    for p in (HOME, content_pages()[0]):
        goto(page, page_url(p))
        wait_charts(page)
    assert tab.external == [], f"requests leaving the machine: {sorted(set(tab.external))}"


def test_landing_card_opens_a_page(tab: Tab):
    """Client-side navigation from a card (no reload) draws the page's charts."""
    page = tab.page
    if not on_page(page, HOME):
        goto(page, "/")
    target = content_pages()[0]
    card_links(page).and_(page.locator(f'[href$="{target.slug}"]')).first.click()
    expect(page).to_have_url(re.compile(re.escape(target.slug) + r"(\?|$)"), timeout=LOAD_TIMEOUT)
    expect(page.get_by_role("heading", name=target.title).first).to_be_visible(
        timeout=LOAD_TIMEOUT)
    wait_charts(page)
    assert_clean(tab)


# ----------------------------------------------------------------------------- every page


def test_page_renders_and_steps_cold(tab: Tab, site_page: SitePage, latency: dict):
    page = tab.page
    load_s = goto(page, page_url(site_page, {"seed": fresh_seed()}))
    wait_charts(page)
    shot = SHOTS / f"{site_page.view}.png"
    full_page_screenshot(page, shot)
    assert_not_blank(shot)
    assert_clean(tab)
    print(f"E2E_LOAD page={site_page.view} s={load_s:.1f}")

    params = url_params(page)
    for control in width_sliders(page):
        assert control.param in params, (
            f"{site_page.view}: width slider {control.label!r} (key param {control.param!r}) "
            f"does not write its value into the URL {params}"
        )
        key, n = cold_direction(control.index, control.lo, control.hi)
        assert n > 0, f"{control.label!r} offers a single value"
        record = {"page": site_page.view, "control": control.label, "param": control.param,
                  "steps": []}
        latency["cold_steps"].append(record)
        for _ in range(n):
            time.sleep(THINK_S)
            step = press_and_watch(page, control.label, key)
            assert step.after != step.before, f"{control.label}: {key} did not move the slider"
            assert step.dependent, f"{control.label} {step.before}->{step.after}: no chart changed"
            wait_url_has(page, {control.param: step.after})
            assert_clean(tab)
            record["steps"].append({
                "from": step.before, "to": step.after, "first_ms": step.first_ms,
                "all_ms": step.all_ms, "run_end_ms": step.run_end_ms,
                "dependent_charts": len(step.dependent), "charts": step.charts_before,
            })
            write_latency_json(latency)
        firsts = [s["first_ms"] for s in record["steps"]]
        alls = [s["all_ms"] for s in record["steps"]]
        print(
            f"E2E_COLD page={site_page.view} control={control.label!r} "
            f"{record['steps'][0]['from']}->{record['steps'][-1]['to']}: first chart median "
            f"{statistics.median(firsts):.0f} ms {firsts}, every chart median "
            f"{statistics.median(alls):.0f} ms {alls}"
        )
    if width_sliders(page):
        wait_charts(page)
        full_page_screenshot(page, shot.with_name(f"{site_page.view}-stepped.png"))


def test_shared_link_in_a_fresh_context(
    browser: Browser, browser_context_args: dict, site_page: SitePage, latency: dict
):
    """A new context has an empty HTTP cache (what a friend opening the link meets), so this
    test cannot use the shared tab."""
    settings = link_settings(site_page.view)
    context = browser.new_context(**browser_context_args)
    try:
        context.add_init_script(E2E_INIT_JS)
        context.set_default_timeout(LOAD_TIMEOUT)
        tab = watch_errors(Tab(context.new_page()))
        page = tab.page
        goto(page, page_url(site_page, settings))
        wait_charts(page)
        first = page.evaluate("() => window.__ntk.firstChart")
        settled = page.evaluate("() => performance.now()") / 1000
        charts = page.evaluate("() => window.__ntk.drawn()")
        if settings:
            wait_url_has(page, settings)  # the page rewrote its URL, keeping these values
        shown = {s.param: s.value for s in sliders(page) if s.param in settings}
        want = {k: v for k, v in settings.items() if k in shown}
        assert shown == want, f"sliders show {shown}, the link says {want}"
        expect(page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
        assert_clean(tab)
    finally:
        context.close()
    latency["shared_links"].append({
        "page": site_page.view, "link": site_page.url(settings),
        "first_chart_ms": None if first is None else round(first, 1),
        "settled_s": round(settled, 2), "charts": charts,
    })
    write_latency_json(latency)
    print(f"E2E_LINK page={site_page.view} first chart "
          f"{'-' if first is None else f'{first:.0f} ms'}, settled {settled:.1f} s")


def test_bad_link_warns_instead_of_failing(tab: Tab):
    """A width of ``abc`` in a link: a warning naming it, the slider at its default, the URL
    repaired, no exception. Checked in the browser on the first content page; every page reads
    its URL through the same ``PageState`` (ntk_app/state.py), and each page's AppTest suite and
    the URL fuzz (tests/test_fuzz_pages.py) send it bad values."""
    page = tab.page
    site_page = content_pages()[0]
    goto(page, page_url(site_page))
    wait_charts(page)
    bad = next(s.param for s in width_sliders(page))
    goto(page, page_url(site_page, {bad: "abc"}))
    wait_charts(page)
    warning = page.get_by_test_id("stAlertContentWarning").filter(has_text=bad)
    expect(warning.first).to_be_visible(timeout=LOAD_TIMEOUT)
    control = next(s for s in sliders(page) if s.param == bad)
    wait_url_has(page, {bad: control.value})  # the URL now holds the value the slider shows
    assert url_params(page).get(bad) != "abc", page.url
    assert_clean(tab)


def test_width_controls_at_their_maximum(tab: Tab, site_page: SitePage):
    """Every width control at its largest offered value (End key, one after the other): the
    page must not offer a width it refuses, and must not blank other sections over it."""
    page = tab.page
    if not on_page(page, site_page):
        goto(page, page_url(site_page, {"seed": fresh_seed()}))
        wait_charts(page)
    for control in width_sliders(page):
        drawn_before = page.evaluate("() => window.__ntk.drawn()")
        if control.index < control.hi:
            step = press_and_watch(page, control.label, "End", timeout=2 * STEP_TIMEOUT)
            print(f"E2E_MAX page={site_page.view} control={control.label!r} "
                  f"{step.before}->{step.after}: run ended after {step.run_end_ms} ms, "
                  f"{len(step.dependent)} charts changed")
        now = next(s for s in sliders(page) if s.label == control.label)
        assert now.index == now.hi, f"{control.label}: End did not reach the largest value"
        wait_charts(page, timeout_s=2 * STEP_TIMEOUT / 1000)
        drawn_after = page.evaluate("() => window.__ntk.drawn()")
        assert drawn_after >= drawn_before, (
            f"{control.label}={now.value}: {drawn_before - drawn_after} of {drawn_before} "
            "charts gone"
        )
        assert_clean(tab)


# ----------------------------------------------------------------------------- other controls


def test_infinite_width_controls_at_width_5000(tab: Tab, latency: dict):
    """The issue's Infinite width row: at width 5,000 (depth 2, a fresh seed), change the depth,
    then the activation, then press Re-initialise; each lands on settings this server never
    computed. Timed like a width step (key- or pointer-down to every dependent chart
    repainted); reported in artifacts/e2e_latency.json, not asserted."""
    page = tab.page
    view = next(p for p in PAGES if p.view == "infinite_width")
    goto(page, page_url(view, {"width": "5000", "depth": "2", "seed": fresh_seed()}))
    wait_charts(page)
    width = next(sl.value for sl in width_sliders(page))
    sidebar = page.get_by_test_id("stSidebar")

    def timed(action: str, run) -> None:
        time.sleep(THINK_S)
        r = watch_action(page, run)
        assert r["dependent"], f"{action}: no chart changed"
        assert_clean(tab)
        latency["controls"].append({
            "page": view.view, "action": action, "width": width,
            "all_ms": round(max(r["paints"]), 1), "run_end_ms": r["runEndMs"] and
            round(r["runEndMs"], 1), "dependent_charts": len(r["dependent"]),
        })
        write_latency_json(latency)
        print(f"E2E_CONTROL page={view.view} width={width} {action}: every chart "
              f"{max(r['paints']):.0f} ms")

    depth = slider_thumb(page, "Depth (hidden layers)")
    depth.focus()
    timed("depth 2 -> 3", lambda: depth.press("ArrowRight"))
    sidebar.get_by_test_id("stSelectbox").filter(has_text="Activation").click()
    timed("activation relu -> erf",
          lambda: page.get_by_role("option", name="erf", exact=True).click())
    timed("Re-initialise", lambda: page.get_by_role("button", name="Re-initialise").click())


# ----------------------------------------------------------------------------- fresh server


def test_deep_link_first_on_a_fresh_server(browser: Browser, browser_context_args: dict):
    """In Streamlit 1.67 a server's page mode is fixed by the first session it sees (with
    st.navigation beside pages/, a deep link first left the legacy sidebar that calls Home
    "app"). So this needs its own new server process, whose first request is the deep link;
    started and stopped by PID (conftest.streamlit_server)."""
    view, settings = FIRST_DEEP_LINK
    target = next(p for p in PAGES if p.view == view)
    with streamlit_server("e2e-fresh-server") as (url, _pid):
        context = browser.new_context(**{**browser_context_args, "base_url": url})
        try:
            context.add_init_script(E2E_INIT_JS)
            tab = watch_errors(Tab(context.new_page()))
            page = tab.page
            goto(page, page_url(target, settings))
            expect(page.get_by_role("heading", name=target.title).first).to_be_visible()
            deep = sidebar_links(page)
            assert_clean(tab)
            goto(page, "/")
            home = sidebar_links(page)
            assert_clean(tab)
        finally:
            context.close()
    assert [label for label, _ in deep] == expected_sidebar(), deep
    assert deep == home, f"deep link sidebar {deep} != home sidebar {home}"
    assert [href_slug(h) for _, h in deep] == [p.slug for p in PAGES]
