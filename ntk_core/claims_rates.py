"""Claims about the *rate* at which an NTK moves with width (:mod:`ntk_core.motion`).

Three rows, each measured as a fitted log-log slope over widths 1,000 … 16,000 (where the laws
are asymptotic), in the set-up of the Kernel motion view (:mod:`ntk_core.setups`):

- ``spread-rate``: the spread between two initialisations falls like m^(−1/2) (a central limit
  theorem over the m units; Jacot et al. 2018, arXiv:1806.07572, prove only convergence);
- ``change-rate-erf``: the change during training of an erf net falls like ≈ 1/m, faster than
  the O(m^(−1/2)) bound of Lee et al. 2019 (arXiv:1902.06720), by sign cancellation (Dyer &
  Gur-Ari 2020, arXiv:1909.11304);
- ``change-rate-relu``: for ReLU it falls like ≈ m^(−1/2), carried by the hidden-layer block.

They train 2 × 6 networks at each of five widths (about a minute on one core), so the Claims
page measures them on request; ``python -m ntk_core claims`` always does.
"""

from __future__ import annotations

from collections.abc import Callable

from . import motion, setups
from ._data import make_inputs, target_function
from ._mlp import MLP
from .cost import Cost

CLAIM_WIDTHS = setups.MOTION_WIDTHS[2:]  # 1,000 … 16,000: the asymptotic range
CLAIM_SEEDS = 6  # trained networks per width and activation
CLAIM_PAIRS = 48  # pairs of inits per width for the spread (its noise needs many; no training)
SPREAD_RANGE = (-0.6, -0.4)  # law −1/2
ERF_MAX = -0.75  # law ≈ −1; the bound's −1/2 is well outside
RELU_RANGE = (-0.75, -0.35)  # law ≈ −1/2; the smooth rate −1 is well outside


def _settings(seed: int) -> dict[str, int]:
    return {"max_width": CLAIM_WIDTHS[-1], "seeds": CLAIM_SEEDS, "seed": int(seed)}


def _run(act: str, seed: int) -> motion.KernelMotion:
    x = make_inputs("grid", setups.MOTION_POINTS)
    y = target_function("sin", x)
    net = MLP(1, 1, act, bias_std=setups.MOTION_SIGMA_B)
    return motion.kernel_motion(
        x, y, net, CLAIM_WIDTHS, lr=setups.MOTION_LR, steps=setups.MOTION_STEPS,
        n_seeds=CLAIM_SEEDS, seed=seed, fit_from=CLAIM_WIDTHS[0], n_spread=CLAIM_PAIRS,
    )


def _details(fit: motion.RateFit, n: int) -> dict:
    lo, hi = fit.seed_range
    return {"widths": list(fit.widths), "seeds": n, "slope": fit.slope,
            "slope_stderr": fit.stderr, "per_seed_slopes": fit.per_seed.tolist(),
            "per_seed_range": [lo, hi]}


def _reason(fit: motion.RateFit, n: int, what: str) -> str:
    lo, hi = fit.seed_range
    return (f"Slope {fit.slope:.2f} ± {fit.stderr:.2f} of the mean of {n} {what} over widths "
            f"{CLAIM_WIDTHS[0]:,}–{CLAIM_WIDTHS[-1]:,}; single {what} give {lo:.2f} … {hi:.2f}.")


def rate_claims(seed: int = 0, progress: Callable[[float], None] | None = None) -> list:
    """The three rows (``Claim`` objects of :mod:`ntk_core.claims`); ``progress(fraction)`` is
    called after each activation."""
    from .claims import Claim

    runs = {}
    for i, act in enumerate(("relu", "erf")):
        runs[act] = _run(act, int(seed))
        if progress:
            progress((i + 1) / 2)
    spread = runs["relu"].fits["spread"]
    erf = runs["erf"].fits["change"]
    relu = runs["relu"].fits["change"]
    hidden = runs["relu"].fits["change_hidden"]
    readout = runs["relu"].fits["change_readout"]
    settings = _settings(seed)
    return [
        Claim(
            id="spread-rate",
            claim="Two random initialisations of the same width have NTKs whose relative "
            "difference falls like width^(−1/2), for every activation: Θ averages m independent "
            "units (a central limit theorem).",
            source="CLT over the units; convergence: Jacot et al. 2018",
            claimed=f"slope −1/2 (within {SPREAD_RANGE[0]} … {SPREAD_RANGE[1]})",
            measured=float(spread.slope),
            holds=bool(SPREAD_RANGE[0] <= spread.slope <= SPREAD_RANGE[1]),
            reason=_reason(spread, CLAIM_PAIRS, "pairs (ReLU)") + " erf: "
            f"{runs['erf'].fits['spread'].slope:.2f}.",
            view="kernel_motion", settings=settings,
            details=_details(spread, CLAIM_PAIRS) | {
                "erf_slope": runs["erf"].fits["spread"].slope},
        ),
        Claim(
            id="change-rate-erf",
            claim="During training at a fixed step, an erf network's NTK moves by ≈ 1/width: "
            "faster than the O(width^(−1/2)) upper bound, because each unit's move carries the "
            "random sign of its readout weight and the sum cancels.",
            source="Dyer & Gur-Ari 2020; bound: Lee et al. 2019",
            claimed=f"slope ≈ −1 (at most {ERF_MAX}); the bound alone gives −1/2",
            measured=float(erf.slope),
            holds=bool(erf.slope <= ERF_MAX),
            reason=_reason(erf, CLAIM_SEEDS, "trained nets"),
            view="kernel_motion", settings=settings, details=_details(erf, CLAIM_SEEDS),
        ),
        Claim(
            id="change-rate-relu",
            claim="During training at a fixed step, a ReLU network's NTK moves by ≈ "
            "width^(−1/2), carried by the hidden layer (units whose gate flips at a training "
            "point); its readout block moves by ≈ 1/width.",
            source="Lee et al. 2019 (bound); gate flips",
            claimed=f"slope ≈ −1/2 (within {RELU_RANGE[0]} … {RELU_RANGE[1]})",
            measured=float(relu.slope),
            holds=bool(RELU_RANGE[0] <= relu.slope <= RELU_RANGE[1]),
            reason=_reason(relu, CLAIM_SEEDS, "trained nets")
            + f" Hidden block {hidden.slope:.2f}, readout block {readout.slope:.2f}.",
            view="kernel_motion", settings=settings,
            details=_details(relu, CLAIM_SEEDS) | {"hidden_slope": hidden.slope,
                                                   "readout_slope": readout.slope},
        ),
    ]


def rate_claims_cost() -> Cost:
    """Estimated cost of :func:`rate_claims`."""
    x = make_inputs("grid", setups.MOTION_POINTS)
    y = target_function("sin", x)
    total = Cost(0.0, 0.0)
    for act in ("relu", "erf"):
        total = total + motion.kernel_motion_cost(
            x, y, MLP(1, 1, act), CLAIM_WIDTHS, steps=setups.MOTION_STEPS, n_seeds=CLAIM_SEEDS,
            n_spread=CLAIM_PAIRS)
    return total
