"""Command line: ``python -m ntk_core reproduce [--seed N] [--json]``.

``reproduce`` re-runs the original article's five listings (L1–L5) done right — a bias
(σ_b > 0), a fixed learning rate, one consistent parameterization — and prints each as
a table beside the article's printed numbers, then every claim of the article and of the papers
with the value the engine measures now and whether it holds. ``claims`` prints only the claims.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import textwrap
import time
from collections.abc import Sequence
from typing import Any

from .claims import Claim, evaluate_claims
from .reproduce import TABLES, Table

WRAP = 100


def _wrap(text: str, width: int = WRAP) -> list[str]:
    """Lines of at most ``width`` characters, broken at spaces only: a long identifier or
    number stays whole on its own line rather than split."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "—" if not math.isfinite(value) else f"{value:.4g}"
    return str(value)


def format_table(table: Table) -> str:
    """A fixed-width text rendering of one re-run listing."""
    cells = [[_cell(v) for v in row] for row in table.rows]
    widths = [max(len(h), *(len(r[j]) for r in cells)) for j, h in enumerate(table.columns)]
    line = "  ".join("-" * w for w in widths)
    out = [table.title, "=" * len(table.title)]
    out += _wrap("Set-up: " + table.setup)
    out += _wrap("The article claims: " + table.claimed)
    out.append("")
    out.append("  ".join(h.ljust(w) for h, w in zip(table.columns, widths, strict=True)))
    out.append(line)
    for r in cells:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    if table.note:
        out.append("")
        out += _wrap(table.note)
    return "\n".join(out)


def format_claims(claims: Sequence[Claim]) -> str:
    """A summary table, then one block per claim."""
    n_ok = sum(c.holds for c in claims)
    out = [f"Claims: {n_ok} of {len(claims)} hold", "=" * 24]
    id_w = max(len(c.id) for c in claims)
    for c in claims:
        mark = "holds        " if c.holds else "does not hold"
        measured = c.measured_text
        if len(measured) > 60:
            measured = measured[:57] + "..."
        out.append(f"{c.id.ljust(id_w)}  {mark}  {measured}")
    for c in claims:
        out.append("")
        out.append(f"[{c.verdict}] {c.id} — {c.source}")
        for label, text in (
            ("claim", c.claim),
            ("claimed", c.claimed),
            ("measured", c.measured_text),
            ("why", c.reason),
            ("view", _view_text(c)),
        ):
            body = _wrap(text, WRAP - 12) or [""]
            out.append(f"  {label + ':':10}{body[0]}")
            out += [" " * 12 + b for b in body[1:]]
    return "\n".join(out)


def _view_text(c: Claim) -> str:
    """The explorer view that shows the claim and its settings, one ``name=value`` per word."""
    return " ".join([c.view, *(f"{k}={v}" for k, v in c.settings.items())])


def _plain(obj: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN/inf to None."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of every random initialisation (default: 0)",
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of text tables")
    common.add_argument(
        "--no-rates",
        action="store_true",
        help="skip the three rate-of-motion claims (spread-rate, change-rate-erf, "
        "change-rate-relu), which train 2 × 6 nets at five widths (about a minute), and the "
        "two finite-ensemble rows (ensemble-converges, readout-nngp-posterior; seconds)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m ntk_core",
        description="NTK Explorer's NumPy engine: re-run the original article's experiments "
        "correctly and check its claims (and the papers') against what the engine measures.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{reproduce,claims}")
    sub.add_parser(
        "reproduce",
        parents=[common],
        help="the article's five listings (L1–L5) done right, then the claims table",
        description="Re-run the article's listings L1–L5 correctly (a bias, a fixed learning "
        "rate, the NTK parameterization) beside its printed numbers, "
        "then evaluate every claim.",
    )
    sub.add_parser(
        "claims",
        parents=[common],
        help="only the claims table",
        description="Evaluate every claim at the given seed.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.seed < 0:
        parser.error("--seed must be >= 0")
    try:
        _run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader has gone (``| head``): stop quietly; point stdout at devnull so that the
        # interpreter's own flush at exit does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def _run(args: argparse.Namespace) -> None:
    """Compute and print; in text mode each table as soon as it is ready."""
    builders = TABLES if args.command == "reproduce" else ()
    t0 = time.perf_counter()
    tables = []
    for build in builders:
        tables.append(build(args.seed))
        if not args.json:
            print(format_table(tables[-1]), end="\n\n", flush=True)
    t1 = time.perf_counter()
    claims = evaluate_claims(args.seed, rates=not args.no_rates, ensembles=not args.no_rates)
    t2 = time.perf_counter()
    if args.json:
        payload = {
            "seed": args.seed,
            "experiments": [t.to_dict() for t in tables],
            "claims": [c.to_dict() for c in claims],
            "seconds": {"experiments": round(t1 - t0, 3), "claims": round(t2 - t1, 3)},
        }
        json.dump(_plain(payload), sys.stdout, ensure_ascii=False, indent=1, allow_nan=False)
        sys.stdout.write("\n")
        return
    print(format_claims(claims))
    print(f"\n(seed {args.seed}; experiments {t1 - t0:.1f} s, claims {t2 - t1:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
