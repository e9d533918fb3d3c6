"""Infinite ensembles of infinitely wide nets: the Gaussian that training from random inits gives.

At infinite width (NTK parameterization) the output at initialisation is a centred Gaussian
process with the NNGP kernel K, and training on the loss L = 1/2 sum_i (f(x_i) - y_i)^2 by
gradient flow df/dt = -G (f(X) - Y) is linear in f_0 (G fixed). With
A_t = G(x*, X) G^-1 (I - e^{-G t})

    f_t(x*) = f_0(x*) - A_t (f_0(X) - Y)

so over initialisations f_t(x*) ~ N(mu_t, Sigma_t) with (Lee et al. 2019, arXiv:1902.06720,
eq. 16, for G = Theta the NTK):

    mu_t    = A_t Y
    Sigma_t = K** + A_t K A_t^T - (A_t K_X* + h.c.),     K** = K(x*, x*), K_X* = K(X, x*).

``kernel="ntk"`` takes G = Theta (every layer trained). ``kernel="nngp"`` takes G = K: training
only the readout moves f along the readout's own kernel, which is the NNGP. Then A_t K = K*X (I -
e^{-K t}) and Sigma_t simplifies to K** - K*X K^-1 (I - e^{-2 K t}) K_X*, whose t -> infinity
limit is the Bayesian posterior of the NNGP (Lee et al. 2018, arXiv:1711.00165).

``diag_reg`` (absolute) replaces G by G + diag_reg I wherever G is inverted or exponentiated and
nowhere else: for "ntk" the prior K(X, X) in Sigma_t stays unregularised; for "nngp" the
simplified form is the same as giving the training outputs at init an extra independent noise
of variance diag_reg, so at t = infinity it is the GP posterior with observation noise
diag_reg. Both are neural-tangents' ``predict.gradient_descent_mse_ensemble`` (with
``diag_reg_absolute_scale=True``), whose loss is averaged over the ``y_train.size`` targets:
its time is ours times n·k.

Numerics. At t = infinity (``t=None``) the means and covariances come from a Cholesky solve
with G. If G is singular to working precision (reciprocal condition number below n · eps) the
minimum-norm solution G^+ is used (the
t -> infinity limit of gradient flow on the range of G) and :attr:`EnsemblePrediction.note`
says so. Finite times share one eigendecomposition G = V diag(lambda) V^T (negative eigenvalues
from rounding clipped to 0): per mode A_t is (1 - e^{-lambda t}) / lambda, whose limit at
lambda = 0 is t. Discrete gradient descent with step ``lr`` (t = lr · steps) replaces e^{-lambda t}
by (1 - lr lambda)^steps: the same Gaussian for the exact linearized GD of Lee et al. 2019
(eq. 9-10).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.linalg.lapack

from ._analytic import analytic_kernels
from ._linearized import _mode_factors, kernel_eigh

KERNELS = ("ntk", "nngp")


@dataclass(frozen=True)
class EnsemblePrediction:
    """The Gaussian N(mean, cov) over test outputs at one time ``t`` (``math.inf`` for t = ∞).

    ``mean`` is (n_test, k), or (n_test,) when ``y_train`` was 1-D; ``cov`` (n_test, n_test) is
    shared by the k outputs. ``note`` is empty unless the result needed a caveat (a singular
    kernel solved by the minimum-norm solution, a diverging discrete step).
    """

    mean: np.ndarray
    cov: np.ndarray
    t: float
    kernel: str
    note: str = ""

    @property
    def std(self) -> np.ndarray:
        """Pointwise standard deviation sqrt(diag cov), (n_test,)."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))


@dataclass(frozen=True)
class EnsemblePath:
    """:class:`EnsemblePrediction` at several times: ``means`` (T, n_test[, k]), ``covs``
    (T, n_test, n_test)."""

    ts: np.ndarray
    means: np.ndarray
    covs: np.ndarray
    kernel: str
    note: str = ""

    @property
    def stds(self) -> np.ndarray:
        """(T, n_test) pointwise standard deviations."""
        return np.sqrt(np.clip(np.diagonal(self.covs, axis1=1, axis2=2), 0.0, None))


