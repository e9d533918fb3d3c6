"""Finite ensembles: N nets of one width trained by gradient descent from independent inits,
beside the infinite-width Gaussian they approach (:mod:`ntk_core._ensemble`).

An ensemble's spread has three sources, and a width sweep separates them:

* Monte-Carlo error: N members estimate the mean to about sigma / sqrt(N) and the variance to
  about sigma^2 sqrt(2 / (N - 1)) at any width (``mean_floor``, ``var_floor``);
* each net's distance to its *infinite-width twin*: the prediction f_0(x*) - A_t (f_0(X) - Y)
  of the infinite-width linear dynamics started from the net's own f_0. It falls like
  width^(-1/2) (Lee et al. 2019, arXiv:1902.06720, Theorem 2.1: the kernel fluctuates by
  O(width^-1/2) and barely moves in training);
* the bias of the ensemble mean and variance themselves, which the two above bound.

Because the twin has the infinite-width mean mu_t exactly at every width (E f_0 = 0: the
readout weights are symmetric), ``mu_t + mean_N(f_t - twin)`` is an unbiased estimate of the
finite-width ensemble mean whose Monte-Carlo error is that of the member-twin distance, not of
f_t (a control variate; Glasserman 2003, ch. 4.1). Likewise Var f_t = Var twin + 2 Cov(twin,
f_t - twin) + Var(f_t - twin), where Var twin is estimated by averaging, over members, its
variance given the member's hidden layers (P K_hat P^T with the member's readout kernel K_hat at
init; exact in expectation since the readout is N(0, 1)), and the other two terms by sample
moments of the small f_t - twin. These estimate the *expected* finite-width mean and variance
with Monte-Carlo errors of order width^(-1/2) / sqrt(N) instead of sigma / sqrt(N), so their
distance to the infinite-width values (``mean_error_coupled``, ``var_error_coupled``) shows the
width dependence that the raw N-member errors hide under their floor.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from . import cost as _cost
from ._ensemble import infinite_model_for
from ._metrics import loglog_slope
from ._mlp import MLP
from ._readout import train_readout_gd
from ._training import train_gd
from .cost import Cost

EIGH_FLOPS = 6.0  # x n^3: numpy eigh with vectors, in GEMM-rate flops (measured 3.7 at n=2000)


@dataclass
class FiniteEnsemble:
    """Predictions of ``n_members`` nets trained from independent inits.

    ``steps`` (R,) recorded steps (the first and the last always included), ``times`` =
    lr · steps; ``train_preds`` (N, R, n) and ``test_preds`` (N, R, n_test); ``diverged``
    (N,) flags the members whose training blew up (their predictions are NaN after it and are
    left out of :meth:`mean` and :meth:`cov`). ``init_nngp`` (N, n + n_test, n + n_test), if
    recorded, is each member's readout kernel at init on [x_train; x_test], c^2 a^L a^L^T +
    s^2: the covariance of its f_0 given its hidden layers.
    """

    width: int
    readout_only: bool
    lr: float
    steps: np.ndarray
    times: np.ndarray
    train_preds: np.ndarray
    test_preds: np.ndarray
    diverged: np.ndarray
    message: str = ""
    init_nngp: np.ndarray | None = None

    @property
    def n_members(self) -> int:
        return int(self.test_preds.shape[0])

    def _ok(self) -> np.ndarray:
        return self.test_preds[~self.diverged]

    def mean(self) -> np.ndarray:
        """(R, n_test) ensemble mean over the members that did not diverge."""
        return self._ok().mean(axis=0)

    def cov(self) -> np.ndarray:
        """(R, n_test, n_test) unbiased sample covariance (ddof = 1) over those members."""
        ok = self._ok()
        centred = ok - ok.mean(axis=0)
        return np.einsum("nri,nrj->rij", centred, centred) / max(ok.shape[0] - 1, 1)


def member_seeds(seed: int, n_members: int) -> list[np.random.Generator]:
    """Independent generators for the members (NumPy SeedSequence.spawn)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(n_members)]


def _check_members(n_members) -> int:
    if isinstance(n_members, bool) or int(n_members) != n_members or n_members < 2:
        raise ValueError(f"n_members must be an integer >= 2, got {n_members!r}")
    return int(n_members)


