"""The engine's fast paths agree with the plain ones they replace: chunked wide training
(``_GDWide``) with whole-array training, the rank-1 ``dense`` with matmul, and the blocked
analytic recursion with itself across block sizes."""

import math

import numpy as np
import pytest

import ntk_core as nc
from ntk_core import _analytic, _training
from ntk_core._mlp import dense


@pytest.mark.parametrize(
    ("act", "par", "sb", "alpha", "d"),
    [
        ("relu", "ntk", 1.0, None, 1),
        ("erf", "standard", 0.5, None, 2),
        ("relu", "mean_field", 0.3, None, 1),
        ("relu", "ntk", 0.0, 3.0, 3),
        ("erf", "ntk", 1.0, 0.5, 1),
    ],
)
def test_chunked_wide_training_equals_whole_array_training(monkeypatch, act, par, sb, alpha, d):
    net = nc.MLP(1, 300, act, bias_std=sb, parameterization=par)
    rng = np.random.default_rng(3)
    x, x_test = rng.standard_normal((12, d)), rng.standard_normal((7, d))
    y = np.sin(x[:, 0])
    params = net.init(d, seed=4)
    kw = dict(
        lr=0.05 / net.lr_multiplier,
        steps=25,
        alpha=alpha,
        x_test=x_test,
        record_steps=[0, 3, 25],
        record_kernels=True,
    )
    whole = nc.train_gd(net, params, x, y, **kw)
    monkeypatch.setattr(_training, "_WIDE_CELLS", 0)
    monkeypatch.setattr(_training, "_WIDE_CHUNK", 12 * 64)  # 64 units per chunk, 5 chunks
    chunked = nc.train_gd(net, params, x, y, **kw)
    np.testing.assert_allclose(chunked.losses, whole.losses, rtol=1e-12)
    np.testing.assert_allclose(chunked.train_preds, whole.train_preds, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(chunked.test_preds, whole.test_preds, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(chunked.kernels, whole.kernels, rtol=1e-11)
    for a, b in zip(chunked.params, whole.params, strict=True):
        np.testing.assert_allclose(a["W"], b["W"], rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(a["b"], b["b"], rtol=1e-11, atol=1e-14)


def test_chunked_training_detects_divergence(monkeypatch):
    monkeypatch.setattr(_training, "_WIDE_CELLS", 0)
    monkeypatch.setattr(_training, "_WIDE_CHUNK", 15 * 64)
    net = nc.MLP(1, 200, bias_std=1.0)
    x = nc.make_inputs("grid", 15)
    res = nc.train_gd(net, net.init(1, 0), x, nc.target_function("sin", x), lr=5.0, steps=200)
    assert res.diverged and np.isnan(res.losses[-1])


@pytest.mark.parametrize("shape", [(5, 1), (1, 1), (0, 1)])
def test_dense_rank_one_is_the_matmul(shape):
    rng = np.random.default_rng(0)
    a, w = rng.standard_normal(shape), rng.standard_normal((9, 1))
    np.testing.assert_array_equal(dense(a, w), a @ w.T)
    out = np.empty((shape[0], 9))
    assert dense(a, w, out=out) is out


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 15])
@pytest.mark.parametrize("act", ["relu", "erf"])
def test_analytic_result_does_not_depend_on_block_size(monkeypatch, block, act):
    rng = np.random.default_rng(1)
    x1, x2 = rng.standard_normal((23, 3)), rng.standard_normal((11, 3))
    kw = dict(depth=4, activation=act, weight_std=math.sqrt(2.0), bias_std=0.2)
    ref_sym, ref = nc.analytic_kernels(x1, **kw), nc.analytic_kernels(x1, x2, **kw)
    monkeypatch.setattr(_analytic, "_BLOCK", block)
    got_sym, got = nc.analytic_kernels(x1, **kw), nc.analytic_kernels(x1, x2, **kw)
    for g, r in [(got_sym.ntk, ref_sym.ntk), (got_sym.nngp, ref_sym.nngp), (got.ntk, ref.ntk)]:
        np.testing.assert_allclose(g, r, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(got_sym.ntk, got_sym.ntk.T)
