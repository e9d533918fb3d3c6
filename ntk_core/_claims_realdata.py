"""Claims of Lee et al. 2020 ("Finite versus infinite neural networks: an empirical study",
arXiv:2007.15801) and Arora et al. 2020 ("Harnessing the power of infinitely wide deep nets on
small-data tasks", arXiv:1910.01663), measured on real data sets the caller loads.

The engine reads no file and imports no scikit-learn: :func:`real_data_claims` takes
``{name: (features, labels)}`` arrays (the app loads scikit-learn's bundled sets) and, for the
Arora row, the accuracies of a classical baseline that the caller computed on the very split
:func:`prepare_sets` returns.

Set-up (every row, each data set): a seeded stratified split of at most :data:`N_TRAIN` training
and :data:`N_TEST` test rows; features centred with the training means and each row scaled to
unit norm (:func:`ntk_core.realdata.centre_unit_norm`); targets one-hot minus 1/k; one hidden
ReLU layer, σ_w = 1.4, σ_b = 0.1 (NTK parameterization); finite nets of width :data:`WIDTH`
trained by full-batch GD with η = 1/λ_max of the infinite-width NTK for :data:`STEPS` steps,
:data:`SEEDS` seeds (:func:`ntk_core.realdata.finite_nets`, whose twins are the infinite-width
dynamics started from each net's own outputs).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import realdata as rd
from ._empirical import empirical_ntk
from ._linearized import kernel_eigh
from ._mlp import MLP
from .cost import Cost
from .experiments import seed_pair

N_TRAIN, N_TEST = 200, 200
WIDTH, STEPS, SEEDS = 200, 300, 3
DEPTH, SIGMA_W, SIGMA_B = 1, 1.4, 0.1
REGS = (0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)  # diag_reg grid, tuned on a validation split
VAL_FRACTION = 0.25  # of the training rows, held out to tune diag_reg
RIDGES = tuple(float(r) for r in np.geomspace(1e-4, 10.0, 11))  # ridge λ; times t = 1/λ
NEAR_STEP = 1.9  # × 1/λ_max: 0.95 of the largest stable step 2/λ_max of the kernel
BEYOND_STEP = 3.0  # × 1/λ_max: 1.5 × 2/λ_max, where the kernel's GD with this step diverges
TRAINS_AS_WELL = 0.05  # nets at the beyond step within 5 accuracy points of the small step's
LIKE_BEST = 0.02  # ridge ~ stopping: best accuracies within 2 points …
LIKE_MEAN = 0.03  # … and the matched curves (λ = 1/t) within 3 points on average
SOURCE_LEE = "Lee et al. 2020"
SOURCE_ARORA = "Arora et al. 2020"


@dataclass(frozen=True)
class Split:
    """One data set, split and preprocessed: inputs, centred one-hot targets, labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    labels_train: np.ndarray
    x_test: np.ndarray
    labels_test: np.ndarray

    @property
    def n_train(self) -> int:
        return len(self.labels_train)

    @property
    def n_test(self) -> int:
        return len(self.labels_test)


def stratified_order(labels: np.ndarray, seed: int) -> np.ndarray:
    """All row indices in a seeded random order in which every prefix holds the classes in
    about their proportions (each row ranked by its position within its class)."""
    labels = np.asarray(labels)
    perm = np.random.default_rng(int(seed)).permutation(labels.size)
    rank = np.empty(labels.size)
    for c in np.unique(labels):
        idx = perm[labels[perm] == c]
        rank[idx] = (np.arange(idx.size) + 0.5) / idx.size
    return perm[np.argsort(rank[perm], kind="stable")]


