"""Networks with k outputs (one readout row per output), trained by full-batch gradient descent.

Classification as regression (Arora et al. 2020, arXiv:1910.01663; Lee et al. 2020,
arXiv:2007.15801) needs one output per class. The hidden layers are those of an :class:`MLP`
(same parameterization, same draws); the readout is W ∈ R^{k × n_L}, b ∈ R^k, drawn and
scaled like the scalar readout. Loss ½ Σ_{i,c} (f_c(x_i) − y_ic)², step
θ ← θ − η·m·∂L/∂θ (m = ``net.lr_multiplier``). In the infinite-width limit the k outputs
evolve independently, each by kernel regression with the scalar network's NTK Θ, so one
:func:`ntk_core.infinite_ensemble` call with a (n, k) target is its limit.

For k = 1 this is :func:`ntk_core.train_gd` (tests check it step for step); the scalar trainer
stays the fast path for the pages' toy problems.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._mlp import MLP, Params, dense
from ._training import DivergenceGuard, check_schedule


def init_multi(net: MLP, d_in: int, n_out: int, seed: int | np.random.Generator = 0) -> Params:
    """Hidden layers as ``net.init`` draws them, then a readout with ``n_out`` rows."""
    if int(n_out) < 1:
        raise ValueError(f"n_out must be >= 1, got {n_out!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    params = net.init(d_in, rng)[:-1]
    fan_in = net.width
    w = rng.standard_normal((int(n_out), fan_in))
    b = rng.standard_normal(int(n_out))
    if net.parameterization == "standard":
        w *= net.sigma_w / math.sqrt(fan_in)
        b *= net.sigma_b
    return [*params, {"W": w, "b": b}]


def apply_multi(net: MLP, params: Params, x: np.ndarray) -> np.ndarray:
    """Outputs, shape (n, k)."""
    acts, _ = net.forward([*params[:-1], _scalar_readout(params)], x)
    c, s = net.multipliers(x.shape[1])[-1]
    return c * dense(acts[-1], params[-1]["W"]) + s * params[-1]["b"]


def _scalar_readout(params: Params) -> dict:
    """A stand-in scalar readout so that ``MLP.forward``'s layer count check passes."""
    return {"W": params[-1]["W"][:1], "b": params[-1]["b"][:1]}


@dataclass
class MultiTrainResult:
    """``losses`` (steps + 1,), NaN after a divergence; predictions (records, n, k) at
    ``record_steps``; ``params`` at the end."""

    losses: np.ndarray
    params: Params
    record_steps: np.ndarray
    train_preds: np.ndarray
    test_preds: np.ndarray | None
    diverged: bool
    diverged_at: int | None
    message: str


def train_multi(
    net: MLP, params: Params, x: np.ndarray, y: np.ndarray, *, lr: float, steps: int,
    x_test: np.ndarray | None = None, record_steps=None, divergence_factor: float = 1e6,
) -> MultiTrainResult:
    """Full-batch GD on ½‖F − Y‖² for ``y`` of shape (n, k); ``params`` is not modified."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[1] != params[-1]["W"].shape[0]:
        raise ValueError(f"y must have shape (n, {params[-1]['W'].shape[0]}), got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity")
    steps = check_schedule(lr, steps)
    p = [{"W": q["W"].copy(), "b": q["b"].copy()} for q in params]
    x = net.check_inputs([*p[:-1], _scalar_readout(p)], x)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x has {x.shape[0]} points but y has {y.shape[0]} rows")
    rec = np.unique(np.asarray([0, steps] if record_steps is None else record_steps, int))
    if rec.size and (rec.min() < 0 or rec.max() > steps):
        raise ValueError(f"record_steps must lie in [0, {steps}]")
    where = {int(s): i for i, s in enumerate(rec)}
    mult = net.multipliers(x.shape[1])
    eta = float(lr) * net.lr_multiplier
    losses = np.full(steps + 1, np.nan)
    train_preds = np.full((rec.size, *y.shape), np.nan)
    test_preds = None if x_test is None else np.full((rec.size, len(x_test), y.shape[1]), np.nan)
    guard, diverged_at = DivergenceGuard(divergence_factor), None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            acts, dphis = net.forward([*p[:-1], _scalar_readout(p)], x)
            c, s = mult[-1]
            f = c * dense(acts[-1], p[-1]["W"]) + s * p[-1]["b"]
            r = f - y
            loss = 0.5 * float(np.sum(r * r))
            if guard.diverged(loss):
                diverged_at = t
                break
            losses[t] = loss
            if t in where:
                train_preds[where[t]] = f
                if x_test is not None:
                    test_preds[where[t]] = apply_multi(net, p, x_test)
            if t == steps:
                break
            # backward: g = dL/dz per layer (n, n_l), readout first, weights before the update
            g = r
            for layer in range(len(p) - 1, -1, -1):
                c, s = mult[layer]
                grad_w = c * (g.T @ acts[layer])
                grad_b = s * g.sum(axis=0)
                if layer:
                    g = (c * (g @ p[layer]["W"])) * dphis[layer - 1]
                p[layer]["W"] -= eta * grad_w
                p[layer]["b"] -= eta * grad_b
    return MultiTrainResult(losses, p, rec, train_preds, test_preds, diverged_at is not None,
                            diverged_at, guard.message("Training", diverged_at, lr, "the NTK"))
