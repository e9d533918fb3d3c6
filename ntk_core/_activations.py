"""Pointwise activations and their derivatives (ReLU, erf)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import erf as _erf

ACTIVATIONS = ("relu", "erf")

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_prime(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)


def _erf_prime(z: np.ndarray) -> np.ndarray:
    return _TWO_OVER_SQRT_PI * np.exp(-(z * z))


_TABLE: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "relu": (_relu, _relu_prime),
    "erf": (_erf, _erf_prime),
}


def check_activation(name: str) -> str:
    """Return ``name`` if it is a supported activation, else raise ``ValueError``."""
    if name not in _TABLE:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return name


def activation(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """phi for ``name``."""
    return _TABLE[check_activation(name)][0]


def activation_derivative(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """phi' for ``name`` (ReLU'(0) is taken as 0)."""
    return _TABLE[check_activation(name)][1]
