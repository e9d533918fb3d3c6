"""AppTest checks of pages/3_Lazy_vs_rich.py: renders the contrast, each width moves its own
panel, URL round trip, bad URL values, Re-initialise, snapshots, width sliders capped by the
time budget (the widest offered widths draw every section), the sweeps and the α knob."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import plotly_figures, trace_array
from streamlit.testing.v1 import AppTest

from ntk_app import budget
from ntk_app.views import lazy_vs_rich as view
from ntk_core import cost

APP = "../app.py"
PAGE = "pages/3_Lazy_vs_rich.py"
K = "lazy:"  # the page's session-state namespace


def run(**params: str) -> AppTest:
    """The page run as part of the app (its sidebar links resolve against app.py)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def figure(at: AppTest, text: str) -> dict:
    """The first plotly figure whose title or subplot title contains ``text``."""
    for fig in plotly_figures(at):
        layout = fig["layout"]
        titles = [(layout.get("title") or {}).get("text", "")]
        titles += [a.get("text", "") for a in layout.get("annotations", [])]
        if any(text in t for t in titles):
            return fig
    raise AssertionError(f"no figure titled like {text!r}")


def curve(fig: dict, name: str) -> np.ndarray:
    for tr in fig["data"]:
        if tr.get("name") == name:
            return trace_array(tr, "y").astype(float)
    raise AssertionError(f"no trace {name!r}")


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def pct_value(text: str) -> float:
    return float(text.rstrip(" %")) / 100


def param(at: AppTest, name: str) -> str:
    v = at.query_params[name]
    return v[0] if isinstance(v, list) else v


def fits_titles(at: AppTest) -> list[str]:
    return [f["layout"]["title"]["text"] for f in plotly_figures(at)
            if " net, m = " in f["layout"].get("title", {}).get("text", "")]


# --------------------------------------------------------------------------- defaults


def test_defaults_render_the_contrast():
    at = run()
    assert not at.error and not at.warning
    wide, narrow = figure(at, "Wide net, m = 2,000"), figure(at, "Narrow net, m = 10")
    for fig in (wide, narrow):
        assert fig["layout"]["title"]["text"].endswith(": step 1,000 of 1,000")
        assert len(fig["frames"]) == 21  # one animation frame per snapshot (▶ Play)
        names = {tr["name"] for tr in fig["data"]}
        assert {"net", "kernel Θ₀, same step", "kernel Θ₀, t → ∞", "training points"} <= names
        for tr in fig["data"]:  # nothing non-finite reaches a chart at the defaults
            assert np.isfinite(trace_array(tr, "y").astype(float)).all()
    # the contrast, labelled per panel: lazy wide net, rich narrow net
    wide_change = pct_value(metric(at, "Wide: NTK change"))
    narrow_change = pct_value(metric(at, "Narrow: NTK change"))
    assert wide_change < 0.05 and narrow_change > 0.3
    wide_align = float(metric(at, "Wide: alignment distance"))
    narrow_align = float(metric(at, "Narrow: alignment distance"))
    assert 0 < wide_align < narrow_align / 10
    # the wide net sits on its kernel prediction, the narrow one does not
    wide_gap = np.sqrt(np.mean((curve(wide, "net") - curve(wide, "kernel Θ₀, same step")) ** 2))
    narrow_gap = np.sqrt(
        np.mean((curve(narrow, "net") - curve(narrow, "kernel Θ₀, same step")) ** 2)
    )
    assert wide_gap < 0.05 < narrow_gap
    assert len(at.latex) >= 3
    text = " ".join(md.value for md in at.markdown)
    assert "0.0077" in text  # the article's real output
    for arxiv in ("1902.06720", "1909.11304", "1812.07956"):
        assert f"https://arxiv.org/abs/{arxiv}" in text
    assert {"width_wide", "width_narrow", "lr", "steps", "seed", "snapshot", "alpha", "param",
            "sweep", "asweep", "width_knob", "target"} == set(at.query_params)


def test_curves_show_the_recorded_kernel_measures():
    """The per-panel curves are the engine's recorded measures, the tiles their last values."""
    at = run()
    p = view.train_panel(*view.panel_args(view.Run("sin", 0.01, 1000, 0, 20), 2000))
    curves = [f for f in plotly_figures(at) if f["layout"]["title"]["text"] == "During training"]
    assert len(curves) == 2
    wide = curves[0]
    np.testing.assert_allclose(curve(wide, "‖Θ_t − Θ₀‖/‖Θ₀‖")[1:], p.kernel_change[1:],
                               rtol=1e-6)  # float32 payload
    np.testing.assert_allclose(curve(wide, "alignment distance")[1:], p.kernel_alignment[1:],
                               rtol=1e-6)
    assert np.isnan(curve(wide, "alignment distance")[0])  # 0 at step 0: a gap on a log axis
    assert float(metric(at, "Wide: alignment distance")) == pytest.approx(
        p.kernel_alignment[-1], rel=0.05)  # shown with 2 significant digits


