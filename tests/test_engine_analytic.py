"""Analytic NNGP/NTK: closed forms, published values, an independent quadrature of the
recursion, invariants, and convergence of sampled kernels to it."""

import math

import numpy as np
import pytest
from scipy.special import erf

import ntk_core as nc

SQRT2 = math.sqrt(2.0)


def relu_one_layer_ntk(gamma):
    """One ReLU layer, sigma_w = sqrt 2, sigma_b = 0, unit inputs at angle gamma: the
    arc-cosine kernels of degrees 0 and 1 (Cho & Saul 2009) in Theta = K0 T'(K0) + T(K0)."""
    return np.cos(gamma) * (np.pi - gamma) / np.pi + (
        np.sin(gamma) + (np.pi - gamma) * np.cos(gamma)
    ) / np.pi


def test_one_hidden_layer_closed_form():
    gam = np.linspace(0, np.pi, 37)
    x = nc.circle_points(gam)
    got = nc.analytic_ntk(x[:1], x, depth=1, weight_std=SQRT2)[0]
    np.testing.assert_allclose(got, relu_one_layer_ntk(gam), atol=1e-14)
    assert got[0] == pytest.approx(2.0) and got[-1] == pytest.approx(0.0, abs=1e-15)
    assert got[18] == pytest.approx(1 / np.pi)


@pytest.mark.parametrize("depth", [1, 2, 3, 5, 10, 20])
def test_diagonal_is_depth_plus_one(depth):
    x = nc.circle_points(np.linspace(0, 2 * np.pi, 9))
    theta = nc.analytic_ntk(x, depth=depth, weight_std=SQRT2)
    np.testing.assert_allclose(np.diag(theta), depth + 1, rtol=1e-13)


def test_jacot_2018_figure_1_values():
    gam = np.array([0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi])
    x = nc.circle_points(gam)
    got = nc.analytic_ntk(x[:1], x, depth=3, weight_std=1.0, bias_std=0.1)[0]
    np.testing.assert_allclose(got, [0.2825, 0.1700, 0.0927, 0.0660, 0.0644], atol=6e-5)


# ---------------------------------------------------------------- independent quadrature oracle
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(120)  # probabilists' Gauss-Hermite
_GH_W = _GH_W / _GH_W.sum()


def gauss_expectation(f, g, k11, k12, k22):
    """E[f(u) g(v)] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]) by a 120^2-point tensor
    Gauss-Hermite rule on u = a z1, v = b z1 + c z2 (Cholesky)."""
    a = math.sqrt(k11)
    b = k12 / a
    c = math.sqrt(max(k22 - b * b, 0.0))
    z1, z2 = np.meshgrid(_GH_X, _GH_X, indexing="ij")
    w = np.outer(_GH_W, _GH_W)
    return float(np.sum(w * f(a * z1) * g(b * z1 + c * z2)))


def relu_expectations(k11, k12, k22):
    """E[relu(u) relu(v)] and E[relu'(u) relu'(v)] by conditioning on u = a z1 (z1 > 0) and
    integrating v = b z1 + c z2 over z2 in closed form (E[relu(m + cZ)] = m Phi(m/c) +
    c phi(m/c), P(m + cZ > 0) = Phi(m/c)), then z1 by adaptive quadrature on [0, inf): no
    arc-cosine formula involved."""
    from scipy.integrate import quad
    from scipy.stats import norm

    a = math.sqrt(k11)
    b = k12 / a
    c = math.sqrt(max(k22 - b * b, 1e-300))

    def e_relu(z):
        m = b * z
        return m * norm.cdf(m / c) + c * norm.pdf(m / c)

    kk = quad(lambda z: a * z * e_relu(z) * norm.pdf(z), 0, np.inf, epsabs=1e-14, epsrel=1e-12)
    dd = quad(lambda z: norm.cdf(b * z / c) * norm.pdf(z), 0, np.inf, epsabs=1e-14, epsrel=1e-12)
    return kk[0], dd[0]


