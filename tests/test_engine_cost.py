"""Cost planning in the engine: ``experiments.<name>_cost`` and the budget helpers.

The "old" formulas below are the estimates the pages composed themselves before the planning
moved into the engine (the Width stability, Training dynamics, Lazy vs rich and Infinite width
pages), written out again here: the engine must give the same numbers.
"""

import itertools

import numpy as np
import pytest

import ntk_core as nc
from ntk_core import cost
from ntk_core import experiments as ex
from ntk_core.cost import Cost, analytic_cost, empirical_ntk_cost, train_cost

CIRCLE = nc.make_inputs("circle", 36)
GRID = nc.make_inputs("grid", 15)
Y = nc.target_function("sin", GRID)
X_TEST = np.linspace(-2.5, 2.5, 81)[:, None]


def same(a: Cost, b: Cost) -> None:
    assert a.seconds == pytest.approx(b.seconds, rel=1e-12)
    assert a.bytes == pytest.approx(b.bytes, rel=1e-12)


# ----------------------------------------------------------------------------- old page formulas
def old_kernel_pair(n, d, width, depth):
    return empirical_ntk_cost(n, None, d, width, depth).times(2) + analytic_cost(n, None, depth)


def old_width_sweep(n, d, widths, depth, n_seeds):
    total = analytic_cost(n, None, depth)
    for w in widths:
        total = total + empirical_ntk_cost(n, None, d, w, depth).times(2 * n_seeds)
    return total


def old_kernel_slices(n, d, widths, depth):
    total = analytic_cost(1, n, depth)
    for w in widths:
        total = total + empirical_ntk_cost(1, n, d, w, depth)
    return total


def old_training(n, width, depth, steps, n_test, n_records):
    return (
        train_cost(n, 1, width, depth, steps, n_test=n_test, n_records=n_records)
        + empirical_ntk_cost(n, None, 1, width, depth).times(2)
        + empirical_ntk_cost(n_test, n, 1, width, depth)
    )


def old_panel(width, steps, n_train=15, n_test=81, n_snap=21):
    return (
        train_cost(n_train, 1, width, 1, steps, n_test=n_test, n_records=n_snap,
                   record_kernels=True)
        + empirical_ntk_cost(n_train, None, 1, width, 1)
        + empirical_ntk_cost(n_test, n_train, 1, width, 1)
    )


def old_sweep(widths, steps, n_seeds, n_train=15):
    total = Cost(0.0, 0.0)
    for w in widths:
        one = train_cost(n_train, 1, w, 1, steps)
        total = total + (one + empirical_ntk_cost(n_train, None, 1, w, 1).times(2)).times(n_seeds)
    return total


@pytest.mark.parametrize(("width", "depth"), [(10, 1), (1000, 2), (50_000, 1), (2000, 4)])
def test_width_stability_costs_match_the_page_formulas(width, depth):
    net = nc.MLP(depth, width, "erf", 1.3, 0.5)  # activation and scales do not enter
    same(ex.kernel_pair_cost(CIRCLE, net), old_kernel_pair(36, 2, width, depth))
    widths = (10, 20, 50, 100, 200, 500, 1000)
    same(ex.width_sweep_cost(CIRCLE, net, widths, n_seeds=5),
         old_width_sweep(36, 2, widths, depth, 5))
    same(ex.kernel_slices_cost(CIRCLE, net, (10, 100, 1000)),
         old_kernel_slices(36, 2, (10, 100, 1000), depth))


@pytest.mark.parametrize(("n", "width", "depth", "steps"),
                         [(15, 1000, 1, 1000), (60, 100_000, 3, 5000), (5, 10, 2, 100)])
def test_training_dynamics_cost_matches_the_page_formula(n, width, depth, steps):
    x = nc.make_inputs("grid", n)
    x_test = np.linspace(-2.5, 2.5, 101)[:, None]
    net = nc.MLP(depth, width, bias_std=1.0)
    got = ex.training_dynamics_cost(x, x[:, 0], x_test, net, lr=0.01, steps=steps, n_records=40)
    same(got, old_training(n, width, depth, steps, 101, 40))


