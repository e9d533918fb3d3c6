"""Checks of the Real data page: every bundled set renders with its accuracies, a width step
changes the main chart, the tiles are the engine's and scikit-learn's numbers, the upload
handling (a function of bytes) with good and bad files, an unusable upload in the session is
explained in the data section while the page draws the fallback, URL state, the sections, the
widest offered width, and a real-browser upload (e2e)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import plotly_figures, trace_array
from streamlit.testing.v1 import AppTest

from ntk_app import datasets as data
from ntk_app import registry
from ntk_app.views import real_data as view

APP = "../app.py"
PAGE = registry.page("real_data").path
K = "real:"  # the page's session-state namespace
NET_MEAN = "nets of width {}, mean"


def run(session: dict | None = None, **params: str) -> AppTest:
    """The page run as part of the app, with URL parameters and session entries."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.switch_page(PAGE)
    for name, value in params.items():
        at.query_params[name] = value
    for name, value in (session or {}).items():
        at.session_state[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label.startswith(label)]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def main_figure(at: AppTest) -> dict:
    for fig in plotly_figures(at):
        if fig["layout"].get("title", {}).get("text", "").startswith("Test accuracy on "):
            return fig
    raise AssertionError("no main figure")


def trace(fig: dict, name: str) -> np.ndarray:
    for tr in fig["data"]:
        if tr.get("name") == name:
            return trace_array(tr, "y").astype(float)
    raise AssertionError(f"no trace {name!r}: {[t.get('name') for t in fig['data']]}")


def pct_value(text: str) -> float:
    return float(text.rstrip(" %")) / 100


def csv_bytes(rows: list[list[object]], header: list[str]) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def good_csv(n: int = 60, seed: int = 0) -> bytes:
    """Two separated Gaussian blobs in 3 features, labels "a"/"b" in column "kind"."""
    rng = np.random.default_rng(seed)
    lab = np.arange(n) % 2
    x = rng.normal(size=(n, 3)) + 3.0 * lab[:, None]
    return csv_bytes([[*map(float, xi), "ab"[c]] for xi, c in zip(x, lab, strict=True)],
                     ["f1", "f2", "f3", "kind"])


# --------------------------------------------------------------------------- bundled sets


@pytest.mark.parametrize("name", list(data.BUNDLED))
def test_each_bundled_set_renders_with_accuracies(name):
    at = run(data=name, n_train="50", width="50")
    assert not at.error
    for label in ("NTK-GD, t = ∞: accuracy", "NNGP, t = ∞: accuracy", "Nets, width 50",
                  "RBF SVM baseline: accuracy"):
        acc = pct_value(metric(at, label))
        k = data.load_bundled(name).n_classes
        assert 1.0 / k < acc <= 1.0  # better than chance on every bundled set
    fig = main_figure(at)
    assert data.BUNDLED[name] in fig["layout"]["title"]["text"]
    assert np.isfinite(trace(fig, NET_MEAN.format(50))).all()


def test_tiles_are_the_engine_and_scikit_learn_numbers():
    """Tiles against an independent recomputation: the split, the kernels at t = ∞ by the
    engine on the same split, and an SVC fitted here."""
    from sklearn.svm import SVC

    from ntk_core import MLP
    from ntk_core import realdata as rd

    at = run(data="wine", n_train="100", width="50", scaling="standardize")
    ds = data.load_bundled("wine")
    tr, te = data.split(ds, 100, seed=0, n_test=view.N_TEST)
    a, b = data.preprocess(ds.x[tr], ds.x[te], "standardize")
    y = data.targets(ds.labels[tr], 3)
    kp = rd.kernel_paths(a, y, b, ds.labels[te], MLP(1, 1, "relu", weight_std=1.4,
                                                     bias_std=0.1), ts=[math.inf])
    svc = float(np.mean(SVC(kernel="rbf").fit(a, ds.labels[tr]).predict(b) == ds.labels[te]))
    # tiles show 3 significant digits: 58 test rows, so one row is 1.7 %, far above rounding
    assert pct_value(metric(at, "NTK-GD, t = ∞: accuracy")) == pytest.approx(
        kp.accuracy["ntk"][0], abs=5e-4)
    assert pct_value(metric(at, "NNGP, t = ∞: accuracy")) == pytest.approx(
        kp.accuracy["nngp"][0], abs=5e-4)
    assert float(metric(at, "NTK-GD, t = ∞: MSE")) == pytest.approx(kp.mse["ntk"][0],
                                                                    rel=5e-3)
    assert pct_value(metric(at, "RBF SVM baseline: accuracy")) == pytest.approx(svc, abs=5e-4)
    base = trace(main_figure(at), "RBF SVM baseline")
    np.testing.assert_allclose(base, svc)


