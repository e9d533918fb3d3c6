"""AppTest tests of the Training dynamics page (GD vs the NTK prediction) and of its sections
(ntk_app/views/training_dynamics.py).

The page runs with app.py as the entry point (as under ``streamlit run``), so that the sidebar's
page links resolve; the page's path comes from the registry.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from helpers import plotly_figures, trace_array
from streamlit.testing.v1 import AppTest

from ntk_app import prefetch, registry
from ntk_app.state import WIDTH_OPTIONS
from ntk_app.views import training_dynamics as td
from ntk_core.cost import fits, time_budget_s

PAGE = registry.page("training_dynamics").path
TIMEOUT = 90


def key(name: str) -> str:
    return f"training:{name}"


def run_page(**params: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    at.switch_page(PAGE)
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


def percent(text: str) -> float:
    """"2.94 %" -> 0.0294."""
    return float(text.replace("%", "").strip()) / 100


def main_order(at: AppTest) -> list[str]:
    """Element types of the main area in document order (containers flattened)."""
    out: list[str] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for i in sorted(children):
                walk(children[i])
        else:
            out.append(node.type)

    walk(at.main)
    return out


# the charts of each tab under the loss chart (only the open tab is computed)
TAB_CHARTS = {
    "Formulas": {"loss_chart"},
    "Spectrum": {"loss_chart", "spectrum_chart", "modes_chart"},
    "Predictions": {"loss_chart", "predictions_chart"},
}


def every_tab_draws(at: AppTest) -> None:
    """Open each tab in turn: its charts are drawn and nothing fails (the only error box allowed
    is the deliberate one of the no-bias case)."""
    for section, charts in TAB_CHARTS.items():
        at.session_state[key("section")] = section
        at.run()
        assert not at.exception, section
        assert all(e.value.startswith("**Broken case") for e in at.error), section
        assert set(figures_by_key(at)) == charts, section
        assert at.query_params["section"] == section


def test_defaults_render_the_loss_chart_and_the_formulas():
    at = run_page()
    assert not at.warning and not at.error and not at.info
    figs = figures_by_key(at)
    assert set(figs) == TAB_CHARTS["Formulas"]
    assert [t.label for t in at.tabs] == list(td.SECTIONS)
    assert len(at.latex) == 1 and len(at.get("download_button")) == 1
    # the net trains and the wide net tracks its exact linearization
    net = trace(figs["loss_chart"], "network")
    lin = trace(figs["loss_chart"], "NTK, discrete")
    cont = trace(figs["loss_chart"], "NTK, continuous")
    assert net[0] > 100 * net[-1]
    assert 0.3 < net[-1] / lin[-1] < 3
    assert not np.allclose(lin[:5], cont[:5], rtol=0.05)  # ηλ_max ≈ 0.7: the formulas differ
    assert percent(metric(at, "Kernel change")) < 0.1
    assert at.query_params["width"] == "1000"
    assert at.query_params["section"] == "Formulas"


def test_spectrum_tab():
    at = run_page(section="Spectrum")
    assert set(figures_by_key(at)) == TAB_CHARTS["Spectrum"]
    assert len(at.get("download_button")) == 3  # the loss curves, spectrum, modes
    lam_max = float(metric(at, "λ_max"))
    assert 50 < lam_max < 90  # depth 1, σ_w = √2, σ_b = 1, 15 points on [-2, 2]
    assert float(metric(at, "Stable step")) == pytest.approx(2 / lam_max, rel=0.01)
    assert float(metric(at, "λ_min")) > 1e-3  # the bias makes Θ full rank
    spec = trace_array(figures_by_key(at)["spectrum_chart"]["data"][0], "y")
    assert spec.size == 15 and spec[0] == pytest.approx(lam_max, rel=1e-3)


def test_predictions_tab_shows_the_last_step_by_default():
    at = run_page(section="Predictions")
    assert set(figures_by_key(at)) == TAB_CHARTS["Predictions"]
    assert at.query_params["t"] == "1000"  # predictions shown at the last step by default
    assert at.select_slider(key=key("t")).value == 1000
    assert len(at.get("download_button")) == 2  # the loss curves, the predictions


def test_the_loss_chart_comes_first_and_its_tiles_are_labelled():
    """Picture first: the loss chart is the first chart and no number tile precedes it; the
    four tiles beside it say what they measure."""
    at = run_page()
    order = main_order(at)
    first_chart = order.index("plotly_chart")
    assert "metric" not in order[:first_chart]
    assert at.get("plotly_chart")[0].key == "loss_chart"
    labels = [m.label for m in at.metric][:4]
    assert labels == ["Final loss, network", "Final loss, linearized NTK",
                      "Kernel change in training", "Stable step 2/λ_max"]


def test_kernel_change_help_states_a_bound_not_one_rate():
    """The change during training is bounded by O(m^-1/2); its measured rate depends on the
    activation, so the page must not state one rate for all."""
    at = run_page()
    tile = next(m for m in at.metric if m.label.startswith("Kernel change"))
    assert "O(m^{-1/2})" in tile.help and "Lee et al. 2019" in tile.help
    assert "ReLU" in tile.help and "erf" in tile.help and "1/m" in tile.help


def test_width_control_changes_plotted_data():
    at = run_page(section="Predictions")
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
        "section": "Predictions",
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
    at = run_page(t="zz", section="Predictions")
    assert at.warning
    assert at.query_params["t"] == "1000"
    at = run_page(t="333", section="Predictions")  # not a recorded step: the nearest one is shown
    t = at.select_slider(key=key("t")).value
    assert t != 333
    assert abs(t - 333) < 60
    assert at.query_params["t"] == str(t)


def test_reinitialise_changes_the_kernel_and_the_run():
    at = run_page(section="Spectrum")
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
    at = run_page(section="Predictions")
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
    every_tab_draws(at)  # the other sections are still drawn


def test_no_bias_is_the_labelled_broken_case():
    at = run_page(nobias="1", steps="500", section="Spectrum")
    assert any("Broken case" in e.value for e in at.error)
    assert float(metric(at, "λ_min")) < 1e-8  # rank-2 NTK on 1-D inputs
    assert float(metric(at, "Final loss, network")) > 1.0  # the loss stalls
    assert at.select_slider(key=key("sigma_b")).disabled
    every_tab_draws(at)


def test_width_slider_at_its_maximum_degrades_the_steps_and_draws_everything():
    """Every width the slider offers runs: at the largest, fewer steps, said in words; no
    error, and every section is still drawn."""
    at = run_page(steps="5000", section="Predictions")
    slider = at.select_slider(key=key("width"))
    top = slider.options[-1]
    slider.set_value(int(top.replace(",", ""))).run()
    assert not at.exception and not at.error
    assert any("instead of 5,000" in i.value for i in at.info)
    ran = at.select_slider(key=key("t")).value
    assert ran < 5000
    assert trace_array(figures_by_key(at)["loss_chart"]["data"][0], "x").max() == ran
    assert at.query_params["steps"] == "5000"  # the link keeps what was asked for
    every_tab_draws(at)


def test_the_full_run_is_offered_and_runs_when_chosen():
    """Over the interactive budget but under the operator's ceiling: a button runs all steps.
    The narrowest width at which 5,000 steps do not fit, so the full run is as short as can be."""
    s = td.Setup("sin", 15, 1, 0.01, 5000, 1.0, 0, True)  # the page's defaults, 5,000 steps
    width = next(w for w in WIDTH_OPTIONS if td.plan_steps(s, w) < 5000)
    at = run_page(width=str(width), steps="5000", n="15", section="Predictions")
    assert any("instead of 5,000" in i.value for i in at.info)
    assert at.select_slider(key=key("t")).value < 5000
    button = next(b for b in at.button if b.label.startswith("Run the full version"))
    button.click().run()
    assert not at.exception and not at.error
    assert at.select_slider(key=key("t")).value == 5000
    assert trace_array(figures_by_key(at)["loss_chart"]["data"][0], "x").max() == 5000


def test_a_link_to_an_unaffordable_width_shows_the_largest_offered_one():
    """Width 100,000 at depth 3 does not fit even for 100 steps: not offered; a link asking
    for it gets the largest offered width, said in words, and every section."""
    at = run_page(width="100000", depth="3", steps="100")
    offered = [int(str(o).replace(",", "")) for o in at.select_slider(key=key("width")).options]
    assert 100_000 not in offered
    shown = at.select_slider(key=key("width")).value
    assert shown == max(offered)
    assert any("100,000" in i.value and "largest" in i.value for i in at.info)
    assert not at.error
    assert at.query_params["width"] == str(shown)
    every_tab_draws(at)


# ----------------------------------------------------------------------------- the plan


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("n", [5, 15, 60])
def test_offered_widths_run_at_least_the_fewest_steps_within_budget(depth, n):
    s = td.Setup("sin", n, depth, 0.01, 1000, 1.0, 0, True)
    offered = td.widths_offered(s)
    assert offered == tuple(w for w in WIDTH_OPTIONS[: len(offered)])  # a prefix of the menu
    for w in offered:
        assert fits(td.cost(s, w, min(td.STEP_OPTIONS)))
    if len(offered) < len(WIDTH_OPTIONS):  # the first width left out really does not fit
        assert not fits(td.cost(s, WIDTH_OPTIONS[len(offered)], min(td.STEP_OPTIONS)))


@pytest.mark.parametrize("width", [1000, 10_000, 50_000])
def test_plan_steps_is_the_largest_offered_number_that_fits(width, app_budget):
    s = td.Setup("sin", 15, 1, 0.01, 5000, 1.0, 0, True)
    ran = td.plan_steps(s, width)
    assert ran in td.STEP_OPTIONS and ran <= s.steps
    assert td.cost(s, width, ran).seconds <= time_budget_s()
    larger = [t for t in td.STEP_OPTIONS if ran < t <= s.steps]
    assert all(not fits(td.cost(s, width, t)) for t in larger)


def test_loss_figure_is_float32_and_cuts_off_exploding_curves():
    """The display preparation: float32 payloads, at most ~MAX_POINTS points a curve, values
    10⁶× above the initial loss and non-positive ones (log axis) as gaps."""
    steps = 1000
    losses = np.geomspace(4.0, 1e-3, steps + 1)
    exploding = np.geomspace(4.0, 1e12, steps + 1)
    r = td.TrainingDynamics(
        steps=np.array([0, steps]), losses=losses, linear_losses=exploding,
        continuous_losses=np.zeros(steps + 1), eigvals=np.array([2.0, 1.0]),
        net_modes=np.ones((2, 2)), linear_modes=np.ones((2, 2)), net_test=np.zeros((2, 3)),
        linear_test=np.zeros((2, 3)), continuous_test=np.zeros((2, 3)), f0_test=np.zeros(3),
        lam_min=1.0, lam_max=2.0, lr_bound=1.0, diverged=False, diverged_at=None,
        kernel_change=0.01, message="",
    )
    fig = td.loss_figure(r, steps, logt=True)
    net, lin, cont = (np.asarray(t.y) for t in fig.data)
    assert net.dtype == np.float32 and net.size <= td.MAX_POINTS
    t = np.asarray(fig.data[0].x)
    assert t.min() == 1 and t.max() == steps
    np.testing.assert_allclose(net, losses[t.astype(int)], rtol=1e-6)
    cut = lin > 4e6
    assert not cut.any() and np.isnan(lin).sum() == int((exploding[t.astype(int)] > 4e6).sum())
    assert np.isnan(cont).all()  # zeros cannot be drawn on a log axis
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.type == "log"
    assert fig.layout.yaxis.tickmode == "linear"  # powers of ten (≥ 2 decades of data)


def test_prefetched_neighbours_are_cache_hits(monkeypatch):
    """prefetch_neighbours calls ``run`` with exactly the arguments the page uses, so the next
    width step finds its training in the cache (no second training)."""
    monkeypatch.setattr(prefetch, "ENABLED", True)  # tests/conftest.py switches it off
    calls: list[int] = []
    real = td.training_dynamics

    def counting(x, y, x_test, net, **kw):
        if kw["seed"] == s.seed:  # prefetches queued by earlier tests may still be running
            calls.append(net.width)
        return real(x, y, x_test, net, **kw)

    s = td.Setup("sin", 7, 1, 0.01, 100, 1.0, 424242, True)  # a seed no other test uses
    monkeypatch.setattr(td, "training_dynamics", counting)
    offered = td.widths_offered(s)

    def drain() -> None:  # the one prefetch thread may still run earlier tests' neighbours
        deadline = time.monotonic() + 300
        while prefetch.pending() and time.monotonic() < deadline:
            time.sleep(0.05)

    drain()
    assert td.prefetch_neighbours(s, 20, offered) == 2
    drain()
    assert sorted(calls) == [10, 50]
    for w in (10, 50):
        td.run(*td.run_args(s, w, td.plan_steps(s, w)))
    assert sorted(calls) == [10, 50]  # both were cache hits