def prepare(name: str, x, labels, seed: int) -> Split:
    """A stratified split (at most :data:`N_TRAIN` / :data:`N_TEST` rows, at most half the
    rows for training), preprocessed as in the module docstring."""
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(labels)
    if x.ndim != 2 or x.shape[0] != labels.size or labels.size < 4:
        raise ValueError(f"{name}: features must be (n, d) with n >= 4 labels, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: features contain NaN or infinity")
    classes, lab = np.unique(labels, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"{name}: needs at least two classes")
    n_train = min(N_TRAIN, labels.size // 2)
    n_test = min(N_TEST, labels.size - n_train)
    order = stratified_order(lab, seed)
    tr, te = order[:n_train], order[n_train:n_train + n_test]
    a, b = rd.centre_unit_norm(x[tr], x[te])
    k = classes.size
    return Split(name, a, np.eye(k)[lab[tr]] - 1.0 / k, lab[tr], b, lab[te])


def prepare_sets(sets: dict[str, tuple[np.ndarray, np.ndarray]], seed: int
                 ) -> dict[str, Split]:
    """:func:`prepare` for every set: the splits the rows use (a caller's baseline must be
    fitted on these to be comparable)."""
    return {name: prepare(name, x, lab, seed) for name, (x, lab) in sets.items()}


def net(width: int = WIDTH, parameterization: str = "ntk") -> MLP:
    """The rows' architecture."""
    return MLP(DEPTH, width, "relu", SIGMA_W, SIGMA_B, parameterization=parameterization)


# ----------------------------------------------------------------------------- measurements
def _at_infinity(s: Split, x_tr, y_tr, x_te, labels, reg: float) -> rd.KernelPaths:
    return rd.kernel_paths(x_tr, y_tr, x_te, labels, net(), ts=[math.inf], diag_reg=reg)


def kernel_results(s: Split) -> dict:
    """Test accuracy and MSE of NTK-GD and NNGP at t = ∞, with diag_reg = 0 and with diag_reg
    tuned per kernel on a validation split of the training rows (lowest validation MSE over
    :data:`REGS`, then refitted on all training rows)."""
    n_fit = s.n_train - max(1, round(VAL_FRACTION * s.n_train))
    val = {r: _at_infinity(s, s.x_train[:n_fit], s.y_train[:n_fit], s.x_train[n_fit:],
                           s.labels_train[n_fit:], r) for r in REGS}
    out: dict = {}
    for kernel in rd.KERNELS:
        best = min(REGS, key=lambda r, k=kernel: val[r].mse[k][0])
        for tag, reg in (("fixed", 0.0), ("tuned", best)):
            p = _at_infinity(s, s.x_train, s.y_train, s.x_test, s.labels_test, reg)
            out[(kernel, tag)] = {"diag_reg": reg, "accuracy": float(p.accuracy[kernel][0]),
                                  "mse": float(p.mse[kernel][0])}
    return out


def ridge_vs_time(s: Split) -> dict:
    """NTK test accuracy over ridges λ at t = ∞ and over times t = 1/λ without a ridge."""
    r = rd.regularisation_vs_time(s.x_train, s.y_train, s.x_test, s.labels_test, net(),
                                  diag_regs=RIDGES, ts=[1.0 / lam for lam in RIDGES])
    acc_r, acc_t = r["accuracy_reg"], r["accuracy_t"]
    return {"ridges": list(RIDGES), "accuracy_ridge": acc_r.tolist(),
            "accuracy_time": acc_t.tolist(), "best_ridge": float(acc_r.max()),
            "best_time": float(acc_t.max()),
            "mean_abs_difference": float(np.mean(np.abs(acc_r - acc_t)))}


def _rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a**2)))


def ensemble_results(s: Split, run: rd.FiniteRun) -> dict:
    """Distances to the infinite-width NTK-GD mean μ_t (same t), relative to RMS(μ_t): each
    net, each net centred (f_t − f_0), and the mean of the nets; accuracies beside them."""
    t = run.lr * float(run.steps[-1])
    mu = rd.kernel_paths(s.x_train, s.y_train, s.x_test, s.labels_test, net(),
                         ts=[t]).means["ntk"][0]
    ok = ~run.diverged
    final, init = run.preds[ok, -1], run.preds[ok, 0]
    scale = _rms(mu)
    return {
        "t": t,
        "single": float(np.mean([_rms(f - mu) for f in final])) / scale,
        "centred": float(np.mean([_rms(f - f0 - mu) for f, f0 in
                                  zip(final, init, strict=True)])) / scale,
        "ensemble": _rms(final.mean(axis=0) - mu) / scale,
        "accuracy_single": float(np.mean(run.accuracy[ok, -1])),
        "accuracy_ensemble": rd.accuracy(final.mean(axis=0), s.labels_test),
        "accuracy_kernel": rd.accuracy(mu, s.labels_test),
        "n_nets": int(ok.sum()),
    }


