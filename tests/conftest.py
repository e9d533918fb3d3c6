"""Shared pytest set-up.

Browser tests (mark them ``@pytest.mark.e2e``) get:
- ``app_url`` / ``base_url``: ONE ``streamlit run app.py`` server on 127.0.0.1 at a free port for
  the whole session (started on first use, stopped by PID); ``page.goto("/Some_Page")`` works
  relative to it. A test that needs a server of its own (a fresh one, or another user) starts
  it with ``streamlit_server()`` and says why.
- ``tab``: ONE browser tab for the whole session (one context: the 4.7 MB plotly chunk is loaded
  once, later pages come from the HTTP cache) with ``helpers.E2E_INIT_JS`` installed and its
  console/page errors collected (reset for each test); a screenshot on failure.
- pytest-playwright's ``browser`` (one Chromium per session), launched with Debian's
  /usr/bin/chromium (``playwright install`` cannot download anything here), 1280x900 viewport.

If Chromium or Playwright is missing, e2e tests are skipped, and with ``CI=true`` or
``NTK_REQUIRE_BROWSER=1`` such a skip is reported as a failure instead.

Budget: pages run in this process (AppTest) get a 2 s interactive budget (``NTK_TIME_BUDGET_S``)
instead of the app's 5 s: every "at the budget" run (widest width, all settings at their
maximum, the fuzz's extremes) computes less than half as much, and the capping logic under test
is the same. A test about the app's own offer (a claim's link must open with its settings) asks
for the ``app_budget`` fixture. Servers started for the browser tests
(``streamlit_server``) run with the app's own budget, so latencies and the maximum-width browser
tests meet what a visitor meets.

Environment knobs: ``NTK_APP_DIR`` (folder holding app.py, default: the repo root), ``CHROMIUM``
(browser binary), ``E2E_PORT`` (fixed port instead of a free one).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    E2E_INIT_JS,
    LOAD_TIMEOUT,
    REPO_ROOT,
    VIEWPORT,
    Tab,
    browser_missing_reason,
    browser_required,
    free_port,
    watch_errors,
)

os.environ.setdefault("NTK_TIME_BUDGET_S", "2")  # see the module docstring
APP_DIR = Path(os.environ.get("NTK_APP_DIR", REPO_ROOT)).resolve()
ARTIFACTS = REPO_ROOT / "artifacts"  # git-ignored
SERVER_START_TIMEOUT = 60.0
SELF_CONTAINED = {"test_deploy_balancer", "test_load"}  # e2e modules with servers of their own
SERVER_PID: dict[str, int] = {}  # "app": PID of the app_url server (see the app_pid fixture)


def wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout: float) -> None:
    """Poll ``{url}/_stcore/health`` until it answers ``ok``; fail early if the server died."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited early (rc={proc.returncode}); log {log_path}:\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"streamlit not healthy after {timeout:.0f} s; see {log_path}")
        time.sleep(0.2)


# --------------------------------------------------------------------------- hooks


