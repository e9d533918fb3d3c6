"""Empirical (finite-width) NTK and NNGP by per-layer Gram matrices, never a Jacobian.

For z^l = c_l W^l a^{l-1} + s_l b^l and g^l = df/dz^l (one row per input), the chain rule gives
df/dW^l = c_l g^l (a^{l-1})^T and df/db^l = s_l g^l, so summing over all parameters

    Theta(x, x') = sum_l  <g^l(x), g^l(x')> · (c_l^2 <a^{l-1}(x), a^{l-1}(x')> + s_l^2),

i.e. Theta = sum_l (G^l G'^l^T) o (c_l^2 A^{l-1} A'^{l-1}^T + s_l^2)  (o: Hadamard product),
with G^{L+1} = 1. Cost O(n^2 · sum_l n_l) and no (n × #params) Jacobian (Jacot et al. 2018;
the same identity underlies neural-tangents' "structured derivatives" implementation).

The last hidden layer is processed in chunks of its units: its activations, its g, its two Gram
contributions and its back-propagated message sum_j g_j c_L W^L_j are accumulated chunk by
chunk, so a one-hidden-layer net of width 10^6 needs O(n · chunk) memory.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._mlp import MLP, Params, dense

# Units of the last hidden layer per chunk. Each chunk is computed in place into two reused
# (n, chunk) buffers (z -> relu(z) and relu'(z) c v share one mask) and reaches BLAS syrk twice.
# One BLAS thread, n = 200, d = 10, width 1e5, time over one (200 x 1e5) syrk: chunk 256 2.21,
# 512 2.17, 1024 2.17, 2048 2.25, 4096 2.41 (floor 2.0: two Gram products of that size);
# n = 50: 1024 and 2048 2.42; n = 1000, width 1e4: 1024 2.23, 2048 2.18.
DEFAULT_CHUNK = 1024


class Kernels(NamedTuple):
    """A pair of kernel matrices: the NNGP (output covariance) and the NTK."""

    nngp: np.ndarray
    ntk: np.ndarray


def _gram(a: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """a @ b.T, or the symmetric a @ a.T (BLAS syrk) when b is None."""
    return a @ a.T if b is None else a @ b.T


class _Side:
    """Forward pass below the last hidden layer for one input set, and the last hidden layer's
    activations and back-propagated messages, chunk by chunk, into preallocated buffers."""

    def __init__(self, net: MLP, params: Params, x: np.ndarray) -> None:
        self.act = net.nonlinearity
        phi, dphi = self.act.fn, self.act.derivative
        self.mult = net.multipliers(x.shape[1])
        self.acts = [x]
        self.dphis: list[np.ndarray] = []
        for p, (c, s) in zip(params[:-2], self.mult[:-2], strict=True):
            z = c * dense(self.acts[-1], p["W"])
            if s:
                z += s * p["b"]
            self.dphis.append(dphi(z))
            self.acts.append(phi(z))
        c, s = self.mult[-2]
        self.h = c * self.acts[-1]  # input of the last hidden layer, with its c_L folded in
        self.sb = s * params[-2]["b"] if s else None
        c_out = self.mult[-1][0]
        # g^L = phi'(z^L) * c_{L+1} v, with the constant of phi' (Activation.fused) folded in
        self.cv = (c_out * self.act.derivative_scale) * params[-1]["W"][0]

    def last_layer_chunk(
        self, w: np.ndarray, j: slice, a: np.ndarray, g: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(a^L, g^L) restricted to the units in ``j`` (rows ``w`` of W^L), written into the
        buffers ``a`` and ``g`` of shape (n, len(j)): z = c_L a^{L-1} W^T + s_L b in ``a``,
        then phi'(z) c_{L+1} v into ``g`` and phi(z) over ``a``, without temporaries."""
        dense(self.h, w, out=a)
        if self.sb is not None:
            a += self.sb[j]
        self.act.fused(a, g)  # phi(z) over z, phi'(z) up to the constant in cv
        g *= self.cv[j]
        return a, g


def _check_chunk(chunk_size: int | None) -> int:
    if chunk_size is None:
        return DEFAULT_CHUNK
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size!r}")
    return int(chunk_size)


def empirical_kernels(
    net: MLP,
    params: Params,
    x1: np.ndarray,
    x2: np.ndarray | None = None,
    *,
    chunk_size: int | None = None,
) -> Kernels:
    """Empirical NNGP and NTK of ``net`` at ``params`` between ``x1`` (n1, d) and ``x2`` (n2, d).

    NTK: see the module docstring. NNGP: the covariance of the output over a fresh draw of the
    readout given the last hidden layer, sigma_w^2/n_L · A^L A'^L^T + sigma_b^2 (for mean-field,
    sigma_w^2/n_L^2 · …), which converges to the analytic NNGP as width grows.
    """
    x1 = net.check_inputs(params, x1)
    sym = x2 is None
    if not sym:
        x2 = net.check_inputs(params, x2)
    chunk = _check_chunk(chunk_size)
    if x1.shape[0] == 0 or (not sym and x2.shape[0] == 0):
        n2 = x1.shape[0] if sym else x2.shape[0]
        empty = np.zeros((x1.shape[0], n2))
        return Kernels(empty, empty.copy())

    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked at the end
        return _empirical_kernels(net, params, x1, x2, sym, chunk)


