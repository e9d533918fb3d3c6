"""Replicas behind a real load balancer (issue #14): 3 Streamlit replicas behind HAProxy
(deploy/haproxy.cfg, started by deploy/replicas.py), all on 127.0.0.1, driven by one Chromium.

Run: ``.venv/bin/python -m pytest -q -s tests/test_deploy_balancer.py`` (marked e2e and slow)

1. Gzip: a ``/static/js/*.js`` asset comes back ``Content-Encoding: gzip`` through HAProxy (and
   not directly from a replica), keeping ``Cache-Control: ... immutable``.
2. ``SESSIONS`` browser contexts open pages with width sliders through the balancer at once.
   Sessions are spread over the replicas (each context's SERVERID cookie; HAProxy's log shows
   which replica served each WebSocket) and stay on one: every request that carried a
   SERVERID cookie before the kill was served by the replica it names (HAProxy's log).
3. Each session moves its width slider and the charts repaint; the checks of
   ``checks_for(slug)`` (a download through the balancer) succeed in every session.
4. A shared link (the first session's URL) opened in a fresh context with Chromium's network
   throttled (CDP ``Network.emulateNetworkConditions``: 20 Mbit/s, 40 ms RTT), through the
   balancer (gzip) and directly (no gzip), until the first chart is drawn. The direct run goes
   second, to the replica that served the balancer run, so its server cache is at least as
   warm. Then, the throttle lifted, these two tabs (same page, same replica) time the same warm
   slider moves through HAProxy and directly, interleaved (slider key press to the last
   repaint, measured in the page): the two fresh contexts serve both comparisons.
5. One replica (the first with the most sessions) is killed (SIGKILL, by PID) mid-session:
   every session it served reconnects by itself within ``RECOVERY_LIMIT_S`` (a new WebSocket,
   redispatched by HAProxy to a survivor).
   Streamlit 1.67 does not rerun the page on such a reconnect (the old elements stay, and a
   download clicked then never arrives: its callable died with the process), so the session is
   reloaded, as its user would: it shows the same view (same URL query string, slider value
   equal to the URL's, charts drawn) and its SERVERID cookie names a survivor. Sessions on the
   survivors keep their replica. Then the checks succeed again in every session.
6. No replica wrote into its HOME (the Kubernetes pod's HOME is on a read-only root filesystem);
   what it put into TMPDIR (the pod's /tmp emptyDir) is reported. No replica log has a
   traceback, an "Invalid session_id" or a "Missing file".

Figures (spread, latency p50/p95 through the balancer and direct, recovery time, throttled
cold-link time and bytes with and without gzip, each replica's RSS) go to
artifacts/deploy.json and are printed as ``DEPLOY ...`` lines; latencies are not asserted.

To add a check (e.g. a CSV upload, the request that fails without affinity), write a function
``check_x(page) -> dict`` that raises on failure and return it from ``checks_for(slug)`` for the
page slugs that have the widget; it then runs in every session before and after the kill.

Bounded: 3 replicas, 6 + 2 contexts, a timeout on every wait (and pytest-timeout's 300 s).
A fresh context costs Chromium ~5.5 s of CPU (the frontend's JavaScript; a reload in the same
context ~1.5 s): the throttled cold-link tabs are also the balancer-vs-direct pair, instead of
two more contexts opened for that.
Every process is stopped by its PID in ``finally`` (deploy.replicas.Cluster.stop).
"""

from __future__ import annotations

import json
import os
import re
import signal
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from conftest import wait_healthy
from helpers import (
    E2E_INIT_JS,
    REPO_ROOT,
    VIEWPORT,
    free_port,
    press_and_watch,
    width_sliders,
)
from helpers import wait_charts as wait_charts_quiet
from playwright.sync_api import Browser, BrowserContext, Page

