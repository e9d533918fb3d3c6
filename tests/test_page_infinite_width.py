"""AppTest checks of the Infinite width page (pages/4_Infinite_width.py)."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest
from helpers import decode_plotly_tree, trace_array
from streamlit.testing.v1 import AppTest

PAGE = "../pages/4_Infinite_width.py"
TIMEOUT = 60
K = "infinite_width:"  # PageState namespace of the page's widget keys


def run(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> dict[str, dict]:
    """Decoded plotly figures by chart key."""
    return {el.key: decode_plotly_tree(json.loads(el.proto.spec)) for el in at.get("plotly_chart")}


def z_of(at: AppTest, key: str) -> np.ndarray:
    return np.asarray(trace_array(figures(at)[key]["data"][0], "z"), dtype=np.float64)


def metric(at: AppTest, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise KeyError(label_start)


def test_defaults_render_fast_with_expected_numbers():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()  # warm imports
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    t0 = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t0
    assert not at.exception
    assert elapsed < 5.0  # generous: the measured figure is ~0.06 s warm, ~0.2 s cold
    assert not at.warning and not at.error
    figs = figures(at)
    for key in (
        "nngp_heatmap",
        "ntk_heatmap",
        "slices",
        "peak_vs_depth",
        "floor_vs_depth",
        "dm_vs_depth",
        "ntk_spectrum",
        "nngp_spectrum",
        "analytic_ntk_cmp",
        "empirical_ntk",
        "empirical_slice",
    ):
        assert key in figs
    assert z_of(at, "ntk_heatmap").shape == (72, 72)
    x_axis = trace_array(figs["ntk_heatmap"]["data"][0], "x")
    assert float(np.max(x_axis)) == pytest.approx(355.0)  # circle axes in degrees
    # depth 3, ReLU, sigma_w = sqrt(2), sigma_b = 0: Theta(x, x) = depth + 1
    assert float(metric(at, "Θ(x, x)")) == pytest.approx(4.0, rel=1e-6)
    assert float(metric(at, "Floor")) == pytest.approx(0.171, abs=2e-3)
    assert 0.0 < float(metric(at, "‖Θ_m")) < 0.5
    # overlay: depths 1, 2, 3 (current, thicker), 5, 10, 20
    names = [t["name"] for t in figs["slices"]["data"]]
    assert "depth 3 (current)" in names and "depth 20" in names
    assert len(at.get("download_button")) == 4
    assert at.query_params["depth"] == "3"
    assert at.query_params["width"] == "1000"
    assert at.query_params["depths"] == "1,2,5,10,20"


@pytest.mark.parametrize(("depth", "floor"), [("1", 0.0), ("5", 0.238), ("20", 0.295)])
def test_half_true_claim_floor_rises_while_peak_narrows(depth, floor):
    at = run({"depth": depth, "width": "100"})
    assert float(metric(at, "Floor")) == pytest.approx(floor, abs=2e-3)
    assert float(metric(at, "Θ(x, x)")) == pytest.approx(int(depth) + 1, rel=1e-6)
    figs = figures(at)
    floors = trace_array(figs["floor_vs_depth"]["data"][0], "y")
    peaks = trace_array(figs["peak_vs_depth"]["data"][0], "y")
    assert floors[-1] > floors[4] > floors[0]
    assert peaks[-1] < peaks[4] < peaks[0]


def test_width_control_changes_empirical_kernel():
    at = run()
    before = z_of(at, "empirical_ntk")
    at.select_slider(key=K + "width").set_value(20).run()
    assert not at.exception
    after = z_of(at, "empirical_ntk")
    assert after.shape == before.shape and not np.allclose(after, before)
    assert at.query_params["width"] == "20"
    # the analytic kernel does not depend on the width
    assert np.array_equal(z_of(at, "ntk_heatmap"), z_of(run(), "ntk_heatmap"))


def test_reinitialise_changes_empirical_kernel():
    at = run({"width": "50"})
    before = z_of(at, "empirical_ntk")
    seed_before = at.number_input(key=K + "seed").value
    at.button(key=K + "reinit").click().run()
    assert not at.exception
    assert at.number_input(key=K + "seed").value != seed_before
    assert not np.allclose(z_of(at, "empirical_ntk"), before)
    assert at.query_params["seed"] == str(at.number_input(key=K + "seed").value)


def test_depth_slider_changes_kernel_and_highlight():
    at = run()
    before = z_of(at, "ntk_heatmap")
    at.slider(key=K + "depth").set_value(7).run()
    assert not at.exception
    assert not np.allclose(z_of(at, "ntk_heatmap"), before)
    names = [t["name"] for t in figures(at)["slices"]["data"]]
    assert "depth 7 (current)" in names
    assert at.query_params["depth"] == "7"


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
    assert not at.warning
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


def test_cost_guard_refuses_deep_and_very_wide():
    t0 = time.perf_counter()
    at = run({"depth": "20", "width": "100000"})
    assert time.perf_counter() - t0 < 10.0
    assert at.error and "width" in at.error[0].value.lower()
    figs = figures(at)
    assert "ntk_heatmap" in figs and "slices" in figs  # the analytic part still renders
    assert "empirical_ntk" not in figs


def test_erf_without_bias_has_no_infinite_values_on_charts():
    at = run({"activation": "erf", "width": "100"})
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
