"""Real-data experiments: accuracy, the kernel predictors against a direct solve, finite nets
against their infinite-width twins."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ntk_core as nc
from ntk_core import realdata as rd


def _data(n=40, m=30, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d)) * 2
    lab_tr, lab_te = rng.integers(0, k, n), rng.integers(0, k, m)
    x_tr = centres[lab_tr] + rng.normal(size=(n, d))
    x_te = centres[lab_te] + rng.normal(size=(m, d))
    x_tr /= np.linalg.norm(x_tr, axis=1, keepdims=True)
    x_te /= np.linalg.norm(x_te, axis=1, keepdims=True)
    y = np.eye(k)[lab_tr] - 1.0 / k
    return x_tr, y, x_te, lab_te


def test_accuracy_and_mse():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [np.nan, 1.0]])
    assert rd.accuracy(scores, np.array([1, 0, 1])) == pytest.approx(2 / 3)
    assert math.isnan(rd.accuracy(np.zeros((0, 2)), np.array([], int)))
    assert rd.mse(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]])) == 1.0


def test_kernel_paths_at_infinity_are_kernel_regression_solved_directly():
    x_tr, y, x_te, lab = _data()
    net = nc.MLP(2, 1, "relu", bias_std=0.3)
    kp = rd.kernel_paths(x_tr, y, x_te, lab, net, ts=[0.0, math.inf], diag_reg=1e-3)
    ker = nc.analytic_kernels(np.concatenate([x_tr, x_te]), depth=2, weight_std=net.sigma_w,
                              bias_std=0.3)
    n = len(x_tr)
    for kernel, g in (("ntk", ker.ntk), ("nngp", ker.nngp)):
        direct = g[n:, :n] @ np.linalg.solve(g[:n, :n] + 1e-3 * np.eye(n), y)
        np.testing.assert_allclose(kp.means[kernel][-1], direct, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(kp.means[kernel][0], 0.0, atol=1e-12)  # the prior's mean
        assert kp.accuracy[kernel][-1] > 0.8


def test_finite_nets_approach_their_infinite_width_twins_as_width_grows():
    x_tr, y, x_te, lab = _data()
    net = nc.MLP(1, 1, "relu", bias_std=0.5)
    lr = rd.stable_lr(x_tr, net)
    agree = rd.agreement_vs_width(x_tr, y, x_te, lab, net, [64, 4096], lr=lr, steps=100,
                                  n_seeds=2)
    mean = agree.agreement.mean(axis=1)
    # the gap to the twin is O(1/√width): 64× the width, ≈ 8× closer; ask for 3×
    assert mean[1] < mean[0] / 3
    assert np.all(agree.accuracy[1] >= agree.twin_accuracy[1] - 0.1)


def test_finite_run_records_and_twin_at_init_is_the_net():
    x_tr, y, x_te, lab = _data(n=20, m=10)
    net = nc.MLP(1, 300, "erf", bias_std=0.5)
    run = rd.finite_nets(x_tr, y, x_te, lab, net, lr=0.05, steps=20, n_seeds=2, n_records=4)
    assert run.steps[0] == 0 and run.steps[-1] == 20
    np.testing.assert_allclose(run.preds[:, 0], run.twins[:, 0], atol=1e-12)  # t = 0
    assert run.preds.shape == (2, run.steps.size, 10, 3) and not run.diverged.any()


def test_regularisation_vs_time():
    x_tr, y, x_te, lab = _data()
    out = rd.regularisation_vs_time(x_tr, y, x_te, lab, nc.MLP(1, 1, bias_std=0.5),
                                    diag_regs=[1e-4, 1.0, 1e3], ts=[0.1, 10.0, 1e4])
    assert out["accuracy_reg"].shape == (3,) and out["accuracy_t"].shape == (3,)
    assert np.all((out["accuracy_reg"] >= 0) & (out["accuracy_reg"] <= 1))
