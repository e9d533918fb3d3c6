"""The Activation objects: phi' against finite differences, the fused in-place pass against
phi and phi', and the diagonal map against Gauss-Hermite quadrature. (The two-point maps are
checked through the whole recursion in test_engine_analytic.py, against adaptive quadrature.)"""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import norm

import ntk_core as nc
from ntk_core._activations import ACTIVATIONS, Erf, ReLU, get_activation

Z = np.linspace(-3.0, 3.0, 61) + 0.013  # no point at the ReLU kink


@pytest.mark.parametrize("act", [ReLU, Erf])
def test_derivative_is_the_finite_difference_of_fn(act):
    """Central differences with h = 1e-6: truncation ~h^2 ~ 1e-12, rounding ~1e-10."""
    h = 1e-6
    fd = (act.fn(Z + h) - act.fn(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(Z), fd, atol=1e-8)


@pytest.mark.parametrize("act", [ReLU, Erf])
def test_fused_pass_equals_fn_and_derivative(act):
    z, dphi = Z.copy(), np.empty_like(Z)
    act.activate(z, dphi)
    np.testing.assert_allclose(z, act.fn(Z), rtol=1e-15)
    np.testing.assert_allclose(dphi, act.derivative(Z), rtol=1e-15)
    z, dphi = Z.copy(), np.empty_like(Z)
    act.fused(z, dphi)  # without the constant
    np.testing.assert_allclose(dphi * act.derivative_scale, act.derivative(Z), rtol=1e-15)
    assert Erf.derivative_scale == pytest.approx(Erf.derivative(np.zeros(1))[0], rel=1e-15)


@pytest.mark.parametrize("act", [ReLU, Erf])
@pytest.mark.parametrize("k", [0.05, 1.0, 7.5])
def test_diagonal_is_the_gaussian_second_moment(act, k):
    """E[phi(u)^2], u ~ N(0, k), by adaptive quadrature over u > 0 (phi^2 is even for erf, and
    zero below 0 for ReLU), asked for 1e-12 relative accuracy."""
    s = math.sqrt(k)
    half, _ = quad(lambda u: act.fn(np.array([u]))[0] ** 2 * norm.pdf(u, scale=s), 0, np.inf,
                   epsabs=0, epsrel=1e-12)
    expected = half if act is ReLU else 2 * half
    assert act.diagonal(np.array([k]))[0] == pytest.approx(expected, rel=1e-10)


def test_lookup_and_defaults():
    assert ACTIVATIONS == ("relu", "erf")
    assert get_activation("relu") is ReLU and get_activation("erf") is Erf
    with pytest.raises(ValueError, match="activation must be one of"):
        get_activation("tanh")
    with pytest.raises(ValueError, match="activation must be one of"):
        nc.MLP(1, 3, "tanh")
    assert nc.MLP(1, 3).sigma_w == math.sqrt(2.0) and nc.MLP(1, 3, "erf").sigma_w == 1.0
    assert nc.MLP(1, 3, "erf").nonlinearity is Erf