def _as_matrix(a, name: str, shape: tuple[int, int]) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinity")
    return a


def _check_y(y_train, n: int) -> tuple[np.ndarray, bool]:
    y = np.asarray(y_train, dtype=np.float64)
    if y.ndim not in (1, 2) or y.shape[0] != n:
        raise ValueError(f"y_train must have shape ({n},) or ({n}, k), got {y.shape}")
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError("y_train must have at least one output column")
    if not np.all(np.isfinite(y)):
        raise ValueError("y_train contains NaN or infinity")
    return (y[:, None] if y.ndim == 1 else y), y.ndim == 1


def _check_nonneg(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return value


def _check_t(t) -> float | None:
    """None (t = ∞ by a solve), math.inf, or a finite time >= 0."""
    if t is None or (isinstance(t, (float, np.floating)) and t == math.inf):
        return t
    return _check_nonneg(t, "t")


def _check_times(ts) -> np.ndarray:
    ts = np.asarray(ts, dtype=np.float64).reshape(-1)
    if np.any(np.isnan(ts)) or np.any(ts < 0):
        raise ValueError("times must be >= 0 (math.inf or None for t = infinity)")
    return ts


class InfiniteEnsemble:
    """Kernels and factorisations for :func:`infinite_ensemble`, reusable across times.

    Build it with :meth:`from_kernels` (any PSD kernels) or :func:`infinite_ensemble_model`
    (the analytic kernels of an MLP). :meth:`at` gives one time, :meth:`path` several; the
    Cholesky factor (t = ∞) and the eigendecomposition (finite t) are each computed once, on
    first use.
    """

    def __init__(
        self,
        *,
        nngp_train: np.ndarray,
        nngp_test_train: np.ndarray,
        nngp_test: np.ndarray,
        ntk_train: np.ndarray | None,
        ntk_test_train: np.ndarray | None,
        y_train,
        kernel: str = "ntk",
        diag_reg: float = 0.0,
    ) -> None:
        if kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
        k = np.asarray(nngp_train, dtype=np.float64)
        if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] == 0:
            raise ValueError(f"nngp_train must be a non-empty square matrix, got {k.shape}")
        n = k.shape[0]
        k_tx = np.asarray(nngp_test_train, dtype=np.float64)
        if k_tx.ndim != 2 or k_tx.shape[1] != n:
            raise ValueError(f"nngp_test_train must have shape (n_test, {n}), got {k_tx.shape}")
        m = k_tx.shape[0]
        self.kernel = kernel
        self.diag_reg = _check_nonneg(diag_reg, "diag_reg")
        self._k = _as_matrix(k, "nngp_train", (n, n))
        self._k_tx = _as_matrix(k_tx, "nngp_test_train", (m, n))
        self._k_tt = _as_matrix(nngp_test, "nngp_test", (m, m))
        if kernel == "ntk":
            if ntk_train is None or ntk_test_train is None:
                raise ValueError('kernel="ntk" needs ntk_train and ntk_test_train')
            g = _as_matrix(ntk_train, "ntk_train", (n, n))
            self._g_tx = _as_matrix(ntk_test_train, "ntk_test_train", (m, n))
        else:
            g, self._g_tx = self._k, self._k_tx
        self._g = 0.5 * (g + g.T)
        if self.diag_reg:
            self._g = self._g + self.diag_reg * np.eye(n)
        self._y, self._y_1d = _check_y(y_train, n)
        self._solved: tuple[np.ndarray, np.ndarray, str] | None = None
        self._eig: tuple[np.ndarray, ...] | None = None

    @classmethod
    def from_kernels(cls, **kwargs) -> InfiniteEnsemble:
        """The same as the constructor (keyword arguments only); reads better at call sites."""
        return cls(**kwargs)

    @property
    def n_train(self) -> int:
        return self._k.shape[0]

    @property
    def n_test(self) -> int:
        return self._k_tx.shape[0]

    # ----------------------------------------------------------------- t = infinity, by a solve
    def _solve(self) -> tuple[np.ndarray, np.ndarray, str]:
        """(G^-1 G_X*, G^-1 Y, note) by a Cholesky solve; by G^+ if G is singular, i.e. its
        reciprocal condition number is below n · eps (the eigenvalue cut-off of G^+)."""
        if self._solved is None:
            rhs = np.concatenate([self._g_tx.T, self._y], axis=1)
            note = ""
            n = self.n_train
            try:
                factor = scipy.linalg.cho_factor(self._g)
                anorm = float(np.abs(self._g).sum(axis=0).max())  # 1-norm
                uplo = "L" if factor[1] else "U"
                rcond, _ = scipy.linalg.lapack.dpocon(factor[0], anorm, uplo=uplo)
                singular = not rcond > n * np.finfo(float).eps
            except np.linalg.LinAlgError:  # not positive definite to working precision
                singular = True
            if singular:
                lam, vec = self._eigh()[:2]
                inv, rank = self._pinv_gains(lam)
                z = vec @ (inv[:, None] * (vec.T @ rhs))
                note = self._singular_note(rank)
            else:
                z = scipy.linalg.cho_solve(factor, rhs)
            m = self.n_test
            self._solved = (z[:, :m], z[:, m:], note)
        return self._solved

    def _pinv_gains(self, lam: np.ndarray) -> tuple[np.ndarray, int]:
        """1/lambda on the numerical range of G (lambda > n eps lambda_max), 0 off it."""
        tol = lam.size * np.finfo(float).eps * (lam[0] if lam.size else 0.0)
        keep = lam > tol
        return np.where(keep, 1.0 / np.where(keep, lam, 1.0), 0.0), int(keep.sum())

    def _singular_note(self, rank: int) -> str:
        name = "NTK" if self.kernel == "ntk" else "NNGP kernel"
        return (
            f"The training {name} is singular to working precision (numerical rank {rank} of "
            f"{self.n_train}; duplicate or too many collinear inputs). At t = ∞ the "
            "minimum-norm solution (pseudo-inverse) is used: the limit of gradient flow on the "
            "directions the kernel can fit. Add diag_reg > 0 to regularise instead."
        )

    def _infinite(self) -> tuple[np.ndarray, np.ndarray, str]:
        z_t, z_y, note = self._solve()  # z_t = G^-1 G_X*  (n, m)
        mean = self._g_tx @ z_y
        if self.kernel == "nngp":
            cov = self._k_tt - self._k_tx @ z_t
        else:
            cross = self._k_tx @ z_t  # K*X G^-1 G_X* = (A K_X*)^T
            cov = self._k_tt + z_t.T @ (self._k @ z_t) - cross - cross.T
        return mean, cov, note

    # ----------------------------------------------------------------- finite t, one eigh
    def _eigh(self) -> tuple[np.ndarray, ...]:
        """lambda (descending, clipped >= 0), V, B = G*X V, V^T Y and, for "ntk", V^T K V and
        V^T K_X*; computed once."""
        if self._eig is None:
            lam, vec = kernel_eigh(self._g)
            b = self._g_tx @ vec
            vty = vec.T @ self._y
            extra: tuple[np.ndarray, ...] = ()
            if self.kernel == "ntk":
                extra = (vec.T @ self._k @ vec, vec.T @ self._k_tx.T)
            self._eig = (lam, vec, b, vty, *extra)
        return self._eig

    def _gains(self, ts: np.ndarray, lr: float | None) -> tuple[np.ndarray, str]:
        """Per mode and time, g = (1 - decay) / lambda: (T, n)."""
        lam = self._eigh()[0]
        note = ""
        finite = np.isfinite(ts)
        gains = np.empty((ts.size, lam.size))
        if lr is None:
            gains[finite] = _mode_factors(lam, 1.0, ts[finite], "continuous")[1]
        else:
            steps = ts[finite] / lr
            if np.any(np.abs(steps - np.round(steps)) > 1e-6 * np.maximum(1.0, steps)):
                raise ValueError("with lr, every t must be a whole number of steps times lr")
            gains[finite] = _mode_factors(lam, lr, np.round(steps), "discrete")[1]
            if lam.size and lr * lam[0] > 2.0:
                note = (
                    f"The step lr = {lr:g} exceeds 2/lambda_max = {2.0 / lam[0]:.3g} of the "
                    "training kernel: gradient descent diverges."
                )
        if not finite.all():
            inv, rank = self._pinv_gains(lam)
            gains[~finite] = inv
            if rank < lam.size:
                note = self._singular_note(rank)
        return gains, note

    def _finite(self, ts: np.ndarray, lr: float | None):
        gains, note = self._gains(ts, lr)
        lam, _, b, vty, *extra = self._eigh()
        means = np.einsum("mi,ti,ik->tmk", b, gains, vty)
        covs = np.empty((ts.size, self.n_test, self.n_test))
        with np.errstate(over="ignore", invalid="ignore"):
            for i, g in enumerate(gains):
                bg = b * g  # A_t V  (m, n)
                if self.kernel == "nngp":  # K** - B diag(g (2 - lambda g)) B^T
                    covs[i] = self._k_tt - (bg * (2.0 - lam * g)) @ b.T
                else:
                    c, d = extra  # V^T K V, V^T K_X*
                    cross = bg @ d  # A_t K_X*
                    covs[i] = self._k_tt + bg @ c @ bg.T - cross - cross.T
        return means, covs, note

    # ----------------------------------------------------------------- public
    def _shape_mean(self, mean: np.ndarray) -> np.ndarray:
        return mean[..., 0] if self._y_1d else mean

    def at(self, t: float | None = None, *, lr: float | None = None) -> EnsemblePrediction:
        """The Gaussian at time ``t`` (``None``: t = ∞ by a linear solve).

        ``lr`` switches to discrete gradient descent with that step (t = lr · steps must be a
        whole number of steps); without it, gradient flow.
        """
        if t is None:
            mean, cov, note = self._infinite()
            return EnsemblePrediction(
                self._shape_mean(mean), 0.5 * (cov + cov.T), math.inf, self.kernel, note
            )
        path = self.path([t], lr=lr)
        return EnsemblePrediction(
            path.means[0], path.covs[0], float(path.ts[0]), self.kernel, path.note
        )

    def transfer(self, t: float | None = None, *, lr: float | None = None) -> np.ndarray:
        """A_t = G(x*, X) G^-1 (I - e^{-G t}) (n_test, n_train): f_t(x*) = f_0(x*) - A_t (f_0(X)
        - Y) for any init f_0, so a finite net's own f_0 gives its infinite-width twin."""
        if t is None:
            return self._solve()[0].T
        ts = _check_times([t])
        gains, _ = self._gains(ts, None if lr is None else float(lr))
        _, vec, b, *_ = self._eigh()
        return (b * gains[0]) @ vec.T

    def path(self, ts, *, lr: float | None = None) -> EnsemblePath:
        """The Gaussian at every time in ``ts`` (``math.inf`` allowed), one eigendecomposition."""
        ts = _check_times(ts)
        if lr is not None:
            lr = float(lr)
            if not (math.isfinite(lr) and lr > 0):
                raise ValueError(f"lr must be finite and > 0, got {lr!r}")
        means, covs, note = self._finite(ts, lr)
        covs = 0.5 * (covs + np.swapaxes(covs, 1, 2))
        return EnsemblePath(ts, self._shape_mean(means), covs, self.kernel, note)


