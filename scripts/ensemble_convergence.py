"""Measure how finite ensembles approach the infinite ensemble as width grows.

    .venv/bin/python scripts/ensemble_convergence.py [--members 30] [--widths 64 ... 4096]

For each set-up (data, activation, depth, all layers or readout only) it runs
:func:`ntk_core.ensembles.ensemble_convergence` and prints every error series per width with
its fitted log-log slope (± standard error). Step lr = 0.5 / lambda_max of the training kernel,
t = lr · steps = ``lam_t`` / lambda_min; the reference is infinite-width GD with the same step.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ntk_core import MLP, circle_points, infinite_model_for
from ntk_core.ensembles import SERIES, ensemble_convergence


def _circle():
    x = circle_points(np.array([0.0, 0.5, 1.0, 1.5]) * np.pi)
    return x, np.array([1.0, -0.5, 0.3, 0.8]), circle_points(
        np.linspace(0, 2 * np.pi, 10, endpoint=False) + 0.2)


def _line():
    x = np.linspace(-2.0, 2.0, 6)[:, None]
    return x, np.sin(1.5 * x[:, 0]), np.linspace(-3.0, 3.0, 25)[:, None]


SETUPS = {
    "circle-relu": (_circle, 1, "relu", False, 2.0),
    "circle-relu-readout": (_circle, 1, "relu", True, 2.0),
    "circle-erf": (_circle, 1, "erf", False, 2.0),
    "circle-relu-depth2": (_circle, 2, "relu", False, 2.0),
    "line-relu": (_line, 1, "relu", False, 1.0),
    "line-relu-readout": (_line, 1, "relu", True, 1.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--widths", type=int, nargs="+", default=[64, 128, 256, 512, 1024,
                                                                   2048, 4096])
    parser.add_argument("--setups", nargs="+", default=list(SETUPS), choices=list(SETUPS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for name in args.setups:
        data, depth, act, readout, lam_t = SETUPS[name]
        x, y, xt = data()
        net = MLP(depth, 64, act, None, 0.5)
        kernel = "nngp" if readout else "ntk"
        lam = infinite_model_for(net, x, y, xt, kernel=kernel).eigenvalues
        lr = 0.5 / lam[0]
        steps = max(1, round(lam_t / lam[-1] / lr))
        start = time.perf_counter()
        res = ensemble_convergence(x, y, xt, net, args.widths, n_members=args.members, lr=lr,
                                   steps=steps, seed=args.seed, readout_only=readout)
        print(f"\n{name}: depth {depth}, {act}, sigma_w {net.sigma_w:.3g}, sigma_b 0.5, "
              f"{kernel}, N = {args.members}, lr = {lr:.3g}, steps = {steps}, "
              f"lambda_min t = {lam_t}, cond = {lam[0] / lam[-1]:.1f}, "
              f"{time.perf_counter() - start:.0f} s, diverged {res.n_diverged.sum()}")
        print("width  " + "  ".join(f"{k:>18s}" for k in SERIES))
        for i, w in enumerate(res.widths):
            print(f"{w:5d}  " + "  ".join(f"{getattr(res, k)[i]:18.4g}" for k in SERIES))
        print("slope  " + "  ".join(f"{res.slopes[k][0]:>+11.2f} ± {res.slopes[k][1]:4.2f}"
                                    for k in SERIES))


if __name__ == "__main__":
    main()