def sp_step(s: Split, seed: int) -> float:
    """1/λ_max of the standard-parameterization net's empirical NTK at init (seed's first
    net) on the training rows: its own stable step, as η = 1/λ_max is for the NTK one."""
    sp = net(parameterization="standard")
    theta = empirical_ntk(sp, sp.init(s.x_train.shape[1], seed_pair(seed, 0)[0]), s.x_train)
    return 1.0 / float(kernel_eigh(theta)[0][0])


@dataclass
class SetResult:
    """Everything measured on one data set."""

    split: Split
    lr: float
    kernels: dict
    ridge: dict
    small: rd.FiniteRun
    near: rd.FiniteRun
    beyond: rd.FiniteRun
    standard: rd.FiniteRun
    sp_lr: float
    ensemble: dict


def measure_set(s: Split, seed: int, tick: Callable[[], None] = lambda: None) -> SetResult:
    """Every measurement on one split; ``tick()`` after each group of trained nets."""
    lr = rd.stable_lr(s.x_train, net())
    args = (s.x_train, s.y_train, s.x_test, s.labels_test)
    small = rd.finite_nets(*args, net(), lr=lr, steps=STEPS, n_seeds=SEEDS, seed=seed,
                           n_records=2)
    tick()
    near, beyond = (rd.finite_nets(*args, net(), lr=f * lr, steps=max(1, round(STEPS / f)),
                                   n_seeds=SEEDS, seed=seed, n_records=2)
                    for f in (NEAR_STEP, BEYOND_STEP))
    tick()
    sp_lr = sp_step(s, seed)
    standard = rd.finite_nets(*args, net(parameterization="standard"), lr=sp_lr, steps=STEPS,
                              n_seeds=SEEDS, seed=seed, n_records=2)
    tick()
    return SetResult(s, lr, kernel_results(s), ridge_vs_time(s), small, near, beyond,
                     standard, sp_lr, ensemble_results(s, small))


def measure_sets(sets, seed: int, progress: Callable[[float], None] | None = None
                 ) -> dict[str, SetResult]:
    """:func:`measure_set` on every prepared set; ``progress(fraction)`` as nets finish."""
    splits = prepare_sets(sets, seed)
    done, total = [0], 3 * len(splits)

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0] / total)

    return {name: measure_set(s, seed, tick) for name, s in splits.items()}


# ----------------------------------------------------------------------------- rows
def _settings(name: str, n_train: int, seed: int, **extra) -> dict:
    """The Real data view on the first set (its own split of the same data and net)."""
    base = dict(data=name, scaling="unit_norm", n_train=n_train, seed=int(seed), depth=DEPTH,
                activation="relu", sigma_w=SIGMA_W, sigma_b=SIGMA_B, diag_reg=0.0,
                width=WIDTH, steps=STEPS, seeds=SEEDS)
    return base | {k: int(v) if isinstance(v, bool) else v for k, v in extra.items()}


def _where(res: dict[str, SetResult]) -> str:
    parts = [f"{n}: {r.split.n_train} train / {r.split.n_test} test" for n, r in res.items()]
    return "; ".join(parts)


def _common(res: dict[str, SetResult], seed: int) -> dict:
    return {"sets": {n: {"n_train": r.split.n_train, "n_test": r.split.n_test,
                         "lr": r.lr} for n, r in res.items()},
            "seed": int(seed), "width": WIDTH, "steps": STEPS, "n_seeds": SEEDS}


def _claim_nngp_vs_ntk(res, seed, first):
    from .claims import Claim

    rows, wins, total = {}, 0, 0
    for name, r in res.items():
        for tag in ("fixed", "tuned"):
            a, b = r.kernels[("nngp", tag)], r.kernels[("ntk", tag)]
            rows[f"{name}/{tag}"] = {"nngp": a, "ntk": b}
            wins += a["mse"] <= b["mse"]
            total += 1
    text = "; ".join(f"{k}: NNGP {v['nngp']['accuracy']:.3f} / MSE {v['nngp']['mse']:.3f} vs "
                     f"NTK {v['ntk']['accuracy']:.3f} / {v['ntk']['mse']:.3f}"
                     for k, v in rows.items())
    return Claim(
        id="lee2020-nngp-vs-ntk",
        claim="NNGP kernels frequently outperform NTK kernels (t = ∞ kernel predictors).",
        source=SOURCE_LEE,
        claimed="NNGP's test MSE at most NTK's in at least half the comparisons",
        measured=f"NNGP better or equal in {wins} of {total}",
        holds=bool(2 * wins >= total),
        reason=f"Test accuracy / MSE at t = ∞, with diag_reg = 0 (fixed) and with diag_reg "
        f"tuned per kernel on a {VAL_FRACTION:.0%} validation split of the training rows "
        f"over {', '.join(f'{r:g}' for r in REGS)} (tuned): {text}. {_where(res)}.",
        view="real_data", settings=_settings(first.name, first.n_train, seed),
        details=_common(res, seed) | {"comparisons": {k: v for k, v in rows.items()},
                                      "nngp_wins": wins, "total": total},
    )


