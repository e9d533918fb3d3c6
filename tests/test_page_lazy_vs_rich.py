"""AppTest checks of pages/3_Lazy_vs_rich.py: renders, widths move the data, URL round trip,
bad URL values, Re-initialise, snapshots, the cost guard, the sweeps and the α knob."""

from __future__ import annotations

import time

import numpy as np
import pytest
from helpers import plotly_figures, trace_array
from streamlit.testing.v1 import AppTest

PAGE = "../pages/3_Lazy_vs_rich.py"
K = "lazy:"  # the page's session-state namespace


def run(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def figure(at: AppTest, title_part: str) -> dict:
    """The first plotly figure whose title contains ``title_part``."""
    for fig in plotly_figures(at):
        if title_part in (fig["layout"].get("title") or {}).get("text", ""):
            return fig
    raise AssertionError(f"no figure titled like {title_part!r}")


def fits_figure(at: AppTest) -> dict:
    return figure(at, "Step ")


def curve(fig: dict, name: str, axis: str = "x") -> np.ndarray:
    """y of the trace ``name`` in subplot ``axis`` ("x": wide / left, "x2": narrow / right)."""
    for tr in fig["data"]:
        if tr.get("name") == name and tr.get("xaxis", "x") == axis:
            return trace_array(tr, "y").astype(float)
    raise AssertionError(f"no trace {name!r} on {axis}")


def metric(at: AppTest, label: str, index: int = 0) -> str:
    return [m.value for m in at.metric if m.label.startswith(label)][index]


def pct_value(text: str) -> float:
    return float(text.rstrip(" %")) / 100


# --------------------------------------------------------------------------- defaults


def test_defaults_render_the_phenomenon():
    t0 = time.perf_counter()
    at = run()
    elapsed = time.perf_counter() - t0
    assert not at.error and not at.warning
    fig = fits_figure(at)
    assert fig["layout"]["title"]["text"] == "Step 1000 of 1,000"
    assert len(fig["frames"]) == 21  # one animation frame per snapshot
    names = {tr["name"] for tr in fig["data"]}
    assert {"net", "kernel Θ₀, same step", "kernel Θ₀, t → ∞", "training points"} <= names
    # every drawn value is finite (no NaN/inf reaches a chart at defaults)
    for tr in fig["data"]:
        assert np.isfinite(trace_array(tr, "y").astype(float)).all()
    # lazy wide net, rich narrow net: the kernel of the narrow one moves > 10x more
    wide_change = pct_value(metric(at, "NTK change", 0))
    narrow_change = pct_value(metric(at, "NTK change", 1))
    assert wide_change < 0.05 and narrow_change > 0.3
    # the wide net sits on its kernel prediction, the narrow one does not
    wide_gap = np.sqrt(np.mean((curve(fig, "net") - curve(fig, "kernel Θ₀, same step")) ** 2))
    narrow_gap = np.sqrt(
        np.mean((curve(fig, "net", "x2") - curve(fig, "kernel Θ₀, same step", "x2")) ** 2)
    )
    assert wide_gap < 0.05 < narrow_gap
    assert len(at.latex) >= 3
    assert any("0.0077" in md.value for md in at.markdown)  # the article's real output
    assert {"width_wide", "width_narrow", "lr", "steps", "seed", "snapshot", "alpha", "param"} <= (
        set(at.query_params)
    )
    assert elapsed < 20  # cold run incl. training; ~0.7 s on the 2-core box


# --------------------------------------------------------------------------- widths


def test_wide_width_changes_wide_panel_only():
    at = run()
    before = fits_figure(at)
    at.select_slider(key=K + "width_wide").set_value(500).run()
    assert not at.exception
    after = fits_figure(at)
    assert not np.allclose(curve(before, "net"), curve(after, "net"))
    assert np.allclose(curve(before, "net", "x2"), curve(after, "net", "x2"))
    assert at.query_params["width_wide"] == ["500"] or at.query_params["width_wide"] == "500"


def test_narrow_width_changes_narrow_panel():
    at = run()
    before = fits_figure(at)
    at.select_slider(key=K + "width_narrow").set_value(50).run()
    assert not at.exception
    after = fits_figure(at)
    assert not np.allclose(curve(before, "net", "x2"), curve(after, "net", "x2"))
    assert "Narrow net, m = 50" in str(after["layout"]["annotations"])


def test_knob_width_alpha_and_parameterization_change_the_knob_run():
    at = run()
    base = curve(figure(at, "m = 500, α = 1"), "model h")
    lazy_change = pct_value(metric(at, "NTK change", 2))
    at.select_slider(key=K + "width_knob").set_value(100).run()
    assert not np.allclose(base, curve(figure(at, "m = 100, α = 1"), "model h"))
    at.select_slider(key=K + "width_knob").set_value(500)
    at.select_slider(key=K + "alpha").set_value(0.03).run()
    assert not at.exception
    assert pct_value(metric(at, "NTK change", 2)) > 20 * lazy_change  # small α: rich
    at.select_slider(key=K + "alpha").set_value(1.0)
    at.radio(key=K + "param").set_value("mean_field").run()
    assert not at.exception
    assert pct_value(metric(at, "NTK change", 2)) > 0.5  # mean-field moves its kernel at m = 500
    assert at.query_params["param"] in ("mean_field", ["mean_field"])


# --------------------------------------------------------------------------- URL


def test_url_round_trip():
    params = {
        "width_wide": "5000",
        "width_narrow": "20",
        "target": "step",
        "lr": "0.02",
        "steps": "500",
        "seed": "7",
        "snapshot": "5",
        "sweep": "0",
        "width_knob": "200",
        "alpha": "10.0",
        "param": "ntk",
        "asweep": "0",
    }
    at = run(**params)
    assert not at.warning and not at.error
    assert at.select_slider(key=K + "width_wide").value == 5000
    assert at.select_slider(key=K + "width_narrow").value == 20
    assert at.selectbox(key=K + "target").value == "step"
    assert at.select_slider(key=K + "lr").value == 0.02
    assert at.select_slider(key=K + "steps").value == 500
    assert at.number_input(key=K + "seed").value == 7
    assert at.select_slider(key=K + "snapshot").value == 5
    assert at.select_slider(key=K + "width_knob").value == 200
    assert at.select_slider(key=K + "alpha").value == 10.0
    assert at.radio(key=K + "param").value == "ntk"
    assert fits_figure(at)["layout"]["title"]["text"] == "Step 125 of 500"
    written = {k: at.query_params[k] for k in params}
    written = {k: v[0] if isinstance(v, list) else v for k, v in written.items()}
    assert written == params


def test_bad_url_values_warn_without_exception():
    at = run(
        width_wide="abc",
        width_narrow="-5",
        seed="xyz",
        steps="-3",
        lr="nan",
        alpha="0",
        param="foo",
        snapshot="99",
        target="nope",
        sweep="maybe",
    )
    assert len(at.warning) >= 8
    assert at.select_slider(key=K + "width_wide").value == 2000
    assert at.select_slider(key=K + "width_narrow").value == 5
    assert at.number_input(key=K + "seed").value == 0
    assert at.select_slider(key=K + "steps").value == 100  # snapped to the nearest option
    assert at.select_slider(key=K + "lr").value == 0.01
    assert at.select_slider(key=K + "alpha").value == 0.03
    assert at.selectbox(key=K + "target").value == "sin"
    assert at.select_slider(key=K + "snapshot").value == 20
    assert at.radio(key=K + "param").value == "ntk"


# --------------------------------------------------------------------------- seed, snapshots


def test_reinitialise_changes_the_nets():
    at = run()
    before = fits_figure(at)
    seed0 = at.number_input(key=K + "seed").value
    at.button(key=K + "reinit").click().run()
    assert not at.exception
    assert at.number_input(key=K + "seed").value != seed0
    after = fits_figure(at)
    assert not np.allclose(curve(before, "net", "x2"), curve(after, "net", "x2"))
    seed = at.query_params["seed"]
    assert (seed[0] if isinstance(seed, list) else seed) == str(
        at.number_input(key=K + "seed").value
    )


def test_snapshot_slider_shows_that_step_from_the_recorded_frames():
    at = run()
    last = fits_figure(at)
    at.select_slider(key=K + "snapshot").set_value(4).run()
    fig = fits_figure(at)
    assert fig["layout"]["title"]["text"] == "Step 200 of 1,000"
    frame = next(f for f in fig["frames"] if f["name"] == "200")
    # the frame's moving traces (net, kernel same step; wide then narrow) equal what is drawn
    drawn = [trace_array(fig["data"][i], "y") for i in frame["traces"]]
    for got, want in zip(drawn, (trace_array(d, "y") for d in frame["data"]), strict=True):
        assert np.allclose(got, want)
    assert not np.allclose(curve(fig, "net", "x2"), curve(last, "net", "x2"))
    assert at.query_params["snapshot"] in ("4", ["4"])


# --------------------------------------------------------------------------- cost guard


@pytest.mark.parametrize(
    ("params", "bound"), [({"width_wide": "100000"}, "20,000"), ({"width_wide": "50000"}, "500")]
)
def test_cost_guard_refuses_very_wide_nets_quickly(params, bound):
    t0 = time.perf_counter()
    at = run(**params)
    assert time.perf_counter() - t0 < 10
    assert len(at.error) == 1 and bound in at.error[0].value
    assert at.query_params["width_wide"] in (params["width_wide"], [params["width_wide"]])


def test_large_step_size_warns_instead_of_plotting_infinity():
    at = run(lr="0.05")
    assert any("2/λ_max" in w.value for w in at.warning)
    for tr in fits_figure(at)["data"]:
        y = trace_array(tr, "y").astype(float)
        assert not np.isinf(y).any()
        assert (np.abs(y[np.isfinite(y)]) < 1e15).all()  # a diverged curve becomes a gap


# --------------------------------------------------------------------------- sweeps


def test_sweeps_width_slope_and_alpha_curve():
    at = run(sweep="1", asweep="1", steps="200")
    assert not at.error
    sweep = figure(at, "Relative NTK change after 200 steps")
    ntk = next(tr for tr in sweep["data"] if tr["name"] == "NTK param. (mean of seeds)")
    mf = next(tr for tr in sweep["data"] if tr["name"] == "mean-field")
    change = trace_array(ntk, "y").astype(float)
    assert change[0] > 5 * change[-1]  # falls with width in the NTK parameterization
    assert np.nanmin(trace_array(mf, "y").astype(float)) > 0.3  # stays O(1) in mean-field
    slope = float(metric(at, "Slope, widths ≥ 100").split("±")[0])
    assert -1.0 < slope < -0.3
    alpha = figure(at, "NTK change vs output scale α")
    a_change = trace_array(alpha["data"][0], "y").astype(float)
    assert a_change[0] > 10 * a_change[-1]  # small α rich, large α lazy
