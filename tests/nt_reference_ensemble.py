"""neural-tangents' infinite ensembles for tests/test_ensemble_vs_nt.py (run by ITS interpreter).

Not a test module: it runs under a separate interpreter that has neural-tangents 0.6.5 and JAX
(see that test). Usage: ``python nt_reference_ensemble.py IN.json OUT.npz``. Each case in IN
gives the data (``x_train``, ``y_train``, ``x_test`` as nested lists, or ``"data": "digits"``
to load scikit-learn's digits here and return them), the architecture and ``ts`` in OUR time
units. For each case and each of "ntk", "nngp" it writes ``gradient_descent_mse_ensemble``'s
mean and covariance at every t and at t = None (infinity), and the data used.
"""

import json
import sys

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

from neural_tangents import predict, stax  # noqa: E402


def _digits(n_train: int, n_test: int):
    from sklearn.datasets import load_digits

    x, labels = load_digits(return_X_y=True)
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1.0)  # 64 standardised pixels
    y = np.eye(10)[labels] - 0.1  # one-hot, centred: 10 outputs
    return x[:n_train], y[:n_train], x[n_train : n_train + n_test]


def _kernel_fn(depth: int, activation: str, w_std: float, b_std: float):
    phi = {"relu": stax.Relu, "erf": stax.Erf}[activation]
    layers = []
    for _ in range(depth):
        layers += [stax.Dense(512, W_std=w_std, b_std=b_std, parameterization="ntk"), phi()]
    layers.append(stax.Dense(1, W_std=w_std, b_std=b_std, parameterization="ntk"))
    return stax.serial(*layers)[2]


def main(path_in: str, path_out: str) -> None:
    with open(path_in) as fh:
        cases = json.load(fh)
    out = {}
    for i, case in enumerate(cases):
        if case.get("data") == "digits":
            x_train, y_train, x_test = _digits(case["n_train"], case["n_test"])
        else:
            x_train, y_train, x_test = (
                np.asarray(case[k], dtype=np.float64) for k in ("x_train", "y_train", "x_test")
            )
        y2 = y_train if y_train.ndim == 2 else y_train[:, None]
        kernel_fn = _kernel_fn(case["depth"], case["activation"], case["w_std"], case["b_std"])
        fn = predict.gradient_descent_mse_ensemble(
            kernel_fn, x_train, y2, learning_rate=1.0, diag_reg=case["diag_reg"],
            diag_reg_absolute_scale=True,
        )
        # neural-tangents' loss is averaged over y.size targets: its t is ours times n·k.
        ts_nt = np.asarray(case["ts"], dtype=np.float64) * y2.size
        for get in ("ntk", "nngp"):
            fin = fn(t=ts_nt, x_test=x_test, get=get, compute_cov=True)
            inf = fn(t=None, x_test=x_test, get=get, compute_cov=True)
            out[f"{i}/{get}/mean"] = np.asarray(fin.mean)
            out[f"{i}/{get}/cov"] = np.asarray(fin.covariance)
            out[f"{i}/{get}/mean_inf"] = np.asarray(inf.mean)
            out[f"{i}/{get}/cov_inf"] = np.asarray(inf.covariance)
        out[f"{i}/x_train"], out[f"{i}/y_train"], out[f"{i}/x_test"] = x_train, y2, x_test
    np.savez(path_out, **out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
