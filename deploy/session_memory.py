"""Measure what a browser session costs one Streamlit server in memory (sizes deploy/k8s/).

    .venv/bin/python deploy/session_memory.py [--sessions 10] [--out artifacts/session_memory.json]

Starts one replica (deploy/replicas.py) on a free loopback port and reads its VmRSS from
/proc/<pid>/status: idle after start-up, after one Chromium session has drawn the charts of a
page (modules imported, caches primed: the base cost of a serving replica), and after
``--sessions`` more sessions spread over the pages with width sliders are connected and have
drawn their charts. The per-session increment is (RSS with all sessions - RSS with one) /
(sessions - 1). Everything runs on 127.0.0.1 and is stopped by PID.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy.replicas import Cluster, start_replica, wait_all_healthy

PAGES = ("/Width_stability", "/Training_dynamics", "/Lazy_vs_rich", "/Infinite_width")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
# the script run has ended and every chart on the page is drawn by plotly.js
CHARTS_DRAWN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  return plots.length > 0 && plots.every(gd => gd._fullData && gd._fullData.length > 0);
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settle_rss(replica, seconds: float = 2.0) -> int:
    """VmRSS after ``seconds`` of quiet (reruns finish, garbage is collected)."""
    time.sleep(seconds)
    return replica.rss_bytes() or 0


def measure(sessions: int) -> dict:
    from playwright.sync_api import sync_playwright

    cluster = Cluster(Path(tempfile.mkdtemp(prefix="ntk-session-rss-")))
    try:
        replica = start_replica("r1", free_port(), cluster.run_dir)
        cluster.replicas.append(replica)
        wait_all_healthy(cluster)
        idle = settle_rss(replica)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                pages = []
                for i in range(sessions + 1):
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = ctx.new_page()
                    page.goto(replica.url + PAGES[i % len(PAGES)], wait_until="commit")
                    pages.append(page)
                    if i == 0:  # the first session alone: imports and caches
                        page.wait_for_function(CHARTS_DRAWN_JS, timeout=120_000)
                        one = settle_rss(replica)
                for page in pages:
                    page.wait_for_function(CHARTS_DRAWN_JS, timeout=180_000)
                full = settle_rss(replica)
                peak = int(
                    next(
                        ln.split()[1]
                        for ln in Path(f"/proc/{replica.proc.pid}/status").read_text().splitlines()
                        if ln.startswith("VmHWM:")
                    )
                ) * 1024
            finally:
                browser.close()
        mib = 2**20
        return {
            "sessions_after_first": sessions,
            "idle_rss_mib": round(idle / mib, 1),
            "one_session_rss_mib": round(one / mib, 1),
            "all_sessions_rss_mib": round(full / mib, 1),
            "peak_rss_mib": round(peak / mib, 1),
            "per_session_mib": round((full - one) / sessions / mib, 1),
            "cpus": os.cpu_count(),
        }
    finally:
        cluster.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10, help="sessions after the first (1-30)")
    ap.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = ap.parse_args()
    if not 1 <= args.sessions <= 30:
        ap.error("--sessions must be between 1 and 30")
    result = measure(args.sessions)
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