def _check_inputs(x_train, x_test) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for x, name in ((x_train, "x_train"), (x_test, "x_test")):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"{name} must have shape (n, d) with n, d >= 1, got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} contains NaN or infinity")
        out.append(x)
    if out[0].shape[1] != out[1].shape[1]:
        raise ValueError(
            f"x_train has {out[0].shape[1]} features and x_test has {out[1].shape[1]}"
        )
    return out[0], out[1]


def infinite_ensemble_model(
    x_train,
    y_train,
    x_test,
    *,
    depth: int,
    activation: str = "relu",
    weight_std: float = 1.0,
    bias_std: float = 0.0,
    kernel: str = "ntk",
    diag_reg: float = 0.0,
) -> InfiniteEnsemble:
    """An :class:`InfiniteEnsemble` on the analytic kernels of ``depth`` hidden layers (see
    :func:`ntk_core.analytic_kernels`), computed once on the stacked inputs [x_train; x_test]."""
    x_train, x_test = _check_inputs(x_train, x_test)
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    n = x_train.shape[0]
    ker = analytic_kernels(
        np.concatenate([x_train, x_test]), depth=depth, activation=activation,
        weight_std=weight_std, bias_std=bias_std,
    )
    return InfiniteEnsemble(
        nngp_train=ker.nngp[:n, :n],
        nngp_test_train=ker.nngp[n:, :n],
        nngp_test=ker.nngp[n:, n:],
        ntk_train=ker.ntk[:n, :n],
        ntk_test_train=ker.ntk[n:, :n],
        y_train=y_train,
        kernel=kernel,
        diag_reg=diag_reg,
    )


