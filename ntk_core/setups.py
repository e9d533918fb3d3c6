"""The explorer's page set-ups, shared by the pages (``pages/*.py``) and the claims
(:mod:`ntk_core.claims`), so that a claim's measurement is the experiment its page shows.

Only fixed choices live here (point counts, test grids, sweep widths, default step sizes);
what a person can change on a page is a setting of that page.
"""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- width stability
WIDTH_STABILITY_POINTS = {"circle": 36, "grid": 33}  # circle: 10° steps; grid: step 0.125
WIDTH_STABILITY_SWEEP = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000)  # default sweep

# ----------------------------------------------------------------------------- training dynamics
TRAINING_POINTS = 15  # default number of training points (1-D grid on [-2, 2])
TRAINING_TEST_POINTS = 101  # test grid on EVAL_RANGE
TRAINING_RECORDS = 40  # requested snapshots, log-spaced in t (fewer after rounding)
TRAINING_LR = 0.01  # default step size (below 2 / lambda_max of the default nets)
TRAINING_STEPS = 1000  # default number of steps

# ----------------------------------------------------------------------------- lazy vs rich
LAZY_TRAIN_POINTS = 15  # 1-D grid on [-2, 2]
LAZY_TEST_POINTS = 81  # test grid on EVAL_RANGE
LAZY_SNAPSHOTS = 21  # recorded snapshots (the animation's frames)
LAZY_SIGMA_B = 1.0  # a bias: without one the 1-D ReLU NTK has rank 2 and cannot fit a sine
LAZY_SWEEP_WIDTHS = (10, 30, 100, 300, 1000, 3000)  # NTK parameterization
LAZY_MF_WIDTHS = (10, 100, 1000)  # mean-field
LAZY_SWEEP_SEEDS = 2
LAZY_FIT_FROM = 100  # the -1/2 law is asymptotic: fit the slope on widths >= LAZY_FIT_FROM

# ----------------------------------------------------------------------------- kernel motion
# One hidden layer, MOTION_POINTS on [-2, 2], target sin 2x, a bias, a fixed step below
# 2 / lambda_max (0.029 for ReLU, 0.080 for erf at these points): eta * steps = 10.
MOTION_POINTS = 15
MOTION_SIGMA_B = 1.0
MOTION_LR = 0.02
MOTION_STEPS = 500
MOTION_WIDTHS = (250, 500, 1000, 2000, 4000, 8000, 16_000)
MOTION_DEFAULT_MAX = 4000  # the page's default widest net (its sweep fits the budget)
MOTION_SEEDS = 3  # trained seeds per width on the page (the spread uses more pairs)
MOTION_FIT_FROM = 1000  # local slopes still drift below ~1,000 units
MOTION_SMALL_WIDTHS = (100, 300, 1000)  # the scale-vs-shape and parameterization tables

# ----------------------------------------------------------------------------- infinite width
PROFILE_ANGLES = 73  # depth-profile slices at 2.5° steps on [0°, 180°]

EVAL_RANGE = (-2.5, 2.5)  # test grids reach a little beyond the training inputs on [-2, 2]


def eval_grid(n: int) -> np.ndarray:
    """``n`` evenly spaced test inputs on :data:`EVAL_RANGE`, shape (n, 1)."""
    return np.linspace(*EVAL_RANGE, int(n))[:, None]
