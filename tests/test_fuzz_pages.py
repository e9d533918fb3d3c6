"""Hypothesis fuzzing of every page of the registry (``ntk_app.registry.PAGES``) with AppTest
(issue #6, reliability).

Nothing is imported from pages/: each page is run once at its defaults and what it exposes is
read from the run — its URL parameter names and defaults from the query string it writes back
(``state.sync_url``), its widgets (keys, options, ranges) from the element tree. Then:

(a) ``test_random_url``: random query strings over the page's real parameter names plus junk
    keys, with values mixing valid ones, out-of-range and huge numbers (1e308, 10**400), nan,
    inf, -0, empty, unicode, long strings, commas and repeated keys, SQL/HTML/markdown-looking
    strings. Most of them take the cheap path (a warning and the default).
(b) ``test_random_widgets``: random valid values for every widget, set through the widget.
(c) ``test_extremes``: every slider, select-slider and number input at its maximum (widest,
    deepest, most steps; toggles on), and at its minimum. A refusal with ``st.error`` is a valid
    outcome; the server time is printed (``FUZZ_EXTREME ...`` lines).

Every run must finish (AppTest timeout 30 s) without ``at.exception``, and every plotly array
(x, y, z, animation frames included) must hold no ±inf; NaN (a gap) only in the charts listed
in ``NAN_GAPS``, where the page says in words why a curve stops or a point is missing.

Hypothesis runs derandomized (the same cases on every run, no example database), deadline off.
Every page is fuzzed on every run, at a tenth of the full size: 20 URL and 4 widget cases per
page (nine pages at full size took over 20 minutes on the 2-core machine, a quarter 5 minutes;
the first cases of a derandomized run are the same at every size, so a larger run adds cases).
``FUZZ_SCALE=1`` (env) runs the full 200 URL and 16 widget cases. Each page is also timed:
``FUZZ_TIMING`` lines give cases and seconds per test.
"""

from __future__ import annotations

import functools
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import streamlit
from helpers import REPO_ROOT, decode_plotly_array, is_typed_array
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from ntk_app import registry
from ntk_app.registry import PAGES

pytestmark = pytest.mark.slow  # the quick loop (-m "not e2e and not slow") skips it
VIEWS = [p.view for p in PAGES]  # every page, Home included
TIMEOUT = 30  # s per AppTest run: a run that does not finish in time fails the test
SLOW_S = 5.0  # a run above this much server time is reported (the budget is ~5 s)
# a tenth of the full size everywhere (CI included); FUZZ_SCALE overrides
SCALE = float(os.environ.get("FUZZ_SCALE") or 0.1)
URL_CASES = max(1, round(200 * SCALE))  # per page
WIDGET_CASES = max(4, round(16 * SCALE))  # per page

# Charts whose curves may contain NaN gaps: chart key -> (why, notices). When ``notices`` is
# not empty, a NaN in that chart must come with a warning, info or caption containing one of
# them (the page says in words why a curve stops). Any other chart must be finite everywhere;
# no chart may ever carry ±inf. Keyed by view name (ntk_app.registry).
LOG_AXIS = "log axis: values <= 0 (a change of exactly 0 at t = 0, a zero eigenvalue) not drawn"
NAN_GAPS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "training_dynamics": {
        "loss_chart": (LOG_AXIS + "; a diverged run stops (st.warning)", ()),
        "spectrum_chart": ("zero eigenvalues are not drawn (caption under the chart)", ()),
        "modes_chart": (LOG_AXIS + "; a diverged net's modes stop (st.warning)", ()),
        "predictions_chart": ("a diverged curve is not drawn", ("diverged", "Step too large")),
    },
    "lazy_vs_rich": {
        "kc_curve": (LOG_AXIS + "; a diverged net's curve stops (st.warning)", ()),
        "loss_curve": ("a diverged net's loss stops where it blew up", ("diverged",)),
        "fits": ("a diverging net or linearized model is left out", ("diverge",)),
        "knob_fig": ("a diverging net or linearized model is left out", ("diverge",)),
        "alpha_fig": ("diverged α runs (st.warning); no 'this α' marker under mean-field", ()),
        "sweep_fig": ("runs that diverged are left out", ("diverged",)),
        "curves_wide": (LOG_AXIS + "; a diverged net's curve stops (st.warning)", ()),
        "curves_narrow": (LOG_AXIS + "; a diverged net's curve stops (st.warning)", ()),
        "fits_wide": ("a diverging net or linearized model is left out", ("diverge",)),
        "fits_narrow": ("a diverging net or linearized model is left out", ("diverge",)),
    },
    "infinite_ensembles": {
        "bands": ("the nets of an ensemble are one trace, NaN between members", ()),
        "conv": (LOG_AXIS + "; a width whose members all diverged has no error", ()),
    },
    "kernel_motion": {
        "rates-relu": (LOG_AXIS + "; a diverged training has no change (NaN)", ()),
        "rates-erf": (LOG_AXIS + "; a diverged training has no change (NaN)", ()),
        "limits": (LOG_AXIS, ()),
    },
    "infinite_width": {
        "dm_vs_depth": ("diag/mean undefined when the kernel averages to 0 (erf, no bias)", ()),
        "ntk_spectrum": ("zero eigenvalues are not drawn (text under the spectra)", ()),
        "nngp_spectrum": ("zero eigenvalues are not drawn (text under the spectra)", ()),
    },
}
NAN_SEEN: set[tuple[str, str]] = set()  # (page, chart) with NaN gaps seen in this session

