"""Distances between kernel matrices, and spectra."""

from __future__ import annotations

import math

import numpy as np


def relative_frobenius(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b||_F / ||b||_F (``b`` is the reference); NaN when ``b`` is zero."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    den = np.linalg.norm(b)
    return math.nan if den == 0 else float(np.linalg.norm(a - b) / den)


def alignment_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Kernel alignment distance 1 - <a, b>_F / (||a||_F ||b||_F) (Cristianini et al. 2002)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    den = np.linalg.norm(a) * np.linalg.norm(b)
    return math.nan if den == 0 else float(1.0 - np.sum(a * b) / den)


def spectrum(kernel: np.ndarray) -> np.ndarray:
    """Eigenvalues of the symmetrised kernel, clipped at 0, in descending order."""
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.shape[0] != k.shape[1]:
        raise ValueError(f"kernel must be square, got shape {k.shape}")
    return np.clip(np.linalg.eigvalsh(0.5 * (k + k.T))[::-1], 0.0, None)


def loglog_slope(x, y) -> tuple[float, float]:
    """Least-squares slope of log y against log x, and its standard error.

    Points with non-positive or non-finite values are ignored; NaN when fewer than 2 remain
    (standard error NaN with fewer than 3).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    lx, ly = np.log(x[ok]), np.log(y[ok])
    if lx.size < 2 or np.ptp(lx) == 0:
        return math.nan, math.nan
    coef, res, *_ = np.polyfit(lx, ly, 1, full=True)
    if lx.size < 3:
        return float(coef[0]), math.nan
    sigma2 = float(res[0]) / (lx.size - 2) if res.size else 0.0
    stderr = math.sqrt(sigma2 / np.sum((lx - lx.mean()) ** 2))
    return float(coef[0]), stderr


def kernel_target_alignment(kernel: np.ndarray, y: np.ndarray) -> float:
    """yᵀΘy / (‖Θ‖_F ‖y‖²), in [−1, 1] for a symmetric Θ; 1 when Θ ∝ yyᵀ (Cristianini et al.
    2002). It is blind to the kernel's scale. NaN for a zero kernel or a zero target."""
    k = np.asarray(kernel, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if k.shape != (y.size, y.size):
        raise ValueError(f"kernel {k.shape} and target ({y.size},) do not match")
    den = np.linalg.norm(k) * float(y @ y)
    return math.nan if den == 0 else float(y @ k @ y / den)
