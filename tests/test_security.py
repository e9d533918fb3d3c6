"""Security checks of the app (issue #6).

1. No raw HTML: ``unsafe_allow_html=True`` (or any other ``unsafe_*`` switch), ``st.html`` and
   ``components.html`` appear nowhere in the registry's page scripts or in ntk_app/ (views too).
2. Configuration: the Dockerfile and .streamlit/config.toml hide error details (tracebacks)
   from visitors and turn off usage statistics; neither disables XSRF or CORS protection.
3. The app writes nothing: every page of the registry (app.py included) runs with AppTest — at
   its defaults and with bad URL values, each of its buttons pressed once — in a read-only,
   root-owned copy of the app files, as an unprivileged uid, with HOME and TMPDIR pointed at
   fresh directories. Afterwards the copy is unchanged, HOME is empty, and no file owned by that
   uid exists in /tmp, /var/tmp or /dev/shm outside TMPDIR.
4. URL values echoed in warnings cannot inject markup: ``st.warning`` renders markdown, so a
   value such as ``[x](https://evil.example)``, a bare URL (GFM autolink), ``**bold**``,
   ``$…$`` (KaTeX) or ``<img …>`` must reach the page only inside an inline code span
   (ntk_app.state.quote_raw). Checked on the parser, on every page with AppTest, and in
   Chromium (marked e2e): no link, image, emphasis or formula inside any alert.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from helpers import REPO_ROOT, Tab
from streamlit.testing.v1 import AppTest

from ntk_app import registry
from ntk_app.list_setting import int_list_setting
from ntk_app.state import Setting, quote_raw, seed_setting, width_setting

SCRIPTS = [p.path for p in registry.PAGES]  # app.py and pages/*.py, from the registry
APP_FILES = [REPO_ROOT / s for s in SCRIPTS] + sorted((REPO_ROOT / "ntk_app").rglob("*.py"))
CONTENT_VIEWS = [p.view for p in registry.content_pages()]
# What the image contains (Dockerfile COPY lines): the read-only copy holds the same.
SHIPPED = ["app.py", "pages", "ntk_app", "ntk_core", ".streamlit"]
UNPRIVILEGED = 10002  # a uid no other test uses, so its files can be found afterwards
TIMEOUT = 60

# URL values that would render as markup if a warning echoed them as markdown.
PAYLOADS = [
    "[click](https://evil.example)",
    "[x](javascript:alert(1))",
    "https://evil.example",
    "www.evil.example",
    "<img src=x onerror=alert(1)>",
    "<a href=//evil.example>x</a>",
    "**bold** _it_",
    "$\\href{https://e.x}{x}$",
    "`code` ``x``",
    ":red[x] :material/home:",
    "\n\n# heading",
    "![i](https://evil.example/i.png)",
]
# Outside code spans a warning may not contain any of these (the page's own words never do).
MARKUP = re.compile(r"\[|\]\(|<|>|\*\*|\$|https?:|www\.|javascript:|!\[|^#", re.MULTILINE)


def strip_code_spans(markdown: str) -> str:
    """The text outside single-backtick code spans; fails on an unbalanced backtick."""
    assert markdown.count("`") % 2 == 0, f"unbalanced backticks in {markdown!r}"
    return "".join(markdown.split("`")[::2])


def assert_inert(markdown: str) -> None:
    """A warning made by a Setting: every user-supplied value sits inside a code span, so
    there is no markup outside the spans."""
    outside = strip_code_spans(markdown)
    found = MARKUP.search(outside)
    assert found is None, f"markup {found.group(0)!r} outside a code span in {markdown!r}"


def assert_payloads_quoted(markdown: str) -> None:
    """An alert of a page (which may use markdown itself): no payload outside a code span."""
    outside = strip_code_spans(markdown)
    for p in PAYLOADS:
        head = p[:12]
        assert head not in outside, f"URL value {p!r} outside a code span in {markdown!r}"


# ----------------------------------------------------------------------------- 1. no raw HTML


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_no_raw_html(path: Path):
    src = path.read_text()
    for pattern, why in (
        (r"unsafe_allow_html\s*=\s*True", "renders raw HTML"),
        (r"unsafe_\w+\s*=\s*True", "turns off an escaping safeguard"),
        (r"\bst\.html\s*\(", "st.html renders raw HTML"),
        (r"components\.(v1\.)?html\s*\(", "components.html runs arbitrary HTML/JS"),
        (r"\bst\.components\b", "custom components run arbitrary HTML/JS"),
    ):
        m = re.search(pattern, src)
        assert m is None, (
            f"{path.name}: {m.group(0)!r} ({why}); if it is really needed, it must never see a "
            "user-controlled value (URL, widget) — review and extend this test"
        )


# ----------------------------------------------------------------------------- 2. configuration


def dockerfile_env() -> dict[str, str]:
    from test_container import parse_dockerfile  # the project's Dockerfile parser

    return parse_dockerfile(REPO_ROOT / "Dockerfile").env


def test_dockerfile_hides_tracebacks_and_stats():
    env = dockerfile_env()
    assert env.get("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "").lower() in ("none", "false"), (
        "the image must hide tracebacks from visitors: ENV STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none"
    )
    assert env.get("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "").lower() == "false"
    for name in ("STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION", "STREAMLIT_SERVER_ENABLE_CORS"):
        assert env.get(name, "true").lower() != "false", f"{name}=false weakens the server"


def test_config_hides_tracebacks_and_stats():
    cfg = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg.get("browser", {}).get("gatherUsageStats") is False
    assert str(cfg.get("client", {}).get("showErrorDetails")).lower() in ("none", "false")
    server = cfg.get("server", {})
    assert server.get("enableXsrfProtection", True) is not False
    assert server.get("enableCORS", True) is not False


# ----------------------------------------------------------------------------- 3. no writes

RUNNER = r"""
import json, sys, traceback
from pathlib import Path
from streamlit.testing.v1 import AppTest