def pytest_configure(config: pytest.Config) -> None:
    # Pages run in this process (AppTest) would prefetch neighbouring settings on a background
    # thread that competes with the next test for the 2 cores; no test here uses those results.
    # Servers started by the browser tests are other processes and keep prefetching;
    # tests/test_prefetch.py switches it back on for itself.
    from ntk_app import prefetch

    prefetch.ENABLED = False
    # pytest-playwright writes failure artifacts to ./test-results by default (and deletes it at
    # start); keep them in the git-ignored artifacts/ folder, with a screenshot of each failure.
    opt = config.option
    if getattr(opt, "output", None) == "test-results":
        opt.output = str(ARTIFACTS / "playwright")
    if getattr(opt, "screenshot", None) == "off":
        opt.screenshot = "only-on-failure"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # With pytest-xdist (scripts/test.sh runs ``-n 2 --dist loadgroup``): the browser tests that
    # share the app server and tab on one worker; every other file whole on one worker, so
    # module fixtures (a page's AppTest runs, the claims) are computed once. The load and
    # balancer tests start their own servers (or need only a server), so they may run on
    # either worker.
    for item in items:
        module = item.module.__name__
        shared = item.get_closest_marker("e2e") is not None and module not in SELF_CONTAINED
        item.add_marker(pytest.mark.xdist_group("browser" if shared else module))
    reason = browser_missing_reason()
    if reason is None and not config.pluginmanager.hasplugin("playwright"):
        reason = "the pytest-playwright plugin is not loaded (-p no:playwright?)"
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.skip(reason=f"browser test: {reason}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """With CI=true or NTK_REQUIRE_BROWSER=1, a skipped e2e test is reported as a failure."""
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("e2e") is not None
        and browser_required()
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"e2e test was skipped, but CI/NTK_REQUIRE_BROWSER requires browser tests to run: "
            f"{reason}"
        )
    return report


# --------------------------------------------------------------------------- fixtures


@contextlib.contextmanager
def streamlit_server(log_name: str = "e2e-server") -> Iterator[tuple[str, int]]:
    """``streamlit run app.py`` on 127.0.0.1 at a free port (or ``E2E_PORT`` for the shared
    one); yields (url, pid) once healthy; SIGTERM to that PID only afterwards."""
    if not (APP_DIR / "app.py").is_file():
        pytest.fail(f"no app.py in {APP_DIR}")
    shared = log_name == "e2e-server"
    port = int((shared and os.environ.get("E2E_PORT")) or free_port())
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"{log_name}.log"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("NTK_TIME_BUDGET_S", None)  # the app's own budget (see the module docstring)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--server.fileWatcherType=none",
                "--browser.gatherUsageStats=false",
            ],
            cwd=APP_DIR,  # .streamlit/config.toml is read from the working directory
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            wait_healthy(url, proc, log_path, SERVER_START_TIMEOUT)
            yield url, proc.pid
        finally:
            proc.terminate()  # SIGTERM to this PID only; Streamlit exits in ~2 s
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The session's one app server (see ``streamlit_server``)."""
    with streamlit_server() as (url, pid):
        SERVER_PID["app"] = pid
        yield url


@pytest.fixture
def app_budget(monkeypatch: pytest.MonkeyPatch) -> float:
    """The app's own interactive budget for this test (the suite runs pages at 2 s)."""
    from ntk_core import cost

    monkeypatch.delenv("NTK_TIME_BUDGET_S")
    return cost.time_budget_s()


@pytest.fixture(scope="session")
def app_pid(app_url: str) -> int:
    """PID of the ``app_url`` server (e.g. to read its memory from /proc/<pid>/status)."""
    return SERVER_PID["app"]


@pytest.fixture(scope="session")
def base_url(app_url: str) -> str:
    """pytest-playwright passes this to every context, so ``page.goto("/Page")`` works."""
    return app_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Use the distro Chromium instead of a Playwright-downloaded one."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture(scope="session")
def shared_tab(browser, browser_context_args: dict) -> Iterator[Tab]:
    """The session's one browser tab (see the module docstring)."""
    context = browser.new_context(**browser_context_args)
    context.add_init_script(E2E_INIT_JS)
    context.set_default_timeout(LOAD_TIMEOUT)
    tab = watch_errors(Tab(context.new_page()))
    yield tab
    context.close()


@pytest.fixture
def tab(shared_tab: Tab, request: pytest.FixtureRequest) -> Iterator[Tab]:
    """The shared tab, errors reset; after a failed test, a screenshot of what it showed."""
    shared_tab.errors.clear()
    shared_tab.external.clear()
    failed_before = request.session.testsfailed
    yield shared_tab
    if request.session.testsfailed > failed_before:
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
        shared_tab.page.screenshot(path=str(ARTIFACTS / "screenshots" / f"FAILED-{name}.png"))
