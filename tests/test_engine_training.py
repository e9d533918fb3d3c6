"""Gradient descent and the linearized (NTK) dynamics."""

import numpy as np
import pytest
from scipy.linalg import expm

import ntk_core as nc
from ntk_core import experiments as ex
from ntk_core.testing import explicit_jacobian, flatten, unflatten

X = nc.make_inputs("grid", 15)
Y = nc.target_function("sin", X)
X_TEST = np.linspace(-2.5, 2.5, 41)[:, None]
NET = nc.MLP(1, 1, bias_std=1.0)  # depth 1, ReLU, sigma_w = sqrt 2, sigma_b = 1 (width swept)


def loss_of(net, theta, like, x, y, alpha=None, f0=None):
    f = net.apply(unflatten(theta, like), x)
    h = f if alpha is None else alpha * (f - f0)
    a = 1.0 if alpha is None else alpha
    return 0.5 * np.sum((h - y) ** 2) / a**2


@pytest.mark.parametrize(
    ("depth", "act", "par", "alpha"),
    [(1, "relu", "ntk", None), (2, "erf", "standard", None), (3, "relu", "ntk", 0.3),
     (2, "relu", "mean_field", None), (1, "erf", "ntk", 5.0)],
)
def test_one_step_equals_finite_difference_gradient(depth, act, par, alpha):
    """One GD step moves theta by -lr * m * dL/dtheta; dL/dtheta by central differences
    (eps = 1e-6: truncation ~1e-12, rounding ~1e-10 relative)."""
    net = nc.MLP(depth, 5, act, bias_std=0.5, parameterization=par)
    params = net.init(1, seed=2)
    theta0 = flatten(params)
    f0 = net.apply(params, X)
    lr = 1e-3
    res = nc.train_gd(net, params, X, Y, lr=lr, steps=1, alpha=alpha)
    step = (theta0 - flatten(res.params)) / (lr * net.lr_multiplier)
    eps = 1e-6
    fd = np.empty_like(theta0)
    for k in range(theta0.size):
        tp, tm = theta0.copy(), theta0.copy()
        tp[k] += eps
        tm[k] -= eps
        fd[k] = (loss_of(net, tp, params, X, Y, alpha, f0) - loss_of(net, tm, params, X, Y,
                                                                      alpha, f0)) / (2 * eps)
    np.testing.assert_allclose(step, fd, rtol=1e-6, atol=1e-8 * np.abs(fd).max())
    np.testing.assert_array_equal(flatten(params), theta0)  # input params untouched


def test_losses_shape_and_first_value():
    net = nc.MLP(1, 20, bias_std=1.0)
    params = net.init(1, 0)
    res = nc.train_gd(net, params, X, Y, lr=0.01, steps=50, record_steps=[0, 10, 50])
    assert res.losses.shape == (51,)
    assert res.losses[0] == pytest.approx(0.5 * np.sum((net.apply(params, X) - Y) ** 2))
    assert res.train_preds.shape == (3, 15) and not res.diverged
    np.testing.assert_allclose(res.train_preds[-1], net.apply(res.params, X))


def test_divergence_is_detected_and_reported():
    net = nc.MLP(1, 256, bias_std=1.0)
    params = net.init(1, 0)
    bound = nc.stable_lr_bound(nc.empirical_ntk(net, params, X))
    res = nc.train_gd(net, params, X, Y, lr=3 * bound, steps=400)
    assert res.diverged and 0 < res.diverged_at < 400
    assert "diverged" in res.message
    assert np.all(np.isfinite(res.losses[: res.diverged_at]))
    assert np.isnan(res.losses[res.diverged_at :]).all()
    ok = nc.train_gd(net, params, X, Y, lr=0.5 * bound, steps=400)
    assert not ok.diverged and ok.losses[-1] < ok.losses[0]


def test_linearized_discrete_formula_matches_explicit_iteration():
    """r_{t+1} = (I - eta Theta) r_t iterated by hand, and test predictions by running GD on
    the explicitly linearized model f0 + J (theta - theta0)."""
    net = nc.MLP(2, 30, bias_std=0.5)
    params = net.init(1, 1)
    j = explicit_jacobian(net, params, X)
    jt = explicit_jacobian(net, params, X_TEST)
    theta = j @ j.T
    f0, f0t = net.apply(params, X), net.apply(params, X_TEST)
    lr, steps = 0.8 * nc.stable_lr_bound(theta), [0, 1, 7, 60]
    lin = nc.linearized_dynamics(theta, f0, Y, lr=lr, steps=steps, theta_test=jt @ j.T,
                                 f0_test=f0t)
    w = np.zeros(j.shape[1])
    for t in range(61):
        if t in steps:
            k = steps.index(t)
            np.testing.assert_allclose(lin.train[k], f0 + j @ w, rtol=1e-8, atol=1e-10)
            np.testing.assert_allclose(lin.test[k], f0t + jt @ w, rtol=1e-8, atol=1e-10)
        w -= lr * j.T @ (f0 + j @ w - Y)


def test_linearized_continuous_formula_matches_matrix_exponential():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 6))
    theta = a @ a.T
    f0, y = rng.standard_normal(6), rng.standard_normal(6)
    lin = nc.linearized_dynamics(theta, f0, y, lr=0.05, steps=[3.5], mode="continuous")
    expected = y + expm(-0.05 * 3.5 * theta) @ (f0 - y)
    np.testing.assert_allclose(lin.train[0], expected, rtol=1e-10)


