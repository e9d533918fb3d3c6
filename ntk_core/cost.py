"""A cost model: estimated time and memory of a request, from its sizes, before computing.

Estimates count floating-point work (flops) and the largest arrays alive at once, then convert
flops to seconds with conservative rates for a 2-core machine (BLAS matrix products, and
element-wise NumPy passes that run at memory speed). They are upper-bound style estimates meant
to refuse requests that would take far longer than the budget, not to predict run times
precisely; ``ntk_core.bench`` compares them with measured times.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

GEMM_FLOPS_PER_S = 1.5e10  # float64 matrix products with OpenBLAS on 2 cores (measured 15-25e9)
ELEMENTWISE_PER_S = 1e9  # element-wise passes (exp, arctan2, masks) incl. temporaries
PYTHON_STEP_S = 10e-6  # interpreter overhead per layer per training step (measured ~6e-6)
NORMALS_PER_S = 5e7  # np.random.Generator.standard_normal draws (parameter initialisation)
BYTES = 8



def env_seconds(name: str, default: float) -> float:
    """A positive, finite number of seconds from the environment variable ``name``; ``default``
    when it is unset, not a number, zero, negative or infinite (an operator's typo never turns
    a budget off)."""
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


DEFAULT_TIME_BUDGET_S = 5.0


def time_budget_s() -> float:
    """The interactive budget: estimated seconds one view may compute before a page caps a
    control, degrades or offers a longer run. An operator may set it with the environment
    variable ``NTK_TIME_BUDGET_S`` (read on every call; default 5 s): a faster machine can offer
    wider nets."""
    return env_seconds("NTK_TIME_BUDGET_S", DEFAULT_TIME_BUDGET_S)
MEMORY_BUDGET_B = 1 << 30  # 1 GiB


class CostError(ValueError):
    """A request that would exceed the time or memory budget."""


@dataclass(frozen=True)
class Cost:
    """Estimated seconds and peak bytes of a computation."""

    seconds: float
    bytes: float

    def __add__(self, other: Cost) -> Cost:  # sequential work: times add, memory peaks
        return Cost(self.seconds + other.seconds, max(self.bytes, other.bytes))

    def times(self, k: float) -> Cost:
        """The same computation repeated ``k`` times (memory is reused)."""
        return Cost(self.seconds * k, self.bytes)

    def describe(self) -> str:
        return f"≈ {self.seconds:.2g} s and {self.bytes / 2**20:.0f} MB"


def _work(gemm_flops: float, elementwise: float, overhead_s: float = 0.0) -> float:
    return gemm_flops / GEMM_FLOPS_PER_S + elementwise / ELEMENTWISE_PER_S + overhead_s


def num_params(d: int, width: int, depth: int) -> int:
    """Parameters of ``depth`` hidden layers of ``width`` on ``d`` inputs with a scalar readout."""
    return width * (d + 1) + (depth - 1) * width * (width + 1) + width + 1


def _extra_passes(activation: str) -> float:
    """Element-wise passes an activation's fused pass costs beyond ReLU's one."""
    from ._activations import get_activation

    return get_activation(activation).pass_cost - 1.0


def empirical_ntk_cost(n1: int, n2: int | None, d: int, width: int, depth: int,
                       chunk: int = 1024, *, activation: str = "relu") -> Cost:
    """Gram-formula NTK between n1 and n2 inputs (n2=None: the symmetric case)."""
    sym = n2 is None
    n2 = n1 if sym else n2
    rows = n1 + (0 if sym else n2)
    deep = depth - 1
    forward = 2.0 * rows * (d * width + deep * width * width)
    grams = (1.0 if sym else 2.0) * n1 * n2 * width * (2 + 2 * deep)
    messages = 2.0 * rows * deep * width * width
    elementwise = ((6.0 + _extra_passes(activation)) * rows * width * depth
                   + 4.0 * n1 * n2 * (depth + 1))
    params = num_params(d, width, depth) * BYTES
    acts = rows * width * (2 * deep + 4) * BYTES if deep else 4 * rows * min(width, chunk) * BYTES
    init = num_params(d, width, depth) / NORMALS_PER_S  # drawing the weights first
    return Cost(_work(forward + grams + messages, elementwise, init),
                params + acts + 4 * n1 * n2 * BYTES)


def analytic_cost(n1: int, n2: int | None, depth: int) -> Cost:
    """Analytic NNGP/NTK recursion: ~15 element-wise passes per layer over the cells computed
    (the upper triangle when n2 is None, mirrored), a few over the n1×n2 outputs; the two
    outputs are the only large arrays (measured peak 2.1 n1 n2 · 8 bytes)."""
    sym = n2 is None
    n2 = n1 if sym else n2
    cells = n1 * n2
    computed = n1 * (n1 + 1) / 2 if sym else cells
    return Cost(_work(0.0, 15.0 * computed * max(depth, 1) + 4.0 * cells), 3 * cells * BYTES)


def train_cost(n: int, d: int, width: int, depth: int, steps: int, *, n_test: int = 0,
               n_records: int = 2, record_kernels: bool = False,
               activation: str = "relu") -> Cost:
    """Full-batch GD: a forward and a backward pass per step, plus the recorded snapshots."""
    deep = depth - 1
    per_step_flops = 6.0 * n * (d * width + deep * width * width + width)
    extra = _extra_passes(activation)
    per_step_elem = (6.0 + extra) * n * width * depth + 4.0 * num_params(d, width, depth)
    step = Cost(_work(per_step_flops, per_step_elem, PYTHON_STEP_S * (depth + 1) * 4),
                (3 * num_params(d, width, depth) + 4 * n * width * depth) * BYTES)
    total = step.times(steps + 1)
    if n_test:  # a forward pass on the test grid per record (matmuls + ~8 element-wise passes)
        record = Cost(_work(2.0 * n_test * (d * width + deep * width * width),
                            (8.0 + extra) * n_test * width * depth), n_test * width * 4 * BYTES)
        total = total + record.times(n_records)
    if record_kernels:
        total = total + empirical_ntk_cost(n, None, d, width, depth,
                                           activation=activation).times(n_records)
    return total


def fits(c: Cost, budget_s: float | None = None) -> bool:
    """True when ``c`` is within ``budget_s`` seconds (default :func:`time_budget_s`) and the
    memory budget."""
    budget_s = time_budget_s() if budget_s is None else budget_s
    return c.seconds <= budget_s and c.bytes <= MEMORY_BUDGET_B


def largest_affordable_prefix(
    values: Sequence, cost_of: Callable[[tuple], Cost], budget_s: float | None = None
) -> tuple:
    """The longest prefix ``tuple(values[:k])`` whose cost ``cost_of(prefix)`` fits the
    budget (:func:`fits`); ``()`` when even the first value does not fit. Costs are assumed
    to grow with the prefix (every experiment's does), so the search stops at the first
    prefix that does not fit."""
    values = tuple(values)
    budget_s = time_budget_s() if budget_s is None else budget_s
    k = 0
    while k < len(values) and fits(cost_of(values[: k + 1]), budget_s):
        k += 1
    return values[:k]


def check(cost: Cost, *, what: str = "This request", hint: str = "",
          time_budget: float | None = None, memory_budget: float = MEMORY_BUDGET_B) -> Cost:
    """Raise :class:`CostError` with a readable message if ``cost`` exceeds a budget (time:
    default :func:`time_budget_s`)."""
    time_budget = time_budget_s() if time_budget is None else time_budget
    over = []
    if cost.seconds > time_budget:
        over.append(f"about {cost.seconds:.3g} s of computing (budget {time_budget:g} s)")
    if cost.bytes > memory_budget:
        over.append(
            f"about {cost.bytes / 2**20:,.0f} MB of memory (budget {memory_budget / 2**20:,.0f} MB)"
        )
    if over:
        msg = f"{what} would need {' and '.join(over)}."
        if hint:
            msg += f" {hint}"
        raise CostError(msg)
    return cost
