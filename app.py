"""NTK Explorer landing page. Run with `streamlit run app.py`; every file in pages/ is a page."""

import streamlit as st

from ntk_app.layout import PARAM_NOTE, setup_page
from ntk_app.registry import content_pages

setup_page("home")


st.markdown(
    "**Why do huge networks generalise?** Modern networks have far more parameters than "
    "training points, and classical capacity bounds say they should simply memorise. They do "
    "not. One exactly solvable corner of this puzzle is the limit of infinite width, where a "
    "network trained by gradient descent turns into a kernel method that can be written down."
)
st.markdown(
    "**The Neural Tangent Kernel.** Under gradient flow on the squared loss, the outputs on the "
    "training inputs X move as df/dt = −η Θ(x, X)(f(X) − Y), where "
    "Θ(x, x′) = ⟨∇_θ f(x), ∇_θ f(x′)⟩ compares how two inputs pull on the same parameters "
    "(Jacot, Gabriel & Hongler, 2018). In general Θ is random at initialisation and changes "
    "while the network trains."
)
st.markdown(
    "**Infinite width.** In the NTK parameterization, as every hidden layer grows wider the "
    "kernel at initialisation stops depending on the random draw, and it stays put during "
    "training: the network behaves like its own linearisation, and training is kernel "
    "regression with Θ (lazy training; Lee et al., 2019). Two consequences follow. Training "
    "converges globally, at a rate set by the smallest eigenvalue λ_min of Θ. And the residual "
    "shrinks mode by mode as exp(−ηλ_i t), so smooth, large-eigenvalue components are learned "
    "first (spectral bias)."
)
st.markdown(
    "**Where the picture breaks.** Real networks have finite width, and their kernels move: "
    "that is the rich, feature-learning regime. How far a kernel moves depends on the width, "
    "but also on scale. A large output scale α makes even small networks lazy (Chizat, Oyallon "
    "& Bach, 2019). The mean-field / μP parameterization keeps features learning even at "
    "infinite width (Yang & Hu, 2021). For a depth-L ReLU network the limiting kernels follow "
    "the arc-cosine recursion (Cho & Saul, 2009); depth reshapes them in a way that is easy to "
    "misdescribe."
)

st.header("Pages")
cols = st.columns(3)
for i, p in enumerate(content_pages()):
    with cols[i % 3], st.container(border=True):
        st.subheader(p.title)
        st.write(p.summary)
        st.page_link(p.path, label=f"Open {p.title}", icon=":material/arrow_forward:")
st.caption(
    "Every setting, seed included, is kept in the page's URL: copy the address to share the "
    "exact view."
)

st.header("Conventions")
st.markdown(PARAM_NOTE)
st.markdown(
    """
- **Depth** L is the number of hidden layers, each of width m, followed by a readout of width 1.
  All weights and biases are drawn from N(0, 1); the scales σ_w and σ_b multiply them in the
  forward pass (below). σ_w = √2 is He scaling for ReLU.
- **Infinite-width kernels** start from K⁰(x, x′) = x·x′/d and Θ⁰ = 0 and apply one dense step
  and one activation step per hidden layer, then a final dense step (the readout). The ReLU
  angle uses arctan2, which keeps its accuracy for nearly parallel inputs (arccos does not).
- **Empirical NTK**: computed as a sum of per-layer Gram matrices of activations and
  back-propagated gradients, never by building the full Jacobian.
- **Other parameterizations**: the *standard* one has the same forward pass at initialisation
  but an NTK that grows with width. *Mean-field* divides the readout by m instead of √m and
  needs a learning rate m times larger. Each page says which one it uses.
- **Training**: full-batch gradient descent on ½·Σ(f(xᵢ) − yᵢ)² with a fixed step η, never
  scaled by width (shrinking η with width would freeze wide nets and fake laziness). It is
  stable only for η < 2/λ_max; a diverging run is reported in words, not plotted.
- **Linearized model**: the residual evolves exactly as r_{t+1} = (I − ηΘ₀) r_t. The continuous
  form exp(−ηΘ₀t) agrees with it only while ηλ_max ≪ 1.
- **Metrics**: relative Frobenius distance ‖A − B‖_F/‖B‖_F; kernel alignment distance
  1 − ⟨A, B⟩_F/(‖A‖_F‖B‖_F); eigenvalues from `eigh` of the symmetrised matrix, clipped at 0.
- **1-D inputs need a bias**: without one, a ReLU net is positively homogeneous, its NTK has
  rank 2 and gradient descent cannot fit a sine. Use σ_b > 0, or inputs on the unit circle.
"""
)
st.latex(
    r"z^{l} = \frac{\sigma_w}{\sqrt{n_{l-1}}}\,W^{l} a^{l-1} + \sigma_b\, b^{l},\qquad "
    r"a^{l} = \varphi(z^{l}),\qquad a^0 = x,\qquad f(x) = z^{L+1}"
)
st.latex(
    r"\Theta(x, x') = \big\langle \nabla_\theta f(x),\, \nabla_\theta f(x') \big\rangle,"
    r"\qquad \frac{d f(X)}{dt} = -\eta\,\Theta(X, X)\,\big(f(X) - Y\big)"
)
st.latex(
    r"\begin{aligned}"
    r"f_\infty(x) &= f_0(x) + \Theta(x, X)\,\Theta(X, X)^{-1}\big(Y - f_0(X)\big)\\"
    r"&\text{(kernel regression with the NTK, } t \to \infty)"
    r"\end{aligned}"
)
st.latex(
    r"\begin{aligned}"
    r"\text{dense: }\ & K \leftarrow \sigma_w^2 K + \sigma_b^2,\quad "
    r"\Theta \leftarrow K + \sigma_w^2\,\Theta\\"
    r"\text{activation: }\ & K \leftarrow \mathbb{E}[\varphi(u)\varphi(v)],\quad "
    r"\Theta \leftarrow \Theta\cdot\mathbb{E}[\varphi'(u)\varphi'(v)]"
    r"\end{aligned}"
)
st.caption(
    "Numbers in this app come from a small NumPy engine (`ntk_core`) that follows "
    "neural-tangents' `parameterization='ntk'` conventions."
)