def finite_ensemble(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    net: MLP,
    *,
    n_members: int,
    lr: float,
    steps: int,
    seed: int = 0,
    readout_only: bool = False,
    record_steps=None,
    record_init_nngp: bool = False,
    progress=None,
) -> FiniteEnsemble:
    """Train ``n_members`` copies of ``net`` from independent inits (``seed``) by full-batch GD
    with step ``lr`` (:func:`ntk_core.train_gd`), or only their readouts (``readout_only``).

    ``progress(i, n_members)``, if given, is called after each member (a progress bar; raising
    from it stops the run).
    """
    n_members = _check_members(n_members)
    x_train = np.asarray(x_train, dtype=np.float64)
    rec = np.array([0, int(steps)]) if record_steps is None else np.asarray(record_steps)
    rec = np.unique(np.concatenate([[0, int(steps)], rec.astype(np.int64).reshape(-1)]))
    train = train_readout_gd if readout_only else train_gd
    train_preds, test_preds, diverged, message, nngps = [], [], [], "", []
    x_all = np.concatenate([x_train, np.asarray(x_test, dtype=np.float64)])
    for i, rng in enumerate(member_seeds(seed, n_members)):
        params = net.init(x_train.shape[1], rng)
        if record_init_nngp:
            c, s = net.multipliers(x_all.shape[1])[-1]
            a = net.forward(params, x_all)[0][-1]
            nngps.append(c * c * (a @ a.T) + s * s)
        res = train(net, params, x_train, y_train, lr=lr, steps=steps, x_test=x_test,
                    record_steps=rec)
        train_preds.append(res.train_preds)
        test_preds.append(res.test_preds)
        diverged.append(res.diverged)
        message = message or res.message
        if progress is not None:
            progress(i + 1, n_members)
    return FiniteEnsemble(
        width=net.width,
        readout_only=bool(readout_only),
        lr=float(lr),
        steps=rec,
        times=float(lr) * rec,
        train_preds=np.array(train_preds),
        test_preds=np.array(test_preds),
        diverged=np.array(diverged, dtype=bool),
        message=message,
        init_nngp=np.array(nngps) if record_init_nngp else None,
    )


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    den = float(np.linalg.norm(b))
    return math.nan if den == 0 else float(np.linalg.norm(a - b)) / den


@dataclass
class EnsembleConvergence:
    """Finite ensembles against the infinite-width Gaussian at t = lr · steps, per width.

    Every error is relative: a norm over the test inputs divided by the norm of the
    infinite-width value (mu for means, the pointwise variance v = diag Sigma for variances).

    * ``mean_error`` = ||mean_N - mu|| / ||mu|| and ``var_error`` = ||var_N - v|| / ||v||: the
      raw errors of the N-member estimates;
    * ``mean_floor``, ``var_floor``: the part of those the Monte-Carlo error alone gives at
      this N (sqrt(sum var_N / N), and sqrt(2 sum var_N^2 / (N - 1)) for Gaussian outputs);
    * ``twin_distance``: RMS over members and test inputs of f_t - twin, times
      sqrt(n_test) / ||mu||;
    * ``mean_error_coupled``, ``var_error_coupled``: the errors of the control-variate
      estimates of the finite-width mean and variance (module docstring), whose Monte-Carlo
      error shrinks with the twin distance.

    ``slopes`` maps each series to its fitted log-log slope against width and its standard
    error. GD with step lr is compared with infinite-width GD of the same step (no
    time-discretisation error); ``flow_gap`` = ||mu_GD - mu_flow|| / ||mu|| at the same t.
    """

    widths: np.ndarray
    n_members: int
    readout_only: bool
    t: float
    mean_error: np.ndarray
    var_error: np.ndarray
    mean_floor: np.ndarray
    var_floor: np.ndarray
    twin_distance: np.ndarray
    mean_error_coupled: np.ndarray
    var_error_coupled: np.ndarray
    n_diverged: np.ndarray
    slopes: dict[str, tuple[float, float]]
    flow_gap: float
    mu: np.ndarray
    var: np.ndarray
    ensembles: list[FiniteEnsemble] = dataclasses.field(repr=False, default_factory=list)


SERIES = ("mean_error", "var_error", "mean_floor", "var_floor", "twin_distance",
          "mean_error_coupled", "var_error_coupled")


