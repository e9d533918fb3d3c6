"""ntk_core.claims, ntk_core.reproduce and the ``python -m ntk_core`` command line.

Every claim is measured now: stochastic measurements move with the seed, verdicts do not, and
the verdicts worked out for the article's listings (see ntk_core._article) come out as expected.
"""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ntk_app.registry import page
from ntk_core.claims import VIEWS, Claim, evaluate_claims
from ntk_core.reproduce import article_experiments

REPO = Path(__file__).resolve().parents[1]

# Verdicts expected from the article's code (ntk_core._article) and the papers' reference values.
KNOWN = {
    "L1-rbf": False,  # rank 2, NTK[0,10] = 0 by sign, not distance
    "L2-table": True,  # each printed value lies within the range of single init pairs
    "L2-law": True,  # the 1/sqrt(width) trend is real
    "L3-match": True,  # vacuously: nothing trains, so net and prediction agree
    "L3-train": False,  # bias-free 1-D net cannot fit a sine
    "L3-lambda": False,  # lambda_min = 0 at every width
    "L3-correct": True,  # with sigma_b = 1 it converges
    "zero-loss": False,  # only where lambda_min > 0: the bias-free net stalls at its floor
    "loss-bound": True,  # L(t) <= L(0) exp(-2 eta lambda_min t) along both runs
    "wider-faster": False,  # the rate saturates at eta lambda_min(Theta_inf)
    "L4-table": False,  # every width comes out lazy with lr = 0.5/width
    "L4-fixed-rate": True,  # fixed lr, NTK param., ReLU: within the O(width^-1/2) bound, ~ -1/2
    "mean-field": True,  # O(1) kernel change at every width
    "L5-ratio": False,  # 2.660 / 2.405 / 2.148 decreases
    "L5-locality": False,  # floor rises 0 -> 0.24 -> 0.30
    "article-analytic": False,  # 23 % off on the unit circle
    "ntk-converges": True,
    "jacot-fig1": True,
    "nt-linearization": True,
    "spectral-bias": True,
    "cookbook-interpolates": True,  # mean = y, variance 0 on the training points at t = inf
    "cookbook-gd-vs-bayes": True,  # similar, not identical
    "ntk-not-posterior": True,  # Sigma_NTK - Sigma_NNGP = (A - B) K (A - B)^T is PSD, not 0
    "prior-to-posterior": True,  # t = 0 is the prior; the distance to t = inf falls to ~0
}


@pytest.fixture(scope="module")
def claims0() -> list[Claim]:
    return evaluate_claims(0)


@pytest.fixture(scope="module")
def claims1() -> list[Claim]:
    return evaluate_claims(1)


def by_id(claims):
    return {c.id: c for c in claims}


def test_claims_are_well_formed(claims0):
    ids = [c.id for c in claims0]
    assert len(ids) == len(set(ids))
    assert set(KNOWN) <= set(ids)
    for c in claims0:
        assert c.claim and c.source and c.claimed and c.reason
        assert "\n" not in c.reason
        assert isinstance(c.holds, bool)
        assert isinstance(c.measured, float | str)
        if isinstance(c.measured, float):
            assert math.isfinite(c.measured)
        assert c.view in VIEWS
        for k, v in c.settings.items():
            assert isinstance(k, str) and isinstance(v, str | int | float), (c.id, k)
            assert not isinstance(v, bool), (c.id, k)  # a switch is 1 or 0, as in the URL
        d = c.to_dict()
        json.dumps(d)  # serialisable
        assert "url" not in d  # the engine names a view; the app builds links


def test_known_verdicts(claims0):
    got = {c.id: c.holds for c in claims0}
    assert {k: got[k] for k in KNOWN} == KNOWN
    assert set(got) == set(KNOWN)  # every row without the rates has its expected verdict


