"""Experiments behind the explorer's pages, each returning a tidy dataclass of arrays.

Every experiment takes its inputs, then the network as an :class:`~ntk_core.MLP` ``net``, then
keyword options; it is deterministic given its ``seed``. Sweeps over width replace the net's own
width (``net.with_width(w)``). Beside each experiment ``<name>_cost(...)`` takes the same
arguments and returns its estimated :class:`~ntk_core.cost.Cost` (the seed is ignored), so a
caller can plan within a budget before computing anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import cost
from ._analytic import analytic_kernels
from ._data import circle_points
from ._empirical import empirical_kernels, empirical_ntk
from ._linearized import kernel_eigh, kernel_regression, linearized_dynamics
from ._metrics import loglog_slope, relative_frobenius
from ._mlp import MLP, flatten
from ._training import train_gd


def _limit(net: MLP, x1: np.ndarray, x2: np.ndarray | None = None):
    """The infinite-width (nngp, ntk) of ``net``'s architecture (NTK parameterization)."""
    return analytic_kernels(
        x1, x2, depth=net.depth, activation=net.activation, weight_std=net.sigma_w,
        bias_std=net.sigma_b,
    )


def seed_pair(seed: int, k: int) -> tuple[int, int]:
    """Two distinct, reproducible seeds for the k-th pair of initialisations (the first one
    also seeds the single init of the training experiments)."""
    return 2 * (int(seed) * 1009 + k), 2 * (int(seed) * 1009 + k) + 1


def _widths(widths) -> np.ndarray:
    """Distinct widths, ascending."""
    return np.asarray(sorted({int(w) for w in widths}), dtype=np.int64)


def _ntk_cost(net: MLP, n1: int, n2: int | None, d: int, width: int | None = None) -> cost.Cost:
    return cost.empirical_ntk_cost(n1, n2, d, net.width if width is None else width, net.depth)


# --------------------------------------------------------------------------- width stability
@dataclass
class KernelPair:
    """Two empirical NTKs of one architecture (inits A and B) and the analytic limit."""

    theta_a: np.ndarray
    theta_b: np.ndarray
    analytic: np.ndarray
    nngp_a: np.ndarray
    analytic_nngp: np.ndarray
    variation: float  # ||A - B||_F / ||A||_F
    distance_a: float  # ||A - analytic||_F / ||analytic||_F
    distance_b: float
    nngp_distance: float


def kernel_pair(x: np.ndarray, net: MLP, *, seed: int = 0) -> KernelPair:
    """Empirical NTK of ``net`` for two random inits (``seed`` pair) beside the analytic NTK."""
    sa, sb = seed_pair(seed, 0)
    ka = empirical_kernels(net, net.init(x.shape[1], sa), x)
    tb = empirical_ntk(net, net.init(x.shape[1], sb), x)
    inf = _limit(net, x)
    return KernelPair(
        theta_a=ka.ntk,
        theta_b=tb,
        analytic=inf.ntk,
        nngp_a=ka.nngp,
        analytic_nngp=inf.nngp,
        variation=relative_frobenius(tb, ka.ntk),
        distance_a=relative_frobenius(ka.ntk, inf.ntk),
        distance_b=relative_frobenius(tb, inf.ntk),
        nngp_distance=relative_frobenius(ka.nngp, inf.nngp),
    )


def kernel_pair_cost(x: np.ndarray, net: MLP, *, seed: int = 0) -> cost.Cost:
    """Two empirical NTKs (each drawing its init) and the analytic kernels."""
    n, d = x.shape
    return _ntk_cost(net, n, None, d).times(2) + cost.analytic_cost(n, None, net.depth)


@dataclass
class WidthSweep:
    """Relative variation between two inits and distance to the analytic NTK, widths × seeds."""

    widths: np.ndarray
    variation: np.ndarray  # (W, S)
    distance: np.ndarray  # (W, S)
    slope: float  # fitted log-log slope of the mean variation
    slope_stderr: float
    distance_slope: float
    distance_slope_stderr: float

    @property
    def variation_mean(self) -> np.ndarray:
        return self.variation.mean(axis=1)

    @property
    def distance_mean(self) -> np.ndarray:
        return self.distance.mean(axis=1)


