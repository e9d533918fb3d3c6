"""Infinite ensembles (ntk_core._ensemble) and finite ensembles (ntk_core.ensembles).

Every closed form is checked against a computation that does not share its algebra: explicit
matrix exponentials, the linear ODE integrated numerically, the discrete recursion iterated step
by step, and Monte-Carlo ensembles of real finite nets trained by gradient descent.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
from scipy.integrate import solve_ivp

from ntk_core import (
    MLP,
    _analytic,
    analytic_kernels,
    circle_points,
    empirical_kernels,
    linearized_dynamics,
)
from ntk_core._ensemble import (
    InfiniteEnsemble,
    infinite_ensemble,
    infinite_ensemble_for,
    infinite_ensemble_model,
    infinite_model_for,
)
from ntk_core._linearized import kernel_eigh
from ntk_core._readout import train_readout_gd
from ntk_core.cost import CostError, check
from ntk_core.ensembles import (
    ensemble_convergence,
    finite_ensemble,
    finite_ensemble_cost,
    infinite_ensemble_cost,
)

ARCH = {"depth": 2, "activation": "relu", "weight_std": 1.4, "bias_std": 0.3}


def _data(seed: int = 0, n: int = 6, m: int = 9, d: int = 3, k: int | None = None):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = rng.standard_normal(n if k is None else (n, k))
    xt = rng.standard_normal((m, d))
    return x, y, xt


def _blocks(x, xt, **arch):
    """Every kernel block by separate x2 calls (the path infinite_ensemble_model does not use)."""
    k_xx = analytic_kernels(x, **arch)
    k_tx = analytic_kernels(xt, x, **arch)
    k_tt = analytic_kernels(xt, **arch)
    return k_xx, k_tx, k_tt


def _explicit(x, y, xt, t, kernel, diag_reg=0.0, **arch):
    """Lee et al. 2019 eq. 16 written out with scipy.linalg.expm and an explicit inverse."""
    k_xx, k_tx, k_tt = _blocks(x, xt, **arch)
    g = (k_xx.ntk if kernel == "ntk" else k_xx.nngp) + diag_reg * np.eye(len(x))
    g_tx = k_tx.ntk if kernel == "ntk" else k_tx.nngp
    a = g_tx @ np.linalg.inv(g) @ (np.eye(len(x)) - scipy.linalg.expm(-g * t))
    prior = k_xx.nngp + (diag_reg * np.eye(len(x)) if kernel == "nngp" else 0.0)
    cov = k_tt.nngp + a @ prior @ a.T - a @ k_tx.nngp.T - k_tx.nngp @ a.T
    return a @ y, cov


# --------------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("kernel", ["ntk", "nngp"])
def test_t0_is_the_prior(kernel):
    x, y, xt = _data()
    p = infinite_ensemble(x, y, xt, t=0.0, kernel=kernel, **ARCH)
    assert np.all(p.mean == 0.0)
    np.testing.assert_allclose(p.cov, analytic_kernels(xt, **ARCH).nngp, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("kernel", ["ntk", "nngp"])
@pytest.mark.parametrize("diag_reg", [0.0, 0.05])
def test_finite_t_matches_explicit_expm(kernel, diag_reg):
    x, y, xt = _data(1)
    model = infinite_ensemble_model(x, y, xt, kernel=kernel, diag_reg=diag_reg, **ARCH)
    for t in (0.05, 0.7, 4.0):
        mean, cov = _explicit(x, y, xt, t, kernel, diag_reg, **ARCH)
        p = model.at(t)
        np.testing.assert_allclose(p.mean, mean, rtol=1e-9, atol=1e-11 * np.abs(mean).max())
        np.testing.assert_allclose(p.cov, cov, rtol=1e-9, atol=1e-10 * np.abs(cov).max())


@pytest.mark.parametrize("kernel", ["ntk", "nngp"])
def test_large_t_tends_to_the_solve(kernel):
    x, y, xt = _data(2)
    model = infinite_ensemble_model(x, y, xt, kernel=kernel, **ARCH)
    lam_min = kernel_eigh(model._g)[0][-1]
    inf = model.at(None)
    assert inf.t == math.inf and inf.note == ""
    far = model.at(60.0 / lam_min)  # e^-60: the finite-t path has converged to rounding
    np.testing.assert_allclose(far.mean, inf.mean, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(far.cov, inf.cov, atol=1e-9 * np.abs(inf.cov).max())
    np.testing.assert_allclose(model.at(math.inf).cov, inf.cov, atol=1e-9 * np.abs(inf.cov).max())
    # and at a moderate time it has not: the comparison above can fail
    assert np.abs(model.at(0.5 / lam_min).mean - inf.mean).max() > 1e-3


def test_nngp_at_infinity_is_the_gp_posterior():
    x, y, xt = _data(3)
    for reg in (0.0, 0.1):
        k_xx, k_tx, k_tt = _blocks(x, xt, **ARCH)
        kr = k_xx.nngp + reg * np.eye(len(x))
        p = infinite_ensemble(x, y, xt, kernel="nngp", diag_reg=reg, **ARCH)
        np.testing.assert_allclose(p.mean, k_tx.nngp @ np.linalg.solve(kr, y), rtol=1e-10)
        post = k_tt.nngp - k_tx.nngp @ np.linalg.solve(kr, k_tx.nngp.T)
        np.testing.assert_allclose(p.cov, post, atol=1e-12 * np.abs(k_tt.nngp).max())


@pytest.mark.parametrize("kernel", ["ntk", "nngp"])
def test_training_inputs_at_infinity_are_fitted_with_no_variance(kernel):
    x, y, _ = _data(4)
    p = infinite_ensemble(x, y, x, kernel=kernel, **ARCH)
    np.testing.assert_allclose(p.mean, y, atol=1e-10)
    scale = np.abs(analytic_kernels(x, **ARCH).nngp).max()
    assert np.abs(p.cov).max() < 1e-10 * scale
    # with regularisation the fit is no longer exact (the check above is not vacuous)
    q = infinite_ensemble(x, y, x, kernel=kernel, diag_reg=0.5, **ARCH)
    assert np.abs(q.mean - y).max() > 1e-2 and np.diag(q.cov).max() > 1e-4 * scale


@pytest.mark.parametrize("kernel", ["ntk", "nngp"])
@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_covariance_is_psd(kernel, activation):
    rng = np.random.default_rng(5)
    x = circle_points(rng.uniform(0, 2 * np.pi, 7))
    xt = circle_points(np.linspace(0, 2 * np.pi, 40, endpoint=False))
    y = rng.standard_normal(7)
    model = infinite_ensemble_model(x, y, xt, depth=3, activation=activation, weight_std=1.5,
                                    bias_std=0.2, kernel=kernel)
    path = model.path([0.0, 0.1, 1.0, 10.0, 1e3, math.inf])
    for cov in [*path.covs, model.at(None).cov]:
        lam = np.linalg.eigvalsh(cov)
        assert lam.min() > -1e-10 * lam.max()
        np.testing.assert_array_equal(cov, cov.T)
    assert path.stds.shape == (6, 40)


def test_multi_output_columns_are_independent_problems():
    x, y, xt = _data(6, k=3)
    model = infinite_ensemble_model(x, y, xt, **ARCH)
    for t in (None, 1.5):
        p = model.at(t)
        assert p.mean.shape == (9, 3) and p.cov.shape == (9, 9)
        for j in range(3):
            q = infinite_ensemble_model(x, y[:, j], xt, **ARCH).at(t)
            assert q.mean.shape == (9,)
            np.testing.assert_allclose(p.mean[:, j], q.mean, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(p.cov, q.cov, rtol=1e-12, atol=1e-14)


def test_x2_path_and_chunked_kernels_agree(monkeypatch):
    """The stacked symmetric kernel call equals separate x2 calls, and chunking does not change
    it (tiny blocks force the row-block loop of the analytic recursion)."""
    x, y, xt = _data(7, n=11, m=13)
    k_xx, k_tx, k_tt = _blocks(x, xt, **ARCH)
    for kernel in ("ntk", "nngp"):
        ref = InfiniteEnsemble.from_kernels(
            nngp_train=k_xx.nngp, nngp_test_train=k_tx.nngp, nngp_test=k_tt.nngp,
            ntk_train=k_xx.ntk, ntk_test_train=k_tx.ntk, y_train=y, kernel=kernel,
        )
        whole = infinite_ensemble_model(x, y, xt, kernel=kernel, **ARCH)
        monkeypatch.setattr(_analytic, "_BLOCK", 7)
        chunked = infinite_ensemble_model(x, y, xt, kernel=kernel, **ARCH)
        monkeypatch.undo()
        for t in (None, 0.8):
            a, b, c = ref.at(t), whole.at(t), chunked.at(t)
            np.testing.assert_allclose(b.mean, a.mean, rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(b.cov, a.cov, rtol=1e-11, atol=1e-12)
            np.testing.assert_allclose(c.mean, b.mean, rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(c.cov, b.cov, rtol=1e-11, atol=1e-12)


def test_path_equals_pointwise_calls():
    x, y, xt = _data(8)
    model = infinite_ensemble_model(x, y, xt, **ARCH)
    ts = [0.0, 0.3, 2.0, math.inf]
    path = model.path(ts)
    for i, t in enumerate(ts):
        p = model.at(t)
        np.testing.assert_array_equal(path.means[i], p.mean)
        np.testing.assert_array_equal(path.covs[i], p.cov)


# --------------------------------------------------------------------------- dynamics
def _joint(x, xt, kernel, diag_reg):
    """The ODE's ingredients: G^ = [G; G*X] (n + m, n), and the prior of [f(X); f(x*)]."""
    k_xx, k_tx, k_tt = _blocks(x, xt, **ARCH)
    n = len(x)
    g = (k_xx.ntk if kernel == "ntk" else k_xx.nngp) + diag_reg * np.eye(n)
    g_hat = np.concatenate([g, k_tx.ntk if kernel == "ntk" else k_tx.nngp])
    prior_xx = k_xx.nngp + (diag_reg * np.eye(n) if kernel == "nngp" else 0.0)
    s0 = np.block([[prior_xx, k_tx.nngp.T], [k_tx.nngp, k_tt.nngp]])
    return g_hat, s0


