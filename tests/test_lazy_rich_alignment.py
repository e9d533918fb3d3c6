"""The Lazy vs rich panel's kernel measures during training, against an independent computation.

``experiments.lazy_rich_panel`` reports, at every snapshot t, the relative Frobenius change
‖Θ_t − Θ₀‖_F/‖Θ₀‖_F and the alignment distance 1 − ⟨Θ_t, Θ₀⟩_F/(‖Θ_t‖_F ‖Θ₀‖_F). Here the same
training is redone by hand: plain gradient descent θ ← θ − η Jᵀ(f − y) with the Jacobian J taken
by central finite differences of ``MLP.apply`` (no backpropagation, no Gram formula), Θ_t = J Jᵀ,
and both measures written out. A mix-up of kernels (e.g. Θ_T against the test kernel, or the
cosine itself instead of one minus it) fails by orders of magnitude more than the tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest

from ntk_core import MLP, experiments, make_inputs, target_function

WIDTH, STEPS, LR, SEED, SNAPS = 6, 60, 0.02, 3, 4


def _flat(params) -> np.ndarray:
    return np.concatenate([np.concatenate([p["W"].ravel(), p["b"].ravel()]) for p in params])


def _unflat(theta: np.ndarray, like) -> list[dict]:
    out, i = [], 0
    for p in like:
        w = theta[i : i + p["W"].size].reshape(p["W"].shape)
        i += p["W"].size
        b = theta[i : i + p["b"].size].reshape(p["b"].shape)
        i += p["b"].size
        out.append({"W": w, "b": b})
    return out


def _jacobian(net: MLP, theta: np.ndarray, like, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    jac = np.empty((x.shape[0], theta.size))
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        jac[:, k] = (net.apply(_unflat(theta + e, like), x)
                     - net.apply(_unflat(theta - e, like), x)) / (2 * h)
    return jac


@pytest.fixture(scope="module")
def by_hand_and_panel():
    x = make_inputs("grid", 7)
    y = target_function("sin", x)
    x_test = np.linspace(-2.5, 2.5, 11)[:, None]
    net = MLP(1, WIDTH, bias_std=1.0)
    params = net.init(1, experiments.seed_pair(SEED, 0)[0])  # as lazy_rich_panel does
    snaps = np.unique(np.round(np.linspace(0, STEPS, SNAPS)).astype(int))
    theta = _flat(params)
    kernels = {}
    for t in range(STEPS + 1):
        jac = _jacobian(net, theta, params, x)
        if t in snaps:
            kernels[t] = jac @ jac.T
        r = net.apply(_unflat(theta, params), x) - y
        theta = theta - LR * jac.T @ r
    panel = experiments.lazy_rich_panel(x, y, x_test, net, lr=LR, steps=STEPS, seed=SEED,
                                        n_snapshots=SNAPS)
    return snaps, kernels, panel


def test_snapshots_are_the_hand_computed_ones(by_hand_and_panel):
    snaps, _, panel = by_hand_and_panel
    assert list(panel.steps) == list(snaps)


def test_alignment_distance_matches_a_finite_difference_kernel(by_hand_and_panel):
    snaps, kernels, panel = by_hand_and_panel
    k0 = kernels[0]
    want = np.array([1 - np.sum(kernels[t] * k0) / (np.linalg.norm(kernels[t]) * np.linalg.norm(k0))
                     for t in snaps])
    assert panel.kernel_alignment[0] == pytest.approx(0.0, abs=1e-12)
    assert want[-1] > 1e-4  # a narrow net rewires its kernel: the check is not against zero
    # finite-difference kernels carry ~1e-9 relative error; a relative 1e-3 is far tighter than
    # the gap to a wrong pairing or to the cosine itself (distances here are 0.38-0.40)
    np.testing.assert_allclose(panel.kernel_alignment[1:], want[1:], rtol=1e-3)


def test_frobenius_change_matches_a_finite_difference_kernel(by_hand_and_panel):
    snaps, kernels, panel = by_hand_and_panel
    k0 = kernels[0]
    want = np.array([np.linalg.norm(kernels[t] - k0) / np.linalg.norm(k0) for t in snaps])
    assert want[-1] > 1e-2
    np.testing.assert_allclose(panel.kernel_change[1:], want[1:], rtol=1e-4)
    # the two measures differ: alignment is scale-free, the Frobenius change is not
    assert not np.allclose(panel.kernel_change[1:], panel.kernel_alignment[1:], rtol=0.1)
