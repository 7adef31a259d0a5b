"""The QGIS provider's wiring without QGIS: the parameter table against the API, texts,
batches, colours, the plugin zip and the plugin's message when it cannot load."""

from __future__ import annotations

import inspect
import zipfile

import numpy as np
import pandas as pd
import pytest

from segspatial.demo import demo_counts
from segspatial.qgis import PLUGIN_FOLDER, build_plugin
from segspatial.qgis import _wiring as w
from segspatial.qgis._texts import LANGUAGES, help_html, language, text
from segspatial.text import catalogue

ALGORITHMS = list(w.ALGORITHMS.values())


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return demo_counts()


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize("spec", ALGORITHMS, ids=lambda s: s.name)
def test_every_api_keyword_exists_in_the_functions_it_feeds(spec):
    accepted = set()
    for path in spec.functions:
        accepted |= set(inspect.signature(w.api_function(path)).parameters)
    for param in spec.params:
        if param.api:
            assert param.api in accepted, (spec.name, param.name, param.api)
        if param.parent:
            assert spec.param(param.parent).kind in ("points", "polygons"), param.name


@pytest.mark.parametrize("spec", ALGORITHMS, ids=lambda s: s.name)
def test_defaults_resolve_and_follow_the_api(spec):
    for param in spec.params:
        value = w.default_value(spec, param)
        if param.default is w.FROM_API and param.kind not in ("choice",):
            signature = {}
            for path in spec.functions:
                signature = {**inspect.signature(w.api_function(path)).parameters,
                             **signature}
            assert value == signature[param.api].default, param.name
        if param.kind in ("choice", "choices") and value not in (None, w.UI_LANGUAGE):
            chosen = value if isinstance(value, list) else [value]
            assert set(chosen) <= set(w.options(param)), param.name
        if not param.optional and not param.is_output and param.kind not in (
                "points", "polygons", "field", "fields", "bool"):
            assert value is not None, f"{spec.name}.{param.name} needs a default"


def test_parameter_names_are_unique_and_outputs_exist():
    for spec in ALGORITHMS:
        names = [p.name for p in spec.params]
        assert len(names) == len(set(names)), spec.name
        assert "OUTPUT" in names
        with pytest.raises(KeyError, match="has no parameter 'NOPE'"):
            spec.param("NOPE")


def test_a_newly_registered_index_appears_in_the_choices():
    from segspatial import indices
    from segspatial.indices import IndexSpec, register_index

    spec = w.ALGORITHMS["indices"]
    before = w.options(spec.param("INDICES"))
    register_index(IndexSpec("test_gini", lambda c: np.zeros(c.n_groups), "a test index"))
    try:
        assert w.options(spec.param("INDICES")) == [*before, "test_gini"]
        assert "test_gini" in w.options(spec.param("STYLE_INDEX"))
        assert w.default_value(spec, spec.param("INDICES")) == list(indices.DEFAULT_INDICES)
    finally:
        indices._registry.pop("test_gini")


def test_api_arguments_pass_only_what_a_function_takes():
    from segspatial.compute import segregation
    from segspatial.spatial import spatial_segregation

    spec = w.ALGORITHMS["indices"]
    values = {"MIN_UNIT_SIZE": 10.0, "MIN_AREA_SIZE": 0.0, "BANDWIDTHS": [500.0],
              "KERNEL": "boxcar", "SEED": 3, "INDICES": None, "SNAP": 100.0}
    assert w.api_arguments(spec, values, segregation) == {
        "min_unit_size": 10.0, "min_area_size": 0.0, "indices": None}
    assert w.api_arguments(spec, values, spatial_segregation) == {
        "min_unit_size": 10.0, "min_area_size": 0.0, "indices": None,
        "bandwidth": [500.0], "kernel": "boxcar", "rng": 3}


def test_k_replaces_the_bandwidths():
    kwargs = {"bandwidth": [500.0], "kernel": "gaussian", "k": 8, "context": "area"}
    assert w.k_replaces_bandwidth(kwargs) == {"bandwidth": None, "kernel": None, "k": 8,
                                              "context": "area"}
    assert kwargs["bandwidth"] == [500.0]  # not modified
    assert w.k_replaces_bandwidth({"bandwidth": [1.0], "k": None}) == {"bandwidth": [1.0],
                                                                      "k": None}


