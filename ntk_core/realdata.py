"""Infinite-width kernels against finite nets on real (tabular or image) data.

Classification as regression, as in Arora et al. 2020 ("Harnessing the power of infinitely wide
deep nets on small-data tasks", arXiv:1910.01663) and Lee et al. 2020 ("Finite versus infinite
neural networks", arXiv:2007.15801): targets are one-hot vectors minus their mean, every model
is trained on ½ Σ (f − y)², and the predicted class is the largest output.

- :func:`kernel_paths`: the infinite-width NTK-GD and NNGP predictors' means at gradient-flow
  times ``ts`` (``math.inf`` allowed), from one eigendecomposition each
  (:class:`ntk_core._ensemble.InfiniteEnsemble`).
- :func:`finite_nets`: k-output nets of one width trained by full-batch GD from independent
  inits, each beside its *infinite-width twin* f₀ − A_t (f₀(X) − Y): the prediction of an
  infinitely wide net that starts from this net's own outputs, so their difference measures
  width alone, not the randomness of the init (Lee et al. 2019, arXiv:1902.06720).
- :func:`agreement_vs_width`, :func:`learning_curve`, :func:`regularisation_vs_time`: the sweeps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._analytic import analytic_kernels
from ._ensemble import InfiniteEnsemble, infinite_ensemble_model
from ._linearized import kernel_eigh
from ._mlp import MLP
from ._multi import apply_multi, init_multi, train_multi
from .cost import Cost, analytic_cost, train_cost
from .experiments import seed_pair

KERNELS = ("ntk", "nngp")
_MULTI_SLOWDOWN = 3.0  # measured time of train_multi over the train_cost model


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of rows whose largest score is the true class; a row with a non-finite score
    counts as wrong. NaN for no rows."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    if labels.size == 0:
        return math.nan
    ok = np.all(np.isfinite(scores), axis=-1)
    pred = np.argmax(np.where(np.isfinite(scores), scores, -np.inf), axis=-1)
    return float(np.mean((pred == labels) & ok))


def centre_unit_norm(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Features centred with the training means, then each row scaled to unit norm (inputs on
    the sphere, where the NTK depends on angles only; Arora et al. 2020). A row that is all
    zeros after centring stays zero."""
    mean = x_train.mean(axis=0)

    def unit(z: np.ndarray) -> np.ndarray:
        norm = np.linalg.norm(z, axis=1, keepdims=True)
        return z / np.where(norm > 0, norm, 1.0)

    return unit(x_train - mean), unit(x_test - mean)


def mse(pred: np.ndarray, y: np.ndarray) -> float:
    """Mean over rows of Σ_c (pred − y)²: the test loss per point (×2)."""
    return float(np.mean(np.sum((np.asarray(pred) - y) ** 2, axis=-1)))


def _model(x_tr, y_tr, x_te, net: MLP, kernel: str, diag_reg: float) -> InfiniteEnsemble:
    """The infinite-width ensemble of ``net``'s architecture on [x_tr; x_te] (the NTK
    parameterization's limit, also used as the reference for a standard-parameterization net)."""
    return infinite_ensemble_model(x_tr, y_tr, x_te, depth=net.depth, activation=net.activation,
                                   weight_std=net.sigma_w, bias_std=net.sigma_b, kernel=kernel,
                                   diag_reg=diag_reg)


def stable_lr(x_tr: np.ndarray, net: MLP) -> float:
    """1/λ_max of the infinite-width NTK on the training inputs: half the largest stable step
    2/λ_max, so that finite nets (whose λ_max fluctuates around it) train stably."""
    theta = analytic_kernels(x_tr, depth=net.depth, activation=net.activation,
                             weight_std=net.sigma_w, bias_std=net.sigma_b).ntk
    return 1.0 / float(kernel_eigh(theta)[0][0])


