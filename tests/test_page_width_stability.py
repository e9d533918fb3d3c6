"""AppTest checks of the Width stability page (pages/1_Width_stability.py and its sections in
ntk_app/views/width_stability.py).

The page runs as Streamlit serves it: ``app.py`` is the entry point and the test switches to the
page, so the sidebar's ``st.page_link`` entries resolve as on a server. Numbers on screen are
checked against computations written out here (relative Frobenius norms of the drawn matrices,
a log-log fit over the frames, the engine's kernels for the same settings).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from helpers import decode_plotly_tree, trace_array
from streamlit.testing.v1 import AppTest

from ntk_core import MLP, make_inputs
from ntk_core import experiments as ex

APP = "../app.py"
PAGE = "pages/1_Width_stability.py"
K = "width_stability:"  # PageState namespace of the page's widget keys
ALL_WIDTHS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]
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
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u23f1\u26a0]")


def run(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures_by_key(at: AppTest) -> dict[str, dict]:
    return {el.key: decode_plotly_tree(json.loads(el.proto.spec)) for el in at.get("plotly_chart")}


def specs(at: AppTest) -> dict[str, str]:
    return {el.key: el.proto.spec for el in at.get("plotly_chart")}


def z(trace: dict) -> np.ndarray:
    return trace_array(trace, "z").astype(np.float64)


def trace(fig: dict, name_start: str) -> dict:
    return next(t for t in fig["data"] if str(t.get("name", "")).startswith(name_start))


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def frob_ratio(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt((a**2).sum()) / np.sqrt((b**2).sum()))


def title_numbers(text: str) -> tuple[float, float]:
    """(variation, distance) from a frame title "width …: variation A vs B v, distance … d"."""
    v, d = re.findall(r"(\d+\.\d+)", text)[-2:]
    return float(v), float(d)


@pytest.fixture(scope="module")
def default_run() -> AppTest:
    return run()


def test_defaults_render(default_run):
    at = default_run
    assert not at.error and not at.warning
    figs = figures_by_key(at)
    assert set(figs) == {"heat", "sweep", "slices"}
    heat = figs["heat"]
    a, mid, inf = (z(t) for t in heat["data"])
    assert a.shape == mid.shape == inf.shape == (36, 36)
    # Θ_A and Θ∞ share one colour axis whose range is their joint min … max; A − B is diverging
    lay = heat["layout"]
    assert [t["coloraxis"] for t in heat["data"]] == ["coloraxis", "coloraxis2", "coloraxis"]
    lo, hi = min(a.min(), inf.min()), max(a.max(), inf.max())
    assert lay["coloraxis"]["cmin"] == pytest.approx(lo, rel=1e-6)
    assert lay["coloraxis"]["cmax"] == pytest.approx(hi, rel=1e-6)
    assert lay["coloraxis2"]["cmin"] == -lay["coloraxis2"]["cmax"]
    assert lay["coloraxis2"]["cmax"] == pytest.approx(np.abs(mid).max(), rel=1e-6)
    # width 50: A and B visibly differ; the metric is ‖A − B‖_F/‖A‖_F of the drawn matrices
    variation = float(metric(at, "Variation A vs B"))
    assert 0.1 < variation < 0.6
    assert variation == pytest.approx(frob_ratio(mid, a), abs=1e-3)
    assert float(metric(at, "Distance to Θ∞")) == pytest.approx(frob_ratio(a - inf, inf), abs=1e-3)
    slope = float(metric(at, "Fitted slope of the variation").split("±")[0])
    assert -0.65 < slope < -0.35
    sweep_x = trace_array(trace(figs["sweep"], "‖Θ_A − Θ_B‖"), "x")
    assert sweep_x.min() == 10 and sweep_x.max() == 10_000
    slice_names = {t["name"] for t in figs["slices"]["data"]}
    assert slice_names == {"width 10", "width 100", "width 1,000", "width 10,000", "Θ∞ (analytic)"}
    width = at.select_slider(key=K + "width")
    assert width.value == 50 and width.label == "Width"
    assert list(width.options) == [f"{w:,}" for w in ALL_WIDTHS]
    assert dict(at.query_params) == DEFAULT_PARAMS
    labels = {b.label for b in at.get("download_button")}
    assert {"The three kernels (NPZ)", "Sweep (CSV)", "Slices (CSV)"} <= labels
    assert at.latex


def test_heatmaps_match_the_engine(default_run):
    """The drawn Θ_A, A − B and Θ∞ are the engine's kernels at the same settings (float32)."""
    heat = figures_by_key(default_run)["heat"]
    x = make_inputs("circle", 36)
    kp = ex.kernel_pair(x, MLP(1, 50, "relu", 1.41, 0.5), seed=0)
    a, mid, inf = (z(t) for t in heat["data"])
    np.testing.assert_allclose(a, kp.theta_a, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(mid, kp.theta_a - kp.theta_b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(inf, kp.analytic, rtol=1e-6, atol=1e-6)


def test_frames_carry_every_width_for_the_browser_slider(default_run):
    """Depth 1: one frame per width on the menu, the figure's slider on the Streamlit width, and
    each frame's title numbers are the Frobenius ratios of that frame's matrices. Across the
    frames the variation falls like width^(−1/2) (a 4-decade fit; −1 is far outside)."""
    heat = figures_by_key(default_run)["heat"]
    frames = heat["frames"]
    assert [f["name"] for f in frames] == [str(w) for w in ALL_WIDTHS]
    slider = heat["layout"]["sliders"][0]
    assert slider["active"] == ALL_WIDTHS.index(50)
    assert [s["args"][0] for s in slider["steps"]] == [[str(w)] for w in ALL_WIDTHS]
    a0 = z(heat["data"][0])
    np.testing.assert_array_equal(a0, z(frames[ALL_WIDTHS.index(50)]["data"][0]))
    inf = z(heat["data"][2])
    variations = []
    for f in frames:
        assert f["traces"] == [0, 1]
        a, mid = (z(t) for t in f["data"])
        v, d = title_numbers(f["layout"]["title"]["text"])
        assert v == pytest.approx(frob_ratio(mid, a), abs=1.5e-3)
        assert d == pytest.approx(frob_ratio(a - inf, inf), abs=1.5e-3)
        assert f["layout"]["coloraxis"]["cmin"] == pytest.approx(min(a.min(), inf.min()), rel=1e-6)
        assert f["layout"]["coloraxis2"]["cmax"] == pytest.approx(np.abs(mid).max(), rel=1e-6)
        variations.append(frob_ratio(mid, a))
    slope = np.polyfit(np.log(ALL_WIDTHS), np.log(variations), 1)[0]
    assert -0.65 < slope < -0.35, slope


def test_width_control_moves_the_active_frame_only():
    at = run()
    before = figures_by_key(at)
    spec_before = specs(at)
    at.select_slider(key=K + "width").set_value(2000).run()
    assert not at.exception
    after = figures_by_key(at)
    assert after["heat"]["layout"]["sliders"][0]["active"] == ALL_WIDTHS.index(2000)
    assert json.dumps(after["heat"]["frames"], default=str) == json.dumps(
        before["heat"]["frames"], default=str)  # the same frames: nothing recomputed
    np.testing.assert_array_equal(z(after["heat"]["data"][0]),
                                  z(after["heat"]["frames"][ALL_WIDTHS.index(2000)]["data"][0]))
    np.testing.assert_array_equal(z(before["heat"]["data"][2]), z(after["heat"]["data"][2]))
    assert float(metric(at, "Variation A vs B")) < 0.1  # wide: the two inits agree
    # the sweep and the slices do not depend on the width: the same figures, not redrawn
    assert specs(at)["sweep"] == spec_before["sweep"]
    assert specs(at)["slices"] == spec_before["slices"]
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
    heat = figures_by_key(at)["heat"]
    assert z(heat["data"][0]).shape == (33, 33)  # the grid
    # init B is drawn on the shared colour axis of A and Θ∞
    assert [t["coloraxis"] for t in heat["data"]] == ["coloraxis"] * 3
    assert "coloraxis2" not in heat["layout"]
    # depth 2: the whole menu does not fit the frames budget, so one width, no browser slider
    assert "frames" not in heat and "sliders" not in heat["layout"]
    x = make_inputs("grid", 33)
    kp = ex.kernel_pair(x, MLP(2, 200, "erf", 1.2, 0.3), seed=7)
    np.testing.assert_allclose(z(heat["data"][1]), kp.theta_b, rtol=1e-6, atol=1e-6)


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
    before = z(figures_by_key(at)["heat"]["data"][0])
    at.button(key=K + "reinit").click().run()
    assert not at.exception
    assert at.query_params["seed"] != "0"
    assert not np.allclose(before, z(figures_by_key(at)["heat"]["data"][0]))


def test_width_beyond_the_budget_is_capped_and_said():
    """A link asking for width 100,000 at depth 4 (10¹⁰ weights per layer): the control offers
    only what fits, the page shows the widest of those and says so; nothing is refused."""
    at = run({"width": "100000", "depth": "4"})
    assert not at.error
    width = at.select_slider(key=K + "width")
    widest = int(width.options[-1].replace(",", ""))
    assert widest < 100_000 and width.value == widest
    assert any("100,000" in i.value and f"{widest:,}" in i.value for i in at.info)
    assert set(figures_by_key(at)) == {"heat", "sweep", "slices"}
    assert at.query_params["width"] == str(widest)


@pytest.mark.parametrize("depth", [1, 4])
def test_every_width_control_at_its_maximum(depth):
    """Every width control at its largest offered value, with the most pairs: no error, and
    every section still drawn (the sweep may stop early and say so)."""
    at = run({"depth": str(depth)})
    for key in ("width", "sweep_max"):
        control = at.select_slider(key=K + key)
        control.set_value(int(control.options[-1].replace(",", "")))
    at.slider(key=K + "seeds").set_value(10)
    at.run()
    assert not at.exception and not at.error
    assert set(figures_by_key(at)) == {"heat", "sweep", "slices"}
    assert len(at.metric) >= 7  # three for the pair, four for the sweep
    assert at.table


def test_widest_shallow_net_works():
    at = run({"width": "100000", "depth": "1"})
    assert not at.error
    assert float(metric(at, "Variation A vs B")) < 0.05
    assert float(metric(at, "Distance to Θ∞")) < 0.05


def test_slices_are_rows_of_init_a(default_run):
    """Each slice is the x₀ row of init A's NTK at that width (the heatmap's Θ_A), computed by
    the engine's separate one-row path; the analytic slice is the row of Θ∞."""
    fig = figures_by_key(default_run)["slices"]
    x = make_inputs("circle", 36)
    order = np.argsort(np.degrees(np.arctan2(x[:, 1], x[:, 0])) % 360.0)
    for w in (10, 1000):
        kp = ex.kernel_pair(x, MLP(1, w, "relu", 1.41, 0.5), seed=0)
        np.testing.assert_allclose(trace_array(trace(fig, f"width {w:,}"), "y"),
                                   kp.theta_a[0][order], rtol=1e-9, atol=1e-12)
    inf = trace_array(trace(fig, "Θ∞"), "y")
    np.testing.assert_allclose(inf, kp.analytic[0][order], rtol=1e-9, atol=1e-12)


def test_an_error_stays_in_its_section(monkeypatch):
    """A failing sweep shows an error box in the sweep section; the kernels and the slices are
    still drawn."""
    import ntk_app.views.width_stability as view

    def broken(*args, **kwargs):
        raise RuntimeError("sweep exploded")

    monkeypatch.setattr(view, "width_sweep", broken)
    at = run({"seed": "3"})
    assert [e.value for e in at.error] and "sweep exploded" in at.error[0].value
    assert set(figures_by_key(at)) == {"heat", "slices"}


def test_no_emoji_and_papers_linked(default_run):
    at = default_run
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    texts += [i.value for i in at.info] + [s.value for s in at.subheader]
    assert not [t for t in texts if EMOJI.search(t)]
    joined = " ".join(texts)
    assert "arxiv.org/abs/1806.07572" in joined and "arxiv.org/abs/1902.06720" in joined
    assert "Neural Tangent Kernels from Scratch" in joined
    # it cites papers and the article, never a document file or a path outside the repository
    assert not re.search(r"\b[A-Z_]+\.md\b|\.\./", joined)


def test_without_frames_the_neighbouring_widths_are_prefetched(monkeypatch):
    """Depth 2 (the whole menu is over the frames budget): after drawing, the page queues the
    kernels of the widths on either side of the current one; at depth 1 (frames) it queues
    nothing, every width is already in the figure."""
    import ntk_app.views.width_stability as view

    queued: list[tuple] = []
    monkeypatch.setattr(view.prefetch, "prefetch",
                        lambda fn, calls: queued.extend((fn, *c) for c in calls) or 0)
    at = run({"depth": "2", "width": "200"})
    assert not at.error
    assert sorted(w for _, _, w in queued) == [100, 500]
    assert all(fn is view.kernel_pair and setup.depth == 2 for fn, setup, _ in queued)
    queued.clear()
    run({"depth": "1", "width": "200"})
    assert queued == []
