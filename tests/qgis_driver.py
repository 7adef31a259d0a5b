"""Every QGIS check of the test suite, run in one QGIS process (see tests/test_qgis.py).

Runs with the Python of the QGIS venv (tests/qgis_env.py), headless
(``QT_QPA_PLATFORM=offscreen``): ``python tests/qgis_driver.py CONFIG.json``. The config
names the work folder, the artifacts folder, the plugin zip and the real data folder
(or null). Each scenario runs the algorithms through ``processing.run`` with the
provider installed from the plugin zip, computes what the Python API (or the CLI)
gives for the same input, and records both; a failing scenario records its
traceback. The report is written as JSON to the config's ``out``; tests/test_qgis.py
asserts on it.

QGIS is imported inside :func:`main` only, so pytest can import this file.
"""

from __future__ import annotations

import html
import json
import sys
import traceback
import zipfile
from pathlib import Path
from typing import Any

TEMPORARY = "TEMPORARY_OUTPUT"
HOSTILE = {
    "layer": "<img src=x onerror=alert(1)>",
    "unit": "{{7*7}}",
    "a": "$\\foo$",
    "b": "<img src=x onerror=alert(1)>",
    "total": "total\") OR 1=1 --",  # no ";": QGIS splits field values at ";"
    "name": "naam {{7*7}}",
    "code": "{{7*7}}",
    "area_name": "$\\foo$ <b>",
}


def _range(frame) -> list[float]:
    """Smallest and largest finite value of a frame."""
    import numpy as np

    values = frame.to_numpy(dtype=float).ravel()
    values = values[np.isfinite(values)]
    return [float(values.min()), float(values.max())] if len(values) else []


class Driver:
    """The QGIS session and the helpers the scenarios share."""

    def __init__(self, config: dict) -> None:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("MPLBACKEND", "Agg")
        from qgis.core import QgsApplication

        self.app = QgsApplication([], False)
        self.app.initQgis()
        sys.path.append("/usr/share/qgis/python/plugins")
        from processing.core.Processing import Processing

        Processing.initialize()
        import processing

        self.processing = processing
        self.work = Path(config["work"])
        self.artifacts = Path(config["artifacts"])
        self.shared = Path(config["shared_data"]) if config.get("shared_data") else None
        self.plugin_zip = Path(config["plugin_zip"])
        self.work.mkdir(parents=True, exist_ok=True)
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.plugin = None

    # layers ---------------------------------------------------------------------

    def points_file(self, frame, x: str, y: str, crs: str, path: Path, layer: str):
        import geopandas as gpd

        gdf = gpd.GeoDataFrame(frame.copy(), geometry=gpd.points_from_xy(frame[x], frame[y]),
                               crs=crs)
        gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        return str(path)

    def memory_layer(self, geometry: str, crs: str, name: str, fields: dict[str, str],
                     rows: list[tuple[list, Any]]):
        """A memory layer with ``fields`` (name -> int/double/string) and features
        ``(attributes, QgsGeometry)``."""
        from qgis.core import QgsFeature, QgsField, QgsVectorLayer
        from qgis.PyQt.QtCore import QVariant

        kinds = {"int": QVariant.LongLong, "double": QVariant.Double,
                 "string": QVariant.String}
        layer = QgsVectorLayer(f"{geometry}?crs={crs}", name, "memory")
        provider = layer.dataProvider()
        provider.addAttributes([QgsField(n, kinds[k]) for n, k in fields.items()])
        layer.updateFields()
        features = []
        for attributes, geometry_ in rows:
            feature = QgsFeature(layer.fields())
            feature.setAttributes(list(attributes))
            feature.setGeometry(geometry_)
            features.append(feature)
        provider.addFeatures(features)
        layer.updateExtents()
        return layer

    @staticmethod
    def frame(layer):
        """A layer's attributes as a DataFrame (NULL -> None)."""
        import pandas as pd
        from qgis.PyQt.QtCore import QVariant

        names = [f.name() for f in layer.fields()]
        rows = []
        for feature in layer.getFeatures():
            rows.append([None if isinstance(v, QVariant) and v.isNull() else v
                         for v in feature.attributes()])
        return pd.DataFrame(rows, columns=names)

    def run(self, algorithm: str, parameters: dict, feedback=None, context=None) -> dict:
        from qgis.core import QgsProcessingContext, QgsProject

        if context is None:
            context = QgsProcessingContext()
            context.setProject(QgsProject.instance())
        return self.processing.run(algorithm, parameters, feedback=feedback,
                                   context=context)

    def error(self, algorithm: str, parameters: dict) -> str | None:
        from qgis.core import QgsProcessingException

        try:
            self.run(algorithm, parameters)
        except QgsProcessingException as exc:
            return str(exc)
        return None

    @staticmethod
    def compare(qgis, reference, key: str, columns: list[str]) -> dict:
        """Largest |difference| per column after matching rows on ``key``; NaN must match
        NaN."""
        import numpy as np

        merged = reference[[key, *columns]].astype({key: str}).merge(
            qgis[[key, *columns]].astype({key: str}), on=key, how="outer",
            suffixes=("_api", "_qgis"), indicator=True)
        out = {"rows": int(len(merged)), "unmatched": int((merged["_merge"] != "both").sum()),
               "max_diff": {}, "nan_mismatch": {}, "n_values": {}}
        for column in columns:
            a = merged[f"{column}_api"].astype(float).to_numpy()
            b = merged[f"{column}_qgis"].astype(float).to_numpy()
            both = np.isfinite(a) & np.isfinite(b)
            out["max_diff"][column] = float(np.max(np.abs(a[both] - b[both]))) if both.any() \
                else 0.0
            out["nan_mismatch"][column] = int((np.isfinite(a) != np.isfinite(b)).sum())
            out["n_values"][column] = int(both.sum())
        return out

    # plugin ---------------------------------------------------------------------

    def install_plugin(self) -> dict:
        """Install the plugin from its zip, as QGIS's Install from ZIP does."""
        import configparser

        from qgis.core import QgsApplication

        folder = self.work / "plugins"
        with zipfile.ZipFile(self.plugin_zip) as archive:
            names = sorted(archive.namelist())
            archive.extractall(folder)
        sys.path.insert(0, str(folder))
        import segspatial_qgis

        self.plugin = segspatial_qgis.classFactory(None)
        self.plugin.initProcessing()
        provider = QgsApplication.processingRegistry().providerById("segspatial")
        meta = configparser.ConfigParser()
        meta.read(folder / "segspatial_qgis" / "metadata.txt", encoding="utf-8")
        import segspatial

        return {"zip_names": names, "plugin_class": type(self.plugin).__name__,
                "provider": provider is not None,
                "algorithms": sorted(a.id() for a in provider.algorithms()) if provider
                else [],
                "metadata_version": meta["general"]["version"],
                "segspatial_version": segspatial.__version__,
                "processing_provider": meta["general"]["hasProcessingProvider"],
                "qgis_minimum": meta["general"]["qgisMinimumVersion"]}


