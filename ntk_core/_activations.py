"""Pointwise activations: phi, phi', and the Gaussian expectations of the infinite-width kernels.

One :class:`Activation` object per nonlinearity holds everything the engine needs to know about
it: the function and its derivative (the network, its gradients and the empirical NTK), a fused
in-place pass for the hot loops, and the two maps of the infinite-width recursion
(:mod:`ntk_core._analytic`). For (u, v) ~ N(0, [[K11, K12], [K12, K22]]) these are

    T(K)  = E[phi(u) phi(v)]       the next layer's NNGP,
    T'(K) = E[phi'(u) phi'(v)]     the factor on the NTK,

and the diagonal map k -> E[phi(u)^2], u ~ N(0, k).

ReLU: the arc-cosine kernel of degree 1 (Cho & Saul 2009, "Kernel methods for deep learning",
NeurIPS), with theta = arctan2(sqrt(K11 K22 - K12^2), K12), which stays accurate for parallel
inputs where arccos(K12 / sqrt(K11 K22)) loses half the digits:

    E[relu relu]   = (sqrt(K11 K22 - K12^2) + (pi - theta) K12) / (2 pi),   E[relu(u)^2] = k / 2
    E[relu' relu'] = (pi - theta) / (2 pi)                                 (relu'(0) = 0)

erf (Williams 1997, "Computing with infinite networks", NeurIPS):

    E[erf erf]     = (2/pi) arcsin(2 K12 / sqrt((1 + 2 K11)(1 + 2 K22)))
    E[erf' erf']   = (4/pi) / sqrt((1 + 2 K11)(1 + 2 K22) - 4 K12^2)
    E[erf(u)^2]    = (2/pi) arcsin(2 k / (1 + 2 k)),        erf'(z) = 2/sqrt(pi) exp(-z^2)

These are the kernels of neural-tangents' ``stax.Relu`` (``ABRelu``) and ``stax.Erf``
(``_src/stax/elementwise.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import erf as _erf

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)  # erf'(0)
_INV_2PI = 1.0 / (2.0 * math.pi)
_DET_SNAP = 16.0 * np.finfo(float).eps
_TINY = np.finfo(float).tiny

Array = np.ndarray
# (k, t, d1, d2, sw2, sb2, work, mask) -> None; see Activation.layers
LayerMap = Callable[[Array, Array, list, list, float, float, list, Array], None]


@dataclass(frozen=True)
class Activation:
    """A pointwise nonlinearity and what the engine needs to know about it.

    ``fn``, ``derivative``: phi and phi'.
    ``fused(z, dphi)``: in place, z <- phi(z) and dphi <- phi'(z) / ``derivative_scale`` (the
    constant is left for the caller to fold into a vector it multiplies anyway).
    ``diagonal(k)``: E[phi(u)^2] for u ~ N(0, k), element-wise.
    ``layers(k, t, d1, d2, sw2, sb2, work, mask)``: every layer of the infinite-width recursion
    on one block of kernel entries, in place (see :mod:`ntk_core._analytic`).
    ``default_weight_std``: the sigma_w that keeps the forward pass's scale, sqrt 2 for ReLU
    (He et al. 2015) and 1 for erf.
    ``pass_cost``: the time of one ``fused`` pass in units of one simple element-wise pass (a
    copy), for the cost model (:mod:`ntk_core.cost`). Measured on (15, 16000) float64 arrays,
    NumPy 2.4 / SciPy 1.17, one thread: ReLU ≈ 1, erf ≈ 25 (scipy's erf and an exp).
    """

    name: str
    fn: Callable[[Array], Array]
    derivative: Callable[[Array], Array]
    derivative_scale: float
    fused: Callable[[Array, Array], None]
    diagonal: Callable[[Array], Array]
    layers: LayerMap
    default_weight_std: float
    pass_cost: float = 1.0

    def activate(self, z: Array, dphi: Array) -> None:
        """In place: z <- phi(z), dphi <- phi'(z)."""
        self.fused(z, dphi)
        if self.derivative_scale != 1.0:
            dphi *= self.derivative_scale


# ----------------------------------------------------------------------------- ReLU
def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_prime(z: Array) -> Array:
    return (z > 0).astype(z.dtype)


def _relu_fused(z: Array, dphi: Array) -> None:
    np.greater(z, 0.0, out=dphi)  # relu'(z) = 1[z > 0], shared with relu(z) = z 1[z > 0]
    z *= dphi


def _relu_diag(k: Array) -> Array:
    return 0.5 * k


def _relu_layers(k, t, d1, d2, sw2, sb2, work, mask) -> None:
    """Every ReLU layer on one block, in place: ``k``, ``t`` enter as the first Dense layer's
    NNGP and NTK and leave as the readout's; ``d1``, ``d2`` the diagonals per layer."""
    q, det, sdet, pm = work
    c = sw2 * _INV_2PI
    for k11, k22 in zip(d1[:-1], d2[:-1], strict=True):
        np.multiply(k11[:, None], k22[None, :], out=q)
        np.multiply(k, k, out=det)
        np.subtract(q, det, out=det)  # K11 K22 - K12^2
        q *= _DET_SNAP  # exact: a power of two
        np.less_equal(det, q, out=mask)
        np.copyto(det, 0.0, where=mask)  # +0.0 (a -0.0 would turn arctan2 by -pi)
        np.sqrt(det, out=sdet)
        np.negative(k, out=pm)
        np.arctan2(sdet, pm, out=pm)  # pi - theta, theta = arctan2(sdet, K12)
        t *= pm
        k *= pm
        k += sdet  # 2 pi E[relu relu]; 2 pi E[relu' relu'] = pm
        k *= c  # next Dense: K <- sw2 K + sb2, T <- K + sw2 T
        if sb2:
            k += sb2
        t *= c
        t += k


# ----------------------------------------------------------------------------- erf
def _erf_prime(z: Array) -> Array:
    return TWO_OVER_SQRT_PI * np.exp(-(z * z))


def _erf_fused(z: Array, dphi: Array) -> None:
    np.multiply(z, z, out=dphi)
    np.negative(dphi, out=dphi)
    np.exp(dphi, out=dphi)  # erf'(z) / (2/sqrt(pi))
    _erf(z, out=z)


def _erf_diag(k: Array) -> Array:
    return (2.0 / np.pi) * np.arcsin(np.clip(2.0 * k / (1.0 + 2.0 * k), -1.0, 1.0))


def _erf_layers(k, t, d1, d2, sw2, sb2, work, mask) -> None:
    """As :func:`_relu_layers` for erf."""
    q, tmp, ratio, _ = work
    for k11, k22 in zip(d1[:-1], d2[:-1], strict=True):
        np.multiply((1.0 + 2.0 * k11)[:, None], (1.0 + 2.0 * k22)[None, :], out=q)
        np.sqrt(q, out=ratio)
        np.divide(k, ratio, out=ratio)
        ratio *= 2.0  # 2 K12 / sqrt((1 + 2 K11)(1 + 2 K22))
        np.clip(ratio, -1.0, 1.0, out=ratio)
        np.arcsin(ratio, out=ratio)
        np.multiply(k, k, out=tmp)
        tmp *= 4.0
        np.subtract(q, tmp, out=tmp)
        np.maximum(tmp, _TINY, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.divide(4.0 / np.pi, tmp, out=tmp)  # E[erf' erf']
        t *= tmp
        np.multiply(ratio, 2.0 / np.pi, out=k)  # E[erf erf]
        k *= sw2
        if sb2:
            k += sb2
        t *= sw2
        t += k


ReLU = Activation("relu", _relu, _relu_prime, 1.0, _relu_fused, _relu_diag, _relu_layers,
                  math.sqrt(2.0))
Erf = Activation("erf", _erf, _erf_prime, TWO_OVER_SQRT_PI, _erf_fused, _erf_diag, _erf_layers,
                 1.0, pass_cost=25.0)

_BY_NAME = {a.name: a for a in (ReLU, Erf)}
ACTIVATIONS = tuple(_BY_NAME)


def get_activation(name: str) -> Activation:
    """The :class:`Activation` called ``name``; ``ValueError`` for an unknown name."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}") from None
