"""The empirical NTK split by layer: which parameters carry the kernel, and its motion.

Θ = Σ_l Θ_l over the layers l = 1 … L+1 (readout last), where Θ_l sums over the weights and
bias of layer l only:

    Θ_l(x, x') = <g^l(x), g^l(x')> · (c_l² <a^{l-1}(x), a^{l-1}(x')> + s_l²),   g^l = ∂f/∂z^l,

the per-layer term of the Gram formula in ``ntk_core._empirical`` (Jacot et al. 2018,
arXiv:1806.07572). Here every g^l is kept in memory, O(n · Σ n_l): meant for the small input
sets (tens of points) on which kernel motion is measured, at any width.
"""

from __future__ import annotations

import numpy as np

from ._mlp import MLP, Params


def layer_kernels(net: MLP, params: Params, x: np.ndarray) -> list[np.ndarray]:
    """[Θ_1, …, Θ_{L+1}], each (n, n); their sum is ``empirical_ntk(net, params, x)``."""
    x = net.check_inputs(params, x)
    acts, dphis = net.forward(params, x)
    mult = net.multipliers(x.shape[1])
    g = np.ones((x.shape[0], 1))  # ∂f/∂z^{L+1}
    blocks: list[np.ndarray] = []
    for layer in range(len(params) - 1, -1, -1):
        c, s = mult[layer]
        a = acts[layer]
        blocks.append((g @ g.T) * (c * c * (a @ a.T) + s * s))
        if layer:
            g = (c * (g @ params[layer]["W"])) * dphis[layer - 1]
    blocks.reverse()
    return [0.5 * (b + b.T) for b in blocks]


def readout_hidden_split(net: MLP, params: Params, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Θ_readout, Θ_hidden): the readout layer's block and the sum of the hidden layers'."""
    blocks = layer_kernels(net, params, x)
    return blocks[-1], np.sum(blocks[:-1], axis=0)