WIDGET_KINDS = (
    "select_slider",
    "slider",
    "number_input",
    "selectbox",
    "radio",
    "checkbox",
    "toggle",
    "multiselect",
)
RANGED = ("select_slider", "slider", "number_input")


# ----------------------------------------------------------------------------- harness


@pytest.fixture(scope="module", autouse=True)
def scan_components_once():
    """Every new AppTest scans the metadata of all installed packages for Streamlit v2
    components (~0.1-0.2 s, as long as a cheap page run); the answer cannot change during the
    test session, so scan once. This only speeds up AppTest's set-up, not the pages."""
    from streamlit.components.v2 import manifest_scanner

    cached_scan = functools.cache(manifest_scanner.scan_component_manifests)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(manifest_scanner, "scan_component_manifests", cached_scan)
        yield


# ----------------------------------------------------------------------------- page discovery


@dataclass
class WidgetSpec:
    """One widget of a page as read from an AppTest run."""

    kind: str
    key: str | None
    label: str
    values: list[Any] = field(default_factory=list)  # settable values, in option order
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    is_int: bool = False


@dataclass
class PageInfo:
    params: dict[str, str]  # URL parameter -> default as written back
    widgets: list[WidgetSpec]
    seconds: float


def _candidates(
    format_func: Callable[[Any], Any], labels: list[str], current: Any, label_fallback: bool
) -> list[Any]:
    """Values whose formatted label is each of ``labels`` (AppTest hands widgets labels; the
    real option values are not in the element tree). Candidates: the current value, the labels
    and numbers parsed from them, and the keys of dicts the format function looks values up in
    (``LABELS.get`` or ``lambda k: LABELS.get(k, k)``), and the indices 0 … n-1 (``options=
    range(n)`` with a format function). With ``label_fallback`` a label the format function
    raises on is sent as it is (AppTest does that for selectbox, radio and multiselect only)."""
    pool: list[Any] = [current] if not isinstance(current, list) else list(current)
    pool.extend(range(len(labels)))
    for lab in labels:
        s = lab.replace(",", "").replace(" ", "")
        for conv in (int, float):
            try:
                pool.append(conv(s))
            except ValueError:
                pass
    owner = getattr(format_func, "__self__", None)
    if isinstance(owner, dict):
        pool.extend(owner)
    code = getattr(format_func, "__code__", None)
    if code is not None:
        glb = getattr(format_func, "__globals__", {})
        for name in code.co_names:
            if isinstance(glb.get(name), dict):
                pool.extend(glb[name])
        for cell in getattr(format_func, "__closure__", None) or ():
            try:
                if isinstance(cell.cell_contents, dict):
                    pool.extend(cell.cell_contents)
            except ValueError:
                pass
    pool.extend(labels)

    def fmt(v: Any, fallback: bool) -> Any:
        try:
            return format_func(v)
        except Exception:  # AppTest then sends a str value as the label itself
            return v if fallback and isinstance(v, str) else None

    out = []
    for lab in labels:
        match = next((c for c in pool if fmt(c, False) == lab), None)
        if match is None and label_fallback:
            match = next((c for c in pool if fmt(c, True) == lab), None)
        if match is not None:
            out.append(match)
    return out