@pytest.mark.parametrize(("width", "steps"), [(10, 100), (2000, 1000), (100_000, 5000)])
def test_lazy_rich_costs_match_the_page_formulas(width, steps):
    net = nc.MLP(1, width, bias_std=1.0)
    same(ex.lazy_rich_panel_cost(GRID, Y, X_TEST, net, lr=0.01, steps=steps),
         old_panel(width, steps))
    mf = nc.MLP(1, 1, bias_std=1.0, parameterization="mean_field")  # same cost per width
    widths = (10, 30, 100, 300, 1000, 3000)
    same(ex.ntk_change_vs_width_cost(GRID, Y, mf, widths, lr=0.01, steps=steps, n_seeds=2),
         old_sweep(widths, steps, 2))
    alphas = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
    same(ex.alpha_sweep_cost(GRID, Y, net, alphas, lr=0.01, steps=steps, n_seeds=1),
         old_sweep((width,) * len(alphas), steps, 1))


def test_depth_profile_cost_matches_the_page_formula():
    got = ex.depth_profile_cost(nc.MLP(1, 1), range(1, 21), n_angles=73)
    same(got, analytic_cost(144, None, 20).times(20))
    assert ex.depth_profile_cost(nc.MLP(1, 1), ()) == Cost(0.0, 0.0)


# ----------------------------------------------------------------------------- monotonicity
WIDTHS = (10, 100, 1000, 10_000, 100_000)


def increasing(values) -> bool:
    return all(b > a for a, b in itertools.pairwise(values))


def test_costs_grow_with_width():
    def each(fn):
        return [fn(nc.MLP(2, w, bias_std=1.0)) for w in WIDTHS]

    for costs in (
        each(lambda net: ex.kernel_pair_cost(CIRCLE, net)),
        each(lambda net: ex.training_dynamics_cost(GRID, Y, X_TEST, net, lr=0.01, steps=100)),
        each(lambda net: ex.lazy_rich_panel_cost(GRID, Y, X_TEST, net, lr=0.01, steps=100)),
        each(lambda net: ex.alpha_sweep_cost(GRID, Y, net, (1.0, 10.0), lr=0.01, steps=100)),
    ):
        assert increasing([c.seconds for c in costs])
        assert increasing([c.bytes for c in costs])
    net = nc.MLP(2, 1)
    for fn in (
        lambda ws: ex.width_sweep_cost(CIRCLE, net, ws),
        lambda ws: ex.kernel_slices_cost(CIRCLE, net, ws),
        lambda ws: ex.ntk_change_vs_width_cost(GRID, Y, net, ws, lr=0.01, steps=100),
    ):
        # a sweep's cost grows with its widest width and with every width added
        assert increasing([fn((10, w)).seconds for w in WIDTHS[1:]])
        assert increasing([fn(WIDTHS[:k]).seconds for k in range(1, len(WIDTHS) + 1)])


def test_training_costs_grow_with_steps():
    net = nc.MLP(1, 500, bias_std=1.0)
    for fn in (
        lambda s: ex.training_dynamics_cost(GRID, Y, X_TEST, net, lr=0.01, steps=s),
        lambda s: ex.lazy_rich_panel_cost(GRID, Y, X_TEST, net, lr=0.01, steps=s),
        lambda s: ex.ntk_change_vs_width_cost(GRID, Y, net, (10, 100), lr=0.01, steps=s),
        lambda s: ex.alpha_sweep_cost(GRID, Y, net, (0.1, 1.0), lr=0.01, steps=s),
    ):
        assert increasing([fn(s).seconds for s in (0, 100, 1000, 5000)])


def test_sweep_costs_scale_with_seeds_and_ignore_the_seed():
    net = nc.MLP(1, 1, bias_std=1.0)
    one = ex.ntk_change_vs_width_cost(GRID, Y, net, (10, 100), lr=0.01, steps=100, n_seeds=1)
    three = ex.ntk_change_vs_width_cost(GRID, Y, net, (10, 100), lr=0.01, steps=100, n_seeds=3,
                                        seed=7)
    assert three.seconds == pytest.approx(3 * one.seconds)
    assert three.bytes == one.bytes  # memory is reused between runs


