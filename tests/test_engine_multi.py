"""k-output networks: gradients by finite differences, k = 1 equals the scalar trainer, and the
outputs of a wide net train independently, each by kernel regression with the scalar NTK."""

from __future__ import annotations

import numpy as np
import pytest

import ntk_core as nc
from ntk_core._multi import apply_multi, init_multi, train_multi
from ntk_core._training import DivergenceGuard


def _loss(net, p, x, y):
    return 0.5 * np.sum((apply_multi(net, p, x) - y) ** 2)


@pytest.mark.parametrize("param", nc.PARAMETERIZATIONS)
@pytest.mark.parametrize("act", ["relu", "erf"])
def test_one_step_is_the_finite_difference_gradient(param, act):
    net = nc.MLP(2, 6, act, bias_std=0.3, parameterization=param)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    p0 = init_multi(net, 3, 4, seed=1)
    lr = 1e-3
    p1 = train_multi(net, p0, x, y, lr=lr, steps=1).params
    eps = 1e-6
    for layer in range(len(p0)):
        for name in ("W", "b"):
            flat = p0[layer][name].ravel()
            for idx in (0, flat.size - 1):
                up = [{k: v.copy() for k, v in q.items()} for q in p0]
                dn = [{k: v.copy() for k, v in q.items()} for q in p0]
                up[layer][name].ravel()[idx] += eps
                dn[layer][name].ravel()[idx] -= eps
                grad = (_loss(net, up, x, y) - _loss(net, dn, x, y)) / (2 * eps)
                step = (p0[layer][name].ravel()[idx] - p1[layer][name].ravel()[idx])
                assert step == pytest.approx(lr * net.lr_multiplier * grad, rel=1e-5,
                                             abs=1e-12)


def test_one_output_is_the_scalar_trainer():
    net = nc.MLP(2, 20, "relu", bias_std=0.5)
    x = nc.make_inputs("grid", 9)
    y = nc.target_function("sin", x)
    p = net.init(1, seed=3)
    scalar = nc.train_gd(net, p, x, y, lr=0.01, steps=50, x_test=x[::2])
    multi = train_multi(net, p, x, y[:, None], lr=0.01, steps=50, x_test=x[::2])
    np.testing.assert_allclose(multi.losses, scalar.losses, rtol=1e-10)
    np.testing.assert_allclose(multi.test_preds[..., 0], scalar.test_preds, rtol=1e-9,
                               atol=1e-12)


def test_wide_net_outputs_follow_kernel_regression_each():
    """Width 4,000, three outputs: after training each output is close to its own NTK
    regression with the scalar net's Θ₀ (lazy regime; the gap is O(1/√width))."""
    net = nc.MLP(1, 4000, "relu", bias_std=1.0)
    x = nc.make_inputs("grid", 12)
    y = np.stack([np.sin(2 * x[:, 0]), np.cos(x[:, 0]), x[:, 0] ** 2 / 4], axis=1)
    p = init_multi(net, 1, 3, seed=4)
    xt = np.linspace(-2, 2, 7)[:, None]
    run = train_multi(net, p, x, y, lr=0.01, steps=400, x_test=xt)
    assert not run.diverged and run.losses[-1] < 0.2 * run.losses[0]
    f0, f0t = apply_multi(net, p, x), apply_multi(net, p, xt)
    for c in range(3):
        scalar = [*p[:-1], {"W": p[-1]["W"][c:c + 1], "b": p[-1]["b"][c:c + 1]}]
        th = nc.empirical_ntk(net, scalar, x)
        tt = nc.empirical_ntk(net, scalar, xt, x)
        lin = nc.linearized_dynamics(th, f0[:, c], y[:, c], lr=0.01, steps=[400],
                                     theta_test=tt, f0_test=f0t[:, c])
        gap = np.abs(run.test_preds[-1, :, c] - lin.test[-1]).max()
        assert gap < 0.05, (c, gap)


