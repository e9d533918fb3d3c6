"""Benchmarks of the NumPy engine, each a ratio against a baseline timed in the same run.

Run ``python -m ntk_core.bench`` (a table), ``--json`` (machine-readable), ``--quick`` (smaller
sizes, a smoke test of a few seconds). Absolute times on a shared 2-core machine vary by 2x from
one minute to the next, so every figure is a ratio to a plain NumPy baseline of the same shape,
timed in the same run: the baseline and the engine call alternate, ``repeats`` times each, and
the ratio is median(engine) / median(baseline) (``time.perf_counter``).

Cases (targets set with issue #5):

``empirical_gram``
    Empirical NTK, depth 1, n = 200, d = 10, width 10^5, against one Gram ``A @ A.T`` of a fresh
    random (200, 10^5) array (BLAS syrk). Target <= 1.5x. The Gram formula needs two such
    products (A A^T and G G^T), so 2x is a floor for any exact float64 method.
``empirical_vs_jacobian``
    The same NTK at width 10^4 against the original article's route: the explicit Jacobian
    J (n x m(1+d)) built with broadcasting, then Theta = J J^T. Target: >= 4x faster.
``empirical_memory``
    Width 10^6, n = 100, d = 1, depth 1, in a fresh subprocess: peak traced allocations
    (tracemalloc) and growth of the peak resident set (getrusage) during the call, above the
    memory held before it (inputs and parameters included there). Target <= 300 MB.
``analytic``
    Analytic NTK, n = 2000, depth 5, against five ``np.arctan2`` passes over an n x n array
    (the recursion needs one arctan2 per layer). Target <= 4x.
``train_step_*``
    ``train_gd`` per step against the least a NumPy step on the same net must do (forward,
    loss, backward, update, written out below for depth 1 and 2). Target <= 1.5x.

Each case also prints the :mod:`ntk_core.cost` estimate beside the measured time
(``est/meas``; the guard's estimates should fall within about 0.5x-5x of reality).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import platform
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import cost
from ._analytic import analytic_ntk
from ._empirical import empirical_ntk
from ._mlp import MLP
from ._training import train_gd

_BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


# --------------------------------------------------------------------------- the machine
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas_info() -> dict:
    """BLAS library, its runtime kernel (core type) and thread count."""
    try:
        import threadpoolctl  # optional

        pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            p = pools[0]
            return {
                "source": "threadpoolctl",
                "library": p.get("internal_api"),
                "version": p.get("version"),
                "core": p.get("architecture"),
                "threads": p.get("num_threads"),
            }
    except ImportError:
        pass
    info: dict = {"source": "numpy.show_config"}
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["library"] = blas.get("name")
        info["version"] = blas.get("version")
    except Exception:  # best effort description
        pass
    # scipy-openblas exports its core name and thread count: ask the loaded library directly
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = sorted({ln.split()[-1] for ln in fh if "openblas" in ln.lower()})
        if paths:
            lib = ctypes.CDLL(paths[0])
            for prefix in ("scipy_openblas_", "openblas_"):
                for suffix in ("64_", ""):
                    core = getattr(lib, f"{prefix}get_corename{suffix}", None)
                    threads = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                    if core is not None and threads is not None:
                        core.restype = ctypes.c_char_p
                        threads.restype = ctypes.c_int
                        info["core"] = core().decode()
                        info["threads"] = int(threads())
                        info["source"] = "numpy.show_config, OpenBLAS itself"
                        break
                if "core" in info:
                    break
    except (OSError, AttributeError):
        pass
    return info


def machine_info() -> dict:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,) * 3
    return {
        "nproc": cores,
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": _blas_info(),
        "env": {k: os.environ.get(k) for k in _BLAS_ENV},
        "loadavg_1min": round(load[0], 2),
    }


# --------------------------------------------------------------------------- timing
def _compare(
    engine: Callable[[], object], baseline: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Median seconds of ``engine`` and ``baseline``, alternated ``repeats`` times after one
    warm-up call each (alternation spreads a passing load spike over both)."""
    engine()
    baseline()
    te, tb = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        baseline()
        tb.append(time.perf_counter() - t)
        t = time.perf_counter()
        engine()
        te.append(time.perf_counter() - t)
    return float(np.median(te)), float(np.median(tb))