# ----------------------------------------------------------------------------- budget helpers
def test_fits_checks_time_and_memory():
    assert cost.fits(Cost(cost.time_budget_s(), 0.0))
    assert not cost.fits(Cost(cost.time_budget_s() * 1.01, 0.0))
    assert cost.fits(Cost(1.0, 0.0), budget_s=1.0) and not cost.fits(Cost(1.0, 0.0), 0.5)
    assert not cost.fits(Cost(0.0, cost.MEMORY_BUDGET_B + 1))


def unit_cost(prefix: tuple) -> Cost:
    return Cost(float(sum(prefix)), 0.0)


@pytest.mark.parametrize(
    ("values", "budget", "expected"),
    [
        ((), 10.0, ()),  # nothing asked
        ((1, 2, 3), 0.5, ()),  # even the first value is too dear
        ((1, 2, 3), 1.0, (1,)),  # exactly on the budget counts as fitting
        ((1, 2, 3), 5.9, (1, 2)),
        ((1, 2, 3), 6.0, (1, 2, 3)),  # everything fits
        ((1, 2, 3), 100.0, (1, 2, 3)),
        ([4, 1, 1], 3.0, ()),  # a prefix, not a subset: the cheap tail is not taken
    ],
)
def test_largest_affordable_prefix(values, budget, expected):
    assert cost.largest_affordable_prefix(values, unit_cost, budget) == expected


def test_largest_affordable_prefix_respects_memory_and_the_default_budget():
    def dear_memory(prefix):
        return Cost(0.0, cost.MEMORY_BUDGET_B * len(prefix) / 2)

    assert cost.largest_affordable_prefix(range(5), dear_memory) == (0, 1)
    net = nc.MLP(1, 1)
    got = cost.largest_affordable_prefix(
        WIDTHS, lambda ws: ex.width_sweep_cost(CIRCLE, net, ws, n_seeds=5)
    )
    assert got == WIDTHS[: len(got)]
    assert cost.fits(ex.width_sweep_cost(CIRCLE, net, got, n_seeds=5))
    if len(got) < len(WIDTHS):
        assert not cost.fits(ex.width_sweep_cost(CIRCLE, net, WIDTHS[: len(got) + 1], n_seeds=5))


def test_mlp_with_width_and_depth_keep_the_rest():
    net = nc.MLP(2, 50, "erf", None, 0.3, "mean_field")
    wide, deep = net.with_width(7), net.with_depth(5)
    assert (wide.width, wide.depth, deep.width, deep.depth) == (7, 2, 50, 5)
    for other in (wide, deep):
        assert (other.activation, other.sigma_w, other.sigma_b, other.parameterization) == (
            "erf", 1.0, 0.3, "mean_field")
    with pytest.raises(ValueError, match="width"):
        net.with_width(0)


def test_seed_pair_is_public_and_distinct():
    pairs = {ex.seed_pair(s, k) for s in range(4) for k in range(6)}
    seeds = [s for p in pairs for s in p]
    assert len(pairs) == 24 and len(set(seeds)) == 48


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 5.0), ("2.5", 2.5), ("10", 10.0), ("0", 5.0), ("-1", 5.0), ("inf", 5.0),
     ("nan", 5.0), ("abc", 5.0), ("", 5.0), ("1e-3", 1e-3)],
)
def test_env_seconds_keeps_the_default_unless_a_positive_finite_number_is_set(
    raw, expected, monkeypatch
):
    if raw is None:
        monkeypatch.delenv("NTK_TEST_SECONDS", raising=False)
    else:
        monkeypatch.setenv("NTK_TEST_SECONDS", raw)
    assert cost.env_seconds("NTK_TEST_SECONDS", 5.0) == expected


def test_the_interactive_budget_is_read_from_the_environment_on_every_call(monkeypatch):
    monkeypatch.setenv("NTK_TIME_BUDGET_S", "3.5")
    assert cost.time_budget_s() == 3.5
    assert cost.fits(Cost(3.5, 0.0)) and not cost.fits(Cost(3.6, 0.0))
    assert cost.largest_affordable_prefix([1, 2, 3], lambda p: Cost(sum(p), 0.0)) == (1, 2)
    monkeypatch.delenv("NTK_TIME_BUDGET_S")
    assert cost.time_budget_s() == cost.DEFAULT_TIME_BUDGET_S == 5.0
    with pytest.raises(cost.CostError, match="budget 5 s"):
        cost.check(Cost(5.1, 0.0))
