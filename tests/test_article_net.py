"""The original article's network (ntk_core._article), checked against oracles: its Gram-formula
NTK against a finite-difference Jacobian, its gradients against finite differences, and what its
NTK converges to (the module docstring of ntk_core._article)."""

import math

import numpy as np
import pytest

import ntk_core as nc
from ntk_core._article import (
    ArticleNet,
    ArticleParams,
    article_analytic_ntk,
    article_limit_ntk,
    article_lr,
    bias_free_floor,
    ntk_rank,
    train_article,
)

GRID20 = np.linspace(-2.0, 2.0, 20)[:, None]
GRID15 = np.linspace(-2.0, 2.0, 15)[:, None]


def fd_jacobian(net: ArticleNet, params: ArticleParams, x: np.ndarray, eps: float = 1e-6):
    """Central-difference Jacobian df/dtheta, columns as ArticleParams.flat()."""
    theta = params.flat()
    m, d = params.w.shape
    jac = np.empty((x.shape[0], theta.size))
    for k in range(theta.size):
        tp, tm = theta.copy(), theta.copy()
        tp[k] += eps
        tm[k] -= eps
        fp = net.apply(ArticleParams.from_flat(tp, m, d), x)
        fm = net.apply(ArticleParams.from_flat(tm, m, d), x)
        jac[:, k] = (fp - fm) / (2 * eps)
    return jac


def inputs(d: int, n: int, seed: int) -> np.ndarray:
    # generic points: no input sits on a ReLU kink (w_j . x = 0), where f is not differentiable
    return np.random.default_rng(seed).standard_normal((n, d))