def test_values_from_qgis_become_api_values():
    spec = w.ALGORITHMS["indices"]
    bandwidths = spec.param("BANDWIDTHS")
    assert w.convert(bandwidths, "500, 1000;2000  4000") == [500.0, 1000.0, 2000.0, 4000.0]
    assert w.convert(bandwidths, " ") is None
    with pytest.raises(ValueError, match=r"BANDWIDTHS: '1km' is not a number"):
        w.convert(bandwidths, "500, 1km")
    assert w.convert(spec.param("SPATIAL_INDICES"), [""]) is None  # QGIS: empty choice
    assert w.convert(spec.param("INDICES"), ["theil_h"]) == ["theil_h"]
    assert w.convert(spec.param("SEED"), None) is None
    assert w.convert(spec.param("SEED"), 7.0) == 7
    only = w.ALGORITHMS["report"].param("ONLY")
    assert w.convert(only, "GM0363, GM0034") == ["GM0363", "GM0034"]
    assert w.convert(only, "") is None
    assert w.convert(w.ALGORITHMS["report"].param("LABEL_A"), "") is None


# --------------------------------------------------------------------------- texts


def _qgis_keys(lang: str) -> set[str]:
    return {k.removeprefix("qgis.") for k in catalogue(lang) if k.startswith("qgis.")}


def test_every_text_exists_in_every_language():
    """The provider's texts are the catalogue's [qgis] table (every key in every
    language: tests/test_text.py); none of its own."""
    from segspatial.qgis import _texts

    assert not hasattr(_texts, "TEXTS")
    keys = _qgis_keys("en")
    for lang in LANGUAGES:
        assert _qgis_keys(lang) == keys, _qgis_keys(lang) ^ keys
    for spec in ALGORITHMS:
        for lang in LANGUAGES:
            assert text(f"alg.{spec.name}", lang) and text(f"help.{spec.name}", lang,
                                                           max_chart_areas=1)
        for param in spec.params:
            assert f"param.{param.name}" in keys or f"param.{param.name}.{spec.name}" in keys
            if not param.is_output:
                assert f"tip.{param.name}" in keys, param.name
    assert language("nl_NL") == "nl" and language("nl-BE") == "nl"
    assert language("de_DE") == "en" and language(None) == "en"
    with pytest.raises(KeyError):
        text("no.such.key")


def test_help_texts_are_static_html():
    for lang in LANGUAGES:
        for spec in ALGORITHMS:
            help_text = text(f"help.{spec.name}", lang, max_chart_areas=w.MAX_CHART_AREAS)
            assert help_text.startswith("<p>") and "{" not in help_text
            assert "$" not in help_text and "**" not in help_text and "`" not in help_text
    assert text("help.indices", "en", max_chart_areas=1).count("<code>") == 2
    assert "standardised D*, Theil's H" in text("help.indices", "en", max_chart_areas=1)


def test_help_html_escapes_everything_but_its_own_markup():
    assert help_html("a <b>x</b> & *i* **b** `c <d>`\n\nD* and E[D*]") == (
        "<p>a &lt;b&gt;x&lt;/b&gt; &amp; <i>i</i> <b>b</b> <code>c &lt;d&gt;</code></p>"
        "<p>D* and E[D*]</p>")


# --------------------------------------------------------------------------- batches


def _spatial(data, **kwargs):
    from segspatial.spatial import spatial_segregation

    return spatial_segregation(data, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                               area="municipality", year="year", total="total",
                               min_area_size=0, **kwargs)


def test_batches_give_the_python_apis_values(panel):
    whole = _spatial(panel, rng=1)
    calls = []
    batched = w.run_batched(_spatial, panel, partition="municipality", n_batches=3,
                            progress=lambda f: calls.append(f) or True, rng=1)
    assert calls == pytest.approx([1 / 3, 2 / 3, 1.0])
    a, b = whole.table, batched.table
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    assert a["index"].eq("morans_i_p").sum() > 10
    # Moran's permutations too: streams keyed by area-year, one seed for every batch
    pd.testing.assert_frame_equal(a, b, rtol=0, atol=0)
    keys = ["reason", "area", "year"]  # the same rows, grouped per batch
    pd.testing.assert_frame_equal(
        whole.exclusions.sort_values(keys).reset_index(drop=True),
        batched.exclusions.sort_values(keys).reset_index(drop=True))
    again = w.run_batched(_spatial, panel, partition="municipality", n_batches=3, rng=1)
    pd.testing.assert_frame_equal(batched.table, again.table)  # a seed reproduces
    assert batched.counts.shape == whole.counts.shape


