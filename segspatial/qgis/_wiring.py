"""The QGIS provider's wiring, without QGIS: parameters, API calls, batches, colours.

Pure Python (tested without QGIS). Every parameter of every algorithm is one
:class:`Param` row: its QGIS name, its kind, the Python API keyword it feeds and its
default, which is read from the API's signature unless the row gives one. The provider
(:mod:`segspatial.qgis._processing`) turns each kind into one QGIS parameter class and
reads each value back as a Python value; :func:`api_arguments` maps the values onto the
keyword arguments of whichever API function is called. **Adding a parameter is one
row here** (and its label and tooltip in the ``[qgis]`` table of
the text catalogue, :mod:`segspatial.text`).

Choices come from the API's registries when QGIS builds the algorithm: the indices
from :func:`segspatial.indices.available_indices` (so plug-in indices and new built-in
ones appear by themselves), the spatial indices and kernels from
:mod:`segspatial.spatial`.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ALGORITHMS",
    "FROM_API",
    "MAX_CHART_AREAS",
    "N_BATCHES",
    "AlgorithmSpec",
    "Cancelled",
    "Param",
    "UI_LANGUAGE",
    "api_arguments",
    "api_function",
    "convert",
    "default_value",
    "k_replaces_bandwidth",
    "local_classes",
    "options",
    "parameter_names",
    "parse_numbers",
    "partition_column",
    "report_classes",
    "run_batched",
    "then_infer",
]

#: Areas (or years) are computed in at most this many batches: progress is reported,
#: and cancellation honoured, between batches (each batch is one vectorised API call).
N_BATCHES = 20
#: The profile chart shows at most this many areas (those with the most pupils).
MAX_CHART_AREAS = 10


class _FromApi:
    def __repr__(self) -> str:
        return "FROM_API"


#: Default of a parameter: the default of its keyword in the algorithm's API functions.
FROM_API: Any = _FromApi()


class _UiLanguage:
    def __repr__(self) -> str:
        return "UI_LANGUAGE"


#: Default of a language choice: the language of the QGIS user interface (resolved by
#: the provider; English when the interface language is not offered).
UI_LANGUAGE: Any = _UiLanguage()


class Cancelled(Exception):
    """The user cancelled the algorithm (raised between batches)."""


@dataclass(frozen=True)
class Param:
    """One parameter of a QGIS algorithm.

    Attributes
    ----------
    name : str
        The QGIS parameter name (``qgis_process`` and ``processing.run`` use it).
    kind : str
        ``points``, ``polygons`` (feature sources), ``field``, ``fields`` (several),
        ``number``,
        ``integer``, ``numbers`` (text of numbers), ``choice``, ``choices`` (several),
        ``crs``, ``text``, ``codes`` (text of codes), ``bool``; outputs: ``sink``,
        ``table``, ``folder``, ``html``.
    api : str, optional
        The keyword argument of the Python API the value goes to (the columns and
        layers are wired by the provider itself).
    default : optional
        A value, a callable returning one, or :data:`FROM_API`.
    optional, advanced : bool
        QGIS flags.
    parent : str, optional
        For fields: the layer parameter they belong to.
    field_type : str
        For fields: ``any``, ``numeric`` or ``string``.
    choices : callable, optional
        For choices: returns the allowed values (asked when QGIS builds the algorithm).
    minimum : float, optional
        For numbers.
    """

    name: str
    kind: str
    api: str | None = None
    default: Any = None
    optional: bool = False
    advanced: bool = False
    parent: str | None = None
    field_type: str = "any"
    choices: Callable[[], Sequence[str]] | None = None
    minimum: float | None = None

    @property
    def is_output(self) -> bool:
        return self.kind in ("sink", "table", "folder", "html")


@dataclass(frozen=True)
class AlgorithmSpec:
    """A QGIS algorithm: its name, the API functions it calls and its parameters."""

    name: str
    functions: tuple[str, ...]
    params: tuple[Param, ...]

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"algorithm {self.name!r} has no parameter {name!r}")


def api_function(path: str) -> Callable[..., Any]:
    """The function ``"module:name"`` (imported on first use)."""
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def _signature_default(functions: Iterable[str], keyword: str) -> Any:
    for path in functions:
        parameters = inspect.signature(api_function(path)).parameters
        if keyword in parameters:
            default = parameters[keyword].default
            if default is inspect.Parameter.empty:
                raise ValueError(f"{path}: {keyword!r} has no default")
            return default
    raise KeyError(f"no function of {list(functions)!r} takes {keyword!r}")


def from_api(path: str, keyword: str) -> Callable[[], Any]:
    """A default read from another API function's signature (e.g. ``assign_areas``'
    ``snap``)."""
    return lambda: _signature_default([path], keyword)


def options(param: Param) -> list[str]:
    """The allowed values of a choice parameter."""
    if param.choices is None:
        raise ValueError(f"{param.name} is not a choice parameter")
    return [str(v) for v in param.choices()]


def default_value(spec: AlgorithmSpec, param: Param) -> Any:
    """The default of ``param`` in ``spec`` (QGIS form: numbers list as text)."""
    value = param.default
    if value is FROM_API:
        value = _signature_default(spec.functions, param.api or "")
    elif callable(value):
        value = value()
    if value is UI_LANGUAGE:
        return value
    if param.kind == "choice" and value is None:
        value = options(param)[0]
    if param.kind == "numbers" and value is not None and not isinstance(value, str):
        value = ", ".join(f"{float(v):g}" for v in value)
    if param.kind == "choices" and value is not None:
        value = [str(v) for v in value]
    return value


_SEPARATORS = re.compile(r"[,;\s]+")


def parse_numbers(raw: Any, name: str) -> list[float] | None:
    """``"500, 1000 2000"`` -> ``[500.0, 1000.0, 2000.0]``; empty -> None.

    Raises
    ------
    ValueError
        Naming the parameter and the bad item.
    """
    if raw is None:
        return None
    if isinstance(raw, int | float):
        return [float(raw)]
    items = [s for s in _SEPARATORS.split(str(raw).strip()) if s]
    if not items:
        return None
    values = []
    for item in items:
        try:
            values.append(float(item))
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not a number; give distances in metres "
                             "separated by commas, e.g. 500, 1000, 2000") from None
    return values


def convert(param: Param, raw: Any) -> Any:
    """A value as QGIS gives it -> the value the Python API takes."""
    if param.kind == "numbers":
        return parse_numbers(raw, param.name)
    if param.kind == "fields":
        chosen = [str(v) for v in raw or () if str(v)]
        return chosen or None
    if param.kind == "choices":  # QGIS gives [""] for an empty optional choice
        chosen = [str(v) for v in raw or () if str(v)]
        return chosen or None
    if param.kind == "codes":
        items = [s for s in _SEPARATORS.split(str(raw or "").strip()) if s]
        return items or None
    if param.kind == "text":
        return str(raw) if raw not in (None, "") else None
    if param.kind == "integer" and raw is not None:
        return int(raw)
    if param.kind == "number" and raw is not None:
        return float(raw)
    return raw


#: API arguments the provider wires itself (no ``api`` in their row): the schools'
#: column roles (``unit=``, ``group_a=`` ...) and the areas' and districts' options.
_PROVIDER_WIRED = {"unit": "UNIT", "group_a": "GROUP_A", "group_b": "GROUP_B",
                   "groups": "GROUPS",
                   "total": "TOTAL", "year": "YEAR", "name": "NAME", "area": "AREA_FIELD",
                   "snap": "SNAP", "area_code": "AREA_CODE", "districts": "DISTRICTS",
                   "district_code": "DISTRICT_CODE", "label_a": "LABEL_A",
                   "label_b": "LABEL_B"}


def parameter_names(spec: AlgorithmSpec) -> dict[str, str]:
    """API argument name -> the parameter of ``spec`` that feeds it, for messages
    (see :func:`segspatial._messages.in_names`)."""
    names = {p.name for p in spec.params}
    out = {api: name for api, name in _PROVIDER_WIRED.items() if name in names}
    out.update({p.api: p.name for p in spec.params if p.api})
    return out


def api_arguments(spec: AlgorithmSpec, values: Mapping[str, Any],
                  function: Callable[..., Any]) -> dict[str, Any]:
    """Keyword arguments of ``function`` from the parameter ``values`` (by name).

    Only the parameters with an ``api`` keyword that ``function`` accepts are passed,
    so one table of parameters serves every function an algorithm calls.
    """
    accepted = inspect.signature(function).parameters
    return {p.api: values[p.name] for p in spec.params
            if p.api and p.api in accepted and p.name in values}


def k_replaces_bandwidth(kwargs: dict[str, Any]) -> dict[str, Any]:
    """With ``k`` (nearest schools) the bandwidths and the kernel are dropped: the API
    takes one or the other, and the QGIS dialog always shows default bandwidths."""
    if kwargs.get("k") is not None:
        return {**kwargs, "bandwidth": None, "kernel": None}
    return kwargs


def then_infer(function: Callable[..., Any], **infer_kwargs: Any) -> Callable[..., Any]:
    """``function`` followed by :func:`segspatial.inference.infer` on its result.

    Inference draws from streams keyed by area and year, so with one int seed batches
    of areas give the very draws of one call over all areas.
    """
    from segspatial.inference import infer

    def run(data: Any, *args: Any, **kwargs: Any) -> Any:
        return infer(function(data, *args, **kwargs), **infer_kwargs).result

    return run


# --------------------------------------------------------------------------- batches


def partition_column(area: str | None, year: str | None, context: str,
                     k: int | None = None) -> str | None:
    """The column whose values can be computed apart: the area (neighbours from the
    same area) or the year (neighbours from every area of the year).

    None (one call) with ``k`` nearest schools: the engine's KD-tree over the units of a
    call orders equidistant neighbours (schools sharing a location) by its own build,
    so batches could pick another of them than the command line does."""
    if k is not None:
        return None
    return area if context == "area" else year


def _sorted_keys(values: Any) -> list[Any]:
    import pandas as pd

    unique = list(pd.unique(values))
    try:
        return sorted(unique)
    except TypeError:  # mixed types: a stable order all the same
        return sorted(unique, key=str)


def _combine(results: list[Any]) -> Any:
    import pandas as pd

    def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        kept = [f for f in frames if len(f)] or frames[:1]
        return pd.concat(kept, ignore_index=True)

    first = results[0]
    if isinstance(first, tuple):  # several outputs per call: combined one by one
        return tuple(_combine(list(parts)) for parts in zip(*results, strict=True))
    if isinstance(first, pd.DataFrame):
        return concat(results)
    return dataclasses.replace(first, table=concat([r.table for r in results]),
                               exclusions=concat([r.exclusions for r in results]),
                               counts=concat([r.counts for r in results]))


def run_batched(function: Callable[..., Any], data: Any, *args: Any,
                partition: str | None, progress: Callable[[float], bool] | None = None,
                n_batches: int = N_BATCHES, **kwargs: Any) -> Any:
    """Call ``function(part, *args, **kwargs)`` on batches of whole areas (or years).

    The API computes all areas of a call at once; calling it on a few batches of
    areas gives the same values (the areas are independent) and lets QGIS show
    progress and honour cancellation between batches. With ``rng``, every batch gets
    the same int seed: the API draws from streams keyed by area and year (Moran's
    permutations, bootstrap and null draws), so the batches give the very values of one
    call over all areas with that seed (None: one fresh seed for all batches; a
    Generator: one int drawn from it).

    Parameters
    ----------
    function : callable
        :func:`segspatial.segregation`, :func:`segspatial.spatial.spatial_segregation`,
        :func:`segspatial.spatial.local_measures` or
        :func:`segspatial.spatial.multiscale_profile`.
    data : pandas.DataFrame
        The units.
    partition : str, optional
        Column of ``data`` whose values form independent groups (see
        :func:`partition_column`); None computes everything in one call.
    progress : callable, optional
        Called with the fraction done after each batch; returning False cancels.

    Returns
    -------
    The results of the batches combined: a SegregationResult (tables, exclusions and
    counts concatenated) or a DataFrame.

    Raises
    ------
    Cancelled
        When ``progress`` returns False.
    """
    import numpy as np

    if "rng" in kwargs:  # one int seed for every batch: the API keys its draws by area
        rng = kwargs["rng"]
        if rng is None:
            kwargs["rng"] = int(np.random.SeedSequence().entropy)
        elif isinstance(rng, np.random.Generator):
            kwargs["rng"] = int(rng.integers(2**63))
    if partition is None:
        parts = [data]
    else:
        keys = _sorted_keys(data[partition])
        groups = np.array_split(np.arange(len(keys)), max(1, min(n_batches, len(keys))))
        column = data[partition]
        parts = [data[column.isin([keys[i] for i in g]).to_numpy()] for g in groups]
    results = []
    for i, part in enumerate(parts, 1):
        results.append(function(part, *args, **kwargs))
        if progress is not None and not progress(i / len(parts)):
            raise Cancelled
    return _combine(results)


# --------------------------------------------------------------------------- colours


def _hex(rgba: Sequence[float]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(255 * c) for c in rgba[:3]))


def _number(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "nl" else text


def report_classes(lang: str = "en", step: float = 0.1) -> list[tuple[float | None,
                                                                     float | None, str,
                                                                     str]]:
    """Classes of the report's fixed colour scale (0 dark green to 0.8 dark red).

    Returns ``(lower, upper, colour, label)``: ``lower`` None for the first class
    (everything below its upper bound), ``upper`` None for the last (0.8 and above);
    the colour of each class is the report's colour map at the class middle (as
    :func:`segspatial.plot.choropleth` draws its classes).
    """
    import matplotlib as mpl
    import numpy as np

    from segspatial.plot import REPORT_CMAP, REPORT_VMAX, REPORT_VMIN

    cmap = mpl.colormaps[REPORT_CMAP]
    edges = np.round(np.arange(REPORT_VMIN, REPORT_VMAX + step / 2, step), 10)
    out: list[tuple[float | None, float | None, str, str]] = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        middle = (0.5 * (lo + hi) - REPORT_VMIN) / (REPORT_VMAX - REPORT_VMIN)
        label = f"{_number(lo, lang)} – {_number(hi, lang)}"
        out.append((None if lo == REPORT_VMIN else float(lo), float(hi),
                    _hex(cmap(middle)), label))
    first = out[0]
    out[0] = (None, first[1], first[2], f"< {_number(first[1], lang)}")
    out.append((float(edges[-1]), None, _hex(cmap(1.0)), f"≥ {_number(edges[-1], lang)}"))
    return out


#: Classes of the centred share (0: no A, 0.5: the area's share, 1: only A).
_LOCAL_EDGES = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0)
_LOCAL_LABELS = ("far_below", "below", "slightly_below", "slightly_above", "above",
                 "far_above")
#: The school map's diverging colour map (see :func:`segspatial.plot.school_map`).
LOCAL_CMAP = "RdBu_r"


def local_classes() -> list[tuple[float, float, str, str]]:
    """Classes of the schools' centred share: ``(lower, upper, colour, text key)``;
    colours from the school map's diverging colour map at the class middles."""
    import matplotlib as mpl

    cmap = mpl.colormaps[LOCAL_CMAP]
    return [(lo, hi, _hex(cmap(0.5 * (lo + hi))), f"legend.{key}")
            for lo, hi, key in zip(_LOCAL_EDGES[:-1], _LOCAL_EDGES[1:], _LOCAL_LABELS,
                                   strict=True)]


