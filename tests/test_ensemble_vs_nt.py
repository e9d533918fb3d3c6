"""Optional local cross-check of infinite_ensemble against neural-tangents (never in CI).

neural-tangents 0.6.5 needs old pins (JAX 0.4.23, NumPy 1.26, TensorFlow 2.15), so it lives in a
separate virtual environment outside the repository, e.g.::

    python3.11 -m venv /work/nt-venv
    /work/nt-venv/bin/pip install "jax==0.4.23" "jaxlib==0.4.23" "neural-tangents==0.6.5" \
        "numpy==1.26.4" "scipy==1.12.0" "tensorflow==2.15.1" "scikit-learn==1.5.2"

The test runs tests/nt_reference_ensemble.py under that interpreter (``NT_PYTHON``, default
/work/nt-venv/bin/python) and skips when it is missing. It compares
``predict.gradient_descent_mse_ensemble(..., diag_reg_absolute_scale=True)`` with
:func:`ntk_core._ensemble.infinite_ensemble_model` over NTK and NNGP, finite and infinite t, ReLU
and erf, depths 1-3, with and without diag_reg, on toy inputs, a random multi-output problem and
scikit-learn's digits (64 pixels, 10 outputs): means to 1e-6 and covariances to 1e-5, each
relative to the largest entry of neural-tangents' array.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ntk_core import circle_points
from ntk_core._ensemble import infinite_ensemble_model

NT_PYTHON = Path(os.environ.get("NT_PYTHON", "/work/nt-venv/bin/python"))
SCRIPT = Path(__file__).with_name("nt_reference_ensemble.py")
MEAN_RTOL, COV_RTOL = 1e-6, 1e-5

pytestmark = [
    pytest.mark.skipif(not NT_PYTHON.exists(),
                       reason=f"no neural-tangents interpreter at {NT_PYTHON} (NT_PYTHON)"),
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # JAX start-up and un-jitted kernels: minutes on a busy box
]


def _cases() -> list[dict]:
    """Architectures x data sets, each with times in OUR units (t = lr · steps)."""
    rng = np.random.default_rng(2024)
    x1 = np.linspace(-2.0, 2.0, 7)[:, None]
    data = {
        "line": (x1, np.sin(1.3 * x1[:, 0]), np.linspace(-3.0, 3.0, 11)[:, None]),
        "circle": (
            circle_points(np.linspace(0.0, 2 * np.pi, 9, endpoint=False)),
            np.cos(3 * np.linspace(0.0, 2 * np.pi, 9, endpoint=False)),
            circle_points(np.linspace(0.1, 2 * np.pi, 13, endpoint=False)),
        ),
        "multi": (rng.standard_normal((12, 5)), rng.standard_normal((12, 4)),
                  rng.standard_normal((8, 5))),
    }
    archs = [
        (1, "relu", 1.4, 0.0), (2, "relu", 1.2, 0.4), (3, "relu", 1.6, 0.1),
        (1, "erf", 1.0, 0.3), (2, "erf", 2.0, 0.0), (3, "erf", 1.3, 0.7),
    ]
    cases = []
    for i, (depth, act, w_std, b_std) in enumerate(archs):
        for j, (name, (x, y, xt)) in enumerate(data.items()):
            if name == "line" and act == "relu" and b_std == 0.0:
                continue  # a bias-free ReLU net on 1-D inputs has a rank-2 kernel
            cases.append({
                "name": f"{name}/depth{depth}/{act}/w{w_std}/b{b_std}",
                "x_train": x.tolist(), "y_train": y.tolist(), "x_test": xt.tolist(),
                "depth": depth, "activation": act, "w_std": w_std, "b_std": b_std,
                "diag_reg": (0.0, 1e-2, 0.3)[(i + j) % 3], "ts": [0.0, 0.05, 0.7, 6.0],
            })
    for depth, act, reg in [(1, "relu", 0.0), (2, "erf", 1e-3), (3, "relu", 0.1)]:
        cases.append({
            "name": f"digits/depth{depth}/{act}", "data": "digits", "n_train": 150,
            "n_test": 40, "depth": depth, "activation": act, "w_std": 1.5, "b_std": 0.2,
            "diag_reg": reg, "ts": [0.01, 0.3, 5.0],
        })
    return cases


def _rel(ours: np.ndarray, ref: np.ndarray) -> float:
    return float(np.abs(ours - ref).max() / max(np.abs(ref).max(), 1e-300))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    cases = _cases()
    tmp = tmp_path_factory.mktemp("nt")
    (tmp / "in.json").write_text(json.dumps(cases))
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [str(NT_PYTHON), str(SCRIPT), str(tmp / "in.json"), str(tmp / "out.npz")],
        capture_output=True, text=True, timeout=1800, env=env, check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"neural-tangents reference failed:\n{done.stderr[-3000:]}")
    with np.load(tmp / "out.npz") as out:
        return cases, dict(out)


def test_matches_neural_tangents(reference):
    cases, out = reference
    worst = {"mean": (0.0, ""), "cov": (0.0, "")}
    failures = []
    for i, case in enumerate(cases):
        x, y, xt = out[f"{i}/x_train"], out[f"{i}/y_train"], out[f"{i}/x_test"]
        for kernel in ("ntk", "nngp"):
            model = infinite_ensemble_model(
                x, y, xt, depth=case["depth"], activation=case["activation"],
                weight_std=case["w_std"], bias_std=case["b_std"], kernel=kernel,
                diag_reg=case["diag_reg"],
            )
            path, inf = model.path(case["ts"]), model.at(None)
            assert inf.note == ""
            label = f"{case['name']}/{kernel}/reg{case['diag_reg']}"
            for what, ours, ref, tol in [
                ("mean", path.means, out[f"{i}/{kernel}/mean"], MEAN_RTOL),
                ("cov", path.covs, out[f"{i}/{kernel}/cov"], COV_RTOL),
                ("mean", inf.mean, out[f"{i}/{kernel}/mean_inf"], MEAN_RTOL),
                ("cov", inf.cov, out[f"{i}/{kernel}/cov_inf"], COV_RTOL),
            ]:
                err = _rel(ours, ref)
                if err > worst[what][0]:
                    worst[what] = (err, label)
                if not err <= tol:
                    failures.append(f"{label} {what}: {err:.3g}")
    print(f"\n{len(cases)} cases x 2 kernels; worst relative errors: "
          f"mean {worst['mean'][0]:.2e} ({worst['mean'][1]}), "
          f"cov {worst['cov'][0]:.2e} ({worst['cov'][1]})", file=sys.stderr)
    assert not failures, failures


def test_time_normalisation_matters(reference):
    """The comparison can fail: without neural-tangents' factor n·k on t the means differ."""
    cases, out = reference
    i = next(j for j, c in enumerate(cases) if c["name"].startswith("multi"))
    case = cases[i]
    x, y, xt = out[f"{i}/x_train"], out[f"{i}/y_train"], out[f"{i}/x_test"]
    model = infinite_ensemble_model(
        x, y, xt, depth=case["depth"], activation=case["activation"], weight_std=case["w_std"],
        bias_std=case["b_std"], diag_reg=case["diag_reg"],
    )
    wrong = model.path(np.asarray(case["ts"]) / y.size).means  # t read in its units
    assert _rel(wrong, out[f"{i}/ntk/mean"]) > 1e-2
