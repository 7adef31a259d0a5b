"""``segspatial report``: HTML pages per municipality and an index page with a map."""

from __future__ import annotations

import argparse
from datetime import UTC

from segspatial._defaults import REPORT_BOOTSTRAP
from segspatial.cli._common import (
    CommandError,
    format_exclusions,
    read_options,
    require_rows,
)
from segspatial.cli._console import console_of
from segspatial.cli._inference import check_inference_options, note_few_replicates
from segspatial.cli._lazy import read_table
from segspatial.cli._location import (
    X_COLUMN,
    Y_COLUMN,
    add_exclusions,
    area_code,
    area_column,
    locate_units,
    location_columns,
    read_area_boundaries,
)
from segspatial.cli._options import add_group
from segspatial.cli._pupils import check_counts_mode, compute_pupils

__all__ = ["register", "run"]


#: Options of the shared groups that a report does not take, and why (the README's
#: "Reports" section lists them too): the report has no section that shows them.
REPORT_SKIPS = {
    "spatial": ("k", "context", "spatial_indices", "definition", "morrill_clip"),
    "inference": ("null_draws", "alternative"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write HTML reports: one page per municipality and an index page",
        description="Compute the indices (aspatial and spatial) and write a folder of "
        "self-contained HTML pages: index.html with a national map and a sortable table, "
        "and one page per municipality (named after its code) with the indices per "
        "comparison, trends, school maps, the spatial analysis with a plain-words "
        "interpretation, what was left out, and the method. Schools are located as in "
        "`segspatial indices` (coordinates, postcodes, or both). Every index is shown "
        f"with its bootstrap confidence interval ({REPORT_BOOTSTRAP:,} replicates per "
        "municipality and year by default; --bootstrap 0 for none) and a change is "
        "called rising or falling only when its interval excludes zero; the same "
        "--seed gives byte-identical pages. The report takes the options of "
        "`segspatial indices` that its pages can show; not "
        + ", ".join("--" + d.replace("_", "-") for g in REPORT_SKIPS.values() for d in g)
        + " (no section shows them: compute them with `segspatial indices`).",
    )
    p.add_argument("input", metavar="INPUT",
                   help="counts file (one row per school per year) or, with --pupils, "
                   "pupil-level file (.csv, .parquet)")
    add_group(p, "columns", required=("unit",))
    add_group(p, "labels")
    add_group(p, "figure",
              default_text={"title": "'School segregation per municipality' in the page "
                            "language; the heading and window title of the index page"})
    add_group(p, "filters")
    add_group(p, "pupils")
    add_group(p, "multigroup", only=(
        "groups", "within", "multigroup", "income_groups", "rank_order_income",
        "thresholds", "polynomial_order", "income_ranks"))
    add_group(p, "location")
    p.add_argument_group("locations from another file").add_argument(
        "--locations", metavar="FILE",
        help="file with the schools' --unit and location columns (and --name), read "
        "with the options above (default: INPUT; needed for pupil-level input)")
    add_group(p, "areas")
    add_group(p, "boundaries")
    add_group(p, "select", only=("only",))
    # the spatial options a report can show: its pages explain kernel environments
    # at several bandwidths (the multi-scale profile); the k nearest units, another
    # --context or --definition, extra --spatial-indices and --morrill-clip have no
    # section to show them (compute them with `segspatial indices`)
    add_group(p, "spatial", skip=REPORT_SKIPS["spatial"],
              default_text={"bandwidth": "500 1000 2000 4000: the report's scales"})
    # the pages show bootstrap intervals, not randomisation tests (--null-draws,
    # --alternative): those are `segspatial indices` options
    add_group(p, "inference", skip=REPORT_SKIPS["inference"],
              defaults={"bootstrap": REPORT_BOOTSTRAP},
              default_text={"bootstrap": f"{REPORT_BOOTSTRAP:,}: every page shows "
                            "intervals"})
    add_group(p, "random")
    add_group(p, "pages")
    add_group(p, "web", skip=("tiles",))
    add_group(p, "disclosure")
    add_group(p, "output", skip=("exclusions_output",), required=("output",),
              metavar={"output": "DIR"},
              output_help="report folder (replaced atomically when it holds a report)")
    add_group(p, "reading")
    # the pages are always computed at bandwidths (the report's four by default)
    p.set_defaults(_implied=("bandwidth",))
    p.set_defaults(handler=run)


def _check(args: argparse.Namespace) -> None:
    check_inference_options(args)
    if not (args.x or args.postcode):
        raise CommandError("a report needs school locations: give --x/--y/--crs or "
                           "--postcode/--postcode-table (or both)")
    if not (args.area or args.areas_from):
        raise CommandError("a report needs areas: give --area (the area code column) or "
                           "--areas-from (area polygons)")
    if not (args.boundaries or args.areas_from):
        raise CommandError("--boundaries is required: the area polygons of the pages "
                           "(or --areas-from)")
    if args.areas_from and (args.pupils or args.locations):
        raise CommandError("--areas-from assigns the schools of a counts INPUT to areas; "
                           "with --pupils or --locations give the schools' area with --area")
    if args.pupils and args.locations is None:
        raise CommandError("--pupils needs --locations: a file with the schools' "
                           f"{args.unit!r} and location columns")
    if args.district_code and not args.districts:
        raise CommandError("--district-code is used with --districts")
    if args.districts and not args.district_code:
        raise CommandError("--districts needs --district-code: the districts' code column")
    if (args.label_a or args.label_b) and args.pupils:
        raise CommandError("--label-a/--label-b are for counts input; pupil groups have "
                           "their own labels")
    _check_several(args)


def _check_several(args: argparse.Namespace) -> None:
    """The options of the "several groups at once" and income sections."""
    if args.groups and args.pupils:
        raise CommandError("--groups is for counts input; with --pupils use --multigroup "
                           "(every group of each theme at once)")
    if args.groups and len(args.groups) < 2:
        raise CommandError(f"--groups needs two or more group columns, got {args.groups!r}")
    if args.groups and not (args.group_a and args.group_b):
        raise CommandError("--groups adds the section 'several groups at once'; the "
                           "report's other sections compare two groups: give --group-a "
                           "and --group-b as well")
    pupil_only = [flag for flag, used in (
        ("--multigroup", args.multigroup), ("--rank-order-income", args.rank_order_income),
        ("--income-groups", args.income_groups is not None),
        ("--thresholds", args.thresholds is not None),
        ("--polynomial-order", args.polynomial_order is not None),
        ("--income-ranks", args.income_ranks is not None)) if used]
    if pupil_only and not args.pupils:
        raise CommandError(f"{', '.join(pupil_only)} need --pupils (pupil-level input)")
    if args.within and not (args.groups or args.multigroup):
        raise CommandError("--within splits the multigroup indices: give --groups COL COL "
                           "... (counts) or --pupils --multigroup")
    if args.rank_order_income and not args.income:
        raise CommandError("--rank-order-income needs --income COL")
    _check_group_labels(args)


def _check_group_labels(args: argparse.Namespace) -> None:
    """``--group-label COLUMN=LABEL`` names columns of --groups, once each;
    ``--within-label`` needs --within."""
    given = args.group_label or []
    if given and not args.groups:
        raise CommandError("--group-label names the group columns of --groups (counts "
                           "input); pupil groups have their own labels")
    columns = [c for c, _ in given]
    unknown = [c for c in columns if c not in (args.groups or ())]
    if unknown:
        raise CommandError(f"--group-label {unknown[0]!r}=...: not a column of --groups "
                           f"({', '.join(args.groups)})")
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise CommandError(f"--group-label {twice[0]!r} is given more than once")
    if args.within_label is not None and not args.within:
        raise CommandError("--within-label names the groups of schools of --within COL: "
                           "give --within as well")
    if args.within_label is not None and not args.within_label.strip():
        raise CommandError("--within-label must not be empty")


def _compute(args: argparse.Namespace):
    """The results and the located schools (None: locate --locations later)."""
    from segspatial.compute import segregation

    if args.pupils:
        return compute_pupils(args), None, None
    check_counts_mode(args)
    columns = [c for c in (args.unit, args.group_a, args.group_b, *(args.groups or ()),
                           args.within, args.area, args.year, args.total) if c]
    located, text = location_columns(args)
    if args.locations is None:
        columns += [c for c in (*located, args.name) if c]
    data = read_table(args.input, columns=list(dict.fromkeys(columns)),
                      text_columns=[c for c in (args.unit, args.area, args.name, args.within)
                                    if c] + text,
                      **read_options(args))
    if args.locations is not None:
        return segregation(data, args.unit, args.group_a, args.group_b, area=args.area,
                           year=args.year, total=args.total, min_unit_size=args.min_unit_size,
                           min_area_size=args.min_area_size), None, data
    data, left_out = locate_units(args, data)
    result = segregation(data, args.unit, args.group_a, args.group_b,
                         area=area_column(args), year=args.year, total=args.total,
                         min_unit_size=args.min_unit_size, min_area_size=args.min_area_size)
    return add_exclusions(result, left_out), data, data


def _several(args: argparse.Namespace, data) -> dict:
    """The results of the sections "several groups at once" (``--groups``, ``--pupils
    --multigroup``) and "income as a continuum" (``--pupils --rank-order-income``), on
    the same units and filters as the rest of the report."""
    filters = dict(min_unit_size=args.min_unit_size, min_area_size=args.min_area_size)
    if args.groups:
        from segspatial.multigroup_table import multigroup_segregation

        return {"multigroup": multigroup_segregation(
            data, args.unit, args.groups, area=area_column(args), year=args.year,
            total=args.total, within=args.within, **filters)}
    if not (args.multigroup or args.rank_order_income):
        return {}
    from segspatial.cli._pupils import read_mapping

    themes = {"ethnicity": args.ethnicity, "income": args.income,
              "education": args.education}
    columns = [c for c in (args.unit, args.area, args.year, *themes.values(), args.within)
               if c]
    text = [c for c in (args.unit, args.area, args.ethnicity, args.education, args.within)
            if c]
    pupils = read_table(args.input, columns=list(dict.fromkeys(columns)), text_columns=text,
                        **read_options(args))
    out = {}
    if args.multigroup:
        from segspatial.multigroup_table import pupil_multigroup_segregation

        out["multigroup"] = pupil_multigroup_segregation(
            pupils, args.unit, area=args.area, year=args.year, **themes,
            ethnicity_map=(read_mapping(args.ethnicity_map, "--ethnicity-map")
                           if args.ethnicity_map else None),
            education_map=(read_mapping(args.education_map, "--education-map")
                           if args.education_map else None),
            income_missing=args.income_missing or (),
            income_groups=5 if args.income_groups is None else args.income_groups,
            within=args.within, **filters)
    if args.rank_order_income:
        from segspatial.rankorder import DEFAULT_THRESHOLDS, rank_order_segregation

        out["rank_order"] = rank_order_segregation(
            pupils, args.unit, income=args.income, area=args.area, year=args.year,
            income_missing=args.income_missing or (),
            thresholds=args.thresholds or DEFAULT_THRESHOLDS,
            order=4 if args.polynomial_order is None else args.polynomial_order,
            ranks=args.income_ranks or "national", **filters)
    return out


def _locations(args: argparse.Namespace):
    """The schools of --locations, located (units not found there get no_location)."""
    located, text = location_columns(args)
    columns = list(dict.fromkeys(c for c in (args.unit, *located, args.name) if c))
    data = read_table(args.locations, columns=columns,
                      text_columns=[c for c in (args.unit, args.name) if c] + text,
                      **read_options(args))
    data, _ = locate_units(args, data, source=args.locations)
    return data


def run(args: argparse.Namespace) -> int:
    from segspatial.report import check_output, report_data, write_report

    _check(args)
    check_output(args.output)  # before the work, not after it
    note_few_replicates(args)
    boundaries_file = args.boundaries or args.areas_from
    # read before the work: a wrong --area-code/--area-name stops the run at once
    boundaries = read_area_boundaries(args, boundaries_file)
    result, located, data = _compute(args)
    require_rows(result, "report", describe=lambda e: _summary(e, args.min_cell))
    several = _several(args, data)
    if located is None:
        located = _locations(args)
    labels = {**dict(args.group_label or ()),
              **{k: v for k, v in (("a", args.label_a), ("b", args.label_b)) if v}}
    inputs = [args.input] + ([args.locations] if args.locations else []) + [boundaries_file] \
        + ([args.districts] if args.districts else [])
    report = report_data(
        result, located, unit=args.unit, x=X_COLUMN, y=Y_COLUMN,
        crs=located.attrs["location_crs"], name=args.name,
        boundaries=boundaries, area_code=area_code(args),
        area_name=args.area_name, only=args.only, group_labels=labels,
        within_label=args.within_label.strip() if args.within_label else None,
        bandwidth=args.bandwidth, kernel=args.kernel, districts=args.districts,
        district_code=args.district_code, district_size=args.district_size,
        permutations=args.permutations, rng=args.seed, inputs=inputs, n_boot=args.bootstrap,
        level=args.ci, cluster=args.cluster, interval=args.interval.replace("-", "_"),
        n_jobs=args.jobs, **several)
    stamp = None
    if args.stamp:
        from datetime import datetime

        stamp = datetime.now(UTC)  # written in the page's language
    console = console_of(args)
    if several and args.min_cell is not None:
        console.note(console.t("multigroup_withheld"))
    if args.min_cell is not None and args.bootstrap:
        report = _note_withheld_intervals(report, args.min_cell, console)
    progress = not args.quiet and console.interactive
    index = write_report(report, args.output, lang=args.lang, offline=args.offline,
                         min_cell=args.min_cell, stamp=stamp, progress=progress,
                         title=args.title)
    pages = len(list(index.parent.glob("*.html")))
    console.say(console.t("report_wrote", pages=console.count(pages), folder=index.parent,
                          index=index))
    console.say(_summary(report.exclusions, args.min_cell, console.lang))
    return 0


def _note_withheld_intervals(report, min_cell: int, console):
    """The report as disclosure mode publishes it (:func:`write_report` then reuses
    it), after a note on how many municipalities have a year whose intervals are
    withheld (a count below ``min_cell``; see
    :func:`segspatial.disclosure.small_count_years`)."""
    from segspatial.report import _protected

    report, protected = _protected(report, min_cell)
    areas = set(report.areas["code"].astype(str))
    years = protected.intervals
    withheld = set(years.loc[~years["published"].astype(bool), "area"].astype(str)) & areas
    if withheld:
        console.note(console.t("intervals_withheld", n=console.count(len(withheld)),
                               m=console.count(len(areas)), min_cell=min_cell))
    return report


def _summary(exclusions, min_cell: int | None, lang: str = "en") -> str:
    """What was left out, as the index page adds it up (per area, rounded, with
    ``--min-cell``)."""
    if min_cell is None:
        return format_exclusions(exclusions, lang=lang)
    from segspatial.disclosure import policy, protect_exclusions

    keys = [c for c in ("reason", "comparison", "theme", "area", "description")
            if c in exclusions.columns]
    # per area, as the index page adds them up; each row keeps its number of area-years
    per_area = exclusions.groupby(keys, sort=False, dropna=False, as_index=False).agg(
        n_units=("n_units", "sum"), n_pupils=("n_pupils", "sum"),
        area_years=("n_units", "size"))
    return format_exclusions(protect_exclusions(per_area, policy(min_cell)), min_cell, lang)