@dataclass
class KernelPaths:
    """Test predictions of the infinite-width predictors at times ``ts``: ``means[kernel]``
    (T, n_test, k), with accuracy and MSE per time."""

    ts: np.ndarray
    means: dict[str, np.ndarray]
    accuracy: dict[str, np.ndarray]
    mse: dict[str, np.ndarray]
    notes: dict[str, str]


def kernel_paths(x_tr, y_tr, x_te, labels_te, net: MLP, *, ts, diag_reg: float = 0.0
                 ) -> KernelPaths:
    """NTK-GD and NNGP means at gradient-flow times ``ts`` (``math.inf`` for t = ∞)."""
    ts = np.asarray(ts, dtype=np.float64)
    y_te = _onehot_like(labels_te, y_tr)
    means, acc, err, notes = {}, {}, {}, {}
    for kernel in KERNELS:
        path = _model(x_tr, y_tr, x_te, net, kernel, diag_reg).path(ts)
        m = path.means if path.means.ndim == 3 else path.means[..., None]
        means[kernel] = m
        acc[kernel] = np.array([accuracy(mi, labels_te) for mi in m])
        err[kernel] = np.array([mse(mi, y_te) for mi in m])
        notes[kernel] = path.note
    return KernelPaths(ts, means, acc, err, notes)


def _onehot_like(labels: np.ndarray, y_tr: np.ndarray) -> np.ndarray:
    """Centred one-hot targets with the training targets' number of classes."""
    k = y_tr.shape[1]
    y = np.zeros((len(labels), k))
    y[np.arange(len(labels)), labels] = 1.0
    return y - 1.0 / k


@dataclass
class FiniteRun:
    """``preds`` (S, R, n_test, k) of S nets at the recorded steps ``steps`` (R,), and their
    infinite-width twins ``twins`` (same shape); ``accuracy`` and ``twin_accuracy`` (S, R);
    ``agreement`` (S, R): RMS(net − twin) / RMS(twin − its init), how far the net is from its
    twin relative to how far training moved the twin; ``diverged`` (S,)."""

    steps: np.ndarray
    lr: float
    preds: np.ndarray
    twins: np.ndarray
    accuracy: np.ndarray
    twin_accuracy: np.ndarray
    agreement: np.ndarray
    diverged: np.ndarray


def finite_nets(x_tr, y_tr, x_te, labels_te, net: MLP, *, lr: float, steps: int,
                n_seeds: int = 2, seed: int = 0, n_records: int = 12) -> FiniteRun:
    """``n_seeds`` k-output nets of ``net``'s architecture trained by GD with step ``lr`` for
    ``steps``; each recorded beside its infinite-width twin at the same time t = lr · steps."""
    y_tr = np.asarray(y_tr, dtype=np.float64)
    rec = np.unique(np.round(np.geomspace(1, max(int(steps), 1), n_records)).astype(int))
    rec = np.unique(np.concatenate([[0], rec[rec <= steps], [int(steps)]]))
    model = _model(x_tr, y_tr, x_te, net, "ntk", 0.0)
    transfers = [model.transfer(float(lr * s)) for s in rec]
    shape = (int(n_seeds), rec.size, x_te.shape[0], y_tr.shape[1])
    preds, twins = np.full(shape, np.nan), np.full(shape, np.nan)
    diverged = np.zeros(int(n_seeds), bool)
    for k in range(int(n_seeds)):
        p0 = init_multi(net, x_tr.shape[1], y_tr.shape[1], seed_pair(seed, k)[0])
        run = train_multi(net, p0, x_tr, y_tr, lr=lr, steps=int(steps), x_test=x_te,
                          record_steps=rec)
        preds[k] = run.test_preds
        diverged[k] = run.diverged
        f0, f0_te = apply_multi(net, p0, x_tr), apply_multi(net, p0, x_te)
        for i, a in enumerate(transfers):
            twins[k, i] = f0_te - a @ (f0 - y_tr)
    acc = np.array([[accuracy(p, labels_te) for p in s] for s in preds])
    tacc = np.array([[accuracy(p, labels_te) for p in s] for s in twins])
    moved = np.sqrt(np.mean((twins - twins[:, :1]) ** 2, axis=(2, 3)))
    gap = np.sqrt(np.mean((preds - twins) ** 2, axis=(2, 3)))
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = np.where(moved > 0, gap / moved, np.nan)
    return FiniteRun(rec, float(lr), preds, twins, acc, tacc, agreement, diverged)