@pytest.mark.parametrize("kernel", ["ntk", "nngp"])
@pytest.mark.parametrize("diag_reg", [0.0, 0.2])
def test_closed_form_solves_the_mean_and_covariance_ode(kernel, diag_reg):
    """d mu/dt = -G^ (mu_X - Y), dS/dt = -G^ S_X. - (G^ S_X.)^T from mu = 0, S = prior,
    integrated by an explicit Runge-Kutta method (DOP853)."""
    x, y, xt = _data(9, n=5, m=6)
    n, m = len(x), len(xt)
    g_hat, s0 = _joint(x, xt, kernel, diag_reg)

    def rhs(_t, state):
        mu, s = state[: n + m], state[n + m :].reshape(n + m, n + m)
        ds = -g_hat @ s[:n]
        return np.concatenate([-g_hat @ (mu[:n] - y), (ds + ds.T).ravel()])

    ts = [0.2, 1.0, 3.0]
    sol = solve_ivp(rhs, (0.0, ts[-1]), np.concatenate([np.zeros(n + m), s0.ravel()]),
                    method="DOP853", t_eval=ts, rtol=1e-11, atol=1e-12)
    assert sol.success
    path = infinite_ensemble_model(x, y, xt, kernel=kernel, diag_reg=diag_reg, **ARCH).path(ts)
    for i in range(len(ts)):
        state = sol.y[:, i]
        s = state[n + m :].reshape(n + m, n + m)
        np.testing.assert_allclose(path.means[i], state[n : n + m], rtol=1e-7, atol=1e-8)
        np.testing.assert_allclose(path.covs[i], s[n:, n:], rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("kernel", ["ntk", "nngp"])
def test_discrete_steps_match_the_iterated_recursion(kernel):
    """Gradient descent with step lr: [f(X); f(x*)] <- M [f(X); f(x*)] + lr G^ Y with
    M = I - lr G^ [I 0], iterated on the mean and on the covariance (S <- M S M^T)."""
    x, y, xt = _data(10, n=5, m=6)
    n = len(x)
    g_hat, s0 = _joint(x, xt, kernel, 0.0)
    lr = 0.9 / np.linalg.eigvalsh(g_hat[:n]).max()
    mmat = np.eye(len(s0)) - lr * np.concatenate([g_hat, np.zeros((len(s0), len(xt)))], axis=1)
    mu, s = np.zeros(len(s0)), s0
    model = infinite_ensemble_model(x, y, xt, kernel=kernel, **ARCH)
    for step in range(1, 41):
        mu = mmat @ mu + lr * g_hat @ y
        s = mmat @ s @ mmat.T
        if step in (1, 7, 40):
            p = model.at(lr * step, lr=lr)
            np.testing.assert_allclose(p.mean, mu[n:], rtol=1e-9, atol=1e-11)
            np.testing.assert_allclose(p.cov, s[n:, n:], rtol=1e-9, atol=1e-11)
    # gradient flow at the same t differs (the test tells GD from flow)
    assert np.abs(model.at(lr * 40).mean - mu[n:]).max() > 1e-4


def test_transfer_gives_the_mean_and_the_twin():
    x, y, xt = _data(11)
    model = infinite_ensemble_model(x, y, xt, **ARCH)
    for t in (None, 0.9):
        np.testing.assert_allclose(model.transfer(t) @ y, model.at(t).mean, rtol=1e-10)


# --------------------------------------------------------------------------- singular kernels
@pytest.mark.parametrize("kernel", ["ntk", "nngp"])
def test_singular_kernel_uses_the_minimum_norm_solution(kernel):
    x = np.array([[-1.0], [0.5], [0.5], [1.2]])  # a duplicated input, two targets
    y = np.array([0.0, 1.0, 3.0, -0.5])
    xt = np.array([[0.5], [0.1], [-2.0]])
    arch = {"depth": 1, "bias_std": 0.3}
    p = infinite_ensemble(x, y, xt, kernel=kernel, **arch)
    assert "singular" in p.note and "minimum-norm" in p.note
    assert p.mean[0] == pytest.approx(2.0, abs=1e-9)  # the average of the duplicate's targets
    k_xx, k_tx, _ = _blocks(x, xt, **arch)
    g, g_tx = (k_xx.ntk, k_tx.ntk) if kernel == "ntk" else (k_xx.nngp, k_tx.nngp)
    np.testing.assert_allclose(p.mean, g_tx @ np.linalg.pinv(g, rcond=1e-12) @ y, atol=1e-9)
    assert np.all(np.isfinite(p.cov))
    lam = np.linalg.eigvalsh(p.cov)
    assert lam.min() > -1e-10 * max(lam.max(), 1.0)
    q = infinite_ensemble(x, y, xt, kernel=kernel, diag_reg=1e-3, **arch)
    assert q.note == ""


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"kernel": "gp"}, "kernel must be"),
        ({"t": -1.0}, "t must be"),
        ({"t": float("nan")}, "t must be"),
        ({"diag_reg": -0.1}, "diag_reg"),
        ({"diag_reg": float("inf")}, "diag_reg"),
        ({"depth": -1}, "depth"),
        ({"activation": "tanh"}, "activation"),
    ],
)
def test_bad_arguments_are_refused(change, match):
    x, y, xt = _data()
    kwargs = {**ARCH, **change}
    with pytest.raises(ValueError, match=match):
        infinite_ensemble(x, y, xt, **kwargs)


