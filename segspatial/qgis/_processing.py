"""The QGIS Processing provider ``segspatial``: thin wiring over the Python API.

This module imports QGIS (``qgis.core``), so it is loaded only inside QGIS (the plugin
in :mod:`segspatial.qgis.plugin`, ``qgis_process`` or a PyQGIS script). Everything it
computes comes from the public API: :func:`segspatial.segregation`,
:func:`segspatial.spatial.spatial_segregation`, :func:`~segspatial.spatial.local_measures`,
:func:`~segspatial.spatial.multiscale_profile`, :func:`segspatial.report.report_data`,
:func:`~segspatial.report.write_report`, :func:`segspatial.multigroup_segregation` (with
:func:`~segspatial.multigroup_local.local_scores` and
:func:`~segspatial.multigroup_local.within_components`) and
:func:`segspatial.inference.infer`; locations, CRSs and joins go through
:mod:`segspatial.geo` exactly as on the command line. The parameters are the rows of
:mod:`segspatial.qgis._wiring`.

Reading and writing layers is in :mod:`segspatial.qgis._layers`, the output styles in
:mod:`segspatial.qgis._styles`.
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsExpression,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputHtml,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingProvider,
    QgsProcessingUtils,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QIcon

from segspatial._exceptions import SegregationWarning
from segspatial._messages import in_names
from segspatial._write import OutputError, write_text
from segspatial.qgis import _wiring as w
from segspatial.qgis._layers import (
    Units,
    crs_text,
    free_name,
    layer_files,
    qgis_field,
    qgis_value,
    read_points,
    read_polygons,
    ui_language,
    ui_text,
    warnings_to,
    without_fid,
)
from segspatial.qgis._native import load_native
from segspatial.qgis._styles import Style, choropleth_renderer, local_renderer
from segspatial.qgis._texts import text

__all__ = ["PROVIDER_ID", "SegspatialProvider", "profile_page"]

#: The provider id: algorithms are ``segspatial:indices``, ``segspatial:report``, ...
PROVIDER_ID = "segspatial"

_ICON = Path(__file__).with_name("plugin") / "icon.svg"
#: Exceptions that carry a user's mistake (as the CLI treats them): shown as the message.
_USER_ERRORS = (ValueError, TypeError, KeyError, FileNotFoundError, ImportError,
                MemoryError, OutputError)


#: The largest value of an integer parameter (QGIS reads integers as 32-bit).
_INT_MAX = 2**31 - 1


# --------------------------------------------------------------------------- algorithms


_FIELD_TYPES = {"any": QgsProcessingParameterField.Any,
                "numeric": QgsProcessingParameterField.Numeric,
                "string": QgsProcessingParameterField.String}


class _Algorithm(QgsProcessingAlgorithm):
    """An algorithm built from its :class:`~segspatial.qgis._wiring.AlgorithmSpec`."""

    def _add(self, sink: Any, feature: QgsFeature, parameters: dict, name: str) -> None:
        """Write a feature, or fail: never a silent loss."""
        if not sink.addFeature(feature, QgsFeatureSink.FastInsert):
            raise QgsProcessingException(self.writeFeatureError(sink, parameters, name))

    SPEC: w.AlgorithmSpec

    def name(self) -> str:
        return self.SPEC.name

    def displayName(self) -> str:
        return ui_text(f"alg.{self.SPEC.name}")

    def group(self) -> str:
        return ui_text("group")

    def groupId(self) -> str:
        return "segregation"

    def shortHelpString(self) -> str:
        return ui_text(f"help.{self.SPEC.name}", max_chart_areas=w.MAX_CHART_AREAS)

    def icon(self) -> QIcon:
        return QIcon(str(_ICON))

    def createInstance(self) -> _Algorithm:
        return type(self)()

    # parameters ----------------------------------------------------------------

    def _label(self, param: w.Param) -> str:
        key = f"param.{param.name}"
        specific = f"{key}.{self.SPEC.name}"
        try:
            return ui_text(specific)
        except KeyError:
            return ui_text(key)

    def _definition(self, param: w.Param) -> Any:
        label = self._label(param)
        default = w.default_value(self.SPEC, param)
        if default is w.UI_LANGUAGE:
            offered = w.options(param)
            default = ui_language() if ui_language() in offered else offered[0]
        kind = param.kind
        if kind in ("points", "polygons"):
            types = [QgsProcessing.TypeVectorPoint if kind == "points"
                     else QgsProcessing.TypeVectorPolygon]
            d = QgsProcessingParameterFeatureSource(param.name, label, types,
                                                    optional=param.optional)
        elif kind in ("field", "fields"):
            d = QgsProcessingParameterField(param.name, label, parentLayerParameterName=(
                param.parent or ""), type=_FIELD_TYPES[param.field_type],
                allowMultiple=kind == "fields", optional=param.optional)
        elif kind in ("number", "integer"):
            number = (QgsProcessingParameterNumber.Integer if kind == "integer"
                      else QgsProcessingParameterNumber.Double)
            d = QgsProcessingParameterNumber(param.name, label, number, defaultValue=default,
                                             optional=param.optional)
            if param.minimum is not None:
                d.setMinimum(param.minimum)
            if kind == "integer":  # beyond it QGIS reads the value as 0, silently
                d.setMaximum(_INT_MAX)
        elif kind in ("numbers", "text", "codes"):
            d = QgsProcessingParameterString(param.name, label, defaultValue=default,
                                             optional=param.optional)
        elif kind in ("choice", "choices"):
            choices = w.options(param)
            d = QgsProcessingParameterEnum(param.name, label, choices,
                                           allowMultiple=kind == "choices",
                                           defaultValue=default, optional=param.optional)
            d.setUsesStaticStrings(True)
        elif kind == "crs":
            d = QgsProcessingParameterCrs(param.name, label, defaultValue=default,
                                          optional=param.optional)
        elif kind == "bool":
            d = QgsProcessingParameterBoolean(param.name, label, defaultValue=default)
        elif kind in ("sink", "table"):
            layer_type = (QgsProcessing.TypeVectorAnyGeometry if kind == "sink"
                          else QgsProcessing.TypeVector)
            d = QgsProcessingParameterFeatureSink(param.name, label, layer_type,
                                                  optional=param.optional,
                                                  createByDefault=not param.optional)
        elif kind == "folder":
            d = QgsProcessingParameterFolderDestination(param.name, label)
        elif kind == "html":
            d = QgsProcessingParameterFileDestination(
                param.name, label, "HTML (*.html)", optional=param.optional,
                createByDefault=True)
        else:  # pragma: no cover - a row with an unknown kind
            raise ValueError(f"unknown parameter kind {kind!r}")
        try:
            d.setHelp(ui_text(f"tip.{param.name}"))
        except KeyError:
            pass
        if param.advanced:
            d.setFlags(d.flags() | d.FlagAdvanced)
        return d

    def initAlgorithm(self, config: Any = None) -> None:
        for param in self.SPEC.params:
            self.addParameter(self._definition(param))
        if self.SPEC.name == "report":
            self.addOutput(QgsProcessingOutputHtml("INDEX", ui_text("param.INDEX")))

    def _values(self, parameters: dict, context: Any) -> dict[str, Any]:
        """Every input parameter as the Python value the API takes."""
        values: dict[str, Any] = {}
        for param in self.SPEC.params:
            if param.is_output or param.kind in ("points", "polygons"):
                continue
            raw = parameters.get(param.name)
            kind, name = param.kind, param.name
            if kind == "field":
                fields = self.parameterAsFields(parameters, name, context)
                value = fields[0] if fields else None
            elif kind == "fields":
                value = self.parameterAsFields(parameters, name, context)
            elif kind in ("number", "integer"):
                if param.optional and (raw is None or raw == ""):
                    value = None
                elif kind == "integer":
                    value = self.parameterAsInt(parameters, name, context)
                else:
                    value = self.parameterAsDouble(parameters, name, context)
            elif kind in ("numbers", "text", "codes"):
                value = self.parameterAsString(parameters, name, context)
            elif kind == "choice":
                value = self.parameterAsEnumString(parameters, name, context)
            elif kind == "choices":
                value = self.parameterAsEnumStrings(parameters, name, context)
            elif kind == "crs":
                crs = self.parameterAsCrs(parameters, name, context)
                value = (crs_text(crs, name) if crs.isValid()
                         else w.default_value(self.SPEC, param))
            elif kind == "bool":
                value = self.parameterAsBoolean(parameters, name, context)
            else:  # pragma: no cover
                raise ValueError(f"unknown parameter kind {kind!r}")
            values[name] = w.convert(param, value)
        return values

    # running -------------------------------------------------------------------

    def processAlgorithm(self, parameters: dict, context: Any, feedback: Any) -> dict:
        try:
            with warnings_to(feedback, self.in_names):
                return self.compute(self._values(parameters, context), parameters, context,
                                feedback)
        except w.Cancelled:
            feedback.pushInfo(ui_text("msg.cancelled"))
            return {}
        except _USER_ERRORS as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            raise QgsProcessingException(self.in_names(str(message))) from exc

    def in_names(self, message: str) -> str:
        """A library message with the API's argument names as this algorithm's
        parameter names (``n_boot=`` -> ``BOOTSTRAP``, ``group_a`` -> ``GROUP_A``)."""
        return in_names(message, w.parameter_names(self.SPEC))

    def compute(self, values: dict, parameters: dict, context: Any,
            feedback: Any) -> dict:  # pragma: no cover - every algorithm overrides it
        raise NotImplementedError

    def _source(self, parameters: dict, name: str, context: Any, *, required: bool):
        source = self.parameterAsSource(parameters, name, context)
        if source is None and required:
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        return source

    def _units(self, values: dict, parameters: dict, context: Any, feedback: Any,
               *, need_polygons: bool = False) -> Units:
        """Read the schools (and areas), locate them as ``segspatial indices`` does."""
        from segspatial import geo

        schools = self._source(parameters, "SCHOOLS", context, required=True)
        roles = {"unit": values.get("UNIT"), "group_a": values.get("GROUP_A"),
                 "group_b": values.get("GROUP_B"), "total": values.get("TOTAL"),
                 "year": values.get("YEAR"), "area": values.get("AREA_FIELD"),
                 "name": values.get("NAME")}
        groups = list(values.get("GROUPS") or [])
        columns = list(dict.fromkeys(c for c in [*roles.values(), *groups,
                                                 values.get("WITHIN")] if c))
        frame, xs, ys, _ = read_points(schools, columns, feedback)
        taken = set(map(str, frame.columns))
        x, y = free_name("x", taken), free_name("y", taken)
        if roles["unit"] is None:
            roles["unit"] = free_name("fid", taken)
            frame[roles["unit"]] = frame.index.to_numpy()
        frame[x], frame[y] = xs, ys
        layer_crs = crs_text(schools.sourceCrs(), "SCHOOLS")
        distance_crs = geo.require_projected(values["DISTANCE_CRS"], "DISTANCE_CRS")

        areas = self._source(parameters, "AREAS", context, required=need_polygons)
        units = Units(frame=frame, unit=roles["unit"], group_a=roles["group_a"],
                       group_b=roles["group_b"], total=roles["total"], year=roles["year"],
                       area=roles["area"] or "", x=x, y=y, name=roles["name"],
                       crs=distance_crs, by_location=areas is not None and not roles["area"],
                       groups=groups or None)
        if areas is not None:
            if (roles["area"] and not values.get("AREA_CODE")
                    and "statcode" not in areas.fields().names()):  # read_polygons' default
                raise QgsProcessingException(ui_text("msg.area_code_needed"))
            units.bounds, units.polygons = read_polygons(
                areas, values.get("AREA_CODE"), values.get("AREA_NAME"),
                crs_text(areas.sourceCrs(), "AREAS"), "AREAS")
            units.polygon_fields = areas.fields()
            units.polygon_wkb = areas.wkbType()
            units.polygon_crs = areas.sourceCrs()
        if not units.area:
            units.area = free_name("area", taken)
            if not units.by_location:  # neither areas nor an area field: one area
                frame[units.area] = "all"

        located = np.isfinite(frame[x].to_numpy(dtype=float))
        if (~located).any():
            lost = frame.loc[~located].assign(reason="no_location")
            units.exclusions.append(geo.unit_exclusions(
                lost, area=None if units.by_location else units.area, year=units.year,
                pupils=units.pupils))
            frame = frame.loc[located]
        points = geo.unit_points(frame, x=x, y=y, crs=layer_crs)
        projected = geo.to_projected(points, distance_crs)
        frame = frame.copy()
        frame[x] = projected.geometry.x.to_numpy()
        frame[y] = projected.geometry.y.to_numpy()
        if units.by_location:
            codes, outside = geo.assign_areas(projected, units.bounds, "code",
                                              snap=values["SNAP"], crs=distance_crs)
            frame[units.area] = codes.to_numpy()
            if len(outside):
                units.exclusions.append(geo.unit_exclusions(outside, year=units.year,
                                                            pupils=units.pupils))
                frame = frame.loc[codes.notna().to_numpy()]
        units.frame = frame
        feedback.setProgress(15)
        return units

    def _districts(self, values: dict, parameters: dict, context: Any) -> dict[str, Any]:
        """``districts`` and ``district_code`` for the API from the DISTRICTS layer."""
        districts = self._source(parameters, "DISTRICTS", context, required=False)
        if districts is None:
            return {}
        frame, _ = read_polygons(districts, values.get("DISTRICT_CODE"), None,
                                  crs_text(districts.sourceCrs(), "DISTRICTS"), "DISTRICTS")
        return {"districts": frame[["code", "geometry"]], "district_code": "code"}

    def _progress(self, feedback: Any, start: float, end: float) -> Callable[[float], bool]:
        def report(fraction: float) -> bool:
            feedback.setProgress(start + (end - start) * fraction)
            return not feedback.isCanceled()

        return report

    def _validate(self, units: Units) -> Any:
        """The API's validation gate on all schools at once (before batching)."""
        from segspatial.counts import prepare_counts

        return prepare_counts(units.frame, units.unit, units.group_a, units.group_b,
                              **units.roles)

    def _batched(self, function: Callable[..., Any], values: dict, units: Units,
                 feedback: Any, end: float, **kwargs: Any) -> Any:
        """``function`` on the schools in batches of areas (or years), progress 15-end."""
        partition = w.partition_column(units.area, units.year,
                                       values.get("CONTEXT") or "area", values.get("K"))
        return w.run_batched(function, units.frame, units.unit, units.group_a,
                             units.group_b, area=units.area, year=units.year,
                             total=units.total, partition=partition,
                             progress=self._progress(feedback, 15, end), **kwargs)

    def _per_unit(self, function: Callable[..., Any], values: dict, units: Units,
                  feedback: Any, end: float) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
        """A per-school spatial function (local measures, the profile) in batches, and
        the schools the size filters keep and leave out, counted by the same gate and
        filters (as the CLI counts them)."""
        from segspatial.counts import apply_filters

        counts = self._validate(units)
        kwargs = w.k_replaces_bandwidth(w.api_arguments(self.SPEC, values, function))
        result = self._batched(function, values, units, feedback, end, x=units.x,
                               y=units.y, crs=units.crs, **kwargs)
        kept, filtered = apply_filters(counts, min_unit_size=values["MIN_UNIT_SIZE"],
                                       min_area_size=values["MIN_AREA_SIZE"])
        return result, kept, filtered

    def _write_schools(self, parameters: dict, name: str, context: Any, units: Units,
                       table: pd.DataFrame, added: list[str], feedback: Any
                       ) -> tuple[str, dict[str, str]]:
        """The school points with the ``added`` columns of ``table`` (one row per
        school and year: ``unit`` [``year``]); schools without a row keep them empty.
        Returns the destination and the output's name of every added column."""
        keys = [units.unit] + ([units.year] if units.year else [])
        frame = units.frame.reset_index(names="_fid")
        lookup = frame[["_fid", *keys]].rename(columns={units.unit: "unit"})
        if units.year:  # as the validation gate reads years: whole numbers
            lookup = lookup.rename(columns={units.year: "year"})
            lookup["year"] = pd.to_numeric(lookup["year"]).astype("int64")
        measured = table.merge(lookup, on=["unit"] + (["year"] if units.year else []),
                               how="left", validate="one_to_one")
        by_fid = measured.set_index("_fid")[added]
        schools = self._source(parameters, "SCHOOLS", context, required=True)
        new = QgsFields()
        for column in added:
            new.append(qgis_field(column, by_fid[column]))
        fields = QgsProcessingUtils.combineFields(schools.fields(), new)
        names = {c: fields.at(schools.fields().count() + i).name()
                 for i, c in enumerate(added)}
        sink, dest = self.parameterAsSink(parameters, name, context, fields,
                                          schools.wkbType(), schools.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, name))
        rows = {fid: row for fid, row in zip(by_fid.index, by_fid.itertuples(
            index=False, name=None), strict=True)}
        empty = [None] * len(added)
        for n, feature in enumerate(schools.getFeatures()):
            if n % 1000 == 0 and feedback.isCanceled():
                raise w.Cancelled
            out = QgsFeature(fields)
            out.setGeometry(feature.geometry())
            out.setAttributes(list(feature.attributes())
                              + [qgis_value(v) for v in rows.get(feature.id(), empty)])
            self._add(sink, out, parameters, name)
        return dest, names

    def _exclusions(self, units: Units, result_exclusions: pd.DataFrame | None
                    ) -> pd.DataFrame:
        from segspatial.counts import empty_exclusions

        parts = [e for e in [*units.exclusions, result_exclusions]
                 if e is not None and not e.empty]
        out = pd.concat(parts, ignore_index=True) if parts else empty_exclusions()
        return out

    def _write_table(self, parameters: dict, name: str, context: Any,
                     frame: pd.DataFrame) -> str | None:
        """A table without geometry (exclusions, long results, profile)."""
        fields = QgsFields()
        for column in frame.columns:
            fields.append(qgis_field(str(column), frame[column]))
        sink, dest = self.parameterAsSink(parameters, name, context, fields,
                                          QgsWkbTypes.NoGeometry,
                                          QgsCoordinateReferenceSystem())
        if sink is None:
            return None
        for row in frame.itertuples(index=False, name=None):
            feature = QgsFeature(fields)
            feature.setAttributes([qgis_value(v) for v in row])
            self._add(sink, feature, parameters, name)
        return dest

    def _summarise(self, exclusions: pd.DataFrame, feedback: Any) -> None:
        from segspatial.counts import exclusions_summary

        if exclusions.empty:
            return
        from segspatial._format import Formatter
        from segspatial.text import lookup

        numbers = Formatter(ui_language())
        for row in exclusions_summary(exclusions).itertuples(index=False):
            pupils = "?" if pd.isna(row.n_pupils) else numbers.count(row.n_pupils)
            # the reason by its code, in QGIS's language (the code itself if unknown)
            why = lookup(ui_language(), f"exclusion_reason.{row.reason}") or row.reason
            feedback.pushInfo(ui_text("msg.left_out", reason=why,
                                 units=numbers.count(row.n_units), pupils=pupils))


