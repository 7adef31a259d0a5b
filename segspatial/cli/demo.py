"""``segspatial demo``: the whole pipeline on a synthetic, deterministic data set."""

from __future__ import annotations

import argparse

from segspatial._defaults import DEFAULT_SEED
from segspatial.cli._common import ensure_dir, format_exclusions
from segspatial.cli._console import console_of
from segspatial.cli._lazy import demo_pupils, demo_schools, pupil_segregation, write_table
from segspatial.cli._options import add_group


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the pipeline on a built-in synthetic data set",
        description="Generate deterministic synthetic pupils (fictional "
        "municipalities, 2009-2018; migration background, household income, parental "
        "education) and compute the report's seven comparisons. With --min-cell N "
        "everything it writes is published under disclosure control, from one audit "
        "(demo_counts.csv, every school's group counts, is then not written).",
    )
    add_group(p, "random", defaults={"seed": DEFAULT_SEED})
    add_group(p, "disclosure")
    add_group(p, "pages", only=("lang",))
    add_group(p, "output", only=("output", "quiet"), defaults={"output": "segspatial-demo"},
              metavar={"output": "DIR"}, output_help="output folder (default: "
              "./segspatial-demo)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    out = ensure_dir(args.output)
    pupils = demo_pupils(args.seed)
    result = pupil_segregation(pupils, "school", area="municipality", year="year",
                               ethnicity="ethnicity", income="income",
                               education="education")
    # the unit x year x group counts used, with the schools' names and locations
    schools = demo_schools(args.seed)
    counts = result.counts.rename(columns={"area": "municipality", "unit": "school"}).merge(
        schools[["municipality", "municipality_name", "school", "school_name", "x", "y"]],
        on=["municipality", "school"], how="left")
    # the report's sections "several groups at once" (migration background) and
    # "income as a continuum" (H^R and the H(p) profile): cheap on the demo's pupils
    from segspatial.multigroup_table import pupil_multigroup_segregation
    from segspatial.rankorder import rank_order_segregation
    from segspatial.report import demo_report_data, write_demo_report

    several = pupil_multigroup_segregation(pupils, "school", area="municipality",
                                           year="year", ethnicity="ethnicity")
    ranked = rank_order_segregation(pupils, "school", income="income",
                                    area="municipality", year="year")
    report = demo_report_data(result, schools, multigroup=several, rank_order=ranked)
    if args.min_cell is not None:  # one audit for everything the demo writes
        from dataclasses import replace

        from segspatial.disclosure import policy, protect_exclusions, protect_table
        from segspatial.report import _protected

        rules = policy(args.min_cell)
        report, protected = _protected(report, args.min_cell, every_year=True)
        table = protect_table(result.table, rules, protected.audit)
        table["min_cell"] = rules.min_cell
        result = replace(result, table=table,
                         exclusions=protect_exclusions(result.exclusions, rules))
    written = [] if args.min_cell is not None else [
        write_table(counts, out / "demo_counts.csv")]
    written += [
        write_table(result.table, out / "results.csv"),
        write_table(result.exclusions, out / "exclusions.csv"),
    ]
    from segspatial.demo_maps import write_demo_maps  # matplotlib & folium: load late

    written += write_demo_maps(out, result.table, counts, schools, min_cell=args.min_cell,
                               lang=args.lang)
    d = result.table[result.table["index"] == "dissimilarity"]
    year = int(d["year"].max())
    names = schools.drop_duplicates("municipality").set_index("municipality")
    grid = d[d["year"] == year].pivot(index="comparison", columns="area", values="value")
    grid = grid.loc[[c for c in result.parameters["comparisons"] if c in grid.index]]
    grid.columns = [names.loc[c, "municipality_name"] for c in grid.columns]
    report = write_demo_report(out / "report", report, schools, min_cell=args.min_cell,
                               lang=args.lang)
    written.append(report)
    console = console_of(args)
    if not args.quiet:  # the demo's product is this overview, on standard output
        from segspatial._format import Formatter

        numbers = Formatter(console.lang)
        print(console.t("demo_heading", year=year, n=console.count(len(pupils))))
        digits = 3 if args.min_cell is None else 2  # as published
        # words, not codes
        grid.index = [numbers.capital(numbers.comparison(c)) or c for c in grid.index]
        grid.index.name = console.t("demo_comparison")
        print(grid.to_string(float_format=lambda v: numbers.number(v, digits)))
        print(format_exclusions(result.exclusions, args.min_cell, console.lang))
        print(console.t("demo_wrote"), *(f"  {p}" for p in written), sep="\n")
        print(console.t("demo_open_report", path=report))
    console.say(console.t("demo_open_table", path=out / "results.csv"))
    return 0
