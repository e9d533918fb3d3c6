"""The Real data page: infinite-width NTK and NNGP predictors against finite
nets and a classical baseline on scikit-learn's bundled data sets or a visitor's CSV file.

Classification as regression (Arora et al. 2020, arXiv:1910.01663; Lee et al. 2020,
arXiv:2007.15801): targets one-hot minus 1/k, squared loss, predicted class = largest output.
The numerics live in :mod:`ntk_core.realdata`; this module holds the page's settings, the
cached compute wrappers (hashable settings in, the data set as an unhashed ``_ds``), the
upload handling (a function of bytes, testable without a browser) and the main picture.
The sections computed on demand are in :mod:`ntk_app.views.real_data_sections`.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ntk_app import budget
from ntk_app import datasets as data
from ntk_app.figures import LEGEND_BELOW, PALETTE, finite_or_none, margin
from ntk_app.format import count, num, pct
from ntk_app.layout import cached, download, to_csv
from ntk_app.state import WIDTH_OPTIONS, PageState, Setting, seed_setting
from ntk_core import MLP, cost
from ntk_core import realdata as rd

CSV = "csv"
DATA_CHOICES = (*data.BUNDLED, CSV)
DATA_LABELS = {**data.BUNDLED, CSV: "Your CSV file"}
FALLBACK = "digits"  # shown while an uploaded file cannot be used
N_TEST = 300  # at most this many test rows (stratified)
N_TRAIN_OPTIONS = (20, 50, 100, 200, 300, 500, 800, 1200)
WIDTHS = tuple(w for w in WIDTH_OPTIONS if w <= 10_000)
DIAG_REGS = (0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
STEP_OPTIONS = (100, 300, 1000, 3000)
SEED_OPTIONS = (1, 2, 3, 4, 5)
N_TIMES = 40  # grid of the kernel paths, from t = η to t = 10⁴ η·steps
TIME_SPAN = 1e4
BASELINE = "RBF-kernel SVM (scikit-learn SVC, C = 1, γ = 1/(d·Var x))"
COLORS = {"ntk": PALETTE[1], "nngp": PALETTE[2], "net": PALETTE[0], "twin": PALETTE[3],
          "baseline": PALETTE[8]}
LOG_AXIS = dict(type="log", dtick=1, exponentformat="power", showexponent="all")

SETTINGS = [
    Setting("data", "choice", FALLBACK, choices=DATA_CHOICES),
    Setting("scaling", "choice", "unit_norm", choices=tuple(data.SCALINGS)),
    Setting("n_train", "int", 300, 1, max(N_TRAIN_OPTIONS)),
    seed_setting(0),
    Setting("depth", "int", 1, 1, 3),
    Setting("activation", "choice", "relu", choices=("relu", "erf")),
    Setting("sigma_w", "float", 1.4, 0.1, 3.0),
    Setting("sigma_b", "float", 0.1, 0.0, 2.0),
    Setting("diag_reg", "choice", 0.0, choices=DIAG_REGS),
    Setting("width", "snap", 200, choices=WIDTHS),
    Setting("steps", "snap", 300, choices=STEP_OPTIONS),
    Setting("seeds", "int", 2, 1, max(SEED_OPTIONS)),
    Setting("agree", "bool", False),
    Setting("curves", "bool", False),
    Setting("heat", "bool", False),
    Setting("reg", "bool", False),
    Setting("digit", "int", 0, 0, N_TEST - 1),
]


# ============================================================================= data
@dataclass(frozen=True)
class Upload:
    """What an uploaded file gave: its columns (empty if unreadable), the data set or the
    reason it cannot be used (a plain message for the visitor)."""

    columns: tuple[str, ...]
    dataset: data.Dataset | None
    error: str


def read_upload(raw: bytes, label_column: str | None = None) -> Upload:
    """Parse an uploaded CSV file (``datasets.parse_csv``); never raises.

    The size is checked here too: Streamlit's ``max_upload_size`` is enforced by the browser
    widget, not for bytes that reach the server another way."""
    if len(raw) > data.MAX_CSV_BYTES:
        return Upload((), None, f"The file is larger than {data.MAX_CSV_BYTES // 2**20} MB, "
                                "the limit for uploads.")
    columns = _header(raw)
    if label_column is not None and label_column not in columns:
        label_column = None
    try:
        names, ds = data.parse_csv(raw, label_column)
    except data.DataError as err:
        return Upload(columns, None, f"This file cannot be used: {err}.")
    return Upload(tuple(names), ds, "")


def _header(raw: bytes) -> tuple[str, ...]:
    """The names in the first line of a CSV file; empty if it is not readable text."""
    import csv

    try:
        line = raw[:65536].decode("utf-8-sig").splitlines()[0]
        return tuple(c.strip() for c in next(csv.reader(io.StringIO(line))))
    except (UnicodeDecodeError, IndexError, StopIteration, csv.Error):
        return ()


def store_upload(widget_key: str, store_key: str) -> None:
    """``on_change`` of the file uploader: keep at most ``MAX_CSV_BYTES`` + 1 bytes of the new
    file in the session (enough for :func:`read_upload` to see it is too large), or forget the
    file when it was removed."""
    up = st.session_state.get(widget_key)
    if up is None:
        st.session_state.pop(store_key, None)
    else:
        st.session_state[store_key] = up.read(data.MAX_CSV_BYTES + 1)


@cached(max_entries=4)
def bundled(name: str) -> data.Dataset:
    """A bundled data set (scikit-learn's copy; nothing is downloaded)."""
    return data.load_bundled(name)


def upload_key(raw: bytes, label: str | None) -> str:
    """A short cache key for an uploaded data set: a digest of its bytes and the label column."""
    return f"csv:{hashlib.sha256(raw).hexdigest()[:16]}:{label}"


class Prepared(NamedTuple):
    """A split and preprocessed data set: features, centred one-hot targets and labels."""

    x_tr: np.ndarray
    y_tr: np.ndarray
    lab_tr: np.ndarray
    x_te: np.ndarray
    lab_te: np.ndarray
    idx_tr: np.ndarray
    idx_te: np.ndarray


def n_train_cap(ds: data.Dataset) -> int:
    """Largest n_train that leaves a fifth of the rows (and two per class) for testing."""
    n, k = len(ds.labels), ds.n_classes
    return max(k, n - max(2 * k, n // 5))


def prepare(ds: data.Dataset, scaling: str, n_train: int, seed: int) -> Prepared:
    """Stratified seeded split (``N_TEST`` test rows at most), preprocessing fitted on the
    training rows, targets one-hot minus 1/k."""
    tr, te = data.split(ds, min(n_train, n_train_cap(ds)), seed=seed, n_test=N_TEST)
    a, b = data.preprocess(ds.x[tr], ds.x[te], scaling)
    return Prepared(a, data.targets(ds.labels[tr], ds.n_classes), ds.labels[tr], b,
                    ds.labels[te], tr, te)


# ============================================================================= settings
class Run(NamedTuple):
    """Everything a computation depends on but the width (hashable: a cache key)."""

    key: str
    scaling: str
    n_train: int
    seed: int
    depth: int
    activation: str
    sigma_w: float
    sigma_b: float
    diag_reg: float
    steps: int
    seeds: int


def make_run(state: PageState, key: str, n_train: int) -> Run:
    """The run settings from the page state (``key`` names the data set)."""
    return Run(key, state["scaling"], int(n_train), int(state["seed"]), int(state["depth"]),
               state["activation"], float(state["sigma_w"]), float(state["sigma_b"]),
               float(state["diag_reg"]), int(state["steps"]), int(state["seeds"]))


def net(run: Run, width: int = 1) -> MLP:
    """The network of ``run`` (NTK parameterization) with ``width`` hidden units per layer."""
    return MLP(run.depth, int(width), run.activation, weight_std=run.sigma_w,
               bias_std=run.sigma_b)


# ============================================================================= compute
@cached(max_entries=16)
def step_size(run: Run, _ds: data.Dataset) -> float:
    """η = 1/λ_max of the infinite-width NTK on the training inputs (``realdata.stable_lr``)."""
    p = prepare(_ds, run.scaling, run.n_train, run.seed)
    return rd.stable_lr(p.x_tr, net(run))


def times(run: Run, lr: float) -> np.ndarray:
    """The kernel paths' time grid, η … ``TIME_SPAN`` · η · steps, then t = ∞."""
    return np.append(np.geomspace(lr, TIME_SPAN * lr * run.steps, N_TIMES), math.inf)


@cached(max_entries=16)
def kernel_paths(run: Run, _ds: data.Dataset) -> rd.KernelPaths:
    """NTK-GD and NNGP means over :func:`times` (with ``run.diag_reg``)."""
    p = prepare(_ds, run.scaling, run.n_train, run.seed)
    return rd.kernel_paths(p.x_tr, p.y_tr, p.x_te, p.lab_te, net(run),
                           ts=times(run, step_size(run, _ds)), diag_reg=run.diag_reg)


@cached(max_entries=32)
def finite(run: Run, width: int, _ds: data.Dataset) -> rd.FiniteRun:
    """``run.seeds`` nets of ``width`` trained for ``run.steps`` steps at η, beside their
    infinite-width twins."""
    p = prepare(_ds, run.scaling, run.n_train, run.seed)
    return rd.finite_nets(p.x_tr, p.y_tr, p.x_te, p.lab_te, net(run, width),
                          lr=step_size(run, _ds), steps=run.steps, n_seeds=run.seeds,
                          seed=run.seed)


@cached(max_entries=16)
def baseline(run: Run, _ds: data.Dataset) -> float:
    """Test accuracy of :data:`BASELINE` on the same preprocessed features and split."""
    from sklearn.svm import SVC

    p = prepare(_ds, run.scaling, run.n_train, run.seed)
    pred = SVC(kernel="rbf").fit(p.x_tr, p.lab_tr).predict(p.x_te)
    return float(np.mean(pred == p.lab_te))


def finite_cost(run: Run, width: int, n_train: int, n_test: int, d: int, k: int,
                n_seeds: int | None = None, n_records: int = 12) -> cost.Cost:
    """Estimated cost of :func:`finite` (``realdata.finite_nets_cost`` on arrays of the
    right shapes; their values do not matter)."""
    x_tr, x_te = np.zeros((n_train, d)), np.zeros((n_test, d))
    return rd.finite_nets_cost(x_tr, np.zeros((n_train, k)), x_te, np.zeros(n_test, int),
                               net(run, width), steps=run.steps,
                               n_seeds=run.seeds if n_seeds is None else n_seeds,
                               n_records=n_records)


def kernel_cost(n_train: int, n_test: int, depth: int) -> cost.Cost:
    """Kernels of train and test points, two eigendecompositions and the SVM (≈ n³ each)."""
    m = n_train + n_test
    return cost.analytic_cost(m, None, depth) + cost.Cost(
        (3 * n_train**3 + 2 * N_TIMES * n_train * n_test * 10) * 4 / cost.GEMM_FLOPS_PER_S,
        8.0 * m * m * 3)


def shape(ds: data.Dataset, n_train: int) -> tuple[int, int, int, int]:
    """(n_train, n_test, d, k) of a split of ``ds``."""
    n_tr = min(n_train, n_train_cap(ds))
    return n_tr, min(N_TEST, len(ds.labels) - n_tr), ds.x.shape[1], ds.n_classes


def n_train_options(ds: data.Dataset, depth: int) -> tuple[int, ...]:
    """n_train values the data set allows (a fifth kept for testing) whose kernels fit the
    budget."""
    cap = n_train_cap(ds)
    opts = tuple(sorted({v for v in N_TRAIN_OPTIONS if v < cap} | {min(cap, 1200)}))
    return budget.affordable(opts, lambda n: kernel_cost(*shape(ds, n)[:2], depth))


def width_options(run: Run, ds: data.Dataset) -> tuple[int, ...]:
    """Widths whose finite nets train within the interactive budget."""
    n_tr, n_te, d, k = shape(ds, run.n_train)
    return budget.affordable(WIDTHS, lambda w: finite_cost(run, w, n_tr, n_te, d, k))


def snap_down(state: PageState, name: str, options: tuple[int, ...], why: str) -> str:
    """Bring setting ``name`` into ``options`` (the largest offered value not above it) before
    its control is drawn; a note saying so, or "" when it was offered."""
    asked = state.snap_down(name, options)
    return "" if asked is None else f"{name} = {count(asked)} {why}: showing {count(state[name])}."


# ============================================================================= main picture
def accuracy_figure(kp: rd.KernelPaths, fin: rd.FiniteRun, base: float, width: int,
                    title: str) -> go.Figure:
    """Test accuracy over gradient-flow time t (log axis): NTK-GD and NNGP (infinite width),
    each finite net (thin) and their mean, the mean of their infinite-width twins, and the
    baseline (horizontal)."""
    ts = kp.ts[np.isfinite(kp.ts)]
    t_net = fin.lr * fin.steps[1:].astype(float)  # step 0 (t = 0) has no place on a log axis
    traces = [
        go.Scatter(x=ts, y=kp.accuracy["ntk"][: ts.size], name="NTK-GD, infinite width",
                   line=dict(color=COLORS["ntk"], width=3)),
        go.Scatter(x=ts, y=kp.accuracy["nngp"][: ts.size], name="NNGP, infinite width",
                   line=dict(color=COLORS["nngp"], width=3, dash="dash")),
    ]
    for s, acc in enumerate(fin.accuracy):
        traces.append(go.Scatter(x=t_net, y=finite_or_none(acc[1:]), mode="lines",
                                 line=dict(color=COLORS["net"], width=1), opacity=0.5,
                                 name="one net per seed", legendgroup="seed",
                                 showlegend=s == 0))
    traces += [
        go.Scatter(x=t_net, y=finite_or_none(np.nanmean(fin.accuracy, axis=0)[1:]),
                   mode="lines+markers", name=f"nets of width {count(width)}, mean",
                   line=dict(color=COLORS["net"], width=3)),
        go.Scatter(x=t_net, y=finite_or_none(np.nanmean(fin.twin_accuracy, axis=0)[1:]),
                   mode="lines", name="their infinite-width twins, mean",
                   line=dict(color=COLORS["twin"], width=2, dash="dot")),
        go.Scatter(x=[ts[0], ts[-1]], y=[base, base], mode="lines", name="RBF SVM baseline",
                   line=dict(color=COLORS["baseline"], width=2, dash="longdash")),
    ]
    layout = dict(title=dict(text=title), height=430,
                  margin=margin(50, left=82, legend_rows=2),
                  xaxis=dict(title="training time t = η · step", **LOG_AXIS),
                  yaxis=dict(title="test accuracy", range=[0, 1.02], tickformat=".0%"),
                  legend=LEGEND_BELOW, hovermode="x unified")
    return go.Figure(traces, layout)


def tiles(kp: rd.KernelPaths, fin: rd.FiniteRun, base: float, p: Prepared, width: int) -> None:
    """Accuracy and MSE at t = ∞ (kernels), after the last step (finite nets) and of the
    baseline."""
    y_te = data.targets(p.lab_te, p.y_tr.shape[1])
    net_acc = float(np.nanmean(fin.accuracy[:, -1]))
    net_mse = float(np.mean([rd.mse(pr[-1], y_te) for pr in fin.preds]))
    cols = st.columns(4)
    shown = [("NTK-GD, t = ∞", kp.accuracy["ntk"][-1], kp.mse["ntk"][-1]),
             ("NNGP, t = ∞", kp.accuracy["nngp"][-1], kp.mse["nngp"][-1]),
             (f"Nets, width {count(width)}, step {count(fin.steps[-1])}", net_acc, net_mse),
             ("RBF SVM baseline", base, math.nan)]
    for col, (label, acc, err) in zip(cols, shown, strict=True):
        col.metric(f"{label}: accuracy", pct(acc))
        col.metric(f"{label}: MSE", num(err) if math.isfinite(err) else "—",
                   help="Mean over test points of Σ_c (f_c − y_c)²." if math.isfinite(err)
                   else "The SVM predicts classes, not the centred one-hot scores.")
    if fin.diverged.any():
        st.warning(f"{int(fin.diverged.sum())} of {fin.diverged.size} nets diverged at "
                   f"η = {num(fin.lr)}.", icon=":material/warning:")
    notes = {v for v in kp.notes.values() if v}
    for note in notes:
        st.caption(note)


def explanation(p: Prepared, ds_name: str, scaling: str, lr: float, steps: int) -> None:
    """What each curve is, the formulas, and the papers."""
    st.markdown(
        f"**What is drawn** ({ds_name}, {count(len(p.lab_tr))} training and "
        f"{count(len(p.lab_te))} test rows; {data.SCALINGS[scaling]}; targets one-hot minus "
        "1/k; squared loss; class = largest output). The **NTK-GD** curve is the mean "
        "prediction of infinitely wide nets trained by gradient flow for time t; the **NNGP** "
        "curve trains only the last layer of an infinitely wide net (its kernel is the NNGP "
        "kernel K instead of the NTK Θ):")
    st.latex(r"\bar f_t(x) = G(x, X)\, G^{-1}\bigl(I - e^{-G t}\bigr) Y,\qquad G = \Theta "
             r"\text{ (NTK-GD) or } G = K \text{ (NNGP)}")
    st.markdown(
        f"**Finite nets** are trained by full-batch gradient descent with step "
        f"η = 1/λ_max(Θ) = {num(lr)} for {count(steps)} steps (time t = η · step), one thin "
        "line per seed. Each has an **infinite-width twin**: the prediction of an infinitely "
        "wide net that starts from *this* net's initial outputs f₀,")
    st.latex(r"f^{\mathrm{twin}}_t(x) = f_0(x) - \Theta(x, X)\,\Theta^{-1}"
             r"\bigl(I - e^{-\Theta t}\bigr)\bigl(f_0(X) - Y\bigr),")
    st.markdown(
        "so the gap between a net and its twin measures **width alone**, not the randomness of "
        "the initialisation (Lee et al. 2019, "
        "[arXiv:1902.06720](https://arxiv.org/abs/1902.06720)). The kernel curves at large t "
        "are the kernel regressors whose accuracy Arora et al. 2020 "
        "([arXiv:1910.01663](https://arxiv.org/abs/1910.01663)) compare with random forests "
        "and finite nets on small UCI data sets; Lee et al. 2020 "
        "([arXiv:2007.15801](https://arxiv.org/abs/2007.15801)) compare NNGP with NTK and "
        "finite with infinite nets on larger images. The kernels use the ridge diag_reg set "
        "in the sidebar; the twins use none. "
        f"The grey line is the baseline, an {BASELINE}, fitted on the same preprocessed "
        "features and split, computed live.")


# ============================================================================= controls
UPLOAD_WIDGET = "real::upload"  # the file uploader's own state (an UploadedFile)
UPLOAD_BYTES = "real::csv"  # the uploaded bytes, kept by store_upload
LABEL_KEY = "real::label"
SECTION_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError, MemoryError)


@cached(max_entries=4)
def parsed_upload(raw: bytes, label: str | None) -> Upload:
    """:func:`read_upload`, cached on the file's bytes and the label column."""
    return read_upload(raw, label)


def data_controls(state: PageState) -> tuple[data.Dataset, str, str]:
    """The data set selector and, for "Your CSV", the uploader and the label column. Returns
    (data set, cache key, name shown). An unusable file is explained here, in the sidebar's
    data section, and :data:`FALLBACK` is shown meanwhile."""
    box = st.sidebar
    box.selectbox("Data set", DATA_CHOICES, format_func=DATA_LABELS.get, key=state.key("data"))
    if state["data"] != CSV:
        return bundled(state["data"]), state["data"], DATA_LABELS[state["data"]]
    box.file_uploader(
        "CSV file: a header row, numeric feature columns and a label column", type=["csv"],
        key=UPLOAD_WIDGET, on_change=store_upload, args=(UPLOAD_WIDGET, UPLOAD_BYTES),
        max_upload_size=max(1, data.MAX_CSV_BYTES // 2**20))
    box.caption(f"At most {data.MAX_CSV_BYTES // 2**20} MB, {count(data.MAX_ROWS)} rows, "
                f"{data.MAX_FEATURES} features and {data.MAX_CLASSES} classes. The file stays in "
                "this session and is not part of the page's link.")
    raw = st.session_state.get(UPLOAD_BYTES)
    fallback = (bundled(FALLBACK), FALLBACK, DATA_LABELS[FALLBACK])
    if raw is None:
        box.info(f"No file yet: showing {FALLBACK}.", icon=":material/upload_file:")
        return fallback
    label = st.session_state.get(LABEL_KEY)
    up = parsed_upload(raw, label)
    if up.columns:
        if label not in up.columns:
            st.session_state[LABEL_KEY] = label = up.columns[-1]  # parse_csv's default
        box.selectbox("Label column", up.columns, key=LABEL_KEY)
    if up.dataset is None:
        box.error(f"{up.error} Showing {FALLBACK} meanwhile.", icon=":material/error:")
        return fallback
    ds = up.dataset
    return ds, upload_key(raw, label), (f"your file ({count(len(ds.labels))} rows, "
                                        f"{ds.x.shape[1]} features, {ds.n_classes} classes)")


def controls(state: PageState, ds: data.Dataset, key: str) -> tuple[Run, list[str]]:
    """Preprocessing, split, network and training controls (sidebar); values the budget does
    not allow are not offered, and a setting that was out of reach is moved and noted."""
    box = st.sidebar
    box.radio("Scaling", tuple(data.SCALINGS), format_func=data.SCALINGS.get,
              key=state.key("scaling"))
    opts = n_train_options(ds, int(state["depth"]))
    notes = [snap_down(state, "n_train", opts, "is more than this data set or the budget "
                                               "allows")]
    box.select_slider("Training rows n_train", opts, key=state.key("n_train"),
                      format_func=count)
    box.number_input("Seed (split and initialisation)", 0, 2**31 - 1, step=1,
                     key=state.key("seed"))
    box.slider("Depth (hidden layers)", 1, 3, key=state.key("depth"))
    box.selectbox("Activation", ["relu", "erf"], key=state.key("activation"))
    box.slider("σ_w (weight scale)", 0.1, 3.0, step=0.05, key=state.key("sigma_w"))
    box.slider("σ_b (bias scale)", 0.0, 2.0, step=0.05, key=state.key("sigma_b"))
    box.select_slider("diag_reg (ridge of the kernel predictors)", DIAG_REGS,
                      key=state.key("diag_reg"), format_func=lambda v: num(v, "g"))
    run = make_run(state, key, int(state["n_train"]))
    steps = step_options(run, ds)
    notes.append(snap_down(state, "steps", steps, "would not fit the budget even at the "
                                                  "smallest width"))
    box.select_slider("Training steps of the finite nets", steps, key=state.key("steps"),
                      format_func=count)
    seeds = seed_options(make_run(state, key, int(state["n_train"])), ds)
    notes.append(snap_down(state, "seeds", seeds, "would not fit the budget even at the "
                                                  "smallest width"))
    box.select_slider("Seeds (finite nets)", seeds, key=state.key("seeds"))
    return make_run(state, key, int(state["n_train"])), [n for n in notes if n]


def step_options(run: Run, ds: data.Dataset) -> tuple[int, ...]:
    """Training lengths whose nets (one seed, the smallest width) fit the budget: then the
    width control always has a value the page can afford."""
    n_tr, n_te, d, k = shape(ds, run.n_train)
    return budget.affordable(STEP_OPTIONS, lambda s: finite_cost(
        run._replace(steps=s), WIDTHS[0], n_tr, n_te, d, k, n_seeds=1))


def seed_options(run: Run, ds: data.Dataset) -> tuple[int, ...]:
    """Seed counts (1 … 5) whose nets at the smallest width fit the budget."""
    n_tr, n_te, d, k = shape(ds, run.n_train)
    return budget.affordable(SEED_OPTIONS, lambda n: finite_cost(run, WIDTHS[0], n_tr, n_te, d,
                                                                 k, n_seeds=n))


def finite_bundled(run: Run, width: int) -> rd.FiniteRun:
    """:func:`finite` for a bundled data set named by ``run.key`` (hashable arguments only,
    for prefetching; it fills the same cache entry as the page's call)."""
    return finite(run, width, bundled(run.key))


def curves_csv(kp: rd.KernelPaths, fin: rd.FiniteRun, base: float) -> bytes:
    """Accuracy over time of the kernel predictors (their time grid) and of the finite nets and
    their twins (the nets' recorded steps, as t = η·steps), with the baseline."""
    return to_csv({
        "t_kernels": kp.ts, "ntk_accuracy": kp.accuracy["ntk"],
        "nngp_accuracy": kp.accuracy["nngp"], "t_nets": fin.lr * fin.steps,
        "nets_accuracy_mean": np.nanmean(fin.accuracy, axis=0),
        "twins_accuracy_mean": np.nanmean(fin.twin_accuracy, axis=0),
        "baseline_accuracy": np.array([base]),
    })


@st.fragment
def picture(state: PageState, run: Run, ds: data.Dataset, name: str) -> None:
    """The width control, the main picture and the tiles (a fragment: a width step reruns
    only this); then prefetch of the neighbouring widths."""
    from ntk_app.prefetch import neighbours, prefetch

    opts = width_options(run, ds)
    note = snap_down(state, "width", opts, f"would take more than the {cost.time_budget_s():g} s "
                                           "budget at these settings")
    st.select_slider("Width of the finite nets", opts, key=state.key("width"), format_func=count)
    state.sync_url()
    if note:
        st.caption(note)
    width = int(state["width"])
    try:
        p = prepare(ds, run.scaling, run.n_train, run.seed)
        kp, fin, base = kernel_paths(run, ds), finite(run, width, ds), baseline(run, ds)
    except SECTION_ERRORS as err:
        st.error(f"This computation failed: {err}")
        return
    st.plotly_chart(accuracy_figure(kp, fin, base, width, f"Test accuracy on {name}"),
                    key="main_fig")
    tiles(kp, fin, base, p, width)
    download("The accuracy curves (CSV)", lambda: curves_csv(kp, fin, base),
             f"ntk_real_data_{run.key if run.key in data.BUNDLED else 'csv'}.csv", "dl_real")
    if run.key in data.BUNDLED:
        prefetch(finite_bundled, [(run, w) for w in neighbours(list(opts), width)])
