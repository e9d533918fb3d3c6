"""Claims of the original article and of the papers, each checked against the engine *now*.

:func:`evaluate_claims` returns one :class:`Claim` per statement: what is claimed, the value the
engine measures at this seed, whether the claim holds, a one-line reason, and the explorer view
(a name such as ``"width_stability"``) with the settings that show the same experiment. Every
measured value is computed on each call (nothing is cached here); a different seed moves the
stochastic numbers but not the verdicts. The app turns a view and its settings into a link.

The rows live in :mod:`ntk_core._claims_article` (the article's listings L1–L5 and the theory
it states), :mod:`ntk_core._claims_papers` (the papers and the neural-tangents README),
:mod:`ntk_core._claims_ensembles` (infinite ensembles: the neural-tangents Cookbook's statements,
analytic, always; finite ensembles converging, a few seconds, on request),
:mod:`ntk_core.claims_rates` (the rates of kernel motion, about a minute, on request) and
:mod:`ntk_core._claims_realdata` (Lee et al. 2020 and Arora et al. 2020 on real data sets the
caller loads, on request). The
article's own network is :class:`ntk_core._article.ArticleNet`; its listings re-run done right
are in :mod:`ntk_core.reproduce`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import experiments as ex
from ._data import make_inputs, target_function
from ._mlp import MLP
from .cost import Cost
from .setups import (
    LAZY_TRAIN_POINTS,
    TRAINING_LR,
    TRAINING_POINTS,
    TRAINING_RECORDS,
    TRAINING_STEPS,
    TRAINING_TEST_POINTS,
    eval_grid,
)

SQRT2 = math.sqrt(2.0)

# The explorer views a claim can point to (the app maps each name to its page).
VIEWS = ("width_stability", "training_dynamics", "lazy_vs_rich", "infinite_width",
         "kernel_motion", "infinite_ensembles", "real_data")

Setting = str | int | float


@dataclass
class Claim:
    """One claim beside what the engine measures now.

    ``measured`` is a float or a short text (a table row); ``details`` holds the numbers
    behind it; ``view`` names the explorer view that shows the experiment (one of
    :data:`VIEWS`) and ``settings`` the values of that view's settings; ``stochastic`` is False
    when the measurement does not depend on the seed (analytic kernels); ``formula`` is the
    claimed law in LaTeX (empty when the claim is not a formula).
    """

    id: str
    claim: str
    source: str
    claimed: str
    measured: float | str
    holds: bool
    reason: str
    view: str
    settings: dict[str, Setting]
    stochastic: bool = True
    details: dict[str, Any] = field(default_factory=dict)
    formula: str = ""

    @property
    def measured_text(self) -> str:
        m = self.measured
        return f"{m:.4g}" if isinstance(m, float) else str(m)

    @property
    def verdict(self) -> str:
        return "holds" if self.holds else "does not hold"

    @property
    def from_article(self) -> bool:
        """Whether the claim is the original article's (its source names the article)."""
        return self.source.startswith("Article")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["measured_text"] = self.measured_text
        return d


# ----------------------------------------------------------------------------- shared helpers
def fmt_list(values, spec: str = ".3f", sep: str = " / ") -> str:
    """Numbers joined for a table row ("0.12 / 0.34")."""
    return sep.join(format(float(v), spec) for v in values)


def fmt_eig(value: float, lam_max: float, spec: str = ".1e") -> str:
    """An eigenvalue (or a ratio, with ``lam_max`` = 1) for display: "0" when its magnitude is
    below 1e-12 of λ_max (rounding; eigenvalues are clipped at 0 as in ``kernel_eigh``)."""
    return "0" if abs(value) < 1e-12 * abs(lam_max) else format(float(value), spec)


def setting(value: Any) -> Setting:
    """A setting's value: a number or text as it is, a switch as 1 or 0."""
    return int(value) if isinstance(value, bool) else value


def td_run(target: str, width: int, seed: int, *, bias_std: float = 1.0):
    """The training-dynamics view's run at its defaults (depth 1, σ_b = 1 unless given):
    inputs, targets and :class:`ntk_core.experiments.TrainingDynamics`."""
    x = make_inputs("grid", TRAINING_POINTS)
    y = target_function(target, x, seed=0)
    res = ex.training_dynamics(
        x, y, eval_grid(TRAINING_TEST_POINTS), MLP(1, width, "relu", SQRT2, bias_std),
        lr=TRAINING_LR, steps=TRAINING_STEPS, seed=seed, n_records=TRAINING_RECORDS,
    )
    return x, y, res


def td_run_cost(width: int) -> Cost:
    """Cost of :func:`td_run` at ``width``."""
    x = make_inputs("grid", TRAINING_POINTS)
    return ex.training_dynamics_cost(
        x, x[:, 0], eval_grid(TRAINING_TEST_POINTS), MLP(1, width, bias_std=1.0),
        lr=TRAINING_LR, steps=TRAINING_STEPS, n_records=TRAINING_RECORDS,
    )


def td_settings(target: str, width: int, seed: int, *, nobias: bool = False
                ) -> dict[str, Setting]:
    """Settings of the training-dynamics view for :func:`td_run`."""
    return dict(target=target, n=TRAINING_POINTS, sigma_b=1.0, nobias=setting(nobias),
                width=width, depth=1, lr=TRAINING_LR, steps=TRAINING_STEPS, seed=seed)


def lazy_settings(seed: int, **extra: Any) -> dict[str, Setting]:
    """Settings of the lazy-vs-rich view: sin 2x, the default step, and ``extra``."""
    base: dict[str, Setting] = {"target": "sin", "lr": TRAINING_LR, "seed": seed}
    base.update({k: setting(v) for k, v in extra.items()})
    return base


def lazy_data() -> tuple[np.ndarray, np.ndarray]:
    """The lazy-vs-rich view's training set: sin 2x on its 1-D grid."""
    x = make_inputs("grid", LAZY_TRAIN_POINTS)
    return x, target_function("sin", x)


# ----------------------------------------------------------------------------- public
def evaluate_claims(seed: int = 0, *, rates: bool = False, ensembles: bool = False
                    ) -> list[Claim]:
    """Every claim with the value the engine measures now at ``seed`` (a few seconds on one
    core); with ``ensembles``, also the two finite-ensemble convergence rows of
    :mod:`ntk_core._claims_ensembles` (a few seconds more); with ``rates``, also the three
    rate-of-motion claims of :mod:`ntk_core.claims_rates` (about a minute more)."""
    from . import _claims_article, _claims_ensembles, _claims_papers

    seed = int(seed)
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    claims = (_claims_article.article_claims(seed) + _claims_papers.paper_claims(seed)
              + _claims_ensembles.cookbook_claims(seed))
    if ensembles:
        claims += _claims_ensembles.convergence_claims(seed)
    if rates:
        from .claims_rates import rate_claims

        claims += rate_claims(seed)
    return claims


def claims_cost() -> Cost:
    """Estimated time and memory of :func:`evaluate_claims` without the rates (its sizes are
    fixed), from the experiments' cost functions and the cost model of :mod:`ntk_core.cost`."""
    from . import _claims_article, _claims_ensembles, _claims_papers

    return (_claims_article.article_cost() + _claims_papers.papers_cost()
            + _claims_ensembles.cookbook_cost())