app = Path(sys.argv[1])
scripts = json.loads(sys.argv[2])  # the registry's page scripts, relative to app
# not a number, not a choice, and out of range: below the minimum, which clamps (or snaps) to
# the cheapest setting through the same code as a value above the maximum; depth=999 and
# n=1e308 ran pages at their costliest instead (~13 s more, with the long run it offered)
bad = {"width": "abc", "seed": "-1", "depth": "-999", "n": "-1e308", "target": "<b>x</b>"}
out = {}
for rel in scripts:
    errors = []
    # each button once per page (a second press ran the same code, ~9 s), taken from the element
    # tree of the latest run: a button kept from an earlier run can be stale, and its press then
    # runs nothing (Claims' second long run, "≈ 25 s", was never run that way)
    pressed = set()
    try:
        for query in ({}, bad):
            at = AppTest.from_file(str(app / rel), default_timeout=60)
            for k, v in query.items():
                at.query_params[k] = v
            at.run()
            errors += [e.value for e in at.exception]
            while todo := [b for b in at.button if b.label not in pressed]:  # Re-initialise etc.
                pressed.add(todo[0].label)
                todo[0].click()
                at.run()
                errors += [e.value for e in at.exception]
    except Exception:
        errors.append(traceback.format_exc())
    out[rel] = errors