class IndicesAlgorithm(_Algorithm):
    SPEC = w.ALGORITHMS["indices"]

    def compute(self, values: dict, parameters: dict, context: Any, feedback: Any) -> dict:
        from segspatial.compute import segregation
        from segspatial.spatial import spatial_segregation

        units = self._units(values, parameters, context, feedback)
        self._validate(units)
        spatial = bool(values.get("BANDWIDTHS")) or values.get("K") is not None
        function = spatial_segregation if spatial else segregation
        kwargs = w.k_replaces_bandwidth(w.api_arguments(self.SPEC, values, function))
        if spatial:
            kwargs.update(x=units.x, y=units.y, crs=units.crs)
            districts = self._districts(values, parameters, context)
            if districts:
                kwargs.update(districts, snap=values["SNAP"])
            # Morrill's D on frame-free contiguity, as the CLI without --morrill-clip:
            # areas by location or by column give the same value
        function = self._with_inference(function, values)
        result = self._batched(function, values, units, feedback, 85, **kwargs)
        return self._area_outputs(result, units, values, parameters, context, feedback)

    def _with_inference(self, function: Callable[..., Any], values: dict
                        ) -> Callable[..., Any]:
        """``function``, followed by bootstrap and randomisation tests when asked."""
        from segspatial.inference import infer

        inference = w.api_arguments(self.SPEC, values, infer)
        if inference.get("n_boot") or inference.get("null_draws"):
            if inference.get("rng") is None:  # one seed for every batch, reported below
                inference["rng"] = int(np.random.SeedSequence().entropy)
            function = w.then_infer(function, **inference)
        return function

    def _area_outputs(self, result: Any, units: Units, values: dict, parameters: dict,
                      context: Any, feedback: Any) -> dict:
        """The styled area layer (one field per index), the exclusions and the long
        results table of ``result``."""
        from segspatial.cli._inference import describe_inference

        if describe_inference(result):
            feedback.pushInfo(describe_inference(result))
        bounds = units.bounds
        if bounds is None:  # no polygons: one row per area code, without geometry
            import geopandas as gpd

            codes = sorted(map(str, pd.unique(result.table["area"].dropna())))
            bounds = gpd.GeoDataFrame({"code": codes, "_fid": [None] * len(codes)},
                                      geometry=[None] * len(codes), crs=units.crs)
        wide = self._wide(result.table, bounds[["code", "_fid", "geometry"]])
        outputs = {"OUTPUT": self._write_areas(parameters, context, units, wide, values,
                                               feedback)}
        exclusions = self._exclusions(units, result.exclusions)
        outputs["EXCLUSIONS"] = self._write_table(parameters, "EXCLUSIONS", context,
                                                  exclusions)
        if parameters.get("RESULTS"):
            outputs["RESULTS"] = self._write_table(parameters, "RESULTS", context,
                                                   result.table)
        self._summarise(exclusions, feedback)
        feedback.setProgress(100)
        return {k: v for k, v in outputs.items() if v is not None}

    def _write_areas(self, parameters: dict, context: Any, units: Units,
                     wide: pd.DataFrame, values: dict, feedback: Any) -> str:
        has_polygons = units.polygon_fields is not None
        new_columns = [c for c in wide.columns if c not in ("_fid", "geometry")
                       and (c != "code" or not has_polygons)]
        new = QgsFields()
        for column in new_columns:
            new.append(qgis_field("area" if column == "code" else str(column),
                                   wide[column]))
        base = without_fid(units.polygon_fields) if has_polygons else QgsFields()
        fields = QgsProcessingUtils.combineFields(base, new)
        names = {c: fields.at(base.count() + i).name() for i, c in enumerate(new_columns)}
        # multipart: a layer of Polygon type may hold MultiPolygons (a GeoJSON's type is
        # its first feature's), which a GeoPackage does not allow
        sink, dest = self.parameterAsSink(
            parameters, "OUTPUT", context, fields,
            QgsWkbTypes.multiType(units.polygon_wkb) if has_polygons
            else QgsWkbTypes.NoGeometry,
            units.polygon_crs if has_polygons else QgsCoordinateReferenceSystem())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        for n, row in enumerate(wide[new_columns + ["_fid"]].itertuples(index=False,
                                                                         name=None)):
            if n % 500 == 0 and feedback.isCanceled():
                raise w.Cancelled
            feature = QgsFeature(fields)
            attributes = []
            if has_polygons:
                source = units.polygons[row[-1]]
                geometry = QgsGeometry(source.geometry())
                geometry.convertToMultiType()
                feature.setGeometry(geometry)
                attributes = list(source.attributes())
            feature.setAttributes(attributes + [qgis_value(v) for v in row[:-1]])
            self._add(sink, feature, parameters, "OUTPUT")
        feedback.pushInfo(ui_text("msg.wrote", n=len(wide)))
        style = self._style_column(wide, values.get("STYLE_INDEX") or "dissimilarity")
        if has_polygons and style is not None:
            year = None
            if "year" in wide.columns and wide["year"].notna().any():
                year = wide["year"].max()
            field_name, lang = names[style], ui_language()
            Style.attach(context, dest, lambda: choropleth_renderer(field_name, year=year,
                                                                     lang=lang))
        return dest

    @staticmethod
    def _wide(table: pd.DataFrame, bounds: Any) -> pd.DataFrame:
        """One row per area (and year) with one field per index and, with inference,
        its ``_se``, ``_ci_low``, ``_ci_high`` and ``_p_value`` fields."""
        from segspatial._format import Formatter
        from segspatial.geo import join_areas
        from segspatial.schema import has_values

        if "reason_code" in table.columns and table["reason_code"].notna().any():
            # the reason_* fields in QGIS's language, from the code (never the English)
            words, table = Formatter(ui_language()), table.copy()
            rows = table.loc[table["reason_code"].notna()]
            table.loc[rows.index, "reason"] = [
                words.undefined(code, units, words.group(a, which="a") if code ==
                                "group_a_absent" else words.group(b, which="b"))
                for code, units, a, b in zip(rows["reason_code"], rows["n_units"],
                                             rows["group_a"], rows["group_b"], strict=True)]
        wide = join_areas(table, bounds, "code")
        columns = list(wide.attrs["index_columns"])
        for stat in ("se", "ci_low", "ci_high", "p_value"):
            if not has_values(table, stat):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the first join has said it all
                extra = join_areas(table.assign(value=table[stat], reason=None), bounds,
                                   "code")  # the same rows in the same order
            for column in columns:
                if extra[column].notna().any():
                    wide[f"{column}_{stat}"] = extra[column].to_numpy()
        wide.attrs["index_columns"] = columns
        return wide

    @staticmethod
    def _style_column(wide: pd.DataFrame, index: str) -> str | None:
        columns = list(wide.attrs.get("index_columns", []))
        for column in columns:
            if column == index or column.startswith(f"{index}_"):
                return column
        return columns[0] if columns else None


