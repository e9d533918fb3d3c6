"""Full-batch gradient descent on the readout layer only (the hidden layers stay at init).

With the hidden features a = a^L(x) fixed, f(x) = c a(x)·v + s b is linear in the readout
(v, b), and a step on L = 1/2 sum_i (f(x_i) - y_i)^2 with r = f(X) - Y is

    v <- v - eta m c A^T r,      b <- b - eta m s sum_i r_i        (m = ``net.lr_multiplier``)

so in function space f <- f - eta m K_hat (f - Y) with K_hat(x, x') = c^2 a(x)·a(x') + s^2: the
readout's own kernel, which in the NTK parameterization (c = sigma_w / sqrt(width), s = sigma_b)
tends to the NNGP kernel as the width grows. An ensemble of such nets therefore tends to NNGP
gradient flow, whose t -> infinity limit is the NNGP posterior (Lee et al. 2018,
arXiv:1711.00165; Lee et al. 2019, arXiv:1902.06720, section 2.3).
"""

from __future__ import annotations

import numpy as np

from ._mlp import MLP, Params
from ._training import DivergenceGuard, TrainResult, _check_train_args, _record_set


def train_readout_gd(
    net: MLP,
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    steps: int,
    x_test: np.ndarray | None = None,
    record_steps=None,
    divergence_factor: float = 1e6,
) -> TrainResult:
    """Gradient descent on the readout weights and bias of ``net`` (see the module docstring).

    Same arguments, divergence rule and result as :func:`ntk_core.train_gd` (without the
    output scale and the recorded kernels). ``params`` is not modified; the returned readout is
    the one after the last step (left at init if training diverged).
    """
    x, y, steps = _check_train_args(net, params, x, y, lr, steps, None)
    if x_test is not None:
        x_test = net.check_inputs(params, x_test)
    rec = _record_set(record_steps, steps)
    rec_index = {int(s): i for i, s in enumerate(rec)}
    p = [{"W": q["W"].copy(), "b": q["b"].copy()} for q in params]
    c, s = net.multipliers(x.shape[1])[-1]
    feats = net.forward(p, x)[0][-1] * c  # c a^L(X): f = feats @ v + s b
    v, b = p[-1]["W"][0], p[-1]["b"]
    eta = float(lr) * net.lr_multiplier
    # The readout step in function space, f <- f - eta K_hat r, costs O(n^2) instead of
    # O(n width); the parameters follow from the summed residuals at the end.
    k_hat = feats @ feats.T + s * s
    f = feats @ v + s * b[0]
    if x_test is not None:
        feats_test = net.forward(p, x_test)[0][-1] * c
        k_test = feats_test @ feats.T + s * s
        f_test0 = feats_test @ v + s * b[0]
    r_sum = np.zeros_like(f)

    losses = np.full(steps + 1, np.nan)
    train_preds = np.full((rec.size, x.shape[0]), np.nan)
    test_preds = None if x_test is None else np.full((rec.size, x_test.shape[0]), np.nan)
    guard = DivergenceGuard(divergence_factor)
    diverged_at = None
    t = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            r = f - y
            loss = 0.5 * float(r @ r)
            if guard.diverged(loss):
                diverged_at = t
                break
            losses[t] = loss
            if t in rec_index:
                train_preds[rec_index[t]] = f
                if x_test is not None:
                    test_preds[rec_index[t]] = f_test0 - eta * (k_test @ r_sum)
            if t == steps:
                break
            f = f - eta * (k_hat @ r)
            r_sum += r
    if diverged_at is None:
        v -= eta * (r_sum @ feats)
        b -= eta * s * r_sum.sum()
    return TrainResult.ended(losses, p, rec, train_preds, test_preds, None, lr, None,
                             last_step=t, diverged_at=diverged_at,
                             message=guard.message("Readout training", diverged_at, lr,
                                                   "the readout kernel"))
