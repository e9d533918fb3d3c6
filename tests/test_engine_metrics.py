"""Kernel metrics against direct computations written out here."""

import math

import numpy as np
import pytest

import ntk_core as nc


def test_relative_frobenius_and_alignment_against_flattened_vectors():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 5)), rng.standard_normal((5, 5))
    va, vb = a.ravel(), b.ravel()
    assert nc.relative_frobenius(a, b) == pytest.approx(
        math.sqrt(sum((p - q) ** 2 for p, q in zip(va, vb, strict=True)))
        / math.sqrt(sum(q * q for q in vb))
    )
    cos = sum(p * q for p, q in zip(va, vb, strict=True)) / (
        math.sqrt(sum(p * p for p in va)) * math.sqrt(sum(q * q for q in vb))
    )
    assert nc.alignment_distance(a, b) == pytest.approx(1 - cos)


def test_alignment_is_scale_free_and_spans_zero_to_two():
    k = np.array([[2.0, 1.0], [1.0, 2.0]])
    assert nc.alignment_distance(k, 7.0 * k) == pytest.approx(0.0, abs=1e-15)
    assert nc.alignment_distance(k, -k) == pytest.approx(2.0)
    assert nc.alignment_distance(np.diag([1.0, 0.0]), np.diag([0.0, 1.0])) == pytest.approx(1.0)
    assert math.isnan(nc.alignment_distance(k, np.zeros((2, 2))))
    assert math.isnan(nc.relative_frobenius(k, np.zeros((2, 2))))
    with pytest.raises(ValueError):
        nc.alignment_distance(k, np.eye(3))


def test_spectrum_is_sorted_clipped_and_matches_eig():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((6, 3))
    k = a @ a.T  # rank 3: three zero eigenvalues that rounding may make slightly negative
    lam = nc.spectrum(k)
    assert np.all(np.diff(lam) <= 0) and lam.min() >= 0
    ref = np.sort(np.linalg.eigvals(k).real)[::-1]
    np.testing.assert_allclose(lam, np.clip(ref, 0, None), atol=1e-12)


def test_loglog_slope_recovers_a_power_law_and_its_noise():
    x = np.array([10.0, 100.0, 1000.0, 10000.0])
    slope, err = nc.loglog_slope(x, 3.0 * x**-0.5)
    assert slope == pytest.approx(-0.5) and err == pytest.approx(0.0, abs=1e-12)
    noisy = 3.0 * x**-0.5 * np.array([1.1, 0.9, 1.05, 0.95])
    slope, err = nc.loglog_slope(x, noisy)
    assert abs(slope + 0.5) < 0.05 and 0 < err < 0.05
    assert all(math.isnan(v) for v in nc.loglog_slope([1.0], [1.0]))
    slope, err = nc.loglog_slope([1.0, 10.0, 100.0], [1.0, 0.0, 0.01])  # zero is ignored
    assert slope == pytest.approx(-1.0) and math.isnan(err)


def test_kernel_shift_separates_scale_from_shape():
    """A pure rescaling moves the Frobenius distance and the trace ratio, not the alignment
    measures; a change of shape moves the alignment distance. Values written out here."""
    from ntk_core._metrics import kernel_shift

    rng = np.random.default_rng(5)
    a = rng.normal(size=(6, 6))
    theta0 = a @ a.T + np.eye(6)
    y = rng.normal(size=6)
    scaled = kernel_shift(theta0, 3.0 * theta0, y)
    assert scaled.frobenius == pytest.approx(2.0)
    assert scaled.trace_ratio == pytest.approx(3.0)
    assert scaled.alignment == pytest.approx(0.0, abs=1e-12)
    assert scaled.target_alignment_t == pytest.approx(scaled.target_alignment_0)
    kta = y @ theta0 @ y / (np.sqrt(np.sum(theta0**2)) * (y @ y))
    assert scaled.target_alignment_0 == pytest.approx(kta)
    shaped = kernel_shift(theta0, theta0 + 5.0 * np.outer(y, y), y)
    assert shaped.alignment > 0.01 and shaped.target_alignment_t > shaped.target_alignment_0
    broken = kernel_shift(theta0, np.full((6, 6), np.nan), y)
    assert np.isnan(broken.frobenius) and np.isnan(broken.trace_ratio)
