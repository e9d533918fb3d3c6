"""AppTest checks of the Width stability page (pages/1_Width_stability.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import decode_plotly_tree, trace_array
from streamlit.testing.v1 import AppTest

PAGE = "../pages/1_Width_stability.py"
K = "width_stability:"  # PageState namespace of the page's widget keys
DEFAULT_PARAMS = {
    "width": "50",
    "depth": "1",
    "activation": "relu",
    "sigma_w": "1.41",
    "sigma_b": "0.5",
    "inputs": "circle",
    "seed": "0",
    "middle": "diff",
    "seeds": "5",
    "sweep_max": "10000",
}


def run(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures_by_key(at: AppTest) -> dict[str, dict]:
    return {el.key: decode_plotly_tree(json.loads(el.proto.spec)) for el in at.get("plotly_chart")}


def z(fig: dict) -> np.ndarray:
    return trace_array(fig["data"][0], "z").astype(np.float64)


def trace(fig: dict, name_start: str) -> dict:
    return next(t for t in fig["data"] if str(t.get("name", "")).startswith(name_start))


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


@pytest.fixture(scope="module")
def default_run() -> AppTest:
    return run()


def test_defaults_render(default_run):
    at = default_run
    assert not at.error and not at.warning
    figs = figures_by_key(at)
    assert set(figs) == {"heat_a", "heat_mid", "heat_inf", "sweep", "slices"}
    a, mid, inf = z(figs["heat_a"]), z(figs["heat_mid"]), z(figs["heat_inf"])
    assert a.shape == mid.shape == inf.shape == (36, 36)
    # Θ_A and Θ∞ share one colour range; A − B is diverging, centred at 0
    ta, ti, tm = figs["heat_a"]["data"][0], figs["heat_inf"]["data"][0], figs["heat_mid"]["data"][0]
    assert (ta["zmin"], ta["zmax"]) == (ti["zmin"], ti["zmax"])
    assert tm["zmid"] == 0 and tm["zmin"] == -tm["zmax"]
    # width 50: A and B visibly differ; the −1/2 law holds on the sweep
    variation = float(metric(at, "Relative variation"))
    assert 0.1 < variation < 0.6
    slope = float(metric(at, "Fitted slope of the variation").split("±")[0])
    assert -0.65 < slope < -0.35
    sweep_x = trace_array(trace(figs["sweep"], "‖Θ_A − Θ_B‖"), "x")
    assert sweep_x.min() == 10 and sweep_x.max() == 10_000
    slice_names = {t["name"] for t in figs["slices"]["data"]}
    assert {"width 10", "width 50", "width 10,000", "Θ∞ (analytic)"} <= slice_names
    assert at.select_slider(key=K + "width").value == 50
    assert at.select_slider(key=K + "width").label == "Width"
    assert dict(at.query_params) == DEFAULT_PARAMS
    labels = {b.label for b in at.get("download_button")}
    assert {"The three kernels (NPZ)", "Sweep (CSV)", "Slices (CSV)"} <= labels
    assert at.latex


def test_width_slider_changes_kernels_not_sweep():
    at = run()
    before = figures_by_key(at)
    sweep_spec = {el.key: el.proto.spec for el in at.get("plotly_chart")}["sweep"]
    at.select_slider(key=K + "width").set_value(2000).run()
    assert not at.exception
    after = figures_by_key(at)
    assert not np.allclose(z(before["heat_a"]), z(after["heat_a"]))
    assert not np.allclose(z(before["heat_mid"]), z(after["heat_mid"]))
    np.testing.assert_array_equal(z(before["heat_inf"]), z(after["heat_inf"]))
    assert float(metric(at, "Relative variation")) < 0.1  # wide: the two inits agree
    assert "width 2,000" in {t["name"] for t in after["slices"]["data"]}
    # the sweep does not depend on the width slider: the same figure, so the browser keeps it
    # as it is instead of redrawing it (~120 ms of a width step)
    spec = {el.key: el.proto.spec for el in at.get("plotly_chart")}["sweep"]
    assert spec == sweep_spec
    assert at.query_params["width"] == "2000"


def test_sweep_max_width_changes_sweep():
    at = run()
    at.select_slider(key=K + "sweep_max").set_value(1000).run()
    assert not at.exception
    sweep_x = trace_array(trace(figures_by_key(at)["sweep"], "‖Θ_A − Θ_B‖"), "x")
    assert sweep_x.max() == 1000
    assert at.query_params["sweep_max"] == "1000"


def test_url_round_trip():
    params = {
        "width": "200",
        "depth": "2",
        "activation": "erf",
        "sigma_w": "1.2",
        "sigma_b": "0.3",
        "inputs": "grid",
        "seed": "7",
        "middle": "B",
        "seeds": "3",
        "sweep_max": "2000",
    }
    at = run(params)
    assert not at.warning
    assert at.select_slider(key=K + "width").value == 200
    assert at.slider(key=K + "depth").value == 2
    assert at.selectbox(key=K + "activation").value == "erf"
    assert at.slider(key=K + "sigma_w").value == pytest.approx(1.2)
    assert at.slider(key=K + "sigma_b").value == pytest.approx(0.3)
    assert at.radio(key=K + "inputs").value == "grid"
    assert at.number_input(key=K + "seed").value == 7
    assert at.radio(key=K + "middle").value == "B"
    assert at.slider(key=K + "seeds").value == 3
    assert at.select_slider(key=K + "sweep_max").value == 2000
    assert dict(at.query_params) == params
    figs = figures_by_key(at)
    assert z(figs["heat_a"]).shape == (33, 33)  # the grid
    # init B is drawn on the shared colour scale of A and Θ∞
    tb, ta = figs["heat_mid"]["data"][0], figs["heat_a"]["data"][0]
    assert (tb["zmin"], tb["zmax"]) == (ta["zmin"], ta["zmax"])
    assert "zmid" not in tb


@pytest.mark.parametrize(
    ("params", "field", "expected"),
    [
        ({"width": "abc"}, "width", "50"),
        ({"width": "-5"}, "width", "10"),
        ({"seed": "xyz"}, "seed", "0"),
        ({"depth": "999"}, "depth", "4"),
        ({"inputs": "torus", "middle": "C", "sweep_max": "7", "seeds": "1e9"}, "seeds", "10"),
    ],
)
def test_bad_url_values_warn(params, field, expected):
    at = run(params)
    assert at.warning
    assert at.query_params[field] == expected


def test_reinitialise_changes_kernel():
    at = run()
    before = z(figures_by_key(at)["heat_a"])
    at.button(key=K + "reinit").click().run()
    assert not at.exception
    assert at.query_params["seed"] != "0"
    assert not np.allclose(before, z(figures_by_key(at)["heat_a"]))


def test_huge_deep_net_is_refused_with_advice():
    at = run({"width": "100000", "depth": "4"})
    assert at.error
    message = at.error[0].value
    assert "Reduce the width" in message and "depth" in message
    assert not at.get("plotly_chart")
    assert at.query_params["width"] == "100000"  # the URL still reflects the request


def test_widest_shallow_net_works():
    at = run({"width": "100000", "depth": "1"})
    assert not at.error
    assert float(metric(at, "Relative variation")) < 0.05
    assert float(metric(at, "Distance to Θ∞")) < 0.05
