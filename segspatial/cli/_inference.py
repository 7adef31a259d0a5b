"""Inference options for the sub-commands: bootstrap, randomisation test, change.

- :func:`add_inference_options` adds ``--bootstrap``, ``--ci``, ``--cluster``,
  ``--interval``, ``--null-draws``, ``--alternative`` and ``--jobs`` (``--seed`` comes
  from :func:`segspatial.cli._common.add_seed_option`);
- :func:`inference_arguments` turns them into keyword arguments of
  :func:`segspatial.inference.infer`;
- :func:`apply_inference` runs it on a result when asked for;
- :func:`describe_inference` is the summary line.
"""

from __future__ import annotations

import argparse
from typing import Any

from segspatial.cli._common import whole_number
from segspatial.compute import SegregationResult

__all__ = ["add_inference_options", "apply_inference", "describe_inference",
           "inference_arguments", "uses_inference"]

_INTERVALS = {"bias-corrected": "bias_corrected", "percentile": "percentile"}


def _draws(text: str) -> int:
    value = whole_number(0)(text)
    if value == 1:
        raise argparse.ArgumentTypeError("must be 0 (none) or at least 2, got 1")
    return value


def _level(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a level such as 0.95, got {text!r}") \
            from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"must be between 0 and 1 (e.g. 0.95 for 95% intervals), got {text}")
    return value


def add_inference_options(parser: argparse.ArgumentParser, *, default_bootstrap: int = 0,
                          test: bool = True) -> None:
    """Add the inference options (``test``: also the randomisation test)."""
    group = parser.add_argument_group(
        "uncertainty and significance",
        "bootstrap intervals and randomisation tests for every index and area-year "
        "(see the README); reproducible with --seed")
    group.add_argument("--bootstrap", type=_draws, default=default_bootstrap, metavar="N",
                       help="bootstrap replicates per area-year for se, ci_low, ci_high "
                       f"(default: {default_bootstrap or 'none'}; 1000 or more for 95%% "
                       "intervals)")
    group.add_argument("--ci", type=_level, default=0.95, metavar="LEVEL",
                       help="confidence level of the intervals (default: 0.95)")
    group.add_argument("--cluster", action="store_true",
                       help="resample schools (cluster bootstrap: schools as a sample) "
                       "instead of pupils (individual bootstrap, the default)")
    group.add_argument("--interval", choices=tuple(_INTERVALS), default="bias-corrected",
                       help="bias-corrected (default; percentiles of 2 value - replicate, "
                       "as R segregation) or percentile")
    if test:
        group.add_argument("--null-draws", type=_draws, default=0, metavar="N",
                           help="random-allocation draws per area-year for p_value, "
                           "null_mean, null_se (default: none)")
        group.add_argument("--alternative", choices=("greater", "less", "two-sided"),
                           default="greater",
                           help="alternative of the randomisation test (default: greater, "
                           "more segregated than random allocation)")
    group.add_argument("--jobs", type=whole_number(1), default=1, metavar="N",
                       help="threads (default: 1); results do not depend on it")


def uses_inference(args: argparse.Namespace) -> bool:
    """True when bootstrap replicates or null draws are asked for."""
    return bool(getattr(args, "bootstrap", 0) or getattr(args, "null_draws", 0))


def inference_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`segspatial.inference.infer`."""
    return {
        "n_boot": args.bootstrap, "null_draws": getattr(args, "null_draws", 0),
        "level": args.ci, "cluster": args.cluster, "interval": _INTERVALS[args.interval],
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
    skipped = int((table["value"].notna() & table["se"].isna()
                   & table["p_value"].isna()).sum())
    line = "Inference: " + "; ".join(parts) + f" (seed {options['seed_entropy']})."
    if skipped:
        line += (f" {skipped:,} values have no interval or test (spatial and diagnostic "
                 "indices, or fractional counts).")
    return line