def _claim_ridge(res, seed, first):
    from .claims import Claim

    ok = all(abs(r.ridge["best_ridge"] - r.ridge["best_time"]) <= LIKE_BEST
             and r.ridge["mean_abs_difference"] <= LIKE_MEAN for r in res.values())
    text = "; ".join(f"{n}: best {r.ridge['best_ridge']:.3f} over λ vs {r.ridge['best_time']:.3f}"
                     f" over t, mean |difference| at t = 1/λ {r.ridge['mean_abs_difference']:.3f}"
                     for n, r in res.items())
    worst = max(r.ridge["mean_abs_difference"] for r in res.values())
    return Claim(
        id="lee2020-ridge-like-stopping",
        claim="Diagonal regularisation of the kernel acts like early stopping: the accuracy "
        "over the ridge λ (at t = ∞) traces the accuracy over training time t = 1/λ.",
        source=SOURCE_LEE,
        claimed=f"best accuracies within {LIKE_BEST:.0%} points and the curves within "
        f"{LIKE_MEAN:.0%} points on average at t = 1/λ",
        measured=float(worst),
        holds=bool(ok),
        reason=f"NTK predictor, {len(RIDGES)} ridges from {RIDGES[0]:g} to {RIDGES[-1]:g}: "
        f"{text}. Per mode the two filters are λᵢ/(λᵢ + λ) and 1 − e^(−λᵢ t). {_where(res)}.",
        view="real_data", settings=_settings(first.name, first.n_train, seed, reg=True),
        details=_common(res, seed) | {n: r.ridge for n, r in res.items()},
        formula=r"\frac{\lambda_i}{\lambda_i+\lambda}\ \approx\ 1-e^{-\lambda_i t},"
        r"\quad t=1/\lambda",
    )


def _claim_ensembling(res, seed, first):
    from .claims import Claim

    ens = {n: r.ensemble for n, r in res.items()}
    closer = all(e["ensemble"] < e["single"] for e in ens.values())
    text = "; ".join(f"{n}: one net {e['single']:.3f}, mean of {e['n_nets']} "
                     f"{e['ensemble']:.3f}, centred net {e['centred']:.3f} (accuracy "
                     f"{e['accuracy_single']:.3f} / {e['accuracy_ensemble']:.3f}, kernel "
                     f"{e['accuracy_kernel']:.3f})" for n, e in ens.items())
    return Claim(
        id="lee2020-ensembling",
        claim="Ensembling finite nets brings their prediction closer to the infinite-width "
        "one (Lee et al. 2020 say the same of centring, f_t − f_0).",
        source=SOURCE_LEE,
        claimed="the mean of the nets closer to the infinite-width NTK-GD mean than one net",
        measured=float(max(e["ensemble"] / e["single"] for e in ens.values())),
        holds=bool(closer),
        reason=f"RMS distance to the infinite-width NTK-GD mean μ_t at the nets' t = η·"
        f"{STEPS}, relative to RMS(μ_t); measured: the largest ratio ensemble / one net. "
        f"{text}. Centring is further here: f_0(x*) − A f_0(X) nearly cancels at test "
        f"points close to training rows, and centring keeps only − A f_0(X). {_where(res)}.",
        view="real_data", settings=_settings(first.name, first.n_train, seed, agree=True),
        details=_common(res, seed) | {"distances": ens},
    )