# --------------------------------------------------------------------------- parameters


def _index_names() -> list[str]:
    """The two-group indices of the registry (plug-ins included)."""
    from segspatial.indices import available_indices

    return [n for n, spec in available_indices().items() if not spec.multigroup]


def _default_indices() -> list[str]:
    from segspatial.indices import DEFAULT_INDICES

    return list(DEFAULT_INDICES)


def _multigroup_names() -> list[str]:
    """The multigroup (K-group) indices of the registry."""
    from segspatial.indices import available_indices

    return [n for n, spec in available_indices().items() if spec.multigroup]


def _default_multigroup() -> list[str]:
    from segspatial.indices import DEFAULT_MULTIGROUP_INDICES

    return list(DEFAULT_MULTIGROUP_INDICES)


def _spatial_names() -> list[str]:
    from segspatial.spatial import SPATIAL_INDICES

    return list(SPATIAL_INDICES)


def _kernels() -> list[str]:
    from segspatial.spatial import KERNELS

    return list(KERNELS)


def _default_bandwidths() -> tuple[float, ...]:
    from segspatial.spatial import DEFAULT_BANDWIDTHS

    return DEFAULT_BANDWIDTHS


def _profile_bandwidths() -> tuple[float, ...]:
    from segspatial.spatial import PROFILE_BANDWIDTHS

    return PROFILE_BANDWIDTHS