def test_width_change_changes_the_main_chart():
    at = run(n_train="100", width="50")
    before = trace(main_figure(at), NET_MEAN.format(50))
    at.select_slider(key=K + "width").set_value(100).run()
    assert not at.exception
    after = trace(main_figure(at), NET_MEAN.format(100))
    assert before.shape == after.shape and not np.allclose(before, after)
    assert at.query_params["width"] in ("100", ["100"])
    assert metric(at, "Nets, width 100")


def test_widest_offered_width_draws_every_section(monkeypatch):
    monkeypatch.delenv("NTK_TIME_BUDGET_S")  # the app's 5 s: iris, 20 rows, the whole menu fits
    at = run(data="iris", n_train="20")
    assert at.select_slider(key=K + "width").options[-1] == "10,000"
    monkeypatch.setenv("NTK_TIME_BUDGET_S", "2")  # the suite's: the widest it offers, computed
    at = run(data="iris", n_train="20", agree="1", curves="1", heat="1", reg="1")
    widest = int(at.select_slider(key=K + "width").options[-1].replace(",", ""))
    at.select_slider(key=K + "width").set_value(widest).run()
    assert not at.exception and not at.error
    assert metric(at, f"Nets, width {widest:,}")
    keys = {"main_fig", "agree_fig", "curves_fig", "heat_fig", "reg_fig"}
    # a section over the shared budget waits behind its button (none does at the app's 5 s)
    for _ in keys:
        waiting = [b for b in at.button if b.label.startswith("Compute it now")]
        if not waiting:
            break
        waiting[0].click().run()
        assert not at.exception and not at.error
    assert len(plotly_figures(at)) >= len(keys)


def test_a_link_with_every_setting_at_its_maximum_is_brought_within_the_budget():
    """Every sidebar value at its maximum and every section on: steps and seeds come down to
    what the smallest width affords (said in a note), and the sections share one budget, so
    those that do not fit wait behind a button that computes them when clicked."""
    at = run(data="digits", n_train="1200", depth="3", steps="3000", seeds="5", width="10000",
             agree="1", curves="1", heat="1", reg="1")
    assert not at.error
    steps = int(at.select_slider(key=K + "steps").value)
    seeds = int(at.select_slider(key=K + "seeds").value)
    assert steps < 3000 and seeds < 5
    notes = " ".join(c.value for c in at.caption)
    assert "steps = 3,000" in notes and "seeds = 5" in notes, notes
    assert main_figure(at)
    waiting = [b for b in at.button if b.label.startswith("Compute it now")]
    assert waiting, "every section computed at once: the shared budget did not apply"
    drawn = len(plotly_figures(at))
    waiting[0].click().run()
    assert not at.exception and not at.error
    assert len(plotly_figures(at)) > drawn  # the clicked section drew its chart(s)
    assert len([b for b in at.button if b.label.startswith("Compute it now")]) == len(waiting) - 1


# --------------------------------------------------------------------------- uploads


def test_read_upload_accepts_a_good_file_and_its_label_choice():
    up = view.read_upload(good_csv())
    assert up.error == "" and up.dataset is not None
    assert up.columns == ("f1", "f2", "f3", "kind")
    assert up.dataset.x.shape == (60, 3) and up.dataset.class_names == ("a", "b")
    other = view.read_upload(good_csv(), "f1")  # then "kind" would be a feature
    assert other.dataset is None and "'kind'" in other.error and "numeric" in other.error
    first = csv_bytes([[i % 2, 0.5 * i] for i in range(30)], ["g", "f1"])
    assert "30 classes" in view.read_upload(first).error  # the default label: the last column
    chosen = view.read_upload(first, "g")
    assert chosen.dataset is not None and chosen.dataset.feature_names == ("f1",)
    assert view.read_upload(good_csv(), "no such column").dataset is not None  # → last