def _spec(kind: str, w: Any) -> WidgetSpec:
    spec = WidgetSpec(kind, w.key, getattr(w, "label", ""))
    if kind == "slider":
        spec.lo, spec.hi, spec.step = float(w.min), float(w.max), float(w.step)
        spec.is_int = all(float(v).is_integer() for v in (w.min, w.max, w.step)) and isinstance(
            w.value, int
        )
    elif kind == "number_input":
        spec.lo, spec.hi, spec.step = w.min, w.max, float(w.step or 1)
        spec.is_int = isinstance(w.value, int)
    elif kind in ("select_slider", "selectbox", "radio", "multiselect"):
        fallback = kind != "select_slider"
        spec.values = _candidates(w.format_func, list(w.options), w.value, fallback)
    elif kind in ("checkbox", "toggle"):
        spec.values = [False, True]
    return spec


def _disabled(w: Any) -> bool:
    return bool(getattr(w.proto, "disabled", False))


def app_test(view: str) -> AppTest:
    """A fresh AppTest of the registry page ``view``."""
    return AppTest.from_file(str(REPO_ROOT / registry.page(view).path), default_timeout=TIMEOUT)


@functools.cache
def page_info(page: str) -> PageInfo:
    at = app_test(page)
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    assert not at.exception, [e.value for e in at.exception]
    params = {k: (v if isinstance(v, str) else v[-1]) for k, v in at.query_params.items()}
    widgets = []
    for kind in WIDGET_KINDS:
        for w in getattr(at, kind):
            if not _disabled(w):
                widgets.append(_spec(kind, w))
    return PageInfo(params, widgets, seconds)


def find_widget(at: AppTest, spec: WidgetSpec) -> Any | None:
    """The widget of ``spec`` in the current run (None if the page did not draw it)."""
    for w in getattr(at, spec.kind):
        if (spec.key is not None and w.key == spec.key) or (
            spec.key is None and getattr(w, "label", None) == spec.label
        ):
            return None if _disabled(w) else w
    return None


# ----------------------------------------------------------------------------- checks