# --------------------------------------------------------------------------- scenarios


def demo_files(d: Driver) -> dict:
    """The demo towns as files (2018, and the 2009-2018 panel) for every run."""
    from segspatial.demo import demo_counts
    from segspatial.demo_maps import demo_boundaries

    counts = demo_counts()
    latest = counts[counts["year"] == counts["year"].max()]
    files = {
        "schools": d.points_file(latest, "x", "y", "EPSG:28992",
                                 d.work / "demo_schools.gpkg", "schools"),
        "panel": d.points_file(counts, "x", "y", "EPSG:28992",
                               d.work / "demo_panel.gpkg", "panel"),
        "areas": str(d.work / "demo_areas.gpkg"),
    }
    demo_boundaries(latest).to_file(files["areas"], layer="areas", driver="GPKG")
    return files


def scenario_demo_defaults(d: Driver, files: dict) -> dict:
    """Every algorithm with its default parameters on the demo data."""
    out = {}
    base = {"SCHOOLS": files["schools"], "GROUP_A": "a", "GROUP_B": "b",
            "AREAS": files["areas"]}
    res = d.run("segspatial:indices", {**base, "OUTPUT": TEMPORARY,
                                       "EXCLUSIONS": TEMPORARY})
    layer = res["OUTPUT"]
    table = d.frame(layer)
    out["indices"] = {"features": layer.featureCount(), "crs": layer.crs().authid(),
                      "fields": list(table.columns),
                      "exclusions": d.frame(res["EXCLUSIONS"]).to_dict("records")}
    res = d.run("segspatial:local_measures", {**base, "OUTPUT": TEMPORARY,
                                              "EXCLUSIONS": TEMPORARY})
    table = d.frame(res["OUTPUT"])
    out["local_measures"] = {"features": res["OUTPUT"].featureCount(),
                             "crs": res["OUTPUT"].crs().authid(),
                             "fields": list(table.columns),
                             "with_p": int(table["p"].notna().sum())}
    chart = d.work / "demo_profile.html"
    res = d.run("segspatial:profile", {**base, "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY,
                                       "CHART": str(chart)})
    table = d.frame(res["OUTPUT"])
    out["profile"] = {"rows": len(table), "fields": list(table.columns),
                      "bandwidths": sorted(set(table["bandwidth"].dropna())),
                      "chart": chart.is_file(),
                      "chart_images": chart.read_text().count("data:image/png;base64,")}
    res = d.run("segspatial:multigroup", {"SCHOOLS": files["schools"], "GROUPS": ["a", "b"],
                                          "AREAS": files["areas"], "OUTPUT": TEMPORARY,
                                          "EXCLUSIONS": TEMPORARY})
    table = d.frame(res["OUTPUT"])
    out["multigroup"] = {"features": res["OUTPUT"].featureCount(),
                         "fields": list(table.columns),
                         "h": table.set_index("statcode")["multigroup_theil_h"].to_dict()}
    res = d.run("segspatial:indices", {**base, "BANDWIDTHS": "", "OUTPUT": TEMPORARY,
                                       "EXCLUSIONS": TEMPORARY})
    out["multigroup"]["two_group_h"] = d.frame(res["OUTPUT"]).set_index("statcode")[
        "theil_h"].to_dict()
    res = d.run("segspatial:change", {"SCHOOLS": files["panel"], "GROUP_A": "a",
                                      "GROUP_B": "b", "YEAR": "year",
                                      "AREAS": files["areas"], "OUTPUT": TEMPORARY,
                                      "EXCLUSIONS": TEMPORARY})
    table = d.frame(res["OUTPUT"])
    out["change"] = {"rows": res["OUTPUT"].featureCount(), "columns": list(table.columns)}
    folder = d.work / "demo_report"
    res = d.run("segspatial:report", {**base, "OUTPUT": str(folder)})
    out["report"] = {"index": res.get("INDEX"),
                     "pages": sorted(p.name for p in folder.glob("*.html"))}
    return out


def scenario_demo_panel(d: Driver, files: dict) -> dict:
    """Ten years of the demo with a year field: one feature per area and year, the
    style drawing the latest year; values equal to the Python API's."""
    import geopandas as gpd
    import pandas as pd

    from segspatial.compute import segregation
    from segspatial.geo import join_areas

    d.processing.runAndLoadResults("segspatial:indices", {
        "SCHOOLS": files["panel"], "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b",
        "TOTAL": "total", "YEAR": "year", "AREA_FIELD": "municipality",
        "AREAS": files["areas"], "AREA_CODE": "statcode", "BANDWIDTHS": "",
        "OUTPUT": str(d.work / "panel.gpkg"), "EXCLUSIONS": TEMPORARY})  # repeats fids
    from qgis.core import QgsProject

    layer = next(layer for layer in QgsProject.instance().mapLayers().values()
                 if layer.source().startswith(str(d.work / "panel.gpkg")))
    table = d.frame(layer)
    counts = gpd.read_file(files["panel"])
    api = segregation(pd.DataFrame(counts.drop(columns="geometry")), "school", "a", "b",
                      area="municipality", year="year", total="total")
    ref = join_areas(api.table, gpd.read_file(files["areas"]), "statcode")
    key = "key"
    table[key] = table["statcode"] + "_" + table["year"].astype(str)
    ref[key] = ref["statcode"] + "_" + ref["year"].astype(int).astype(str)
    rules = layer.renderer().rootRule().children()
    out = {"features": layer.featureCount(), "years": sorted(set(table["year"])),
           "compare": d.compare(table, ref, key, ref.attrs["index_columns"]),
           "style_filter": rules[0].filterExpression() if rules else None,
           "spatial_fields": [c for c in table.columns if c.startswith("spatial_")],
           "fields": list(table.columns), "source": layer.source()}
    QgsProject.instance().removeMapLayer(layer.id())  # deletes its renderer too
    return out


