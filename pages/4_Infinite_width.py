"""Infinite width: the analytic NNGP and NTK of a deep fully connected net, how depth reshapes
them (the article's half-true "deeper kernels are more local"), their spectra, and how close a
real network of a chosen width comes to the limit. Sections: ntk_app/views/infinite_width.py."""

from __future__ import annotations

import streamlit as st

import ntk_core as nc
from ntk_app.layout import setup_page
from ntk_app.state import PageState
from ntk_app.views import infinite_width as view

# settings -> controls
setup_page("infinite_width")
state = PageState("infinite_width", view.settings())
view.sidebar(state)
state.sync_url()

net = nc.MLP(int(state["depth"]), int(state["width"]), str(state["activation"]),
             float(state["sigma_w"]), float(state["sigma_b"]))
kind, n = str(state["inputs"]), int(state["n"])
overlay = sorted({int(d) for d in state["depths"]} | {net.depth})

# compute (analytic kernels ≈ ms; the depth profile is cached per activation, σ_w, σ_b)
x, k, lam_nngp, lam_ntk = view.kernels(net, kind, n)
prof = view.depth_profile(net)
axis, axis_title = view.axis_of(x, kind)

# sections: the picture first
view.intro()
view.picture(k.ntk, axis, axis_title, prof, overlay, net.depth)
view.tiles(net, prof, kind)
view.analytic_download(x, k, net, kind)
view.depth_section(prof, overlay, net.activation, net.sigma_b)
view.finite_width(state, net, kind, n)
with st.expander("The NNGP kernel and the spectra", on_change="rerun",
                 key="infinite_width::spectra_open") as more:
    if more.open:
        view.kernels_and_spectra(k.nngp, lam_nngp, lam_ntk, k.ntk, axis, axis_title, net.depth,
                                 kind)
st.subheader("The recursion")
view.recursion()
