"""AppTest checks of the Infinite width page (pages/4_Infinite_width.py and its sections in
ntk_app/views/infinite_width.py).

The page runs under app.py (``switch_page``), as in the real server: the sidebar's page links are
resolved against the entry point.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from helpers import decode_plotly_tree, trace_array
from streamlit.testing.v1 import AppTest

import ntk_core as nc
from ntk_app.state import WIDTH_OPTIONS
from ntk_app.views import infinite_width as view
from ntk_core import cost

APP = "../app.py"
PAGE = "pages/4_Infinite_width.py"
TIMEOUT = 120
K = "infinite_width:"  # PageState namespace of the page's widget keys
SPECTRA_OPEN = "infinite_width::spectra_open"
ALWAYS = ("slices", "ntk_heatmap", "peak_vs_depth", "floor_vs_depth", "dm_vs_depth",
          "ntk_comparison", "empirical_slice")
WHEN_OPEN = ("nngp_heatmap", "ntk_spectrum", "nngp_spectrum")
# pictographs and emoji-presentation symbols (render as boxes without an emoji font)
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b06\u2b07\ufe0f]")


def page(params: dict[str, str] | None = None, *, spectra: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(PAGE)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    if spectra:
        at.session_state[SPECTRA_OPEN] = True
    return at


def run(params: dict[str, str] | None = None, *, spectra: bool = False) -> AppTest:
    at = page(params, spectra=spectra).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> dict[str, dict]:
    """Decoded plotly figures by chart key."""
    return {el.key: decode_plotly_tree(json.loads(el.proto.spec)) for el in at.get("plotly_chart")}


def spec(at: AppTest, key: str) -> str:
    """The figure JSON exactly as sent to the browser."""
    return next(el.proto.spec for el in at.get("plotly_chart") if el.key == key)


def z_of(at: AppTest, key: str, trace: int = 0) -> np.ndarray:
    return np.asarray(trace_array(figures(at)[key]["data"][trace], "z"), dtype=np.float64)


def empirical_z(at: AppTest) -> np.ndarray:
    """The empirical NTK: the second panel of the comparison (analytic | empirical)."""
    return z_of(at, "ntk_comparison", trace=1)


def metric(at: AppTest, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise KeyError(label_start)


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def assert_every_section_drawn(at: AppTest, *, spectra: bool = False) -> None:
    keys = set(figures(at))
    missing = [k for k in ALWAYS + (WHEN_OPEN if spectra else ()) if k not in keys]
    assert not missing, missing
    assert len(at.latex) >= 6  # the recursion


def test_defaults_show_the_picture_first_with_expected_numbers():
    at = run()
    assert not at.warning and not at.error
    keys = [el.key for el in at.get("plotly_chart")]
    assert keys[:2] == ["slices", "ntk_heatmap"]  # the picture comes first
    assert_every_section_drawn(at)
    assert z_of(at, "ntk_heatmap").shape == (72, 72)
    x_axis = trace_array(figures(at)["ntk_heatmap"]["data"][0], "x")
    assert float(np.max(x_axis)) == pytest.approx(355.0)  # circle axes in degrees
    # depth 3, ReLU, sigma_w = sqrt(2), sigma_b = 0: Theta(x, x) = depth + 1
    assert float(metric(at, "$\\Theta(x, x)$")) == pytest.approx(4.0, rel=1e-6)
    assert float(metric(at, "Floor")) == pytest.approx(0.171, abs=2e-3)
    assert 0.0 < float(metric(at, "NTK: ")) < 0.5
    assert ":green-badge[check holds]" in texts(at)
    # overlay: depths 1, 2, 3 (current, thicker), 5, 10, 20
    traces = {t["name"]: t for t in figures(at)["slices"]["data"]}
    assert "depth 3 (current)" in traces and "depth 20" in traces
    assert traces["depth 3 (current)"]["line"]["width"] > traces["depth 20"]["line"]["width"]
    assert len(at.get("download_button")) == 4
    assert at.query_params["depth"] == "3"
    assert at.query_params["width"] == "1000"
    assert at.query_params["depths"] == "1,2,5,10,20"


def test_spectra_are_computed_only_when_opened_and_match_the_kernel():
    closed = run()
    assert not set(WHEN_OPEN) & set(figures(closed))
    at = run(spectra=True)
    assert_every_section_drawn(at, spectra=True)
    theta = z_of(at, "ntk_heatmap")  # float32 on the wire: 72 x 72, not downsampled
    lam = np.linalg.eigvalsh(0.5 * (theta + theta.T))[::-1]
    shown = np.asarray(trace_array(figures(at)["ntk_spectrum"]["data"][0], "y"), dtype=float)
    top = slice(0, 10)
    np.testing.assert_allclose(shown[top], lam[top], rtol=1e-5)  # float32 rounding ≈ 1e-7
    # the constant Fourier mode's share of the trace, as the text states it (3 digits)
    share = theta.sum(axis=1).mean() / np.trace(theta)
    assert f"the floor) holds {100 * share:.3g} %" in texts(at)


@pytest.mark.parametrize(("depth", "floor"), [("1", 0.0), ("5", 0.238), ("20", 0.295)])
def test_half_true_claim_floor_rises_while_peak_narrows(depth, floor):
    at = run({"depth": depth, "width": "100"})
    assert float(metric(at, "Floor")) == pytest.approx(floor, abs=2e-3)
    assert float(metric(at, "$\\Theta(x, x)$")) == pytest.approx(int(depth) + 1, rel=1e-6)
    figs = figures(at)
    floors = trace_array(figs["floor_vs_depth"]["data"][0], "y")
    peaks = trace_array(figs["peak_vs_depth"]["data"][0], "y")
    assert floors[-1] > floors[4] > floors[0]
    assert peaks[-1] < peaks[4] < peaks[0]
    text = texts(at)
    # the numbers in the text are the charts' numbers; no "ever more constant" story
    assert f"{floors[0]:.2f} → {floors[4]:.2f} → {floors[19]:.2f}" in text
    assert "ever more constant" not in text and "plateau" not in text
    # the deep slice beyond the peak, as stated, read off the depth-20 curve independently
    prof = nc.experiments.depth_profile(nc.MLP(1, 1), (20,), n_angles=view.PROFILE_ANGLES)
    s, a = prof.slices[0], np.degrees(prof.angles)
    assert f"{np.interp(90.0, a, s):.2f} at 90°" in text


def test_width_control_changes_empirical_kernel():
    at = run()
    before = empirical_z(at)
    analytic_before = z_of(at, "ntk_heatmap")
    at.select_slider(key=K + "width").set_value(20).run()
    assert not at.exception
    after = empirical_z(at)
    assert after.shape == before.shape and not np.allclose(after, before)
    assert at.query_params["width"] == "20"
    # the analytic kernel does not depend on the width
    assert np.array_equal(z_of(at, "ntk_heatmap"), analytic_before)


def test_comparison_puts_both_kernels_on_one_colour_scale():
    """One figure, two square panels: the analytic NTK (the picture's own kernel) and the
    empirical one, on one colour axis whose range is exactly that of both."""
    at = run({"width": "50"})
    fig = figures(at)["ntk_comparison"]
    analytic, empirical = z_of(at, "ntk_comparison", 0), empirical_z(at)
    np.testing.assert_array_equal(analytic, z_of(at, "ntk_heatmap"))
    assert not np.allclose(empirical, analytic)  # width 50 is far from the limit
    assert [t.get("coloraxis") for t in fig["data"]] == ["coloraxis", "coloraxis"]
    scale = fig["layout"]["coloraxis"]
    both = np.concatenate([analytic.ravel(), empirical.ravel()])
    np.testing.assert_allclose([scale["cmin"], scale["cmax"]], [both.min(), both.max()],
                               rtol=1e-6)  # float32 panels against the float64 range
    assert fig["layout"]["yaxis2"]["scaleanchor"] == "x2"  # square, like the first panel


def test_reinitialise_uses_the_seed_drawn_in_advance():
    at = run({"width": "50"})
    before = empirical_z(at)
    seed_before = at.number_input(key=K + "seed").value
    announced = at.session_state["infinite_width::next_seed"]  # what the page prefetched
    at.button(key=K + "reinit").click().run()
    assert not at.exception
    seed = at.number_input(key=K + "seed").value
    assert seed == announced != seed_before
    assert not np.allclose(empirical_z(at), before)
    assert at.query_params["seed"] == str(seed)
    assert at.session_state["infinite_width::next_seed"] != announced  # a fresh one is drawn


def test_depth_slider_changes_kernel_and_highlight_but_not_the_depth_charts():
    at = run()
    before = z_of(at, "ntk_heatmap")
    depth_charts = {k: spec(at, k) for k in ("peak_vs_depth", "floor_vs_depth", "dm_vs_depth")}
    at.slider(key=K + "depth").set_value(7).run()
    assert not at.exception
    assert not np.allclose(z_of(at, "ntk_heatmap"), before)
    names = [t["name"] for t in figures(at)["slices"]["data"]]
    assert "depth 7 (current)" in names
    assert at.query_params["depth"] == "7"
    # identical figures: the browser need not redraw them on a depth change
    for key, fig in depth_charts.items():
        assert spec(at, key) == fig, key


def test_url_round_trip():
    params = {
        "depth": "7",
        "activation": "erf",
        "sigma_w": "1.2",
        "sigma_b": "0.3",
        "inputs": "grid",
        "n": "40",
        "depths": "1,3",
        "width": "200",
        "seed": "42",
    }
    at = run(params)
    assert not at.warning and not at.info
    assert at.slider(key=K + "depth").value == 7
    assert at.selectbox(key=K + "activation").value == "erf"
    assert at.slider(key=K + "sigma_w").value == pytest.approx(1.2)
    assert at.slider(key=K + "sigma_b").value == pytest.approx(0.3)
    assert at.selectbox(key=K + "inputs").value == "grid"
    assert at.slider(key=K + "n").value == 40
    assert at.multiselect(key=K + "depths").value == [1, 3]
    assert at.select_slider(key=K + "width").value == 200
    assert at.number_input(key=K + "seed").value == 42
    assert dict(at.query_params) == params
    assert z_of(at, "ntk_heatmap").shape == (40, 40)


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("width", "abc", 1000),
        ("width", "-5", 10),
        ("seed", "xyz", 0),
        ("depth", "999", 20),
        ("depth", "abc", 3),
        ("activation", "tanh", "relu"),
        ("depths", "0,abc", [1, 2, 5, 10, 20]),
        ("sigma_w", "inf", math.sqrt(2.0)),
    ],
)
def test_bad_url_values_warn(name, raw, expected):
    at = run({name: raw, **({"width": "100"} if name != "width" else {})})
    assert at.warning, f"no warning for {name}={raw!r}"
    widget = {
        "width": lambda: at.select_slider(key=K + "width"),
        "seed": lambda: at.number_input(key=K + "seed"),
        "depth": lambda: at.slider(key=K + "depth"),
        "activation": lambda: at.selectbox(key=K + "activation"),
        "depths": lambda: at.multiselect(key=K + "depths"),
        "sigma_w": lambda: at.slider(key=K + "sigma_w"),
    }[name]()
    if isinstance(expected, float):
        assert widget.value == pytest.approx(expected)
    else:
        assert widget.value == expected


@pytest.mark.parametrize(("depth", "widest"), [("1", 100_000), ("3", 5000), ("20", 2000)])
def test_width_slider_offers_only_what_fits_the_budget_at_this_depth(depth, widest, app_budget):
    at = run({"depth": depth, "width": "10"})
    options = [int(o.replace(",", "")) for o in at.select_slider(key=K + "width").options]
    assert options == list(WIDTH_OPTIONS[: WIDTH_OPTIONS.index(widest) + 1])
    for w in options:  # every offered width fits; the next one up does not
        assert cost.fits(view.empirical_cost(nc.MLP(int(depth), w), 72, 2))
    if widest != WIDTH_OPTIONS[-1]:
        nxt = WIDTH_OPTIONS[WIDTH_OPTIONS.index(widest) + 1]
        assert not cost.fits(view.empirical_cost(nc.MLP(int(depth), nxt), 72, 2))


def test_a_width_over_budget_is_degraded_with_a_note_not_refused():
    at = run({"depth": "20", "width": "100000"}, spectra=True)
    assert not at.error
    widest = view.offered_widths(nc.MLP(20, 10), 72, 2)[-1]  # 2,000 at the app's 5 s budget
    assert widest < 100_000
    assert at.select_slider(key=K + "width").value == widest
    assert at.query_params["width"] == str(widest)
    note = next(i.value for i in at.info if "100,000" in i.value)
    assert f"{widest:,}" in note and "TB" in note  # ≈ 1.4 TB of activations and weights
    assert_every_section_drawn(at, spectra=True)


def test_every_width_control_at_its_maximum_offered_value():
    at = run(spectra=True)
    widest = int(at.select_slider(key=K + "width").options[-1].replace(",", ""))
    at.select_slider(key=K + "width").set_value(widest).run()
    assert not at.exception and not at.error
    assert at.select_slider(key=K + "width").value == widest == 5000
    assert_every_section_drawn(at, spectra=True)


def test_an_error_in_one_section_stays_in_that_section(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(view, "empirical", broken)
    at = run(spectra=True)
    assert len(at.error) == 1 and "boom" in at.error[0].value
    keys = set(figures(at))
    assert "ntk_comparison" not in keys
    assert {"slices", "ntk_heatmap", "floor_vs_depth", "ntk_spectrum"} <= keys
    assert len(at.latex) >= 6


def test_erf_without_bias_has_no_infinite_values_on_charts():
    at = run({"activation": "erf", "width": "100"}, spectra=True)
    assert metric(at, "diag/mean") == "n/a"
    assert float(metric(at, "Floor")) == pytest.approx(-1.0, abs=1e-9)
    for key, fig in figures(at).items():
        for trace in fig["data"]:
            for attr in ("x", "y", "z"):
                if attr in trace:
                    arr = np.asarray(trace_array(trace, attr), dtype=np.float64)
                    assert not np.isinf(arr).any(), (key, attr)
                    if key != "dm_vs_depth" or attr != "y":
                        continue
                    assert np.isnan(arr).all()  # undefined, drawn as a gap


def test_papers_linked_formulas_typeset_no_emoji():
    at = run(spectra=True)
    text = texts(at)
    for url in ("arxiv.org/abs/1806.07572", "arxiv.org/abs/1711.00165",
                "papers.nips.cc/paper/3628-kernel-methods-for-deep-learning"):
        assert url in text
    assert "\\sum_{l=1}^{L+1}" in text  # the NTK as a sum over layers, typeset
    assert "Θ = Σ" not in text
    shown = [text, *(s.value for s in at.subheader), *(m.label for m in at.metric),
             *(i.value for i in at.info)]
    assert not [s for s in shown if EMOJI.search(s)]