class MultigroupAlgorithm(IndicesAlgorithm):
    """K >= 2 groups at once (``segspatial indices --groups ... --within ...``)."""

    SPEC = w.ALGORITHMS["multigroup"]

    #: Local scores added to the school points (see
    #: :func:`segspatial.multigroup_local.local_scores`).
    LOCAL_COLUMNS = ("area", "pupils", "p", "ls", "entropy", "m_contribution",
                     "h_contribution")

    def compute(self, values: dict, parameters: dict, context: Any, feedback: Any) -> dict:
        from segspatial.counts import prepare_multigroup_counts
        from segspatial.multigroup_local import local_scores, within_components
        from segspatial.multigroup_table import multigroup_segregation

        within = values.get("WITHIN")
        if parameters.get("WITHIN_OUTPUT") and not within:
            raise QgsProcessingException(ui_text("msg.within_output_needs_within"))
        units = self._units(values, parameters, context, feedback)
        common = dict(area=units.area, year=units.year, total=units.total)
        # the validation gate on all schools at once (before batching)
        prepare_multigroup_counts(units.frame, units.unit, units.groups, **common)
        function = self._with_inference(multigroup_segregation, values)
        result = w.run_batched(function, units.frame, units.unit, units.groups, **common,
                               partition=units.area,
                               progress=self._progress(feedback, 15, 80),
                               **w.api_arguments(self.SPEC, values, multigroup_segregation))
        outputs = self._area_outputs(result, units, values, parameters, context, feedback)
        if parameters.get("LOCAL_OUTPUT"):
            with warnings.catch_warnings():  # the filters are in the summary already
                warnings.simplefilter("ignore", SegregationWarning)
                scores = local_scores(units.frame, units.unit, units.groups, **common,
                                      **w.api_arguments(self.SPEC, values, local_scores))
            outputs["LOCAL_OUTPUT"], _ = self._write_schools(
                parameters, "LOCAL_OUTPUT", context, units, scores,
                list(self.LOCAL_COLUMNS), feedback)
        if parameters.get("WITHIN_OUTPUT"):
            split = within_components(units.frame, units.unit, units.groups, within,
                                      **common, **{k: v for k, v in w.api_arguments(
                                          self.SPEC, values, within_components).items()
                                          if k != "within"})
            outputs["WITHIN_OUTPUT"] = self._write_table(parameters, "WITHIN_OUTPUT",
                                                         context, split)
        return {k: v for k, v in outputs.items() if v is not None}