@pytest.mark.parametrize("raw, words", [
    (b"just one column\n1\n2\n", "at least two columns"),
    (csv_bytes([[1, "x", "a"], [2, "y", "b"], [3, "z", "a"], [4, "w", "b"]],
               ["f1", "f2", "kind"]), "not finite numbers"),
    (csv_bytes([[1, "nan", "a"], [2, 3, "b"], [3, 4, "a"], [4, 5, "b"]],
               ["f1", "f2", "kind"]), "not finite numbers"),
    (csv_bytes([[1, 2, "a"], [2, 3, "a"], [3, 4, "a"]], ["f1", "f2", "kind"]), "single class"),
    (b"f1,kind\n" + b"1," * (data.MAX_CSV_BYTES // 2) + b"a\n", "larger than"),
    (b"\xff\xfe\x00binary", "UTF-8"),
])
def test_read_upload_explains_bad_files(raw, words):
    up = view.read_upload(raw)
    assert up.dataset is None
    assert words in up.error and up.error.startswith(("This file cannot be used", "The file"))


def test_an_unusable_upload_is_explained_and_the_page_still_draws():
    bad = csv_bytes([[1, 2, "a"], [2, 3, "a"], [3, 4, "a"]], ["f1", "f2", "kind"])
    at = run(session={view.UPLOAD_BYTES: bad}, data="csv", n_train="50", width="50")
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "single class" in errors[0]
    assert not at.main.error  # the main area is not blamed
    assert "Digits" in main_figure(at)["layout"]["title"]["text"]
    assert pct_value(metric(at, "NTK-GD, t = ∞: accuracy")) > 0.5
    assert "data" in at.query_params  # the file is not in the URL, the choice is


def test_a_good_upload_is_used_with_its_label_column():
    at = run(session={view.UPLOAD_BYTES: good_csv(80)}, data="csv", width="50")
    assert not at.error
    assert "your file (80 rows, 3 features, 2 classes)" in main_figure(at)["layout"]["title"][
        "text"]
    assert at.selectbox(key=view.LABEL_KEY).value == "kind"
    assert pct_value(metric(at, "NTK-GD, t = ∞: accuracy")) > 0.9  # blobs 3σ apart


# --------------------------------------------------------------------------- URL and sections


def test_url_state_round_trip_and_bad_values():
    at = run(data="nonsense", n_train="99999", width="7", diag_reg="0.5")
    warnings = " ".join(w.value for w in at.warning)
    assert "nonsense" in warnings and "diag_reg" in warnings
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert params["data"] == "digits" and params["width"] == "10"
    assert int(params["n_train"]) <= view.n_train_cap(data.load_bundled("digits"))
    assert set(params) == {s.name for s in view.SETTINGS}


def test_explanations_link_the_papers_and_typeset_the_formulas():
    at = run(n_train="50", width="50")
    text = " ".join(md.value for md in at.markdown)
    for arxiv in ("1910.01663", "2007.15801", "1902.06720"):
        assert f"https://arxiv.org/abs/{arxiv}" in text
    assert len(at.latex) >= 2 and "twin" in text and "RBF" in text


def test_digit_neighbours_are_ordered_by_the_kernel():
    at = run(n_train="100", width="50", heat="1", digit="3")
    figs = plotly_figures(at)
    digits = [f for f in figs if len(f["data"]) == 2 * (1 + 5)]
    assert len(digits) == 1
    titles = [a["text"] for a in digits[0]["layout"]["annotations"] if "Θ=" in a["text"]]
    theta = [float(t.split("Θ=")[1]) for t in titles]
    assert len(theta) == 10 and min(theta[:5]) >= max(theta[5:])
    img = trace_array(digits[0]["data"][0], "z")
    assert img.shape == (8, 8)


@pytest.mark.e2e
def test_browser_upload_good_and_bad_csv(page, tmp_path):
    """Real Chromium: choose "Your CSV", upload a good file (its size shows in the chart
    title), then a bad one in its place (the message shows, the page draws digits)."""
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(good_csv(60))
    bad.write_bytes(b"f1,f2,kind\n1,x,a\n2,y,b\n3,z,a\n4,w,b\n")
    page.goto("/Real_data?data=csv&n_train=20&width=10&seeds=1")
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    dropzone.wait_for(state="attached", timeout=120_000)
    dropzone.set_input_files(str(good))
    page.get_by_text("your file (60 rows, 3 features, 2 classes)").first.wait_for(
        timeout=120_000)
    dropzone.set_input_files(str(bad))  # a single-file uploader replaces its file
    page.get_by_text("not finite numbers").first.wait_for(timeout=120_000)
    page.get_by_text("Test accuracy on Digits").first.wait_for(timeout=120_000)