def _sample_cov(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unbiased cross-covariance diagonal: (N, m), (N, m) -> (m,)."""
    return np.sum((a - a.mean(axis=0)) * (b - b.mean(axis=0)), axis=0) / (a.shape[0] - 1)


def _errors(ens: FiniteEnsemble, y: np.ndarray, transfer: np.ndarray, mu: np.ndarray,
            var: np.ndarray) -> dict[str, float]:
    """The :class:`EnsembleConvergence` series at one width (non-diverged members)."""
    ok = ~ens.diverged
    f_t = ens.test_preds[ok, -1]
    n_ok = f_t.shape[0]
    # twin l = f_0(x*) - A (f_0(X) - Y) = P [f_0(X); f_0(x*)] + A Y with P = [-A, I]
    twins = ens.test_preds[ok, 0] - (ens.train_preds[ok, 0] - y) @ transfer.T
    dev = f_t - twins
    v_hat = f_t.var(axis=0, ddof=1)
    norm_mu, norm_v = np.linalg.norm(mu), np.linalg.norm(var)
    # Var l given each member's hidden layers is P K_hat P^T (its readout is still N(0, 1)):
    # averaging that over members estimates Var l with Monte-Carlo error O(width^-1/2 / sqrt N)
    p = np.concatenate([-transfer, np.eye(mu.size)], axis=1)
    k_bar = ens.init_nngp[ok].mean(axis=0)
    var_twin = np.einsum("ij,jk,ik->i", p, k_bar, p)
    var_coupled = var_twin + 2.0 * _sample_cov(twins, dev) + dev.var(axis=0, ddof=1)
    return {
        "mean_error": _rel(f_t.mean(axis=0), mu),
        "var_error": _rel(v_hat, var),
        "mean_floor": math.sqrt(v_hat.sum() / n_ok) / norm_mu,
        "var_floor": math.sqrt(2.0 * np.sum(v_hat**2) / (n_ok - 1)) / norm_v,
        "twin_distance": math.sqrt(np.mean(dev**2) * mu.size) / norm_mu,
        "mean_error_coupled": float(np.linalg.norm(dev.mean(axis=0))) / norm_mu,
        "var_error_coupled": _rel(var_coupled, var),
    }


def ensemble_convergence(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    net: MLP,
    widths,
    *,
    n_members: int,
    lr: float,
    steps: int,
    seed: int = 0,
    readout_only: bool = False,
    keep_ensembles: bool = False,
    progress=None,
) -> EnsembleConvergence:
    """For each width, a :func:`finite_ensemble` of ``net`` at that width, compared with the
    infinite ensemble (GD with step ``lr``) after ``steps``; see :class:`EnsembleConvergence`.

    ``progress(i_width, member, n_members)``, if given, is called after each member.
    """
    widths = np.asarray(sorted({int(w) for w in widths}), dtype=np.int64)
    if widths.size == 0 or widths.min() < 1:
        raise ValueError("need at least one width >= 1")
    n_members = _check_members(n_members)
    y = np.asarray(y_train, dtype=np.float64).reshape(-1)
    model = infinite_model_for(net, x_train, y, x_test,
                               kernel="nngp" if readout_only else "ntk")
    t = float(lr) * int(steps)
    gd = model.at(t, lr=lr)
    mu, var = gd.mean, np.diag(gd.cov)
    transfer = model.transfer(t, lr=lr)
    out = {k: np.full(widths.size, np.nan) for k in SERIES}
    n_div = np.zeros(widths.size, dtype=np.int64)
    kept = []
    for i, w in enumerate(widths):
        ens = finite_ensemble(
            x_train, y, x_test, dataclasses.replace(net, width=int(w)), n_members=n_members,
            lr=lr, steps=steps, seed=seed + 7919 * i, readout_only=readout_only,
            record_init_nngp=True,
            progress=None if progress is None else (lambda j, n, i=i: progress(i, j, n)),
        )
        n_div[i] = int(ens.diverged.sum())
        if n_members - n_div[i] >= 2:
            for k, v in _errors(ens, y, transfer, mu, var).items():
                out[k][i] = v
        if keep_ensembles:
            kept.append(ens)
    return EnsembleConvergence(
        widths=widths, n_members=n_members, readout_only=bool(readout_only), t=t,
        n_diverged=n_div, slopes={k: loglog_slope(widths, out[k]) for k in SERIES},
        flow_gap=_rel(model.at(t).mean, mu), mu=mu, var=var, ensembles=kept, **out,
    )


# --------------------------------------------------------------------------- cost planning
def infinite_ensemble_cost(n_train: int, n_test: int, depth: int, *, n_times: int = 0,
                           n_outputs: int = 1) -> Cost:
    """:func:`ntk_core.infinite_ensemble` on ``n_train`` + ``n_test`` inputs: the analytic
    kernels on the stacked inputs, a Cholesky solve (t = ∞) and, for ``n_times`` finite times,
    one eigendecomposition plus O(n_test n_train (n_train + n_test)) per time."""
    n, m, k = int(n_train), int(n_test), int(n_outputs)
    kernels = _cost.analytic_cost(n + m, None, depth)
    solve_flops = n**3 / 3 + 2.0 * n * n * (m + k) + 4.0 * m * n * (n + m)
    total = kernels + Cost(_cost._work(2.0 * solve_flops, 0.0), 4 * n * (n + m) * _cost.BYTES)
    if n_times:
        eig = (EIGH_FLOPS + 4.0) * n**3 + 4.0 * m * n * n  # eigh, V^T K V, B, V^T K_X*
        per_t = 2.0 * (m * n * n + 2 * m * m * n)
        total = total + Cost(_cost._work(eig + n_times * per_t, 0.0),
                             (5 * n * n + 3 * m * n + n_times * m * m) * _cost.BYTES)
    return total


def finite_ensemble_cost(n: int, d: int, width: int, depth: int, steps: int, n_members: int,
                         *, n_test: int = 0, n_records: int = 2,
                         readout_only: bool = False) -> Cost:
    """:func:`finite_ensemble`: ``n_members`` trainings of ``steps`` steps (all layers by
    :func:`ntk_core.cost.train_cost`, or the readout only: one forward pass, then 2 n width
    flops twice per step)."""
    if not readout_only:
        one = _cost.train_cost(n, d, width, depth, steps, n_test=n_test, n_records=n_records)
        return one.times(n_members)
    forward = _cost.train_cost(n + n_test, d, width, depth, 0)  # features, once
    per_step = Cost(_cost._work(4.0 * n * width, 2.0 * width, 3 * _cost.PYTHON_STEP_S),
                    (n + n_test) * width * _cost.BYTES)
    return (forward + per_step.times(steps + 1)).times(n_members)