class ChangeAlgorithm(_Algorithm):
    """Change over time per area (``segspatial change INPUT --unit ...``)."""

    SPEC = w.ALGORITHMS["change"]

    def compute(self, values: dict, parameters: dict, context: Any, feedback: Any) -> dict:
        from segspatial.compute import segregation
        from segspatial.inference import infer

        units = self._units(values, parameters, context, feedback)
        self._validate(units)
        result = segregation(units.frame, units.unit, units.group_a, units.group_b,
                             area=units.area, year=units.year, total=units.total,
                             **w.api_arguments(self.SPEC, values, segregation))
        if result.table.empty:  # every area was left out: say why
            raise QgsProcessingException(ui_text(
                "msg.nothing_to_compare", reasons="; ".join(sorted(set(
                    self._exclusions(units, result.exclusions)["reason"].astype(str))))))
        feedback.setProgress(30)
        if feedback.isCanceled():
            raise w.Cancelled
        # one call over all areas: a year given must be a year of the whole results
        # (and the draws are keyed by area-year, as on the command line)
        inference = infer(result, change=True, **w.api_arguments(self.SPEC, values, infer))
        if feedback.isCanceled():
            raise w.Cancelled
        feedback.setProgress(85)
        outputs = {"OUTPUT": self._write_table(parameters, "OUTPUT", context,
                                               inference.change)}
        exclusions = self._exclusions(units, inference.result.exclusions)
        outputs["EXCLUSIONS"] = self._write_table(parameters, "EXCLUSIONS", context,
                                                  exclusions)
        if parameters.get("RESULTS"):
            outputs["RESULTS"] = self._write_table(parameters, "RESULTS", context,
                                                   inference.result.table)
        self._summarise(exclusions, feedback)
        feedback.setProgress(100)
        return {k: v for k, v in outputs.items() if v is not None}