def test_no_claim_credits_the_rate_to_jacot_or_names_one_law(claims0):
    """Jacot et al. prove convergence; the 1/sqrt(m) rate of the spread is a CLT. The change
    during training has the bound O(m^-1/2), stated as a bound."""
    for c in claims0:
        if "Jacot" in c.source and ("√" in c.claimed or "1/2" in c.claimed):
            assert "central limit" in c.source, c.id
    fixed = by_id(claims0)["L4-fixed-rate"]
    assert "bound" in fixed.claim and "change-rate-erf" in fixed.reason


def test_seed_moves_numbers_not_verdicts(claims0, claims1):
    a, b = by_id(claims0), by_id(claims1)
    assert a.keys() == b.keys()
    for cid, c in a.items():
        assert c.holds == b[cid].holds, cid
        if c.stochastic:
            assert c.measured != b[cid].measured, cid
        else:
            assert c.measured == b[cid].measured, cid
        if "seed" in c.settings:
            assert c.settings["seed"] == 0 or not c.stochastic
    assert b["L2-law"].settings["seed"] == 1


def test_measured_values_match_the_reference_values(claims0):
    c = by_id(claims0)
    table = c["L2-table"].details
    # the listing's net on its 15 points, median over pairs: about 0.62 / 0.33 / 0.18 / 0.083
    assert table["points"] == 15
    assert 0.5 < table["median"][0] < 0.8 and 0.06 < table["median"][3] < 0.11
    for key in ("min", "q25", "median", "q75", "max"):
        assert len(table[key]) == 4
    assert all(a <= b <= m <= d <= e for a, b, m, d, e in zip(
        table["min"], table["q25"], table["median"], table["q75"], table["max"], strict=True))
    assert -0.6 <= c["L2-law"].measured <= -0.4
    assert "Jacot" not in c["L2-law"].source  # the rate is a CLT; Jacot proves convergence
    assert "Jacot" not in c["ntk-converges"].source.split(";")[1]
    l4 = c["L4-table"].details
    assert max(l4["ntk_change"]) < 0.0412  # all LAZY
    assert l4["reachable_fraction"] == pytest.approx(0.016, abs=0.001)  # 1.6 % reachable
    assert max(l4["fixed_lr_change"]) < 0.1  # lazy at a fixed stable step too
    assert c["L4-table"].reason.startswith("First, no bias")
    l3 = c["L3-train"].details
    assert l3["final_loss"][-1] >= l3["floor"] - 1e-9
    assert c["L3-match"].details["gap"] <= 0.01
    assert c["L1-rbf"].details["circle_bias_free_rank"] == 12  # the circle alone stays singular
    zero = c["zero-loss"].details
    assert max(zero["final_loss_bias"]) < 0.01 * zero["half_y2"]
    assert zero["final_loss_no_bias"] >= zero["floor"] - 1e-9
    assert zero["final_loss_no_bias"] <= 1.01 * zero["floor"]  # stalls at the bias-free floor
    bound = c["loss-bound"].details
    assert 0 < bound["worst_ratio_linearized"] <= 1 and 0 < bound["worst_ratio_real"] <= 1
    assert bound["eta_lam_max"] <= 1  # the linearized bound is exact in this regime
    fast = c["wider-faster"].details
    rates = fast["rate"]
    assert rates == sorted(rates)  # faster with width …
    assert rates[-1] <= fast["rate_infinite"] * 1.02  # … up to eta lambda_min(Theta_inf)
    assert rates[-1] >= fast["rate_infinite"] * 0.95
    assert "Regression check" in c["jacot-fig1"].claim and "regression" in c["jacot-fig1"].source
    assert c["nt-linearization"].details["width"] == 512
    assert max(abs(v) for v in c["L3-lambda"].details["lam_min_over_max"]) < 1e-10
    assert c["L5-ratio"].details["ratio"] == pytest.approx([2.660, 2.405, 2.148], abs=5e-4)
    assert c["L5-locality"].details["floor"] == pytest.approx([0.0, 0.24, 0.30], abs=0.01)
    assert c["L5-locality"].details["floor_depth_1000"] == pytest.approx(0.25, abs=0.01)
    assert "ever more constant" not in c["L5-locality"].reason
    lim = c["article-analytic"].details
    assert lim["exact_gap"] == pytest.approx(0.234, abs=0.002)
    assert lim["circle_vs_analytic"] == pytest.approx(0.234, abs=0.03)
    assert lim["grid_vs_analytic"] < 0.05 and lim["circle_vs_limit"] < 0.05
    jac = c["jacot-fig1"].details["values"]
    assert jac == pytest.approx([0.2825, 0.1700, 0.0927, 0.0660, 0.0644], abs=5e-4)
    assert 0.0 < c["nt-linearization"].measured <= 0.1
    assert c["spectral-bias"].details["spearman"] <= -0.7
    assert min(c["mean-field"].details["change_mean"]) > 0.5