def width_sweep(
    x: np.ndarray, net: MLP, widths, *, n_seeds: int = 5, seed: int = 0
) -> WidthSweep:
    """For each width, ``n_seeds`` pairs of inits: ||Theta_A - Theta_B||/||Theta_A|| and
    ||Theta_A - Theta_inf||/||Theta_inf||; slopes fitted on the per-width means (expected
    -1/2: the empirical NTK fluctuates around its limit with O(1/sqrt(width)) entries).
    ``net``'s own width is ignored: width w uses ``net.with_width(w)``."""
    widths = _widths(widths)
    if widths.size == 0 or widths.min() < 1 or int(n_seeds) < 1:
        raise ValueError("need at least one width >= 1 and n_seeds >= 1")
    inf = _limit(net, x).ntk
    var = np.empty((widths.size, int(n_seeds)))
    dist = np.empty_like(var)
    for i, w in enumerate(widths):
        net_w = net.with_width(int(w))
        for k in range(int(n_seeds)):
            sa, sb = seed_pair(seed, k)
            ta = empirical_ntk(net_w, net_w.init(x.shape[1], sa), x)
            tb = empirical_ntk(net_w, net_w.init(x.shape[1], sb), x)
            var[i, k] = relative_frobenius(tb, ta)
            dist[i, k] = relative_frobenius(ta, inf)
    slope, err = loglog_slope(widths, var.mean(axis=1))
    dslope, derr = loglog_slope(widths, dist.mean(axis=1))
    return WidthSweep(widths, var, dist, slope, err, dslope, derr)


def width_sweep_cost(
    x: np.ndarray, net: MLP, widths, *, n_seeds: int = 5, seed: int = 0
) -> cost.Cost:
    """The analytic NTK once, then 2 · n_seeds empirical NTKs per width."""
    n, d = x.shape
    total = cost.analytic_cost(n, None, net.depth)
    for w in _widths(widths):
        total = total + _ntk_cost(net, n, None, d, int(w)).times(2 * int(n_seeds))
    return total


@dataclass
class KernelSlices:
    """Theta(x0, ·) for several widths (one init each) over the analytic curve."""

    widths: np.ndarray
    empirical: np.ndarray  # (W, n)
    analytic: np.ndarray  # (n,)


def kernel_slices(
    x: np.ndarray, net: MLP, widths, *, x0_index: int = 0, seed: int = 0
) -> KernelSlices:
    """Slices Theta(x0, x_j) of the empirical NTK at each width (Jacot et al. 2018, Fig. 1),
    one init each; ``net``'s own width is ignored."""
    if not 0 <= int(x0_index) < x.shape[0]:
        raise ValueError(f"x0_index must lie in [0, {x.shape[0] - 1}]")
    x0 = x[int(x0_index) : int(x0_index) + 1]
    widths = np.asarray([int(w) for w in widths], dtype=np.int64)
    rows = []
    for w in widths:
        net_w = net.with_width(int(w))
        rows.append(empirical_ntk(net_w, net_w.init(x.shape[1], seed_pair(seed, 0)[0]), x0, x)[0])
    inf = _limit(net, x0, x).ntk[0]
    return KernelSlices(widths, np.array(rows).reshape(widths.size, x.shape[0]), inf)


def kernel_slices_cost(
    x: np.ndarray, net: MLP, widths, *, x0_index: int = 0, seed: int = 0
) -> cost.Cost:
    """One analytic row, then one empirical NTK row (1 × n) per width."""
    n, d = x.shape
    total = cost.analytic_cost(1, n, net.depth)
    for w in widths:
        total = total + _ntk_cost(net, 1, n, d, int(w))
    return total