class LocalMeasuresAlgorithm(_Algorithm):
    SPEC = w.ALGORITHMS["local_measures"]

    #: Fields added to the school points.
    COLUMNS = ("p", "p_local", "gap", "p_area", "d_contribution", "spatial_d_contribution",
               "bandwidth", "kernel")

    def compute(self, values: dict, parameters: dict, context: Any, feedback: Any) -> dict:
        from segspatial._mapdata import relative_share
        from segspatial.spatial import local_measures

        units = self._units(values, parameters, context, feedback)
        table, _, filtered = self._per_unit(local_measures, values, units, feedback, 85)
        table = table.assign(p_centred=relative_share(table["p"].to_numpy(dtype=float),
                                                      table["p_area"].to_numpy(dtype=float)))
        dest, names = self._write_schools(parameters, "OUTPUT", context, units, table,
                                          ["area", *self.COLUMNS, "p_centred"], feedback)
        pupils = " + ".join(QgsExpression.quotedColumnRef(c) for c in units.pupils)
        max_pupils = float(units.frame[units.pupils].sum(axis=1).max() or 1.0)
        centred, lang = names["p_centred"], ui_language()
        Style.attach(context, dest, lambda: local_renderer(centred, pupils, max_pupils,
                                                            lang=lang))
        exclusions = self._exclusions(units, filtered)
        outputs = {"OUTPUT": dest,
                   "EXCLUSIONS": self._write_table(parameters, "EXCLUSIONS", context,
                                                   exclusions)}
        self._summarise(exclusions, feedback)
        feedback.setProgress(100)
        return {k: v for k, v in outputs.items() if v is not None}


