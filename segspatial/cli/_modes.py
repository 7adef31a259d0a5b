"""The modes of ``segspatial indices`` and which options each one uses: one table.

``indices`` reads two-group counts (``--group-a/--group-b``), K-group counts
(``--groups``) or pupil rows (``--pupils``; with ``--multigroup`` and/or
``--rank-order-income``). An option that the chosen mode does not use is an error
naming the option and what it needs, never silently ignored.
"""

from __future__ import annotations

import argparse

from segspatial.cli._common import CommandError

__all__ = ["OPTIONS", "check_mode_options", "features"]

_THEMES = "groups come from --ethnicity, --income and --education"
_LOCATION = ("the location options (--x/--y, --postcode, --areas-from) cannot be used with "
             "--pupils; give the school's municipality with --area, or write the counts "
             "with --counts-output and run `segspatial indices` on them")

#: option dest -> (flag, features that use it, what it needs when none is active).
#: Features: ``counts2`` (--group-a/--group-b), ``groups`` (--groups), ``pupils2`` (the
#: two-group comparisons of --pupils), ``pupils`` (any --pupils run), ``multigroup``
#: (--pupils --multigroup), ``rank_order`` (--pupils --rank-order-income).
OPTIONS: dict[str, tuple[str, frozenset[str], str]] = {
    dest: (flag, frozenset(uses), needs)
    for dest, flag, uses, needs in (
        ("group_a", "--group-a", {"counts2"}, "two-group counts"),
        ("group_b", "--group-b", {"counts2"}, "two-group counts"),
        ("total", "--total", {"counts2", "groups"}, "a counts file"),
        ("indices", "--indices", {"counts2", "groups", "pupils2", "multigroup"},
         "--group-a/--group-b, --groups, --pupils or --pupils --multigroup"),
        ("groups", "--groups", {"groups"}, "a counts file"),
        ("within", "--within", {"groups", "multigroup"},
         "--groups (or --pupils --multigroup)"),
        ("log_base", "--log-base", {"groups", "multigroup"},
         "--groups (or --pupils --multigroup)"),
        ("local_output", "--local-output", {"groups"}, "--groups"),
        ("within_output", "--within-output", {"groups"}, "--groups and --within"),
        ("multigroup", "--multigroup", {"pupils"}, "--pupils (pupil-level input)"),
        ("rank_order_income", "--rank-order-income", {"pupils"},
         "--pupils (pupil-level input)"),
        ("income_groups", "--income-groups", {"multigroup"}, "--pupils --multigroup"),
        ("profile_output", "--profile-output", {"rank_order"},
         "--pupils --rank-order-income"),
        ("thresholds", "--thresholds", {"rank_order"}, "--pupils --rank-order-income"),
        ("polynomial_order", "--polynomial-order", {"rank_order"},
         "--pupils --rank-order-income"),
        ("income_ranks", "--income-ranks", {"rank_order"}, "--pupils --rank-order-income"),
        ("ethnicity", "--ethnicity", {"pupils"}, "--pupils (pupil-level input)"),
        ("income", "--income", {"pupils"}, "--pupils (pupil-level input)"),
        ("education", "--education", {"pupils"}, "--pupils (pupil-level input)"),
        ("comparisons", "--comparisons", {"pupils2"}, "--pupils (pupil-level input)"),
        ("ethnicity_map", "--ethnicity-map", {"pupils"}, "--pupils (pupil-level input)"),
        ("education_map", "--education-map", {"pupils"}, "--pupils (pupil-level input)"),
        ("income_missing", "--income-missing", {"pupils"}, "--pupils (pupil-level input)"),
        ("counts_output", "--counts-output", {"pupils"}, "--pupils (pupil-level input)"),
        ("x", "--x", {"counts2", "groups"}, "a counts file"),
        ("y", "--y", {"counts2", "groups"}, "a counts file"),
        ("crs", "--crs", {"counts2", "groups"}, "a counts file"),
        ("postcode", "--postcode", {"counts2", "groups"}, "a counts file"),
        ("postcode_table", "--postcode-table", {"counts2", "groups"}, "a counts file"),
        ("areas_from", "--areas-from", {"counts2", "groups"}, "a counts file"),
        ("area_code", "--area-code", {"counts2", "groups"}, "a counts file"),
        ("boundaries_crs", "--boundaries-crs", {"counts2", "groups"}, "a counts file"),
        ("boundaries_layer", "--boundaries-layer", {"counts2", "groups"}, "a counts file"),
    )
}
_LOCATION_DESTS = ("x", "y", "crs", "postcode", "postcode_table", "areas_from", "area_code",
                   "boundaries_crs", "boundaries_layer")


def features(args: argparse.Namespace) -> frozenset[str]:
    """The features of the run that ``args`` asks for (see :data:`OPTIONS`)."""
    if getattr(args, "pupils", False):
        found = {"pupils"}
        if getattr(args, "multigroup", False):
            found.add("multigroup")
        if getattr(args, "rank_order_income", False):
            found.add("rank_order")
        if len(found) == 1:
            found.add("pupils2")
        return frozenset(found)
    return frozenset({"groups"} if getattr(args, "groups", None) else {"counts2"})


def _given(args: argparse.Namespace, dest: str) -> bool:
    value = getattr(args, dest, None)
    return value is not None and value is not False


def check_mode_options(args: argparse.Namespace) -> None:
    """Refuse every option that the mode of ``args`` would not use.

    Raises
    ------
    CommandError
        Naming the options (as flags) and what they need.
    """
    active = features(args)
    unused = [dest for dest, (_, uses, _) in OPTIONS.items()
              if _given(args, dest) and not uses & active]
    if not unused:
        return
    flags = [OPTIONS[d][0] for d in unused]
    if "pupils" in active:
        counts_only = [OPTIONS[d][0] for d in unused if d in ("group_a", "group_b", "total",
                                                               "groups")]
        if counts_only:
            raise CommandError(f"{', '.join(counts_only)} cannot be used with --pupils: "
                               f"{_THEMES}")
        if any(d in _LOCATION_DESTS for d in unused):
            raise CommandError(_LOCATION)
        if unused[0] == "comparisons":
            raise CommandError("--comparisons names two-group comparisons; --multigroup "
                               "compares every group of a theme and --rank-order-income "
                               "uses income as a continuum")
    if "groups" in active:
        if any(d in ("group_a", "group_b") for d in unused):
            raise CommandError(f"{', '.join(f for f in flags if 'group-' in f)} cannot be "
                               "used with --groups (give every group column to --groups)")
    needs = OPTIONS[unused[0]][2]
    same = [OPTIONS[d][0] for d in unused if OPTIONS[d][2] == needs]
    raise CommandError(f"{', '.join(same)} {'needs' if len(same) == 1 else 'need'} {needs}")