def test_linearized_handles_singular_kernels():
    """Duplicate inputs make Theta singular; the eta*t limit keeps everything finite and the
    duplicated point's prediction identical."""
    x = np.vstack([X, X[:3]])
    y = np.concatenate([Y, Y[:3]])
    net = nc.MLP(1, 64, bias_std=1.0)
    params = net.init(1, 0)
    theta = nc.empirical_ntk(net, params, x)
    assert np.linalg.matrix_rank(theta) < x.shape[0]
    lin = nc.linearized_dynamics(theta, net.apply(params, x), y, lr=0.005, steps=[0, 100, 10_000],
                                 theta_test=nc.empirical_ntk(net, params, X_TEST, x),
                                 f0_test=net.apply(params, X_TEST))
    assert np.all(np.isfinite(lin.train)) and np.all(np.isfinite(lin.test))
    np.testing.assert_allclose(lin.train[:, -1], lin.train[:, 2], rtol=1e-9)


def test_linearized_flags_divergence_without_overflowing():
    theta = np.diag([10.0, 1.0])
    lin = nc.linearized_dynamics(theta, np.ones(2), np.zeros(2), lr=0.25, steps=[0, 10, 10**6])
    assert lin.diverged
    assert np.isnan(lin.train[-1, 0]) and np.isfinite(lin.train[1]).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wide_net_follows_its_linearization_narrow_one_departs(seed):
    """Lee et al. 2019 (arXiv:1902.06720) at eta = 0.01: the test-grid gap falls from ~0.2 at
    m = 16 to ~0.03 at m = 4096. Loss curves are compared on the scale of the residual norm,
    sqrt(2L): max_t |sqrt L_net - sqrt L_lin| / sqrt L_0 is 0.7-2.2 % at m = 4096 (seeds 0-2)."""
    wide = ex.training_dynamics(X, Y, X_TEST, NET.with_width(4096), lr=0.01, steps=400, seed=seed)
    narrow = ex.training_dynamics(X, Y, X_TEST, NET.with_width(16), lr=0.01, steps=400, seed=seed)

    def curve_gap(r):
        return np.abs(np.sqrt(r.losses) - np.sqrt(r.linear_losses)).max() / np.sqrt(r.losses[0])

    def test_gap(r):
        return np.sqrt(np.mean((r.net_test - r.linear_test) ** 2, axis=1)).max()

    assert curve_gap(wide) < 0.04
    assert test_gap(wide) < 0.06 < 0.12 < test_gap(narrow)
    assert wide.kernel_change < 0.03 < 0.2 < narrow.kernel_change


def test_kernel_change_falls_with_width_like_inverse_sqrt():
    sweep = ex.ntk_change_vs_width(X, Y, NET, [64, 256, 1024, 4096], lr=0.01, steps=500,
                                  n_seeds=2)
    assert np.all(np.diff(sweep.change_mean) < 0)
    assert -0.8 < sweep.slope < -0.3, sweep.change_mean


def test_kernel_change_falls_with_alpha():
    sweep = ex.alpha_sweep(X, Y, NET.with_width(256), [0.1, 1.0, 10.0], lr=0.01, steps=400,
                           n_seeds=1)
    assert np.all(np.diff(sweep.change_mean) < 0)
    assert sweep.change_mean[0] > 10 * sweep.change_mean[-1]


def test_mean_field_kernel_keeps_moving_at_every_width():
    """Mean-field (Mei, Montanari & Nguyen 2018, arXiv:1804.06561): the relative NTK change
    stays O(1) as width grows (measured 2.59, 2.42, 2.51 at m = 64, 1024, 16384), unlike the
    NTK parameterization."""
    mf_net = nc.MLP(1, 1, bias_std=1.0, parameterization="mean_field")
    mf = ex.ntk_change_vs_width(X, Y, mf_net, [64, 1024], lr=0.01, steps=600, n_seeds=1)
    ntk = ex.ntk_change_vs_width(X, Y, NET, [64, 1024], lr=0.01, steps=600, n_seeds=1)
    assert mf.change_mean.min() > 0.3
    assert mf.change_mean[1] > 0.4 * mf.change_mean[0]
    assert ntk.change_mean[1] < 0.5 * ntk.change_mean[0]


def test_train_gd_validates_inputs():
    net = nc.MLP(1, 4)
    p = net.init(1, 0)
    with pytest.raises(ValueError, match="targets"):
        nc.train_gd(net, p, X, Y[:3], lr=0.1, steps=1)
    with pytest.raises(ValueError, match="lr"):
        nc.train_gd(net, p, X, Y, lr=-1.0, steps=1)
    with pytest.raises(ValueError, match="lr"):
        nc.train_gd(net, p, X, Y, lr=float("nan"), steps=1)
    with pytest.raises(ValueError, match="steps"):
        nc.train_gd(net, p, X, Y, lr=0.1, steps=-1)
    with pytest.raises(ValueError, match="alpha"):
        nc.train_gd(net, p, X, Y, lr=0.1, steps=1, alpha=0.0)
    with pytest.raises(ValueError, match="training point"):
        nc.train_gd(net, p, X[:0], Y[:0], lr=0.1, steps=1)