def _numeric_arrays(obj: Any, path: str = ""):
    """(path, array) for every numeric x/y/z-like array in a figure JSON tree."""
    if isinstance(obj, dict):
        if is_typed_array(obj):
            yield path, decode_plotly_array(obj)
            return
        for k, v in obj.items():
            if k in ("x", "y", "z", "customdata") and isinstance(v, list | tuple):
                arr = decode_plotly_array(v)
                if arr.dtype.kind in "fiu":
                    yield f"{path}.{k}", arr
                continue
            yield from _numeric_arrays(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _numeric_arrays(v, f"{path}[{i}]")


def check_page(at: AppTest, page: str, what: str) -> None:
    """No exception; plotly arrays without ±inf, NaN only where the page documents gaps."""
    assert not at.exception, f"{page} {what}: " + "\n".join(e.value for e in at.exception)
    gaps = NAN_GAPS.get(page, {})
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        for path, arr in _numeric_arrays(
            {"data": fig.get("data", []), "frames": fig.get("frames", [])}
        ):
            if arr.dtype.kind != "f":
                continue
            assert not np.isinf(arr).any(), f"{page} {what}: ±inf in chart {el.key}{path}"
            if np.isnan(arr).any():
                NAN_SEEN.add((page, el.key))
                assert el.key in gaps, (
                    f"{page} {what}: NaN in chart {el.key}{path}, which documents no gaps"
                )
                notice = gaps[el.key][1]
                if notice:
                    said = [e.value for e in (*at.warning, *at.info, *at.caption, *at.error)]
                    assert any(n in t for n in notice for t in said), (
                        f"{page} {what}: NaN gap in chart {el.key}{path} but no notice "
                        f"containing any of {notice!r} on the page"
                    )


def timed_run(at: AppTest) -> float:
    t0 = time.perf_counter()
    at.run()
    return time.perf_counter() - t0


class Tally:
    """Cases and seconds per (test, page), printed at the end of each test."""

    def __init__(self, name: str, page: str) -> None:
        self.name, self.page, self.t0 = name, page, time.perf_counter()
        self.times: list[float] = []
        self.slowest: list[tuple[float, str]] = []  # the 3 slowest cases

    def add(self, seconds: float, case: Any) -> None:
        self.times.append(seconds)
        self.slowest = sorted([*self.slowest, (seconds, repr(case))], reverse=True)[:3]

    def report(self) -> None:
        dt = time.perf_counter() - self.t0
        t = np.array(self.times or [0.0])
        print(
            f"FUZZ_TIMING {self.name} {self.page}: {len(self.times)} cases in {dt:.1f} s "
            f"(run p50 {np.median(t):.2f} s, p95 {np.percentile(t, 95):.2f} s, max {t.max():.2f} s)"
        )
        for seconds, case in self.slowest:
            tag = "FUZZ_SLOW" if seconds > SLOW_S else "FUZZ_SLOWEST"
            print(f"{tag} {self.name} {self.page}: {seconds:.2f} s for {case}")


# ----------------------------------------------------------------------------- strategies

NASTY = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "-0",
    "0",
    "+0",
    "-1",
    "1e308",
    "-1e308",
    "1e400",
    "-1e400",
    "5e-324",
    str(10**400),
    "9" * 64,
    "1" * 65,
    "0x10",
    "1_000",
    "١٢",  # Arabic-Indic digits: float() accepts them
    "1,2,3",
    "10,20,",
    ",",
    "1,,2",
    "true",
    "yes",
    "None",
    "null",
    "[]",
    "{}",
    "' OR 1=1 --",
    "1; DROP TABLE users",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[x](https://evil.example)",
    "https://evil.example",
    "**bold** _it_",
    "$\\frac{1}{2}$",
    ":red[x] :material/home:",
    "`code`",
    "../../etc/passwd",
    "%00",
    "\x00",
    "5\n",
    "\n\n# heading",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "a" * 200,
    "é" * 40,
    "🧠" * 30,
]
# Streamlit keeps these in the URL whatever the page does (embedding options)
STREAMLIT_PARAMS = {"embed", "embed_options"}
JUNK_KEYS = [
    "foo",
    "WIDTH",
    "width ",
    "__proto__",
    "<b>x</b>",
    "page",
    "embed",
    "embed_options",
    "x" * 80,
    "",
]


def valid_values(info: PageInfo, param: str) -> list[str]:
    """URL strings the page should accept for ``param``: its default and its widget's options."""
    out = {info.params[param]}
    for w in info.widgets:
        if w.key is None or w.key.split(":", 1)[-1] != param:
            continue
        if w.kind in ("select_slider", "selectbox", "radio"):
            out.update(str(v) for v in w.values)
        elif w.kind == "multiselect":
            out.update(str(v) for v in w.values)
            out.add(",".join(str(v) for v in w.values[:3]))
        elif w.kind in ("checkbox", "toggle"):
            out.update(["0", "1"])
        elif w.lo is not None and w.hi is not None:
            for v in (w.lo, w.hi, 0.5 * (w.lo + w.hi)):
                out.add(str(int(v)) if w.is_int else f"{v:g}")
    return sorted(out)


def number_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-(10**6), 10**6).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.floats(-1e4, 1e4).map(lambda v: f"{v:g}"),
        st.integers(-(10**30), 10**30).map(str),
    )


def url_value(valid: list[str]) -> st.SearchStrategy[Any]:
    """A URL value: valid (1 in ~6), nasty, numeric, random unicode, or a repeated key."""
    single = st.one_of(
        st.sampled_from(valid),
        st.sampled_from(NASTY),
        st.sampled_from(NASTY),
        number_text(),
        st.text(max_size=30),
        st.text(max_size=30).map(lambda s: s + "," + s),
    )
    return st.one_of(single, single, single, st.lists(single, min_size=2, max_size=3))


@functools.cache
def query_strategy(page: str) -> st.SearchStrategy[dict[str, Any]]:
    info = page_info(page)
    names = sorted(info.params)
    valid = {n: valid_values(info, n) for n in names}
    junk = st.tuples(
        st.one_of(st.sampled_from(JUNK_KEYS), st.text(max_size=12)),
        url_value(["1"]),
    )
    if not names:
        return st.lists(junk, max_size=6).map(dict)
    real = st.sampled_from(names).flatmap(lambda n: st.tuples(st.just(n), url_value(valid[n])))
    return st.lists(st.one_of(real, real, real, junk), max_size=6).map(dict)