from deploy.replicas import (
    Cluster,
    Replica,
    haproxy_binary,
    start_haproxy,
    start_replica,
    wait_servers_up,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPLICAS = 3
SESSIONS = 6
ROUNDS = 2  # interleaved balancer/direct rounds of (key, back) moves: 4 timed moves each
# (page URL, key that moves its width slider to a cheap neighbour; the opposite key moves back)
PAGES = (
    ("/Width_stability", "ArrowRight"),
    ("/Training_dynamics", "ArrowLeft"),
    ("/Lazy_vs_rich", "ArrowLeft"),
    ("/Infinite_width", "ArrowLeft"),
    # the upload page, small: "Your CSV" with no file yet draws digits at 20 training rows
    ("/Real_data?data=csv&n_train=20&width=20&seeds=1&steps=100", "ArrowRight"),
)
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'

BACK = {"ArrowLeft": "ArrowRight", "ArrowRight": "ArrowLeft"}
WIDTH_SLIDER = 'input[type="range"][aria-label^="Width"]'
DOWNLOAD_BUTTON = '[data-testid="stDownloadButton"] button'
THROTTLE = {  # campus Wi-Fi: 20 Mbit/s each way, 40 ms round trip (CDP units: bytes/s, ms)
    "offline": False,
    "latency": 40,
    "downloadThroughput": 20e6 / 8,
    "uploadThroughput": 20e6 / 8,
}
UNTHROTTLED = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
LOAD_TIMEOUT_MS = 240_000  # first loads on a busy 2-core box: 3 replicas import, 6 tabs draw
STEP_TIMEOUT_MS = 30_000
RECOVERY_LIMIT_S = 15.0
ARTIFACTS = REPO_ROOT / "artifacts"
MIB = 2**20



@dataclass
class Session:
    """One browser context (its own cookies, cache and Streamlit session) on one page."""

    name: str
    slug: str
    key: str
    context: BrowserContext
    page: Page
    via: str  # "balancer" or "direct"
    sockets: list[float] = field(default_factory=list)  # epoch s of each WebSocket opened
    page_errors: list[str] = field(default_factory=list)

    def serverid(self) -> str | None:
        return next((c["value"] for c in self.context.cookies() if c["name"] == "SERVERID"), None)


# ----------------------------------------------------------------------------- browser helpers


def open_session(browser: Browser, base: str, slug: str, key: str, name: str, via: str):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.add_init_script(E2E_INIT_JS)
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    page = context.new_page()
    s = Session(name, slug, key, context, page, via)
    page.on("websocket", lambda ws: s.sockets.append(time.time()) if "_stcore/stream" in ws.url
            else None)  # fmt: skip
    page.on("pageerror", lambda exc: s.page_errors.append(str(exc)))
    page.goto(base + slug, wait_until="commit")  # do not wait: the sessions load concurrently
    return s


def wait_charts(page: Page, timeout_ms: float = LOAD_TIMEOUT_MS) -> None:
    """Script idle, every chart drawn and quiet; fails at once on an exception box."""
    wait_charts_quiet(page, timeout_s=timeout_ms / 1000)


def move(s: Session, key: str) -> float:
    """Press ``key`` on the width slider; ms from key press to the last repaint of the charts
    (tests/helpers.py press_and_watch)."""
    label = width_sliders(s.page)[0].label
    step = press_and_watch(s.page, label, key, timeout=STEP_TIMEOUT_MS)
    assert step.after != step.before, f"{s.name}: {key} did nothing"
    return step.all_ms if step.all_ms is not None else float(step.run_end_ms or 0.0)


def slider_matches_url(page: Page) -> bool:
    """The width slider shows the value of the URL's parameter that it writes (if present)."""
    thumb = page.locator(WIDTH_SLIDER).first
    shown = (thumb.get_attribute("aria-valuetext") or "").replace(",", "").strip()
    query = dict(p.split("=", 1) for p in urlparse(page.url).query.split("&") if "=" in p)
    return shown in query.values() if query else True


def check_download(page: Page) -> dict:
    """Click the page's first download button; the file must arrive and be a non-empty CSV (or
    other) file. The click runs the callable on the session's replica, which stores the file;
    the browser then fetches it with a plain HTTP GET that must reach that same replica."""
    wait_charts(page)  # a click during a rerun may hit a button the rerun is replacing
    button = page.locator(DOWNLOAD_BUTTON).first
    t0 = time.perf_counter()
    with page.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        button.click()
    dl = info.value
    assert dl.failure() is None, f"download failed: {dl.failure()}"
    data = Path(dl.path()).read_bytes()
    assert len(data) > 0, f"{dl.suggested_filename} is empty"
    if dl.suggested_filename.endswith(".csv"):
        assert b"," in data.splitlines()[0], f"{dl.suggested_filename}: no CSV header"
    return {"file": dl.suggested_filename, "bytes": len(data),
            "ms": round((time.perf_counter() - t0) * 1000, 1)}  # fmt: skip


_uploads = 0  # uploads so far in this test run


def check_upload(page: Page) -> dict:
    """Upload a small CSV on the Real data page: the file goes by HTTP PUT to
    /_stcore/upload_file/<session>/… and must reach the replica that holds the session (without
    affinity: HTTP 400 "Invalid session_id"); the page must then use it."""
    global _uploads
    _uploads += 1
    rows = 40 + _uploads  # a new row count each time: the page's note below is then new too
    rng = np.random.default_rng(_uploads)
    lab = np.arange(rows) % 2
    x = rng.normal(size=(rows, 3)) + 3.0 * lab[:, None]
    lines = "".join(f"{a:.4f},{b:.4f},{c:.4f},{'ab'[k]}\n" for (a, b, c), k in zip(x, lab,
                                                                                    strict=True))
    path = Path(tempfile.mkdtemp()) / "blobs.csv"
    path.write_text("f1,f2,f3,kind\n" + lines)
    t0 = time.perf_counter()
    with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url,
                              timeout=STEP_TIMEOUT_MS) as info:
        page.locator(UPLOAD_INPUT).set_input_files(str(path))
    status = info.value.status
    assert status < 400, f"upload answered HTTP {status}"
    page.get_by_text(f"your file ({rows} rows, 3 features, 2 classes)").first.wait_for(
        timeout=STEP_TIMEOUT_MS)
    wait_charts(page)  # the run that uses the file is over before the next check clicks
    return {"file": path.name, "status": status,
            "ms": round((time.perf_counter() - t0) * 1000, 1)}  # fmt: skip