def _empirical_kernels(net, params, x1, x2, sym, chunk) -> Kernels:
    s1 = _Side(net, params, x1)
    s2 = s1 if sym else _Side(net, params, x2)
    width = params[-2]["W"].shape[0]
    n1, n2 = x1.shape[0], (x1 if sym else x2).shape[0]
    aa = np.zeros((n1, n2))  # A^L A'^L^T
    gg = np.zeros((n1, n2))  # G^L G'^L^T
    tmp = np.empty((n1, n2))
    c_l, _ = s1.mult[-2]
    w_l = params[-2]["W"]
    # back-propagated messages to layer L-1: sum_j g^L_j c_L W^L_j, shape (n, n_{L-1})
    deep = net.depth > 1
    msg1 = np.zeros((n1, w_l.shape[1])) if deep else None
    msg2 = None if sym or not deep else np.zeros((n2, w_l.shape[1]))
    tmp_msg = np.empty((max(n1, n2), w_l.shape[1])) if deep else None
    chunk = min(chunk, width)
    bufs1 = [np.empty(n1 * chunk) for _ in range(2)]
    bufs2 = None if sym else [np.empty(n2 * chunk) for _ in range(2)]
    for start in range(0, width, chunk):
        j = slice(start, min(start + chunk, width))
        k = j.stop - j.start
        w = w_l[j]
        a1, g1 = s1.last_layer_chunk(w, j, *(b[: n1 * k].reshape(n1, k) for b in bufs1))
        if sym:
            aa += np.matmul(a1, a1.T, out=tmp)  # syrk: one triangle
            gg += np.matmul(g1, g1.T, out=tmp)
        else:
            a2, g2 = s2.last_layer_chunk(w, j, *(b[: n2 * k].reshape(n2, k) for b in bufs2))
            aa += np.matmul(a1, a2.T, out=tmp)
            gg += np.matmul(g1, g2.T, out=tmp)
        if deep:
            msg1 += np.matmul(g1, w, out=tmp_msg[:n1])
            if not sym:
                msg2 += np.matmul(g2, w, out=tmp_msg[:n2])
    if deep:
        msg1 *= c_l
        if not sym:
            msg2 *= c_l

    c_out, s_out = s1.mult[-1]
    ntk = c_out**2 * aa + s_out**2  # readout layer: g^{L+1} = 1
    c, s = s1.mult[-2]
    ntk += gg * (c**2 * _gram(s1.acts[-1], None if sym else s2.acts[-1]) + s**2)

    g1, g2 = msg1, msg2
    for layer in range(net.depth - 2, -1, -1):  # hidden layers L-1 … 1 (0-based index)
        g1 = g1 * s1.dphis[layer]
        if not sym:
            g2 = g2 * s2.dphis[layer]
        c, s = s1.mult[layer]
        a_term = c**2 * _gram(s1.acts[layer], None if sym else s2.acts[layer]) + s**2
        ntk += _gram(g1, None if sym else g2) * a_term
        if layer:
            w = c * params[layer]["W"]
            g1 = g1 @ w
            if not sym:
                g2 = g2 @ w

    if net.parameterization == "standard":
        nngp_c2, nngp_s2 = net.sigma_w**2 / width, net.sigma_b**2
    else:
        nngp_c2, nngp_s2 = c_out**2, s_out**2
    nngp = nngp_c2 * aa + nngp_s2
    if not (np.all(np.isfinite(ntk)) and np.all(np.isfinite(nngp))):
        raise ValueError(
            "the empirical kernel overflowed float64: reduce weight_std or the depth "
            "(activations grow like sigma_w^depth)"
        )
    if sym:
        ntk = 0.5 * (ntk + ntk.T)
        nngp = 0.5 * (nngp + nngp.T)
    return Kernels(nngp, ntk)


def empirical_ntk(
    net: MLP,
    params: Params,
    x1: np.ndarray,
    x2: np.ndarray | None = None,
    *,
    chunk_size: int | None = None,
) -> np.ndarray:
    """Empirical NTK Theta(x1, x2) = J(x1) J(x2)^T over all parameters, shape (n1, n2).

    Computed by the per-layer Gram formula (module docstring), chunked over the last hidden
    layer's units; the result does not depend on ``chunk_size`` beyond rounding.
    """
    return empirical_kernels(net, params, x1, x2, chunk_size=chunk_size).ntk
