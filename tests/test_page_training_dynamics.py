"""AppTest tests of pages/2_Training_dynamics.py (GD vs the NTK prediction)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from helpers import plotly_figures, trace_array
from streamlit.testing.v1 import AppTest

PAGE = "../pages/2_Training_dynamics.py"
TIMEOUT = 60


def key(name: str) -> str:
    return f"training:{name}"


def run_page(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures_by_key(at: AppTest) -> dict[str, dict]:
    keys = [el.key for el in at.get("plotly_chart")]
    return dict(zip(keys, plotly_figures(at), strict=True))


def trace(fig: dict, name_start: str) -> np.ndarray:
    for t in fig["data"]:
        if str(t.get("name", "")).startswith(name_start):
            return trace_array(t, "y").astype(float)
    raise KeyError(name_start)


def metric(at: AppTest, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise KeyError(label_start)


def test_defaults_render_everything():
    at = run_page()
    assert not at.warning and not at.error
    figs = figures_by_key(at)
    assert set(figs) == {"loss_chart", "spectrum_chart", "modes_chart", "predictions_chart"}
    assert len(at.get("download_button")) == 4
    # the net trains and the wide net tracks its exact linearization
    net = trace(figs["loss_chart"], "network")
    lin = trace(figs["loss_chart"], "NTK, discrete")
    cont = trace(figs["loss_chart"], "NTK, continuous")
    assert net[0] > 100 * net[-1]
    assert 0.3 < net[-1] / lin[-1] < 3
    assert not np.allclose(lin[:5], cont[:5], rtol=0.05)  # ηλ_max ≈ 0.7: the formulas differ
    lam_max = float(metric(at, "λ_max"))
    assert 50 < lam_max < 90  # depth 1, σ_w = √2, σ_b = 1, 15 points on [-2, 2]
    assert float(metric(at, "Stable step")) == pytest.approx(2 / lam_max, rel=0.01)
    assert float(metric(at, "λ_min")) > 1e-3  # the bias makes Θ full rank
    assert float(metric(at, "Kernel change")) < 0.1
    assert at.query_params["width"] == "1000"
    assert at.query_params["t"] == "1000"  # predictions shown at the last step by default
    assert at.select_slider(key=key("t")).value == 1000


def test_width_control_changes_plotted_data():
    at = run_page()
    before = figures_by_key(at)
    seen = [trace(before["predictions_chart"], "network f_t")]
    for width in (500, 2000):
        at.select_slider(key=key("width")).set_value(width).run()
        assert not at.exception
        assert at.query_params["width"] == str(width)
        figs = figures_by_key(at)
        pred = trace(figs["predictions_chart"], "network f_t")
        assert all(not np.allclose(pred, s) for s in seen)
        assert not np.allclose(
            trace(figs["loss_chart"], "network"), trace(before["loss_chart"], "network")
        )
        seen.append(pred)


def test_url_round_trip():
    params = {
        "target": "sin_high",
        "n": "12",
        "sigma_b": "0.5",
        "nobias": "0",
        "width": "500",
        "depth": "2",
        "lr": "0.005",
        "steps": "200",
        "seed": "7",
        "t": "1",
        "logt": "0",
    }
    at = run_page(**params)
    assert not at.warning and not at.error
    assert at.selectbox(key=key("target")).value == "sin_high"
    assert at.slider(key=key("n")).value == 12
    assert at.select_slider(key=key("sigma_b")).value == 0.5
    assert at.checkbox(key=key("nobias")).value is False
    assert at.select_slider(key=key("width")).value == 500
    assert at.slider(key=key("depth")).value == 2
    assert at.select_slider(key=key("lr")).value == 0.005
    assert at.select_slider(key=key("steps")).value == 200
    assert at.number_input(key=key("seed")).value == 7
    assert at.select_slider(key=key("t")).value == 1
    assert at.checkbox(key=key("logt")).value is False
    assert set(at.query_params) == set(params)
    assert {k: at.query_params[k] for k in params} == params
    fig = figures_by_key(at)["predictions_chart"]
    assert "t = 1" in fig["layout"]["title"]["text"]
    assert trace_array(fig["data"][1], "x").size == 12  # the training points


@pytest.mark.parametrize(
    ("name", "raw", "fixed"),
    [
        ("width", "abc", "1000"),
        ("width", "-5", "10"),
        ("seed", "xyz", "0"),
        ("depth", "999", "3"),
        ("lr", "fast", "0.01"),
        ("steps", "-3", "100"),
        ("target", "cosh", "sin"),
        ("n", "1e9", "60"),
        ("nobias", "maybe", "0"),
    ],
)
def test_bad_url_values_warn(name, raw, fixed):
    extra = {"steps": "100", "width": "100"} if name in ("depth", "n") else {}  # cheap
    at = run_page(**{name: raw, **extra})
    assert at.warning, f"no warning for {name}={raw!r}"
    assert any(name in w.value for w in at.warning)
    assert at.query_params[name] == fixed


def test_bad_time_value_snaps_to_a_recorded_step():
    at = run_page(t="zz")
    assert at.warning
    assert at.query_params["t"] == "1000"
    at = run_page(t="333")  # not a recorded step: the nearest one is shown
    t = at.select_slider(key=key("t")).value
    assert t != 333
    assert abs(t - 333) < 60
    assert at.query_params["t"] == str(t)


def test_reinitialise_changes_the_kernel_and_the_run():
    at = run_page()
    figs = figures_by_key(at)
    seed = at.number_input(key=key("seed")).value
    at.button(key=key("reinit")).click().run()
    assert not at.exception
    assert at.number_input(key=key("seed")).value != seed
    assert at.query_params["seed"] == str(at.number_input(key=key("seed")).value)
    after = figures_by_key(at)
    assert not np.allclose(
        trace(after["loss_chart"], "network"), trace(figs["loss_chart"], "network")
    )
    spec_a = trace_array(figs["spectrum_chart"]["data"][0], "y")
    spec_b = trace_array(after["spectrum_chart"]["data"][0], "y")
    assert not np.allclose(spec_a, spec_b)


def test_time_slider_moves_the_predictions_and_steps_reset_it():
    at = run_page()
    last = trace(figures_by_key(at)["predictions_chart"], "network f_t")
    at.select_slider(key=key("t")).set_value(1).run()
    assert not at.exception
    fig = figures_by_key(at)["predictions_chart"]
    assert "t = 1" in fig["layout"]["title"]["text"]
    assert not np.allclose(trace(fig, "network f_t"), last)
    assert at.query_params["t"] == "1"
    at.select_slider(key=key("steps")).set_value(500).run()
    assert at.select_slider(key=key("t")).value == 500  # a new run shows its last step


@pytest.mark.parametrize(
    ("depth", "width", "net_words", "net_final"),
    [("1", "1000", "survived", None), ("3", "200", "blew up", "diverged")],
)
def test_step_above_stability_limit_is_reported_in_words(depth, width, net_words, net_final):
    # depth 1 catapults back (the net survives), depth 3 really diverges
    at = run_page(lr="0.05", steps="200", depth=depth, width=width)
    assert any("2/λ_max" in w.value and net_words in w.value for w in at.warning)
    assert metric(at, "Final loss, linearized") == "diverged"
    if net_final:
        assert metric(at, "Final loss, network") == net_final
    # the plotted losses are finite where drawn, and the exploding NTK curve is cut off
    fig = figures_by_key(at)["loss_chart"]
    for name in ("network", "NTK, discrete"):
        y = trace(fig, name)
        assert np.all(np.isfinite(y[~np.isnan(y)]))
        assert np.nanmax(y) < 1e9


def test_no_bias_is_the_labelled_broken_case():
    at = run_page(nobias="1", steps="500")
    assert any("Broken case" in e.value for e in at.error)
    assert float(metric(at, "λ_min")) < 1e-8  # rank-2 NTK on 1-D inputs
    assert float(metric(at, "Final loss, network")) > 1.0  # the loss stalls
    assert at.select_slider(key=key("sigma_b")).disabled


def test_too_many_steps_for_the_width_are_scaled_down_with_a_note():
    t0 = time.perf_counter()
    at = run_page(width="100000", steps="5000")
    assert time.perf_counter() - t0 < 30  # never hangs (about 1-5 s, machine load permitting)
    assert any("instead of 5,000" in i.value for i in at.info)
    ran = at.select_slider(key=key("t")).value
    assert ran < 5000
    assert trace_array(figures_by_key(at)["loss_chart"]["data"][0], "x").max() == ran
    assert at.query_params["steps"] == "5000"  # the link keeps what was asked for


def test_over_budget_request_is_refused_quickly():
    t0 = time.perf_counter()
    at = run_page(width="100000", depth="3")
    assert time.perf_counter() - t0 < 10
    assert at.error and "Reduce" in at.error[0].value
    assert not at.get("plotly_chart")
    assert at.query_params["width"] == "100000"  # the link still says what was asked