def checks_for(slug: str) -> list:
    """The per-session HTTP checks for a page: a download, and on the upload page an upload."""
    return [check_upload, check_download] if slug.startswith("/Real_data") else [check_download]


def run_checks(sessions: list[Session]) -> list[dict]:
    out = []
    for s in sessions:
        for check in checks_for(s.slug):
            try:
                result = check(s.page)
            except Exception as exc:  # name the session: CI keeps only the log
                raise AssertionError(f"{s.name} on {s.slug} via {s.serverid()}: "
                                     f"{check.__name__} failed") from exc  # fmt: skip
            out.append({"session": s.name, "check": check.__name__, **result})
    return out


def cold_link(browser: Browser, base: str, path: str, like: Session, name: str,
              via: str) -> tuple[Session, dict]:
    """Open ``base + path`` in a fresh, throttled context; seconds until the first chart is
    drawn, and the bytes on the wire (CDP encodedDataLength). Then the throttle is lifted and
    the page's watcher installed (``E2E_INIT_JS``, not an init script: it would have run during
    the timed load), so the tab can be moved like ``like``'s, whose page it shows."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    page = context.new_page()
    s = Session(name, like.slug, like.key, context, page, via)
    page.on("pageerror", lambda exc: s.page_errors.append(str(exc)))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THROTTLE)
    wire = []
    cdp.on("Network.loadingFinished", lambda e: wire.append(e["encodedDataLength"]))
    t0 = time.perf_counter()
    page.goto(base + path, wait_until="commit")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".some(gd => gd._fullData && gd._fullData.length)",
        timeout=LOAD_TIMEOUT_MS,
        polling=50,
    )
    seconds = time.perf_counter() - t0
    figures = {"s": round(seconds, 2), "wire_mib": round(sum(wire) / MIB, 2),
               "serverid": s.serverid()}  # fmt: skip
    cdp.send("Network.emulateNetworkConditions", UNTHROTTLED)
    page.evaluate(E2E_INIT_JS)
    return s, figures


# ----------------------------------------------------------------------------- other helpers


def get(url: str, headers: dict[str, str]) -> tuple[dict[str, str], int]:
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as r:
        names = {k.lower() for k in r.headers}  # a repeated header (Cache-Control) is joined
        return {k: ", ".join(r.headers.get_all(k)) for k in names}, len(r.read())


def a_js_asset(base: str) -> str:
    with urllib.request.urlopen(base + "/", timeout=10) as r:
        html = r.read().decode()
    m = re.search(r'(static/js/[^"\']+\.js)', html)
    assert m, "no /static/js/*.js in the index page"
    return "/" + m[1]


def rss_mib(replicas: list[Replica]) -> dict[str, float | None]:
    return {r.name: (round(b / MIB, 1) if (b := r.rss_bytes()) else None) for r in replicas}


def pct(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    a = np.asarray(values)
    return {
        "n": len(a),
        "p50_ms": round(float(np.percentile(a, 50)), 1),
        "p95_ms": round(float(np.percentile(a, 95)), 1),
        "max_ms": round(float(a.max()), 1),
    }


LOG_LINE = re.compile(
    r"^(?P<t>\d+\.\d+) streamlit/(?P<server>\S+) (?P<status>-?\d+) \d+ "
    r"req_cookie=(?:SERVERID=(?P<cookie>\w+)|-) set_cookie=\S+ \"(?P<method>\S+) (?P<path>\S+)"
)


def health_log(cluster: Cluster) -> list[str]:
    """HAProxy's health-check and server-state lines (``option log-health-checks``)."""
    lines = cluster.haproxy_log.read_text().splitlines() if cluster.haproxy_log else []
    return [ln for ln in lines if ln.startswith(("Health check", "Server "))]


