"""Command line: ``python -m ntk_app.real_claims [--json] [--seed N]``.

Loads scikit-learn's bundled digits and wine sets (:func:`ntk_app.datasets.claim_sets`), fits
the RBF-kernel SVM baseline live on the claims' own split, and prints the real-data claims of
Lee et al. 2020 (arXiv:2007.15801) and Arora et al. 2020 (arXiv:1910.01663) measured by
:func:`ntk_core._claims_realdata.real_data_claims`. It lives in the app layer because the
engine imports no scikit-learn.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from ntk_core.__main__ import _plain, format_claims
from ntk_core._claims_realdata import real_data_claims

from .datasets import CLAIM_SETS, SVM_BASELINE, claim_sets, svm_baselines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ntk_app.real_claims",
        description="Lee et al. 2020 and Arora et al. 2020 on scikit-learn's bundled "
        f"{' and '.join(CLAIM_SETS)} sets, measured now (about ten seconds).")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed of the split and of every initialisation (default: 0)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error("--seed must be >= 0")
    t0 = time.perf_counter()
    sets = claim_sets()
    rows = real_data_claims(sets, args.seed, baselines=svm_baselines(sets, args.seed),
                            baseline_name=SVM_BASELINE)
    seconds = time.perf_counter() - t0
    if args.json:
        payload = {"seed": args.seed, "claims": [c.to_dict() for c in rows],
                   "seconds": round(seconds, 3)}
        json.dump(_plain(payload), sys.stdout, ensure_ascii=False, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_claims(rows))
        print(f"\n(seed {args.seed}; {seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
