"""Claims: each claim of the original article and of the papers beside what the engine measures
now (sections of pages/5_Claims.py).

Verdicts are coloured text badges (``ntk_app.format.badge``); a claim's link is built from its
view and settings by ``ntk_app.registry``; the rate rows (:mod:`ntk_core.claims_rates`, about a
minute) are computed only when asked for, within the operator's ceiling.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from ntk_core import _claims_ensembles, _claims_realdata, claims_rates
from ntk_core.claims import Claim, evaluate_claims

from .. import datasets
from .. import format as fmt
from ..budget import long_run, memo
from ..layout import cached
from ..registry import Page, page

# Papers named in the claims' sources, linked where they appear.
PAPERS = {
    "Jacot et al. 2018": "https://arxiv.org/abs/1806.07572",
    "Lee et al. 2019": "https://arxiv.org/abs/1902.06720",
    "Du et al. 2019": "https://arxiv.org/abs/1810.02054",
    "Mei et al. 2018": "https://arxiv.org/abs/1804.06561",
    "Chizat & Bach 2018": "https://arxiv.org/abs/1805.09545",
    "Yang & Hu 2021": "https://arxiv.org/abs/2011.14522",
    "Dyer & Gur-Ari 2020": "https://arxiv.org/abs/1909.11304",
    "neural-tangents README": "https://github.com/google/neural-tangents#readme",
    "neural-tangents Cookbook": "https://colab.research.google.com/github/google/"
    "neural-tangents/blob/main/notebooks/neural_tangents_cookbook.ipynb",
    "Lee et al. 2018": "https://arxiv.org/abs/1711.00165",
    "Lee et al. 2020": "https://arxiv.org/abs/2007.15801",
    "Arora et al. 2020": "https://arxiv.org/abs/1910.01663",
}


@cached(max_entries=16)
def measure(seed: int) -> tuple[list[Claim], float]:
    """Every claim but the rates at ``seed``, and the seconds it took (cached per seed)."""
    t0 = time.perf_counter()
    rows = evaluate_claims(seed)
    return rows, time.perf_counter() - t0


@memo(max_entries=8)
def _rates(seed: int, sizes: tuple, _progress=None) -> list[Claim]:
    """The three rate rows at ``seed``; ``sizes`` (the fit's widths, seeds and pairs) is part of
    the cache key only."""
    return claims_rates.rate_claims(seed, progress=_progress)


def rate_sizes() -> tuple:
    """The rate fit's sizes as they are now: widths, trained seeds, init pairs."""
    return (tuple(claims_rates.CLAIM_WIDTHS), claims_rates.CLAIM_SEEDS, claims_rates.CLAIM_PAIRS)


@memo(max_entries=8)
def _ensembles(seed: int, sizes: tuple, _progress=None) -> list[Claim]:
    """The two finite-ensemble rows at ``seed`` (``sizes``: cache key only)."""
    return _claims_ensembles.convergence_claims(seed, progress=_progress)


def ensemble_sizes() -> tuple:
    """The convergence fit's widths and ensemble size as they are now."""
    return (tuple(_claims_ensembles.CONV_WIDTHS), _claims_ensembles.CONV_MEMBERS)


@memo(max_entries=8)
def _real(seed: int, names: tuple, sizes: tuple, _progress=None) -> list[Claim]:
    """The real-data rows at ``seed`` on the bundled sets ``names``, with the SVM baseline
    fitted live on the claims' split (``sizes``: cache key only)."""
    sets = datasets.claim_sets(names)
    return _claims_realdata.real_data_claims(
        sets, seed, baselines=datasets.svm_baselines(sets, seed),
        baseline_name=datasets.SVM_BASELINE, progress=_progress)


def real_sizes() -> tuple:
    """The real-data rows' sizes as they are now (cache key)."""
    m = _claims_realdata
    return (m.N_TRAIN, m.N_TEST, m.WIDTH, m.STEPS, m.SEEDS)


def real_cost():
    """Estimated cost of the real-data rows on :data:`ntk_app.datasets.CLAIM_SETS`."""
    shapes = {}
    for n in datasets.CLAIM_SETS:
        ds = datasets.load_bundled(n)
        shapes[n] = (ds.x.shape[0], ds.x.shape[1], ds.n_classes)
    return _claims_realdata.real_data_claims_cost(shapes)


def page_of(c: Claim) -> Page | None:
    """The claim's page, or None when this build has no page for its view (the row is then
    shown without a link)."""
    try:
        return page(c.view)
    except KeyError:
        return None


def linked(source: str) -> str:
    """The source with each paper it names linked (arXiv, or the repository's README)."""
    for name, url in PAPERS.items():
        source = source.replace(name, f"[{name}]({url})")
    return source


def link(c: Claim) -> str:
    """The app-relative link of the claim's view with its settings ("" without a page)."""
    target = page_of(c)
    return target.url(c.settings) if target else ""


def intro() -> None:
    """One paragraph: what a row is."""
    st.markdown(
        "The original article (*Neural Tangent Kernels from Scratch*) makes concrete claims in "
        "its five listings **L1–L5**, and the NTK papers make others. Each row puts a claim "
        "beside the value this app's engine **measures now**, at the seed in the sidebar, with "
        "a verdict that follows the number; the button opens the page that shows the same "
        "experiment with the same settings."
    )


def summary(claims: Sequence[Claim]) -> None:
    """Counts: all claims, the article's and the papers' that hold."""
    article = [c for c in claims if c.from_article]
    papers = [c for c in claims if not c.from_article]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Claims checked", len(claims))
    m2.metric("Hold", sum(c.holds for c in claims))
    m3.metric("Article (L1–L5): hold", f"{sum(c.holds for c in article)} of {len(article)}",
              help="Claims of the article's listings L1–L5 and the theory it states, as its "
              "code runs them, and the same experiments done right.")
    m4.metric("Papers: hold", f"{sum(c.holds for c in papers)} of {len(papers)}",
              help="Jacot et al. 2018, Lee et al. 2019, the mean-field papers and the "
              "neural-tangents README.")


def claim_row(c: Claim) -> None:
    """One claim: badge and statement, claimed (typeset when a formula) and measured, the
    reason, and a button to its view."""
    target = page_of(c)
    with st.container(border=True):
        left, mid, right = st.columns([3.0, 3.2, 2.0], vertical_alignment="center")
        left.markdown(f"{fmt.badge(c.holds)} **{c.claim}**")
        left.caption(f"{linked(c.source)} · `{c.id}`")
        formula = f"  \n${c.formula}$" if c.formula else ""
        mid.markdown(f"**Claimed:** {c.claimed}{formula}  \n**Measured now:** {c.measured_text}")
        mid.caption(c.reason)
        if target is None:
            right.caption(f"The {c.view.replace('_', ' ')} page is not in this build.")
        else:
            right.link_button(target.title, link(c), icon=target.icon, width="stretch",
                              help="Opens the page with these settings: " + link(c))


def claim_list(title: str, claims: Sequence[Claim]) -> None:
    """A subheader and one row per claim."""
    st.subheader(title)
    for c in claims:
        claim_row(c)


def rate_section(seed: int) -> list[Claim]:
    """The rates of kernel motion (spread, change for erf and ReLU): fitted slopes over widths
    1,000 … 16,000, computed on request (a button with the estimate) with a progress bar, and
    cached per seed. Returns the rows once computed, else an empty list."""
    st.subheader("Rates of kernel motion")
    st.markdown(
        "How fast the NTK's motion falls with the width m, as fitted log-log slopes. The "
        "spread between two initialisations falls like $m^{-1/2}$ for every activation (a "
        "central limit theorem over the units). The change during training is at most "
        "$O(m^{-1/2})$ ([Lee et al. 2019](https://arxiv.org/abs/1902.06720)), a bound: erf "
        "nets move by $\\approx 1/m$ (sign cancellation, "
        "[Dyer & Gur-Ari 2020](https://arxiv.org/abs/1909.11304)), ReLU nets by "
        "$\\approx m^{-1/2}$ (gate flips)."
    )
    if not long_run(claims_rates.rate_claims_cost(), what="Fitting the three rates",
                    key=f"claim-rates-{seed}"):
        return []
    return _show_rows(lambda p: _rates(seed, rate_sizes(), _progress=p),
                      "Training networks for the rate fits")


def _show_rows(compute, label: str) -> list[Claim]:
    """Rows computed by ``compute(progress)`` under a progress bar, then shown; an error is
    shown in this section only."""
    bar = st.progress(0.0, text=label + "…")
    try:
        rows = compute(lambda f: bar.progress(min(max(f, 0.0), 1.0),
                                              text=f"{label} ({f:.0%})"))
    except Exception as err:  # one section's failure must not blank the page
        bar.empty()
        st.error(f"{label} failed: {err}")
        return []
    bar.empty()
    st.markdown(f"{sum(c.holds for c in rows)} of {len(rows)} hold.")
    for c in rows:
        claim_row(c)
    return rows


def ensembles_section(seed: int, cookbook: Sequence[Claim]) -> list[Claim]:
    """The Cookbook's rows (measured with the others), then the two finite-ensemble rows,
    computed within the budget or on request, with a progress bar, cached per seed."""
    st.subheader("Infinite ensembles")
    st.markdown(
        "At infinite width, nets trained from random inits form a Gaussian: NTK gradient "
        "descent for all layers ([Lee et al. 2019](https://arxiv.org/abs/1902.06720), eq. 16), "
        "the NNGP posterior for the readout alone "
        "([Lee et al. 2018](https://arxiv.org/abs/1711.00165)). The first rows check the "
        "[neural-tangents Cookbook]"
        f"({PAPERS['neural-tangents Cookbook']})'s statements on its own set-up; the last "
        "two train real ensembles."
    )
    for c in cookbook:
        claim_row(c)
    if not long_run(_claims_ensembles.convergence_cost(),
                    what="Training the finite ensembles", key=f"claim-ensembles-{seed}"):
        return []
    return _show_rows(lambda p: _ensembles(seed, ensemble_sizes(), _progress=p),
                      "Training finite ensembles at seven widths")


def real_data_section(seed: int) -> list[Claim]:
    """Lee et al. 2020 and Arora et al. 2020 on the bundled digits and wine sets, computed
    within the budget or on request, with a progress bar, cached per seed."""
    st.subheader("Real data")
    m = _claims_realdata
    st.markdown(
        "[Lee et al. 2020](https://arxiv.org/abs/2007.15801) and "
        "[Arora et al. 2020](https://arxiv.org/abs/1910.01663) on scikit-learn's bundled "
        f"{' and '.join(datasets.CLAIM_SETS)} sets: at most {m.N_TRAIN} training and "
        f"{m.N_TEST} test rows (seeded, stratified), rows centred and scaled to unit norm, "
        f"one hidden ReLU layer, finite nets of width {m.WIDTH} ({m.SEEDS} seeds, "
        f"{m.STEPS} steps). The baseline is an RBF-kernel SVM fitted live on the same split."
    )
    try:
        cost = real_cost()
    except Exception as err:  # the bundled sets could not be read
        st.error(f"The bundled data sets could not be loaded: {err}")
        return []
    if not long_run(cost, what="Measuring the real-data claims", key=f"claim-real-{seed}"):
        return []
    return _show_rows(lambda p: _real(seed, tuple(datasets.CLAIM_SETS), real_sizes(),
                                      _progress=p), "Training nets on digits and wine")


def claims_frame(claims: Sequence[Claim], seed: int) -> pd.DataFrame:
    """The claims as one table (index: id), with each view's link and the seed."""
    return pd.DataFrame(
        {
            "verdict": [c.verdict for c in claims],
            "claim": [c.claim for c in claims],
            "source": [c.source for c in claims],
            "claimed": [c.claimed for c in claims],
            "measured": [c.measured_text for c in claims],
            "reason": [c.reason for c in claims],
            "page": [link(c) for c in claims],
            "seed": seed,
        },
        index=pd.Index([c.id for c in claims], name="id"),
    )


def table(frame: pd.DataFrame) -> None:
    """The claims table in an expander, with links to the pages."""
    with st.expander("All claims as one table", icon=":material/table:"):
        st.dataframe(
            frame.drop(columns="seed"),
            column_config={
                "page": st.column_config.LinkColumn(
                    "page", display_text=r"^(\w+)\?", help="Opens the page with these settings."),
                "claim": st.column_config.TextColumn(width="large"),
                "reason": st.column_config.TextColumn(width="large"),
            },
        )


def to_csv(frame: pd.DataFrame) -> bytes:
    """The claims table as CSV."""
    buf = io.StringIO()
    frame.to_csv(buf)
    return buf.getvalue().encode()


def _by_id(claims: Sequence[Claim]) -> dict[str, Claim]:
    return {c.id: c for c in claims}


def why_they_differ(claims: Sequence[Claim]) -> None:
    """Three choices in the article's code behind most failures, the missing bias first; the
    numbers are read from the claims measured now."""
    c = _by_id(claims)
    reach = c["L4-table"].details["reachable_fraction"]
    rank = c["L1-rbf"].details["circle_bias_free_rank"]
    gap = c["article-analytic"].details["exact_gap"]
    st.subheader("Why the article's numbers differ")
    st.markdown(
        "**1. No bias.** Without one a ReLU network is positively homogeneous: on 1-D inputs "
        "$f(x) = c_+ x$ for $x > 0$ and $c_- x$ for $x < 0$, whatever the weights. Its NTK has "
        "rank 2 and $\\lambda_{\\min} = 0$; gradient descent cannot fit a sine and stalls at "
        f"the best two-slope fit: on L4's data only {fmt.pct(reach, 2)} of the loss can be "
        "removed, so its networks have almost nothing to learn and every width stays lazy. "
        "**Use a bias, $\\sigma_b > 0$.** Inputs on the unit circle are not enough: the "
        f"bias-free depth-1 NTK of 20 points on the circle has rank {rank} of 20."
    )
    st.markdown(
        "**2. A learning rate ∝ 1/width.** With $\\eta = 0.5/m$ for 300 steps the training "
        "time $\\eta T = 150/m$ shrinks with the width. With a fixed $\\eta$ in the NTK "
        "parameterization the kernel change is at most $O(m^{-1/2})$; its rate depends on the "
        "activation (see the rates above)."
    )
    st.markdown(
        "**3. A mixed parameterization.** Its network draws He-scaled hidden weights and a "
        "readout $a \\sim \\mathcal N(0, 1/m)$ *and* multiplies by a further $1/\\sqrt m$: the "
        "hidden layer's share of the NTK is $O(1/m)$ and the kernel tends to the "
        "random-features kernel $2T(K_0)$, while its analytic formula is the $\\sigma_w = 1$ "
        f"NTK. They agree on bias-free 1-D inputs and are {fmt.pct(gap, 2)} apart on the unit "
        "circle."
    )
    st.latex(
        r"\begin{aligned}"
        r"&\text{The article's network:}\\"
        r"&f(x)=\tfrac{1}{\sqrt m}\textstyle\sum_j a_j\,\mathrm{relu}(w_j^\top x),"
        r"\quad w_j\sim\mathcal N(0,\tfrac{2}{d}I),\ a_j\sim\mathcal N(0,\tfrac1m)\\"
        r"&\Longrightarrow\quad \Theta_m\to 2T(K_0)\ \neq\ T(K_0)+K_0\circ\dot T(K_0)"
        r"\end{aligned}"
    )
    st.latex(
        r"\begin{aligned}"
        r"&\text{NTK parameterization (this app):}\\"
        r"&f(x)=\tfrac{\sigma_w}{\sqrt m}\textstyle\sum_j v_j\,\mathrm{relu}"
        r"\big(\tfrac{\sigma_w}{\sqrt d}w_j^\top x+\sigma_b b_j\big)+\sigma_b b,"
        r"\quad v_j,w_j,b_j,b\sim\mathcal N(0,1)\\"
        r"&\Longrightarrow\quad \Theta_m\to\Theta_\infty\ \text{(arc-cosine recursion)}"
        r"\end{aligned}"
    )
    st.markdown(
        "The listings themselves are re-run done right by `python -m ntk_core reproduce`."
    )

