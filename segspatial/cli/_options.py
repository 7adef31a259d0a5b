"""Command-line option groups: every shared option defined once, used by every sub-command.

A sub-command adds the groups it needs with :func:`add_group`, so the same idea has the
same flag, syntax, default and help in every command::

    add_group(p, "columns", required=("unit",))
    add_group(p, "location")
    add_group(p, "spatial", skip=("k", "context"), default_text={"bandwidth": "1000"})
    add_group(p, "output", output_help="results file (.csv or .parquet)")

- To add an option to a group, add one :class:`Option` to its entry in :data:`GROUPS`;
  every command using the group gets it. To add a group, add one entry.
- ``Option.python`` names the Python arguments the flag is passed to (``--seed`` is
  ``rng=``), so messages from the library read in flags (see
  :func:`segspatial.cli._console.cli_text`); an option's own ``dest`` is always mapped.
- Old spellings live on as hidden aliases (:func:`deprecated_alias`): they still work,
  print a ``note:``, and are not listed by ``--help``.

The logic behind the groups stays with its subject: :mod:`segspatial.cli._location`
(locating units), :mod:`segspatial.cli._spatial` (spatial arguments),
:mod:`segspatial.cli._pupils` (pupil-level input), :mod:`segspatial.cli._figures`
(web-map options).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from segspatial._defaults import DRAWS_SEED
from segspatial._groups import COMPARISONS, GROUP_COLUMNS
from segspatial.cli._common import whole_number
from segspatial.text import LANGUAGES

__all__ = [
    "GROUPS",
    "PREREQUISITES",
    "Group",
    "Option",
    "add_group",
    "deprecated_alias",
    "flag_names",
    "given_flags",
    "inactive_options",
    "leaf_parsers",
    "option",
    "option_defaults",
    "python_names",
]

DEFAULT_DISTANCE_CRS = "EPSG:28992"
#: ``--interval`` choices (the Python names use an underscore).
INTERVALS = ("bias-corrected", "percentile")
KERNELS = ("gaussian", "biweight", "boxcar")


@dataclass(frozen=True)
class Option:
    """One command-line option: its flags, argparse keywords and help.

    ``help`` may hold ``{default}``, filled with the command's ``default_text`` for the
    option, else :attr:`default_text`, else the argparse default.
    """

    flags: tuple[str, ...]
    help: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    default_text: str | None = None
    python: tuple[str, ...] = ()

    @property
    def dest(self) -> str:
        """The attribute name in the parsed namespace."""
        if "dest" in self.kwargs:
            return str(self.kwargs["dest"])
        long = next(f for f in self.flags if f.startswith("--"))
        return long[2:].replace("-", "_")


def option(*flags: str, help: str, default_text: str | None = None,
           python: Iterable[str] = (), **kwargs: Any) -> Option:
    """An :class:`Option` (argparse keywords as keyword arguments)."""
    return Option(flags=flags, help=help, kwargs=kwargs, default_text=default_text,
                  python=tuple(python))


@dataclass(frozen=True)
class Group:
    """A titled group of options, shown as one section of ``--help``."""

    title: str
    description: str | None
    options: tuple[Option, ...]

    def get(self, dest: str) -> Option:
        for opt in self.options:
            if opt.dest == dest:
                return opt
        raise KeyError(f"option group {self.title!r} has no option {dest!r}; it has "
                       f"{[o.dest for o in self.options]!r}")


def column_label(text: str) -> tuple[str, str]:
    """An argparse ``type``: ``COLUMN=LABEL`` as ``(column, label)``, both non-empty."""
    column, sep, label = text.partition("=")
    if not sep or not column.strip() or not label.strip():
        raise argparse.ArgumentTypeError(f"expected COLUMN=LABEL (a group column and what "
                                         f"to call it), got {text!r}")
    return column.strip(), label.strip()


def draws(text: str) -> int:
    """An argparse ``type``: 0 (none) or at least 2 random draws."""
    value = whole_number(0)(text)
    if value == 1:
        raise argparse.ArgumentTypeError("must be 0 (none) or at least 2, got 1")
    return value


def neighbours(text: str) -> int:
    """An argparse ``type``: ``--k``, a whole number of nearest units of at least 1."""
    value = whole_number(-(10**18))(text)
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"must be a whole number >= 1 (the nearest units besides the unit itself; "
            f"--bandwidth 0 is the unit alone), got {value}")
    return value


def level(text: str) -> float:
    """An argparse ``type``: a confidence level strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a level such as 0.95, got {text!r}") \
            from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"must be between 0 and 1 (e.g. 0.95 for 95% intervals), got {text}")
    return value


