"""Empirical NTK: the Gram formula against an explicit Jacobian, and the Jacobian against finite
differences (the independent oracle)."""

import itertools
import tracemalloc

import numpy as np
import pytest

import ntk_core as nc
from ntk_core.testing import explicit_jacobian, flatten, unflatten

PARAMS = list(
    itertools.product(
        [1, 2, 3], ["relu", "erf"], [0.0, 0.4], ["ntk", "standard", "mean_field"]
    )
)


def finite_difference_jacobian(net, params, x, eps=1e-6):
    """Central differences of f(x) with respect to every flattened parameter."""
    theta = flatten(params)
    jac = np.empty((x.shape[0], theta.size))
    for k in range(theta.size):
        tp, tm = theta.copy(), theta.copy()
        tp[k] += eps
        tm[k] -= eps
        fp = net.apply(unflatten(tp, params), x)
        fm = net.apply(unflatten(tm, params), x)
        jac[:, k] = (fp - fm) / (2 * eps)
    return jac


def rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.parametrize(("depth", "act", "sb", "par"), PARAMS)
def test_gram_formula_equals_jacobian_product(depth, act, sb, par):
    rng = np.random.default_rng(depth * 10 + len(act))
    net = nc.MLP(depth, 9, act, bias_std=sb, parameterization=par)
    params = net.init(3, seed=5)
    x1, x2 = rng.standard_normal((6, 3)), rng.standard_normal((4, 3))
    j1, j2 = explicit_jacobian(net, params, x1), explicit_jacobian(net, params, x2)
    # rounding only: both sides sum the same O(#params) products in another order
    assert rel(nc.empirical_ntk(net, params, x1, x2, chunk_size=4), j1 @ j2.T) < 1e-12
    assert rel(nc.empirical_ntk(net, params, x1), j1 @ j1.T) < 1e-12


@pytest.mark.parametrize(("depth", "act", "par"), [(1, "relu", "ntk"), (2, "erf", "standard"),
                                                   (3, "relu", "mean_field"), (2, "relu", "ntk")])
def test_jacobian_matches_finite_differences(depth, act, par):
    """Central differences have O(eps^2) truncation and O(1e-16/eps) rounding error: ~1e-9
    relative at eps=1e-6 (ReLU kinks are not hit with probability one for these inputs)."""
    rng = np.random.default_rng(1)
    net = nc.MLP(depth, 6, act, bias_std=0.3, parameterization=par)
    params = net.init(2, seed=3)
    x = rng.standard_normal((5, 2))
    jac = explicit_jacobian(net, params, x)
    fd = finite_difference_jacobian(net, params, x)
    assert rel(jac, fd) < 1e-6
    assert rel(nc.empirical_ntk(net, params, x), fd @ fd.T) < 1e-6


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_result_does_not_depend_on_chunk_size(depth):
    rng = np.random.default_rng(0)
    net = nc.MLP(depth, 37, bias_std=0.2)
    params = net.init(4, seed=0)
    x1, x2 = rng.standard_normal((7, 4)), rng.standard_normal((5, 4))
    ref = nc.empirical_kernels(net, params, x1, x2, chunk_size=37)
    for chunk in (1, 2, 5, 16, 100):
        got = nc.empirical_kernels(net, params, x1, x2, chunk_size=chunk)
        np.testing.assert_allclose(got.ntk, ref.ntk, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got.nngp, ref.nngp, rtol=1e-12, atol=1e-12)


def test_square_path_equals_cross_path_and_is_symmetric_psd():
    rng = np.random.default_rng(2)
    net = nc.MLP(2, 50, "erf", bias_std=0.5)
    params = net.init(3, seed=1)
    x = rng.standard_normal((12, 3))
    sq = nc.empirical_ntk(net, params, x)
    np.testing.assert_allclose(sq, nc.empirical_ntk(net, params, x, x), rtol=1e-12)
    np.testing.assert_array_equal(sq, sq.T)
    assert np.linalg.eigvalsh(sq).min() > -1e-10 * np.abs(sq).max()


def test_width_one_million_runs_in_small_memory():
    """Depth 1, width 10^6: the chunked Gram never holds an (n × width) array. A single
    (4 × 10^6) float64 array would be 32 MB; the whole computation stays below 20 MB of new
    allocations beyond the parameters (W and b: 3 × 8 MB)."""
    net = nc.MLP(1, 1_000_000, bias_std=0.1)
    params = net.init(1, seed=0)
    x = np.array([[-1.0], [-0.3], [0.5], [1.5]])
    tracemalloc.start()
    theta = nc.empirical_ntk(net, params, x, chunk_size=4096)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20e6
    inf = nc.analytic_ntk(x, depth=1, weight_std=np.sqrt(2), bias_std=0.1)
    # 1/sqrt(10^6) fluctuations: a few 1e-3 relative
    assert rel(theta, inf) < 0.01


def test_standard_parameterization_ntk_grows_with_width():
    """Same forward law as NTK parameterization, but the NTK scales like width."""
    x = nc.make_inputs("circle", 8)
    ratios = []
    for w in (100, 1000):
        net_s = nc.MLP(1, w, parameterization="standard")
        net_n = nc.MLP(1, w)
        ratios.append(
            np.linalg.norm(nc.empirical_ntk(net_s, net_s.init(2, 0), x))
            / np.linalg.norm(nc.empirical_ntk(net_n, net_n.init(2, 0), x))
        )
    assert 5 < ratios[1] / ratios[0] < 20  # ~10 for a 10x wider net


def test_forward_laws_agree_across_parameterizations():
    """'standard' and 'ntk' have the same output variance at init (the NNGP)."""
    x = nc.make_inputs("circle", 4)
    outs = {}
    for par in ("ntk", "standard"):
        net = nc.MLP(1, 64, parameterization=par)
        outs[par] = np.array([net.apply(net.init(2, s), x) for s in range(400)])
    np.testing.assert_allclose(outs["ntk"].var(0), outs["standard"].var(0), rtol=0.25)


def test_inputs_are_validated():
    net = nc.MLP(1, 4)
    params = net.init(2, 0)
    with pytest.raises(ValueError, match="features"):
        nc.empirical_ntk(net, params, np.zeros((3, 5)))
    with pytest.raises(ValueError, match="NaN"):
        nc.empirical_ntk(net, params, np.array([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match="shape"):
        nc.empirical_ntk(net, params, np.zeros(3))
    with pytest.raises(ValueError):
        nc.MLP(0, 4)
    with pytest.raises(ValueError):
        nc.MLP(1, 4, activation="tanh")
    with pytest.raises(ValueError):
        nc.MLP(1, 4, parameterization="mup")
    assert nc.empirical_ntk(net, params, np.zeros((0, 2))).shape == (0, 0)