class ProfileAlgorithm(_Algorithm):
    SPEC = w.ALGORITHMS["profile"]

    def compute(self, values: dict, parameters: dict, context: Any, feedback: Any) -> dict:
        from segspatial.spatial import multiscale_profile

        units = self._units(values, parameters, context, feedback)
        table, kept, filtered = self._per_unit(multiscale_profile, values, units, feedback,
                                               80)
        outputs = {"OUTPUT": self._write_table(parameters, "OUTPUT", context, table)}
        exclusions = self._exclusions(units, filtered)
        outputs["EXCLUSIONS"] = self._write_table(parameters, "EXCLUSIONS", context,
                                                  exclusions)
        chart = self.parameterAsFileOutput(parameters, "CHART", context)
        if chart:
            names = {}
            if units.bounds is not None:
                names = {str(c): str(n) for c, n in zip(units.bounds["code"],
                                                          units.bounds["name"], strict=True)
                         if n is not None}
            pupils = kept.groupby("area")["total"].sum()
            write_text(chart, profile_page(table, pupils, names, ui_language()))
            outputs["CHART"] = chart
        self._summarise(exclusions, feedback)
        feedback.setProgress(100)
        return {k: v for k, v in outputs.items() if v is not None}


def profile_page(table: pd.DataFrame, pupils: pd.Series, names: dict[str, str],
                 lang: str) -> str:
    """An HTML page with the profile charts of the largest areas (Jinja2, autoescaped).

    Names are data: :func:`segspatial.plot.profile_plot` draws them literally and the
    page escapes them.
    """
    import jinja2

    from segspatial.plot import figure_bytes, profile_plot

    values = table[table["value"].notna()]
    areas = [a for a in pupils.sort_values(ascending=False, kind="stable").index
             if a in set(values["area"])][:w.MAX_CHART_AREAS]
    charts = []
    for index in values["index"].unique() if areas else []:
        ax = profile_plot(values, index=str(index), area=areas, lang=lang,
                          names={a: names.get(str(a), str(a)) for a in areas})
        png = figure_bytes(ax.figure, "png", dpi=90)
        charts.append({"index": str(index), "png": base64.b64encode(png).decode("ascii")})
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("segspatial.qgis", "templates"),
        autoescape=True)
    return environment.get_template("profile.html").render(
        lang=lang, title=text("chart.title", lang), charts=charts,
        note=text("chart.note", lang, n=w.MAX_CHART_AREAS),
        empty=text("chart.empty", lang))