def quadrature_kernels(x1, x2, depth, act, sw, sb):
    """The NTK recursion written out per pair with numerical Gaussian expectations: shares no
    code with ntk_core (no closed-form arc-cosine or arcsin formulas)."""
    phi, dphi = erf, (lambda u: 2 / np.sqrt(np.pi) * np.exp(-u * u))
    d = x1.size
    k11, k22, k12 = x1 @ x1 / d, x2 @ x2 / d, x1 @ x2 / d
    t = 0.0
    for _ in range(depth):
        k11, k22, k12 = sw**2 * k11 + sb**2, sw**2 * k22 + sb**2, sw**2 * k12 + sb**2
        t = k12 + sw**2 * t
        if act == "relu":
            e_phi, e_dphi = relu_expectations(k11, k12, k22)
            k11n, k22n = relu_expectations(k11, k11, k11)[0], relu_expectations(k22, k22, k22)[0]
        else:
            e_phi = gauss_expectation(phi, phi, k11, k12, k22)
            e_dphi = gauss_expectation(dphi, dphi, k11, k12, k22)
            k11n = gauss_expectation(phi, phi, k11, k11, k11)
            k22n = gauss_expectation(phi, phi, k22, k22, k22)
        k12, t, k11, k22 = e_phi, t * e_dphi, k11n, k22n
    k12 = sw**2 * k12 + sb**2
    return k12, k12 + sw**2 * t