def _intervals() -> tuple[str, ...]:
    from segspatial.inference import INTERVALS

    return INTERVALS


def _alternatives() -> tuple[str, ...]:
    from segspatial.inference import ALTERNATIVES

    return ALTERNATIVES


def _style_names() -> list[str]:
    return _index_names() + [n for n in _spatial_names() if n not in ("morans_i_p",)]


def _languages() -> list[str]:
    from segspatial.text import LANGUAGES

    return list(LANGUAGES)


def _default_seed() -> int:
    from segspatial.inference import DEFAULT_SEED

    return DEFAULT_SEED


def _change_bootstrap() -> int:
    from segspatial._defaults import CHANGE_BOOTSTRAP

    return CHANGE_BOOTSTRAP


def _distance_crs() -> str:
    from segspatial.geo import DEFAULT_DISTANCE_CRS

    return DEFAULT_DISTANCE_CRS


# The schools and their counts (columns of the point layer).
SCHOOLS = Param("SCHOOLS", "points")
UNIT = Param("UNIT", "field", parent="SCHOOLS", optional=True)
GROUP_A = Param("GROUP_A", "field", parent="SCHOOLS", field_type="numeric")
GROUP_B = Param("GROUP_B", "field", parent="SCHOOLS", field_type="numeric")
TOTAL = Param("TOTAL", "field", parent="SCHOOLS", field_type="numeric", optional=True)
YEAR = Param("YEAR", "field", parent="SCHOOLS", optional=True)
NAME = Param("NAME", "field", parent="SCHOOLS", optional=True)
_SCHOOL_PARAMS = (SCHOOLS, UNIT, GROUP_A, GROUP_B, TOTAL, YEAR)

