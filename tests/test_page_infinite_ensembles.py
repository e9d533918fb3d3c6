"""Infinite ensembles: the engine behind the page, and the page in AppTest."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import ntk_core as nc
from ntk_core import ensemble_bands as eb
from ntk_core.setups import eval_grid


def test_bands_start_at_the_prior_and_members_sample_them():
    """At step 0 the Gaussian is the prior: mean 0 and σ² = K(x*, x*) (NNGP). A wide erf
    ensemble (width 4,000, 24 nets) matches mean and σ within Monte-Carlo error (measured: mean
    within 0.015, σ ratio 0.99–1.05). ReLU nets converge more slowly here: the all-layers
    ensemble mean is 0.20 / 0.15 / 0.08 away at widths 1,000 / 4,000 / 16,000 with these
    6 points, so they are not the test's oracle."""
    x = nc.make_inputs("grid", 6)
    y = nc.target_function("sin", x)
    xt = eval_grid(21)
    net = nc.MLP(1, 4000, "erf", bias_std=0.5)
    b = eb.ensemble_bands(x, y, xt, net, n_members=24, seed=1, steps_grid=(0, 10, 100))
    prior = nc.analytic_kernels(xt, depth=1, activation="erf", weight_std=net.sigma_w,
                                bias_std=0.5).nngp
    for kind in eb.KINDS:
        np.testing.assert_allclose(b.mean[kind][0], 0.0, atol=1e-12)
        np.testing.assert_allclose(b.std[kind][0], np.sqrt(np.diag(prior)), rtol=1e-9)
        assert b.times(kind)[-1] == math.inf and b.mean[kind].shape == (4, 21)
        members = b.members[kind][:, -1]  # (N, n_test) at step 100
        sd = b.std[kind][2]
        # the mean of 24 samples is within 4 standard errors of the Gaussian's mean
        assert np.all(np.abs(members.mean(0) - b.mean[kind][2]) < 4 * sd / np.sqrt(24) + 0.01)
        ratio = members.std(0, ddof=1).mean() / sd.mean()
        assert 0.8 < ratio < 1.25, (kind, ratio)


def test_step_size_is_half_the_stable_limit():
    x = nc.make_inputs("grid", 8)
    net = nc.MLP(1, 10, "relu", bias_std=0.5)
    theta = nc.analytic_kernels(x, depth=1, weight_std=net.sigma_w, bias_std=0.5).ntk
    assert eb.step_size(x, net, "ntk") == pytest.approx(1 / np.linalg.eigvalsh(theta)[-1])


def _page(**query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=300)
    at.run()
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page("pages/8_Infinite_ensembles.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_draws_both_bands_with_frames_for_every_time():
    at = _page()
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(fig["frames"]) == len(eb.STEPS_GRID) + 1
    assert [s["label"] for s in fig["layout"]["sliders"][0]["steps"]][-1] == "∞"
    text = "\n".join(m.value for m in at.markdown)
    assert "arxiv.org/abs/1711.00165" in text and "arxiv.org/abs/1902.06720" in text


def test_url_state_and_a_too_wide_link_is_brought_down():
    at = _page(width="100000", members="30", t="30", target="step")
    assert at.query_params["t"] == ["30"] or at.query_params["t"] == "30"
    assert int(at.select_slider(key="infinite_ensembles:width").value) <= 100_000
    assert not at.error


def test_convergence_section_runs_when_opened():
    at = _page(n="5", members="3")
    at.toggle(key="conv_on").set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2