def _page_query_parameters(view: str) -> set[str]:
    """The query parameters a page writes into its URL on its first run (AppTest, entered from
    app.py so that the sidebar's page links resolve)."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    at.switch_page(page(view).path).run()
    assert not at.exception, [e.value for e in at.exception]
    return set(at.query_params)


@pytest.mark.parametrize("view", VIEWS)
def test_settings_use_the_pages_query_parameters(claims0, view):
    """A claim's settings are query parameters its view reads, so its link opens that state."""
    wanted = {k for c in claims0 if c.view == view for k in c.settings}
    if not wanted:
        pytest.skip(f"no claim (without the rows on request) links to {view}")
    try:
        page(view)
    except KeyError:
        pytest.skip(f"this build has no page for {view}")
    names = _page_query_parameters(view)
    assert wanted <= names, wanted - names


def test_article_experiments_tables():
    tables = article_experiments(0)
    assert [t.key for t in tables] == ["L1", "L2", "L3", "L4", "L5"]
    for t in tables:
        assert t.rows and all(len(r) == len(t.columns) for r in t.rows)
    l4 = tables[3]
    assert [r[2] for r in l4.rows] == ["RICH", "RICH", "RICH", "LAZY", "LAZY"]  # the article


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ntk_core", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_cli_help():
    out = run_cli("--help")
    assert out.returncode == 0 and "reproduce" in out.stdout
    out = run_cli("reproduce", "--help")
    assert out.returncode == 0 and "--seed" in out.stdout and "--json" in out.stdout


def test_cli_reproduce_text():
    out = run_cli("reproduce", "--seed", "2", "--no-rates")
    assert out.returncode == 0, out.stderr
    for key in ("L1 ·", "L2 ·", "L3 ·", "L4 ·", "L5 ·", "Claims:", "0.5823", "does not hold"):
        assert key in out.stdout
    assert "seed 2" in out.stdout
    # each claim's view and settings: whole name=value words, never split across lines
    blocks = re.findall(r"\n  view:     (.*(?:\n {12}\S.*)*)", out.stdout)
    assert len(blocks) >= len(KNOWN)
    for block in blocks:
        view, *words = block.split()
        assert view in VIEWS
        assert words and all(re.fullmatch(r"\w+=[^=\s]+", w) for w in words), block


def test_cli_wraps_text_at_spaces_only():
    from ntk_core.__main__ import _wrap

    long_word = "Width_stability?inputs=grid&sigma_w=1.41&" + "x" * 120
    lines = _wrap(f"see {long_word} for the view", 40)
    assert long_word in lines and all(len(line) <= 40 for line in lines if line != long_word)
    assert _wrap("xx mean-field", 8) == ["xx", "mean-field"]  # not "xx mean-" / "field"