# The areas: a code field of the schools, or polygons (joined by code or by location).
AREA_FIELD = Param("AREA_FIELD", "field", parent="SCHOOLS", optional=True)
AREAS = Param("AREAS", "polygons", optional=True)
AREA_CODE = Param("AREA_CODE", "field", parent="AREAS", optional=True)
AREA_NAME = Param("AREA_NAME", "field", parent="AREAS", optional=True)
SNAP = Param("SNAP", "number", default=from_api("segspatial.geo:assign_areas", "snap"),
             minimum=0, advanced=True)
# optional: QGIS 3.22 refuses a missing CRS value despite a default; None -> the default
DISTANCE_CRS = Param("DISTANCE_CRS", "crs", default=_distance_crs, optional=True,
                     advanced=True)
_AREA_PARAMS = (AREA_FIELD, AREAS, AREA_CODE, SNAP, DISTANCE_CRS)

# The report's filters.
_FILTERS = (
    Param("MIN_UNIT_SIZE", "number", api="min_unit_size", default=FROM_API, minimum=0),
    Param("MIN_AREA_SIZE", "number", api="min_area_size", default=FROM_API, minimum=0),
)

# Local environments.
KERNEL = Param("KERNEL", "choice", api="kernel", default=FROM_API, choices=_kernels)
K = Param("K", "integer", api="k", optional=True, advanced=True, minimum=1)
CONTEXT = Param("CONTEXT", "choice", api="context", default=FROM_API,
                choices=lambda: ("area", "all"), advanced=True)