#: ``--bandwidth 500 1000`` and ``--bandwidth 500 --bandwidth 1000`` give the same list.
_BANDWIDTH = dict(action="extend", nargs="+", type=float, metavar="M")

#: The option groups, by name. Each option is defined here once.
GROUPS: dict[str, Group] = {
    "columns": Group("input columns", None, (
        option("--unit", metavar="COL", help="unit (school) id column"),
        option("--group-a", metavar="COL",
               help="group A count column (counts input: one row per unit, a column per "
               "group)"),
        option("--group-b", metavar="COL", help="group B count column (counts input)"),
        option("--area", metavar="COL", default_text="none; --areas-from replaces it",
               help="area (municipality) code column (default: {default})"),
        option("--year", metavar="COL", help="year column"),
        option("--total", metavar="COL",
               help="all pupils of the unit, including pupils in neither group"),
        option("--name", metavar="COL", help="unit (school) name column"),
    )),
    "pupils": Group(
        "pupil-level input (--pupils)",
        "INPUT has one row per pupil per year (CSV, Parquet or SPSS .sav with the 'spss' "
        "extra). Comparisons: " + ", ".join(COMPARISONS) + ".",
        (
            option("--pupils", action="store_true",
                   help="INPUT is pupil-level data (one row per pupil); --group-a and "
                   "--group-b are then not used"),
            option("--ethnicity", metavar="COL",
                   help="migration background column (dutch/western/nonwestern, Dutch "
                   "labels such as autochtoon/westers/niet-westers, or --ethnicity-map)"),
            option("--income", metavar="COL",
                   help="disposable household income column (a number; ranked over the "
                   "whole input per year)"),
            option("--education", metavar="COL",
                   help="parental education column (low/middle/high, laag/midden/hoog, or "
                   "--education-map)"),
            option("--comparisons", nargs="+", metavar="NAME",
                   help="comparisons to compute (default: all of the given themes); a name "
                   "above or a pair GROUP_A:GROUP_B of group columns ("
                   + ", ".join(c for cols in GROUP_COLUMNS.values() for c in cols) + ")"),
            option("--ethnicity-map", metavar="FILE",
                   help="CSV with two columns, code and group (dutch, western, nonwestern; "
                   "empty = unknown)"),
            option("--education-map", metavar="FILE",
                   help="CSV with two columns, code and group (low, middle, high; empty = "
                   "unknown)"),
            option("--income-missing", nargs="+", type=float, metavar="VALUE",
                   help="income values that mean 'unknown' (e.g. 9999999999)"),
            option("--counts-output", metavar="FILE",
                   help="also write the unit x year x group counts used (after the "
                   "filters; .csv or .parquet)"),
            option("--engine", choices=("pandas", "duckdb", "dask"), default="pandas",
                   help="where the pupils are counted: pandas (in memory, default), duckdb "
                   "(out of core: Parquet/CSV read directly, bounded memory) or dask "
                   "(distributed; see --scheduler); all give the same counts"),
            option("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: the Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                   "(default: a local cluster on this machine)"),
            option("--memory-limit", metavar="SIZE",
                   help="with --engine duckdb: DuckDB's memory limit, e.g. 2GB (default: "
                   "1GB; it spills to disk beyond it)"),
        )),
    "multigroup": Group(
        "several groups at once",
        "Theil's M and H, multigroup D and normalised exposure for K >= 2 groups "
        "(Reardon & Firebaugh 2002), their between/within decomposition and local scores",
        (
            option("--groups", nargs="+", metavar="COL",
                   help="two or more group count columns, compared all at once (instead "
                   "of --group-a/--group-b)"),
            option("--within", metavar="COL",
                   help="a column grouping the units (e.g. denomination, school board): "
                   "adds the exact split of M and H into between and within"),
            option("--log-base", type=float, metavar="B", python=("base",),
                   help="logarithm base of M and the entropy (default e: nats; 2 gives "
                   "bits, written as mutual_information_base2)"),
            option("--local-output", metavar="FILE",
                   help="also write the local segregation scores per unit (.csv or "
                   ".parquet)"),
            option("--within-output", metavar="FILE",
                   help="also write the decomposition per cluster of --within"),
            option("--multigroup", action="store_true",
                   help="with --pupils: every group of each theme at once "
                   "(dutch/western/nonwestern; income in --income-groups groups; "
                   "education low/middle/high)"),
            option("--income-groups", type=int, metavar="N",
                   help="with --pupils --multigroup: income groups of the national ranks "
                   "(default 5: quintiles; at most 100)"),
            option("--rank-order-income", action="store_true",
                   help="with --pupils --income: the rank-order information theory index "
                   "H^R (Reardon 2011) and the H(p) profile"),
            option("--profile-output", metavar="FILE",
                   help="with --rank-order-income: write the H(p) profile"),
            option("--thresholds", nargs="+", type=float, metavar="P",
                   help="with --rank-order-income: income percentiles of the profile "
                   "(default 0.05 0.10 ... 0.95)"),
            option("--polynomial-order", type=int, metavar="M", default_text="4",
                   help="with --rank-order-income: order of the polynomial fitted to "
                   "H(p) (default: {default})"),
            option("--income-ranks", choices=("national", "area"),
                   help="with --rank-order-income: thresholds on the national per-year "
                   "ranks (default) or each area's own ranks"),
        )),
    "filters": Group("filters (0 disables)", None, (
        option("--min-unit-size", type=float, metavar="N", default=50,
               help="leave out units with fewer than N people (default: {default})"),
        option("--min-area-size", type=float, metavar="N", default=10000,
               help="leave out areas with fewer than N people per year on average "
               "(default: {default})"),
    )),
    "location": Group(
        "unit locations",
        "where the units are: coordinate columns, 4-digit postcode centroids, or both "
        "(coordinates where present, the postcode's centroid for units without them)",
        (
            option("--x", metavar="COL", help="unit x (easting, or longitude) column"),
            option("--y", metavar="COL", help="unit y (northing, or latitude) column"),
            option("--crs", metavar="CRS",
                   help="CRS of --x/--y, e.g. EPSG:28992 (RD New) or EPSG:4326 (lon/lat)"),
            option("--postcode", metavar="COL",
                   help="unit postcode column ('1011 AB', '1011AB' or 1011): locate the "
                   "unit at its 4-digit postcode centroid (with --x/--y: only units "
                   "without coordinates)"),
            option("--postcode-table", metavar="FILE",
                   help="4-digit postcode centroids (CSV/Parquet with postcode, x_rd, "
                   "y_rd), e.g. CBS postcode areas; unmatched units are left out, counted"),
            option("--distance-crs", default=DEFAULT_DISTANCE_CRS, metavar="CRS",
                   help="projected CRS in metres for all distances and maps (default: "
                   "{default}, RD New); geographic CRSs are refused"),
        )),
    "areas": Group(
        "areas from polygons",
        "assign every unit to the polygon that contains it (replaces --area), e.g. a "
        "2009-2018 panel on one year's municipalities",
        (
            option("--areas-from", metavar="BOUNDARIES",
                   help="boundary file (GeoJSON, TopoJSON, GeoPackage, Shapefile, "
                   "GeoParquet); see `segspatial boundaries fetch`"),
            option("--snap", type=float, default=5000.0, metavar="M",
                   help="units outside every polygon go to the nearest one within M "
                   "metres, else they are left out (default: 5000; 0 disables)"),
        )),
    "boundaries": Group("area boundaries", None, (
        option("--boundaries", metavar="FILE", default_text="the --areas-from file",
               help="area polygons: GeoJSON, TopoJSON, GeoPackage, Shapefile or "
               "GeoParquet (default: {default})"),
        option("--area-code", metavar="COL", default_text="statcode",
               help="boundaries column with the area codes (default: {default})"),
        option("--area-name", metavar="COL",
               help="boundaries column with the area names (default: statnaam or name)"),
        option("--boundaries-crs", metavar="CRS",
               help="CRS of a boundary file that declares none (TopoJSON: EPSG:4326 is "
               "assumed for lon/lat coordinates)"),
        option("--boundaries-layer", metavar="NAME", python=("layer",),
               help="layer of a multi-layer boundary file (GeoPackage, TopoJSON)"),
    )),
    "spatial": Group(
        "spatial indices",
        "local environments around each unit: each unit's pupils spread over the units "
        "around it, so 0 <= spatial <= aspatial; needs unit locations",
        (
            option("--bandwidth", **_BANDWIDTH, default_text="none",
                   help="kernel bandwidths in metres: --bandwidth 500 1000 or "
                   "--bandwidth 500 --bandwidth 1000; 0 = the unit alone (default: "
                   "{default})"),
            option("--kernel", choices=KERNELS,
                   help="distance kernel (default: gaussian, cut off at 5 bandwidths)"),
            option("--k", action="extend", nargs="+", type=neighbours, metavar="N",
                   help="use the N nearest units (N >= 1) instead of a kernel: --k 4 8 "
                   "or --k 4 --k 8; the results' bandwidth column then holds N and "
                   "their kernel is knn"),
            option("--context", choices=("area", "all"), default="area",
                   help="neighbours from the same area only (default) or from any area "
                   "(same year); indices stay per area"),
            option("--definition", choices=("dispersal", "reardon_osullivan"),
                   default="dispersal",
                   help="local environments: dispersal (default; never above the "
                   "aspatial index) or reardon_osullivan (local shares weighted by each "
                   "unit's own pupils, as in the literature; can be negative; rows "
                   "spatial_dissimilarity_ro, spatial_theil_h_ro, ...)"),
            option("--districts", metavar="FILE",
                   help="district polygons (e.g. CBS wijken) for the between/within split "
                   "of Theil's H; units are joined by location"),
            option("--district-code", metavar="COL",
                   help="district code column of --districts (e.g. statcode)"),
            option("--district-size", type=float, default=2000.0, metavar="M",
                   help="without --districts: squares of M metres (default: {default})"),
            option("--spatial-indices", nargs="+", metavar="NAME",
                   help="spatial indices to add (default: spatial_dissimilarity, "
                   "spatial_theil_h, morans_i, morans_i_p, morrill_d, and the "
                   "decomposition with --districts; also spatial_isolation_a, "
                   "spatial_exposure_ab, spatial_isolation_b, spatial_exposure_ba)"),
            option("--morrill-clip", action="store_true",
                   python=("morrill_contiguity",),
                   help="Morrill's D on Voronoi catchments clipped to the --areas-from "
                   "polygons (default: frame-free Delaunay contiguity, the same with "
                   "--area and --areas-from)"),
            option("--permutations", type=int, default=999, metavar="N",
                   help="permutations for the p-value of Moran's I (default: {default}; "
                   "0: none)"),
        )),
    "random": Group("random draws", None, (
        option("--seed", type=whole_number(0), default=DRAWS_SEED, metavar="N",
               python=("rng",),
               help="seed of the random draws: the same seed gives the same output "
               "(default: {default})"),
    )),
    "inference": Group(
        "uncertainty and significance",
        "bootstrap intervals and randomisation tests for every index and area-year (see "
        "the README); reproducible with --seed",
        (
            option("--bootstrap", type=draws, default=0, metavar="N", python=("n_boot",),
                   default_text="none",
                   help="bootstrap replicates per area-year for se, ci_low, ci_high "
                   "(default: {default}; 1000 or more for 95% intervals)"),
            option("--ci", type=level, default=0.95, metavar="LEVEL", python=("level",),
                   help="confidence level of the intervals (default: {default})"),
            option("--cluster", action="store_true",
                   help="resample schools (cluster bootstrap: schools as a sample) "
                   "instead of pupils (individual bootstrap, the default)"),
            option("--interval", choices=INTERVALS, default="bias-corrected",
                   help="bias-corrected (default; percentiles of 2 value - replicate, as "
                   "R segregation) or percentile"),
            option("--null-draws", type=draws, default=0, metavar="N", default_text="none",
                   help="random-allocation draws per area-year for p_value, null_mean, "
                   "null_se (default: {default})"),
            option("--alternative", choices=("greater", "less", "two-sided"),
                   default="greater",
                   help="alternative of the randomisation test (default: {default}, more "
                   "segregated than random allocation)"),
            option("--jobs", type=whole_number(1), default=1, metavar="N",
                   python=("n_jobs",),
                   help="threads (default: {default}); results do not depend on it"),
        )),
    "select": Group("what to show", None, (
        option("--index", metavar="NAME", help="the index (see `segspatial list-indices`)"),
        option("--comparison", nargs="+", metavar="C", default_text="all",
               help="the comparison(s) of pupil-level results to show (default: "
               "{default})"),
        option("--bandwidth", **_BANDWIDTH, default_text="the only one in the results",
               help="the bandwidth (metres) to show when the results hold a spatial index "
               "at several (default: {default})"),
        option("--in-year", metavar="Y", python=("year",),
               help="the year (default: the latest)"),
        option("--only", nargs="+", metavar="CODE",
               help="only these area codes"),
    )),
    "figure": Group("words on the figure", None, (
        option("--title", metavar="TEXT",
               default_text="in words, the index (or, on a school map, the share of "
               "group A), the groups, and the area and year when the data say them; '' for "
               "none",
               help="the title (default: {default})"),
    )),
    "labels": Group("labels", None, (
        option("--label-a", metavar="TEXT",
               help="what to call group A, as a noun phrase in the language of --lang, "
               "used as it is (e.g. 'pupils with a disadvantage background', "
               "'achterstandsleerlingen'; nothing such as 'pupils' is added to it)"),
        option("--label-b", metavar="TEXT",
               help="what to call group B, as a noun phrase (e.g. 'other pupils')"),
        option("--group-label", action="append", type=column_label,
               metavar="COLUMN=LABEL", python=("group_labels",),
               help="what to call a group column of --groups, as a noun phrase used as "
               "it is (e.g. b='pupils without a disadvantage background'); repeat for "
               "each group (default: a known group's name, else 'group COLUMN'); "
               "--label-a/--label-b win for the columns of --group-a/--group-b"),
        option("--within-label", metavar="TEXT",
               help="what to call the groups of schools of --within, as a plural noun "
               "phrase (e.g. 'denominations', 'denominaties'): the headings, sentences "
               "and table of the split between and within (default: a known column's "
               "name, else 'groups of schools by COLUMN')"),
    )),
    "pages": Group("pages", None, (
        option("--lang", choices=tuple(LANGUAGES), default="en",
               help="language of the pages, maps, summaries and notes (default: "
                    "{default}; error messages are English)"),
        option("--stamp", action="store_true",
               help="show the date and time of writing (pages then differ per run)"),
    )),
    "web": Group("interactive maps (.html output)", None, (
        option("--offline", action="store_true",
               help="embed the map library (Leaflet) in the file: works without internet"),
        option("--tiles", metavar="NAME",
               help="basemap: a folium tile name or URL, or 'none' (default: "
               "OpenStreetMap; none with --offline)"),
    )),
    "disclosure": Group("disclosure control", None, (
        option("--min-cell", type=int, metavar="N",
               help="disclosure control: nothing this command writes lets anyone work "
               "out a count below N of pupils of any group, in any school or area (see "
               "the README, 'Disclosure control')"),
    )),
    "reading": Group("reading CSV", None, (
        option("--sep", metavar="CHAR",
               help="CSV separator (default: guessed from the header)"),
        option("--encoding", metavar="NAME",
               help="CSV encoding (default: decided on the whole file: UTF-8, else "
               "Windows-1252; a file mixing both is refused)"),
        option("--decimal", metavar="CHAR", choices=(".", ","),
               help="decimal separator, '.' or ',' (Dutch numbers). Default: '.'; "
               "decimal commas are refused until this is given. Every number is "
               "checked against the format given: one that does not fit is refused"),
        option("--thousands", metavar="CHAR", choices=(".", ","),
               help="thousands separator, '.' (Dutch numbers such as 4.000; the "
               "decimal separator is then ',') or ','. Default: none; numbers that look "
               "like thousands groups are refused until --thousands or --decimal is "
               "given"),
    )),
    "output": Group("output", None, (
        option("--output", "-o", metavar="FILE", help="output file"),
        option("--exclusions-output", metavar="FILE",
               help="also write what was left out, and why (.csv or .parquet)"),
        option("--quiet", "-q", action="store_true",
               help="no notes, summaries or 'wrote' lines (errors still print)"),
    )),
}


def add_group(parser: argparse.ArgumentParser, name: str, *,
              only: Iterable[str] | None = None, skip: Iterable[str] = (),
              required: Iterable[str] = (), defaults: Mapping[str, Any] | None = None,
              default_text: Mapping[str, str] | None = None,
              output_help: str | None = None, metavar: Mapping[str, str] | None = None,
              title: str | None = None, one: Iterable[str] = ()
              ) -> argparse._ArgumentGroup:
    """Add the options of group ``name`` to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command's parser.
    name : str
        A key of :data:`GROUPS`.
    only, skip : iterable of str
        Option ``dest`` names to keep (default: all) or leave out.
    required : iterable of str
        Options the command cannot do without.
    defaults : mapping, optional
        Per-command default values (``dest -> value``); the help shows them.
    default_text : mapping, optional
        Per-command text of a default that the command computes (``dest -> text``).
    output_help, metavar : optional
        The help of ``--output`` (what the command writes) and per-option metavars
        (``{"output": "DIR"}``): the only other per-command wording.
    title : str, optional
        The section title (default: the group's).
    one : iterable of str
        Options that take several values elsewhere but one in this command (a map
        shows one ``--bandwidth``): ``--help`` shows one value (``--bandwidth M``); they
        parse as everywhere, so that the command can say "a map shows one; got 2"
        (:func:`segspatial.cli._common.one_value`).

    Returns
    -------
    argparse._ArgumentGroup
    """
    group_spec = GROUPS[name]
    wanted = None if only is None else set(only)
    unknown = ({*(wanted or ()), *skip, *required, *(defaults or {}), *(default_text or {}),
                *(metavar or {}), *one} - {o.dest for o in group_spec.options})
    if unknown:
        raise KeyError(f"option group {name!r} has no option(s) {sorted(unknown)!r}")
    group = parser.add_argument_group(title or group_spec.title, group_spec.description)
    for opt in group_spec.options:
        if (wanted is not None and opt.dest not in wanted) or opt.dest in set(skip):
            continue
        kwargs = dict(opt.kwargs)
        if defaults and opt.dest in defaults:
            kwargs["default"] = defaults[opt.dest]
        if metavar and opt.dest in metavar:
            kwargs["metavar"] = metavar[opt.dest]
        shown = (default_text or {}).get(opt.dest)  # the command's words win
        if shown is None:
            shown = (kwargs.get("default") if defaults and opt.dest in defaults
                     else opt.default_text)
        if shown is None:
            shown = kwargs.get("default")
        text = output_help if opt.dest == "output" and output_help else opt.help
        text = text.replace("{default}", f"{shown:g}" if isinstance(shown, float)
                            else str(shown))
        if opt.dest in set(required):
            kwargs["required"] = True
        action = group.add_argument(*opt.flags, help=text.replace("%", "%%"), **kwargs)
        if opt.dest in set(one):
            action.shows_one = True  # read by segspatial.cli's help formatter
    return group


class _DeprecatedAlias(argparse.Action):
    """A hidden old spelling: does what the new flag does and leaves a note."""

    def __init__(self, option_strings: list[str], dest: str, *, target: argparse.Action,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=target.nargs, type=target.type,
                         choices=target.choices, metavar=target.metavar,
                         help=argparse.SUPPRESS, **kwargs)
        self.target = target

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        new = self.target.option_strings[0]
        notes = list(getattr(namespace, "_deprecated", []))
        notes.append((option_string, new))  # a note in the run's language (cli.main)
        namespace._deprecated = notes
        self.target(parser, namespace, values, new)


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    # argparse has no public list of a parser's actions; ``_actions`` has been stable
    # since Python 2.7 and is what its own help formatter reads.
    return list(parser._actions)


def deprecated_alias(parser: argparse.ArgumentParser, old: str, new: str) -> None:
    """Let ``old`` (hidden from ``--help``) work as ``new``, with a deprecation note."""
    target = next((a for a in _actions(parser) if new in a.option_strings), None)
    if target is None:
        raise KeyError(f"{parser.prog} has no option {new}")
    if target.nargs == 0:  # store_true and friends take no value
        raise ValueError(f"{new} takes no value; alias it by hand")
    parser.add_argument(old, dest=f"_alias_{old.lstrip('-').replace('-', '_')}",
                        action=_DeprecatedAlias, target=target, default=argparse.SUPPRESS)


def python_names(parser: argparse.ArgumentParser, **names: str) -> None:
    """Per-command Python argument names of flags, for messages (``crs="--boundaries-crs"``)."""
    current = dict(parser.get_default("_python_names") or {})
    current.update(names)
    parser.set_defaults(_python_names=current)


def flag_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Python argument name -> flag for every option of ``parser``.

    Each option that takes a value maps its ``dest`` to its first long flag (a switch
    such as ``--pupils`` does not: ``pupils`` in a message is the pupils' table); registry
    options add their
    ``python`` names (``rng`` -> ``--seed``), and :func:`python_names` the command's own.
    """
    declared = {f: opt for g in GROUPS.values() for opt in g.options for f in opt.flags}
    flags: dict[str, str] = {}
    for action in _actions(parser):
        longs = [s for s in action.option_strings if s.startswith("--")]
        if not longs or action.help == argparse.SUPPRESS or action.dest == "help":
            continue
        if action.nargs != 0:  # a switch (--pupils) is no value a message could name
            flags.setdefault(action.dest, longs[0])
        spec = declared.get(longs[0])
        for name in (spec.python if spec is not None else ()):
            flags.setdefault(name, longs[0])
    flags.update(parser.get_default("_python_names") or {})
    return flags


def option_defaults(parser: argparse.ArgumentParser) -> dict[str, tuple[Any, str]]:
    """``dest -> (default, flag)`` of every visible option of ``parser`` (see
    :func:`given_flags`)."""
    out: dict[str, tuple[Any, str]] = {}
    for action in _actions(parser):
        longs = [s for s in action.option_strings if s.startswith("--")]
        if longs and action.help != argparse.SUPPRESS and action.dest != "help":
            out.setdefault(action.dest, (action.default, longs[0]))
    return out


def given_flags(args: argparse.Namespace, dests: Iterable[str] | None = None, *,
                besides: Iterable[str] = ()) -> list[str]:
    """The flags whose value differs from their default: the options the user gave
    (``dests``: only these; ``besides``: all but these). An option given with its
    default value is indistinguishable, and harmless."""
    defaults: dict[str, tuple[Any, str]] = getattr(args, "_defaults", None) or {}
    wanted = set(defaults) if dests is None else set(dests)
    wanted -= set(besides)
    return [flag for dest, (default, flag) in defaults.items()
            if dest in wanted and getattr(args, dest, default) != default]


#: Options that do nothing without another (``dest -> the dests one of which is
#: needed``): given alone, a note says so, as mature command lines do. A command whose
#: computation implies an option (``report`` always computes at its bandwidths) lists
#: it with ``parser.set_defaults(_implied=("bandwidth",))``.
PREREQUISITES: dict[str, tuple[str, ...]] = {
    "kernel": ("bandwidth",),
    "context": ("bandwidth", "k"),
    "definition": ("bandwidth", "k"),
    "permutations": ("bandwidth", "k"),
    "snap": ("areas_from",),
    "distance_crs": ("x", "postcode"),
    "district_size": ("bandwidth", "k", "districts"),
}


def inactive_options(args: argparse.Namespace) -> list[str]:
    """Notes on the options given without what they act on ("--kernel has no effect
    without --bandwidth"; see :data:`PREREQUISITES`)."""
    defaults: dict[str, tuple[Any, str]] = getattr(args, "_defaults", None) or {}
    implied = set(getattr(args, "_implied", ()))
    notes = []
    for dest, needs in PREREQUISITES.items():
        present = [d for d in needs if d in defaults]
        if dest not in defaults or not present or not given_flags(args, [dest]):
            continue
        if implied & set(present) or any(getattr(args, d, None) for d in present):
            continue
        flags = " or ".join(defaults[d][1] for d in present)
        notes.append(f"{defaults[dest][1]} has no effect without {flags}")
    return notes


def leaf_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every parser under ``parser`` that runs a command (``boundaries info``, ...)."""
    subs = [a for a in _actions(parser) if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield parser
        return
    for action in subs:
        for child in dict.fromkeys(action.choices.values()):
            yield from leaf_parsers(child)
