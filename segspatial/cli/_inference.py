"""Inference for the sub-commands: bootstrap, randomisation test, change.

The options are the groups ``inference`` and ``random`` of :mod:`segspatial.cli._options`.

- :func:`check_inference_options` refuses options that would do nothing;
- :func:`note_few_replicates` notes a ``--bootstrap`` too small for stable intervals;
- :func:`inference_arguments` turns them into keyword arguments of
  :func:`segspatial.inference.infer`;
- :func:`apply_inference` runs it on a result when asked for;
- :func:`describe_inference` is the summary line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only: imported when a command runs
    from segspatial.compute import SegregationResult


__all__ = ["apply_inference", "check_inference_options", "describe_inference",
           "inference_arguments", "note_few_replicates", "uses_inference"]


#: Options that shape bootstrap intervals or the randomisation test, and what they need.
_NEEDS = {"ci": "bootstrap", "cluster": "bootstrap", "interval": "bootstrap",
          "alternative": "null_draws"}


def check_inference_options(args: argparse.Namespace) -> None:
    """Refuse options that would do nothing: ``--ci`` without ``--bootstrap N``,
    ``--alternative`` without ``--null-draws N``, ``--jobs`` without either."""
    from segspatial.cli._common import CommandError
    from segspatial.cli._options import given_flags

    for dest, needed in _NEEDS.items():
        if not getattr(args, needed, 0) and given_flags(args, [dest]):
            raise CommandError(f"--{dest} needs --{needed.replace('_', '-')} N (it shapes "
                               f"{'the intervals' if needed == 'bootstrap' else 'the test'}"
                               "; without it there is none)")
    if not uses_inference(args) and given_flags(args, ["jobs"]):
        raise CommandError("--jobs needs --bootstrap N or --null-draws N (the threads draw "
                           "the replicates)")


def note_few_replicates(args: argparse.Namespace) -> None:
    """A note (not an error) when ``2 <= --bootstrap <`` :data:`FEW_BOOTSTRAP`: the
    intervals and the "rising"/"falling" verdicts of so few replicates change with the
    seed."""
    from segspatial._defaults import FEW_BOOTSTRAP, REPORT_BOOTSTRAP
    from segspatial.cli._console import console_of

    n = getattr(args, "bootstrap", 0) or 0
    if 2 <= n < FEW_BOOTSTRAP:
        console = console_of(args)
        console.note(console.t("few_bootstrap", n=console.count(n),
                               advised=REPORT_BOOTSTRAP))


def uses_inference(args: argparse.Namespace) -> bool:
    """True when bootstrap replicates or null draws are asked for."""
    return bool(getattr(args, "bootstrap", 0) or getattr(args, "null_draws", 0))


def inference_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`segspatial.inference.infer`."""
    return {
        "n_boot": args.bootstrap, "null_draws": getattr(args, "null_draws", 0),
        "level": args.ci, "cluster": args.cluster,
        "interval": args.interval.replace("-", "_"),
        "alternative": getattr(args, "alternative", "greater"), "rng": args.seed,
        "n_jobs": args.jobs,
    }


def apply_inference(args: argparse.Namespace, result: SegregationResult) -> SegregationResult:
    """``result`` with its inference columns filled, when the options ask for it."""
    if not uses_inference(args):
        return result
    from segspatial.inference import infer

    return infer(result, **inference_arguments(args)).result


def describe_inference(result: SegregationResult) -> str:
    """One line on what was inferred, with the seed to reproduce it."""
    options = result.parameters.get("inference")
    if not options:
        return ""
    table = result.table
    parts = []
    if options["n_boot"]:
        n = int(table["se"].notna().sum())
        parts.append(f"{options['n_boot']:,} {'cluster' if options['cluster'] else 'individual'}"
                     f" bootstrap replicates: {options['level']:.0%} "
                     f"{options['interval'].replace('_', '-')} intervals for {n:,} values")
    if options["null_draws"]:
        n = int(table["p_value"].notna().sum())
        parts.append(f"{options['null_draws']:,} random-allocation draws: p-values "
                     f"({options['alternative']}) for {n:,} values")
    line = "Inference: " + "; ".join(parts) + f" (seed {options['seed_entropy']})."
    from segspatial.inference._diagnostics import missing_inference

    missing = missing_inference(result)
    if missing:
        line += " Without an interval or p-value: " + "; ".join(
            f"{n:,} x {reason}" for reason, n in sorted(missing.items())) + "."
    if options["n_boot"]:
        # replicates where the index is undefined (a resample with one group absent)
        # are left out; an interval from far fewer of them than asked is less sure
        # than it looks (n_boot says how many were used)
        short = table["se"].notna() & (table["n_boot"] < 0.9 * options["n_boot"])
        if short.any():
            line += (f" {int(short.sum()):,} intervals rest on fewer than 90% of the "
                     "replicates asked for (the index is undefined in the others, e.g. "
                     "a resample without one of the groups; see the n_boot column).")
    return line