# the command line's default seed: the same input gives the same output
SEED = Param("SEED", "integer", api="rng", default=_default_seed, minimum=0,
             advanced=True)
PERMUTATIONS = Param("PERMUTATIONS", "integer", api="permutations", default=FROM_API,
                     minimum=0, advanced=True)

# Uncertainty and significance (segspatial.inference.infer), for every index.
_INFERENCE = (
    Param("BOOTSTRAP", "integer", api="n_boot", default=FROM_API, minimum=0, advanced=True),
    Param("CI_LEVEL", "number", api="level", default=FROM_API, minimum=0, advanced=True),
    Param("CLUSTER", "bool", api="cluster", default=FROM_API, advanced=True),
    Param("INTERVAL", "choice", api="interval", default=FROM_API, choices=_intervals,
          advanced=True),
    Param("NULL_DRAWS", "integer", api="null_draws", default=FROM_API, minimum=0,
          advanced=True),
    Param("ALTERNATIVE", "choice", api="alternative", default=FROM_API,
          choices=_alternatives, advanced=True),
)

INDICES_ALGORITHM = AlgorithmSpec(
    name="indices",
    functions=("segspatial.spatial:spatial_segregation", "segspatial.compute:segregation",
               "segspatial.inference:infer"),
    params=(
        *_SCHOOL_PARAMS, *_AREA_PARAMS, *_FILTERS,
        Param("INDICES", "choices", api="indices", default=_default_indices,
              choices=_index_names),
        Param("BANDWIDTHS", "numbers", api="bandwidth", default=_default_bandwidths,
              optional=True),
        KERNEL, K, CONTEXT,
        Param("SPATIAL_INDICES", "choices", api="spatial_indices", choices=_spatial_names,
              optional=True, advanced=True),
        PERMUTATIONS, SEED,
        Param("DISTRICTS", "polygons", optional=True, advanced=True),
        Param("DISTRICT_CODE", "field", parent="DISTRICTS", optional=True, advanced=True),
        *_INFERENCE,
        Param("STYLE_INDEX", "choice", default="dissimilarity", choices=_style_names),
        Param("OUTPUT", "sink"),
        Param("EXCLUSIONS", "table"),
        Param("RESULTS", "table", optional=True),
    ),
)