# --------------------------------------------------------------------------- widths


def test_wide_width_changes_wide_panel_only():
    at = run()
    before_w, before_n = figure(at, "Wide net"), figure(at, "Narrow net")
    at.select_slider(key=K + "width_wide").set_value(500).run()
    assert not at.exception
    after_w, after_n = figure(at, "Wide net, m = 500"), figure(at, "Narrow net")
    assert not np.allclose(curve(before_w, "net"), curve(after_w, "net"))
    assert np.allclose(curve(before_n, "net"), curve(after_n, "net"))
    assert param(at, "width_wide") == "500"


def test_narrow_width_changes_narrow_panel():
    at = run()
    before = figure(at, "Narrow net")
    at.select_slider(key=K + "width_narrow").set_value(50).run()
    assert not at.exception
    after = figure(at, "Narrow net, m = 50")
    assert not np.allclose(curve(before, "net"), curve(after, "net"))
    assert param(at, "width_narrow") == "50"


def test_knob_width_alpha_and_parameterization_change_the_knob_run():
    at = run()
    base = curve(figure(at, "m = 500, α = 1"), "model h")
    lazy_change = pct_value(metric(at, "Knob run: NTK change"))
    at.select_slider(key=K + "width_knob").set_value(100).run()
    assert not np.allclose(base, curve(figure(at, "m = 100, α = 1"), "model h"))
    at.select_slider(key=K + "width_knob").set_value(500)
    at.select_slider(key=K + "alpha").set_value(0.03).run()
    assert not at.exception
    assert pct_value(metric(at, "Knob run: NTK change")) > 20 * lazy_change  # small α: rich
    at.select_slider(key=K + "alpha").set_value(1.0)
    at.radio(key=K + "param").set_value("mean_field").run()
    assert not at.exception
    assert pct_value(metric(at, "Knob run: NTK change")) > 0.5  # mean-field moves at m = 500
    assert param(at, "param") == "mean_field"


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
    assert fits_titles(at) == ["Wide net, m = 5,000: step 125 of 500",
                               "Narrow net, m = 20: step 125 of 500"]
    assert {k: param(at, k) for k in params} == params


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
    before = figure(at, "Narrow net")
    seed0 = at.number_input(key=K + "seed").value
    at.button(key=K + "reinit").click().run()
    assert not at.exception
    assert at.number_input(key=K + "seed").value != seed0
    assert not np.allclose(curve(before, "net"), curve(figure(at, "Narrow net"), "net"))
    assert param(at, "seed") == str(at.number_input(key=K + "seed").value)


def test_snapshot_slider_shows_that_step_in_both_panels_from_the_recorded_frames():
    at = run()
    last = figure(at, "Narrow net")
    at.select_slider(key=K + "snapshot").set_value(4).run()
    assert [t.split(": ")[1] for t in fits_titles(at)] == ["step 200 of 1,000"] * 2
    fig = figure(at, "Narrow net")
    frame = next(f for f in fig["frames"] if f["name"] == "200")
    # the frame's moving traces (net, kernel same step) equal what is drawn
    drawn = [trace_array(fig["data"][i], "y") for i in frame["traces"]]
    for got, want in zip(drawn, (trace_array(d, "y") for d in frame["data"]), strict=True):
        assert np.allclose(got, want)
    assert not np.allclose(curve(fig, "net"), curve(last, "net"))
    assert param(at, "snapshot") == "4"


# --------------------------------------------------------------------------- budget


@pytest.mark.parametrize("steps", [1000, 5000])
def test_width_sliders_offer_only_affordable_widths(steps):
    """Every offered width trains within the budget; the next one up would not."""
    at = run(steps=str(steps))
    for key, options in (("width_wide", view.WIDE.options), ("width_knob", view.KNOB_WIDTHS),
                         ("width_narrow", view.NARROW.options)):
        offered = tuple(at.select_slider(key=K + key).options)
        offered = tuple(int(o.replace(",", "")) for o in offered)  # shown as 1,000
        assert offered == options[: len(offered)]
        assert all(budget.fits(view.panel_cost(w, steps)) for w in offered)
        if len(offered) < len(options):
            assert not budget.fits(view.panel_cost(options[len(offered)], steps))
    wide = tuple(int(o.replace(",", "")) for o in at.select_slider(key=K + "width_wide").options)
    assert 10_000 <= wide[-1] < 100_000 if steps == 1000 else wide[-1] < 10_000


