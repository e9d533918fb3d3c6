"""Kernel motion: the per-layer NTK blocks, scale-free metrics, and the three parameterizations.

The rates of kernel motion themselves (slopes over width) are pinned in
tests/test_motion_rates.py; here everything is cheap and exact.
"""

from __future__ import annotations

import numpy as np
import pytest

import ntk_core as nc
from ntk_core import motion
from ntk_core._blocks import layer_kernels, readout_hidden_split
from ntk_core._metrics import kernel_target_alignment
from ntk_core.testing import explicit_jacobian


def _layer_columns(net: nc.MLP, d_in: int) -> list[slice]:
    """Columns of each layer (W then b) in the explicit Jacobian (ntk_core.testing.flatten)."""
    n = net.layer_widths(d_in)
    out, start = [], 0
    for i in range(len(n) - 1):
        size = n[i + 1] * (n[i] + 1)
        out.append(slice(start, start + size))
        start += size
    return out


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("act", ["relu", "erf"])
@pytest.mark.parametrize("param", nc.PARAMETERIZATIONS)
def test_layer_blocks_equal_the_jacobian_split_by_layer(depth, act, param):
    """Θ_l = J_l J_lᵀ with J_l the Jacobian columns of layer l's weights and bias."""
    net = nc.MLP(depth, 7, act, bias_std=0.4, parameterization=param)
    x = np.random.default_rng(depth).normal(size=(5, 3))
    params = net.init(3, seed=11)
    jac = explicit_jacobian(net, params, x)
    blocks = layer_kernels(net, params, x)
    assert len(blocks) == depth + 1
    for block, cols in zip(blocks, _layer_columns(net, 3), strict=True):
        j = jac[:, cols]
        np.testing.assert_allclose(block, j @ j.T, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(sum(blocks), nc.empirical_ntk(net, params, x), rtol=1e-12)
    ro, hid = readout_hidden_split(net, params, x)
    np.testing.assert_allclose(ro, blocks[-1])
    np.testing.assert_allclose(ro + hid, sum(blocks), rtol=1e-13)


def test_kernel_target_alignment():
    y = np.array([1.0, -2.0, 0.5])
    assert kernel_target_alignment(np.outer(y, y), y) == pytest.approx(1.0)
    k = np.random.default_rng(0).normal(size=(3, 3))
    k = k @ k.T
    expected = y @ k @ y / (np.sqrt(np.sum(k * k)) * np.sum(y * y))
    assert kernel_target_alignment(k, y) == pytest.approx(expected)
    assert kernel_target_alignment(7.0 * k, y) == pytest.approx(expected)  # scale-free
    assert np.isnan(kernel_target_alignment(np.zeros((3, 3)), y))
    with pytest.raises(ValueError):
        kernel_target_alignment(k, y[:2])


def test_fit_rate_recovers_a_planted_law_only_above_fit_from():
    widths = np.array([10, 100, 1000, 2000, 4000, 8000])
    rng = np.random.default_rng(1)
    law = 3.0 * np.maximum(widths, 1000) ** -0.5  # flat below 1000: not yet asymptotic
    values = law[:, None] * np.exp(0.01 * rng.normal(size=(widths.size, 4)))
    fit = motion.fit_rate(widths, values, fit_from=1000)
    assert fit.widths == (1000, 2000, 4000, 8000)
    assert fit.slope == pytest.approx(-0.5, abs=0.02)
    assert fit.per_seed.shape == (4,)
    lo, hi = fit.seed_range
    assert -0.55 < lo <= hi < -0.45
    assert motion.fit_rate(widths, values, fit_from=1).slope > -0.4  # the flat part spoils it


def test_lr_for_each_parameterization():
    assert motion.lr_for(nc.MLP(1, 500, parameterization="standard"), 0.1) == pytest.approx(2e-4)
    assert motion.lr_for(nc.MLP(1, 500), 0.1) == 0.1
    assert motion.lr_for(nc.MLP(1, 500, parameterization="mean_field"), 0.1) == 0.1


def test_mean_field_kernel_is_the_ntk_kernel_over_width():
    """Same draw, same forward pass: the mean-field readout is 1/√m smaller, so m·Θ_mf = Θ_ntk."""
    x = np.random.default_rng(2).normal(size=(6, 2))
    ntk, mf = nc.MLP(2, 300, bias_std=0.3), nc.MLP(2, 300, bias_std=0.3,
                                                   parameterization="mean_field")
    p = ntk.init(2, seed=5)
    np.testing.assert_allclose(300 * nc.empirical_ntk(mf, p, x), nc.empirical_ntk(ntk, p, x),
                               rtol=1e-12)


def test_readout_only_kernel_is_the_post_activation_covariance():
    """One hidden ReLU layer: E[relu(u) relu(v)] by Monte Carlo over u, v ~ N(0, Σ), with Σ the
    pre-activation covariance σ_w² x·x'/d + σ_b²."""
    x = np.array([[1.0, 0.0], [0.6, 0.8], [-1.0, 0.3]])
    net = nc.MLP(1, 10, "relu", bias_std=0.5)
    sigma = net.sigma_w**2 * x @ x.T / 2 + 0.25
    z = np.random.default_rng(3).multivariate_normal(np.zeros(3), sigma, size=400_000)
    mc = np.maximum(z, 0).T @ np.maximum(z, 0) / z.shape[0]
    np.testing.assert_allclose(motion.readout_only_kernel(x, net), mc, rtol=0.02, atol=0.01)


def test_standard_kernel_over_width_tends_to_the_readout_only_kernel_not_the_ntk():
    x = nc.make_inputs("grid", 9)
    net = nc.MLP(1, 10, "relu", bias_std=1.0)
    lim = motion.parameterization_limits(x, net, [100, 1000, 10_000], n_seeds=2)
    # each falls like m^(-1/2) towards its own limit (a CLT); the standard one's limit is not Θ∞
    for p in ("standard", "ntk"):
        assert lim.distance[p].mean(axis=1)[-1] < 0.3 * lim.distance[p].mean(axis=1)[0]
        assert -0.75 < lim.fits[p].slope < -0.3
    np.testing.assert_allclose(lim.distance["mean_field"], lim.distance["ntk"], rtol=1e-10)
    assert lim.shape_gap > 0.03  # the two limits differ in shape, not just in scale
    theta_inf = nc.analytic_kernels(x, depth=1, weight_std=net.sigma_w, bias_std=1.0).ntk
    std = nc.MLP(1, 10_000, "relu", bias_std=1.0, parameterization="standard")
    k = nc.empirical_ntk(std, std.init(1, seed=0), x) / 10_000
    t = theta_inf * np.trace(k) / np.trace(theta_inf)  # Θ∞ rescaled to the same trace
    assert nc.relative_frobenius(k, t) > 2 * nc.relative_frobenius(
        k, motion.readout_only_kernel(x, net))


def test_kernel_motion_by_width_combines_to_the_whole_sweep():
    x = nc.make_inputs("grid", 7)
    y = nc.target_function("sin", x)
    net = nc.MLP(1, 10, "relu", bias_std=1.0)
    kw = dict(lr=0.02, steps=30, n_seeds=2, n_spread=3, fit_from=20)
    whole = motion.kernel_motion(x, y, net, [20, 40, 80], **kw)
    parts = [motion.kernel_motion(x, y, net, [w], **kw) for w in (80, 20, 40)]
    both = motion.combine(parts, fit_from=20)
    for key in ("spread", "change", "change_hidden", "alignment", "trace_ratio"):
        np.testing.assert_array_equal(getattr(both, key), getattr(whole, key))
    assert both.fits["change"].slope == whole.fits["change"].slope
    # the measures agree with a direct computation for one cell
    p0 = net.with_width(40).init(1, motion.seed_pair(0, 1)[0])
    run = nc.train_gd(net.with_width(40), p0, x, y, lr=0.02, steps=30)
    t0 = nc.empirical_ntk(net.with_width(40), p0, x)
    t1 = nc.empirical_ntk(net.with_width(40), run.params, x)
    assert whole.change[1, 1] == pytest.approx(nc.relative_frobenius(t1, t0), rel=1e-10)
    assert whole.alignment[1, 1] == pytest.approx(nc.alignment_distance(t1, t0), rel=1e-8)
    assert whole.trace_ratio[1, 1] == pytest.approx(np.trace(t1) / np.trace(t0), rel=1e-10)


def test_motion_cost_grows_with_width_seeds_and_a_slower_activation():
    x = nc.make_inputs("grid", 15)
    y = nc.target_function("sin", x)
    relu, erf = nc.MLP(1, 10, "relu"), nc.MLP(1, 10, "erf")
    base = motion.kernel_motion_cost(x, y, relu, [1000, 2000], steps=500, n_seeds=3)
    assert motion.kernel_motion_cost(x, y, relu, [1000, 4000], steps=500, n_seeds=3).seconds \
        > base.seconds
    assert motion.kernel_motion_cost(x, y, relu, [1000, 2000], steps=500, n_seeds=6).seconds \
        > base.seconds
    # scipy's erf and exp cost ≈ 25 simple passes: training erf nets is several times slower
    assert motion.kernel_motion_cost(x, y, erf, [1000, 2000], steps=500, n_seeds=3).seconds \
        > 2.5 * base.seconds
