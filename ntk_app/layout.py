"""Page scaffolding shared by every page: config, headers, downloads, network controls."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping

import numpy as np
import streamlit as st
from PIL import Image
from streamlit.errors import StreamlitPageNotFoundError

from . import budget
from .state import PageState

PARAM_NOTE = (
    "Convention: NTK parameterization as in neural-tangents — $W, b \\sim \\mathcal N(0, 1)$, "
    "$z = \\frac{\\sigma_w}{\\sqrt{n_{\\mathrm{in}}}} W a + \\sigma_b b$; depth = number of "
    "hidden layers; squared loss $\\tfrac12 \\sum (f - y)^2$; full-batch gradient descent with a "
    "fixed step $\\eta$ (never scaled by width)."
)


def setup_page(view: str) -> None:
    """Page config, the sidebar's page list (drawn from ``ntk_app.registry``) and the title.

    Streamlit's own page list is hidden (``client.showSidebarNavigation = false``): it labels
    Home "app" and orders pages by file name. Every page draws the same list, so a deep link
    opened first on a fresh server shows the same sidebar as ``/``.
    """
    from .registry import PAGES, page

    this = page(view)
    st.set_page_config(page_title=f"{this.title} · NTK Explorer", page_icon=favicon(),
                       layout="wide")
    budget.start_page()
    with st.sidebar:
        for p in PAGES:
            try:
                st.page_link(p.path, label=p.title, icon=p.icon)
            except StreamlitPageNotFoundError:  # a page run alone (AppTest.from_file(page)):
                st.markdown(f"[{p.title}](/{p.slug})")  # the entry point is not app.py
        st.divider()
    st.title("NTK Explorer" if this.view == "home" else this.title)


@functools.cache
def favicon() -> Image.Image:
    """A 32 × 32 picture of a kernel matrix (one hidden ReLU layer on 8 points of the circle),
    drawn here. A ``:material/…:`` page icon would make every browser fetch its favicon from
    a font server outside this app."""
    angles = np.linspace(0.0, np.pi, 8)
    gamma = np.abs(angles[:, None] - angles[None, :])
    theta = np.cos(gamma) * (np.pi - gamma) / np.pi + (np.sin(gamma)
                                                       + (np.pi - gamma) * np.cos(gamma)) / np.pi
    level = (theta - theta.min()) / (theta.max() - theta.min())
    rgb = np.stack([76 + 150 * (1 - level), 120 + 100 * (1 - level), 168 + 80 * (1 - level)],
                   axis=-1)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).resize((32, 32), Image.NEAREST)


def cached(max_entries: int = 16):
    """st.cache_data with a bounded size (the server's memory must stay bounded)."""
    return st.cache_data(max_entries=max_entries, show_spinner=False)


def to_csv(columns: Mapping[str, np.ndarray]) -> bytes:
    """Columns of equal length (1-D arrays) as CSV text; shorter columns are padded with NaN."""
    cols = {k: np.asarray(v, dtype=np.float64).reshape(-1) for k, v in columns.items()}
    n = max((c.size for c in cols.values()), default=0)
    table = np.full((n, len(cols)), np.nan)
    for j, c in enumerate(cols.values()):
        table[: c.size, j] = c
    buf = io.StringIO()
    np.savetxt(buf, table, delimiter=",", header=",".join(cols), comments="", fmt="%.10g")
    return buf.getvalue().encode()


def to_npz(arrays: Mapping[str, np.ndarray]) -> bytes:
    """Arrays as an uncompressed .npz archive (bytes)."""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return buf.getvalue()


def download(label: str, data: bytes | Callable[[], bytes], file_name: str, key: str) -> None:
    """A download button that does not rerun the page.

    The file is handed over only when the button is clicked (Streamlit's deferred download: a
    callable as ``data``; pass one to also defer building the bytes). With bytes, Streamlit
    would store a media file per button and run; the browser checks that URL when the button
    appears, and with quick reruns under load the file of the previous run was already gone:
    a 404 in the console (tests/test_load.py, 10 concurrent sessions).
    """
    mime = "text/csv" if file_name.endswith(".csv") else "application/octet-stream"
    source = data if callable(data) else (lambda: data)
    st.download_button(label, data=source, file_name=file_name, mime=mime, key=key,
                       on_click="ignore", icon=":material/download:")


def network_controls(state: PageState, *, container=None, depth_max: int = 5) -> None:
    """Depth, activation, σ_w and σ_b widgets bound to ``state`` (settings "depth",
    "activation", "sigma_w", "sigma_b" must be declared by the page)."""
    box = container or st.sidebar
    box.slider("Depth (hidden layers)", 1, depth_max, key=state.key("depth"))
    box.selectbox("Activation", ["relu", "erf"], key=state.key("activation"))
    box.slider("σ_w (weight scale)", 0.1, 3.0, step=0.05, key=state.key("sigma_w"),
               help="√2 ≈ 1.41 is He scaling for ReLU.")
    box.slider("σ_b (bias scale)", 0.0, 2.0, step=0.05, key=state.key("sigma_b"),
               help="Use σ_b > 0 with 1-D inputs: without a bias the ReLU NTK has rank 2.")


def seed_controls(state: PageState, *, container=None) -> None:
    """The seed number and a Re-initialise button that draws a fresh one."""
    box = container or st.sidebar
    box.number_input("Seed", 0, 2**31 - 1, step=1, key=state.key("seed"))
    box.button("Re-initialise", icon=":material/casino:", on_click=state.reseed,
               key=state.key("reinit"),
               help="Draw a new random seed (new initial weights); the URL follows.")
