"""``segspatial monitor``: women in technical programmes per region, against targets."""

from __future__ import annotations

import argparse

from segspatial.cli._common import CommandError, read_options
from segspatial.cli._console import console_of
from segspatial.cli._figures import tiles
from segspatial.cli._options import add_group, deprecated_alias, python_names

__all__ = ["register", "run"]


def _pair(text: str, flag: str, what: str) -> tuple[str, str]:
    if "=" not in text:
        example = "arbeidsmarktregio=0.18" if what == "SHARE" else "arbeidsmarktregio=FILE"
        raise CommandError(f"{flag} {text!r}: use LEVEL={what}, e.g. {example}")
    level, value = text.split("=", 1)
    if not level or not value:
        raise CommandError(f"{flag} {text!r}: use LEVEL={what} with both parts")
    return level, value


def _regions(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in values:
        level, path = _pair(text, "--regions", "FILE")
        if level in out:
            raise CommandError(f"--regions: level {level!r} is given twice; give each level "
                               "once")
        out[level] = path
    return out


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "monitor",
        help="technical-education monitor: share of women per region against a target",
        description="Read a DUO enrolment file (JSON or DUO's CSV, one column per year; "
        "'<5' kept as the interval 1-4), assign municipalities to regions by polygon "
        "overlay, and write the share of women in the chosen programmes per region and "
        "year (with exact bounds, target, gap, change, pace), the gender segregation "
        "across programmes (D, E[D], D*, H with ranges), maps and nl/en pages.",
    )
    p.add_argument("input", metavar="FILE", help="DUO enrolment file (.json or .csv)")
    sel = p.add_argument_group("which programmes (combined with AND)")
    sel.add_argument("--sector", metavar="NAME",
                     help="DUO sector (ONDERDEEL), default techniek unless --programmes or "
                     "--name is given")
    sel.add_argument("--programmes", nargs="+", metavar="CODE",
                     help="programme codes (OPLEIDINGSCODE ACTUEEL)")
    sel.add_argument("--programme-name", metavar="REGEX",
                     help="case-insensitive regular expression on the programme name")
    sel.add_argument("--types", nargs="+", metavar="TYPE",
                     help="bachelor, master, 'associate degree'")
    sel.add_argument("--label", metavar="TEXT", help="how the pages call the selection")
    add_group(p, "boundaries", only=("boundaries",),
              default_text={"boundaries": "none; municipality polygons, e.g. "
                            "nl_maps_rd_gemeente_2019.geojson, for --regions"})
    reg = p.add_argument_group("regions")
    reg.add_argument("--regions", nargs="+", metavar="LEVEL=FILE", default=[],
                     help="region polygons per level: arbeidsmarktregio=FILE, "
                     "provincie=FILE (needs --boundaries)")
    reg.add_argument("--mapping", metavar="FILE",
                     help="reuse a municipality-to-region table (mapping.csv of an earlier "
                     "run) instead of --boundaries/--regions (no maps then)")
    reg.add_argument("--write-mapping", metavar="FILE",
                     help="also write the municipality-to-region table here")
    calc = p.add_argument_group("targets and censored cells")
    calc.add_argument("--target", nargs="+", default=["0.20"], metavar="SHARE",
                      help="target share of women: one number for every level, or "
                      "LEVEL=SHARE pairs; a share may be the advice's name for it: vmbo "
                      "(0.10), mbo (0.15), hbo (0.20) (default 0.20, hbo techniek in the "
                      "Techniekpact advice)")
    calc.add_argument("--censored", nargs=3, action="append", metavar=("TOKEN", "LOW", "HIGH"),
                      help="a censored token and its counts (default: <5 1 4); repeatable")
    calc.add_argument("--flagged", nargs=2, metavar=("LOW", "HIGH"),
                      help="the counts a cell marked in a suppression flag column stands for "
                      "(DUO writes 4 and flags it; default: 1 4)")
    calc.add_argument("--flag-columns", nargs="+", metavar="COUNT=FLAG",
                      help="suppression flag columns by name, e.g. '2024=2024 AFGESCHERMD' "
                      "(default: found by name: a year column followed or preceded by "
                      "AFGESCHERMD, GEHEIM, ONDERDRUKT, VLAG, FLAG or SUPPRESSED)")
    calc.add_argument("--no-flags", action="store_true",
                      help="read no suppression flag columns")
    calc.add_argument("--point", default="midpoint",
                      choices=("midpoint", "low", "high", "exclude"),
                      help="what a censored cell counts as in point values (bounds always "
                      "cover every count; default: midpoint)")
    calc.add_argument("--segregation-unit", default="programme",
                      choices=("programme", "programme_institution"),
                      help="unit of the segregation indices (default: programme)")
    calc.add_argument("--segregation-scope", default="all", choices=("all", "selection"),
                      help="programmes over which D and H are computed (default: all)")
    calc.add_argument("--pace-years", type=int, metavar="N",
                      help="years in the trend (default: all years so far)")
    calc.add_argument("--exact-limit", type=int, default=4096, metavar="N",
                      help="fills evaluated exactly per region-year (default: 4096)")
    calc.add_argument("--bad-records", default="raise", choices=("raise", "exclude"),
                      help="a bad value stops the run (default) or is left out and counted")
    add_group(p, "filters", defaults={"min_unit_size": 0, "min_area_size": 0},
              default_text={d: "0: every programme and region counts towards the "
                            "national targets" for d in ("min_unit_size", "min_area_size")})
    add_group(p, "pages", only=("lang",))
    out = add_group(p, "output", skip=("exclusions_output",), required=("output",),
                    metavar={"output": "DIR"},
                    output_help="folder for tables, maps and pages (replaced atomically)")
    out.add_argument("--page-levels", nargs="+", metavar="LEVEL",
                     help="levels with a page per region (default: every mapped level)")
    out.add_argument("--no-pages", action="store_true", help="tables and maps only")
    add_group(p, "web")
    add_group(p, "disclosure")
    add_group(p, "reading")
    deprecated_alias(p, "--name", "--programme-name")
    deprecated_alias(p, "--unit", "--segregation-unit")
    python_names(p, name="--programme-name", errors="--bad-records", targets="--target",
                 flags="--flag-columns",
                 unit="--segregation-unit")
    p.set_defaults(handler=run)