@pytest.mark.parametrize(("d", "width"), [(1, 6), (2, 9), (5, 4)])
def test_gram_ntk_equals_fd_jacobian_outer_product(d, width):
    net = ArticleNet(width)
    params = net.init(d, seed=3)
    x = inputs(d, 7, seed=4)
    jac = fd_jacobian(net, params, x)
    np.testing.assert_allclose(net.jacobian(params, x), jac, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(net.ntk(params, x), jac @ jac.T, rtol=1e-6, atol=1e-8)
    x2 = inputs(d, 3, seed=5)
    jac2 = fd_jacobian(net, params, x2)
    np.testing.assert_allclose(net.ntk(params, x, x2), jac @ jac2.T, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("d", [1, 3])
def test_loss_gradient_equals_finite_differences(d):
    net = ArticleNet(8)
    params = net.init(d, seed=1)
    x = inputs(d, 6, seed=2)
    y = np.sin(x.sum(axis=1))
    m = net.width

    def loss(theta):
        r = net.apply(ArticleParams.from_flat(theta, m, d), x) - y
        return 0.5 * float(r @ r)

    theta = params.flat()
    eps = 1e-6
    fd = np.array(
        [(loss(theta + eps * e) - loss(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)]
    )
    g = net.loss_grads(params, x, net.apply(params, x) - y)
    np.testing.assert_allclose(np.concatenate([g.w.ravel(), g.a]), fd, rtol=1e-6, atol=1e-9)
    # one GD step of train_article is theta - lr * grad, at the article's lr = 0.5/m by default
    res = train_article(net, params, x, y, steps=1)
    assert res.lr == article_lr(m) == 0.5 / m
    np.testing.assert_allclose(res.params.flat(), theta - res.lr * fd, rtol=1e-6, atol=1e-9)
    assert res.losses[0] == pytest.approx(loss(theta))
    np.testing.assert_array_equal(params.flat(), theta)  # input params untouched


def test_init_scales():
    """w ~ N(0, 2/d) (He) and a ~ N(0, 1/m), as in the article."""
    net = ArticleNet(20_000)
    p = net.init(4, seed=0)
    assert p.w.shape == (20_000, 4) and p.a.shape == (20_000,)
    assert np.var(p.w) == pytest.approx(2.0 / 4, rel=0.03)
    assert np.var(p.a) == pytest.approx(1.0 / 20_000, rel=0.03)


def test_limit_formula_equals_two_t_of_k0():
    """2 T(K0) is half the NNGP of a depth-1 He net with sigma_b = 0 (readout adds a factor 2),
    and on the unit circle it is (sin g + (pi - g) cos g)/(pi d)."""
    x = nc.circle_points(np.linspace(0, 2 * np.pi, 13, endpoint=False))
    nngp = nc.analytic_kernels(x, depth=1, weight_std=math.sqrt(2.0), bias_std=0.0).nngp
    np.testing.assert_allclose(article_limit_ntk(x), nngp / 2, rtol=1e-12, atol=1e-14)
    g = np.linspace(0, np.pi, 7)
    row = article_limit_ntk(nc.circle_points([0.0]), nc.circle_points(g))[0]
    np.testing.assert_allclose(row, (np.sin(g) + (np.pi - g) * np.cos(g)) / (2 * np.pi), atol=1e-12)


def test_monte_carlo_mean_matches_expectation():
    """E[Theta_m] = 2T(K0) + (X X^T o T'(K0))/m (ntk_core._article), here at m = 4 on the circle."""
    x = nc.circle_points(np.array([0.0, 1.0, 2.5]))
    m, draws = 4, 20_000
    net = ArticleNet(m)
    rng = np.random.default_rng(11)
    mean = np.mean([net.ntk(net.init(2, rng), x) for _ in range(draws)], axis=0)
    k0 = x @ x.T / 2
    tdot = np.pi - np.arccos(np.clip(k0 / np.sqrt(np.outer(np.diag(k0), np.diag(k0))), -1, 1))
    tdot /= 2 * np.pi
    expected = article_limit_ntk(x) + (x @ x.T) * tdot / m
    np.testing.assert_allclose(mean, expected, rtol=0.02, atol=0.01)


def test_converges_to_two_t_not_to_its_analytic_kernel_on_the_circle():
    x = nc.make_inputs("circle", 20)
    exact_gap = nc.relative_frobenius(article_limit_ntk(x), article_analytic_ntk(x))
    assert exact_gap == pytest.approx(0.234, abs=0.002)  # the closed forms' gap
    net = ArticleNet(40_000)
    to_limit, to_analytic = [], []
    for seed in range(3):
        theta = net.ntk(net.init(2, seed), x)
        to_limit.append(nc.relative_frobenius(theta, article_limit_ntk(x)))
        to_analytic.append(nc.relative_frobenius(theta, article_analytic_ntk(x)))
    assert np.mean(to_limit) < 0.03  # ≈ 2/sqrt(m) = 0.01
    assert np.mean(to_analytic) == pytest.approx(0.234, abs=0.03)


def test_equals_its_analytic_kernel_on_bias_free_1d_inputs():
    """On 1-D inputs the angle is 0 or pi, where 2T(K0) and T(K0) + K0 o T'(K0) coincide:
    both are x x' for same-sign pairs and 0 otherwise."""
    x = GRID20
    expected = np.where(np.outer(x[:, 0], x[:, 0]) > 0, np.outer(x[:, 0], x[:, 0]), 0.0)
    np.testing.assert_allclose(article_analytic_ntk(x), expected, atol=1e-12)
    np.testing.assert_allclose(article_limit_ntk(x), expected, atol=1e-12)
    net = ArticleNet(40_000)
    err = np.mean([nc.relative_frobenius(net.ntk(net.init(1, s), x), expected) for s in range(3)])
    assert err < 0.03


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_analytic_function_is_he_kernel_scaled_down(depth):
    """With sigma_b = 0 the article's analytic NTK is 2^-(L+1) times the He (sigma_w^2 = 2)
    kernel."""
    x = nc.make_inputs("gaussian", 12, d=3, seed=0)
    he = nc.analytic_ntk(x, depth=depth, weight_std=math.sqrt(2.0), bias_std=0.0)
    np.testing.assert_allclose(
        article_analytic_ntk(x, depth=depth), he / 2 ** (depth + 1), rtol=1e-10
    )


def test_listing_facts_l1_and_l5():
    """L1: rank 2 and NTK[0,10] = 0 exactly; L5: diag/mean 2.660, 2.405, 2.148."""
    net = ArticleNet(100)
    theta = net.ntk(net.init(1, 0), GRID20)
    assert ntk_rank(theta) == 2
    assert theta[0, 10] == 0.0
    ratios = []
    for depth in (1, 2, 5):
        k = article_analytic_ntk(GRID20, depth=depth)
        ratios.append(np.mean(np.diag(k)) / np.mean(k))
    np.testing.assert_allclose(ratios, [2.660, 2.405, 2.148], atol=5e-4)


def test_training_stalls_at_the_bias_free_floor():
    """L4's set-up: no bias-free net beats the two-slope least-squares floor (3.3474)."""
    y = np.sin(2 * GRID15[:, 0])
    floor = bias_free_floor(GRID15, y)
    assert floor == pytest.approx(3.3474, abs=1e-4)
    assert 0.5 * y @ y == pytest.approx(3.4017, abs=1e-4)
    net = ArticleNet(20)
    res = train_article(net, net.init(1, 0), GRID15, y, steps=300)
    assert res.final_loss >= floor - 1e-9
    assert res.final_loss == pytest.approx(floor, rel=0.01)
    assert res.ntk_change < 0.05  # "lazy", whatever the article's table says


def test_bad_arguments():
    with pytest.raises(ValueError):
        ArticleNet(0)
    net = ArticleNet(3)
    p = net.init(2, 0)
    with pytest.raises(ValueError):
        net.apply(p, np.zeros((4, 3)))
    with pytest.raises(ValueError):
        train_article(net, p, np.zeros((4, 2)), np.zeros(3), steps=1)
    with pytest.raises(ValueError):
        train_article(net, p, np.zeros((4, 2)), np.zeros(4), steps=1, lr=-1.0)
