"""Infinite-width NNGP and NTK of a fully connected net (NTK parameterization).

The same kernels as neural-tangents' ``stax.serial(*[Dense(w, W_std, b_std), phi] * depth,
Dense(1, W_std, b_std))``. Start from K = x·x'/d, Theta = 0 and apply, layer by layer:

    Dense:       K <- sigma_w^2 K + sigma_b^2,      Theta <- K_new + sigma_w^2 Theta
    Activation:  K <- E[phi(u) phi(v)],             Theta <- Theta · E[phi'(u) phi'(v)]

with (u, v) ~ N(0, [[K11, K12], [K12, K22]]) (Jacot et al. 2018; Lee et al. 2019).

ReLU (the arc-cosine kernel of degree 1, Cho & Saul 2009), with
theta = arctan2(sqrt(K11 K22 - K12^2), K12), which stays accurate for parallel inputs where
arccos(K12 / sqrt(K11 K22)) loses half the digits:

    E[relu relu]   = (sqrt(K11 K22 - K12^2) + (pi - theta) K12) / (2 pi)
    E[relu' relu'] = (pi - theta) / (2 pi)

erf (Williams 1997):

    E[erf erf]     = (2/pi) arcsin(2 K12 / sqrt((1 + 2 K11)(1 + 2 K22)))
    E[erf' erf']   = (4/pi) / sqrt((1 + 2 K11)(1 + 2 K22) - 4 K12^2)
"""

from __future__ import annotations

import numpy as np

from ._activations import check_activation
from ._empirical import Kernels

_INV_2PI = 1.0 / (2.0 * np.pi)
_DET_SNAP = 16.0 * np.finfo(float).eps


def _relu_step(k12, k11, k22, t12):
    prod = np.outer(k11, k22)
    det = prod - k12 * k12
    # K11 K22 - K12^2 carries a rounding error of a few eps * K11 K22: below that it is
    # indistinguishable from 0, so snap it (parallel inputs then come out exact instead of
    # off by sqrt(eps) ~ 1e-8 relative, and the kernel stays PSD to rounding).
    det[det <= _DET_SNAP * prod] = 0.0
    sdet = np.sqrt(det)
    angle = np.arctan2(sdet, k12)
    pi_minus = np.pi - angle
    new_k = (sdet + pi_minus * k12) * _INV_2PI
    new_t = t12 * (pi_minus * _INV_2PI)
    return new_k, new_t, 0.5 * k11, 0.5 * k22


def _erf_step(k12, k11, k22, t12):
    a1, a2 = 1.0 + 2.0 * k11, 1.0 + 2.0 * k22
    prod = np.outer(a1, a2)
    ratio = np.clip(2.0 * k12 / np.sqrt(prod), -1.0, 1.0)
    new_k = (2.0 / np.pi) * np.arcsin(ratio)
    denom = np.sqrt(np.maximum(prod - 4.0 * k12 * k12, np.finfo(float).tiny))
    new_t = t12 * ((4.0 / np.pi) / denom)
    diag = lambda k, a: (2.0 / np.pi) * np.arcsin(np.clip(2.0 * k / a, -1.0, 1.0))  # noqa: E731
    return new_k, new_t, diag(k11, a1), diag(k22, a2)


_STEPS = {"relu": _relu_step, "erf": _erf_step}


def _check_x(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (n, d), got shape {x.shape}")
    if x.shape[1] == 0:
        raise ValueError(f"{name} must have at least one feature")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity")
    return x


def analytic_kernels(
    x1: np.ndarray,
    x2: np.ndarray | None = None,
    *,
    depth: int,
    activation: str = "relu",
    weight_std: float = 1.0,
    bias_std: float = 0.0,
) -> Kernels:
    """Infinite-width ``(nngp, ntk)`` between ``x1`` (n1, d) and ``x2`` (n2, d).

    ``depth`` hidden layers with ``activation`` ("relu" or "erf") and a linear readout, all
    Dense layers with weight scale ``weight_std`` and bias scale ``bias_std`` (NTK
    parameterization; see the module docstring for the recursion).
    """
    check_activation(activation)
    if isinstance(depth, bool) or int(depth) != depth or depth < 0:
        raise ValueError(f"depth must be an integer >= 0, got {depth!r}")
    sw2, sb2 = float(weight_std) ** 2, float(bias_std) ** 2
    if not (np.isfinite(sw2) and np.isfinite(sb2)):
        raise ValueError("weight_std and bias_std must be finite")
    x1 = _check_x(x1, "x1")
    sym = x2 is None
    x2 = x1 if sym else _check_x(x2, "x2")
    if x1.shape[1] != x2.shape[1]:
        raise ValueError(f"x1 has {x1.shape[1]} features and x2 has {x2.shape[1]}")
    d = x1.shape[1]
    k12 = (x1 @ x2.T) / d
    k11 = np.einsum("ij,ij->i", x1, x1) / d
    k22 = k11 if sym else np.einsum("ij,ij->i", x2, x2) / d
    if sym:
        np.fill_diagonal(k12, k11)  # the same number, however the product rounded
    t12 = np.zeros_like(k12)
    step = _STEPS[activation]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked below
        for _ in range(int(depth)):
            k12, k11, k22 = sw2 * k12 + sb2, sw2 * k11 + sb2, sw2 * k22 + sb2
            t12 = k12 + sw2 * t12
            k12, t12, k11, k22 = step(k12, k11, k22, t12)
        k12 = sw2 * k12 + sb2
        t12 = k12 + sw2 * t12
    if sym:
        k12 = 0.5 * (k12 + k12.T)
        t12 = 0.5 * (t12 + t12.T)
    if not (np.all(np.isfinite(k12)) and np.all(np.isfinite(t12))):
        raise ValueError(
            "the kernel overflowed float64: reduce weight_std (sigma_w^2 multiplies the kernel "
            "at every layer) or the depth"
        )
    return Kernels(k12, t12)


def analytic_ntk(x1: np.ndarray, x2: np.ndarray | None = None, **kwargs) -> np.ndarray:
    """The NTK part of :func:`analytic_kernels`."""
    return analytic_kernels(x1, x2, **kwargs).ntk