def test_multigroup_batches_give_the_python_apis_table(panel):
    """Batches of areas give the table of one call bit for bit and in the same row
    order: the decomposition's clusters are summed in the order of their values, and
    each area-year's rows stay together."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from qgis_driver import three_groups

    from segspatial.inference import infer
    from segspatial.multigroup_table import multigroup_segregation

    data = three_groups(panel)
    options = dict(area="municipality", year="year", total="total",
                   within="denomination", min_area_size=0)

    def run(part, *args, **kwargs):
        return infer(multigroup_segregation(part, *args, **kwargs), n_boot=30,
                     null_draws=20, rng=9).result

    whole = run(data, "school", ["a", "b1", "b2"], **options)
    batched = w.run_batched(run, data, "school", ["a", "b1", "b2"],
                            partition="municipality", n_batches=4, **options)
    assert whole.table["index"].eq("multigroup_theil_h_within").sum() == 50
    pd.testing.assert_frame_equal(whole.table, batched.table, rtol=0, atol=0)
    shuffled = run(data.sample(frac=1.0, random_state=2), "school", ["a", "b1", "b2"],
                   **options)
    pd.testing.assert_frame_equal(whole.table, shuffled.table, rtol=0, atol=0)


def test_batches_by_year_when_neighbours_cross_area_borders(panel):
    from segspatial.spatial import local_measures, multiscale_profile

    common = dict(x="x", y="y", crs="EPSG:28992", area="municipality", year="year",
                  context="all", min_area_size=0)
    part = w.partition_column("municipality", "year", "all")
    assert part == "year" and w.partition_column("m", "y", "area") == "m"
    # k nearest schools: one call (the KD-tree's order of equidistant schools)
    assert w.partition_column("m", "y", "area", k=6) is None
    for function in (local_measures, multiscale_profile):
        whole = function(panel, "school", "a", "b", **common)
        batched = w.run_batched(function, panel, "school", "a", "b", partition=part,
                                n_batches=4, **common)
        keys = [c for c in ("area", "year", "unit", "index", "bandwidth") if c in whole]
        pd.testing.assert_frame_equal(
            whole.sort_values(keys).reset_index(drop=True),
            batched.sort_values(keys).reset_index(drop=True), rtol=0, atol=1e-13)


def test_inference_in_batches_draws_as_one_call(panel):
    from segspatial.compute import segregation
    from segspatial.inference import infer

    def aspatial(data, *args, **kwargs):
        return segregation(data, "school", "a", "b", area="municipality", year="year",
                           total="total", min_area_size=0)

    whole = infer(aspatial(panel), n_boot=50, null_draws=40, rng=5).result.table
    batched = w.run_batched(w.then_infer(aspatial, n_boot=50, null_draws=40, rng=5), panel,
                            partition="municipality", n_batches=3).table
    columns = ["value", "se", "ci_low", "ci_high", "p_value"]
    pd.testing.assert_frame_equal(whole[columns], batched[columns], rtol=0, atol=0)
    assert whole["ci_low"].notna().sum() > 100


def test_cancelling_stops_after_the_current_batch(panel):
    seen = []

    def function(part, **kwargs):
        seen.append(sorted(part["municipality"].unique()))
        return part

    with pytest.raises(w.Cancelled):
        w.run_batched(function, panel, partition="municipality", progress=lambda f: False)
    assert len(seen) == 1
    everything = w.run_batched(function, panel, partition=None)
    assert len(everything) == len(panel)


# --------------------------------------------------------------------------- colours


def test_report_classes_follow_the_fixed_scale():
    import matplotlib as mpl

    from segspatial.plot import REPORT_CMAP

    classes = w.report_classes()
    assert len(classes) == 9
    assert classes[0][:2] == (None, 0.1) and classes[-1][:2] == (0.8, None)
    assert [c[3] for c in classes][:2] == ["< 0.1", "0.1 – 0.2"] and classes[-1][3] == "≥ 0.8"
    cmap = mpl.colormaps[REPORT_CMAP]
    assert classes[-1][2] == mpl.colors.to_hex(cmap(1.0))
    assert classes[3][2] == mpl.colors.to_hex(cmap(0.35 / 0.8))
    assert w.report_classes("nl")[1][3] == "0,1 – 0,2"


def test_local_classes_diverge_around_the_areas_share():
    classes = w.local_classes()
    assert [c[:2] for c in classes] == [(0.0, 0.2), (0.2, 0.4), (0.4, 0.5), (0.5, 0.6),
                                        (0.6, 0.8), (0.8, 1.0)]
    reds = [int(c[2][1:3], 16) for c in classes]
    blues = [int(c[2][5:7], 16) for c in classes]
    assert reds[-1] > reds[0] and blues[0] > blues[-1]  # blue: less A, red: more A
    assert all(key.startswith("legend.") for *_, key in classes)


# --------------------------------------------------------------------------- the plugin


def test_build_plugin_zip(tmp_path, capsys):
    import segspatial
    from segspatial.cli import main

    path = build_plugin(tmp_path / "plugin.zip")
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        metadata = archive.read(f"{PLUGIN_FOLDER}/metadata.txt").decode()
        shim = archive.read(f"{PLUGIN_FOLDER}/__init__.py").decode()
    assert names == [f"{PLUGIN_FOLDER}/{n}" for n in ("__init__.py", "icon.svg",
                                                      "metadata.txt")]
    assert f"\nversion={segspatial.__version__}\n" in metadata
    assert "hasProcessingProvider=yes" in metadata and "qgisMinimumVersion=3.22" in metadata
    assert "def classFactory(iface" in shim
    assert main(["qgis-plugin", "-o", str(tmp_path / "again.zip")]) == 0
    assert (tmp_path / "again.zip").read_bytes() == path.read_bytes()  # reproducible
    assert "Install from ZIP" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"ending in \.zip"):
        build_plugin(tmp_path / "plugin.tar")
    assert main(["qgis-plugin", "-o", str(tmp_path / "x.txt")]) == 2


def test_the_plugin_says_what_is_missing_without_qgis_or_segspatial():
    from segspatial.qgis import plugin

    stand_in = plugin.classFactory(None)  # this Python has no QGIS bindings
    assert isinstance(stand_in, plugin.MissingSegspatial)
    assert "No module named 'qgis'" in stand_in.message
    assert "-m pip install SEGSPATIAL" in stand_in.message
    dutch = plugin.missing_message(ImportError("numpy too old"), "nl")
    assert "ImportError: numpy too old" in dutch and "Installeer" in dutch


def test_native_libraries_are_left_alone_outside_the_qgis_programs():
    from segspatial.qgis._native import inside_qgis_program, load_native

    assert not inside_qgis_program()
    assert load_native() == []


def test_messages_name_the_parameters():
    """Library messages reach QGIS in its parameter names, as the CLI's in flags."""
    from segspatial._messages import in_names

    names = w.parameter_names(w.ALGORITHMS["indices"])
    assert in_names("n_boot=1,000 needs 1 TB; level must be between 0 and 1", names) == \
        "BOOTSTRAP 1,000 needs 1 TB; CI_LEVEL must be between 0 and 1"
    assert in_names("group_a and group_b must be different columns, both are 'group_a'",
                    names) == ("GROUP_A and GROUP_B must be different columns, both are "
                               "'group_a'")  # a quoted value is data
    assert in_names("the nearest one within snap=5000 m", names) == \
        "the nearest one within SNAP 5000 m"
    assert w.parameter_names(w.ALGORITHMS["report"])["rng"] == "SEED"
    assert "name" not in w.parameter_names(w.ALGORITHMS["indices"])  # no NAME there


def test_seed_defaults_to_the_command_lines():
    from segspatial.cli import build_parser
    from segspatial.inference import DEFAULT_SEED

    seed = build_parser()._subparsers._group_actions[0].choices["indices"].get_default(
        "seed")
    for spec in ALGORITHMS:
        if "SEED" in [p.name for p in spec.params]:
            param = spec.param("SEED")
            assert not param.optional and w.default_value(spec, param) == DEFAULT_SEED \
                == seed == 0, spec.name