def _share(text: str, flag_text: str):
    """A share, or the name of one of the advice's targets (vmbo, mbo, hbo)."""
    from segspatial.monitor.compute import ADVICE_TARGETS

    if text.strip().lower() in ADVICE_TARGETS:
        return text.strip().lower()
    try:
        return float(text)
    except ValueError:
        raise CommandError(f"--target {flag_text!r}: give a share such as 0.20 or one of the "
                           f"advice's targets ({', '.join(ADVICE_TARGETS)})") from None


def _targets(values: list[str]):
    if len(values) == 1 and "=" not in values[0]:
        return _share(values[0], values[0])
    out = {}
    for text in values:
        level, value = _pair(text, "--target", "SHARE")
        out[level] = _share(value, text)
    return out


def run(args: argparse.Namespace) -> int:
    from segspatial.monitor import Selection, compute_monitor, read_enrolments
    from segspatial.monitor.pages import write_monitor
    from segspatial.monitor.regions import read_mapping, region_mapping, write_mapping

    if args.mapping and (args.boundaries or args.regions):
        raise CommandError("--mapping replaces --boundaries and --regions; give one or the "
                           "other")
    if args.regions and not args.boundaries:
        raise CommandError("--regions needs --boundaries: the municipality polygons")
    censored = None
    if args.censored:
        censored = {}
        for token, low, high in args.censored:
            if token in censored:
                raise CommandError(f"--censored: token {token!r} is given twice; give each "
                                   "token once")
            try:
                censored[token] = (int(low), int(high))
            except ValueError:
                raise CommandError(f"--censored {token} {low} {high}: LOW and HIGH must be "
                                   "whole numbers") from None
    flagged = (1, 4)
    if args.flagged:
        try:
            flagged = (int(args.flagged[0]), int(args.flagged[1]))
        except ValueError:
            raise CommandError(f"--flagged {args.flagged[0]} {args.flagged[1]}: LOW and HIGH "
                               "must be whole numbers") from None
    flags: object = "auto"
    if args.no_flags and args.flag_columns:
        raise CommandError("--no-flags and --flag-columns: give one or the other")
    if args.no_flags:
        flags = None
    elif args.flag_columns:
        flags = {}
        for text in args.flag_columns:
            if "=" not in text or not all(text.split("=", 1)):
                raise CommandError(f"--flag-columns {text!r}: use COUNT=FLAG, e.g. "
                                   "'2024=2024 AFGESCHERMD'")
            count, column = text.split("=", 1)
            if count in flags:
                raise CommandError(f"--flag-columns: count column {count!r} is given twice")
            flags[count] = column
    reading = read_options(args)
    given = [f"--{k}" for k in ("decimal", "thousands") if reading.pop(k, None)]
    if given:
        raise CommandError(f"{', '.join(given)}: the monitor reads DUO's enrolment files, "
                           "whose counts are whole numbers without separators")
    enrolments = read_enrolments(args.input, censored=censored, errors=args.bad_records,
                                 flags=flags, flagged=flagged, **reading)
    mapping = None
    if args.mapping:
        mapping = read_mapping(args.mapping)
    elif args.boundaries and args.regions:
        mapping = region_mapping(args.boundaries, _regions(args.regions))
    if args.write_mapping:
        if mapping is None:
            raise CommandError("--write-mapping needs --boundaries and --regions")
        write_mapping(mapping, args.write_mapping)
    selection = Selection.of(sector=args.sector, programmes=args.programmes,
                             name=args.programme_name,
                             types=args.types, label=args.label)
    result = compute_monitor(
        enrolments, mapping, selection=selection, targets=_targets(args.target),
        point=args.point, unit=args.segregation_unit, segregation_scope=args.segregation_scope,
        min_unit_size=args.min_unit_size, min_area_size=args.min_area_size,
        exact_limit=args.exact_limit, pace_years=args.pace_years)
    from segspatial.monitor.disclose import disclose_result

    shown = disclose_result(result, args.min_cell)  # once, for every file and the summary
    folder = write_monitor(shown, args.output, lang=args.lang, offline=args.offline,
                           tiles=tiles(args), min_cell=args.min_cell,
                           page_levels=args.page_levels, pages=not args.no_pages)
    console = console_of(args)
    console.say(_summary(args, shown, selection, mapping, folder, console))
    return 0