@pytest.mark.parametrize(
    ("act", "depth", "sw", "sb"),
    [("erf", 1, 1.0, 0.0), ("erf", 3, 1.5, 0.3), ("erf", 2, 0.7, 1.0),
     ("relu", 2, SQRT2, 0.5), ("relu", 4, 1.0, 0.1)],
)
def test_recursion_matches_gaussian_quadrature(act, depth, sw, sb):
    """erf: smooth integrands, the 120-point Gauss-Hermite rule is exact to ~1e-12; ReLU:
    adaptive quadrature to ~1e-10 (quad's epsrel=1e-12 per expectation, compounded by depth)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 4))
    got = nc.analytic_kernels(x, depth=depth, activation=act, weight_std=sw, bias_std=sb)
    tol = 1e-9
    for i, j in [(0, 1), (0, 2), (1, 1)]:
        nngp, ntk = quadrature_kernels(x[i], x[j], depth, act, sw, sb)
        assert got.nngp[i, j] == pytest.approx(nngp, rel=tol)
        assert got.ntk[i, j] == pytest.approx(ntk, rel=tol)


# ---------------------------------------------------------------- invariants
KERNEL_CASES = [("relu", 1, SQRT2, 0.0), ("relu", 5, SQRT2, 0.5), ("erf", 3, 1.2, 0.2),
                ("relu", 20, 1.0, 0.1), ("erf", 10, 2.0, 0.0)]


@pytest.mark.parametrize(("act", "depth", "sw", "sb"), KERNEL_CASES)
def test_symmetric_psd_and_cross_path_agrees(act, depth, sw, sb):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((25, 3))
    kw = dict(depth=depth, activation=act, weight_std=sw, bias_std=sb)
    sq = nc.analytic_kernels(x, **kw)
    for k in sq:
        np.testing.assert_array_equal(k, k.T)
        assert np.linalg.eigvalsh(k).min() > -1e-10 * np.abs(k).max()
    cross = nc.analytic_kernels(x[:10], x[5:], **kw)
    np.testing.assert_allclose(cross.ntk, sq.ntk[:10, 5:], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cross.nngp, sq.nngp[:10, 5:], rtol=1e-12, atol=1e-14)


def test_stable_for_nearly_parallel_inputs():
    """Theta(x, x(1+d)) must move smoothly with d; an arccos form loses ~half the digits near
    parallel inputs and leaves an O(sqrt(eps)) jump."""
    x = np.array([[0.6, 0.8]])
    ang = np.array([0.0, 1e-12, 1e-9, 1e-7, 1e-5])
    base = np.arctan2(0.8, 0.6)
    y = nc.circle_points(base + ang)
    theta = nc.analytic_ntk(x, y, depth=3, weight_std=SQRT2)[0]
    diffs = np.abs(theta - theta[0])
    # d Theta / d angle is O(1): the differences must scale with the angle, not stall at 1e-8
    assert diffs[1] < 1e-10 and diffs[2] < 1e-7 and diffs[3] < 1e-5
    assert np.all(np.isfinite(theta))


def test_zero_input_and_validation():
    x = np.array([[0.0, 0.0], [1.0, 0.0]])
    k = nc.analytic_kernels(x, depth=3, weight_std=SQRT2, bias_std=0.0)
    assert np.all(np.isfinite(k.ntk)) and k.ntk[0, 0] == 0.0
    with pytest.raises(ValueError):
        nc.analytic_kernels(x, depth=-1)
    with pytest.raises(ValueError):
        nc.analytic_kernels(x, depth=1, activation="tanh")
    with pytest.raises(ValueError):
        nc.analytic_kernels(x, np.zeros((2, 3)), depth=1)


# ---------------------------------------------------------------- Monte Carlo convergence
@pytest.mark.parametrize(("act", "depth", "sb"), [("relu", 1, 0.0), ("relu", 2, 0.5),
                                                  ("erf", 2, 0.2)])
def test_empirical_converges_to_analytic_like_inverse_sqrt_width(act, depth, sb):
    """Mean relative error over 4 seeds at widths 32 … 2048; the fitted log-log slope must lie
    in [-0.6, -0.4] (the CLT rate -1/2; measured -0.46 … -0.53)."""
    x = np.random.default_rng(11).standard_normal((16, 5))
    sw = SQRT2 if act == "relu" else 1.3
    inf = nc.analytic_kernels(x, depth=depth, activation=act, weight_std=sw, bias_std=sb)
    widths = [32, 128, 512, 2048]
    err_ntk, err_nngp = [], []
    for w in widths:
        net = nc.MLP(depth, w, act, weight_std=sw, bias_std=sb)
        e1, e2 = [], []
        for s in range(4):
            k = nc.empirical_kernels(net, net.init(5, seed=100 * w + s), x)
            e1.append(nc.relative_frobenius(k.ntk, inf.ntk))
            e2.append(nc.relative_frobenius(k.nngp, inf.nngp))
        err_ntk.append(np.mean(e1))
        err_nngp.append(np.mean(e2))
    slope, _ = nc.loglog_slope(widths, err_ntk)
    slope_nngp, _ = nc.loglog_slope(widths, err_nngp)
    assert -0.6 <= slope <= -0.4, (slope, err_ntk)
    assert -0.65 <= slope_nngp <= -0.35, (slope_nngp, err_nngp)
    assert err_ntk[-1] < 0.08


def test_optional_neural_tangents_agreement():
    """Cross-check against neural-tangents where it is installed (it needs JAX, so usually a
    separate environment); skipped otherwise."""
    nt = pytest.importorskip("neural_tangents")
    stax = nt.stax
    x = np.random.default_rng(0).standard_normal((6, 3))
    for act, layer in (("relu", stax.Relu()), ("erf", stax.Erf())):
        _init_fn, _apply_fn, kernel_fn = stax.serial(
            *[stax.Dense(512, 1.3, 0.2), layer] * 3, stax.Dense(1, 1.3, 0.2)
        )
        ref = kernel_fn(x, x, ("nngp", "ntk"))
        got = nc.analytic_kernels(x, depth=3, activation=act, weight_std=1.3, bias_std=0.2)
        np.testing.assert_allclose(got.nngp, np.asarray(ref.nngp), rtol=1e-5)
        np.testing.assert_allclose(got.ntk, np.asarray(ref.ntk), rtol=1e-5)
