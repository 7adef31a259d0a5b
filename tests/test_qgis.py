"""The QGIS provider inside QGIS (Debian's QGIS 3.22, headless).

QGIS's bindings belong to Debian's Python, so everything QGIS does runs in
subprocesses with the QGIS venv (tests/qgis_env.py): tests/qgis_driver.py runs every
scenario in one QGIS process (``processing.run`` with the plugin installed from its
zip) and reports what it saw; ``qgis_process`` runs each algorithm as a user would.
The tests below assert on those reports. Without QGIS they skip; under CI=true they
fail (``.ci/run`` installs QGIS), like the browser tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
TOLERANCE = 1e-12
#: QGIS against the command line on the same input and seed: bit-identical (batches of
#: areas draw and sum exactly as one call does).
EXACT = 0.0


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    # QGIS's embedded Python finds its standard library from the first python3 on PATH:
    # Debian's, not a pyenv/conda one that may come first on a developer's or CI machine
    env["PATH"] = os.pathsep.join(["/usr/bin", env.get("PATH", "")])
    env.update(QT_QPA_PLATFORM="offscreen", MPLBACKEND="Agg", **extra)
    return env


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory) -> Path:
    from segspatial.cli import main

    path = tmp_path_factory.mktemp("plugin") / "segspatial_qgis.zip"
    assert main(["qgis-plugin", "--output", str(path)]) == 0
    return path


@pytest.fixture(scope="session")
def qgis_report(qgis_python, plugin_zip, tmp_path_factory) -> dict:
    """Run tests/qgis_driver.py once in QGIS; its JSON report."""
    from segspatial.datasets import find_data_dir

    work = tmp_path_factory.mktemp("qgis")
    shared = find_data_dir()  # the real data, when present (else those tests skip)
    config = {"work": str(work / "work"), "artifacts": str(ARTIFACTS),
              "plugin_zip": str(plugin_zip), "out": str(work / "report.json"),
              "shared_data": str(shared) if shared else None}
    (work / "config.json").write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run([str(qgis_python), str(REPO / "tests" / "qgis_driver.py"),
                           str(work / "config.json")], capture_output=True, text=True,
                          env=_env(), timeout=1800, check=False)
    if done.returncode or not Path(config["out"]).exists():
        pytest.fail(f"the QGIS driver failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(Path(config["out"]).read_text(encoding="utf-8"))


def _scenario(report: dict, name: str) -> dict:
    part = report.get(name)
    assert part is not None, f"scenario {name!r} did not run"
    assert "error" not in part, part.get("error")
    return part


def _assert_equal(compare: dict, *, tolerance: float = TOLERANCE) -> None:
    assert compare["unmatched"] == 0, compare
    for column, diff in compare["max_diff"].items():
        assert diff <= tolerance, (column, diff)
        assert compare["nan_mismatch"][column] == 0, column


# --------------------------------------------------------------------------- install


def test_plugin_zip_installs_the_provider(qgis_report, plugin_zip):
    import segspatial

    plugin = _scenario(qgis_report, "plugin")
    assert plugin["plugin_class"] == "SegspatialPlugin"
    assert plugin["algorithms"] == ["segspatial:change", "segspatial:indices",
                                    "segspatial:local_measures", "segspatial:multigroup",
                                    "segspatial:profile", "segspatial:report"]
    assert plugin["metadata_version"] == segspatial.__version__
    assert plugin["processing_provider"] == "yes" and plugin["qgis_minimum"] == "3.22"
    with zipfile.ZipFile(plugin_zip) as archive:
        assert sorted(archive.namelist()) == plugin["zip_names"]


def test_plugin_without_segspatial_says_what_is_missing(qgis_report):
    missing = _scenario(qgis_report, "missing")
    assert missing["class"] == "MissingSegspatial"
    message = missing["message"]
    assert "cannot be imported: ModuleNotFoundError" in message
    assert "-m pip install SEGSPATIAL" in message
    assert "python3 -m venv --system-site-packages" in message and "PYTHONPATH=" in message
    assert message in missing["stderr"]  # qgis_process users see it on standard error
    assert "kan niet worden geïmporteerd" in missing["dutch"]


def test_parameters_take_their_defaults_and_choices_from_the_api(qgis_report):
    import inspect

    from segspatial.geo import DEFAULT_DISTANCE_CRS, assign_areas
    from segspatial.indices import DEFAULT_INDICES, available_indices
    from segspatial.report import report_data
    from segspatial.spatial import (
        DEFAULT_BANDWIDTHS,
        KERNELS,
        PROFILE_BANDWIDTHS,
        spatial_segregation,
    )

    params = _scenario(qgis_report, "parameters")
    indices = params["indices"]
    signature = inspect.signature(spatial_segregation).parameters
    assert indices["MIN_UNIT_SIZE"]["default"] == signature["min_unit_size"].default
    assert indices["MIN_AREA_SIZE"]["default"] == signature["min_area_size"].default
    assert indices["PERMUTATIONS"]["default"] == signature["permutations"].default
    assert indices["CONTEXT"]["default"] == signature["context"].default
    assert indices["SNAP"]["default"] == inspect.signature(assign_areas).parameters[
        "snap"].default
    assert indices["DISTANCE_CRS"]["default"] == DEFAULT_DISTANCE_CRS
    two_group = [n for n, spec in available_indices().items() if not spec.multigroup]
    assert indices["INDICES"]["options"] == two_group
    assert params["multigroup"]["INDICES"]["options"] == [
        n for n, spec in available_indices().items() if spec.multigroup]
    assert params["change"]["BOOTSTRAP"]["default"] == 1000  # as `segspatial change`
    assert params["change"]["YEAR"]["optional"] is False
    assert indices["INDICES"]["default"] == list(DEFAULT_INDICES)
    assert indices["KERNEL"]["options"] == list(KERNELS)
    assert indices["BANDWIDTHS"]["default"] == ", ".join(f"{b:g}" for b in DEFAULT_BANDWIDTHS)
    assert params["profile"]["BANDWIDTHS"]["default"] == ", ".join(
        f"{b:g}" for b in PROFILE_BANDWIDTHS)
    assert params["report"]["PERMUTATIONS"]["default"] == inspect.signature(
        report_data).parameters["permutations"].default
    assert params["report"]["AREAS"]["optional"] is False
    assert params["indices"]["AREAS"]["optional"] is True
    assert params["report"]["_outputs"] == ["OUTPUT", "INDEX"]
    assert params["indices"]["_outputs"] == ["OUTPUT", "EXCLUSIONS", "RESULTS"]


# --------------------------------------------------------------------------- real case


@pytest.fixture(scope="session")
def real(qgis_report, shared_data) -> dict:
    return _scenario(qgis_report, "real")


def test_indices_equal_the_python_api_for_all_355_municipalities(real):
    api = real["api"]
    assert api["features"] == 355 == api["polygons"]
    assert api["crs"] == "EPSG:28992"
    compare = api["compare"]
    assert compare["rows"] == 355
    _assert_equal(compare, tolerance=EXACT)  # Moran's p-values too (same seed streams)
    assert compare["n_values"]["morans_i_p_gaussian_1000"] > 300
    columns = set(api["columns"])
    assert {"dissimilarity", "theil_h", "correlation", "dissimilarity_standardised"} <= columns
    for h in (500, 1000, 2000, 4000):
        assert {f"spatial_dissimilarity_gaussian_{h}", f"spatial_theil_h_gaussian_{h}"} <= \
            columns
    assert compare["n_values"]["dissimilarity"] >= 350  # all but the one-school areas
    low, high = api["morans_p"]
    assert 0 < low <= high <= 1


def test_areas_by_location_in_lonlat_equal_the_cli(real):
    cli = real["cli"]
    assert cli["status"] == 0
    assert cli["features"] == 355
    assert cli["crs"] == "EPSG:4326"  # the output keeps the areas layer's CRS
    assert cli["compare"]["n_values"]["value"] > 6000
    _assert_equal(cli["compare"], tolerance=EXACT)
    # Moran's permutation p-values equal the CLI's: streams keyed by area-year
    assert cli["moran_p_rows"] >= 4 * 350 and cli["moran_p_distinct"] > 50
    reasons = {row["reason"] for row in cli["exclusions"]}
    assert "small_unit" in reasons


def test_nearest_schools_equal_the_python_api(real):
    knn = real["knn"]
    assert {"spatial_dissimilarity_knn_6", "morans_i_p_knn_6"} <= set(knn["columns"])
    _assert_equal(knn["compare"], tolerance=EXACT)
    assert knn["compare"]["n_values"]["morans_i_p_knn_6"] > 300


def test_selected_features_only(real):
    selected = real["selected"]
    assert selected["features"] == 3
    assert selected["codes"] == ["GM0034", "GM0363", "GM0599"]
    assert selected["selected_schools"] > 400
    _assert_equal(selected["compare"])


def test_errors_carry_segspatials_message(real):
    from segspatial.geo import require_projected
    from segspatial.qgis._texts import text

    errors = real["errors"]
    with pytest.raises(ValueError) as expected:
        require_projected("EPSG:4326", "DISTANCE_CRS")
    assert errors["geographic"] == str(expected.value)
    assert errors["geographic_local"] == str(expected.value)
    assert errors["missing_counts"].startswith(  # in parameter names; feature ids
        "GROUP_A: column 'a' has 3 missing (NaN) counts (row 1, unit ")
    assert errors["area_code"] == text("msg.area_code_needed")  # areas without statcode


def test_output_is_styled_on_the_reports_scale(real):
    import matplotlib as mpl

    from segspatial._mapdata import NO_DATA_COLOR
    from segspatial.plot import REPORT_CMAP, REPORT_VMAX
    from segspatial.qgis._wiring import report_classes

    style = real["style"]
    assert style["renderer"] == "QgsRuleBasedRenderer"
    classes = report_classes()
    rules = style["rules"]
    assert [r[1] for r in rules] == [c[2] for c in classes] + [NO_DATA_COLOR]
    assert rules[0][0] == '"dissimilarity" < 0.1' and rules[-1][0] == "ELSE"
    assert rules[-2][0] == f'"dissimilarity" >= {REPORT_VMAX!r}'
    cmap = mpl.colormaps[REPORT_CMAP]
    green, red = (np.array(mpl.colors.to_rgb(rules[i][1])) for i in (0, -2))
    assert np.allclose(red, cmap(1.0)[:3], atol=1 / 255)  # 0.8 and above: dark red
    assert green[1] > 0.45 > green[0]  # below 0.1: dark green
    assert style["pixels_checked"] >= 30 and style["pixels_wrong"] == []
    shot = real["screenshot"]
    assert shot["status"] == 0 and shot["bytes"] > 20_000
    assert Path(shot["path"]) == ARTIFACTS / "qgis_indices_real_2019.png"


# --------------------------------------------------------------------------- demo


def test_every_algorithm_runs_with_default_parameters(qgis_report):
    from segspatial.demo import demo_counts
    from segspatial.spatial import PROFILE_BANDWIDTHS, local_measures

    demo = _scenario(qgis_report, "demo_defaults")
    assert demo["indices"]["features"] == 5 and demo["indices"]["crs"] == "EPSG:28992"
    assert {"dissimilarity", "spatial_dissimilarity_gaussian_1000", "morrill_d_delaunay"} <= \
        set(demo["indices"]["fields"])
    assert {row["reason"] for row in demo["indices"]["exclusions"]} == {"small_unit",
                                                                       "small_area"}
    counts = demo_counts()
    latest = counts[counts["year"] == counts["year"].max()]
    expected = local_measures(latest, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                              area="municipality")
    assert demo["local_measures"]["features"] == len(latest)
    assert demo["local_measures"]["with_p"] == len(expected)
    assert demo["profile"]["bandwidths"] == list(PROFILE_BANDWIDTHS)
    assert demo["profile"]["chart"] and demo["profile"]["chart_images"] == 2
    assert demo["report"]["pages"] == ["GM9001.html", "GM9002.html", "GM9003.html",
                                       "index.html"]
    multigroup = demo["multigroup"]  # two groups: H equals the two-group Theil's H
    assert multigroup["features"] == 5 and "mutual_information" in multigroup["fields"]
    defined = {k: v for k, v in multigroup["two_group_h"].items()
               if v is not None and v == v}  # not NaN
    assert len(defined) == 3
    for code, h in defined.items():
        assert multigroup["h"][code] == pytest.approx(h, abs=1e-12), code
    from segspatial.schema import CHANGE_COLUMNS

    assert demo["change"]["rows"] > 0
    assert [c for c in CHANGE_COLUMNS if c in demo["change"]["columns"]] == list(
        CHANGE_COLUMNS)


def test_a_panel_gives_one_feature_per_area_and_year(qgis_report):
    panel = _scenario(qgis_report, "demo_panel")
    assert panel["features"] == 5 * 10
    assert panel["years"] == list(range(2009, 2019))
    _assert_equal(panel["compare"])
    assert panel["style_filter"] == '"year" = 2018'  # the map shows the latest year
    assert panel["spatial_fields"] == []  # empty bandwidths: aspatial only
    assert panel["source"].endswith("panel.gpkg")  # every feature written to a GeoPackage
    assert panel["fields"][:3] == ["fid", "fid_source", "statcode"]  # the areas' fids kept


def test_local_measures_are_styled_around_the_areas_share(qgis_report):
    from segspatial._mapdata import SUPPRESSED_COLOR
    from segspatial.qgis._wiring import local_classes

    local = _scenario(qgis_report, "local_screenshot")
    assert local["renderer"] == "QgsRuleBasedRenderer"
    assert [r[1] for r in local["rules"]] == [c[2] for c in local_classes()] + [
        SUPPRESSED_COLOR]
    assert local["size_expression"].startswith('scale_exp(coalesce("total", 0), 0, ')
    assert local["left_out"] > 0 and local["features"] == 296
    assert local["screenshot"]["status"] == 0 and local["screenshot"]["bytes"] > 10_000


def test_inference_fields_equal_the_python_api(qgis_report):
    inference = _scenario(qgis_report, "inference")
    assert {"dissimilarity_se", "dissimilarity_ci_low", "dissimilarity_ci_high",
            "dissimilarity_p_value", "theil_h_ci_low"} <= set(inference["fields"])
    _assert_equal(inference["compare"])  # five batches, the draws of one call
    assert inference["compare"]["n_values"]["dissimilarity_ci_low"] == 5


def test_defaults_seed_area_code_multipart_and_parameter_names(qgis_report):
    """Without SEED the draws are the CLI's default (seed 0): reruns are identical and
    equal the Python API with rng=0 (a missing SEED drew fresh entropy each run); with
    an area field and areas, statcode is the code field by default (as the help says;
    it was an error); areas with a multipart polygon are written as a MultiPolygon layer
    (a Polygon layer holding MultiPolygons is not a valid GeoPackage); errors name the
    QGIS parameters, not the Python arguments, and never carry a traceback."""
    part = _scenario(qgis_report, "defaults_and_messages")
    assert part["same_twice"]
    _assert_equal(part["compare"])
    assert part["compare"]["n_values"]["ci"] == 5
    assert part["features"] == 5 and part["layer_types"] == ["MultiPolygon"]
    errors = part["errors"]
    assert errors["CI_LEVEL"].startswith("CI_LEVEL must be between 0 and 1"), errors
    # beyond 32 bits QGIS read BOOTSTRAP as 0: no intervals, no message
    assert "Incorrect parameter value for BOOTSTRAP" in errors["too_large"], errors
    if "BOOTSTRAP" in errors:  # machines with less than 60 GB
        assert errors["BOOTSTRAP"].startswith("BOOTSTRAP 2,147,483,647 needs "), errors
        assert "Traceback" not in errors["BOOTSTRAP"]
    assert errors["GROUP_A"].startswith("GROUP_A and GROUP_B must be different"), errors


def test_multigroup_equals_the_command_line(qgis_report):
    """Three groups and a denomination over ten years, with intervals and tests: the
    results, local scores and decomposition equal `segspatial indices --groups a b1 b2
    --within denomination` bit for bit."""
    part = _scenario(qgis_report, "multigroup")
    assert part["status"] == 0
    assert part["features"] == 5 * 10 and part["groups"] == ["a|b1|b2"]
    assert {"multigroup_theil_h", "mutual_information_between",
            "multigroup_theil_h_within"} <= set(part["indices"])
    assert {"multigroup_theil_h", "multigroup_theil_h_se", "multigroup_theil_h_ci_low",
            "multigroup_theil_h_p_value", "multigroup_theil_h_between_denomination"} <= \
        set(part["fields"])
    for name in ("results", "local", "within"):
        _assert_equal(part[name], tolerance=EXACT)
    results = part["results"]["n_values"]
    assert results["value"] >= 5 * 10 * 9 and results["se"] >= 5 * 10 * 4
    assert results["p_value"] >= 5 * 10 * 4
    assert part["local"]["n_values"]["ls"] > 2000 and part["within"]["n_values"]["theil_h"] \
        >= 5 * 10 * 4
    assert part["exclusions"] == part["exclusions_cli"]
    errors = part["errors"]
    assert errors["one_group"].startswith("GROUPS must name at least two"), errors
    assert errors["within_output"].startswith("WITHIN_OUTPUT needs WITHIN"), errors
    assert errors["log_base"].startswith("LOG_BASE must be a finite number > 1"), errors


def test_change_equals_the_command_line(qgis_report):
    part = _scenario(qgis_report, "change")
    assert part["status"] == 0
    assert part["rows"] == part["rows_cli"] == 5 * 5 * 2  # areas x indices x statistics
    assert part["statistics"] == ["difference", "trend"]
    _assert_equal(part["compare"], tolerance=EXACT)
    assert part["compare"]["n_values"]["ci_low"] >= 40
    assert part["same_direction"] and part["directions"]
    _assert_equal(part["results"], tolerance=EXACT)
    assert part["defaults_rows"] > 0
    errors = part["errors"]
    assert errors["from_year"].startswith("FROM_YEAR 1990 is not a year of the results")
    assert errors["order"].startswith("FROM_YEAR must be before TO_YEAR"), errors
    assert errors["left_out"].startswith("Nothing to compare: every area was left out ("), \
        errors


def test_cancel_stops_between_batches(qgis_report):
    cancel = _scenario(qgis_report, "cancel")
    assert cancel["results"] == []  # no output written
    assert cancel["batches_after_cancel"] == 1


def test_hostile_layer_and_field_names(qgis_report):
    hostile = _scenario(qgis_report, "hostile")
    indices = hostile["indices"]
    _assert_equal(indices["compare"], tolerance=0.0)  # the same numbers as plain names
    assert indices["compare"]["n_values"]["dissimilarity"] == 5
    assert indices["fields"][:2] == ["{{7*7}}", "$\\foo$ <b>"]  # kept, not evaluated
    assert indices["group_a"] == ["$\\foo$"]
    assert indices["group_b"] == ["<img src=x onerror=alert(1)>"]
    multigroup = hostile["multigroup"]  # hostile group and grouping names are data
    _assert_equal(multigroup["compare"], tolerance=0.0)
    assert multigroup["compare"]["n_values"]["multigroup_theil_h"] == 5
    assert multigroup["groups"] == ["$\\foo$|<img src=x onerror=alert(1)>"]
    assert multigroup["clusters"] == ["gm {{7*7}}"]
    assert "multigroup_theil_h_between_gm {{7*7}}" in multigroup["fields"]
    assert hostile["local_measures"]["fields"][:5] == [
        "{{7*7}}", "$\\foo$", "<img src=x onerror=alert(1)>", 'total") OR 1=1 --',
        "naam {{7*7}}"]
    assert hostile["local_measures"]["with_p"] > 250
    assert hostile["profile"]["images"] == 2 and hostile["profile"]["raw_markup"] == []
    report = hostile["report"]
    assert report["pages"] == ["GM9001.html", "GM9002.html", "GM9003.html", "GM9004.html",
                               "GM9005.html", "index.html"]
    assert report["raw_markup"] == []  # no tag, no template braces in the page source
    # ... yet every name reads as written: {{7*7}} as text, never rendered to 49
    assert report["label_shown"] and report["area_name_shown"]
    assert report["school_names"] > 0  # the school names reach the pages' map data


def test_dutch_names_and_help(qgis_report):
    from segspatial.qgis._texts import text

    dutch = _scenario(qgis_report, "dutch")
    assert dutch["locale"] == "nl_NL"
    for name, shown in dutch["algorithms"].items():
        assert shown["name"] == text(f"alg.{name}", "nl")
        assert shown["group"] == "Schoolsegregatie"
        assert shown["schools"] == text("param.SCHOOLS", "nl")
        assert shown["tip"] == text("tip.SCHOOLS", "nl")
    assert dutch["algorithms"]["indices"]["help"].startswith("<p>Berekent de segregatie")
    assert dutch["report_lang_default"] == "nl"
    assert dutch["english"]["name"] == "Segregation indices per area"


# --------------------------------------------------------------------------- qgis_process


@pytest.fixture(scope="session")
def qgis_process_runs(qgis_python, qgis_process, qgis_report, plugin_zip,
                      tmp_path_factory) -> dict:
    """Every algorithm through ``qgis_process`` with the plugin installed in a fresh
    profile, segspatial from the QGIS venv (PYTHONPATH) and default parameters."""
    import qgis_env

    root = tmp_path_factory.mktemp("qgis_process")
    with zipfile.ZipFile(plugin_zip) as archive:
        archive.extractall(root / "plugins")
    venv = Path(qgis_python).parents[1]
    env = _env(QGIS_PLUGINPATH=str(root / "plugins"),
               QGIS_CUSTOM_CONFIG_PATH=str(root / "profile"),
               PYTHONPATH=f"{REPO}{os.pathsep}{qgis_env.site_packages(venv)}")
    files = qgis_report["files"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([qgis_process, *args], capture_output=True, text=True, env=env,
                              timeout=600, check=False)

    out = {"enable": run("plugins", "enable", "segspatial_qgis"),
           "help": run("help", "segspatial:indices"), "runs": {}, "files": files,
           "root": root}
    base = [f"SCHOOLS={files['schools']}", "GROUP_A=a", "GROUP_B=b",
            f"AREAS={files['areas']}"]
    outputs = {
        "indices": [f"OUTPUT={root / 'indices.gpkg'}", f"EXCLUSIONS={root / 'left.csv'}"],
        "local_measures": [f"OUTPUT={root / 'local.gpkg'}",
                           f"EXCLUSIONS={root / 'left_local.csv'}"],
        "profile": [f"OUTPUT={root / 'profile.csv'}", f"EXCLUSIONS={root / 'left_p.csv'}",
                    f"CHART={root / 'profile.html'}"],
        "report": [f"OUTPUT={root / 'report'}", "OPEN=false"],
    }
    for name, extra in outputs.items():
        out["runs"][name] = run("--json", "run", f"segspatial:{name}", "--", *base, *extra)
    areas = f"AREAS={files['areas']}"
    out["runs"]["multigroup"] = run(
        "--json", "run", "segspatial:multigroup", "--", f"SCHOOLS={files['schools']}",
        "GROUPS=a", "GROUPS=b", areas, f"OUTPUT={root / 'multigroup.gpkg'}",
        f"EXCLUSIONS={root / 'left_mg.csv'}")
    out["runs"]["change"] = run(
        "--json", "run", "segspatial:change", "--", f"SCHOOLS={files['panel']}",
        "GROUP_A=a", "GROUP_B=b", "YEAR=year", areas, "BOOTSTRAP=50",
        f"OUTPUT={root / 'change.csv'}", f"EXCLUSIONS={root / 'left_change.csv'}")
    return out


def _json(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_qgis_process_lists_and_describes_the_algorithms(qgis_process_runs):
    assert qgis_process_runs["enable"].returncode == 0, qgis_process_runs["enable"].stderr
    described = qgis_process_runs["help"]
    assert described.returncode == 0, described.stderr[-2000:]
    assert "Segregation indices per area" in described.stdout
    for name in ("SCHOOLS", "GROUP_A", "AREAS", "BANDWIDTHS", "STYLE_INDEX", "EXCLUSIONS"):
        assert name in described.stdout


def test_qgis_process_runs_every_algorithm(qgis_process_runs):
    import geopandas as gpd
    import pandas as pd

    from segspatial.geo import join_areas
    from segspatial.spatial import spatial_segregation

    root, files = qgis_process_runs["root"], qgis_process_runs["files"]
    results = {name: _json(done) for name, done in qgis_process_runs["runs"].items()}
    assert results["indices"]["results"]["OUTPUT"] == str(root / "indices.gpkg")
    assert "Wrote 5 features." in results["indices"]["log"]["info"]
    # inside the QGIS program the values are the Python API's (see segspatial.qgis._native)
    layer = gpd.read_file(root / "indices.gpkg")
    schools = gpd.read_file(files["schools"])
    areas = gpd.read_file(files["areas"])
    frame = pd.DataFrame(schools.drop(columns="geometry"))
    frame["fid"] = np.arange(1, len(frame) + 1)
    codes = gpd.sjoin(schools, areas[["statcode", "geometry"]], how="left")["statcode"]
    api = spatial_segregation(frame.assign(area=codes.to_numpy()), "fid", "a", "b", x="x",
                              y="y", crs="EPSG:28992", area="area", rng=0,
                              spatial_indices=["spatial_dissimilarity", "spatial_theil_h",
                                               "morans_i", "morrill_d"])  # frame-free
    ref = join_areas(api.table, areas, "statcode").set_index("statcode")
    got = layer.set_index("statcode").loc[ref.index]
    for column in ref.attrs["index_columns"]:
        np.testing.assert_allclose(got[column].to_numpy(float), ref[column].to_numpy(float),
                                   rtol=0, atol=TOLERANCE, err_msg=column)
    local = gpd.read_file(root / "local.gpkg")
    assert len(local) == len(schools) and local["p"].notna().sum() > 200
    profile = pd.read_csv(root / "profile.csv")
    assert set(profile["index"]) == {"spatial_dissimilarity", "spatial_theil_h"}
    assert (root / "profile.html").read_text().count("data:image/png;base64,") == 2
    assert results["report"]["results"]["INDEX"] == str(root / "report" / "index.html")
    assert sorted(p.name for p in (root / "report").glob("*.html")) == [
        "GM9001.html", "GM9002.html", "GM9003.html", "index.html"]
    multigroup = gpd.read_file(root / "multigroup.gpkg")
    assert len(multigroup) == 5 and multigroup["groups"].dropna().unique().tolist() == [
        "a|b"]
    np.testing.assert_allclose(  # two groups: H is the two-group Theil's H
        multigroup.set_index("statcode").loc[ref.index, "multigroup_theil_h"].to_numpy(float),
        ref["theil_h"].to_numpy(float), rtol=0, atol=1e-12)
    change = pd.read_csv(root / "change.csv")
    assert set(change["statistic"]) == {"difference", "trend"} and len(change) > 0