print("RESULT " + json.dumps(out))
"""


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[p.relative_to(root).as_posix()] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def _owned_by(uid: int, roots: list[Path], skip: Path) -> list[str]:
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            d = Path(dirpath)
            if d == skip or skip in d.parents:
                dirnames[:] = []
                continue
            for name in dirnames + filenames:
                try:
                    if (d / name).lstat().st_uid == uid:
                        found.append(str(d / name))
                except OSError:
                    pass
    return found


@pytest.mark.slow
def test_pages_write_nothing():
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is needed to run the pages as an unprivileged uid")
    uid = gid = UNPRIVILEGED
    base = Path(tempfile.mkdtemp(prefix="ntk-readonly-"))
    try:
        os.chmod(base, 0o755)  # traversable by the unprivileged uid
        app = base / "app"
        app.mkdir()
        for name in SHIPPED:
            src = REPO_ROOT / name
            if src.is_dir():
                shutil.copytree(src, app / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, app / name)
        for dirpath, _dirs, files in os.walk(app):
            for f in files:
                os.chmod(os.path.join(dirpath, f), 0o444)
            os.chmod(dirpath, 0o555)
        runner = base / "runner.py"
        runner.write_text(RUNNER)
        os.chmod(runner, 0o444)
        home, tmp = base / "home", base / "tmp"
        for d in (home, tmp):
            d.mkdir(mode=0o700)
            os.chown(d, uid, gid)
        before = _snapshot(app)
        leftovers_before = set(
            _owned_by(uid, [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")], base)
        )

        env = {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": str(home),
            "TMPDIR": str(tmp),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",  # as in the Dockerfile
            "PYTHONPATH": str(app),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
        cmd = [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
        res = subprocess.run(
            [*cmd, sys.executable, str(runner), str(app), json.dumps(SCRIPTS)],
            cwd=app,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert res.returncode == 0, f"runner failed (rc={res.returncode}):\n{res.stderr[-4000:]}"
        line = next(ln for ln in res.stdout.splitlines() if ln.startswith("RESULT "))
        result = json.loads(line[len("RESULT ") :])
        assert set(result) == set(SCRIPTS)
        raised = {page: errs for page, errs in result.items() if errs}
        assert not raised, f"pages raised in a read-only copy: {raised}\n{res.stderr[-4000:]}"
        assert "Permission denied" not in res.stderr, res.stderr[-4000:]

        assert _snapshot(app) == before, "a page wrote into the (read-only) app files"
        home_files = [str(p.relative_to(home)) for p in home.rglob("*")]
        assert home_files == [], f"the app wrote into HOME: {home_files}"
        tmp_files = [str(p.relative_to(tmp)) for p in tmp.rglob("*")]
        leftovers = set(_owned_by(uid, [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")], base))
        assert leftovers == leftovers_before, f"files left outside TMPDIR: {leftovers}"
        print(f"read-only run: {len(result)} scripts, TMPDIR used for {tmp_files or 'nothing'}")
    finally:
        for dirpath, _dirs, files in os.walk(base):
            os.chmod(dirpath, 0o755)
            for f in files:
                p = os.path.join(dirpath, f)
                os.chmod(p, os.lstat(p).st_mode | stat.S_IWUSR)
        shutil.rmtree(base, ignore_errors=True)


# ----------------------------------------------------------------------------- 4. escaping


@pytest.mark.parametrize("payload", PAYLOADS)
def test_setting_warnings_are_inert(payload: str):
    settings = [
        width_setting(),
        seed_setting(),
        Setting("depth", "int", 1, 1, 4),
        Setting("sigma_w", "float", 1.0, 0.1, 3.0),
        Setting("activation", "choice", "relu", choices=("relu", "erf")),
        Setting("flag", "bool", False),
        int_list_setting("depths", (1, 2), tuple(range(1, 21))),
    ]
    for s in settings:
        for raw in (payload, f"1,{payload}", payload * 4):
            value, warning = s.parse(raw)
            assert warning, f"{s.name}={raw!r} accepted as {value!r}"
            assert_inert(warning)


def test_quote_raw_truncates_and_quotes():
    q = quote_raw("x" * 100)
    assert q.startswith("`'") and q.endswith("…'`") and len(q) < 40
    assert quote_raw("a`b") == "`'a'b'`"  # a backtick cannot close the span
    assert quote_raw("\n\n# h") == "`'\\n\\n# h'`"  # newlines are shown escaped


@pytest.mark.parametrize("page", CONTENT_VIEWS)
def test_page_warnings_are_inert(page: str):
    """Every URL parameter of the page set to a payload: every warning (and every other alert)
    keeps the payloads inside code spans."""
    script = str(REPO_ROOT / registry.page(page).path)
    at = AppTest.from_file(script, default_timeout=TIMEOUT).run()
    names = list(at.query_params)
    assert names, f"{page} writes no URL parameters"
    for i in range(0, len(PAYLOADS), 4):
        at = AppTest.from_file(script, default_timeout=TIMEOUT)
        for j, name in enumerate(names):
            at.query_params[name] = PAYLOADS[(i + j) % len(PAYLOADS)]
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.warning, f"{page}: no warning for payload values"
        for el in (*at.warning, *at.error, *at.info):
            assert_payloads_quoted(el.value)


@pytest.mark.e2e
def test_payloads_render_inert_in_browser(tab: Tab):
    """In Chromium (the session's shared tab): alerts on a page opened with payload values
    contain no link, image, emphasis or formula — the values show as code."""
    page = tab.page
    errors = tab.errors  # page errors are collected there already

    def on_dialog(dialog) -> None:
        errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    query = {
        "width": PAYLOADS[0],
        "activation": PAYLOADS[1],
        "inputs": PAYLOADS[4],
        "middle": PAYLOADS[2],
        "depth": PAYLOADS[6],
        "seed": PAYLOADS[7],
        "sigma_w": PAYLOADS[11],
    }
    page.goto("/" + registry.page("width_stability").url(query))
    alerts = page.get_by_test_id("stAlertContentWarning")
    alerts.first.wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    n = alerts.count()
    assert n >= len(query)
    live = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stAlertContentWarning"]'))
              .map(a => a.querySelectorAll('a, img, strong, em, .katex, h1, h2, script').length)"""
    )
    assert live == [0] * n, f"markup rendered inside warnings: {live}"
    codes = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stAlertContentWarning"]'))
              .map(a => a.querySelectorAll('code').length)"""
    )
    assert all(c >= 1 for c in codes), codes
    page.remove_listener("dialog", on_dialog)
    assert errors == []