def scenario_inference(d: Driver, files: dict) -> dict:
    """Bootstrap intervals and randomisation tests: computed in batches of areas, equal
    to one call of the Python API with the same seed (streams keyed by area-year)."""
    import geopandas as gpd
    import pandas as pd

    from segspatial.compute import segregation
    from segspatial.geo import join_areas
    from segspatial.inference import infer

    res = d.run("segspatial:indices", {
        "SCHOOLS": files["schools"], "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b",
        "TOTAL": "total", "AREA_FIELD": "municipality", "AREAS": files["areas"],
        "AREA_CODE": "statcode", "MIN_AREA_SIZE": 0, "BANDWIDTHS": "", "BOOTSTRAP": 200,
        "NULL_DRAWS": 150, "SEED": 11, "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY,
        "RESULTS": TEMPORARY})
    table = d.frame(res["OUTPUT"])
    schools = pd.DataFrame(gpd.read_file(files["schools"]).drop(columns="geometry"))
    api = infer(segregation(schools, "school", "a", "b", area="municipality",
                            total="total", min_area_size=0),
                n_boot=200, null_draws=150, rng=11).result.table
    columns = [f"{i}_{s}" for i in ("dissimilarity", "theil_h", "correlation")
               for s in ("se", "ci_low", "ci_high", "p_value")]
    ref = {}
    for stat in ("se", "ci_low", "ci_high", "p_value"):
        wide = join_areas(api.assign(value=api[stat]), gpd.read_file(files["areas"]),
                          "statcode")
        for index in ("dissimilarity", "theil_h", "correlation"):
            ref[f"{index}_{stat}"] = wide[index].to_numpy()
    ref = pd.DataFrame({"statcode": wide["statcode"], **ref})
    return {"fields": list(table.columns), "compare": d.compare(table, ref, "statcode",
                                                                columns)}


def three_groups(frame):
    """The demo counts with group B split in two (b1, b2) and a denomination per school
    (a deterministic mix), for the multigroup scenarios."""
    import numpy as np

    out = frame.copy()
    code = out["school"].astype(str).str.extract(r"(\d+)$")[0].fillna("0").astype(int)
    share = 0.2 + 0.6 * ((code * 7) % 10) / 10  # 0.2 ... 0.74 of B is b1
    out["b1"] = np.floor(out["b"] * share).astype("int64")
    out["b2"] = (out["b"] - out["b1"]).astype("int64")
    names = np.array(["openbaar", "rooms-katholiek", "protestants-christelijk",
                      "algemeen-bijzonder"])
    out["denomination"] = names[(code * 3) % 4]
    return out


def long_compare(d: Driver, qgis, cli, keys: list[str], columns: list[str]) -> dict:
    """QGIS's long table against the CLI's on the text of ``keys``."""
    def keyed(frame):
        frame = frame.copy()
        parts = []
        for k in keys:
            values = frame[k]
            if k in ("year", "from_year", "to_year", "bandwidth"):
                values = values.astype(float).map(lambda v: f"{v:g}")
            parts.append(values.astype(str))
        frame["key"] = parts[0].str.cat(parts[1:], sep="|") if len(parts) > 1 else parts[0]
        return frame

    return d.compare(keyed(qgis), keyed(cli), "key", columns)


