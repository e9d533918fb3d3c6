"""Input sets and target functions used by the explorer's experiments."""

from __future__ import annotations

import numpy as np

INPUT_SETS = ("grid", "circle", "gaussian")
TARGETS = ("sin", "step", "noisy_sin", "abs", "sin_high")


def make_inputs(kind: str, n: int, *, d: int = 10, seed: int = 0) -> np.ndarray:
    """``n`` inputs as an (n, d_in) array.

    ``"grid"``: n points evenly spaced on [-2, 2] in 1-D (use a bias, sigma_b > 0: without one a
    ReLU net is positively homogeneous and its NTK has rank 2); ``"circle"``: n angles evenly
    spaced on [0, 2 pi), as (cos, sin) on the unit circle; ``"gaussian"``: N(0, I_d) samples.
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if kind == "grid":
        return np.linspace(-2.0, 2.0, n)[:, None]
    if kind == "circle":
        g = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
        return np.stack([np.cos(g), np.sin(g)], axis=1)
    if kind == "gaussian":
        if int(d) < 1:
            raise ValueError(f"d must be >= 1, got {d}")
        return np.random.default_rng(seed).standard_normal((n, int(d)))
    raise ValueError(f"input set must be one of {INPUT_SETS}, got {kind!r}")


def circle_points(angles: np.ndarray) -> np.ndarray:
    """Unit-circle inputs (cos a, sin a) for the given angles in radians."""
    a = np.asarray(angles, dtype=np.float64).reshape(-1)
    return np.stack([np.cos(a), np.sin(a)], axis=1)


def target_function(kind: str, x: np.ndarray, *, noise: float = 0.1, seed: int = 0) -> np.ndarray:
    """Targets for 1-D inputs x (n, 1) on about [-2, 2].

    ``"sin"``: sin(2x); ``"sin_high"``: sin(2x) + 0.5 sin(8x) (a smooth and a wiggly mode, for
    spectral bias); ``"step"``: sign(x); ``"abs"``: |x| - 1;
    ``"noisy_sin"``: sin(2x) + N(0, noise^2).
    """
    x = np.asarray(x, dtype=np.float64)
    u = x[:, 0]
    if kind == "sin":
        return np.sin(2.0 * u)
    if kind == "sin_high":
        return np.sin(2.0 * u) + 0.5 * np.sin(8.0 * u)
    if kind == "step":
        return np.where(u >= 0, 1.0, -1.0)
    if kind == "abs":
        return np.abs(u) - 1.0
    if kind == "noisy_sin":
        return np.sin(2.0 * u) + noise * np.random.default_rng(seed).standard_normal(u.size)
    raise ValueError(f"target must be one of {TARGETS}, got {kind!r}")
