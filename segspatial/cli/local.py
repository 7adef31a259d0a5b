"""``segspatial local``: per-unit local measures (p, local p, gap, part in D) for maps."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from segspatial.cli._common import (
    CommandError,
    format_exclusions,
    read_options,
    write_or_print,
)
from segspatial.cli._console import console_of
from segspatial.cli._lazy import apply_filters, prepare_counts, read_table
from segspatial.cli._location import (
    AREA_COLUMN,
    area_column,
    locate_units,
    location_columns,
)
from segspatial.cli._options import add_group
from segspatial.cli._spatial import spatial_arguments

if TYPE_CHECKING:  # for annotations only: imported when a command runs
    import pandas as pd

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "local",
        help="per-unit local measures: share of A around each school, gap, part in D",
        description="For every unit (school): its share of group A (p), the share in its "
        "local environment (p_local, kernel-weighted over the units around it), the gap "
        "p - p_local (how unlike its surroundings it is) and its contribution to D and "
        "to the spatial D, with its coordinates (x, y in --distance-crs), as one table "
        "for maps. The unit, area, year and name columns keep their input names. With "
        "--min-cell N only what a school map publishes is written: each school's share "
        "band, whether it is suppressed, its rounded pupils and its area's share (the "
        "local measures mix exact counts of neighbouring schools and are left out).",
    )
    p.add_argument("input", metavar="INPUT", help="counts file (.csv or .parquet)")
    add_group(p, "columns", required=("unit", "group_a", "group_b"))
    add_group(p, "filters")
    add_group(p, "location")
    add_group(p, "areas")
    add_group(p, "boundaries", only=("area_code", "boundaries_crs", "boundaries_layer"))
    add_group(p, "spatial", only=("bandwidth", "kernel", "k", "context", "definition"),
              default_text={"bandwidth": "1000: local scores need one scale"})
    add_group(p, "output", output_help="output file (.csv or .parquet; default: CSV on "
              "standard output)")
    add_group(p, "disclosure")
    add_group(p, "reading")
    # local scores are always computed at a bandwidth (1000 m by default)
    p.set_defaults(_implied=("bandwidth",))
    p.set_defaults(handler=run)


def _input_names(args: argparse.Namespace, table: pd.DataFrame,
                 data: pd.DataFrame) -> pd.DataFrame:
    """The table with the input's unit, area and year column names, and --name."""
    import pandas as pd

    renames = {"unit": args.unit}
    if args.area and area_column(args) != AREA_COLUMN:
        renames["area"] = args.area
    if args.year:
        renames["year"] = args.year
    taken = set(table.columns) - set(renames)
    clash = sorted({v for v in renames.values() if v in taken})
    if clash:
        raise CommandError(f"the input column name(s) {clash!r} are also columns of the "
                           "local measures table; rename them in the input")
    if args.name:
        keys = [k for k in ("unit", "year") if k in table.columns]
        source = {"unit": args.unit, "year": args.year}
        names = data[[source[k] for k in keys] + [args.name]].drop_duplicates(
            [source[k] for k in keys], keep="last")
        names.columns = [*keys, "_name"]
        names["unit"] = names["unit"].astype(str)
        if "year" in keys:
            names["year"] = pd.to_numeric(names["year"]).astype(table["year"].dtype)
        table = table.assign(unit=table["unit"].astype(str)).merge(names, on=keys,
                                                                    how="left")
        table.insert(table.columns.get_loc("unit") + 1, args.name, table.pop("_name"))
    return table.rename(columns=renames)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from segspatial.spatial import local_measures
    from segspatial.spatial._engine import outside_comparison_exclusions

    if not (args.x or args.postcode):
        raise CommandError("local measures need unit locations: give --x/--y/--crs or "
                           "--postcode/--postcode-table")
    keys = [c for c in (args.unit, args.area, args.name) if c]
    columns = [c for c in (args.unit, args.group_a, args.group_b, args.area, args.year,
                           args.total, args.name) if c]
    located, text = location_columns(args)
    data = read_table(args.input, columns=list(dict.fromkeys(columns + located)),
                      text_columns=keys + text, **read_options(args))
    data, location_exclusions = locate_units(args, data)
    options = spatial_arguments(args, data)
    if not (args.bandwidth or args.k):
        options["bandwidth"] = None  # local_measures' default, 1000 m
    table = local_measures(
        data, args.unit, args.group_a, args.group_b, area=area_column(args), year=args.year,
        total=args.total, min_unit_size=args.min_unit_size, min_area_size=args.min_area_size,
        **options,
    )
    # what the size filters left out, counted by the same gate and filters the table used
    counts = prepare_counts(data, args.unit, args.group_a, args.group_b,
                            area=area_column(args), year=args.year, total=args.total,
                            extra={"x": options["x"], "y": options["y"]})
    kept, filtered = apply_filters(counts, min_unit_size=args.min_unit_size,
                                   min_area_size=args.min_area_size)
    neither = ((kept["a"] + kept["b"]) == 0).to_numpy()  # left out of the local measures
    outside = outside_comparison_exclusions(kept, neither)
    parts = [e for e in (location_exclusions, filtered, outside) if not e.empty]
    exclusions = pd.concat(parts, ignore_index=True) if parts else filtered
    if args.min_cell is not None:
        table, exclusions = _published(table, kept, exclusions, args.min_cell)
    console = console_of(args)
    write_or_print(_input_names(args, table, data), args.output, what="local measures",
                   console=console)
    if args.exclusions_output:
        write_or_print(exclusions, args.exclusions_output, what="exclusions",
                       console=console)
    if args.min_cell is None:
        console.say(f"Local measures for {len(table):,} unit rows "
                    f"(bandwidths {sorted(table['bandwidth'].unique().tolist())}, kernel "
                    f"{table['kernel'].iloc[0] if len(table) else '-'}; x, y in "
                    f"{options['crs']}).\n" + format_exclusions(exclusions))
    else:
        console.say(f"--min-cell {args.min_cell}: {len(table):,} unit rows with each "
                    "school's share band and rounded pupils, as a school map publishes "
                    "them; the local measures are not written (they mix exact counts of "
                    "neighbouring schools).\n" + format_exclusions(exclusions, args.min_cell))
    return 0


