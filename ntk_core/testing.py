"""Test oracles: slow, independent routes to what the engine computes fast.

:func:`explicit_jacobian` builds the full (n, #params) Jacobian row by row with backprop, so
the empirical NTK Theta = J J^T can be checked against the Gram formula of
:mod:`ntk_core._empirical` (Jacot et al. 2018, arXiv:1806.07572); :func:`flatten` and
:func:`unflatten` turn parameters into one vector and back, for finite differences.
"""

from __future__ import annotations

import numpy as np

from ._mlp import MLP, Params, flatten

__all__ = ["explicit_jacobian", "flatten", "unflatten"]


def unflatten(vector: np.ndarray, like: Params) -> Params:
    """Inverse of :func:`flatten` with the shapes of ``like``."""
    out: Params = []
    i = 0
    for p in like:
        nw, nb = p["W"].size, p["b"].size
        out.append(
            {
                "W": vector[i : i + nw].reshape(p["W"].shape).copy(),
                "b": vector[i + nw : i + nw + nb].copy(),
            }
        )
        i += nw + nb
    return out


def explicit_jacobian(net: MLP, params: Params, x: np.ndarray) -> np.ndarray:
    """The (n, #params) Jacobian df/dtheta, row by row with backprop. A test oracle only: it
    costs O(n · #params) memory. Columns follow :func:`flatten`."""
    x = net.check_inputs(params, x)
    acts, dphis = net.forward(params, x)
    rows = []
    for i in range(x.shape[0]):
        delta = np.zeros(x.shape[0])
        delta[i] = 1.0
        rows.append(flatten(net.backward(params, acts, dphis, delta)))
    return np.stack(rows) if rows else np.zeros((0, net.num_params(x.shape[1])))
