"""How far a network's NTK moves: fluctuation between initialisations versus evolution during
training, per layer block, with scale-free measures, in the three parameterizations.

Two different quantities, never to be confused:

- the *spread between initialisations*, ‖Θ_A − Θ_B‖_F/‖Θ_A‖_F, falls like m^(−1/2) for every
  activation: Θ is an average over m independent units (a central limit theorem);
- the *change during training*, ‖Θ_T − Θ_0‖_F/‖Θ_0‖_F, is at most O(m^(−1/2)) in the NTK
  parameterization (Lee et al. 2019, arXiv:1902.06720): an upper bound. Its rate depends on the
  activation. For a smooth one (erf) each unit's O(1/√m) move carries the random sign of its
  readout weight and the sum cancels, so the change falls like ≈ 1/m (Dyer & Gur-Ari 2020,
  arXiv:1909.11304; Huang & Yau 2020, arXiv:1909.08156). For ReLU the hidden-layer block moves by
  ≈ m^(−1/2): a unit whose pre-activation crosses 0 at a training point flips its gate, a
  non-smooth event that does not cancel; the readout block still falls like ≈ 1/m.

Slopes are fitted on log-log axes only over the widths ≥ ``fit_from``, where the law is
asymptotic (below ≈ 1,000 units the local slopes still drift).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._analytic import analytic_kernels
from ._blocks import readout_hidden_split
from ._empirical import empirical_ntk
from ._metrics import (
    alignment_distance,
    kernel_target_alignment,
    loglog_slope,
    relative_frobenius,
)
from ._mlp import MLP, PARAMETERIZATIONS
from ._training import train_gd
from .cost import Cost, empirical_ntk_cost, train_cost
from .experiments import seed_pair

MEASURES = ("spread", "change", "change_readout", "change_hidden")


@dataclass(frozen=True)
class RateFit:
    """A log-log slope over widths ≥ ``fit_from``: of the seed-mean, and of each seed alone."""

    slope: float
    stderr: float
    per_seed: np.ndarray  # (S,) slope of each seed's own curve
    widths: tuple[int, ...]  # the widths used in the fit

    @property
    def seed_range(self) -> tuple[float, float]:
        ok = self.per_seed[np.isfinite(self.per_seed)]
        return (float(ok.min()), float(ok.max())) if ok.size else (math.nan, math.nan)


def fit_rate(widths: np.ndarray, values: np.ndarray, fit_from: int) -> RateFit:
    """Fit log(value) against log(width) for widths ≥ ``fit_from``; ``values`` is (W, S)."""
    widths = np.asarray(widths, dtype=np.float64)
    keep = widths >= fit_from
    v = np.asarray(values, dtype=np.float64)[keep]
    w = widths[keep]
    with np.errstate(invalid="ignore"):
        mean = np.array([np.mean(r[np.isfinite(r)]) if np.isfinite(r).any() else np.nan
                         for r in v]) if v.size else np.array([])
    slope, err = loglog_slope(w, mean)
    per_seed = np.array([loglog_slope(w, v[:, k])[0] for k in range(v.shape[1])]) \
        if v.size else np.array([])
    return RateFit(slope, err, per_seed, tuple(int(x) for x in w))


def lr_for(net: MLP, lr: float) -> float:
    """The parameter step to pass to ``train_gd`` for a function-space step ``lr``.

    NTK parameterization: ``lr`` itself, never scaled by width. Standard: its NTK grows like m,
    so the step must shrink like 1/m (``lr/m``). Mean-field: ``lr`` (``train_gd`` multiplies by
    ``net.lr_multiplier`` = m itself).
    """
    return lr / net.width if net.parameterization == "standard" else lr


@dataclass
class KernelMotion:
    """Spread between inits and change during training, per width (rows) and seed (columns)."""

    widths: np.ndarray
    spread: np.ndarray  # ‖Θ_B − Θ_A‖/‖Θ_A‖ over pairs of inits (W, max(n_seeds, n_spread))
    change: np.ndarray  # ‖Θ_T − Θ_0‖/‖Θ_0‖
    change_readout: np.ndarray  # ‖ΔΘ_readout‖/‖Θ_0‖
    change_hidden: np.ndarray  # ‖ΔΘ_hidden‖/‖Θ_0‖
    alignment: np.ndarray  # 1 − <Θ_0,Θ_T>/(‖Θ_0‖‖Θ_T‖): change of shape only
    target_alignment_0: np.ndarray  # yᵀΘ_0y/(‖Θ_0‖‖y‖²)
    target_alignment_T: np.ndarray
    trace_ratio: np.ndarray  # tr Θ_T / tr Θ_0: change of scale
    final_loss: np.ndarray
    fit_from: int
    fits: dict[str, RateFit] = field(default_factory=dict)


def kernel_motion(
    x: np.ndarray, y: np.ndarray, net: MLP, widths, *, lr: float, steps: int,
    n_seeds: int = 4, seed: int = 0, fit_from: int = 1000, n_spread: int = 12,
) -> KernelMotion:
    """For each width and seed: two initialisations A, B (``seed_pair``); train A by full-batch
    GD for ``steps`` at step :func:`lr_for` ``(net, lr)``; measure the spread, the change (whole
    kernel, readout block, hidden blocks) and the scale-free measures. A diverged run gives NaN.
    Fits every measure in :data:`MEASURES` over widths ≥ ``fit_from``. The spread needs no
    training, so it is measured over max(``n_seeds``, ``n_spread``) pairs (its columns)."""
    widths = np.asarray(sorted({int(w) for w in widths}), dtype=np.int64)
    if widths.size == 0 or widths.min() < 1 or int(n_seeds) < 1 or int(steps) < 0:
        raise ValueError("need widths >= 1, n_seeds >= 1 and steps >= 0")
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    shape = (widths.size, int(n_seeds))
    n_pairs = max(int(n_seeds), int(n_spread))
    out = {k: np.full(shape, np.nan) for k in (
        "change", "change_readout", "change_hidden", "alignment",
        "target_alignment_0", "target_alignment_T", "trace_ratio", "final_loss")}
    out["spread"] = np.full((widths.size, n_pairs), np.nan)
    for i, w in enumerate(widths):
        wide = net.with_width(int(w))
        for k in range(int(n_seeds), n_pairs):
            sa, sb = seed_pair(seed, k)
            out["spread"][i, k] = relative_frobenius(
                empirical_ntk(wide, wide.init(x.shape[1], sb), x),
                empirical_ntk(wide, wide.init(x.shape[1], sa), x))
        for k in range(int(n_seeds)):
            sa, sb = seed_pair(seed, k)
            pa = wide.init(x.shape[1], sa)
            ro0, hid0 = readout_hidden_split(wide, pa, x)
            theta0 = ro0 + hid0
            theta_b = sum(readout_hidden_split(wide, wide.init(x.shape[1], sb), x))
            norm0 = np.linalg.norm(theta0)
            out["spread"][i, k] = relative_frobenius(theta_b, theta0)
            out["target_alignment_0"][i, k] = kernel_target_alignment(theta0, y)
            run = train_gd(wide, pa, x, y, lr=lr_for(wide, lr), steps=int(steps))
            if run.diverged:
                continue
            ro1, hid1 = readout_hidden_split(wide, run.params, x)
            theta1 = ro1 + hid1
            out["change"][i, k] = np.linalg.norm(theta1 - theta0) / norm0
            out["change_readout"][i, k] = np.linalg.norm(ro1 - ro0) / norm0
            out["change_hidden"][i, k] = np.linalg.norm(hid1 - hid0) / norm0
            out["alignment"][i, k] = alignment_distance(theta1, theta0)
            out["target_alignment_T"][i, k] = kernel_target_alignment(theta1, y)
            out["trace_ratio"][i, k] = np.trace(theta1) / np.trace(theta0)
            out["final_loss"][i, k] = run.final_loss
    fits = {m: fit_rate(widths, out[m], fit_from) for m in MEASURES}
    return KernelMotion(widths, fit_from=int(fit_from), fits=fits, **out)


def kernel_motion_cost(x: np.ndarray, y: np.ndarray, net: MLP, widths, *, lr: float = 0.0,
                       steps: int, n_seeds: int = 4, seed: int = 0, fit_from: int = 1000,
                       n_spread: int = 12) -> Cost:
    """Estimated cost of :func:`kernel_motion`: per width and seed, one training and four
    per-block kernels (two inits, before and after)."""
    n, d = x.shape
    total = Cost(0.0, 0.0)
    for w in sorted({int(v) for v in widths}):
        act = net.activation
        kernel = empirical_ntk_cost(n, None, d, w, net.depth, activation=act)
        one = train_cost(n, d, w, net.depth, int(steps), activation=act) + kernel.times(4)
        spread = kernel.times(2)
        total = total + one.times(int(n_seeds)) + spread.times(max(0, n_spread - n_seeds))
    return total


# --------------------------------------------------------------------------- parameterizations
@dataclass
class ParameterizationLimits:
    """Each parameterization's kernel at init, rescaled, against the kernel it tends to.

    ``scale``: m^(−1) (standard), 1 (NTK), m (mean-field) applied to Θ; ``distance``: relative
    Frobenius distance of the rescaled Θ (widths × seeds) to ``limit``; ``limit_name``: what the
    limit is. ``shape_gap``: ‖R/tr R − Θ∞/tr Θ∞‖_F / ‖Θ∞/tr Θ∞‖_F for the readout-only kernel R, how
    different in shape (at equal trace) the standard limit is from Θ∞.
    """

    widths: np.ndarray
    distance: dict[str, np.ndarray]
    limit_name: dict[str, str]
    fits: dict[str, RateFit]
    shape_gap: float


def readout_only_kernel(x: np.ndarray, net: MLP) -> np.ndarray:
    """E[φ(u)φ(v)] at the last hidden layer, (u, v) Gaussian with the NNGP covariance: the
    kernel of training the readout alone, Θ_standard/m → this as m → ∞. From the analytic NNGP
    of the output, K_out = σ_w² E[φφ] + σ_b²."""
    k = analytic_kernels(x, depth=net.depth, activation=net.activation,
                         weight_std=net.sigma_w, bias_std=net.sigma_b).nngp
    return (k - net.sigma_b**2) / net.sigma_w**2


def parameterization_limits(x: np.ndarray, net: MLP, widths, *, n_seeds: int = 3,
                            seed: int = 0, fit_from: int = 100) -> ParameterizationLimits:
    """Where each parameterization's kernel goes as the width grows (Yang & Hu 2021,
    arXiv:2011.14522): standard Θ/m → the readout-only kernel; NTK Θ → Θ∞ (Jacot et al. 2018);
    mean-field m·Θ → Θ∞ at initialisation (its readout is 1/√m smaller than NTK's), but with the
    step × m that mean-field training needs it does not stay there (see :func:`kernel_motion`)."""
    widths = np.asarray(sorted({int(w) for w in widths}), dtype=np.int64)
    theta_inf = analytic_kernels(x, depth=net.depth, activation=net.activation,
                                 weight_std=net.sigma_w, bias_std=net.sigma_b).ntk
    readout = readout_only_kernel(x, net)
    limits = {"standard": readout, "ntk": theta_inf, "mean_field": theta_inf}
    names = {"standard": "readout-only kernel E[φφ]", "ntk": "Θ∞", "mean_field": "Θ∞"}
    dist = {}
    for p in PARAMETERIZATIONS:
        d = np.empty((widths.size, int(n_seeds)))
        for i, w in enumerate(widths):
            wide = MLP(net.depth, int(w), net.activation, net.sigma_w, net.sigma_b, p)
            scale = {"standard": 1.0 / w, "ntk": 1.0, "mean_field": float(w)}[p]
            for k in range(int(n_seeds)):
                theta = empirical_ntk(wide, wide.init(x.shape[1], seed_pair(seed, k)[0]), x)
                d[i, k] = relative_frobenius(scale * theta, limits[p])
        dist[p] = d
    fits = {p: fit_rate(widths, dist[p], fit_from) for p in PARAMETERIZATIONS}
    gap = relative_frobenius(readout / np.trace(readout), theta_inf / np.trace(theta_inf))
    return ParameterizationLimits(widths, dist, names, fits, gap)


def combine(parts: list[KernelMotion], fit_from: int = 1000) -> KernelMotion:
    """One :class:`KernelMotion` from runs at different widths (same seeds), refitted; lets a
    caller compute (and cache) one width at a time."""
    if not parts:
        raise ValueError("nothing to combine")
    parts = sorted(parts, key=lambda m: int(m.widths[0]))
    names = ("spread", "change", "change_readout", "change_hidden", "alignment",
             "target_alignment_0", "target_alignment_T", "trace_ratio", "final_loss")
    arrays = {k: np.concatenate([getattr(m, k) for m in parts]) for k in names}
    widths = np.concatenate([m.widths for m in parts])
    fits = {m: fit_rate(widths, arrays[m], fit_from) for m in MEASURES}
    return KernelMotion(widths, fit_from=int(fit_from), fits=fits, **arrays)