def haproxy_requests(log_path: Path) -> list[dict]:
    return [m.groupdict() for line in log_path.read_text().splitlines()
            if (m := LOG_LINE.match(line))]  # fmt: skip


# ----------------------------------------------------------------------------- the test


def test_replicas_behind_haproxy(browser: Browser, monkeypatch: pytest.MonkeyPatch):
    try:
        haproxy_binary()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))  # e2e tests run on CI, where scripts/setup.sh installed it
    # the replicas inherit this environment: give them the app's own interactive budget, as a
    # pod has (conftest.py sets the suite's smaller one for pages run in this process)
    monkeypatch.delenv("NTK_TIME_BUDGET_S", raising=False)
    t_start = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="ntk-balancer-"))
    cluster = Cluster(run_dir)
    sessions: list[Session] = []
    pair: list[Session] = []  # the cold-link tabs while they are open (balancer, direct)
    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        phases[name] = round(time.monotonic() - t_start, 1)

    report: dict = {
        "phases_s": phases,
        "replicas": REPLICAS,
        "sessions": SESSIONS,
        "cpus": os.cpu_count(),
        "loadavg_1min_start": round(os.getloadavg()[0], 1),
    }
    try:
        # --- start: replicas and HAProxy on free loopback ports ---------------------------
        for i in range(REPLICAS):
            cluster.replicas.append(start_replica(f"r{i + 1}", free_port(), run_dir))
        start_haproxy(cluster, free_port(), free_port())
        for r in cluster.replicas:
            wait_healthy(r.url, r.proc, r.log_path, 90)
        wait_healthy(cluster.url, cluster.haproxy, cluster.haproxy_log, 30)
        wait_servers_up(cluster)  # else the first sessions all go to the replicas UP so far
        report["rss_idle_mib"] = rss_mib(cluster.replicas)

        phase("started")
        # --- 1. gzip through HAProxy, not directly; immutable caching kept ---------------
        asset = a_js_asset(cluster.url)
        accept = {"Accept-Encoding": "gzip", "Cookie": "SERVERID=r1"}
        via_lb, lb_bytes = get(cluster.url + asset, accept)
        direct, direct_bytes = get(cluster.replicas[0].url + asset, accept)
        assert via_lb.get("content-encoding") == "gzip", via_lb
        assert "content-encoding" not in direct, direct
        for headers in (via_lb, direct):
            assert "immutable" in headers.get("cache-control", ""), headers
            assert "private" not in headers.get("cache-control", ""), headers
        report["gzip_asset"] = {"path": asset, "direct_bytes": direct_bytes,
                                "balancer_bytes_gzip": lb_bytes}  # fmt: skip

        phase("gzip_checked")
        # --- 2. concurrent sessions through the balancer: spread, stickiness -------------
        for i in range(SESSIONS):
            slug, key = PAGES[i % len(PAGES)]
            # round robin skips a replica that a check has just marked DOWN (a busy 2-core box
            # can flap one): open each tab only while HAProxy has all of them UP
            wait_servers_up(cluster)
            sessions.append(open_session(browser, cluster.url, slug, key, f"s{i}", "balancer"))
        for s in sessions:
            wait_charts(s.page)
        home_of = {s.name: s.serverid() for s in sessions}
        assert all(home_of.values()), f"a session got no SERVERID cookie: {home_of}"
        spread = Counter(home_of.values())
        report["spread"] = dict(sorted(spread.items()))
        assert set(spread) == {r.name for r in cluster.replicas}, (
            f"not spread: {home_of}; HAProxy's checks:\n" + "\n".join(health_log(cluster))
        )

        phase("sessions_open")
        # --- 3. sliders work, then the checks (downloads) in every session ---------------
        first_moves = []
        for s in sessions:
            first_moves.append(move(s, s.key))
            assert slider_matches_url(s.page), f"{s.name}: slider and URL disagree"
        report["checks_before_kill"] = run_checks(sessions)
        assert {s.name: s.serverid() for s in sessions} == home_of, "a session changed replica"

        phase("moved_and_checked")
        # --- 4. a shared link, cold and throttled: balancer, then direct; warm moves on both -
        link = urlparse(sessions[0].page.url)
        path = link.path + (f"?{link.query}" if link.query else "")
        lb, cold_lb = cold_link(browser, cluster.url, path, sessions[0], "c-lb", "balancer")
        pair.append(lb)
        served_by = cluster.replica(cold_lb["serverid"])
        direct, cold_direct = cold_link(browser, served_by.url, path, sessions[0], "c-direct",
                                        "direct")  # fmt: skip
        pair.append(direct)
        report["cold_link"] = {"path": path, "throttle": THROTTLE,
                               "balancer_gzip": cold_lb, "direct": cold_direct}  # fmt: skip
        phase("cold_links")
        for s in pair:
            wait_charts(s.page)
        lat = {"balancer": [], "direct": []}
        for _ in range(ROUNDS):
            for s in pair:
                lat[s.via] += [move(s, s.key), move(s, BACK[s.key])]
        report["latency_first_moves_balancer"] = pct(first_moves)
        report["latency_balancer"] = pct(lat["balancer"])
        report["latency_direct"] = pct(lat["direct"])
        report["latency_pair"] = {"page": sessions[0].slug, "replica": served_by.name}
        report["rss_with_sessions_mib"] = rss_mib(cluster.replicas)
        report["page_errors"] = {s.name: s.page_errors for s in pair if s.page_errors}
        for s in pair:
            s.context.close()
        pair.clear()

        phase("latency_measured")
        # --- 5. kill one replica mid-session ---------------------------------------------
        victim = max(cluster.replicas, key=lambda r: spread[r.name])  # the first with the most
        affected = [s for s in sessions if home_of[s.name] == victim.name]
        urls_before = {s.name: s.page.url for s in sessions}
        t_kill = time.time()
        os.kill(victim.proc.pid, signal.SIGKILL)
        victim.proc.wait(timeout=10)
        reconnect, recovery = {}, {}
        for s in affected:
            # Streamlit's frontend reconnects by itself (HAProxy redispatches it to a survivor)
            # but the new session does not rerun the page: the old elements stay on screen and
            # their deferred downloads are gone with the killed process. A reload restores all.
            while not any(t > t_kill for t in s.sockets):
                assert time.time() - t_kill < RECOVERY_LIMIT_S, f"{s.name}: no reconnect"
                s.page.wait_for_timeout(100)  # lets Playwright deliver the websocket event
            reconnect[s.name] = round(min(t for t in s.sockets if t > t_kill) - t_kill, 2)
        for s in affected:
            s.page.reload(wait_until="commit")
        for s in affected:
            wait_charts(s.page)
            recovery[s.name] = round(time.time() - t_kill, 2)
        report["killed"] = victim.name
        report["reconnect_s"] = reconnect
        report["recovery_with_reload_s"] = recovery
        for s in sessions:
            assert s.page.url == urls_before[s.name], f"{s.name}: view (URL) changed"
            assert slider_matches_url(s.page), f"{s.name}: slider and URL disagree after kill"
            now = s.serverid()
            if s in affected:
                assert now != victim.name and now in home_of.values(), f"{s.name}: {now}"
            else:
                assert now == home_of[s.name], f"{s.name} moved from {home_of[s.name]} to {now}"
        report["checks_after_kill"] = run_checks(sessions)
        after_moves = [move(s, s.key) for s in affected]  # the recovered sessions still work
        report["latency_after_recovery"] = pct(after_moves)

        phase("recovered_and_checked")
        report["rss_end_mib"] = rss_mib(cluster.replicas)
        report["page_errors"].update({s.name: s.page_errors for s in sessions if s.page_errors})
    finally:
        report["loadavg_1min_end"] = round(os.getloadavg()[0], 1)
        ARTIFACTS.mkdir(exist_ok=True)  # also after a failure: how far it got, and when
        (ARTIFACTS / "deploy.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
        for s in sessions + pair:
            try:
                s.context.close()
            except Exception:  # the browser may be gone already
                pass
        cluster.stop()

    # --- 6. after the stop: HAProxy's log, the replicas' files and logs ------------------
    requests = haproxy_requests(cluster.haproxy_log)
    assert requests, f"no request lines in {cluster.haproxy_log}"
    before = [r for r in requests if float(r["t"]) < t_kill - 0.5]
    strays = [r for r in before if r["cookie"] and r["cookie"] != r["server"]]
    assert not strays, f"requests served by another replica than their cookie names: {strays[:5]}"
    streams = Counter(r["server"] for r in before if r["path"].startswith("/_stcore/stream"))
    report["websockets_per_replica_before_kill"] = dict(sorted(streams.items()))
    after = [r for r in requests if float(r["t"]) > t_kill + 0.5]
    assert all(r["server"] != victim.name for r in after if r["status"] != "-1"), (
        "HAProxy kept sending requests to the killed replica"
    )
    media = [r for r in requests if r["path"].startswith("/media/")]
    assert media and all(r["status"] == "200" for r in media), media
    report["media_requests"] = len(media)
    report["tmpdir_files"] = {r.name: sorted(p.name for p in r.tmp.rglob("*"))
                              for r in cluster.replicas}  # fmt: skip
    for r in cluster.replicas:
        assert list(r.home.rglob("*")) == [], f"{r.name} wrote into HOME: {list(r.home.rglob('*'))}"
        log = r.log_path.read_text(errors="replace")
        for bad in ("Traceback", "Invalid session_id", "Missing file"):
            assert bad not in log, f"{r.name}'s log has {bad!r}:\n{log[-3000:]}"
    report["wall_s"] = round(time.monotonic() - t_start, 1)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "deploy.json").write_text(json.dumps(report, indent=2) + "\n")
    for key in ("spread", "websockets_per_replica_before_kill", "latency_balancer",
                "latency_direct", "latency_first_moves_balancer", "reconnect_s",
                "recovery_with_reload_s", "cold_link", "gzip_asset", "rss_idle_mib",
                "rss_with_sessions_mib", "rss_end_mib", "tmpdir_files", "wall_s"):  # fmt: skip
        print(f"DEPLOY {key}: {json.dumps(report.get(key))}")