def finite_nets_cost(x_tr, y_tr, x_te, labels_te, net: MLP, *, lr: float = 0.0, steps: int,
                     n_seeds: int = 2, seed: int = 0, n_records: int = 12) -> Cost:
    """Trainings (a k-output readout adds k × the scalar readout's work) plus the kernels.

    The k-output trainer (:mod:`ntk_core._multi`) allocates its arrays afresh each step, unlike
    the scalar one the cost model was calibrated on: measured 2.3–3× the model's estimate
    (digits, n_train 300, widths 512–1,000, quiet machine), hence ``_MULTI_SLOWDOWN``."""
    n, d = x_tr.shape
    k = np.asarray(y_tr).reshape(n, -1).shape[1]
    one = train_cost(n, d, net.width, net.depth, int(steps), n_test=x_te.shape[0],
                     n_records=n_records, activation=net.activation)
    readout = Cost(2.0 * 3 * n * net.width * (k - 1) * (int(steps) + 1) / 1.5e10, 0.0)
    m = n + x_te.shape[0]
    trainings = (one + readout).times(int(n_seeds) * _MULTI_SLOWDOWN)
    return trainings + analytic_cost(m, None, net.depth) + Cost(
        (n**3 + n * n * m) * 4 / 1.5e10 * n_records, 8.0 * (m * m * 3))


@dataclass
class WidthAgreement:
    """Per width (rows) and seed (columns): the net's accuracy, its twin's, and agreement."""

    widths: np.ndarray
    accuracy: np.ndarray
    twin_accuracy: np.ndarray
    agreement: np.ndarray


def agreement_vs_width(x_tr, y_tr, x_te, labels_te, net: MLP, widths, *, lr: float, steps: int,
                       n_seeds: int = 2, seed: int = 0) -> WidthAgreement:
    """:func:`finite_nets` at each width, final step only."""
    widths = np.asarray(sorted({int(w) for w in widths}), dtype=np.int64)
    acc = np.full((widths.size, int(n_seeds)), np.nan)
    tacc, agree = acc.copy(), acc.copy()
    for i, w in enumerate(widths):
        run = finite_nets(x_tr, y_tr, x_te, labels_te, net.with_width(int(w)), lr=lr,
                          steps=steps, n_seeds=n_seeds, seed=seed, n_records=2)
        acc[i], tacc[i], agree[i] = run.accuracy[:, -1], run.twin_accuracy[:, -1], \
            run.agreement[:, -1]
    return WidthAgreement(widths, acc, tacc, agree)


def regularisation_vs_time(x_tr, y_tr, x_te, labels_te, net: MLP, *, diag_regs, ts
                           ) -> dict[str, np.ndarray]:
    """Test accuracy of the NTK predictor over ``diag_regs`` at t = ∞ and over times ``ts``
    without regularisation: a ridge λ and a stopping time t play similar roles (per eigenmode
    λ_i/(λ_i + λ) against 1 − e^{−λ_i t}; Lee et al. 2020)."""
    reg = np.array([accuracy(_mean(_model(x_tr, y_tr, x_te, net, "ntk", float(r)).at(None)),
                             labels_te) for r in diag_regs])
    path = _model(x_tr, y_tr, x_te, net, "ntk", 0.0).path(np.asarray(ts, float))
    means = path.means if path.means.ndim == 3 else path.means[..., None]
    return {"diag_reg": np.asarray(diag_regs, float), "accuracy_reg": reg,
            "ts": np.asarray(ts, float), "accuracy_t": np.array([accuracy(m, labels_te)
                                                               for m in means])}


def _mean(pred) -> np.ndarray:
    return pred.mean if pred.mean.ndim == 2 else pred.mean[:, None]