def test_every_width_control_at_its_largest_offered_value_draws_every_section():
    probe = run(steps="1000")
    top = {k: probe.select_slider(key=K + k).options[-1].replace(",", "")
           for k in ("width_wide", "width_narrow", "width_knob")}
    at = run(steps="1000", sweep="1", asweep="1", **top)
    assert not at.error and not at.exception
    assert {k: param(at, k) for k in top} == top
    figure(at, f"Wide net, m = {int(top['width_wide']):,}")
    figure(at, f"Narrow net, m = {int(top['width_narrow']):,}")
    figure(at, "Relative NTK change after 1,000 steps")
    figure(at, f"m = {int(top['width_knob']):,}, α = 1")
    # the α sweep at the widest knob either runs or offers the longer run with its estimate
    titles = [f["layout"]["title"]["text"] for f in plotly_figures(at)]
    assert any(t.startswith("NTK change vs output scale α") for t in titles) or any(
        b.label.startswith("Run the full version") for b in at.button)
    assert len(fits_titles(at)) == 2


@pytest.mark.parametrize("wide", ["50000", "100000"])
def test_a_link_to_an_unaffordable_width_degrades_and_says_so(wide):
    """Widths the budget refuses (the old page blanked everything below the sliders) are
    brought down to the widest affordable one, with a note; every other section is drawn."""
    at = run(width_wide=wide, sweep="1", steps="1000")
    assert not at.error
    shown = int(at.select_slider(key=K + "width_wide").value)
    assert shown < int(wide) and budget.fits(view.panel_cost(shown, 1000))
    assert param(at, "width_wide") == str(shown)
    note = next(i.value for i in at.info if i.value.startswith(f"Width {int(wide):,}"))
    assert f"showing width {shown:,}" in note and f"{cost.time_budget_s():g} s" in note
    figure(at, "Narrow net, m = 10")
    figure(at, "Relative NTK change after 1,000 steps")
    figure(at, "m = 500, α = 1")


def test_more_steps_bring_an_over_budget_width_down_with_a_note():
    assert budget.fits(view.panel_cost(20_000, 1000), cost.DEFAULT_TIME_BUDGET_S)  # the app's 5 s
    at = run(width_wide="20000", steps="1000")  # the suite's budget may bring it down already
    widest = at.select_slider(key=K + "width_wide").value
    assert budget.fits(view.panel_cost(widest, 1000))
    at.select_slider(key=K + "steps").set_value(5000).run()
    assert not at.exception and not at.error
    shown = at.select_slider(key=K + "width_wide").value
    assert shown < widest and budget.fits(view.panel_cost(shown, 5000))
    assert any(i.value.startswith(f"Width {widest:,} would need") for i in at.info)


def test_large_step_size_warns_instead_of_plotting_infinity():
    at = run(lr="0.05")
    assert any("2/λ_max" in w.value for w in at.warning)
    for fig in (figure(at, "Wide net"), figure(at, "Narrow net")):
        for tr in fig["data"]:
            y = trace_array(tr, "y").astype(float)
            assert not np.isinf(y).any()
            assert (np.abs(y[np.isfinite(y)]) < 1e15).all()  # a diverged curve becomes a gap


# --------------------------------------------------------------------------- sweeps


def test_sweeps_width_slope_and_alpha_curve():
    at = run(sweep="1", asweep="1", steps="200")
    assert not at.error
    sweep = figure(at, "Relative NTK change after 200 steps")
    change = curve(sweep, "NTK param. (mean of seeds)")
    assert change[0] > 5 * change[-1]  # falls with width in the NTK parameterization
    assert np.nanmin(curve(sweep, "mean-field")) > 0.3  # stays O(1) in mean-field
    slope = float(metric(at, "NTK slope, widths ≥ 100").split("±")[0])
    assert -1.0 < slope < -0.3
    alpha = figure(at, "NTK change vs output scale α")
    a_change = curve(alpha, "NTK change (NTK param.)")
    assert a_change[0] > 10 * a_change[-1]  # small α rich, large α lazy
    text = " ".join(md.value for md in at.markdown)
    assert "at least like $m^{-1/2}$" in text  # stated as a bound, not as the law