def _case(name, what, engine_s, baseline, baseline_s, target, estimate, repeats, **extra) -> dict:
    ratio = engine_s / baseline_s
    return {
        "name": name,
        "what": what,
        "seconds": engine_s,
        "baseline": baseline,
        "baseline_seconds": baseline_s,
        "ratio": ratio,
        "target": target,
        "target_met": bool(ratio <= target),
        "estimate_seconds": estimate,
        "estimate_ratio": estimate / engine_s if engine_s > 0 else math.nan,
        "repeats": repeats,
        **extra,
    }


# --------------------------------------------------------------------------- baselines
def article_jacobian_ntk(x: np.ndarray, w: np.ndarray, v: np.ndarray, sigma_w: float):
    """The original article's route for one hidden ReLU layer without biases,
    f(x) = c_2 sum_j v_j relu(c_1 w_j . x), c_1 = sigma_w/sqrt(d), c_2 = sigma_w/sqrt(m):
    build J = [df/dW (n, m·d) | df/dv (n, m)] explicitly, then Theta = J J^T."""
    n, d = x.shape
    m = w.shape[0]
    c1, c2 = sigma_w / math.sqrt(d), sigma_w / math.sqrt(m)
    z = c1 * (x @ w.T)  # (n, m)
    dw = (c2 * c1) * ((z > 0) * v)[:, :, None] * x[:, None, :]  # (n, m, d)
    dv = c2 * np.maximum(z, 0.0)
    jac = np.concatenate([dw.reshape(n, m * d), dv], axis=1)  # (n, m(1+d))
    return jac @ jac.T


def plain_steps_depth1(net: MLP, params, x, y, lr: float, steps: int) -> np.ndarray:
    """The least NumPy GD on a depth-1 net must do per step: forward, loss, backward, update."""
    (c1, s1), (c2, s2) = net.multipliers(x.shape[1])
    w1, b1 = params[0]["W"].copy(), params[0]["b"].copy()
    w2, b2 = params[1]["W"][0].copy(), params[1]["b"].copy()
    losses = np.empty(steps + 1)
    for t in range(steps + 1):
        z = c1 * (x @ w1.T) + s1 * b1
        a = np.maximum(z, 0.0)
        r = c2 * (a @ w2) + s2 * b2[0] - y
        losses[t] = 0.5 * (r @ r)
        if t == steps:
            break
        gz = (r[:, None] * (c2 * w2)) * (z > 0)
        w2 -= lr * c2 * (r @ a)
        b2 -= lr * s2 * r.sum()
        w1 -= lr * c1 * (gz.T @ x)
        b1 -= lr * s1 * gz.sum(axis=0)
    return losses


def plain_steps_depth2(net: MLP, params, x, y, lr: float, steps: int) -> np.ndarray:
    """As :func:`plain_steps_depth1` for two hidden layers."""
    (c1, s1), (c2, s2), (c3, s3) = net.multipliers(x.shape[1])
    w1, b1 = params[0]["W"].copy(), params[0]["b"].copy()
    w2, b2 = params[1]["W"].copy(), params[1]["b"].copy()
    w3, b3 = params[2]["W"][0].copy(), params[2]["b"].copy()
    losses = np.empty(steps + 1)
    for t in range(steps + 1):
        z1 = c1 * (x @ w1.T) + s1 * b1
        a1 = np.maximum(z1, 0.0)
        z2 = c2 * (a1 @ w2.T) + s2 * b2
        a2 = np.maximum(z2, 0.0)
        r = c3 * (a2 @ w3) + s3 * b3[0] - y
        losses[t] = 0.5 * (r @ r)
        if t == steps:
            break
        g2 = (r[:, None] * (c3 * w3)) * (z2 > 0)
        g1 = (c2 * (g2 @ w2)) * (z1 > 0)
        w3 -= lr * c3 * (r @ a2)
        b3 -= lr * s3 * r.sum()
        w2 -= lr * c2 * (g2.T @ a1)
        b2 -= lr * s2 * g2.sum(axis=0)
        w1 -= lr * c1 * (g1.T @ x)
        b1 -= lr * s1 * g1.sum(axis=0)
    return losses


