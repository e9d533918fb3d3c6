"""N local Streamlit replicas behind HAProxy: the single-machine rehearsal of deploy/k8s/.

    .venv/bin/python deploy/replicas.py --replicas 3 --port 8080    # Ctrl-C stops everything

Each replica is ``streamlit run app.py`` on 127.0.0.1 at its own port, with its own HOME and
TMPDIR (fresh directories, as the emptyDir volumes of the Kubernetes Deployment) and its log in
the run directory. HAProxy (Debian's ``haproxy`` package; scripts/setup.sh installs it) listens
on ``--port`` with deploy/haproxy.cfg: a SERVERID cookie keeps each browser on one replica,
WebSocket tunnels may stay open for hours, ``/_stcore/health`` is checked every 2 s, and text
assets are gzip-compressed. The stats page is at ``http://127.0.0.1:<port + 1>/stats``.

tests/test_deploy_balancer.py drives the same functions with Chromium. Every process is started
here and stopped by its PID (``Cluster.stop``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HAPROXY_TEMPLATE = REPO_ROOT / "deploy" / "haproxy.cfg"
SERVERS_MARKER = "# @SERVERS@"
HOST = "127.0.0.1"
STOP_TIMEOUT = 15.0


@dataclass
class Replica:
    """One ``streamlit run app.py`` process."""

    name: str  # also its SERVERID cookie value
    port: int
    proc: subprocess.Popen
    log_path: Path
    home: Path
    tmp: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss_bytes(self) -> int | None:
        """Resident set size (VmRSS of /proc/<pid>/status), None once the process is gone."""
        try:
            text = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return None


@dataclass
class Cluster:
    """Replicas plus the HAProxy in front of them."""

    run_dir: Path
    replicas: list[Replica] = field(default_factory=list)
    haproxy: subprocess.Popen | None = None
    port: int = 0
    stats_port: int = 0
    haproxy_log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def stop(self) -> None:
        """SIGTERM to every process started here (by PID), SIGKILL after a timeout."""
        procs = [r.proc for r in self.replicas] + ([self.haproxy] if self.haproxy else [])
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)


def render_haproxy_cfg(servers: list[tuple[str, int]], template: Path = HAPROXY_TEMPLATE) -> str:
    """deploy/haproxy.cfg with the ``@SERVERS@`` line replaced by one line per (name, port)."""
    text = template.read_text()
    lines = [f"    server {name} {HOST}:{port} cookie {name}" for name, port in servers]
    if SERVERS_MARKER not in text:
        raise ValueError(f"{template} has no {SERVERS_MARKER!r} line")
    head, _, tail = text.partition(SERVERS_MARKER)
    head = head.rstrip(" ")  # the marker's indentation
    tail = tail.split("\n", 1)[1] if "\n" in tail else ""
    return head + "\n".join(lines) + "\n" + tail


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if not found:
        raise FileNotFoundError("haproxy not found: bash scripts/setup.sh installs it (apt)")
    return found


def start_replica(name: str, port: int, run_dir: Path, app_dir: Path = REPO_ROOT) -> Replica:
    """Start ``streamlit run app.py`` on 127.0.0.1:port (does not wait for it)."""
    home, tmp = run_dir / f"home-{name}", run_dir / f"tmp-{name}"
    home.mkdir(parents=True)
    tmp.mkdir(parents=True)
    log_path = run_dir / f"{name}.log"
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    argv = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        f"--server.address={HOST}", f"--server.port={port}",
        "--server.headless=true", "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Replica(name, port, proc, log_path, home, tmp)


def start_haproxy(cluster: Cluster, port: int, stats_port: int) -> None:
    """Render the config for the cluster's replicas and start HAProxy in the foreground."""
    cfg = cluster.run_dir / "haproxy.cfg"
    cfg.write_text(render_haproxy_cfg([(r.name, r.port) for r in cluster.replicas]))
    env = {**os.environ, "NTK_BIND": f"{HOST}:{port}", "NTK_STATS_BIND": f"{HOST}:{stats_port}"}
    check = subprocess.run(
        [haproxy_binary(), "-c", "-q", "-f", str(cfg)], env=env, capture_output=True, text=True
    )
    if check.returncode != 0:
        raise RuntimeError(f"haproxy -c rejected {cfg}:\n{check.stdout}{check.stderr}")
    cluster.haproxy_log = cluster.run_dir / "haproxy.log"
    with open(cluster.haproxy_log, "wb") as log:
        cluster.haproxy = subprocess.Popen(
            [haproxy_binary(), "-db", "-f", str(cfg)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    cluster.port, cluster.stats_port = port, stats_port


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as r:
            return r.read() == b"ok"
    except OSError:
        return False


def wait_all_healthy(cluster: Cluster, timeout: float = 90.0) -> None:
    """Wait until every replica and the balancer (if started) answer ``/_stcore/health``."""
    deadline = time.monotonic() + timeout
    for target in [*cluster.replicas, *([cluster] if cluster.haproxy else [])]:
        while not healthy(target.url):
            procs = [r.proc for r in cluster.replicas] + [cluster.haproxy]
            dead = [p.args[0] for p in procs if p is not None and p.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(
                    f"not healthy: {target.url} (exited: {dead}); logs in {cluster.run_dir}"
                )
            time.sleep(0.3)


def servers_up(cluster: Cluster) -> dict[str, bool]:
    """Replica name -> whether HAProxy's health checks have it UP (from the stats page's CSV)."""
    url = f"http://{HOST}:{cluster.stats_port}/stats;csv"
    with urllib.request.urlopen(url, timeout=5) as r:
        rows = r.read().decode().splitlines()
    header = rows[0].lstrip("# ").split(",")
    out = {}
    for row in rows[1:]:
        rec = dict(zip(header, row.split(","), strict=False))
        if rec.get("pxname") == "streamlit" and rec.get("svname") not in ("FRONTEND", "BACKEND"):
            out[rec["svname"]] = rec.get("status", "").startswith("UP")
    return out


def wait_servers_up(cluster: Cluster, timeout: float = 30.0) -> None:
    """Wait until HAProxy has every replica UP (a replica starts DOWN until 2 checks pass)."""
    deadline = time.monotonic() + timeout
    while not all((up := servers_up(cluster)).values()) or len(up) < len(cluster.replicas):
        if time.monotonic() > deadline:
            raise RuntimeError(f"HAProxy does not see every replica UP: {up}")
        time.sleep(0.3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", "-n", type=int, default=3, help="number of replicas (1-16)")
    ap.add_argument("--port", type=int, default=8080, help="balancer port; stats on port+1")
    ap.add_argument("--first-replica-port", type=int, default=8601)
    args = ap.parse_args(argv)
    if not 1 <= args.replicas <= 16:
        ap.error("--replicas must be between 1 and 16")
    # SIGTERM (e.g. from `timeout` or systemd) ends like Ctrl-C: the finally block stops the rest
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="ntk-replicas-")))
    try:
        for i in range(args.replicas):
            cluster.replicas.append(
                start_replica(f"r{i + 1}", args.first_replica_port + i, cluster.run_dir)
            )
        start_haproxy(cluster, args.port, args.port + 1)
        wait_all_healthy(cluster)
        wait_servers_up(cluster)
        print(f"{args.replicas} replicas behind {cluster.url}  (stats: "
              f"http://{HOST}:{cluster.stats_port}/stats, logs: {cluster.run_dir}); Ctrl-C stops")
        while all(p.poll() is None for p in [cluster.haproxy, *(r.proc for r in cluster.replicas)]):
            time.sleep(1)
        print("a process exited; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