def _claim_large_lr(res, seed, first):
    from .claims import Claim

    def med(run: rd.FiniteRun) -> float:
        return float(np.nanmedian(run.agreement[:, -1]))

    def acc(run: rd.FiniteRun) -> float:
        return float(np.mean(run.accuracy[:, -1]))

    per = {n: {"agreement_small": med(r.small), "agreement_near": med(r.near),
               "agreement_beyond": med(r.beyond), "accuracy_small": acc(r.small),
               "accuracy_beyond": acc(r.beyond), "diverged_beyond": int(r.beyond.diverged.sum())}
           for n, r in res.items()}
    breaks = all(p["diverged_beyond"] == 0
                 and p["accuracy_beyond"] >= p["accuracy_small"] - TRAINS_AS_WELL
                 for p in per.values())
    text = "; ".join(f"{n}: agreement {p['agreement_small']:.3f} at η = 1/λ_max, "
                     f"{p['agreement_near']:.3f} at {NEAR_STEP:g}/λ_max, "
                     f"{p['agreement_beyond']:.3f} at {BEYOND_STEP:g}/λ_max, where the nets "
                     f"reach accuracy {p['accuracy_beyond']:.3f} (vs {p['accuracy_small']:.3f})"
                     for n, p in per.items())
    growth = max(p["agreement_near"] / p["agreement_small"] for p in per.values())
    return Claim(
        id="lee2020-large-lr",
        claim="Large learning rates break the correspondence between finite nets and the "
        "kernel: above 2/λ_max the kernel's gradient descent with that step diverges while "
        "finite nets still train.",
        source=SOURCE_LEE,
        claimed=f"at η = {BEYOND_STEP:g}/λ_max no net diverges and they reach the accuracy of "
        f"η = 1/λ_max (within {TRAINS_AS_WELL:.0%} points)",
        measured=f"below 2/λ_max agreement grows at most ×{growth:.2f}; beyond it the nets train",
        holds=bool(breaks),
        reason=f"Infinite-width GD with η = {BEYOND_STEP:g}/λ_max multiplies its top mode by "
        f"|1 − ηλ_max| = {BEYOND_STEP - 1:g} per step. Agreement = RMS(net − twin) / RMS(twin "
        f"− its start), the twin being gradient flow at the same t (equal t: "
        f"{STEPS}, {round(STEPS / NEAR_STEP)} and {round(STEPS / BEYOND_STEP)} steps), median of "
        f"{SEEDS} seeds: {text}. Below 2/λ_max the correspondence holds. {_where(res)}.",
        view="real_data", settings=_settings(first.name, first.n_train, seed, agree=True),
        details=_common(res, seed) | {"per_set": per, "near_step": NEAR_STEP,
                                      "beyond_step": BEYOND_STEP},
    )


def _claim_parameterization(res, seed, first):
    from .claims import Claim

    per = {}
    for n, r in res.items():
        d = r.small.accuracy[:, -1] - r.standard.accuracy[:, -1]  # paired: same seeds
        se = float(np.std(d, ddof=1) / math.sqrt(d.size)) if d.size > 1 else math.nan
        per[n] = {"ntk": float(np.mean(r.small.accuracy[:, -1])),
                  "standard": float(np.mean(r.standard.accuracy[:, -1])),
                  "difference": float(np.mean(d)), "stderr": se, "sp_lr": r.sp_lr,
                  "ntk_lr": r.lr}
    diff = {n: p["difference"] for n, p in per.items()}
    clear = all(math.isfinite(p["stderr"]) and p["difference"] > 2 * p["stderr"]
                for p in per.values())
    text = "; ".join(f"{n}: NTK {p['ntk']:.3f} vs standard {p['standard']:.3f} (difference "
                     f"{p['difference']:+.3f} ± {p['stderr']:.3f})" for n, p in per.items())
    return Claim(
        id="lee2020-ntk-vs-standard",
        claim="At equal width, the NTK parameterization outperforms the standard one.",
        source=SOURCE_LEE,
        claimed="NTK-parameterized nets more accurate than standard ones on every set, by more "
        "than twice the standard error of the paired (same seed) differences",
        measured="NTK − standard accuracy: "
        + ", ".join(f"{n} {d:+.3f}" for n, d in diff.items()),
        holds=bool(clear),
        reason=f"Width {WIDTH}, {SEEDS} seeds (same draws), {STEPS} steps, each with η = "
        f"1/λ_max of its own NTK (the infinite-width one for NTK, the empirical one at init "
        f"for standard, whose NTK grows with width): {text}. {_where(res)}.",
        view="real_data", settings=_settings(first.name, first.n_train, seed),
        details=_common(res, seed) | {"per_set": per},
    )