def test_bad_data_is_refused():
    x, y, xt = _data()
    with pytest.raises(ValueError, match="y_train"):
        infinite_ensemble(x, y[:-1], xt, **ARCH)
    with pytest.raises(ValueError, match="features"):
        infinite_ensemble(x, y, xt[:, :2], **ARCH)
    with pytest.raises(ValueError, match="NaN"):
        infinite_ensemble(x, np.where(np.arange(6) == 2, np.nan, y), xt, **ARCH)
    with pytest.raises(ValueError, match="x_test"):
        infinite_ensemble(x, y, np.empty((0, 3)), **ARCH)
    model = infinite_ensemble_model(x, y, xt, **ARCH)
    with pytest.raises(ValueError, match="whole number of steps"):
        model.at(1.05, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        model.at(1.0, lr=0.0)
    with pytest.raises(ValueError, match="parameterization"):
        infinite_ensemble_for(MLP(1, 8, parameterization="standard"), x, y, xt)


def test_infinite_ensemble_for_uses_the_nets_resolved_scales():
    x, y, xt = _data(12)
    net = MLP(2, 16, "relu", None, 0.3)  # sigma_w resolved to sqrt(2)
    a = infinite_ensemble_for(net, x, y, xt, t=1.0)
    b = infinite_ensemble(x, y, xt, depth=2, weight_std=math.sqrt(2), bias_std=0.3, t=1.0)
    np.testing.assert_array_equal(a.mean, b.mean)


# --------------------------------------------------------------------------- finite nets
def test_readout_training_is_gd_with_the_readout_kernel():
    """Readout-only GD equals kernel GD with the net's own readout kernel c^2 a a^T + s^2
    (the empirical NNGP), iterated exactly by linearized_dynamics; and the hidden layers and
    the NTK-trained answer differ."""
    x, y, xt = _data(13, n=7, m=5)
    net = MLP(2, 64, "erf", None, 0.4)
    params = net.init(3, 1)
    steps = [0, 3, 50]
    res = train_readout_gd(net, params, x, y, lr=0.2, steps=50, x_test=xt, record_steps=steps)
    k = empirical_kernels(net, params, x).nngp
    k_tx = empirical_kernels(net, params, xt, x).nngp
    lin = linearized_dynamics(k, net.apply(params, x), y, lr=0.2, steps=steps, theta_test=k_tx,
                              f0_test=net.apply(params, xt))
    np.testing.assert_allclose(res.train_preds, lin.train, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.test_preds, lin.test, rtol=1e-10, atol=1e-12)
    for p0, p1 in zip(params[:-1], res.params[:-1], strict=True):
        np.testing.assert_array_equal(p0["W"], p1["W"])
    assert not np.allclose(res.params[-1]["W"], params[-1]["W"])
    np.testing.assert_allclose(net.apply(res.params, x), res.train_preds[-1], rtol=1e-10)
    big = train_readout_gd(net, params, x, y, lr=1e3, steps=50)
    assert big.diverged and "diverged" in big.message


def _mc_data():
    """Four points on the unit circle (well-conditioned kernels) and ten test angles between
    and beside them."""
    x = circle_points(np.array([0.0, 0.5, 1.0, 1.5]) * np.pi)
    y = np.array([1.0, -0.5, 0.3, 0.8])
    xt = circle_points(np.linspace(0, 2 * np.pi, 10, endpoint=False) + 0.2)
    return x, y, xt


@pytest.mark.parametrize(
    ("readout_only", "lr_lam", "lam_t", "n_members"),
    [(False, 0.05, 1.0, 150), (True, 0.02, 0.5, 1000)],
)
def test_wide_ensembles_match_the_infinite_ensemble(readout_only, lr_lam, lam_t, n_members):
    """Monte Carlo: N ReLU nets of width 1024 (sigma_b = 0.5) trained by GD with a small step
    (lr lambda_max = lr_lam, so GD ~ gradient flow) have mean and covariance close to
    infinite_ensemble at t = lr · steps = lam_t / lambda_min: kernel "ntk" when every layer is
    trained, "nngp" when only the readout is.

    Tolerances from the ensemble size: each mean is off by N(0, sigma^2/N), so |z| < 4.5 at
    every test input (Bonferroni over 10 inputs: false alarm < 1e-4); the sample covariance has
    E||C - Sigma||_F^2 = ((tr Sigma)^2 + ||Sigma||_F^2) / (N - 1) for Gaussian outputs, and we
    allow 2.5 times its root. The GD-flow gap is held below 0.25 sd and the width-1024 bias
    (twin distance ~ 3 % of |mu|, ensemble_convergence) is inside both. The rival (the other
    kernel's prediction, and the untrained prior) must fail the same tests.
    """
    x, y, xt = _mc_data()
    net = MLP(1, 1024, "relu", None, 0.5)
    model = infinite_model_for(net, x, y, xt, kernel="nngp" if readout_only else "ntk")
    rival_model = infinite_model_for(net, x, y, xt, kernel="ntk" if readout_only else "nngp")
    lam = kernel_eigh(model._g)[0]
    lr = lr_lam / lam[0]
    steps = round(lam_t / lam[-1] / lr)
    t = lr * steps
    pred, rival = model.at(t), rival_model.at(t)
    sd = np.sqrt(np.diag(pred.cov) / n_members)
    assert np.abs(model.at(t, lr=lr).mean - pred.mean).max() < 0.25 * sd.min()

    ens = finite_ensemble(x, y, xt, net, n_members=n_members, lr=lr, steps=steps, seed=3,
                          readout_only=readout_only)
    assert not ens.diverged.any()
    mean, cov = ens.mean()[-1], ens.cov()[-1]
    assert np.abs((mean - pred.mean) / sd).max() < 4.5
    assert np.abs((mean - rival.mean) / sd).max() > 8.0

    s = pred.cov
    mc = math.sqrt((np.trace(s) ** 2 + np.sum(s * s)) / (n_members - 1)) / np.linalg.norm(s)
    assert np.linalg.norm(cov - s) / np.linalg.norm(s) < 2.5 * mc
    assert np.linalg.norm(cov - rival.cov) / np.linalg.norm(s) > 2.5 * mc
    prior = model.at(0.0).cov
    assert np.linalg.norm(cov - prior) / np.linalg.norm(s) > 5 * mc  # training moved it


def test_readout_ensembles_converge_at_rate_one_half():
    """Each readout-trained net differs from its infinite-width twin (the same f_0 under NNGP
    gradient flow) through its readout kernel, a mean of width iid terms: a CLT gives
    width^(-1/2). Fitted over widths 64 ... 4096 with 24 members; the tolerance +-0.15 tells
    -1/2 from the -1 of a bias (and the sweep's own standard error is ~0.03)."""
    x, y, xt = _mc_data()
    net = MLP(1, 64, "erf", None, 1.0)
    lam = kernel_eigh(infinite_model_for(net, x, y, xt, kernel="nngp")._g)[0]
    lr = 0.5 / lam[0]
    res = ensemble_convergence(x, y, xt, net, [64, 256, 1024, 4096], n_members=24, lr=lr,
                               steps=round(1.0 / lam[-1] / lr), readout_only=True)
    slope, err = res.slopes["twin_distance"]
    assert abs(slope + 0.5) < 0.15 and err < 0.1
    assert np.all(res.n_diverged == 0)
    # the raw N-member errors sit on their Monte-Carlo floor, they do not converge
    assert np.all(res.mean_error < 4 * res.mean_floor)
    assert np.all(res.mean_error_coupled < res.mean_floor)


def test_finite_ensemble_members_are_independent_and_reproducible():
    x, y, xt = _mc_data()
    net = MLP(1, 32, "relu", None, 0.1)
    a = finite_ensemble(x, y, xt, net, n_members=3, lr=0.1, steps=5, seed=1,
                        record_steps=[2])
    b = finite_ensemble(x, y, xt, net, n_members=3, lr=0.1, steps=5, seed=1)
    np.testing.assert_array_equal(a.steps, [0, 2, 5])
    np.testing.assert_allclose(a.times, [0.0, 0.2, 0.5])
    np.testing.assert_array_equal(a.test_preds[:, [0, 2]], b.test_preds)
    assert a.test_preds.shape == (3, 3, 10) and a.train_preds.shape == (3, 3, 4)
    assert len({float(f) for f in a.test_preds[:, 0, 0]}) == 3  # three distinct inits
    with pytest.raises(ValueError, match="n_members"):
        finite_ensemble(x, y, xt, net, n_members=1, lr=0.1, steps=5)


def test_diverging_members_are_left_out():
    x, y, xt = _mc_data()
    net = MLP(1, 32, "relu", None, 0.1)
    ens = finite_ensemble(x, y, xt, net, n_members=3, lr=50.0, steps=20, seed=0)
    assert ens.diverged.all() and ens.message


# --------------------------------------------------------------------------- cost
def test_costs_grow_with_size_and_guard_large_requests():
    small = infinite_ensemble_cost(100, 50, 2)
    big = infinite_ensemble_cost(3000, 200, 2, n_times=20)
    assert 0 < small.seconds < big.seconds and small.bytes < big.bytes
    assert infinite_ensemble_cost(3000, 200, 2).seconds < big.seconds  # eigh only for times
    assert big.bytes < 1 << 30  # a few thousand training points fit the memory budget
    with pytest.raises(CostError):
        check(infinite_ensemble_cost(20_000, 200, 2, n_times=1))
    full = finite_ensemble_cost(20, 1, 1024, 1, 500, 30, n_test=100)
    readout = finite_ensemble_cost(20, 1, 1024, 1, 500, 30, n_test=100, readout_only=True)
    assert 0 < readout.seconds < full.seconds
    assert finite_ensemble_cost(20, 1, 1024, 1, 500, 60).seconds > full.seconds
