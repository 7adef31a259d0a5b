"""Styles of the output layers (imports QGIS): the report's fixed colour scale for the
areas, a diverging scale around each area's share for the schools.

Field names reach QGIS expressions only through :meth:`QgsExpression.quotedColumnRef`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qgis.core import (
    QgsExpression,
    QgsMarkerSymbol,
    QgsProcessingLayerPostProcessorInterface,
    QgsProperty,
    QgsRuleBasedRenderer,
    QgsSymbol,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QColor

from segspatial.qgis import _wiring as w
from segspatial.qgis._layers import qgis_value
from segspatial.qgis._texts import text

__all__ = ["Style", "choropleth_renderer", "local_renderer"]


def _symbol(geometry_type: int, colour: str) -> QgsSymbol:
    symbol = QgsSymbol.defaultSymbol(geometry_type)
    symbol.setColor(QColor(colour))
    if geometry_type == QgsWkbTypes.PolygonGeometry:
        symbol.symbolLayer(0).setStrokeColor(QColor("#5a5a5a"))
        symbol.symbolLayer(0).setStrokeWidth(0.15)
    return symbol


def _rule_renderer(rules: list[tuple[str, str, str]], geometry_type: int, *,
                   else_colour: str, else_label: str, where: str | None = None,
                   where_label: str = "", size: QgsProperty | None = None
                   ) -> QgsRuleBasedRenderer:
    """Rules ``(filter, colour, label)`` plus an ELSE rule, under an optional filter."""
    root = QgsRuleBasedRenderer.Rule(None)
    parent = root
    if where is not None:
        parent = QgsRuleBasedRenderer.Rule(None, 0, 0, where, where_label)
        root.appendChild(parent)
    for expression, colour, label in [*rules, ("ELSE", else_colour, else_label)]:
        symbol = _symbol(geometry_type, colour)
        if size is not None and isinstance(symbol, QgsMarkerSymbol):
            symbol.setDataDefinedSize(size)
        parent.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, expression, label))
    return QgsRuleBasedRenderer(root)


def choropleth_renderer(field_name: str, *, year: Any = None, lang: str = "en"
                        ) -> QgsRuleBasedRenderer:
    """The report's fixed colour scale (0 dark green to 0.8 dark red) on ``field_name``;
    areas without a value grey; with ``year``, only that year's features are drawn."""
    from segspatial._mapdata import NO_DATA_COLOR

    ref = QgsExpression.quotedColumnRef(field_name)
    rules = []
    for lower, upper, colour, label in w.report_classes(lang):
        parts = ([f"{ref} >= {lower!r}"] if lower is not None else []) + (
            [f"{ref} < {upper!r}"] if upper is not None else [])
        rules.append((" AND ".join(parts), colour, label))
    where = None
    if year is not None:
        year_ref = QgsExpression.quotedColumnRef("year")
        where = f"{year_ref} = {QgsExpression.quotedValue(qgis_value(year))}"
    return _rule_renderer(rules, QgsWkbTypes.PolygonGeometry, else_colour=NO_DATA_COLOR,
                          else_label=text("legend.no_data", lang), where=where,
                          where_label=str(qgis_value(year)) if year is not None else "")


def local_renderer(centred_field: str, pupils_expression: str, max_pupils: float, *,
                   lang: str = "en") -> QgsRuleBasedRenderer:
    """Schools coloured by their share of A centred on the area's share (diverging),
    sized by pupils (area proportional); schools without a value grey."""
    from segspatial._mapdata import SUPPRESSED_COLOR

    ref = QgsExpression.quotedColumnRef(centred_field)
    rules = []
    classes = w.local_classes()
    for i, (lower, upper, colour, key) in enumerate(classes):
        last = i == len(classes) - 1
        rules.append((f"{ref} >= {lower!r} AND {ref} {'<=' if last else '<'} {upper!r}",
                      colour, text(key, lang)))
    size = QgsProperty.fromExpression(
        f"scale_exp(coalesce({pupils_expression}, 0), 0, {max(float(max_pupils), 1.0)!r}, "
        "1.2, 6.0, 0.5)")
    return _rule_renderer(rules, QgsWkbTypes.PointGeometry, else_colour=SUPPRESSED_COLOR,
                          else_label=text("legend.left_out", lang), size=size)


#: Post-processors must outlive the algorithm run (QGIS keeps no Python reference).
_KEEP: list[QgsProcessingLayerPostProcessorInterface] = []


class Style(QgsProcessingLayerPostProcessorInterface):
    """Sets a renderer on an output layer when QGIS loads it."""

    def __init__(self, build: Callable[[], Any]) -> None:
        super().__init__()
        self._build = build

    def postProcessLayer(self, layer: Any, context: Any, feedback: Any) -> None:
        layer.setRenderer(self._build())
        layer.triggerRepaint()

    @classmethod
    def attach(cls, context: Any, layer_id: str, build: Callable[[], Any]) -> None:
        if not context.willLoadLayerOnCompletion(layer_id):
            return
        style = cls(build)
        _KEEP.append(style)
        del _KEEP[:-64]
        context.layerToLoadOnCompletionDetails(layer_id).setPostProcessor(style)