def test_cli_piped_into_head_exits_quietly():
    """``reproduce | head -3``: the tables are printed as they are computed, so head has its
    lines after the first table and closes the pipe; the CLI must then stop without a
    BrokenPipeError traceback."""
    out = subprocess.run(
        f"'{sys.executable}' -m ntk_core reproduce --no-rates | head -3",
        shell=True,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert out.returncode == 0  # head's status
    assert len(out.stdout.splitlines()) == 3 and out.stdout.startswith("L1 ·")
    assert out.stderr == "", out.stderr


def test_cli_reproduce_json():
    out = run_cli("reproduce", "--json", "--seed", "1", "--no-rates")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["seed"] == 1
    assert len(data["experiments"]) == 5
    got = {c["id"]: c["holds"] for c in data["claims"]}
    assert {k: got[k] for k in KNOWN} == KNOWN
    assert all(c["view"] in VIEWS and isinstance(c["settings"], dict) for c in data["claims"])


def test_cli_rejects_bad_seed():
    out = run_cli("claims", "--seed", "-3")
    assert out.returncode != 0 and "seed" in out.stderr


def test_rate_claims_rows(monkeypatch):
    """The three rate rows: ids, a float slope as ``measured``, the fit's widths and seeds in
    ``details``, a verdict that follows the number (small widths here to keep it quick; the
    laws themselves are pinned in tests/test_motion_rates.py)."""
    from ntk_core import claims_rates

    monkeypatch.setattr(claims_rates, "CLAIM_WIDTHS", (100, 200, 400))
    monkeypatch.setattr(claims_rates, "CLAIM_SEEDS", 2)
    monkeypatch.setattr(claims_rates, "CLAIM_PAIRS", 3)
    seen = []
    rows = claims_rates.rate_claims(0, progress=seen.append)
    assert seen == [0.5, 1.0]
    assert [c.id for c in rows] == ["spread-rate", "change-rate-erf", "change-rate-relu"]
    for c in rows:
        assert isinstance(c.measured, float) and c.view == "kernel_motion"
        assert c.details["widths"] == [100, 200, 400] and c.details["seeds"] in (2, 3)
        assert len(c.details["per_seed_slopes"]) == c.details["seeds"]
    spread, erf, relu = rows
    assert spread.holds == (-0.6 <= spread.measured <= -0.4)
    assert erf.holds == (erf.measured <= -0.75)
    assert relu.holds == (-0.75 <= relu.measured <= -0.35)


# ----------------------------------------------------------------------------- issue 12 rows
def test_cookbook_rows_follow_their_numbers(claims0):
    c = by_id(claims0)
    from ntk_core import _claims_ensembles as ce

    inter = c["cookbook-interpolates"]
    assert inter.details["n_train"] == 5 and inter.view == "infinite_ensembles"
    errs = [v for k in ("nngp", "ntk") for v in inter.details[k].values()]
    assert inter.measured == max(errs)
    assert inter.holds == (inter.measured < ce.INTERPOLATION_TOL)
    gd = c["cookbook-gd-vs-bayes"].details
    assert c["cookbook-gd-vs-bayes"].holds == (
        ce.NOT_IDENTICAL < min(gd["mean_difference"], gd["std_difference"])
        and max(gd["mean_difference"], gd["std_difference"]) < 1)
    post = c["ntk-not-posterior"]
    assert post.measured == post.details["max_excess_over_posterior"] > 0.01
    assert post.details["min_eigenvalue_over_prior"] >= -ce.PSD_TOL
    path = c["prior-to-posterior"].details
    for k in ("nngp", "ntk"):
        assert path[k]["cov_distance"][0] == pytest.approx(1.0)
        assert path[k]["cov_distance"][-1] < ce.PATH_END and path[k]["prior_gap"] < 1e-12
        assert path[k]["ts"][0] == 0.0


def test_ntk_minus_nngp_covariance_is_the_closed_form():
    """Independent check of the row's formula: Σ_NTK − Σ_NNGP = (A − B) K (A − B)ᵀ with
    A = Θ_*X Θ⁻¹, B = K_*X K⁻¹ built here from the analytic kernels by plain solves."""
    import numpy as np

    from ntk_core import _claims_ensembles as ce
    from ntk_core import analytic_kernels, infinite_ensemble

    x, y, xt = ce.cookbook_data()
    ker = analytic_kernels(np.concatenate([x, xt]), **ce.COOKBOOK)
    n = len(x)
    k, th = ker.nngp, ker.ntk
    a = np.linalg.solve(th[:n, :n], th[:n, n:]).T
    b = np.linalg.solve(k[:n, :n], k[:n, n:]).T
    want = (a - b) @ k[:n, :n] @ (a - b).T
    got = [infinite_ensemble(x, y, xt, kernel=kn, **ce.COOKBOOK).cov for kn in ("ntk", "nngp")]
    assert np.allclose(got[0] - got[1], want, atol=1e-9 * np.abs(k).max())
    assert np.linalg.eigvalsh(want).min() >= -1e-12 * np.abs(k).max()


def test_convergence_rows(monkeypatch):
    """The two finite-ensemble rows at small sizes: ids, widths / N / seed in details, and a
    verdict recomputed from the numbers (the laws themselves: tests/test_engine_ensemble.py)."""
    import numpy as np

    from ntk_core import _claims_ensembles as ce

    monkeypatch.setattr(ce, "CONV_WIDTHS", (64, 256, 1024))
    monkeypatch.setattr(ce, "CONV_MEMBERS", 6)
    seen = []
    rows = ce.convergence_claims(3, progress=seen.append)
    assert [c.id for c in rows] == ["ensemble-converges", "readout-nngp-posterior"]
    assert seen[-1] == pytest.approx(1.0) and len(seen) == 2 * 3 * 6
    for c in rows:
        d = c.details
        assert d["widths"] == [64, 256, 1024] and d["n_members"] == 6 and d["seed"] == 3
        assert c.view == "infinite_ensembles" and c.settings["members"] == 6
        twin = d["slopes"]["twin_distance"][0]
        falls = all(s + 2 * se < 0 for s, se in (d["slopes"]["mean_error_coupled"],
                                                  d["slopes"]["var_error_coupled"]))
        ok = ce.SLOPE_RANGE[0] <= twin <= ce.SLOPE_RANGE[1] and falls
        if c.id == "readout-nngp-posterior":
            ok = ok and d["posterior_gap"] < ce.POSTERIOR_GAP
            assert d["posterior_gap"] < 1e-6  # λ_min t = 20: the posterior to e^-20
        else:
            assert c.measured == twin
        assert c.holds == ok
        assert np.all(np.isfinite(d["twin_distance"]))


# ----------------------------------------------------------------------------- issue 13 rows
REAL_IDS = ["lee2020-nngp-vs-ntk", "lee2020-ridge-like-stopping", "lee2020-ensembling",
            "lee2020-large-lr", "lee2020-ntk-vs-standard", "arora2020-small-data"]


@pytest.fixture(scope="module")
def small_real():
    """The real-data rows at small sizes on digits and wine (loaded by the app layer)."""
    from ntk_app import datasets
    from ntk_core import _claims_realdata as cr

    mp = pytest.MonkeyPatch()
    for k, v in dict(N_TRAIN=80, N_TEST=60, WIDTH=64, STEPS=40, SEEDS=2).items():
        mp.setattr(cr, k, v)
    sets = datasets.claim_sets()
    base = datasets.svm_baselines(sets, 1)
    rows = cr.real_data_claims(sets, 1, baselines=base, baseline_name="RBF SVM")
    yield sets, base, rows
    mp.undo()


def test_real_rows_ids_details_and_verdicts(small_real):
    from ntk_core import _claims_realdata as cr

    _, base, rows = small_real
    assert [c.id for c in rows] == REAL_IDS
    c = by_id(rows)
    for row in rows:
        assert row.view == "real_data" and row.settings["data"] == "digits"
        assert row.details["seed"] == 1 and row.details["n_seeds"] == 2
        assert row.details["sets"]["digits"]["n_train"] == 80
        assert row.details["sets"]["wine"] == {"n_train": 80, "n_test": 60,
                                               "lr": row.details["sets"]["wine"]["lr"]}
        json.dumps(row.to_dict())
    d = c["lee2020-nngp-vs-ntk"].details
    wins = sum(v["nngp"]["mse"] <= v["ntk"]["mse"] for v in d["comparisons"].values())
    assert wins == d["nngp_wins"] and d["total"] == 4
    assert c["lee2020-nngp-vs-ntk"].holds == (2 * wins >= 4)
    r = c["lee2020-ridge-like-stopping"]
    assert r.holds == all(abs(r.details[n]["best_ridge"] - r.details[n]["best_time"])
                          <= cr.LIKE_BEST and r.details[n]["mean_abs_difference"] <= cr.LIKE_MEAN
                          for n in ("digits", "wine"))
    e = c["lee2020-ensembling"]
    dist = e.details["distances"]
    assert e.holds == all(v["ensemble"] < v["single"] for v in dist.values())
    assert e.measured == pytest.approx(max(v["ensemble"] / v["single"] for v in dist.values()))
    lr = c["lee2020-large-lr"]
    assert lr.holds == all(p["diverged_beyond"] == 0 and p["accuracy_beyond"]
                           >= p["accuracy_small"] - cr.TRAINS_AS_WELL
                           for p in lr.details["per_set"].values())
    sp = c["lee2020-ntk-vs-standard"]
    assert sp.holds == all(p["difference"] > 2 * p["stderr"]
                           for p in sp.details["per_set"].values())
    ar = c["arora2020-small-data"]
    per = ar.details["per_set"]
    assert {n: p["baseline"] for n, p in per.items()} == base
    assert ar.holds == all(p["ntk"] >= p["net"] and p["ntk"] >= p["baseline"]
                           for p in per.values())
    assert "RBF SVM" in ar.measured and ar.details["baseline"] == "RBF SVM"


def test_real_rows_without_baseline_say_so(monkeypatch):
    import numpy as np

    from ntk_core import _claims_realdata as cr

    for k, v in dict(N_TRAIN=30, N_TEST=30, WIDTH=16, STEPS=5, SEEDS=2).items():
        monkeypatch.setattr(cr, k, v)
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 30)
    x = rng.standard_normal((90, 5)) + labels[:, None]
    rows = cr.real_data_claims({"blobs": (x, labels)}, 0)
    ar = rows[-1]
    assert ar.details["baseline"] is None and "no baseline given" in ar.reason
    with pytest.raises(ValueError):
        cr.real_data_claims({}, 0)