def _summary(args: argparse.Namespace, shown, selection, mapping, folder,
             console) -> str:
    """What the run found and left out, from the disclosed result (no count below
    ``--min-cell``; a total over rows some of which are withheld says so), in the
    words and numbers of ``--lang``."""
    import pandas as pd

    from segspatial.monitor._text import Formatter

    min_cell, say, count = args.min_cell, console.t, console.count
    fmt = Formatter(console.lang)
    rep = shown.representation
    nat = rep[rep["level"] == "national"].sort_values("year").iloc[-1]
    if nat["share"] == nat["share"]:
        lines = [say("monitor_share", selection=selection.describe(),
                     share=fmt.pct(nat["share"]), year=nat["year"],
                     low=fmt.pct(nat["share_low"]), high=fmt.pct(nat["share_high"]),
                     uncensored=fmt.pct(nat["share_uncensored"]),
                     target=fmt.pct(nat["target"], 0))]
    else:
        lines = [say("monitor_share_hidden", selection=selection.describe(),
                     year=nat["year"], n=min_cell)]
    if mapping is not None:
        lines += [say("monitor_mapping", level=(fmt.t(f"level_{row.level}")
                                                if fmt.has(f"level_{row.level}")
                                                else row.level),
                      municipalities=count(row.municipalities), regions=count(row.regions),
                      ties=count(row.ties), misses=count(row.misses))
                  for row in mapping.summary.itertuples(index=False)]
    ex = shown.exclusions
    if ex.empty:
        lines.append(say("nothing_left_out"))
    else:
        lines.append(say("monitor_left_out_head"))
        for (reason, level), part in ex.groupby(["reason", "level"], sort=True,
                                                dropna=False):
            low = pd.to_numeric(part["low"], errors="coerce")
            withheld = int(low.isna().sum())
            if withheld == len(part):
                people = (say("monitor_people_hidden", n=min_cell) if min_cell
                          else say("monitor_people_unknown"))
            elif withheld:
                people = say("monitor_people_partly", n=count(low.sum()),
                             shown=count(len(part) - withheld), withheld=count(withheld))
            else:
                people = console.tn("monitor_people", low.sum(), n=count(low.sum()))
            where = (f" ({fmt.t(f'level_{level}') if fmt.has(f'level_{level}') else level})"
                     if isinstance(level, str) else "")
            description = part["description"].iloc[0]
            if console.lang != "en" and fmt.has(f"reason_{reason}"):
                description = fmt.t(f"reason_{reason}")
            lines.append("  " + say("monitor_left_out_line", reason=reason, where=where,
                                    rows=console.tn("monitor_rows", len(part),
                                                    n=count(len(part))), people=people,
                                    description=description))
    lines.append(say("wrote", path=f"{folder}/index.html"))
    return "\n".join(lines)