class ReportAlgorithm(_Algorithm):
    SPEC = w.ALGORITHMS["report"]

    def compute(self, values: dict, parameters: dict, context: Any, feedback: Any) -> dict:
        from segspatial.compute import segregation
        from segspatial.report import report_data, write_report

        units = self._units(values, parameters, context, feedback, need_polygons=True)
        result = segregation(units.frame, units.unit, units.group_a, units.group_b,
                             area=units.area, year=units.year, total=units.total,
                             **w.api_arguments(self.SPEC, values, segregation))
        if units.exclusions:
            import dataclasses

            result = dataclasses.replace(result, exclusions=self._exclusions(
                units, result.exclusions))
        feedback.setProgress(20)
        extra = self._districts(values, parameters, context)
        labels = {"a": values.get("LABEL_A") or units.group_a,
                  "b": values.get("LABEL_B") or units.group_b}
        has_names = units.bounds["name"].notna().any()
        data = report_data(
            result, units.frame, unit=units.unit, x=units.x, y=units.y, crs=units.crs,
            name=units.name, boundaries=units.bounds[["code", "name", "geometry"]],
            area_code="code", area_name="name" if has_names else "code",
            group_labels=labels,
            inputs=layer_files(self, parameters, context, ["SCHOOLS", "AREAS"]),
            **extra, **w.api_arguments(self.SPEC, values, report_data))
        if feedback.isCanceled():
            raise w.Cancelled
        feedback.setProgress(40)
        step = self._progress(feedback, 40, 100)

        def progress(done: int, total: int) -> None:
            if not step(done / max(total, 1)):
                raise w.Cancelled

        folder = self.parameterAsString(parameters, "OUTPUT", context)
        index = write_report(data, folder, progress=progress,
                             **w.api_arguments(self.SPEC, values, write_report))
        self._summarise(data.exclusions, feedback)
        self._open = str(index) if values.get("OPEN") else None
        return {"OUTPUT": folder, "INDEX": str(index)}

    def postProcessAlgorithm(self, context: Any, feedback: Any) -> dict:
        if getattr(self, "_open", None) and QgsApplication.instance().platform() == "desktop":
            from qgis.PyQt.QtCore import QUrl
            from qgis.PyQt.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(self._open))
        return {}


class SegspatialProvider(QgsProcessingProvider):
    """The ``segspatial`` provider: its algorithms in the Processing Toolbox."""

    def __init__(self) -> None:
        super().__init__()
        load_native()  # inside the QGIS programs: see segspatial.qgis._native

    ALGORITHMS = (IndicesAlgorithm, LocalMeasuresAlgorithm, ProfileAlgorithm,
                  ReportAlgorithm, MultigroupAlgorithm, ChangeAlgorithm)

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return ui_text("provider")

    def longName(self) -> str:
        from segspatial import __version__

        return f"{ui_text('provider')} {__version__}"

    def versionInfo(self) -> str:
        from segspatial import __version__

        return __version__

    def icon(self) -> QIcon:
        return QIcon(str(_ICON))

    def loadAlgorithms(self) -> None:
        for algorithm in self.ALGORITHMS:
            self.addAlgorithm(algorithm())