def widget_value(spec: WidgetSpec) -> st.SearchStrategy[Any]:
    if spec.kind in ("select_slider", "selectbox", "radio", "checkbox", "toggle"):
        return st.sampled_from(spec.values)
    if spec.kind == "multiselect":
        return st.lists(st.sampled_from(spec.values), unique=True)
    lo = spec.lo if spec.lo is not None else -1e6
    hi = spec.hi if spec.hi is not None else 1e6
    step = spec.step or 1.0
    n = math.floor((hi - lo) / step + 1e-9)
    k = st.one_of(st.just(0), st.just(n), st.integers(0, n))
    if spec.is_int:
        return k.map(lambda i: round(lo + i * step))
    return k.map(lambda i: round(min(hi, lo + i * step), 10))


def extreme_value(spec: WidgetSpec, top: bool) -> Any:
    if spec.kind == "select_slider":
        return spec.values[-1 if top else 0]
    lo, hi = spec.lo, spec.hi
    v = (hi if top else lo) if (hi if top else lo) is not None else None
    if v is None:
        return None
    return int(v) if spec.is_int else float(v)


def set_widget(w: Any, value: Any) -> None:
    if value is not None:
        w.set_value(value)


SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ----------------------------------------------------------------------------- tests


def test_pages_exist():
    assert VIEWS, "no pages in the registry"
    assert registry.check_files() == []


@pytest.mark.parametrize("page", VIEWS)
def test_random_url(page: str):
    info = page_info(page)  # a page without URL settings (Home) gets junk keys only
    tally = Tally("url", page)

    @settings(max_examples=URL_CASES, **SETTINGS)
    @given(query=query_strategy(page))
    def run_case(query: dict[str, Any]) -> None:
        at = app_test(page)
        for k, v in query.items():
            at.query_params[k] = v
        tally.add(timed_run(at), query)
        check_page(at, page, f"url {query!r}")
        # junk keys are dropped from the URL a page with settings writes back (when it got
        # that far); a page without URL settings (Home) does not touch the URL
        written = set(at.query_params) - STREAMLIT_PARAMS
        if info.params and written:
            assert written <= set(info.params), f"{page} kept {written - set(info.params)}"

    try:
        run_case()
    finally:
        tally.report()
        print("FUZZ_NAN_GAPS", sorted(NAN_SEEN))


@pytest.mark.parametrize("page", VIEWS)
def test_random_widgets(page: str):
    info = page_info(page)
    specs = [s for s in info.widgets if s.kind in RANGED or s.values]
    if not specs:  # nothing to set (Home without controls): its defaults must still render
        check_page(app_test(page).run(), page, "defaults")
        return
    tally = Tally("widgets", page)

    @settings(max_examples=WIDGET_CASES, **SETTINGS)
    @given(data=st.data())
    def run_case(data: st.DataObject) -> None:
        chosen = data.draw(
            st.lists(
                st.sampled_from(range(len(specs))), min_size=1, max_size=len(specs), unique=True
            )
        )
        values = {
            i: data.draw(widget_value(specs[i]), label=specs[i].key or specs[i].label)
            for i in chosen
        }
        at = app_test(page)
        at.run()
        check_page(at, page, "defaults")
        for i, v in values.items():
            w = find_widget(at, specs[i])
            if w is not None:
                set_widget(w, v)
        shown = {specs[i].key or specs[i].label: v for i, v in values.items()}
        tally.add(timed_run(at), shown)
        check_page(at, page, f"widgets {shown!r}")

    try:
        run_case()
    finally:
        tally.report()
        print("FUZZ_NAN_GAPS", sorted(NAN_SEEN))


def current_widgets(at: AppTest) -> list[tuple[WidgetSpec, Any]]:
    return [
        (_spec(kind, w), w) for kind in WIDGET_KINDS for w in getattr(at, kind) if not _disabled(w)
    ]


def set_extremes(at: AppTest, top: bool, shown: dict, only: tuple[str, ...] = ()) -> None:
    """Every ranged widget at its max (min); checkboxes and toggles on (off). With ``only``,
    just the ranged widgets whose label contains one of these words (and the toggles)."""
    for spec, w in current_widgets(at):
        if only and spec.kind in RANGED and not any(o in spec.label.lower() for o in only):
            continue
        if spec.kind in RANGED:
            v = extreme_value(spec, top)
        elif spec.kind in ("checkbox", "toggle"):
            v = top
        else:
            continue
        set_widget(w, v)
        shown[spec.key or spec.label] = v


