"""Real data: bundled sets, the CSV parser's refusals, the split and the preprocessing."""

from __future__ import annotations

import numpy as np
import pytest

from ntk_app import datasets as D


@pytest.mark.parametrize("name", list(D.BUNDLED))
def test_bundled_sets_load_offline(name):
    ds = D.load_bundled(name)
    assert ds.x.shape[0] == ds.labels.size and ds.x.ndim == 2
    assert set(np.unique(ds.labels)) == set(range(ds.n_classes))
    assert (ds.images is not None) == (name == "digits")


def test_good_csv_with_a_text_label_column_anywhere():
    text = "a,species,b\n1,x,2\n3,y,4\n5,x,6\n7,y,8\n"
    cols, ds = D.parse_csv(text.encode(), label_column="species")
    assert cols == ["a", "species", "b"]
    np.testing.assert_array_equal(ds.x, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert ds.class_names == ("x", "y") and ds.labels.tolist() == [0, 1, 0, 1]
    assert ds.feature_names == ("a", "b")


BAD = {
    "not numeric": (b"a,label\n1,x\nfoo,y\n3,x\n4,y\n", "not finite numbers"),
    "NaN": (b"a,label\n1,x\nnan,y\n3,x\n4,y\n", "not finite"),
    "empty cell": (b"a,b,label\n1,,x\n2,3,y\n3,4,x\n4,5,y\n", "empty cell"),
    "one class": (b"a,label\n1,x\n2,x\n3,x\n", "single class"),
    "one column": (b"a\n1\n2\n", "at least two columns"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "not UTF-8"),
    "empty": (b"", "could not be read"),
    "duplicate": (b"a,a,label\n1,2,x\n3,4,y\n", None),
    "too many classes": (
        ("a,label\n" + "".join(f"{i},{i}\n{i},{i}\n" for i in range(30))).encode(),
        "classes",
    ),
    "too few rows": (b"a,label\n1,x\n2,y\n3,z\n", "too few"),
    "ragged": (b"a,label\n1,x,9,9\n2,y\n", None),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_csv_files_get_a_plain_message(case):
    data, phrase = BAD[case]
    with pytest.raises(D.DataError) as err:
        D.parse_csv(data)
    if phrase:
        assert phrase in str(err.value)
    assert "Traceback" not in str(err.value)


def test_csv_size_and_label_limits():
    with pytest.raises(D.DataError, match="MB"):
        D.parse_csv(b"a,label\n" + b"1,x\n" * (D.MAX_CSV_BYTES // 4 + 1))
    with pytest.raises(D.DataError, match="no column"):
        D.parse_csv(b"a,label\n1,x\n2,y\n3,x\n4,y\n", label_column="nope")


def test_split_is_seeded_stratified_and_disjoint():
    ds = D.load_bundled("iris")
    tr, te = D.split(ds, 30, seed=3)
    tr2, _ = D.split(ds, 30, seed=3)
    np.testing.assert_array_equal(tr, tr2)
    assert tr.size == 30 and np.intersect1d(tr, te).size == 0 and tr.size + te.size == 150
    assert np.bincount(ds.labels[tr]).tolist() == [10, 10, 10]
    tr3, te3 = D.split(ds, 10_000, seed=0, n_test=20)  # clamped, leaves a test row per class
    assert te3.size >= 1 and tr3.size <= 147


def test_preprocessing_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    a, b = rng.normal(3, 2, (50, 4)), rng.normal(3, 2, (20, 4))
    ua, ub = D.preprocess(a, b, "unit_norm")
    np.testing.assert_allclose(np.linalg.norm(ua, axis=1), 1)
    np.testing.assert_allclose(ub * np.linalg.norm(b - a.mean(0), axis=1)[:, None], b - a.mean(0))
    sa, sb = D.preprocess(a, b, "standardize")
    np.testing.assert_allclose(sa.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(sa.std(0), 1)
    np.testing.assert_allclose(sb, (b - a.mean(0)) / a.std(0))


def test_targets_and_accuracy():
    y = D.targets(np.array([0, 2, 1]), 3)
    np.testing.assert_allclose(y.sum(axis=1), 0, atol=1e-15)
    np.testing.assert_allclose(y[1], [-1 / 3, -1 / 3, 2 / 3])
    assert D.accuracy(y, np.array([0, 2, 1])) == 1.0
    scores = np.array([[0.0, 1.0], [np.nan, 1.0]])
    assert D.accuracy(scores, np.array([1, 1])) == 0.5