# --------------------------------------------------------------------------- training dynamics
@dataclass
class TrainingDynamics:
    """Real gradient descent beside the linearized (NTK) prediction from the same init."""

    steps: np.ndarray  # (k,) recorded steps
    losses: np.ndarray  # (steps+1,) GD loss, NaN after a divergence
    linear_losses: np.ndarray  # (steps+1,) exact discrete-time linearized loss
    continuous_losses: np.ndarray  # (steps+1,) gradient-flow exp(-eta Theta t) loss
    eigvals: np.ndarray  # spectrum of Theta_0 (descending)
    net_modes: np.ndarray  # (k, n) |V^T r_t| of the real net
    linear_modes: np.ndarray  # (k, n) |V^T r_t| of the linearized model
    net_test: np.ndarray  # (k, n_test)
    linear_test: np.ndarray  # (k, n_test)
    continuous_test: np.ndarray  # (k, n_test)
    f0_test: np.ndarray
    lam_min: float
    lam_max: float
    lr_bound: float  # 2 / lambda_max
    diverged: bool
    diverged_at: int | None
    kernel_change: float  # ||Theta_T - Theta_0|| / ||Theta_0|| (NaN if diverged)
    message: str


def training_dynamics(
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    net: MLP,
    *,
    lr: float,
    steps: int,
    seed: int = 0,
    n_records: int = 60,
) -> TrainingDynamics:
    """Train ``net`` by GD and compare with the discrete and continuous NTK predictions."""
    params = net.init(x.shape[1], seed_pair(seed, 0)[0])
    rec = np.unique(np.round(np.geomspace(1, max(steps, 1), n_records)).astype(int))
    rec = np.unique(np.concatenate([[0], rec[rec <= steps], [steps]]))
    result = train_gd(
        net, params, x, y, lr=lr, steps=steps, x_test=x_test, record_steps=rec,
        record_kernels=False,
    )
    theta0 = empirical_ntk(net, params, x)
    theta_test = empirical_ntk(net, params, x_test, x)
    f0, f0_test = net.apply(params, x), net.apply(params, x_test)
    all_t = np.arange(steps + 1)
    lin_all = linearized_dynamics(theta0, f0, y, lr=lr, steps=all_t)
    cont_all = linearized_dynamics(theta0, f0, y, lr=lr, steps=all_t, mode="continuous")
    lin = linearized_dynamics(theta0, f0, y, lr=lr, steps=rec, theta_test=theta_test,
                              f0_test=f0_test)
    cont = linearized_dynamics(theta0, f0, y, lr=lr, steps=rec, theta_test=theta_test,
                               f0_test=f0_test, mode="continuous")
    lam, vec = kernel_eigh(theta0)
    net_modes = np.abs((result.train_preds - y[None, :]) @ vec)
    change = math.nan
    if not result.diverged:
        change = relative_frobenius(empirical_ntk(net, result.params, x), theta0)
    return TrainingDynamics(
        steps=rec,
        losses=result.losses,
        linear_losses=lin_all.losses,
        continuous_losses=cont_all.losses,
        eigvals=lam,
        net_modes=net_modes,
        linear_modes=np.abs(lin.mode_residuals),
        net_test=result.test_preds,
        linear_test=lin.test,
        continuous_test=cont.test,
        f0_test=f0_test,
        lam_min=float(lam[-1]),
        lam_max=float(lam[0]),
        lr_bound=2.0 / float(lam[0]) if lam[0] > 0 else math.inf,
        diverged=result.diverged,
        diverged_at=result.diverged_at,
        kernel_change=change,
        message=result.message,
    )


def training_dynamics_cost(
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    net: MLP,
    *,
    lr: float,
    steps: int,
    seed: int = 0,
    n_records: int = 60,
) -> cost.Cost:
    """GD with ``n_records`` test-grid records, Theta_0 and Theta_T, and Theta(x_test, X)."""
    n, d = x.shape
    n_test = x_test.shape[0]
    return (
        cost.train_cost(n, d, net.width, net.depth, int(steps), n_test=n_test,
                        n_records=int(n_records))
        + _ntk_cost(net, n, None, d).times(2)
        + _ntk_cost(net, n_test, n, d)
    )