def test_bad_inputs_are_refused():
    net = nc.MLP(1, 5)
    p = init_multi(net, 1, 2)
    x = np.zeros((3, 1))
    with pytest.raises(ValueError, match="shape"):
        train_multi(net, p, x, np.zeros((3, 3)), lr=0.1, steps=1)
    with pytest.raises(ValueError, match="NaN"):
        train_multi(net, p, x, np.full((3, 2), np.nan), lr=0.1, steps=1)
    with pytest.raises(ValueError):
        init_multi(net, 1, 0)
    diverged = train_multi(net, p, np.ones((3, 1)), np.ones((3, 2)), lr=1e3, steps=50)
    assert diverged.diverged and "diverged" in diverged.message


def _trainers(net=None, x=None, y=None, seed=0):
    """Every gradient-descent trainer, called on one problem with (lr, steps); by default a
    tiny one (schedule checks need no more)."""
    net = nc.MLP(1, 4) if net is None else net
    x = np.ones((3, 2)) if x is None else x
    y = np.ones(3) if y is None else y
    p, pm = net.init(x.shape[1], seed), init_multi(net, x.shape[1], 1, seed=seed)
    return {
        "train_gd": lambda lr, steps: nc.train_gd(net, p, x, y, lr=lr, steps=steps),
        "train_multi": lambda lr, steps: train_multi(net, pm, x, y[:, None], lr=lr, steps=steps),
        "train_readout_gd": lambda lr, steps: nc.train_readout_gd(net, p, x, y, lr=lr,
                                                                steps=steps),
    }


@pytest.mark.parametrize("trainer", ["train_gd", "train_multi", "train_readout_gd"])
@pytest.mark.parametrize(("lr", "steps", "message"), [
    (0.0, 1, "lr must be"), (-0.1, 1, "lr must be"), (float("nan"), 1, "lr must be"),
    (float("inf"), 1, "lr must be"), (0.1, -1, "steps must be"), (0.1, 1.5, "steps must be"),
    (0.1, True, "steps must be"),
])
def test_every_trainer_refuses_the_same_bad_schedules(trainer, lr, steps, message):
    with pytest.raises(ValueError, match=message):
        _trainers()[trainer](lr, steps)


@pytest.mark.parametrize("trainer", ["train_gd", "train_multi", "train_readout_gd"])
def test_every_trainer_takes_an_integral_float_step_count(trainer):
    assert len(_trainers()[trainer](0.01, 3.0).losses) == 4  # steps 0 … 3


@pytest.mark.parametrize("trainer", ["train_gd", "train_multi", "train_readout_gd"])
def test_every_trainer_stops_at_the_same_divergence_rule(trainer):
    """A step far above 2/λ_max: the loss grows by a factor |1 − ηλ|² ≫ 1 a step, so the run
    stops at the first step whose loss exceeds 1e6 × the initial loss, with finite losses
    before it, NaN from it, and a message naming that step."""
    x = nc.make_inputs("grid", 8)
    res = _trainers(nc.MLP(1, 32, "erf", bias_std=0.5),  # smooth: no unit dies, the loss blows up
                    x, nc.target_function("sin", x), seed=2)[trainer](50.0, 200)
    losses = np.asarray(res.losses)
    assert res.diverged and res.diverged_at is not None and 0 < res.diverged_at < 200
    assert np.all(np.isfinite(losses[: res.diverged_at])) and np.isnan(
        losses[res.diverged_at:]).all()
    assert losses[: res.diverged_at].max() <= 1e6 * max(losses[0], 1e-12)
    assert f"diverged at step {res.diverged_at}" in res.message
    if trainer != "train_multi":  # TrainResult counts the steps run
        assert res.steps_run == res.diverged_at


def test_divergence_guard_limit_is_set_by_the_first_loss():
    guard = DivergenceGuard(10.0)
    assert not guard.diverged(2.0)  # limit 20
    assert not guard.diverged(20.0) and guard.diverged(20.000001)
    assert guard.diverged(float("nan")) and guard.diverged(float("inf"))
    assert guard.message("Training", None, 0.1, "the NTK") == ""
    tiny = DivergenceGuard(1e6)
    assert not tiny.diverged(0.0) and tiny.diverged(1e-5)  # the limit is at least 1e6 × 1e-12
    assert DivergenceGuard(2.0).diverged(float("nan"))  # a NaN first loss is a divergence
