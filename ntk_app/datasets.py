"""Real data for the explorer: scikit-learn's bundled data sets and a visitor's own CSV file.

Only scikit-learn's *bundled* sets are used (digits, iris, wine, breast cancer ship inside the
package; nothing is downloaded). scikit-learn serves the loading and the split only; every kernel
is computed by ``ntk_core``.

Preprocessing follows the infinite-width papers (Arora et al. 2020, arXiv:1910.01663; Lee et al.
2020, arXiv:2007.15801): features centred with the training means, then either each row scaled
to unit norm (inputs on the sphere, where the NTK depends on angles only) or each feature
standardised; regression-as-classification targets are one-hot vectors minus their mean 1/k.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

from ntk_core.realdata import centre_unit_norm

BUNDLED = {
    "digits": "Digits (8×8 images, 10 classes, 1,797 rows)",
    "iris": "Iris (4 features, 3 classes, 150 rows)",
    "wine": "Wine (13 features, 3 classes, 178 rows)",
    "breast_cancer": "Breast cancer (30 features, 2 classes, 569 rows)",
}
SCALINGS = {
    "unit_norm": "centre features, then scale each row to unit norm",
    "standardize": "standardise each feature (zero mean, unit variance on the training set)",
}
MAX_CSV_BYTES = 2 * 2**20  # 2 MB
MAX_ROWS = 5000
MAX_FEATURES = 256
MAX_CLASSES = 20


class DataError(ValueError):
    """A data file that cannot be used, with a message meant for the visitor."""


@dataclass(frozen=True)
class Dataset:
    """Features ``x`` (n, d), integer labels ``labels`` (n,) in 0 … k−1, and their names."""

    name: str
    x: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    images: np.ndarray | None = field(default=None, repr=False)  # (n, h, w) for digits

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def load_bundled(name: str) -> Dataset:
    """One of :data:`BUNDLED`, from the copy inside scikit-learn (no download)."""
    from sklearn import datasets as skd

    loaders = {"digits": skd.load_digits, "iris": skd.load_iris, "wine": skd.load_wine,
               "breast_cancer": skd.load_breast_cancer}
    if name not in loaders:
        raise DataError(f"unknown data set {name!r}; choose one of {', '.join(BUNDLED)}")
    raw = loaders[name]()
    names = tuple(str(c) for c in raw.target_names)
    images = np.asarray(raw.images, dtype=np.float64) if name == "digits" else None
    return Dataset(name, np.asarray(raw.data, dtype=np.float64), np.asarray(raw.target, int),
                   names, tuple(str(f) for f in raw.feature_names), images)


def parse_csv(data: bytes, label_column: str | None = None) -> tuple[list[str], Dataset]:
    """A CSV file with a header row: numeric feature columns and one label column.

    Returns (column names, data set). Without ``label_column`` the last column is the label.
    Raises :class:`DataError` with a plain message for a file that is too large, not text,
    without a header, with non-numeric or missing feature values, a single class, too many
    classes, too few rows or too many columns.
    """
    import pandas as pd

    if len(data) > MAX_CSV_BYTES:
        raise DataError(f"the file has {len(data) / 2**20:.1f} MB; the limit is "
                        f"{MAX_CSV_BYTES / 2**20:.0f} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("the file is not UTF-8 text: save it as CSV") from None
    try:
        frame = pd.read_csv(io.StringIO(text), nrows=MAX_ROWS + 1, dtype=str,
                            keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise DataError(f"the file could not be read as CSV ({str(err).splitlines()[0]})") from None
    columns = [str(c) for c in frame.columns]
    if len(columns) < 2:
        raise DataError("the file needs a header row and at least two columns "
                        "(features and a label)")
    if len(set(columns)) != len(columns):
        raise DataError("two columns have the same name")
    if len(frame) > MAX_ROWS:
        raise DataError(f"the file has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")
    if len(columns) - 1 > MAX_FEATURES:
        raise DataError(f"the file has {len(columns) - 1} feature columns; the limit is "
                        f"{MAX_FEATURES}")
    label = columns[-1] if label_column is None else label_column
    if label not in columns:
        raise DataError(f"there is no column {label!r}")
    features = [c for c in columns if c != label]
    x = np.empty((len(frame), len(features)))
    for j, c in enumerate(features):
        cells = frame[c].str.strip()
        if (cells == "").any():
            raise DataError(f"column {c!r} has {int((cells == '').sum())} empty cell(s)")
        values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            first = cells.to_numpy()[bad][0]
            raise DataError(f"column {c!r} has {int(bad.sum())} value(s) that are not finite "
                            f"numbers (first: {first[:20]!r}); feature columns must be numeric")
        x[:, j] = values
    raw_labels = frame[label].str.strip().to_numpy()
    if (raw_labels == "").any():
        raise DataError(f"the label column {label!r} has empty cells")
    classes, labels = np.unique(raw_labels, return_inverse=True)
    if classes.size < 2:
        raise DataError(f"the label column {label!r} has a single class: nothing to predict")
    if classes.size > MAX_CLASSES:
        raise DataError(f"the label column {label!r} has {classes.size} classes; the limit is "
                        f"{MAX_CLASSES} (is it a numeric feature?)")
    if len(frame) < 2 * classes.size:
        raise DataError(f"{len(frame)} rows are too few for {classes.size} classes")
    return columns, Dataset("csv", x, labels.astype(int), tuple(str(c) for c in classes),
                            tuple(features))


def split(ds: Dataset, n_train: int, *, seed: int = 0, n_test: int | None = None):
    """A seeded, stratified train/test split: (train indices, test indices).

    ``n_train`` is clamped to leave at least one test row per class; the test set is every
    remaining row, or a stratified ``n_test`` of them.
    """
    from sklearn.model_selection import train_test_split

    n = len(ds.labels)
    k = ds.n_classes
    n_train = int(min(max(n_train, k), n - k))
    idx = np.arange(n)
    counts = np.bincount(ds.labels, minlength=k)
    stratify = ds.labels if counts.min() >= 2 else None
    train, rest = train_test_split(idx, train_size=n_train, random_state=seed, stratify=stratify)
    if n_test is not None and n_test < rest.size:
        strat = ds.labels[rest] if np.bincount(ds.labels[rest]).min() >= 2 else None
        try:
            rest, _ = train_test_split(rest, train_size=int(n_test), random_state=seed + 1,
                                       stratify=strat)
        except ValueError:  # fewer test rows than classes: plain random choice
            rest = np.random.default_rng(seed).choice(rest, int(n_test), replace=False)
    return np.sort(train), np.sort(rest)


def preprocess(x_train: np.ndarray, x_test: np.ndarray, scaling: str = "unit_norm"):
    """Centre with the training means, then scale (see :data:`SCALINGS`); returns both sets.

    Statistics come from the training rows only. Constant features are left at 0; a row that
    is all zeros after centring stays zero (its norm is not divided by).
    """
    if scaling not in SCALINGS:
        raise DataError(f"unknown scaling {scaling!r}")
    if scaling == "unit_norm":
        return centre_unit_norm(x_train, x_test)
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    return (x_train - mean) / std, (x_test - mean) / std


def targets(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """One-hot rows minus their mean 1/k: shape (n, k), each row sums to 0."""
    y = np.zeros((labels.size, n_classes))
    y[np.arange(labels.size), labels] = 1.0
    return y - 1.0 / n_classes


# ----------------------------------------------------------------------------- claims
CLAIM_SETS = ("digits", "wine")  # the real-data claims' sets (ntk_core._claims_realdata)
SVM_BASELINE = "RBF SVM"  # scikit-learn SVC, RBF kernel, C = 1, γ = 1/(d·Var x) ("scale")


def claim_sets(names=CLAIM_SETS) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{name: (features, labels)} of bundled sets, for :func:`ntk_core._claims_realdata
    .real_data_claims` (the engine loads nothing itself)."""
    return {n: (ds.x, ds.labels) for n in names for ds in [load_bundled(n)]}


def svm_accuracy(x_train: np.ndarray, labels_train: np.ndarray, x_test: np.ndarray,
                 labels_test: np.ndarray) -> float:
    """Test accuracy of :data:`SVM_BASELINE` fitted live on the given (preprocessed) rows."""
    from sklearn.svm import SVC

    model = SVC(C=1.0, kernel="rbf", gamma="scale").fit(x_train, labels_train)
    return float(np.mean(model.predict(x_test) == labels_test))


def svm_baselines(sets: dict[str, tuple[np.ndarray, np.ndarray]], seed: int
                  ) -> dict[str, float]:
    """The SVM's accuracy on each set, on exactly the split and preprocessing the claims use
    (:func:`ntk_core._claims_realdata.prepare_sets`)."""
    from ntk_core._claims_realdata import prepare_sets

    return {n: svm_accuracy(s.x_train, s.labels_train, s.x_test, s.labels_test)
            for n, s in prepare_sets(sets, seed).items()}
