"""The original article's own network, kept faithfully for contrast.

The article ("Neural Tangent Kernels from Scratch") trains one hidden ReLU layer of width m,

    f(x) = m^{-1/2} · sum_j a_j relu(w_j·x),     w_j ~ N(0, 2 I / d) (He),  a_j ~ N(0, 1/m),

with no bias, by plain gradient descent on 1/2 sum_i (f(x_i) - y_i)^2 with lr = 0.5 / m. The
readout is scaled twice (a ~ N(0, 1/m) *and* the factor m^{-1/2}), which is neither the NTK nor
the standard parameterization. Its NTK, by the Gram formula (no Jacobian), is

    Theta = (H H^T + (M diag(a^2) M^T) o (X X^T)) / m,      H = relu(X W^T),  M = 1[X W^T > 0],

whose hidden-weight block is O(1/m): as m grows only the readout learns, and

    E[Theta] = 2 T(K0) + (X X^T o T'(K0)) / m  ->  2 T(K0)
             = (|x||x'| / (pi d)) · (sin t + (pi - t) cos t),        K0 = X X^T / d,

t the angle between x and x' (a random-features kernel). The article's ``analytic_ntk_relu``
computes instead T(K0) + K0 o T'(K0) at depth 1, which is the NTK-parameterized kernel with
sigma_w = 1, sigma_b = 0 (:func:`article_analytic_ntk`); the two differ by
-(|x||x'|/d) sin t / (2 pi): zero for bias-free 1-D inputs (t = 0 or pi, the only inputs the
article uses), 23 % (relative Frobenius) on the unit circle.

Use this module only to show what the article's code does; everything else in ``ntk_core``
follows the neural-tangents NTK parameterization.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._analytic import analytic_kernels
from ._linearized import kernel_eigh
from ._metrics import relative_frobenius


@dataclass(frozen=True)
class ArticleParams:
    """Hidden weights ``w`` (m, d) and readout ``a`` (m,) of :class:`ArticleNet`."""

    w: np.ndarray
    a: np.ndarray

    def flat(self) -> np.ndarray:
        """All parameters as one vector: w (row-major), then a."""
        return np.concatenate([self.w.ravel(), self.a])

    @staticmethod
    def from_flat(vector: np.ndarray, width: int, d: int) -> ArticleParams:
        v = np.asarray(vector, dtype=np.float64)
        return ArticleParams(v[: width * d].reshape(width, d).copy(), v[width * d :].copy())


def _check_x(x: np.ndarray, d: int | None = None) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n, d), got shape {x.shape}")
    if d is not None and x.shape[1] != d:
        raise ValueError(f"x has {x.shape[1]} features, the net expects {d}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinity")
    return x


@dataclass(frozen=True)
class ArticleNet:
    """The article's one-hidden-layer ReLU net of ``width`` m (see the module docstring)."""

    width: int

    def __post_init__(self) -> None:
        if isinstance(self.width, bool) or int(self.width) != self.width or self.width < 1:
            raise ValueError(f"width must be an integer >= 1, got {self.width!r}")
        object.__setattr__(self, "width", int(self.width))

    def init(self, d: int, seed: int | np.random.Generator | None = 0) -> ArticleParams:
        """w ~ N(0, 2/d) (He), a ~ N(0, 1/m), as in the article."""
        if int(d) < 1:
            raise ValueError(f"d must be >= 1, got {d!r}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        m = self.width
        w = rng.standard_normal((m, int(d))) * math.sqrt(2.0 / int(d))
        a = rng.standard_normal(m) / math.sqrt(m)
        return ArticleParams(w, a)

    def _pre(self, params: ArticleParams, x: np.ndarray) -> np.ndarray:
        x = _check_x(x, params.w.shape[1])
        return x @ params.w.T  # (n, m)

    def apply(self, params: ArticleParams, x: np.ndarray) -> np.ndarray:
        """f(x) = m^{-1/2} relu(x W^T) a, shape (n,)."""
        h = np.maximum(self._pre(params, x), 0.0)
        return h @ params.a / math.sqrt(self.width)

    def ntk(
        self, params: ArticleParams, x1: np.ndarray, x2: np.ndarray | None = None
    ) -> np.ndarray:
        """Theta(x1, x2) = (H1 H2^T + (M1 diag(a^2) M2^T) o (X1 X2^T)) / m (the Gram formula)."""
        x1 = _check_x(x1, params.w.shape[1])
        z1 = x1 @ params.w.T
        if x2 is None:
            x2, z2 = x1, z1
        else:
            x2 = _check_x(x2, params.w.shape[1])
            z2 = x2 @ params.w.T
        h1, h2 = np.maximum(z1, 0.0), np.maximum(z2, 0.0)
        m1 = (z1 > 0).astype(np.float64)
        m2 = (z2 > 0).astype(np.float64)
        theta = (h1 @ h2.T + ((m1 * params.a**2) @ m2.T) * (x1 @ x2.T)) / self.width
        return 0.5 * (theta + theta.T) if x2 is x1 else theta

    def jacobian(self, params: ArticleParams, x: np.ndarray) -> np.ndarray:
        """Explicit df/dtheta (n, m·d + m), columns as :meth:`ArticleParams.flat`. Test oracle."""
        x = _check_x(x, params.w.shape[1])
        z = x @ params.w.T
        s = 1.0 / math.sqrt(self.width)
        dw = s * ((z > 0) * params.a)[:, :, None] * x[:, None, :]  # (n, m, d)
        da = s * np.maximum(z, 0.0)
        return np.concatenate([dw.reshape(x.shape[0], -1), da], axis=1)

    def loss_grads(
        self, params: ArticleParams, x: np.ndarray, residual: np.ndarray
    ) -> ArticleParams:
        """Gradient of 1/2 sum_i r_i^2 for r = f(x) - y given ``residual`` r (J^T r), as
        ArticleParams(dW (m, d), da (m,)); the vectorised form of the article's loop."""
        x = _check_x(x, params.w.shape[1])
        z = x @ params.w.T
        r = np.asarray(residual, dtype=np.float64).reshape(-1)
        s = 1.0 / math.sqrt(self.width)
        dw = s * (((r[:, None] * (z > 0)) * params.a).T @ x)
        da = s * (np.maximum(z, 0.0).T @ r)
        return ArticleParams(dw, da)


@dataclass
class ArticleTrainResult:
    """Outcome of :func:`train_article`: ``losses`` (steps + 1,), the final ``params``, the
    step size used, and the relative NTK change ||Theta_T - Theta_0||_F / ||Theta_0||_F."""

    losses: np.ndarray
    params: ArticleParams
    lr: float
    ntk_change: float
    theta0: np.ndarray

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def article_lr(width: int) -> float:
    """The article's learning rate for its lazy/rich experiment, 0.5 / m."""
    return 0.5 / int(width)


def train_article(
    net: ArticleNet,
    params: ArticleParams,
    x: np.ndarray,
    y: np.ndarray,
    *,
    steps: int,
    lr: float | None = None,
) -> ArticleTrainResult:
    """Plain full-batch GD on 1/2 sum (f - y)^2 with step ``lr`` (default: the article's 0.5/m).

    ``params`` is not modified. No divergence guard is needed at the article's rates
    (lr · lambda_max ≤ 0.34); a non-finite loss raises ``FloatingPointError``.
    """
    x = _check_x(x, params.w.shape[1])
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if y.size != x.shape[0]:
        raise ValueError(f"x has {x.shape[0]} points but y has {y.size} targets")
    if isinstance(steps, bool) or int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    eta = article_lr(net.width) if lr is None else float(lr)
    if not (math.isfinite(eta) and eta > 0):
        raise ValueError(f"lr must be finite and > 0, got {lr!r}")
    w, a = params.w.copy(), params.a.copy()
    losses = np.empty(int(steps) + 1)
    for t in range(int(steps) + 1):
        p = ArticleParams(w, a)
        r = net.apply(p, x) - y
        losses[t] = 0.5 * float(r @ r)
        if not math.isfinite(losses[t]):
            raise FloatingPointError(f"training diverged at step {t} (lr={eta:g})")
        if t == steps:
            break
        g = net.loss_grads(p, x, r)
        w -= eta * g.w
        a -= eta * g.a
    final = ArticleParams(w, a)
    theta0 = net.ntk(params, x)
    change = float(np.linalg.norm(net.ntk(final, x) - theta0) / np.linalg.norm(theta0))
    return ArticleTrainResult(losses, final, eta, change, theta0)


def article_analytic_ntk(x1: np.ndarray, x2: np.ndarray | None = None, *, depth: int = 1):
    """The article's ``analytic_ntk_relu``: at depth 1 T(K0) + K0 o T'(K0), K0 = x·x'/d.

    It equals the NTK-parameterized kernel with sigma_w = 1, sigma_b = 0 at every depth
    (tests/test_article_net.py checks it), so it is computed by
    :func:`ntk_core.analytic_kernels`.
    """
    return analytic_kernels(x1, x2, depth=int(depth), weight_std=1.0, bias_std=0.0).ntk


def article_limit_ntk(x1: np.ndarray, x2: np.ndarray | None = None) -> np.ndarray:
    """What the article's empirical NTK converges to as m -> infinity: 2 T(K0) =
    (|x||x'| / (pi d)) (sin t + (pi - t) cos t), with the stable angle
    t = arctan2(|x||x'| sin, x·x'): the arc-cosine kernel of degree 1 (Cho & Saul 2009)
    divided by d."""
    x1 = _check_x(x1)
    x2 = x1 if x2 is None else _check_x(x2, x1.shape[1])
    d = x1.shape[1]
    dot = x1 @ x2.T
    norms = np.outer(np.linalg.norm(x1, axis=1), np.linalg.norm(x2, axis=1))
    cross = np.sqrt(np.maximum(norms**2 - dot**2, 0.0))  # |x||x'| sin t
    t = np.arctan2(cross, dot)
    return (cross + (np.pi - t) * dot) / (np.pi * d)


def ntk_rank(theta: np.ndarray, rtol: float = 1e-9) -> int:
    """Numerical rank: eigenvalues above rtol · lambda_max."""
    lam = kernel_eigh(theta)[0]
    return int(np.sum(lam > rtol * lam[0])) if lam.size and lam[0] > 0 else 0


# ----------------------------------------------------------------------------- the listings
# What the article's listings print, beside which claims.py and reproduce.py put the re-runs.
# Inputs: 20 points on [-2, 2] (L1, L2, L5) and 15 points (L3, L4).
ARTICLE_WIDTHS_L2 = (10, 50, 200, 1000)
ARTICLE_L2 = (0.5823, 0.2741, 0.1284, 0.0594)
ARTICLE_WIDTHS_L3 = (20, 100, 500)
ARTICLE_WIDTHS_L4 = (20, 50, 100, 500, 2000)
ARTICLE_L4 = (0.4218, 0.2153, 0.1247, 0.0412, 0.0198)
ARTICLE_L5 = (2.660, 2.405, 2.148)  # what its code prints; it claims the ratio *increases*
# The article labels a width RICH when its NTK change is large: any cut-off between 0.0412
# (width 500, "LAZY") and 0.1247 (width 100, "RICH") reproduces its labels; we use 0.1.
RICH_CUTOFF = 0.1
L2_PAIRS = 40  # init pairs per width for the article's L2 table


def article_grid(n: int) -> np.ndarray:
    """The article's inputs: ``n`` evenly spaced points on [-2, 2], shape (n, 1)."""
    return np.linspace(-2.0, 2.0, int(n))[:, None]


def keyed_rng(*key: int) -> np.random.Generator:
    """A generator seeded by a tuple of integers (one independent stream per key)."""
    return np.random.default_rng([int(k) for k in key])


def bias_free_floor(x: np.ndarray, y: np.ndarray) -> float:
    """Smallest 1/2 sum (f - y)^2 any bias-free ReLU net can reach on 1-D inputs.

    Such a net is positively homogeneous, f(x) = c+ x for x > 0 and c- x for x < 0 (and
    f(0) = 0), so the best fit is a separate least-squares slope on each side.
    """
    u = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    loss = 0.5 * float(np.sum(y[u == 0] ** 2))
    for side in (u > 0, u < 0):
        us, ys = u[side], y[side]
        if us.size:
            c = float(us @ ys) / float(us @ us)
            loss += 0.5 * float(np.sum((ys - c * us) ** 2))
    return loss


def article_variation(x: np.ndarray, widths, n_pairs: int, seed: int) -> np.ndarray:
    """||Theta_A - Theta_B||_F / ||Theta_A||_F of the article's net, (len(widths), n_pairs)."""
    out = np.empty((len(widths), int(n_pairs)))
    for i, w in enumerate(widths):
        net = ArticleNet(int(w))
        for k in range(int(n_pairs)):
            ta = net.ntk(net.init(x.shape[1], keyed_rng(seed, 2, k, 0)), x)
            tb = net.ntk(net.init(x.shape[1], keyed_rng(seed, 2, k, 1)), x)
            out[i, k] = relative_frobenius(tb, ta)
    return out
