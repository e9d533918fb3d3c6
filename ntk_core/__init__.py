"""ntk_core: finite- and infinite-width Neural Tangent Kernels in NumPy.

Public face (the implementation lives in private modules):

- :class:`MLP` — a fully connected net in the "ntk", "standard" or "mean_field" parameterization.
- :func:`empirical_ntk`, :func:`empirical_kernels` — the finite-width NTK (and NNGP) by per-layer
  Gram matrices, chunked over width (Jacot et al. 2018, arXiv:1806.07572).
- :func:`analytic_kernels` — the infinite-width NNGP and NTK (Lee et al. 2018, arXiv:1711.00165;
  arc-cosine kernels, Cho & Saul 2009; erf, Williams 1997).
- :func:`train_gd` — full-batch gradient descent with divergence detection and an output scale
  (Chizat, Oyallon & Bach 2019, arXiv:1812.07956).
- :func:`linearized_dynamics`, :func:`kernel_regression` — the NTK's predictions (Lee et al.
  2019, arXiv:1902.06720).
- :mod:`ntk_core.experiments` — one function per view of the explorer, each with its cost;
  :mod:`ntk_core.cost` — the cost model and budget helpers.
- :mod:`ntk_core.claims`, :mod:`ntk_core.reproduce` — the article's and papers' claims checked
  now, and the article's listings re-run (``python -m ntk_core reproduce``).
- :mod:`ntk_core.testing` — slow oracles for tests (explicit Jacobian, flatten/unflatten).
"""

from . import cost, experiments
from ._activations import ACTIVATIONS
from ._analytic import analytic_kernels, analytic_ntk
from ._data import INPUT_SETS, TARGETS, circle_points, make_inputs, target_function
from ._empirical import Kernels, empirical_kernels, empirical_ntk
from ._linearized import (
    LinearizedResult,
    kernel_eigh,
    kernel_regression,
    linearized_dynamics,
    stable_lr_bound,
)
from ._metrics import alignment_distance, loglog_slope, relative_frobenius, spectrum
from ._mlp import MLP, PARAMETERIZATIONS, Params
from ._training import TrainResult, train_gd

__all__ = [
    "ACTIVATIONS",
    "INPUT_SETS",
    "MLP",
    "PARAMETERIZATIONS",
    "TARGETS",
    "Kernels",
    "LinearizedResult",
    "Params",
    "TrainResult",
    "alignment_distance",
    "analytic_kernels",
    "analytic_ntk",
    "circle_points",
    "cost",
    "empirical_kernels",
    "empirical_ntk",
    "experiments",
    "kernel_eigh",
    "kernel_regression",
    "linearized_dynamics",
    "loglog_slope",
    "make_inputs",
    "relative_frobenius",
    "spectrum",
    "stable_lr_bound",
    "target_function",
    "train_gd",
]

__version__ = "0.1.0"
