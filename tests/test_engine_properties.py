"""Property-based and edge-case tests of the engine (hypothesis): every kernel in the shared
list goes through the same invariants, in the spirit of scikit-learn's kernel tests."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ntk_core as nc
from ntk_core.testing import explicit_jacobian

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)

nets = st.builds(
    nc.MLP,
    depth=st.integers(1, 3),
    width=st.integers(1, 12),
    activation=st.sampled_from(nc.ACTIVATIONS),
    weight_std=st.floats(0.1, 3.0),
    bias_std=st.floats(0.0, 2.0),
    parameterization=st.sampled_from(nc.PARAMETERIZATIONS),
)


def inputs(n_max=6, d_max=3):
    return st.tuples(st.integers(1, n_max), st.integers(1, d_max), st.integers(0, 2**16)).map(
        lambda t: np.random.default_rng(t[2]).standard_normal((t[0], t[1]))
    )


def check_kernel_invariants(k: np.ndarray) -> None:
    assert np.all(np.isfinite(k))
    np.testing.assert_array_equal(k, k.T)
    scale = max(np.abs(k).max(), 1e-300)
    assert np.linalg.eigvalsh(k).min() >= -1e-10 * scale
    d = np.sqrt(np.clip(np.diag(k), 0, None))
    assert np.all(np.abs(k) <= np.outer(d, d) * (1 + 1e-9) + 1e-12 * scale)  # Cauchy-Schwarz


@SETTINGS
@given(net=nets, x=inputs(), seed=st.integers(0, 1000))
def test_empirical_kernels_are_psd_and_equal_jacobian_product(net, x, seed):
    params = net.init(x.shape[1], seed)
    k = nc.empirical_kernels(net, params, x, chunk_size=5)
    check_kernel_invariants(k.ntk)
    check_kernel_invariants(k.nngp)
    jac = explicit_jacobian(net, params, x)
    np.testing.assert_allclose(k.ntk, jac @ jac.T, rtol=1e-10, atol=1e-12 * np.abs(k.ntk).max())


@SETTINGS
@given(
    x=inputs(8, 4),
    depth=st.integers(0, 12),
    act=st.sampled_from(nc.ACTIVATIONS),
    sw=st.floats(0.1, 3.0),
    sb=st.floats(0.0, 2.0),
)
def test_analytic_kernels_are_psd(x, depth, act, sw, sb):
    k = nc.analytic_kernels(x, depth=depth, activation=act, weight_std=sw, bias_std=sb)
    check_kernel_invariants(k.nngp)
    check_kernel_invariants(k.ntk)


@SETTINGS
@given(x=inputs(6, 3), depth=st.integers(1, 6), sb=st.floats(0.0, 1.0))
def test_relu_kernels_are_positively_homogeneous_without_bias(x, depth, sb):
    """With sigma_b = 0 a ReLU net's kernels scale as K(cx, x') = c K(x, x') (c > 0): an
    identity of the recursion that its code does not encode."""
    kw = dict(depth=depth, weight_std=math.sqrt(2.0), bias_std=0.0)
    k = nc.analytic_kernels(x, **kw)
    k3 = nc.analytic_kernels(3.0 * x, x, **kw)
    np.testing.assert_allclose(k3.ntk, 3.0 * k.ntk, rtol=1e-10, atol=1e-12)


def test_width_one_and_duplicate_inputs():
    net = nc.MLP(2, 1, bias_std=0.5)
    x = np.array([[0.3], [0.3], [-1.0]])
    params = net.init(1, 0)
    k = nc.empirical_ntk(net, params, x)
    np.testing.assert_allclose(k[0], k[1])
    res = nc.train_gd(net, params, x, np.array([1.0, 1.0, 0.0]), lr=0.01, steps=20)
    assert np.all(np.isfinite(res.losses))


def test_overflowing_scales_raise_a_clear_error():
    x = nc.make_inputs("circle", 4)
    with pytest.raises(ValueError, match="overflow"):
        nc.analytic_kernels(x, depth=200, weight_std=40.0)
    net = nc.MLP(100, 64, weight_std=1e4)
    with pytest.raises(ValueError, match="overflow"):
        nc.empirical_ntk(net, net.init(2, 0), x)


def test_zero_inputs_without_bias_give_zero_kernels():
    x = np.zeros((3, 2))
    k = nc.analytic_kernels(x, depth=3, weight_std=math.sqrt(2.0))
    assert np.all(k.ntk == 0) and np.all(k.nngp == 0)
    net = nc.MLP(2, 8)
    assert np.all(nc.empirical_ntk(net, net.init(2, 0), x) == 0)
    lin = nc.linearized_dynamics(np.zeros((3, 3)), np.zeros(3), np.ones(3), lr=0.1, steps=[5])
    np.testing.assert_array_equal(lin.train[0], np.zeros(3))  # nothing can move


def test_mismatched_and_empty_arrays():
    with pytest.raises(ValueError):
        nc.linearized_dynamics(np.eye(3), np.zeros(2), np.zeros(3), lr=0.1, steps=[1])
    with pytest.raises(ValueError):
        nc.linearized_dynamics(np.eye(3), np.zeros(3), np.zeros(3), lr=0.1, steps=[1.5])
    with pytest.raises(ValueError):
        nc.linearized_dynamics(np.ones((2, 3)), np.zeros(2), np.zeros(2), lr=0.1, steps=[1])
    with pytest.raises(ValueError):
        nc.make_inputs("grid", 0)
    with pytest.raises(ValueError):
        nc.make_inputs("torus", 5)
    with pytest.raises(ValueError):
        nc.target_function("cos", np.zeros((3, 1)))
    assert nc.analytic_kernels(np.zeros((0, 2)), depth=2).ntk.shape == (0, 0)
