"""Full-batch gradient descent on the squared loss, with an output-scale (lazy/rich) knob.

Model h_theta(x): the network f_theta(x) itself (``alpha=None``), or the centred, rescaled
model of Chizat, Oyallon & Bach (2019), h = alpha · (f_theta(x) - f_theta0(x)). Loss

    L(theta) = 1/(2 alpha^2) · sum_i (h_theta(x_i) - y_i)^2        (alpha = 1 when None)

and the step theta <- theta - lr · m · dL/dtheta, with m = ``net.lr_multiplier`` (1, or the
width for mean-field). In function space dh/dt = -lr · m · Theta (h - y) for every alpha, while
the parameters move in proportion to 1/alpha: large alpha is lazy (kernel regime), small alpha
is rich (features move). ``losses`` reports 1/2 sum_i (h - y)^2, comparable across alpha.

Divergence (a step size above 2/lambda_max of the kernel) is detected when the loss becomes
non-finite or exceeds ``divergence_factor`` times the initial loss; the run stops there, the
result says so, and the remaining losses are NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._empirical import empirical_ntk
from ._mlp import MLP, Params, dense


@dataclass
class TrainResult:
    """Outcome of :func:`train_gd`.

    ``losses`` has shape (steps + 1,) (NaN after a divergence); ``record_steps`` the steps at
    which ``train_preds`` (k, n), ``test_preds`` (k, n_test) and, if asked, ``kernels``
    (k, n, n) were recorded; ``diverged_at`` is the first step whose loss blew up.
    """

    losses: np.ndarray
    params: Params
    record_steps: np.ndarray
    train_preds: np.ndarray
    test_preds: np.ndarray | None
    kernels: np.ndarray | None
    lr: float
    alpha: float | None
    diverged: bool = False
    diverged_at: int | None = None
    message: str = ""
    steps_run: int = 0

    @classmethod
    def ended(cls, losses: np.ndarray, params: Params, record_steps: np.ndarray,
              train_preds: np.ndarray, test_preds: np.ndarray | None,
              kernels: np.ndarray | None, lr: float, alpha: float | None, *, last_step: int,
              diverged_at: int | None, message: str) -> TrainResult:
        """The result of a run that stopped after ``last_step`` or diverged at ``diverged_at``
        (then ``steps_run`` is ``diverged_at``)."""
        return cls(losses=losses, params=params, record_steps=record_steps,
                   train_preds=train_preds, test_preds=test_preds, kernels=kernels,
                   lr=float(lr), alpha=alpha, diverged=diverged_at is not None,
                   diverged_at=diverged_at, message=message,
                   steps_run=last_step if diverged_at is None else diverged_at)

    @property
    def final_loss(self) -> float:
        """Last finite loss."""
        finite = self.losses[np.isfinite(self.losses)]
        return float(finite[-1]) if finite.size else math.nan

    def kernel_change(self) -> np.ndarray:
        """||Theta_t - Theta_0||_F / ||Theta_0||_F at every recorded step (needs kernels)."""
        if self.kernels is None:
            raise ValueError("kernels were not recorded: call train_gd(..., record_kernels=True)")
        k0 = self.kernels[0]
        den = np.linalg.norm(k0)
        return np.array([np.linalg.norm(k - k0) / den for k in self.kernels])


class DivergenceGuard:
    """The divergence rule every trainer uses: a run diverges at the first step whose loss is
    not finite or exceeds ``factor`` times the loss at step 0 (at least 1e-12). Call
    :meth:`diverged` once per step, in order."""

    def __init__(self, factor: float):
        self.factor = float(factor)
        self.limit: float | None = None

    def diverged(self, loss: float) -> bool:
        """Whether this step's ``loss`` ends the run (the first call sets the limit)."""
        if self.limit is None:
            self.limit = self.factor * max(loss, 1e-12)
        return not math.isfinite(loss) or loss > self.limit

    def message(self, what: str, step: int | None, lr: float, kernel: str) -> str:
        """What happened at ``step`` and why; the empty string when ``step`` is None (the run
        did not diverge)."""
        if step is None:
            return ""
        return (f"{what} diverged at step {step}: the loss exceeded {self.factor:g}x its initial "
                f"value. The learning rate {lr:g} is probably above 2/λ_max of {kernel}.")


def check_schedule(lr: float, steps: int) -> int:
    """Validate a gradient-descent schedule (every trainer uses it): ``lr`` finite and > 0,
    ``steps`` an integer >= 0 (not a bool). Returns ``steps`` as an int."""
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be finite and > 0, got {lr!r}")
    if isinstance(steps, bool) or int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    return int(steps)