LOCAL_ALGORITHM = AlgorithmSpec(
    name="local_measures",
    functions=("segspatial.spatial:local_measures",),
    params=(
        *_SCHOOL_PARAMS, *_AREA_PARAMS, *_FILTERS,
        Param("BANDWIDTH", "number", api="bandwidth", default=1000.0, minimum=0),
        KERNEL, K, CONTEXT,
        Param("OUTPUT", "sink"),
        Param("EXCLUSIONS", "table"),
    ),
)

PROFILE_ALGORITHM = AlgorithmSpec(
    name="profile",
    functions=("segspatial.spatial:multiscale_profile",),
    params=(
        *_SCHOOL_PARAMS, *_AREA_PARAMS, AREA_NAME, *_FILTERS,
        Param("BANDWIDTHS", "numbers", api="bandwidth", default=_profile_bandwidths),
        KERNEL, K, CONTEXT,
        Param("OUTPUT", "table"),
        Param("EXCLUSIONS", "table"),
        Param("CHART", "html", optional=True),
    ),
)

REPORT_ALGORITHM = AlgorithmSpec(
    name="report",
    functions=("segspatial.report:report_data", "segspatial.report:write_report",
               "segspatial.compute:segregation"),
    params=(
        *_SCHOOL_PARAMS, NAME, AREA_FIELD,
        dataclasses.replace(AREAS, optional=False),
        AREA_CODE, AREA_NAME, SNAP, DISTANCE_CRS, *_FILTERS,
        Param("LABEL_A", "text", optional=True),
        Param("LABEL_B", "text", optional=True),
        Param("BANDWIDTHS", "numbers", api="bandwidth", default=_default_bandwidths),
        KERNEL,
        Param("DISTRICTS", "polygons", optional=True, advanced=True),
        Param("DISTRICT_CODE", "field", parent="DISTRICTS", optional=True, advanced=True),
        Param("DISTRICT_SIZE", "number", api="district_size", default=FROM_API,
              minimum=1, advanced=True),
        PERMUTATIONS,
        SEED,
        Param("LANG", "choice", api="lang", default=UI_LANGUAGE, choices=_languages),
        Param("OFFLINE", "bool", api="offline", default=FROM_API),
        Param("MIN_CELL", "integer", api="min_cell", optional=True, minimum=1),
        Param("ONLY", "codes", api="only", optional=True),
        Param("OPEN", "bool", default=True),
        Param("OUTPUT", "folder"),
    ),
)