# --------------------------------------------------------------------------- cases
def bench_empirical_gram(n: int, d: int, width: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    net = MLP(1, width)
    params = net.init(d, seed=1)
    x = rng.standard_normal((n, d))
    a = rng.standard_normal((n, width))
    b = rng.standard_normal((n, width))
    te, tb = _compare(lambda: empirical_ntk(net, params, x), lambda: a @ a.T, repeats)
    # the formula's floor: its two Gram products (A A^T and G G^T), nothing else
    t2, tb2 = _compare(lambda: (a @ a.T, b @ b.T), lambda: a @ a.T, repeats)
    est = cost.empirical_ntk_cost(n, None, d, width, 1).seconds
    return _case(
        "empirical_gram",
        f"empirical NTK depth 1, n={n}, d={d}, width={width:.0e}",
        te,
        f"A @ A.T, A {n}x{width:.0e}",
        tb,
        1.5,
        est,
        repeats,
        two_grams_ratio=t2 / tb2,
    )


def bench_empirical_vs_jacobian(n: int, d: int, width: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    net = MLP(1, width)
    params = net.init(d, seed=1)
    x = rng.standard_normal((n, d))
    w, v = params[0]["W"], params[1]["W"][0]
    ours, ref = empirical_ntk(net, params, x), article_jacobian_ntk(x, w, v, net.sigma_w)
    err = float(np.abs(ours - ref).max() / np.abs(ref).max())
    te, tb = _compare(
        lambda: empirical_ntk(net, params, x),
        lambda: article_jacobian_ntk(x, w, v, net.sigma_w),
        repeats,
    )
    est = cost.empirical_ntk_cost(n, None, d, width, 1).seconds
    return _case(
        "empirical_vs_jacobian",
        f"empirical NTK depth 1, n={n}, d={d}, width={width:.0e}",
        te,
        "article: J (n x m(1+d)), J @ J.T",
        tb,
        0.25,
        est,
        repeats,
        speedup=tb / te,
        max_rel_diff=err,
    )


_MEMORY_CHILD = """
import json, resource, sys, time, tracemalloc
import numpy as np
from ntk_core import MLP, empirical_ntk
n, d, width = {n}, {d}, {width}
net = MLP(1, width)
params = net.init(d, seed=1)
x = np.random.default_rng(0).standard_normal((n, d))
empirical_ntk(net, params, x[:2])  # warm up code paths at negligible size
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t = time.perf_counter()
theta = empirical_ntk(net, params, x)
seconds = time.perf_counter() - t
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"traced_peak_mb": peak / 2**20, "rss_growth_mb": (rss1 - rss0) / 1024,
                  "rss_before_mb": rss0 / 1024, "seconds": seconds,
                  "params_mb": sum(p["W"].nbytes + p["b"].nbytes for p in params) / 2**20}}))
"""


def bench_empirical_memory(n: int, d: int, width: int) -> dict:
    code = textwrap.dedent(_MEMORY_CHILD.format(n=n, d=d, width=width))
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    peak = max(res["traced_peak_mb"], res["rss_growth_mb"])
    c = cost.empirical_ntk_cost(n, None, d, width, 1)
    return {
        "name": "empirical_memory",
        "what": f"empirical NTK depth 1, n={n}, d={d}, width={width:.0e} (subprocess)",
        "peak_mb": peak,
        "target_mb": 300.0,
        "target_met": bool(peak <= 300.0),
        "seconds": res["seconds"],
        "estimate_seconds": c.seconds,
        "estimate_ratio": c.seconds / res["seconds"] if res["seconds"] > 0 else math.nan,
        "estimate_mb": c.bytes / 2**20,
        **res,
    }


def bench_analytic(n: int, depth: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 10))
    u, w = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    out = np.empty((n, n))

    def five_arctan2():
        for _ in range(5):
            np.arctan2(u, w, out=out)

    te, tb = _compare(
        lambda: analytic_ntk(x, depth=depth, weight_std=math.sqrt(2.0), bias_std=0.1),
        five_arctan2,
        repeats,
    )
    est = cost.analytic_cost(n, None, depth).seconds
    return _case(
        "analytic",
        f"analytic NTK ReLU, n={n}, depth={depth}",
        te,
        f"5 x np.arctan2 over {n}x{n}",
        tb,
        4.0,
        est,
        repeats,
    )


def bench_train(depth: int, n: int, width: int, steps: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    net = MLP(depth, width, bias_std=1.0)
    params = net.init(1, seed=1)
    x = np.linspace(-2.0, 2.0, n)[:, None]
    y = np.sin(2.0 * x[:, 0]) + 0.1 * rng.standard_normal(n)
    # half the stability limit 2/lambda_max, so that no run diverges (and stops early)
    lr = 1.0 / float(np.linalg.eigvalsh(empirical_ntk(net, params, x))[-1])
    plain = {1: plain_steps_depth1, 2: plain_steps_depth2}[depth]
    res = train_gd(net, params, x, y, lr=lr, steps=steps)
    if res.diverged:
        raise RuntimeError(f"benchmark run diverged: {res.message}")
    ours = res.losses
    ref = plain(net, params, x, y, lr, steps)
    err = float(np.abs(ours - ref).max() / np.abs(ref).max())
    te, tb = _compare(
        lambda: train_gd(net, params, x, y, lr=lr, steps=steps),
        lambda: plain(net, params, x, y, lr, steps),
        repeats,
    )
    est = cost.train_cost(n, 1, width, depth, steps).seconds
    return _case(
        f"train_step_d{depth}_n{n}_w{width}",
        f"train_gd per step, depth {depth}, n={n}, width={width:.0e}, {steps} steps",
        te / steps,
        "plain NumPy GD step",
        tb / steps,
        1.5,
        est / steps,
        repeats,
        max_rel_diff=err,
    )


def run(quick: bool = False) -> dict:
    cases = []
    if quick:
        cases.append(bench_empirical_gram(100, 10, 20_000, 3))
        cases.append(bench_empirical_vs_jacobian(100, 10, 2_000, 3))
        cases.append(bench_empirical_memory(50, 1, 100_000))
        cases.append(bench_analytic(400, 5, 3))
        cases.append(bench_train(1, 15, 1000, 50, 3))
        cases.append(bench_train(2, 15, 200, 50, 3))
    else:
        cases.append(bench_empirical_gram(200, 10, 100_000, 7))
        cases.append(bench_empirical_vs_jacobian(200, 10, 10_000, 5))
        cases.append(bench_empirical_memory(100, 1, 1_000_000))
        cases.append(bench_analytic(2000, 5, 5))
        cases.append(bench_train(1, 15, 1000, 300, 5))
        cases.append(bench_train(1, 100, 10_000, 30, 5))
        cases.append(bench_train(1, 15, 100_000, 20, 5))
        cases.append(bench_train(2, 15, 1000, 100, 5))
        cases.append(bench_train(2, 100, 1000, 30, 5))
    return {"quick": quick, "machine": machine_info(), "cases": cases}


# --------------------------------------------------------------------------- output
def _fmt_s(s: float) -> str:
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def format_table(result: dict) -> str:
    m = result["machine"]
    blas = m["blas"]
    env = ", ".join(f"{k}={v}" for k, v in m["env"].items() if v is not None) or "none set"
    lines = [
        f"machine: {m['nproc']} cores, {m['cpu']}; Python {m['python']}, NumPy {m['numpy']}",
        f"BLAS: {blas.get('library')} {blas.get('version')}, kernel {blas.get('core')}, "
        f"{blas.get('threads')} threads ({blas.get('source')}); 1-min load {m['loadavg_1min']}",
        f"BLAS environment: {env}",
    ]
    if (blas.get("threads") or 1) > 1 or (m["loadavg_1min"] or 0) > m["nproc"]:
        lines.append(
            "note: multi-threaded BLAS on a loaded machine swings by 2-20x; the app runs with "
            "OPENBLAS_NUM_THREADS=1 (scripts/app.sh): set it for figures that match the app"
        )
    lines += [
        "",
        f"{'case':<28}{'engine':>10}{'baseline':>10}{'ratio':>8}{'target':>8}  ok "
        f"{'estimate':>10}{'est/meas':>9}  baseline",
    ]
    for c in result["cases"]:
        if "ratio" in c:
            lines.append(
                f"{c['name']:<28}{_fmt_s(c['seconds']):>10}{_fmt_s(c['baseline_seconds']):>10}"
                f"{c['ratio']:>7.2f}x{'<=' + format(c['target'], 'g') + 'x':>8}  "
                f"{'yes' if c['target_met'] else 'NO ':<3}{_fmt_s(c['estimate_seconds']):>10}"
                f"{c['estimate_ratio']:>8.2f}x  {c['baseline']}"
            )
        else:
            lines.append(
                f"{c['name']:<28}{_fmt_s(c['seconds']):>10}{'':>10}"
                f"{c['peak_mb']:>5.0f} MB{'<=' + format(c['target_mb'], 'g'):>8}  "
                f"{'yes' if c['target_met'] else 'NO ':<3}{_fmt_s(c['estimate_seconds']):>10}"
                f"{c['estimate_ratio']:>8.2f}x  peak above the memory before the call "
                f"(estimate {c['estimate_mb']:.0f} MB)"
            )
    for c in result["cases"]:
        if "two_grams_ratio" in c:
            lines.append(
                f"{c['name']}: the formula's two Gram products alone (A A^T and G G^T, no other "
                f"work) take {c['two_grams_ratio']:.2f}x the baseline: the floor of an exact method"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ntk_core.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    print(json.dumps(result, indent=1) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