def _published(table: pd.DataFrame, kept: pd.DataFrame, exclusions: pd.DataFrame,
               min_cell: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What ``--min-cell`` lets the command write: per school (once per year) its
    share band, whether it is suppressed, its rounded pupils and its area's share.

    Every school that passed the size filters is written (``kept``, with ``x``/``y``),
    also one with pupils but none in group A or B, which has no local measures: left
    out, its absence would say that it has none of either (suppressed, it says nothing).
    """
    import pandas as pd

    from segspatial.disclosure import policy, protect_exclusions, publish_schools

    rules = policy(min_cell)
    keys = [c for c in ("area", "year", "unit") if c in table.columns]
    schools = kept.reset_index(drop=True)
    frame = pd.DataFrame({
        "unit": schools["unit"].to_numpy(),
        "area": schools["area"].to_numpy() if "area" in keys else "",
        "year": schools["year"].to_numpy() if "year" in keys else 0,
        "a": schools["a"].to_numpy(), "b": schools["b"].to_numpy(),
        "total": schools["total"].to_numpy(), "x": schools["x"].to_numpy(),
        "y": schools["y"].to_numpy()})
    shown = publish_schools(frame, rules)
    out = schools[[*keys, "x", "y"]].copy()
    out["pupils"] = shown["pupils"].to_numpy()
    out["suppressed"] = shown["suppressed"].to_numpy()
    out["share_low"] = shown["band_low"].to_numpy()
    out["share_high"] = shown["band_high"].to_numpy()
    out["area_share"] = shown["centre"].to_numpy()
    out["min_cell"] = min_cell
    return out, protect_exclusions(exclusions, rules)