# K >= 2 groups at once: `segspatial indices --groups ... --within ... --log-base ...`
MULTIGROUP_ALGORITHM = AlgorithmSpec(
    name="multigroup",
    functions=("segspatial.multigroup_table:multigroup_segregation",
               "segspatial.multigroup_local:local_scores",
               "segspatial.multigroup_local:within_components",
               "segspatial.inference:infer"),
    params=(
        SCHOOLS, UNIT,
        Param("GROUPS", "fields", parent="SCHOOLS", field_type="numeric"),
        TOTAL, YEAR, *_AREA_PARAMS, *_FILTERS,
        Param("INDICES", "choices", api="indices", default=_default_multigroup,
              choices=_multigroup_names),
        Param("WITHIN", "field", api="within", parent="SCHOOLS", optional=True),
        Param("LOG_BASE", "number", api="base", default=FROM_API, advanced=True),
        SEED, *_INFERENCE,
        Param("STYLE_INDEX", "choice", default="multigroup_theil_h",
              choices=_multigroup_names),
        Param("OUTPUT", "sink"),
        Param("EXCLUSIONS", "table"),
        Param("RESULTS", "table", optional=True),
        Param("LOCAL_OUTPUT", "sink", optional=True),
        Param("WITHIN_OUTPUT", "table", optional=True),
    ),
)

# Change over time per area: `segspatial change INPUT --unit ... --from-year --to-year`
CHANGE_ALGORITHM = AlgorithmSpec(
    name="change",
    functions=("segspatial.compute:segregation", "segspatial.inference:infer"),
    params=(
        SCHOOLS, UNIT, GROUP_A, GROUP_B, TOTAL,
        dataclasses.replace(YEAR, optional=False),
        *_AREA_PARAMS, *_FILTERS,
        Param("INDICES", "choices", api="indices", default=_default_indices,
              choices=_index_names),
        Param("FROM_YEAR", "integer", api="from_year", optional=True),
        Param("TO_YEAR", "integer", api="to_year", optional=True),
        Param("TREND", "bool", api="trend", default=FROM_API),
        # the command line's `change --bootstrap` default: a change needs replicates
        Param("BOOTSTRAP", "integer", api="n_boot", default=_change_bootstrap, minimum=2),
        *(p for p in _INFERENCE if p.name in ("CI_LEVEL", "CLUSTER", "INTERVAL")),
        SEED,
        Param("OUTPUT", "table"),
        Param("EXCLUSIONS", "table"),
        Param("RESULTS", "table", optional=True),
    ),
)

#: Every algorithm of the provider, by name.
ALGORITHMS: dict[str, AlgorithmSpec] = {
    spec.name: spec for spec in (INDICES_ALGORITHM, LOCAL_ALGORITHM, PROFILE_ALGORITHM,
                                 REPORT_ALGORITHM, MULTIGROUP_ALGORITHM, CHANGE_ALGORITHM)
}