def _claim_arora(res, seed, first, baselines: dict[str, float] | None, baseline_name: str):
    from .claims import Claim

    per, ok = {}, True
    for n, r in res.items():
        tuned = r.kernels[("ntk", "tuned")]
        p = {"ntk": tuned["accuracy"], "diag_reg": tuned["diag_reg"],
             "net": float(np.mean(r.small.accuracy[:, -1])),
             "ntk_at_net_time": r.ensemble["accuracy_kernel"]}
        if baselines and n in baselines:
            p["baseline"] = float(baselines[n])
        ok &= p["ntk"] >= p["net"] and p["ntk"] >= p.get("baseline", -math.inf)
        per[n] = p
    have = all("baseline" in p for p in per.values())
    text = "; ".join(f"{n}: NTK {p['ntk']:.3f}, net {p['net']:.3f}"
                     + (f", {baseline_name} {p['baseline']:.3f}" if "baseline" in p else "")
                     for n, p in per.items())
    return Claim(
        id="arora2020-small-data",
        claim="On small data sets an NTK kernel machine is at least as accurate as a finite "
        "net and a classical kernel baseline (here: scikit-learn's bundled sets only, not "
        "the paper's 90 UCI sets or its random forests).",
        source=SOURCE_ARORA,
        claimed="NTK test accuracy ≥ the finite nets' and ≥ the baseline's on every set",
        measured=text,
        holds=bool(ok),
        reason=f"NTK at t = ∞ with diag_reg tuned on a validation split; finite nets of width "
        f"{WIDTH} after {STEPS} steps at η = 1/λ_max (mean of {SEEDS} seeds; the kernel at "
        f"their time: "
        + ", ".join(f"{n} {p['ntk_at_net_time']:.3f}" for n, p in per.items())
        + (f"); baseline {baseline_name}, computed on the same split by the caller"
           if have else "); no baseline given, so the NTK is compared with the nets only")
        + f". {_where(res)}.",
        view="real_data", settings=_settings(first.name, first.n_train, seed, curves=True),
        details=_common(res, seed) | {"per_set": per, "baseline": baseline_name if have
                                      else None},
    )


def real_data_claims(sets: dict[str, tuple[np.ndarray, np.ndarray]], seed: int = 0, *,
                     baselines: dict[str, float] | None = None,
                     baseline_name: str = "baseline",
                     progress: Callable[[float], None] | None = None) -> list:
    """The six rows on ``sets`` ({name: (features, labels)}, at least one set) at ``seed``.

    ``baselines`` maps a set's name to a classical model's test accuracy on the split of
    :func:`prepare_sets` at this seed (``baseline_name`` says which model)."""
    if not sets:
        raise ValueError("need at least one data set")
    res = measure_sets(sets, int(seed), progress)
    first = next(iter(res.values())).split
    return [_claim_nngp_vs_ntk(res, seed, first), _claim_ridge(res, seed, first),
            _claim_ensembling(res, seed, first), _claim_large_lr(res, seed, first),
            _claim_parameterization(res, seed, first),
            _claim_arora(res, seed, first, baselines, baseline_name)]


def real_data_claims_cost(shapes: dict[str, tuple[int, int, int]]) -> Cost:
    """Estimated cost from each set's (rows, features, classes): the four groups of nets
    dominate (:func:`ntk_core.realdata.finite_nets_cost`)."""
    total = Cost(0.0, 0.0)
    for n, d, k in shapes.values():
        n_tr = min(N_TRAIN, n // 2)
        n_te = min(N_TEST, n - n_tr)
        x_tr, x_te = np.zeros((n_tr, d)), np.zeros((n_te, d))
        y = np.zeros((n_tr, k))
        lab = np.zeros(n_te, int)
        for f in (1.0, NEAR_STEP, BEYOND_STEP, 1.0):
            total = total + rd.finite_nets_cost(x_tr, y, x_te, lab, net(),
                                                steps=max(1, round(STEPS / f)),
                                                n_seeds=SEEDS, n_records=2)
        total = total + rd.finite_nets_cost(x_tr, y, x_te, lab, net(), steps=0, n_seeds=0,
                                            n_records=len(REGS) * 3 + len(RIDGES))
    return total
