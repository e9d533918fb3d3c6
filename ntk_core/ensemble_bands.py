"""The Infinite ensembles view: the infinite-width Gaussian over time beside real ensembles.

For one architecture (an :class:`MLP`, NTK parameterization) and a small 1-D regression set:

- ``"ntk"``: every layer trained by gradient descent. At infinite width the outputs over random
  inits are Gaussian with mean NTK regression and a covariance built from the NNGP prior
  (Lee et al. 2019, arXiv:1902.06720, eq. 16); N finite nets trained from independent inits
  are its samples.
- ``"nngp"``: only the readout trained: the readout's kernel is the NNGP, and at t = ∞ the
  Gaussian is the NNGP posterior (Lee et al. 2018, arXiv:1711.00165).

Time is t = η·steps with one step η per kind, η = 1/λ_max of that kind's infinite-width kernel
on the training inputs (half the largest stable step). The infinite-width Gaussian is that of
discrete GD with the same η (:meth:`InfiniteEnsemble.path` with ``lr``), so finite and infinite
differ by width alone; t = ∞ is the exact limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._analytic import analytic_kernels
from ._ensemble import InfiniteEnsemble, infinite_model_for
from ._linearized import kernel_eigh
from ._mlp import MLP
from .cost import Cost
from .ensembles import finite_ensemble, finite_ensemble_cost, infinite_ensemble_cost

KINDS = ("ntk", "nngp")
STEPS_GRID = (0, 1, 3, 10, 30, 100, 300, 1000)


@dataclass
class Bands:
    """Per kind: ``lr``, the infinite-width ``mean`` and ``std`` (T + 1, n_test) at
    ``steps_grid`` and then t = ∞, and the ``members`` (N, T, n_test) of the finite ensemble at
    the same steps (``diverged`` (N,)). ``notes`` carry the engine's caveats."""

    steps: np.ndarray
    lr: dict[str, float]
    mean: dict[str, np.ndarray]
    std: dict[str, np.ndarray]
    members: dict[str, np.ndarray]
    diverged: dict[str, np.ndarray]
    notes: dict[str, str]

    def times(self, kind: str) -> np.ndarray:
        """t = η·steps for the grid, then ∞."""
        return np.append(self.lr[kind] * self.steps, math.inf)


def _model(x_tr, y_tr, x_te, net: MLP, kernel: str, diag_reg: float) -> InfiniteEnsemble:
    """The infinite-width ensemble of ``net``'s architecture on [x_tr; x_te]."""
    return infinite_model_for(net, x_tr, y_tr, x_te, kernel=kernel, diag_reg=diag_reg)


def step_size(x_tr: np.ndarray, net: MLP, kind: str) -> float:
    """1/λ_max of the kind's infinite-width kernel (Θ for "ntk", K for "nngp") on x_tr."""
    ker = analytic_kernels(x_tr, depth=net.depth, activation=net.activation,
                           weight_std=net.sigma_w, bias_std=net.sigma_b)
    g = ker.ntk if kind == "ntk" else ker.nngp
    return 1.0 / float(kernel_eigh(g)[0][0])


def ensemble_bands(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, net: MLP, *,
                   n_members: int, seed: int = 0, diag_reg: float = 0.0,
                   steps_grid=STEPS_GRID, kinds=KINDS, progress=None) -> Bands:
    """Each of ``kinds``: the infinite-width band at every step of ``steps_grid`` and at t = ∞, and
    ``n_members`` nets of ``net.width`` trained for ``max(steps_grid)`` steps. ``diag_reg``
    regularises the infinite-width predictor only (a finite net has no ridge).
    ``progress(fraction)`` is called after each member."""
    steps = np.asarray(sorted({int(s) for s in steps_grid}), dtype=np.int64)
    out: dict[str, dict] = {k: {} for k in ("lr", "mean", "std", "members", "diverged",
                                            "notes")}
    done, total = 0, len(kinds) * int(n_members)
    for kind in kinds:
        lr = step_size(x_tr, net, kind)
        model = _model(x_tr, y_tr, x_te, net, kind, diag_reg)
        path = model.path(lr * steps, lr=lr)
        inf = model.at(None)
        out["lr"][kind] = lr
        out["mean"][kind] = np.vstack([path.means, inf.mean[None]])
        out["std"][kind] = np.vstack([path.stds, inf.std[None]])
        out["notes"][kind] = " ".join(n for n in (path.note, inf.note) if n)

        def tick(i, n, base=done):
            if progress is not None:
                progress((base + i) / total)

        ens = finite_ensemble(x_tr, y_tr, x_te, net, n_members=n_members, lr=lr,
                              steps=int(steps[-1]), seed=seed, readout_only=kind == "nngp",
                              record_steps=steps, progress=tick)
        done += int(n_members)
        out["members"][kind] = ens.test_preds
        out["diverged"][kind] = ens.diverged
    return Bands(steps, **out)


def ensemble_bands_cost(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, net: MLP, *,
                        n_members: int, seed: int = 0, diag_reg: float = 0.0,
                        steps_grid=STEPS_GRID, progress=None) -> Cost:
    """Both kinds' infinite bands and finite ensembles."""
    n, d = x_tr.shape
    m, t = x_te.shape[0], len(steps_grid)
    steps = int(max(steps_grid))
    total = infinite_ensemble_cost(n, m, net.depth, n_times=t).times(2)
    for readout_only in (False, True):
        total = total + finite_ensemble_cost(n, d, net.width, net.depth, steps, int(n_members),
                                             n_test=m, n_records=t, readout_only=readout_only)
    return total


def merge(parts: list[Bands]) -> Bands:
    """One :class:`Bands` from runs of different kinds on the same grid."""
    fields = ("lr", "mean", "std", "members", "diverged", "notes")
    out = {f: {k: v for p in parts for k, v in getattr(p, f).items()} for f in fields}
    return Bands(parts[0].steps, **out)