def _check_train_args(net: MLP, params: Params, x, y, lr, steps, alpha):
    x = net.check_inputs(params, x)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape[0] == 0:
        raise ValueError("need at least one training point")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"x has {x.shape[0]} points but y has {y.shape[0]} targets")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity")
    steps = check_schedule(lr, steps)
    if alpha is not None and not (math.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
    return x, y, steps


def _record_set(record_steps, steps: int) -> np.ndarray:
    if record_steps is None:
        rs = np.array([0, steps])
    else:
        rs = np.asarray(record_steps, dtype=np.int64).reshape(-1)
        if rs.size and (rs.min() < 0 or rs.max() > steps):
            raise ValueError(f"record_steps must lie in [0, {steps}]")
    return np.unique(rs)


# One hidden layer with more than _WIDE_CELLS entries per (n, width) array is trained in chunks
# of about _WIDE_CHUNK entries (:class:`_GDWide`). Measured per step, one BLAS thread, whole
# arrays -> chunks: n=15, width 3e4 0.97 -> 1.2 ms (slower: fits in cache anyway); n=15, width
# 1e5 7.3 -> 4.3 ms; 3e5 22 -> 13 ms; n=100, width 1e5 50 -> 36 ms; n=200, d=2, width 2e4
# 21 -> 14 ms.
_WIDE_CELLS = 1 << 20
_WIDE_CHUNK = 1 << 16


class _GD:
    """Forward pass, backward pass and in-place update of ``params`` on fixed inputs ``x``,
    with the multipliers resolved once and every (n, width) array in a reused buffer (the same
    arithmetic as MLP.forward/backward, without their per-call validation and temporaries)."""

    def __init__(self, net: MLP, params: Params, x: np.ndarray) -> None:
        self.params = params
        self.x = x
        self.mult = net.multipliers(x.shape[1])
        self.act = net.nonlinearity
        n = x.shape[0]
        hidden = params[:-1]
        self.z = [np.empty((n, p["W"].shape[0])) for p in hidden]  # z, then phi(z)
        self.acts = [x, *self.z]
        self.dphis = [np.empty_like(z) for z in self.z]
        self.grad_w = [np.empty_like(p["W"]) for p in hidden]
        self.g = [np.empty_like(z) for z in self.z]  # back-propagated d(sum r f)/dz^l
        self.vec = [np.empty(z.shape[1]) for z in self.z]  # one width-sized vector per layer

    def forward(self) -> np.ndarray:
        """f(x); leaves a^l and phi'(z^l) of every hidden layer in the buffers."""
        for layer, (p, (c, s), a_in, z, dphi) in enumerate(
            zip(self.params, self.mult, self.acts, self.z, self.dphis, strict=False)
        ):
            dense(a_in, p["W"], out=z)
            if c != 1.0:
                z *= c
            if s:
                z += np.multiply(p["b"], s, out=self.vec[layer])
            self.act.activate(z, dphi)
        c, s = self.mult[-1]
        out = self.params[-1]
        return c * (self.acts[-1] @ out["W"][0]) + s * out["b"][0]

    def step(self, r: np.ndarray, eta: float) -> None:
        """theta <- theta - eta * d(sum_i r_i f(x_i))/dtheta, layer by layer from the readout;
        the message to the layer below uses the weights before their update. Every (n, n_l)
        array lives in a buffer: a fresh one per step (over ~128 KB) costs page faults that
        made a step of a 15-point, width-10^4 net 5x slower than its arithmetic."""
        p = self.params
        top = len(p) - 1
        c, s = self.mult[top]
        v = p[top]["W"][0]
        g = self.g[top - 1]  # d(sum r f)/dz^L, before phi'(z^L)
        np.multiply((c * r)[:, None], v, out=g)
        upd = np.matmul(r, self.acts[top], out=self.vec[top - 1])
        upd *= eta * c
        v -= upd
        if s:
            p[top]["b"] -= eta * s * r.sum()
        for layer in range(top - 1, -1, -1):
            g = self.g[layer]
            g *= self.dphis[layer]
            c, s = self.mult[layer]
            w = p[layer]["W"]
            if layer:  # message to the layer below, with W^l before its update
                below = self.g[layer - 1]
                np.matmul(g, w, out=below)
                below *= c
            if s:
                upd = np.sum(g, axis=0, out=self.vec[layer])
                upd *= eta * s
                p[layer]["b"] -= upd
            g *= eta * c
            np.matmul(g.T, self.acts[layer], out=self.grad_w[layer])
            w -= self.grad_w[layer]


class _GDWide:
    """:class:`_GD` for one hidden layer whose (n, width) arrays outgrow the cache: the units
    are processed in chunks that stay in cache, and each chunk's update is followed at once by
    its share of the next forward pass (its z is recomputed: a cheap outer product for few
    input features), so a step reads the parameters twice and no (n, width) array exists."""

    def __init__(self, net: MLP, params: Params, x: np.ndarray, chunk: int) -> None:
        self.params = params
        self.x = x
        (self.c1, self.s1), (self.c2, self.s2) = net.multipliers(x.shape[1])
        self.act = net.nonlinearity
        n = x.shape[0]
        self.chunk = chunk
        self.buf = [np.empty(n * chunk) for _ in range(3)]
        self.grad_w = np.empty((chunk, x.shape[1]))
        self.vec = np.empty(chunk)
        self.f = None  # outputs at the current parameters, from the last step

    def _chunk_forward(self, j: slice, z: np.ndarray, dphi: np.ndarray) -> None:
        w1, b1 = self.params[0]["W"], self.params[0]["b"]
        dense(self.x, w1[j], out=z)
        if self.c1 != 1.0:
            z *= self.c1
        if self.s1:
            z += np.multiply(b1[j], self.s1, out=self.vec[: z.shape[1]])
        self.act.activate(z, dphi)

    def forward(self) -> np.ndarray:
        if self.f is None:
            v = self.params[1]["W"][0]
            n, width = self.x.shape[0], v.size
            f = np.zeros(n)
            for start in range(0, width, self.chunk):
                j = slice(start, min(start + self.chunk, width))
                k = j.stop - j.start
                z, dphi = (b[: n * k].reshape(n, k) for b in self.buf[:2])
                self._chunk_forward(j, z, dphi)
                f += z @ v[j]
            self.f = self.c2 * f + self.s2 * self.params[1]["b"][0]
        return self.f

    def step(self, r: np.ndarray, eta: float) -> None:
        p = self.params
        w1, b1, v = p[0]["W"], p[0]["b"], p[1]["W"][0]
        n, width = self.x.shape[0], v.size
        c1, s1, c2, s2 = self.c1, self.s1, self.c2, self.s2
        cr = c2 * r
        f = np.zeros(n)
        for start in range(0, width, self.chunk):
            j = slice(start, min(start + self.chunk, width))
            k = j.stop - j.start
            z, dphi, g = (b[: n * k].reshape(n, k) for b in self.buf)
            self._chunk_forward(j, z, dphi)  # a^1 and phi' at the current parameters
            np.multiply(cr[:, None], v[j], out=g)
            g *= dphi  # d(sum r f)/dz^1
            upd = np.matmul(r, z, out=self.vec[:k])
            upd *= eta * c2
            v[j] -= upd
            if s1:
                upd = np.sum(g, axis=0, out=self.vec[:k])
                upd *= eta * s1
                b1[j] -= upd
            g *= eta * c1
            np.matmul(g.T, self.x, out=self.grad_w[:k])
            w1[j] -= self.grad_w[:k]
            self._chunk_forward(j, z, dphi)  # this chunk's share of the next forward pass
            f += z @ v[j]
        if s2:
            p[1]["b"] -= eta * s2 * r.sum()
        self.f = c2 * f + s2 * p[1]["b"][0]


def train_gd(
    net: MLP,
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    steps: int,
    alpha: float | None = None,
    x_test: np.ndarray | None = None,
    record_steps=None,
    record_kernels: bool = False,
    divergence_factor: float = 1e6,
) -> TrainResult:
    """Full-batch gradient descent; see the module docstring for the model and the loss.

    ``params`` is not modified. ``record_steps`` (default: first and last step) selects when the
    train/test predictions and, with ``record_kernels``, the empirical NTK on ``x`` are stored.
    """
    x, y, steps = _check_train_args(net, params, x, y, lr, steps, alpha)
    if x_test is not None:
        x_test = net.check_inputs(params, x_test)
    rec = _record_set(record_steps, steps)
    rec_index = {int(s): i for i, s in enumerate(rec)}
    scale = 1.0 if alpha is None else float(alpha)
    step_size = float(lr) * net.lr_multiplier / scale  # d/dtheta of L = (1/alpha) J^T r

    p = [{"W": q["W"].copy(), "b": q["b"].copy()} for q in params]
    f0 = net.apply(p, x) if alpha is not None else None
    f0_test = net.apply(p, x_test) if (alpha is not None and x_test is not None) else None

    losses = np.full(steps + 1, np.nan)
    train_preds = np.full((rec.size, x.shape[0]), np.nan)
    test_preds = None if x_test is None else np.full((rec.size, x_test.shape[0]), np.nan)
    kernels = np.full((rec.size, x.shape[0], x.shape[0]), np.nan) if record_kernels else None

    def model(f, f_init):
        return f if f_init is None else scale * (f - f_init)

    n = x.shape[0]
    if net.depth == 1 and n * net.width > _WIDE_CELLS:
        gd = _GDWide(net, p, x, max(64, _WIDE_CHUNK // n))
    else:
        gd = _GD(net, p, x)
    guard = DivergenceGuard(divergence_factor)
    diverged_at = None
    t = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            h = model(gd.forward(), f0)
            r = h - y
            loss = 0.5 * float(r @ r)
            if guard.diverged(loss):
                diverged_at = t
                break
            losses[t] = loss
            if t in rec_index:
                i = rec_index[t]
                train_preds[i] = h
                if x_test is not None:
                    test_preds[i] = model(net.apply(p, x_test), f0_test)
                if record_kernels:
                    kernels[i] = empirical_ntk(net, p, x)
            if t == steps:
                break
            gd.step(r, step_size)

    return TrainResult.ended(losses, p, rec, train_preds, test_preds, kernels, lr, alpha,
                             last_step=t, diverged_at=diverged_at,
                             message=guard.message("Training", diverged_at, lr, "the NTK"))