# --------------------------------------------------------------------------- lazy vs rich
@dataclass
class LazyRichPanel:
    """One trained net with snapshots, beside kernel regression with its initial NTK."""

    width: int
    steps: np.ndarray  # (k,) snapshot steps
    losses: np.ndarray  # (steps+1,)
    net_test: np.ndarray  # (k, n_test) network predictions at the snapshots
    linear_test: np.ndarray  # (k, n_test) linearized (initial-NTK) predictions
    kernel_change: np.ndarray  # (k,) ||Theta_t - Theta_0||/||Theta_0||
    kernel_regression: np.ndarray  # (n_test,) t -> infinity limit with Theta_0
    final_gap: float  # RMS(net - linearized) on the test grid at the last step
    param_change: float  # ||theta_T - theta_0|| / ||theta_0||
    diverged: bool
    message: str


def lazy_rich_panel(
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    net: MLP,
    *,
    lr: float,
    steps: int,
    alpha: float | None = None,
    seed: int = 0,
    n_snapshots: int = 21,
) -> LazyRichPanel:
    """Train a net (fixed step ``lr``, never scaled by width) and record snapshots for an
    animation: predictions, its linearization, and how far its NTK has moved."""
    params = net.init(x.shape[1], seed_pair(seed, 0)[0])
    snaps = np.unique(np.round(np.linspace(0, steps, max(2, int(n_snapshots)))).astype(int))
    result = train_gd(
        net, params, x, y, lr=lr, steps=steps, alpha=alpha, x_test=x_test, record_steps=snaps,
        record_kernels=True,
    )
    m = net.lr_multiplier
    theta0 = result.kernels[0] * m  # recorded at step 0 (snaps always start at 0)
    theta_test = empirical_ntk(net, params, x_test, x) * m
    # the centred alpha model starts from h = 0; its function-space step is lr * m * Theta for
    # every alpha (see _training), so one linearization serves all alphas
    f0 = np.zeros(len(x)) if alpha is not None else net.apply(params, x)
    f0_test = np.zeros(len(x_test)) if alpha is not None else net.apply(params, x_test)
    lin = linearized_dynamics(
        theta0, f0, y, lr=lr, steps=snaps, theta_test=theta_test, f0_test=f0_test
    )
    kr = f0_test + kernel_regression(theta0, theta_test, y - f0)
    with np.errstate(invalid="ignore"):
        change = np.array(
            [relative_frobenius(k, result.kernels[0]) if np.all(np.isfinite(k)) else np.nan
             for k in result.kernels]
        )
    last = np.isfinite(result.test_preds[-1]).all()
    gap = float(np.sqrt(np.mean((result.test_preds[-1] - lin.test[-1]) ** 2))) if last else np.nan
    p0, p1 = flatten(params), flatten(result.params)
    return LazyRichPanel(
        width=net.width,
        steps=snaps,
        losses=result.losses,
        net_test=result.test_preds,
        linear_test=lin.test,
        kernel_change=change,
        kernel_regression=kr,
        final_gap=gap,
        param_change=float(np.linalg.norm(p1 - p0) / np.linalg.norm(p0)),
        diverged=result.diverged,
        message=result.message,
    )


def lazy_rich_panel_cost(
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    net: MLP,
    *,
    lr: float,
    steps: int,
    alpha: float | None = None,
    seed: int = 0,
    n_snapshots: int = 21,
) -> cost.Cost:
    """Training with ``n_snapshots`` recorded kernels and test predictions, plus the
    linearization (Theta_0 is counted again although the step-0 record is reused: a bound)."""
    n, d = x.shape
    n_test = x_test.shape[0]
    return (
        cost.train_cost(n, d, net.width, net.depth, int(steps), n_test=n_test,
                        n_records=int(n_snapshots), record_kernels=True)
        + _ntk_cost(net, n, None, d)
        + _ntk_cost(net, n_test, n, d)
    )