def test_prepare_split_is_stratified_centred_and_unit_norm():
    import numpy as np

    from ntk_app import datasets
    from ntk_core import _claims_realdata as cr

    x, labels = datasets.claim_sets(("digits",))["digits"]
    s = cr.prepare("digits", x, labels, 4)
    assert s.n_train == cr.N_TRAIN and s.n_test == cr.N_TEST
    # every class in its proportion, to within one row (digits' classes hold 174 to 183 rows,
    # so at 200 training rows one class may have 21 and another 19); N_TRAIN is whatever the
    # module's fixtures have set when this runs (80 after small_real, 200 alone)
    counts = np.bincount(s.labels_train, minlength=10)
    want = s.n_train * np.bincount(labels, minlength=10) / labels.size
    assert counts.sum() == s.n_train and np.all(np.abs(counts - want) < 1), (counts, want)
    assert np.allclose(np.linalg.norm(s.x_train, axis=1), 1.0)
    assert np.allclose(s.y_train.sum(axis=1), 0.0)
    order = cr.stratified_order(labels, 4)
    tr, te = order[: cr.N_TRAIN], order[cr.N_TRAIN: cr.N_TRAIN + cr.N_TEST]
    assert not set(tr) & set(te)
    mean = x[tr].mean(axis=0)
    want = (x[te] - mean) / np.linalg.norm(x[te] - mean, axis=1, keepdims=True)
    assert np.allclose(s.x_test, want)
    # the baseline sees exactly this split: refit here on the same rows
    base = datasets.svm_baselines({"digits": (x, labels)}, 4)["digits"]
    assert base == datasets.svm_accuracy(s.x_train, s.labels_train, s.x_test, s.labels_test)


def test_real_claims_cli_json():
    out = subprocess.run([sys.executable, "-m", "ntk_app.real_claims", "--json", "--seed", "2"],
                         cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["seed"] == 2 and [c["id"] for c in data["claims"]] == REAL_IDS
    assert all(c["view"] == "real_data" for c in data["claims"])
    bad = subprocess.run([sys.executable, "-m", "ntk_app.real_claims", "--seed", "-1"],
                         cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode != 0 and "seed" in bad.stderr
