"""NTK Explorer's Home page. Run with `streamlit run app.py`; the other pages live in pages/ and
are listed in ntk_app/registry.py."""

import streamlit as st

from ntk_app.layout import PARAM_NOTE, setup_page
from ntk_app.registry import content_pages
from ntk_app.views import home

setup_page("home")

rows, analytic = home.hero_data()
home.hero(rows, analytic)

st.markdown(
    "**The story in four lines.** Networks with far more parameters than data still generalise. "
    "Under gradient flow on the squared loss their outputs move as "
    r"$\frac{d f(X)}{dt} = -\eta\,\Theta(X, X)\,(f(X) - Y)$, where "
    r"$\Theta(x, x') = \langle \nabla_\theta f(x), \nabla_\theta f(x') \rangle$ is the Neural "
    "Tangent Kernel ([Jacot, Gabriel & Hongler 2018](https://arxiv.org/abs/1806.07572)). "
    "In the NTK parameterization, as the width grows, Θ stops depending on the random draw "
    "(the picture above) and barely moves while the network trains, so training becomes kernel "
    "regression with a fixed kernel ([Lee et al. 2019](https://arxiv.org/abs/1902.06720)). "
    "Features are learned only when the scaling changes: a small output scale "
    "([Chizat, Oyallon & Bach 2019](https://arxiv.org/abs/1812.07956)) or the mean-field / μP "
    "parameterization ([Yang & Hu 2021](https://arxiv.org/abs/2011.14522)); at finite width in "
    "the NTK parameterization the kernel moves only by a correction that vanishes with width."
)

cols = st.columns(len(content_pages()))
for col, p in zip(cols, content_pages(), strict=True):
    with col, st.container(border=True, height="stretch"):
        st.page_link(p.path, label=p.title, icon=p.icon)
        st.caption(p.summary)
st.caption(
    "Every setting, seed included, is kept in the page's URL: copy the address to share the "
    "exact view."
)

with st.expander("Conventions used on every page", icon=":material/function:"):
    st.markdown(PARAM_NOTE)
    st.latex(
        r"z^{l} = \frac{\sigma_w}{\sqrt{n_{l-1}}}\,W^{l} a^{l-1} + \sigma_b\, b^{l},\qquad "
        r"a^{l} = \varphi(z^{l}),\qquad a^0 = x,\qquad f(x) = z^{L+1}"
    )
    st.markdown(
        r"""
- **Depth** $L$ is the number of hidden layers, each of width $m$, followed by a readout of
  width 1. All weights and biases are drawn from $\mathcal N(0, 1)$; the scales $\sigma_w$ and
  $\sigma_b$ multiply them in the forward pass. $\sigma_w = \sqrt 2$ is He scaling for ReLU.
- **Infinite-width kernels** start from $K^0(x, x') = x \cdot x'/d$ and $\Theta^0 = 0$ and
  apply one dense step and one activation step per hidden layer, then a final dense step (the
  readout); for ReLU these are the arc-cosine kernels of
  [Cho & Saul 2009](https://papers.nips.cc/paper/3628-kernel-methods-for-deep-learning).
- **Empirical NTK**: a sum of per-layer Gram matrices of activations and back-propagated
  gradients, never the full Jacobian.
- **Parameterizations**: the *standard* one has the same forward pass at initialisation but
  an NTK that grows like $m$, so its step $\eta$ must shrink like $1/m$. *Mean-field* divides
  the readout by $m$ instead of $\sqrt m$ and needs a step $m$ times larger. Each page says
  which one it uses.
- **Training**: full-batch gradient descent on $\tfrac12\sum_i (f(x_i) - y_i)^2$. In the NTK
  parameterization the step $\eta$ is fixed, never scaled by width: shrinking it with width
  would freeze wide nets and fake laziness. Training is stable only for
  $\eta < 2/\lambda_{\max}$; a diverging run is reported in words, not plotted.
- **Linearized model**: the residual evolves exactly as $r_{t+1} = (I - \eta\Theta_0)\,r_t$;
  the continuous form $e^{-\eta\Theta_0 t}$ agrees with it only while
  $\eta\lambda_{\max} \ll 1$.
- **Metrics**: relative Frobenius distance $\|A - B\|_F/\|B\|_F$; alignment distance
  $1 - \langle A, B\rangle_F/(\|A\|_F\|B\|_F)$, blind to scale; eigenvalues from `eigh` of
  the symmetrised matrix, clipped at 0.
- **1-D inputs need a bias**: without one a ReLU net is positively homogeneous, its NTK has
  rank 2 and gradient descent cannot fit a sine. Use $\sigma_b > 0$; points on the unit
  circle alone are not enough at depth 1 (the bias-free kernel is still singular there).
"""
    )
    st.caption(
        "Numbers in this app come from a small NumPy engine (`ntk_core`) that follows "
        "neural-tangents' `parameterization='ntk'` conventions."
    )