def refusal(at: AppTest) -> str | None:
    """The message of a cost-guard refusal (layout.require_budget: st.error starting '⏱️')."""
    return next((e.value for e in at.error if e.value.startswith("⏱️")), None)


# the order in which test_budget_edge turns knobs down: the costliest first
EDGE_ORDER = ("width", "step", "depth", "point", "input", "pair", "seed")


def notch_down(at: AppTest, shown: dict) -> bool:
    """Lower the costliest ranged widget that is above its minimum by one notch."""
    ranked = sorted(
        (s for s in current_widgets(at) if s[0].kind in ("select_slider", "slider")),
        key=lambda sw: next(
            (i for i, word in enumerate(EDGE_ORDER) if word in sw[0].label.lower()),
            len(EDGE_ORDER),
        ),
    )
    for spec, w in ranked:
        if spec.kind == "select_slider":
            i = spec.values.index(w.value) if w.value in spec.values else 0
            if i > 0:
                w.set_value(spec.values[i - 1])
                shown[spec.key or spec.label] = spec.values[i - 1]
                return True
        elif w.value - spec.step >= spec.lo:
            v = w.value - spec.step
            v = round(v) if spec.is_int else round(v, 10)
            w.set_value(v)
            shown[spec.key or spec.label] = v
            return True
    return False


# Known defect, left for the next round: with every Real data widget at its maximum (all four
# sections switched on, the largest n_train, steps and seeds) each section fits the 5 s budget on
# its own but the page run as a whole takes longer than the fuzz's 30 s AppTest limit. Not
# strict: the case runs, and passes once the page budgets its sections together.
@pytest.mark.parametrize("top", [True, False], ids=["max", "min"])
@pytest.mark.parametrize("page", VIEWS)
def test_extremes(page: str, top: bool):
    streamlit.cache_data.clear()  # cold timings: earlier cases may have cached these views
    at = app_test(page)
    at.run()
    shown: dict[str, Any] = {}
    times = []
    # two passes: widgets drawn only for some settings (e.g. behind a toggle) appear after one
    for _ in range(2):
        set_extremes(at, top, shown)
        times.append(timed_run(at))
        check_page(at, page, f"{'max' if top else 'min'} {shown!r}")
    dt = max(times)
    refused = refusal(at)
    print(
        f"FUZZ_EXTREME {page} {'max' if top else 'min'}: {dt:.2f} s server time; "
        f"{'refused: ' + refused[:120] if refused else 'rendered'}; {shown}"
    )
    if dt > SLOW_S:
        print(f"FUZZ_SLOW extreme {page}: {dt:.1f} s > {SLOW_S} s budget")


@pytest.mark.parametrize("start", ["all_max", "wide"])
@pytest.mark.parametrize("page", VIEWS)
def test_budget_edge(page: str, start: str):
    """The most expensive views a visitor can get: from every widget at its maximum
    ("all_max"), or from the defaults with only the widths and steps at their maximum and the
    toggles on ("wide"), turn the costliest knob (widths first) down one notch at a time until
    the cost guard accepts. Print the server time of that accepted view."""
    only = ("width", "step") if start == "wide" else ()
    streamlit.cache_data.clear()  # cold timings: earlier cases may have cached these views
    at = app_test(page)
    at.run()
    shown: dict[str, Any] = {}
    set_extremes(at, True, shown, only)
    times = [timed_run(at)]  # the accepted view may be computed here already (then cached)
    set_extremes(at, True, shown, only)  # widgets that appeared with the toggles on
    times.append(timed_run(at))
    check_page(at, page, f"edge {shown!r}")
    steps = 0
    while refusal(at) and steps < 60 and notch_down(at, shown):
        steps += 1
        times.append(timed_run(at))
        check_page(at, page, f"edge {shown!r}")
    refused = refusal(at)
    dt = max(times)  # a refused run is cheap: the slowest run is the accepted view's
    notes = [e.value[:100] for e in at.info if "⏱" in e.value or "budget" in e.value]
    print(
        f"FUZZ_EDGE {page} {start}: {dt:.2f} s server time after {steps} notches down; "
        f"{'still refused: ' + refused[:120] if refused else 'rendered'}; {shown}"
        + (f"; scaled down: {notes}" if notes else "")
    )
    if dt > SLOW_S:
        print(f"FUZZ_SLOW edge {page} {start}: {dt:.1f} s > {SLOW_S} s budget")