def scenario_multigroup(d: Driver, files: dict) -> dict:
    """Three groups and a denomination (WITHIN) over ten years, with bootstrap intervals
    and randomisation tests, in batches of areas: the QGIS tables equal the command
    line's `indices --groups a b1 b2 --within denomination` (values, intervals,
    p-values, local scores, the decomposition per denomination)."""
    import geopandas as gpd
    import pandas as pd

    from segspatial.cli import main as cli

    panel = three_groups(pd.DataFrame(gpd.read_file(files["panel"]).drop(
        columns="geometry")))
    schools = d.points_file(panel, "x", "y", "EPSG:28992", d.work / "multigroup.gpkg",
                            "schools")
    csv = d.work / "multigroup.csv"
    panel.to_csv(csv, index=False)
    res = d.run("segspatial:multigroup", {
        "SCHOOLS": schools, "UNIT": "school", "GROUPS": ["a", "b1", "b2"],
        "TOTAL": "total", "YEAR": "year", "AREA_FIELD": "municipality",
        "AREAS": files["areas"], "AREA_CODE": "statcode", "MIN_AREA_SIZE": 0,
        "WITHIN": "denomination", "BOOTSTRAP": 60, "NULL_DRAWS": 40, "SEED": 5,
        "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY, "RESULTS": TEMPORARY,
        "LOCAL_OUTPUT": TEMPORARY, "WITHIN_OUTPUT": TEMPORARY})
    out_dir = d.work / "multigroup_cli"
    out_dir.mkdir(exist_ok=True)
    status = cli(["indices", str(csv), "--unit", "school", "--groups", "a", "b1", "b2",
                  "--total", "total", "--year", "year", "--area", "municipality",
                  "--min-area-size", "0", "--within", "denomination", "--bootstrap", "60",
                  "--null-draws", "40", "--seed", "5", "--quiet",
                  "-o", str(out_dir / "results.csv"),
                  "--local-output", str(out_dir / "local.csv"),
                  "--within-output", str(out_dir / "within.csv"),
                  "--exclusions-output", str(out_dir / "left.csv")])
    text = {"area": str, "unit": str, "school": str, "cluster": str}
    results_cli = pd.read_csv(out_dir / "results.csv", dtype=text)
    results = d.frame(res["RESULTS"])
    stats = ["value", "se", "ci_low", "ci_high", "bias_corrected", "p_value",
             "null_mean", "null_se"]
    local = d.frame(res["LOCAL_OUTPUT"])
    local_cli = pd.read_csv(out_dir / "local.csv", dtype=text)
    within = d.frame(res["WITHIN_OUTPUT"])
    within_cli = pd.read_csv(out_dir / "within.csv", dtype=text)
    layer = d.frame(res["OUTPUT"])
    return {
        "status": status, "features": res["OUTPUT"].featureCount(),
        "fields": list(layer.columns),
        "groups": sorted(set(results["groups"].dropna())),
        "indices": sorted(set(results["index"])),
        "results": long_compare(d, results, results_cli, ["area", "year", "index"], stats),
        "local": long_compare(d, local.dropna(subset=["pupils"]).assign(
            unit=lambda f: f["school"].astype(str)), local_cli, ["unit", "year"],
            ["pupils", "p", "ls", "entropy", "m_contribution", "h_contribution"]),
        "local_fields": list(local.columns),
        "local_features": res["LOCAL_OUTPUT"].featureCount(),
        "within": long_compare(d, within, within_cli, ["area", "year", "cluster"],
                               ["share", "entropy", "mutual_information", "theil_h",
                                "within_contribution", "between_contribution"]),
        "exclusions": len(d.frame(res["EXCLUSIONS"])),
        "exclusions_cli": len(pd.read_csv(out_dir / "left.csv")),
        "errors": {
            "one_group": d.error("segspatial:multigroup", {
                "SCHOOLS": schools, "GROUPS": ["a"], "AREA_FIELD": "municipality",
                "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY}),
            "within_output": d.error("segspatial:multigroup", {
                "SCHOOLS": schools, "GROUPS": ["a", "b1", "b2"],
                "AREA_FIELD": "municipality", "OUTPUT": TEMPORARY,
                "EXCLUSIONS": TEMPORARY, "WITHIN_OUTPUT": TEMPORARY}),
            "log_base": d.error("segspatial:multigroup", {
                "SCHOOLS": schools, "GROUPS": ["a", "b1", "b2"], "LOG_BASE": 1,
                "AREA_FIELD": "municipality", "OUTPUT": TEMPORARY,
                "EXCLUSIONS": TEMPORARY}),
        },
    }


def scenario_change(d: Driver, files: dict) -> dict:
    """The change between two years and the trend per area: equal to `segspatial
    change` on the same counts and seed (changes, intervals, p-values, directions)."""
    import geopandas as gpd
    import pandas as pd

    from segspatial.cli import main as cli

    panel = pd.DataFrame(gpd.read_file(files["panel"]).drop(columns="geometry"))
    csv = d.work / "change.csv"
    panel.to_csv(csv, index=False)
    res = d.run("segspatial:change", {
        "SCHOOLS": files["panel"], "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b",
        "TOTAL": "total", "YEAR": "year", "AREA_FIELD": "municipality",
        "MIN_AREA_SIZE": 0, "FROM_YEAR": 2010, "TO_YEAR": 2018, "BOOTSTRAP": 150,
        "SEED": 4, "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY, "RESULTS": TEMPORARY})
    out = d.work / "change_cli.csv"
    status = cli(["change", str(csv), "--unit", "school", "--group-a", "a", "--group-b",
                  "b", "--total", "total", "--year", "year", "--area", "municipality",
                  "--min-area-size", "0", "--from-year", "2010", "--to-year", "2018",
                  "--bootstrap", "150", "--seed", "4", "--quiet", "-o", str(out),
                  "--results-output", str(d.work / "change_results_cli.csv")])
    text = {"area": str}
    table, table_cli = d.frame(res["OUTPUT"]), pd.read_csv(out, dtype=text)
    results = d.frame(res["RESULTS"])
    results_cli = pd.read_csv(d.work / "change_results_cli.csv", dtype=text)
    defaults = d.run("segspatial:change", {
        "SCHOOLS": files["panel"], "GROUP_A": "a", "GROUP_B": "b", "YEAR": "year",
        "AREAS": files["areas"], "BOOTSTRAP": 20, "OUTPUT": TEMPORARY,
        "EXCLUSIONS": TEMPORARY})
    base = {"SCHOOLS": files["panel"], "UNIT": "school", "GROUP_A": "a",
            "GROUP_B": "b", "YEAR": "year", "AREA_FIELD": "municipality",
            "MIN_AREA_SIZE": 0, "BOOTSTRAP": 20, "OUTPUT": TEMPORARY,
            "EXCLUSIONS": TEMPORARY}
    return {
        "status": status, "rows": len(table), "rows_cli": len(table_cli),
        "columns": list(table.columns),
        "directions": sorted(set(table["direction"].dropna())),
        "statistics": sorted(set(table["statistic"])),
        "compare": long_compare(d, table, table_cli, ["area", "index", "statistic"],
                                ["change", "se", "ci_low", "ci_high", "p_value",
                                 "value_from", "value_to", "from_year", "to_year"]),
        "same_direction": bool((table.sort_values(["area", "index", "statistic"])[
            "direction"].fillna("").to_numpy() == table_cli.sort_values(
            ["area", "index", "statistic"])["direction"].fillna("").to_numpy()).all()),
        "results": long_compare(d, results, results_cli, ["area", "year", "index"],
                                ["value", "se", "ci_low", "ci_high"]),
        "defaults_rows": res_rows(defaults["OUTPUT"]),
        "errors": {
            "from_year": d.error("segspatial:change", {**base, "FROM_YEAR": 1990}),
            "order": d.error("segspatial:change", {**base, "FROM_YEAR": 2018,
                                                   "TO_YEAR": 2010}),
            "left_out": d.error("segspatial:change", {**base, "MIN_AREA_SIZE": 10**9}),
        },
    }


def res_rows(layer) -> int:
    return int(layer.featureCount())


def scenario_defaults_and_messages(d: Driver, files: dict) -> dict:
    """What a user gets without the advanced parameters: the CLI's seed (0, so a rerun
    gives the same intervals), the areas' statcode as their code field (as the help
    says), multipart areas in a conformant layer; errors in parameter names."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    import shapely

    from segspatial.compute import segregation
    from segspatial.geo import join_areas
    from segspatial.inference import infer

    areas = gpd.read_file(files["areas"])
    # one area in two parts (a detached box far from every school), as CBS's islands
    far = shapely.box(0, 300_000, 100, 300_100)
    areas.loc[0, "geometry"] = shapely.MultiPolygon([areas.geometry[0], far])
    mixed = d.work / "mixed_areas.geojson"
    areas.to_file(mixed, driver="GeoJSON")
    params = {"SCHOOLS": files["schools"], "UNIT": "school", "GROUP_A": "a",
              "GROUP_B": "b", "TOTAL": "total", "AREA_FIELD": "municipality",
              "AREAS": str(mixed), "MIN_AREA_SIZE": 0, "BANDWIDTHS": "", "BOOTSTRAP": 30,
              "NULL_DRAWS": 30, "EXCLUSIONS": TEMPORARY}
    out: dict[str, Any] = {}
    runs = []
    for i in range(2):
        target = d.work / f"defaults_{i}.gpkg"
        d.run("segspatial:indices", {**params, "OUTPUT": str(target)})
        runs.append(gpd.read_file(target))
    out["same_twice"] = bool(runs[0].drop(columns="geometry").equals(
        runs[1].drop(columns="geometry")))
    out["layer_types"] = [str(t) for t in pyogrio.list_layers(d.work / "defaults_0.gpkg")[:, 1]]
    out["features"] = len(runs[0])
    schools = pd.DataFrame(gpd.read_file(files["schools"]).drop(columns="geometry"))
    api = infer(segregation(schools, "school", "a", "b", area="municipality",
                            total="total", min_area_size=0),
                n_boot=30, null_draws=30, rng=0).result.table
    wide = join_areas(api.assign(value=api["ci_low"]), areas, "statcode")
    table = runs[0].assign(ci=runs[0]["dissimilarity_ci_low"])
    out["compare"] = d.compare(table, wide.assign(ci=wide["dissimilarity"]), "statcode",
                               ["ci"])
    import os

    errors = {}
    cases = [("CI_LEVEL", {"CI_LEVEL": 1.5}), ("too_large", {"BOOTSTRAP": 10**12}),
             ("GROUP_A", {"GROUP_A": "total", "GROUP_B": "total"})]
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if memory < 60 * 2**30:  # 2**31 - 1 replicates of one area-year need 80 GB
        cases.append(("BOOTSTRAP", {"BOOTSTRAP": 2**31 - 1}))
    for name, bad in cases:
        errors[name] = d.error("segspatial:indices", {**params, **bad, "OUTPUT": TEMPORARY})
    out["errors"] = errors
    return out


def scenario_real(d: Driver) -> dict:
    """The real 2019 case: QGIS against the Python API (area field) and against the CLI
    (areas by location, layers in EPSG:4326), selected features, CRS errors, the style
    and a screenshot."""
    import numpy as np
    import pandas as pd
    from pyproj import Transformer

    from segspatial.cli import main as cli
    from segspatial.datasets import real_2019_case
    from segspatial.geo import join_areas, read_boundaries
    from segspatial.spatial import spatial_segregation

    out: dict[str, Any] = {}
    schools = real_2019_case(d.shared)
    rd = d.shared / "boundaries" / "nl_maps_rd_gemeente_2019.geojson"
    wgs = d.shared / "boundaries" / "derived_wgs84_gemeente_2019_from_nl_maps_rd.geojson"
    schools_rd = d.points_file(schools, "x", "y", "EPSG:28992", d.work / "real_rd.gpkg",
                               "schools")

    # A. area field + RD polygons, against the Python API
    params = {"SCHOOLS": schools_rd, "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b",
              "TOTAL": "pupils", "AREA_FIELD": "municipality", "AREAS": str(rd),
              "AREA_CODE": "statcode", "MIN_AREA_SIZE": 0, "SEED": 1,
              "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY}
    res = d.processing.runAndLoadResults("segspatial:indices", params)
    from qgis.core import QgsProject

    layer = QgsProject.instance().mapLayer(res["OUTPUT"])
    table = d.frame(layer)
    api = spatial_segregation(schools, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                              area="municipality", total="pupils", min_area_size=0, rng=1)
    ref = join_areas(api.table, read_boundaries(rd), "statcode")
    # every column, Moran's permutation p-values too: the same seed gives the same
    # permutations in QGIS's batches of areas as in one call
    columns = list(ref.attrs["index_columns"])
    out["api"] = {"features": layer.featureCount(), "crs": layer.crs().authid(),
                  "polygons": int(len(ref)), "columns": columns,
                  "compare": d.compare(table, ref, "statcode", columns),
                  "morans_p": _range(table[[c for c in table.columns
                                             if c.startswith("morans_i_p_")]])}
    out["style"] = style_checks(d, layer, table)
    out["screenshot"] = screenshot(
        d, layer, d.artifacts / "qgis_indices_real_2019.png",
        "Real 2019 case: segspatial:indices, styled output layer", "Dissimilarity D")

    # B. areas by location, schools and polygons in EPSG:4326, against the CLI
    to_wgs = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    lonlat = schools.assign(**dict(zip(("lon", "lat"), to_wgs.transform(
        schools["x"].to_numpy(), schools["y"].to_numpy()), strict=True)))
    lonlat = lonlat.drop(columns=["x", "y"])
    schools_wgs = d.points_file(lonlat, "lon", "lat", "EPSG:4326",
                                d.work / "real_wgs84.gpkg", "schools")
    csv = d.work / "real_wgs84.csv"
    lonlat.to_csv(csv, index=False)
    res = d.run("segspatial:indices", {
        "SCHOOLS": schools_wgs, "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b",
        "TOTAL": "pupils", "AREAS": str(wgs), "AREA_CODE": "statcode", "MIN_AREA_SIZE": 0,
        "SEED": 1, "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY, "RESULTS": TEMPORARY})
    long_qgis = d.frame(res["RESULTS"])
    cli_out = d.work / "real_cli.csv"
    status = cli(["indices", str(csv), "--unit", "school", "--group-a", "a", "--group-b",
                  "b", "--total", "pupils", "--x", "lon", "--y", "lat", "--crs", "EPSG:4326",
                  "--areas-from", str(wgs), "--area-code", "statcode", "--min-area-size",
                  "0", *[a for b in (500, 1000, 2000, 4000) for a in ("--bandwidth", str(b))],
                  "--seed", "1", "--quiet", "-o", str(cli_out)])
    long_cli = pd.read_csv(cli_out, dtype={"area": str})

    def keyed(frame):
        frame = frame.copy()
        frame["key"] = (frame["area"].astype(str) + "|" + frame["index"] + "|"
                        + frame["bandwidth"].astype(float).map(lambda v: f"{v:g}"))
        return frame

    out["cli"] = {"status": status, "features": res["OUTPUT"].featureCount(),
                  "crs": res["OUTPUT"].crs().authid(),
                  "compare": d.compare(keyed(long_qgis), keyed(long_cli), "key", ["value"]),
                  "moran_p_rows": int(long_cli["index"].eq("morans_i_p").sum()),
                  "moran_p_distinct": int(long_cli.loc[long_cli["index"].eq("morans_i_p"),
                                                       "value"].nunique()),
                  "exclusions": d.frame(res["EXCLUSIONS"]).to_dict("records")}

    # B2. k nearest schools (one call: schools sharing a location are equidistant),
    # against the Python API with the same seed
    res = d.run("segspatial:indices", {**params, "K": 6})
    knn = spatial_segregation(schools, "school", "a", "b", x="x", y="y",
                              crs="EPSG:28992", area="municipality", total="pupils",
                              min_area_size=0, k=6, bandwidth=None, rng=1)
    ref = join_areas(knn.table, read_boundaries(rd), "statcode")
    out["knn"] = {"columns": list(ref.attrs["index_columns"]),
                  "compare": d.compare(d.frame(res["OUTPUT"]), ref, "statcode",
                                       list(ref.attrs["index_columns"]))}

    # C. selected features only: three municipalities' schools and polygons
    from qgis.core import QgsProcessingFeatureSourceDefinition, QgsVectorLayer

    chosen = ["GM0363", "GM0034", "GM0599"]
    points = QgsVectorLayer(schools_rd, "schools", "ogr")
    polygons = QgsVectorLayer(str(rd), "gemeenten", "ogr")
    QgsProject.instance().addMapLayers([points, polygons])
    points.selectByExpression(f"\"municipality\" IN ({', '.join(map(repr, chosen))})")
    polygons.selectByExpression(f"\"statcode\" IN ({', '.join(map(repr, chosen))})")
    res = d.run("segspatial:indices", {
        "SCHOOLS": QgsProcessingFeatureSourceDefinition(points.id(), True),
        "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b", "TOTAL": "pupils",
        "AREA_FIELD": "municipality", "AREAS": QgsProcessingFeatureSourceDefinition(
            polygons.id(), True), "AREA_CODE": "statcode", "MIN_AREA_SIZE": 0,
        "SPATIAL_INDICES": ["spatial_dissimilarity", "spatial_theil_h"],
        "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY})
    subset = schools[schools["municipality"].isin(chosen)]
    api = spatial_segregation(subset, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                              area="municipality", total="pupils", min_area_size=0,
                              spatial_indices=["spatial_dissimilarity", "spatial_theil_h"])
    ref = join_areas(api.table, read_boundaries(rd), "statcode")
    ref = ref[ref["statcode"].isin(chosen)]
    table = d.frame(res["OUTPUT"])
    out["selected"] = {"features": res["OUTPUT"].featureCount(),
                       "codes": sorted(table["statcode"]),
                       "selected_schools": points.selectedFeatureCount(),
                       "n_units": sorted(int(v) for v in table["n_units"]),
                       "compare": d.compare(table, ref, "statcode",
                                            ref.attrs["index_columns"])}

    # D. errors: a geographic distance CRS, a missing count, as segspatial words them
    base = {"SCHOOLS": schools_rd, "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b",
            "AREAS": str(rd), "AREA_CODE": "statcode", "OUTPUT": TEMPORARY,
            "EXCLUSIONS": TEMPORARY}
    out["errors"] = {
        "geographic": d.error("segspatial:indices", {**base, "DISTANCE_CRS": "EPSG:4326"}),
    }
    nocode = d.work / "areas_without_statcode.geojson"
    read_boundaries(str(rd)).rename(columns={"statcode": "code"}).to_file(nocode,
                                                                        driver="GeoJSON")
    out["errors"]["area_code"] = d.error("segspatial:indices", {
        **base, "AREAS": str(nocode), "AREA_FIELD": "municipality", "AREA_CODE": None})
    broken = schools.copy()
    broken.loc[broken.index[:3], "a"] = np.nan
    broken_file = d.points_file(broken, "x", "y", "EPSG:28992", d.work / "broken.gpkg",
                                "schools")
    out["errors"]["missing_counts"] = d.error("segspatial:indices",
                                              {**base, "SCHOOLS": broken_file})
    out["errors"]["geographic_local"] = d.error(
        "segspatial:local_measures", {**base, "DISTANCE_CRS": "EPSG:4326"})
    return out


def style_checks(d: Driver, layer, table) -> dict:
    """The renderer: rule-based on the report's classes; and rendered pixels of the
    largest municipalities in their class colour."""
    import pandas as pd
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings, QgsPointXY
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    from segspatial.qgis._wiring import report_classes

    renderer = layer.renderer()
    rules = renderer.rootRule().children()
    classes = report_classes()
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(1200, 1400))
    settings.setExtent(layer.extent())
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(str(d.artifacts / "qgis_indices_real_2019_map.png"))
    to_pixel = settings.mapToPixel()
    checked, wrong = 0, []
    largest = table.sort_values("n_pupils", ascending=False).head(40)
    geometries = {f["statcode"]: f.geometry() for f in layer.getFeatures()}
    for row in largest.itertuples():
        value = row.dissimilarity
        expected = next(c for lo, hi, c, _ in classes
                        if (lo is None or value >= lo) and (hi is None or value < hi))
        geometry = geometries[row.statcode]
        inner = geometry.buffer(-400, 4)  # away from borders (anti-aliasing)
        if inner.isEmpty():
            continue
        point = inner.pointOnSurface().asPoint()
        pixel = to_pixel.transform(QgsPointXY(point))
        colour = QColor(image.pixel(int(pixel.x()), int(pixel.y()))).name()
        checked += 1
        if colour != expected:
            wrong.append((row.statcode, value, expected, colour))
    return {"renderer": type(renderer).__name__,
            "rules": [(r.filterExpression(), r.symbol().color().name(), r.label())
                      for r in rules],
            "classes": classes, "pixels_checked": checked, "pixels_wrong": wrong,
            "no_value": int(pd.isna(table["dissimilarity"]).sum())}


def screenshot(d: Driver, layer, path: Path, title_text: str, legend_title: str,
               extent=None) -> dict:
    """A layout with the styled map, its legend and a title, exported as PNG."""
    from qgis.core import (
        QgsLayoutExporter,
        QgsLayoutItemLabel,
        QgsLayoutItemLegend,
        QgsLayoutItemMap,
        QgsLayoutPoint,
        QgsLayoutSize,
        QgsPrintLayout,
        QgsProject,
        QgsUnitTypes,
    )
    from qgis.PyQt.QtGui import QFont

    project = QgsProject.instance()
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(270, 250, QgsUnitTypes.LayoutMillimeters))
    title = QgsLayoutItemLabel(layout)
    title.setText(title_text)
    title.setFont(QFont("DejaVu Sans", 12))
    layout.addLayoutItem(title)
    title.attemptMove(QgsLayoutPoint(8, 5, QgsUnitTypes.LayoutMillimeters))
    title.attemptResize(QgsLayoutSize(255, 10, QgsUnitTypes.LayoutMillimeters))
    item = QgsLayoutItemMap(layout)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(5, 17, QgsUnitTypes.LayoutMillimeters))
    item.attemptResize(QgsLayoutSize(150, 225, QgsUnitTypes.LayoutMillimeters))
    item.setCrs(layer.crs())
    item.setLayers([layer])
    item.setKeepLayerSet(True)
    extent = layer.extent() if extent is None else extent
    extent.scale(1.03)
    item.setExtent(extent)  # (zoomToExtent leaves a new item's extent empty in 3.22)
    legend = QgsLayoutItemLegend(layout)
    legend.setLinkedMap(item)
    legend.setAutoUpdateModel(False)
    legend.model().rootGroup().removeAllChildren()
    legend.model().rootGroup().addLayer(layer)
    legend.setTitle(legend_title)
    layout.addLayoutItem(legend)
    legend.attemptMove(QgsLayoutPoint(162, 20, QgsUnitTypes.LayoutMillimeters))
    exporter = QgsLayoutExporter(layout)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 110
    settings.generateWorldFile = False
    settings.exportMetadata = False
    status = exporter.exportToImage(str(path), settings)
    return {"path": str(path), "status": int(status), "bytes": path.stat().st_size
            if path.exists() else 0}


def scenario_local_screenshot(d: Driver, files: dict) -> dict:
    """The local measures layer, styled (diverging around the area's share), rendered."""
    from qgis.core import QgsProject

    res = d.processing.runAndLoadResults("segspatial:local_measures", {
        "SCHOOLS": files["schools"], "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b",
        "TOTAL": "total", "AREA_FIELD": "municipality", "OUTPUT": TEMPORARY,
        "EXCLUSIONS": TEMPORARY})
    layer = QgsProject.instance().mapLayer(res["OUTPUT"])
    renderer = layer.renderer()
    rules = renderer.rootRule().children()
    from qgis.core import QgsFeatureRequest, QgsRectangle

    town = QgsRectangle()
    for feature in layer.getFeatures(QgsFeatureRequest().setFilterExpression(
            "\"municipality\" = 'GM9001'")):
        town.combineExtentWith(feature.geometry().boundingBox())
    path = d.artifacts / "qgis_local_measures_demo.png"
    shot = screenshot(d, layer, path, "Demo, Havenstad (two halves): "
                      "segspatial:local_measures", "Share of group A", extent=town)
    table = d.frame(layer)
    out = {"renderer": type(renderer).__name__,
           "rules": [(r.filterExpression(), r.symbol().color().name(), r.label())
                     for r in rules],
           "size_expression": rules[0].symbol().dataDefinedSize().expressionString()
           if rules else None,
           "screenshot": shot, "features": len(table),
           "left_out": int(table["p"].isna().sum())}
    QgsProject.instance().removeMapLayer(layer.id())  # deletes its renderer too
    return out


def scenario_cancel(d: Driver, files: dict) -> dict:
    """Cancelling after the first batches: no output, no further batches."""
    from qgis.core import QgsProcessingFeedback

    class CancelSoon(QgsProcessingFeedback):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[float] = []

        def setProgress(self, progress: float) -> None:
            self.seen.append(progress)
            super().setProgress(progress)
            if progress > 20:
                self.cancel()

    feedback = CancelSoon()
    res = d.run("segspatial:indices", {
        "SCHOOLS": files["panel"], "UNIT": "school", "GROUP_A": "a", "GROUP_B": "b",
        "YEAR": "year", "AREA_FIELD": "municipality", "MIN_AREA_SIZE": 0,
        "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY}, feedback=feedback)
    batches = [p for p in feedback.seen if 15 < p <= 85]
    return {"results": sorted(res), "batches_after_cancel": len(batches),
            "progress": feedback.seen}


def scenario_hostile(d: Driver, files: dict) -> dict:
    """Hostile layer and field names (and names in the data): nothing breaks or is
    interpreted; values equal those of the plain run."""
    import geopandas as gpd
    from qgis.core import QgsGeometry, QgsProject

    h = HOSTILE
    schools = gpd.read_file(files["schools"])
    areas = gpd.read_file(files["areas"])
    names = ["<script>alert(1)</script>", "{{7*7}}", "$\\alpha$", "<b>bold</b>"]
    point_rows = [([str(r.school), int(r.a), int(r.b), int(r.total),
                    names[i % len(names)] + f" {i}", str(r.municipality)],
                   QgsGeometry.fromWkt(r.geometry.wkt))
                  for i, r in enumerate(schools.itertuples())]
    points = d.memory_layer("Point", "EPSG:28992", h["layer"],
                            {h["unit"]: "string", h["a"]: "int", h["b"]: "int",
                             h["total"]: "int", h["name"]: "string", "gm {{7*7}}": "string"},
                            point_rows)
    polygon_rows = [([str(r.statcode), f"{h['area_name']} {r.statnaam}"],
                     QgsGeometry.fromWkt(r.geometry.wkt)) for r in areas.itertuples()]
    polygons = d.memory_layer("MultiPolygon", "EPSG:28992", "{{7*7}} <i>areas</i>",
                              {h["code"]: "string", h["area_name"]: "string"},
                              polygon_rows)
    QgsProject.instance().addMapLayers([points, polygons])
    common = {"SCHOOLS": points.id(), "UNIT": h["unit"], "GROUP_A": h["a"],
              "GROUP_B": h["b"], "TOTAL": h["total"], "AREAS": polygons.id(),
              "AREA_CODE": h["code"], "MIN_AREA_SIZE": 0}
    plain = {"SCHOOLS": files["schools"], "UNIT": "school", "GROUP_A": "a",
             "GROUP_B": "b", "TOTAL": "total", "AREAS": files["areas"],
             "AREA_CODE": "statcode", "MIN_AREA_SIZE": 0}
    out: dict[str, Any] = {}
    res = d.run("segspatial:indices", {**common, "OUTPUT": TEMPORARY,
                                       "EXCLUSIONS": TEMPORARY, "SEED": 3})
    ref = d.run("segspatial:indices", {**plain, "OUTPUT": TEMPORARY,
                                       "EXCLUSIONS": TEMPORARY, "SEED": 3})
    hostile_table, plain_table = d.frame(res["OUTPUT"]), d.frame(ref["OUTPUT"])
    hostile_table["code"] = hostile_table[h["code"]]
    plain_table["code"] = plain_table["statcode"]
    columns = [c for c in plain_table.columns if c.startswith(("dissimilarity", "theil",
                                                               "correlation", "spatial_",
                                                               "morans_i", "morrill"))]
    out["indices"] = {"fields": list(hostile_table.columns),
                      "group_a": sorted(set(hostile_table["group_a"].dropna())),
                      "group_b": sorted(set(hostile_table["group_b"].dropna())),
                      "compare": d.compare(hostile_table, plain_table, "code", columns)}
    groups = {"GROUPS": [h["a"], h["b"]], "TOTAL": h["total"], "WITHIN": "gm {{7*7}}"}
    res = d.run("segspatial:multigroup", {
        **{k: v for k, v in common.items() if k not in ("GROUP_A", "GROUP_B")}, **groups,
        "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY, "WITHIN_OUTPUT": TEMPORARY})
    ref = d.run("segspatial:multigroup", {
        **{k: v for k, v in plain.items() if k not in ("GROUP_A", "GROUP_B")},
        "GROUPS": ["a", "b"], "WITHIN": "municipality", "OUTPUT": TEMPORARY,
        "EXCLUSIONS": TEMPORARY})
    hostile_table, plain_table = d.frame(res["OUTPUT"]), d.frame(ref["OUTPUT"])
    hostile_table["code"] = hostile_table[h["code"]]
    plain_table["code"] = plain_table["statcode"]
    columns = ["mutual_information", "multigroup_theil_h", "multigroup_dissimilarity"]
    out["multigroup"] = {
        "fields": list(hostile_table.columns),
        "groups": sorted(set(hostile_table["groups"].dropna())),
        "clusters": sorted(set(d.frame(res["WITHIN_OUTPUT"])["within"].dropna())),
        "compare": d.compare(hostile_table, plain_table, "code", columns)}
    res = d.run("segspatial:local_measures", {**common, "OUTPUT": TEMPORARY,
                                              "EXCLUSIONS": TEMPORARY})
    table = d.frame(res["OUTPUT"])
    out["local_measures"] = {"fields": list(table.columns),
                             "with_p": int(table["p"].notna().sum())}
    chart = d.work / "hostile_profile.html"
    res = d.run("segspatial:profile", {**common, "AREA_NAME": h["area_name"],
                                       "OUTPUT": TEMPORARY, "EXCLUSIONS": TEMPORARY,
                                       "CHART": str(chart)})
    page = chart.read_text(encoding="utf-8")
    out["profile"] = {"rows": res["OUTPUT"].featureCount(),
                      "images": page.count("data:image/png;base64,"),
                      "raw_markup": [m for m in ("<script", "<img src=x", "<b>")
                                     if m in page]}
    folder = d.work / "hostile_report"
    res = d.run("segspatial:report", {**common, "AREA_NAME": h["area_name"],
                                      "NAME": h["name"], "LABEL_A": "<i>A</i> {{7*7}}",
                                      "LABEL_B": "$\\beta$ <u>B</u>",
                                      "OUTPUT": str(folder), "OFFLINE": True})
    pages = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
    shown = {name: html.unescape(text) for name, text in pages.items()}  # as text
    out["report"] = {
        "pages": sorted(pages),
        "raw_markup": sorted({(name, m) for name, text in pages.items()
                              for m in ("<script>alert", "<img src=x", "<b>bold",
                                        "<i>A</i>", "<u>B</u>", "<b> Havenstad", "{{")
                              if m in text}),
        "label_shown": all("<i>A</i> {{7*7}}" in text for text in shown.values()),
        "area_name_shown": any("$\\foo$ <b> Havenstad" in text for text in shown.values()),
        "school_names": sum(text.count("alert(1)") for text in pages.values()),  # as data
    }
    QgsProject.instance().removeMapLayers([points.id(), polygons.id()])
    return out


def scenario_dutch(d: Driver) -> dict:
    """With QGIS in Dutch: names, help, labels and the report's default language."""
    from qgis.core import QgsApplication, QgsSettings

    settings = QgsSettings()
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "nl_NL")
    try:
        registry = QgsApplication.processingRegistry()
        out = {"locale": QgsApplication.locale(), "algorithms": {}}
        for name in ("indices", "local_measures", "profile", "report", "multigroup",
                     "change"):
            algorithm = registry.createAlgorithmById(f"segspatial:{name}")
            schools = algorithm.parameterDefinition("SCHOOLS")
            out["algorithms"][name] = {
                "name": algorithm.displayName(), "group": algorithm.group(),
                "help": algorithm.shortHelpString(), "schools": schools.description(),
                "tip": schools.help()}
        report = registry.createAlgorithmById("segspatial:report")
        out["report_lang_default"] = report.parameterDefinition("LANG").defaultValue()
    finally:
        settings.setValue("locale/overrideFlag", False)
        settings.remove("locale/userLocale")
    english = registry.createAlgorithmById("segspatial:indices")
    out["english"] = {"name": english.displayName(), "help": english.shortHelpString()}
    return out


def scenario_parameters(d: Driver) -> dict:
    """The parameters QGIS shows: types, defaults, choices from the registries."""
    from qgis.core import QgsApplication

    out = {}
    for name in ("indices", "local_measures", "profile", "report", "multigroup", "change"):
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(
            f"segspatial:{name}")
        out[name] = {
            p.name(): {"type": p.type(), "default": p.defaultValue(),
                       "optional": bool(p.flags() & p.FlagOptional),
                       "options": p.options() if p.type() == "enum" else None}
            for p in algorithm.parameterDefinitions()}
        out[name]["_outputs"] = [o.name() for o in algorithm.outputDefinitions()]
    return out


def scenario_missing(d: Driver) -> dict:
    """The plugin when segspatial cannot be imported: a clear message, no failure."""
    import io
    from contextlib import redirect_stderr

    import segspatial_qgis

    saved = sys.modules.get(segspatial_qgis.PROVIDER_MODULE)
    sys.modules[segspatial_qgis.PROVIDER_MODULE] = None  # makes the import fail
    try:
        plugin = segspatial_qgis.classFactory(None)
        stderr = io.StringIO()
        with redirect_stderr(stderr):
            plugin.initProcessing()
            plugin.initGui()
            plugin.unload()
    finally:
        sys.modules[segspatial_qgis.PROVIDER_MODULE] = saved
    return {"class": type(plugin).__name__, "message": plugin.message,
            "stderr": stderr.getvalue(),
            "dutch": segspatial_qgis.missing_message(ImportError("x"), "nl")}


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    d = Driver(config)
    report: dict[str, Any] = {}

    def record(name: str, function, *args) -> None:
        try:
            report[name] = function(*args)
        except Exception:  # recorded for pytest, which fails the test that needs it
            report[name] = {"error": traceback.format_exc()}

    record("plugin", d.install_plugin)
    if report["plugin"].get("provider"):
        files = demo_files(d)
        report["files"] = files
        record("parameters", scenario_parameters, d)
        record("demo_defaults", scenario_demo_defaults, d, files)
        record("demo_panel", scenario_demo_panel, d, files)
        record("local_screenshot", scenario_local_screenshot, d, files)
        record("cancel", scenario_cancel, d, files)
        record("inference", scenario_inference, d, files)
        record("defaults_and_messages", scenario_defaults_and_messages, d, files)
        record("multigroup", scenario_multigroup, d, files)
        record("change", scenario_change, d, files)
        record("hostile", scenario_hostile, d, files)
        record("dutch", scenario_dutch, d)
        record("missing", scenario_missing, d)
        if d.shared is not None:
            record("real", scenario_real, d)
    Path(config["out"]).write_text(json.dumps(report, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
