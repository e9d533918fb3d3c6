"""Training dynamics of the linearized network (kernel regression by gradient descent).

With a fixed kernel Theta = Theta(X, X) = V diag(lambda) V^T and r_0 = f_0(X) - Y, gradient
descent with step eta on L = 1/2 ||f(X) - Y||^2 gives exactly (Lee et al. 2019, eq. 9-10)

    r_t       = (I - eta Theta)^t r_0
    f_t(x)    = f_0(x) - Theta(x, X) Theta^+ [I - (I - eta Theta)^t] r_0,

and gradient flow (the continuous-time limit) replaces (1 - eta lambda)^t by exp(-eta lambda t).
The two agree only while eta lambda_max << 1. Per eigenmode, Theta^+ [I - (1 - eta lambda)^t]
is the scalar g(lambda) = (1 - (1 - eta lambda)^t) / lambda, whose limit at lambda = 0 is
eta t: we use that limit, so a singular Theta (duplicate inputs, a rank-deficient kernel) is
handled without a pseudo-inverse cut-off. Gradient descent is stable only for
eta < 2 / lambda_max; beyond it the result is flagged ``diverged``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_OVERFLOW = 1e150


@dataclass
class LinearizedResult:
    """Predictions of the linearized model at ``steps``.

    ``train`` (k, n) and ``test`` (k, n_test) predictions, ``losses`` (k,) = 1/2 ||r_t||^2,
    ``mode_residuals`` (k, n): the residual's coordinates V^T r_t on the eigenvectors of Theta
    (``eigvals`` descending), ``diverged``: eta lambda_max > 2 (values that overflow are NaN).
    """

    steps: np.ndarray
    train: np.ndarray
    test: np.ndarray | None
    losses: np.ndarray
    mode_residuals: np.ndarray
    eigvals: np.ndarray
    eigvecs: np.ndarray
    lr: float
    mode: str
    diverged: bool


def kernel_eigh(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigen-decomposition of the symmetrised kernel, eigenvalues clipped at 0, descending."""
    theta = np.asarray(theta, dtype=np.float64)
    if theta.ndim != 2 or theta.shape[0] != theta.shape[1]:
        raise ValueError(f"kernel must be a square matrix, got shape {theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise ValueError("kernel contains NaN or infinity")
    lam, vec = np.linalg.eigh(0.5 * (theta + theta.T))
    return np.clip(lam[::-1], 0.0, None), vec[:, ::-1]


def stable_lr_bound(theta: np.ndarray) -> float:
    """2 / lambda_max: gradient descent on the linearized model diverges above this step."""
    lam_max = kernel_eigh(theta)[0][0] if len(theta) else 0.0
    return math.inf if lam_max <= 0 else 2.0 / lam_max


def _mode_factors(lam: np.ndarray, lr: float, t: np.ndarray, mode: str):
    """decay (k, n) = (1 - lr lam)^t or exp(-lr lam t); gain (k, n) = (1 - decay) / lam."""
    eta_lam = lr * lam[None, :]
    tt = t[:, None].astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if mode == "continuous":
            decay = np.exp(-eta_lam * tt)
            one_minus = -np.expm1(-eta_lam * tt)
        else:
            q = 1.0 - eta_lam
            safe = q > 0
            log_q = np.log1p(-np.where(safe, eta_lam, 0.0))
            decay = np.where(safe, np.exp(tt * log_q), np.power(q, tt))
            one_minus = np.where(safe, -np.expm1(tt * log_q), 1.0 - np.power(q, tt))
        small = eta_lam < 1e-12
        gain = np.where(small, lr * tt, one_minus / np.where(small, 1.0, lam[None, :]))
    return decay, gain


def linearized_dynamics(
    theta: np.ndarray,
    f0: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    steps,
    theta_test: np.ndarray | None = None,
    f0_test: np.ndarray | None = None,
    mode: str = "discrete",
) -> LinearizedResult:
    """Linearized-model predictions at each t in ``steps``.

    ``theta`` = Theta(X, X) (n, n); ``theta_test`` = Theta(X_test, X) (n_test, n);
    ``mode`` "discrete" (gradient descent, exact) or "continuous" (gradient flow).
    """
    if mode not in ("discrete", "continuous"):
        raise ValueError(f"mode must be 'discrete' or 'continuous', got {mode!r}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be finite and > 0, got {lr!r}")
    lam, vec = kernel_eigh(theta)
    f0 = np.asarray(f0, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    n = lam.size
    if f0.size != n or y.size != n:
        raise ValueError(f"f0 and y must have {n} entries, got {f0.size} and {y.size}")
    t = np.asarray(steps, dtype=np.float64).reshape(-1)
    if t.size and (t.min() < 0 or not np.all(np.isfinite(t))):
        raise ValueError("steps must be finite and >= 0")
    if mode == "discrete" and not np.allclose(t, np.round(t)):
        raise ValueError("discrete-time steps must be integers")

    decay, gain = _mode_factors(lam, float(lr), t, mode)
    c0 = vec.T @ (f0 - y)  # residual in the eigenbasis
    diverged = mode == "discrete" and n > 0 and lr * lam[0] > 2.0
    with np.errstate(over="ignore", invalid="ignore"):
        modes = decay * c0[None, :]
        train = y[None, :] + modes @ vec.T
        losses = 0.5 * np.sum(modes * modes, axis=1)
        test = None
        if theta_test is not None:
            theta_test = np.asarray(theta_test, dtype=np.float64)
            f0_test = np.asarray(f0_test, dtype=np.float64).reshape(-1)
            if theta_test.shape != (f0_test.size, n):
                raise ValueError(
                    f"theta_test must have shape ({f0_test.size}, {n}), got {theta_test.shape}"
                )
            test = f0_test[None, :] - (gain * c0[None, :]) @ (theta_test @ vec).T
    out = []
    for arr in (train, test, losses, modes):
        if arr is not None:
            arr = np.where(np.isfinite(arr) & (np.abs(arr) < _OVERFLOW), arr, np.nan)
        out.append(arr)
    train, test, losses, modes = out
    return LinearizedResult(
        steps=t,
        train=train,
        test=test,
        losses=losses,
        mode_residuals=modes,
        eigvals=lam,
        eigvecs=vec,
        lr=float(lr),
        mode=mode,
        diverged=bool(diverged),
    )


def kernel_regression(
    theta: np.ndarray, theta_test: np.ndarray, y: np.ndarray, *, ridge: float = 0.0
) -> np.ndarray:
    """Infinite-time kernel regression Theta(x, X) Theta^+ y (minimum-norm interpolant).

    Eigenvalues below n · eps · lambda_max are treated as zero; ``ridge`` adds ridge * I.
    """
    lam, vec = kernel_eigh(theta)
    lam = lam + ridge
    tol = max(lam.size, 1) * np.finfo(float).eps * (lam[0] if lam.size else 0.0)
    inv = np.where(lam > tol, 1.0 / np.where(lam > tol, lam, 1.0), 0.0)
    return np.asarray(theta_test) @ (vec @ (inv * (vec.T @ np.asarray(y, dtype=np.float64))))