def infinite_ensemble(
    x_train,
    y_train,
    x_test,
    *,
    depth: int,
    activation: str = "relu",
    weight_std: float = 1.0,
    bias_std: float = 0.0,
    kernel: str = "ntk",
    t: float | None = None,
    diag_reg: float = 0.0,
) -> EnsemblePrediction:
    """Mean and covariance over test inputs of infinitely wide nets trained from random inits.

    See the module docstring for the formulas (Lee et al. 2019, arXiv:1902.06720, eq. 16;
    Lee et al. 2018, arXiv:1711.00165). ``t`` is gradient-flow time (lr · steps), ``None`` for
    t = ∞. For several times, build :func:`infinite_ensemble_model` once and call ``.at(t)``.
    """
    model = infinite_ensemble_model(
        x_train, y_train, x_test, depth=depth, activation=activation, weight_std=weight_std,
        bias_std=bias_std, kernel=kernel, diag_reg=diag_reg,
    )
    return model.at(_check_t(t))


def infinite_model_for(net, x_train, y_train, x_test, *, kernel: str = "ntk",
                       diag_reg: float = 0.0) -> InfiniteEnsemble:
    """:func:`infinite_ensemble_model` for the architecture of ``net`` (an
    :class:`ntk_core.MLP`): its depth, activation and resolved sigma_w, sigma_b. Only the NTK
    parameterization has this limit."""
    if net.parameterization != "ntk":
        raise ValueError(
            "the infinite ensemble is the limit of the NTK parameterization; "
            f"net uses {net.parameterization!r}"
        )
    return infinite_ensemble_model(
        x_train, y_train, x_test, depth=net.depth, activation=net.activation,
        weight_std=net.sigma_w, bias_std=net.sigma_b, kernel=kernel, diag_reg=diag_reg,
    )


def infinite_ensemble_for(net, x_train, y_train, x_test, *, kernel: str = "ntk",
                          t: float | None = None, diag_reg: float = 0.0) -> EnsemblePrediction:
    """:func:`infinite_ensemble` for the architecture of ``net`` (see
    :func:`infinite_model_for`)."""
    return infinite_model_for(net, x_train, y_train, x_test, kernel=kernel,
                              diag_reg=diag_reg).at(_check_t(t))