@dataclass
class ChangeSweep:
    """Relative NTK change after training, over a swept knob (width or alpha) × seeds."""

    knob: np.ndarray
    change: np.ndarray  # (K, S)
    final_loss: np.ndarray  # (K, S)
    slope: float
    slope_stderr: float

    @property
    def change_mean(self) -> np.ndarray:
        return _row_nanmean(self.change)


def _row_nanmean(a: np.ndarray) -> np.ndarray:
    """Mean of each row over its finite entries; NaN for a row without any (every seed
    diverged). Like np.nanmean, but without its "Mean of empty slice" warning on such rows
    (one per page run in the server log) and leaving ±inf out as well."""
    ok = np.isfinite(a)
    count = ok.sum(axis=1)
    total = np.where(ok, a, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _final_change(net, params, x, y, lr, steps, alpha):
    res = train_gd(net, params, x, y, lr=lr, steps=steps, alpha=alpha)
    if res.diverged:
        return math.nan, math.nan
    k0 = empirical_ntk(net, params, x)
    return relative_frobenius(empirical_ntk(net, res.params, x), k0), res.final_loss


def ntk_change_vs_width(
    x: np.ndarray,
    y: np.ndarray,
    net: MLP,
    widths,
    *,
    lr: float,
    steps: int,
    n_seeds: int = 3,
    seed: int = 0,
) -> ChangeSweep:
    """||Theta_T - Theta_0||/||Theta_0|| after ``steps`` of GD at a fixed ``lr`` for each width.
    Under "ntk" the change falls like width^(-1/2) (lazy training, Lee et al. 2019); under
    "mean_field" it stays O(1). ``net``'s own width is ignored."""
    widths = _widths(widths)
    ch = np.empty((widths.size, int(n_seeds)))
    loss = np.empty_like(ch)
    for i, w in enumerate(widths):
        net_w = net.with_width(int(w))
        for k in range(int(n_seeds)):
            params = net_w.init(x.shape[1], seed_pair(seed, k)[0])
            ch[i, k], loss[i, k] = _final_change(net_w, params, x, y, lr, steps, None)
    slope, err = loglog_slope(widths, _row_nanmean(ch))
    return ChangeSweep(widths.astype(float), ch, loss, slope, err)


def _trained_change_cost(net: MLP, n: int, d: int, steps: int, width: int) -> cost.Cost:
    """One GD run without records and the NTK before and after it."""
    return (cost.train_cost(n, d, width, net.depth, int(steps))
            + _ntk_cost(net, n, None, d, width).times(2))


def ntk_change_vs_width_cost(
    x: np.ndarray,
    y: np.ndarray,
    net: MLP,
    widths,
    *,
    lr: float,
    steps: int,
    n_seeds: int = 3,
    seed: int = 0,
) -> cost.Cost:
    """n_seeds trainings (and two NTKs each) per width."""
    n, d = x.shape
    total = cost.Cost(0.0, 0.0)
    for w in _widths(widths):
        total = total + _trained_change_cost(net, n, d, steps, int(w)).times(int(n_seeds))
    return total


def alpha_sweep(
    x: np.ndarray,
    y: np.ndarray,
    net: MLP,
    alphas,
    *,
    lr: float,
    steps: int,
    n_seeds: int = 3,
    seed: int = 0,
) -> ChangeSweep:
    """NTK change at fixed width over the output scale alpha (Chizat, Oyallon & Bach 2019):
    small alpha is rich (the kernel moves), large alpha is lazy (change -> 0)."""
    alphas = _alphas(alphas)
    ch = np.empty((alphas.size, int(n_seeds)))
    loss = np.empty_like(ch)
    for k in range(int(n_seeds)):
        params = net.init(x.shape[1], seed_pair(seed, k)[0])
        for i, a in enumerate(alphas):
            ch[i, k], loss[i, k] = _final_change(net, params, x, y, lr, steps, float(a))
    slope, err = loglog_slope(alphas, _row_nanmean(ch))
    return ChangeSweep(alphas, ch, loss, slope, err)


def _alphas(alphas) -> np.ndarray:
    return np.asarray(sorted({float(a) for a in alphas}), dtype=np.float64)


def alpha_sweep_cost(
    x: np.ndarray,
    y: np.ndarray,
    net: MLP,
    alphas,
    *,
    lr: float,
    steps: int,
    n_seeds: int = 3,
    seed: int = 0,
) -> cost.Cost:
    """n_seeds trainings (and two NTKs each) per alpha, at ``net``'s width."""
    n, d = x.shape
    one = _trained_change_cost(net, n, d, steps, net.width)
    return one.times(_alphas(alphas).size * int(n_seeds))


# --------------------------------------------------------------------------- infinite width
@dataclass
class DepthProfile:
    """Normalised analytic NTK slices Theta(0, phi)/Theta(0, 0) on the unit circle per depth.

    ``floor``: Theta(0°, 180°)/Theta(0°, 0°), how similar antipodal points stay.
    ``peak_width``: the angle (radians) where the normalised slice first falls halfway from 1
    to the floor (half width at half height above the floor).
    ``diag_mean``: mean of the diagonal over the mean of all entries, on the evenly spaced circle
    (NaN where the mean vanishes, e.g. erf without bias).
    """

    depths: np.ndarray
    angles: np.ndarray
    slices: np.ndarray  # (D, A) normalised NTK
    nngp_slices: np.ndarray  # (D, A) normalised NNGP
    floor: np.ndarray
    peak_width: np.ndarray
    diag_mean: np.ndarray


def depth_profile(net: MLP, depths, *, n_angles: int = 181) -> DepthProfile:
    """Analytic kernel slices against x0 = (1, 0) for angles in [0, pi], for each depth, with
    ``net``'s activation, sigma_w and sigma_b (its depth and width are ignored)."""
    depths = np.asarray([int(d) for d in depths], dtype=np.int64)
    angles = np.linspace(0.0, np.pi, int(n_angles))
    xs = circle_points(angles)
    ring = circle_points(np.linspace(0, 2 * np.pi, 2 * (int(n_angles) - 1), endpoint=False))
    sl, nsl, floor, pw, dm = [], [], [], [], []
    for d in depths:
        k = _limit(net.with_depth(int(d)), xs[:1], xs)
        s = k.ntk[0] / k.ntk[0, 0]
        sl.append(s)
        nsl.append(k.nngp[0] / k.nngp[0, 0])
        floor.append(s[-1])
        half = 0.5 * (1.0 + s[-1])
        below = np.nonzero(s <= half)[0]
        if below.size == 0:
            pw.append(np.pi)
        else:
            i = below[0]
            # linear interpolation between angles[i-1] and angles[i]
            a0, a1, s0, s1 = angles[i - 1], angles[i], s[i - 1], s[i]
            pw.append(a0 + (half - s0) * (a1 - a0) / (s1 - s0) if s1 != s0 else a1)
        full = _limit(net.with_depth(int(d)), ring).ntk
        mean = np.mean(full)
        # an odd activation (erf) without bias averages to 0 over the circle: ratio undefined
        dm.append(np.mean(np.diag(full)) / mean if abs(mean) > 1e-12 * np.abs(full).max()
                  else math.nan)
    return DepthProfile(depths, angles, np.array(sl), np.array(nsl), np.array(floor),
                        np.array(pw), np.array(dm))


def depth_profile_cost(net: MLP, depths, *, n_angles: int = 181) -> cost.Cost:
    """An upper bound: every depth costed as the deepest one on the 2 (n_angles - 1)-point
    ring (the slices, one row each, are smaller)."""
    depths = [int(d) for d in depths]
    if not depths:
        return cost.Cost(0.0, 0.0)
    ring = cost.analytic_cost(2 * (int(n_angles) - 1), None, max(depths))
    return ring.times(len(depths))
