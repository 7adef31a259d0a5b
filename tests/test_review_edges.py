"""Edges found by a new user's review (issue 17): each a test with the right value.

Defect 5: D* and E[D] near cancellation; D and E[D] always in [0, 1].
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segspatial as ss
from segspatial._exceptions import SegregationWarning

EPS = np.finfo(np.float64).eps


# ------------------------------------------------------- 5: D*, E[D] at cancellation


@pytest.mark.parametrize("big_a", range(1, 9))
@pytest.mark.parametrize("big_b", range(1, 9))
def test_one_pupil_per_unit_d_star_is_0_over_0(big_a, big_b):
    # every unit holds one pupil: every allocation gives D = 1, so D = E[D] = 1
    # exactly and D* = (1 - 1) / (1 - 1) is undefined (the 64 cases of the review)
    a = [1] * big_a + [0] * big_b
    b = [0] * big_a + [1] * big_b
    n = big_a + big_b
    d, e = ss.dissimilarity(a, b), ss.expected_dissimilarity(a, b)
    assert 1 - (n + 4) * EPS <= d <= 1.0
    assert 1 - (n + 64) * EPS <= e <= 1.0
    with pytest.warns(SegregationWarning, match=r"D\* is 0/0 within rounding"):
        assert np.isnan(ss.standardised_dissimilarity(a, b))


def test_reviewer_case_d_star_is_nan_not_minus_3e_16():
    with pytest.warns(SegregationWarning, match=r"0/0 within rounding"):
        assert np.isnan(ss.standardised_dissimilarity([1, 0, 0, 0], [0, 1, 1, 1]))


def test_table_clips_expected_d_and_explains_d_star():
    # the review's x4.csv: E[D] was written as 1.0000000000000002
    frame = pd.DataFrame({"school": [1, 2, 3, 4], "a": [1, 0, 0, 0], "b": [0, 1, 1, 1]})
    res = ss.segregation(frame, "school", "a", "b", min_unit_size=0, min_area_size=0)
    t = res.table.set_index("index")
    assert t.loc["dissimilarity_expected", "value"] <= 1.0
    assert t.loc["dissimilarity", "value"] <= 1.0
    assert np.isnan(t.loc["dissimilarity_standardised", "value"])
    assert "0/0 within rounding" in t.loc["dissimilarity_standardised", "reason"]


def test_values_away_from_cancellation_are_unchanged():
    # hand-computed: the report's appendix example and complete segregation
    assert ss.dissimilarity([2, 13], [6, 3]) == pytest.approx(8 / 15, rel=1e-15)
    # E[D] of (1, 1), (1, 1): P(a_1 = 1) = 4/6 gives D = 0, else D = 1 -> 1/3
    assert ss.expected_dissimilarity([1, 1], [1, 1]) == pytest.approx(1 / 3, rel=1e-14)
    # D = 0 < E[D] = 1/3: D* = (0 - 1/3) / (1/3) = -1
    assert ss.standardised_dissimilarity([1, 1], [1, 1]) == pytest.approx(-1.0, rel=1e-14)
    assert ss.standardised_dissimilarity([10, 0], [0, 10]) == 1.0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=2, max_size=12))
def test_d_and_expected_d_stay_in_0_1_and_d_star_in_minus_1_1(units):
    a = [u[0] for u in units]
    b = [u[1] for u in units]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegregationWarning)
        d = ss.dissimilarity(a, b)
        e = ss.expected_dissimilarity(a, b)
        s = ss.standardised_dissimilarity(a, b)
    for value in (d, e):
        assert np.isnan(value) or 0.0 <= value <= 1.0
    assert np.isnan(s) or -1.0 <= s <= 1.0
    if not np.isnan(s):  # defined: the ratio is far from 0/0
        assert abs(d - e) > 1e-12 or min(e, 1 - e) > 1e-9


def test_d_below_an_expected_d_near_1_stays_defined():
    # D well below E[D] ~ 1: the denominator is E[D], far from 0; only a tie is 0/0
    from segspatial._kernels import GroupedCounts, _standardised_dissimilarity_kernel

    c = GroupedCounts.single(np.ones(2), np.ones(2))
    c._memo["dissimilarity"] = np.array([0.5])
    c._memo["dissimilarity_expected"] = np.array([1 - 1.1e-16])
    value = float(_standardised_dissimilarity_kernel(c)[0])
    assert value == pytest.approx((0.5 - (1 - 1.1e-16)) / (1 - 1.1e-16), rel=1e-15)
    assert c.reasons("dissimilarity_standardised") is None


# ------------------------------------------------ 10: one gate for one-area functions

_ONE_AREA = [ss.dissimilarity, ss.expected_dissimilarity, ss.standardised_dissimilarity,
             ss.theil_h, ss.correlation, ss.isolation, ss.exposure]


@pytest.mark.parametrize(("a", "what"), [
    ([True, False], "booleans"),
    (np.array([True, False]), "booleans"),
    ([1, True], "booleans"),                       # numpy alone would make it [1, 1]
    ([1 + 1j, 2], "complex numbers"),               # numpy alone drops the 1j
    (np.array([1 + 0j, 2 + 0j]), "complex numbers"),
    (np.array(["2019-01-01", "2020-01-01"], dtype="datetime64[D]"), "dates"),
    (np.array([1, 2], dtype="timedelta64[s]"), "durations"),
])
def test_one_area_functions_refuse_what_the_table_refuses(a, what):
    b = [1, 2]
    frame = pd.DataFrame({"school": [1, 2], "b": b})
    frame["a"] = pd.Series(list(a), dtype=object) if isinstance(a, list) else a
    with pytest.raises(TypeError, match=rf"column 'a' holds {what}"):
        ss.segregation(frame, "school", "a", "b", min_unit_size=0, min_area_size=0)
    for func in _ONE_AREA:
        with pytest.raises(TypeError, match=rf"^a holds {what}.*counts must be numbers"):
            func(a, b)
        with pytest.raises(TypeError, match=rf"^b holds {what}"):
            func(b, a)


def test_multigroup_one_area_functions_use_the_same_gate():
    with pytest.raises(TypeError, match=r"counts holds booleans"):
        ss.multigroup_dissimilarity([[True, False], [False, True]])
    with pytest.raises(TypeError, match=r"counts: column 'x' holds complex numbers"):
        ss.multigroup_theil_h(pd.DataFrame({"x": [1 + 1j, 2], "y": [1, 1]}))
    # numbers still work, as lists, arrays and Series
    assert ss.multigroup_dissimilarity([[2, 6], [13, 3]]) == pytest.approx(8 / 15)
    assert ss.dissimilarity(pd.Series([2, 13]), np.array([6, 3])) == pytest.approx(8 / 15)
    assert ss.dissimilarity((2.0, 13), range(6, 2, -3)) == pytest.approx(8 / 15)


# ------------------------------------------------------------ 11: duplicate headers


def test_a_csv_header_naming_a_column_twice_is_refused(tmp_path, capsys):
    from segspatial.cli import main
    from segspatial.io import read_table

    path = tmp_path / "dup.csv"  # the review's dupcol.csv
    path.write_text("school,municipality,year,a,a,b\n1,M,2019,1,2,3\n2,M,2019,3,2,1\n")
    message = (r"dup\.csv' has two columns named 'a' \(columns 4 and 5 of the header\); "
               r"which one is meant is not clear")
    with pytest.raises(ValueError, match=message):
        read_table(path)
    with pytest.raises(ValueError, match=message):
        read_table(path, columns=["school", "a", "b"])
    # a repeated column that is not read does no harm
    assert read_table(path, columns=["school", "b"])["b"].tolist() == [3, 1]
    code = main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--min-unit-size", "0", "--min-area-size", "0", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "two columns named 'a' (columns 4 and 5" in err
    assert "Traceback" not in err


def test_a_parquet_schema_naming_a_column_twice_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from segspatial.io import read_table

    path = tmp_path / "dup.parquet"
    pq.write_table(pa.table([pa.array([1, 2]), pa.array([3, 4]), pa.array(["s", "t"])],
                            names=["a", "a", "school"]), path)
    with pytest.raises(ValueError, match=r"two columns named 'a' \(columns 1 and 2 of the "
                                         r"schema\)"):
        read_table(path)


def test_a_frame_with_a_column_name_twice_is_refused_by_every_gate():
    counts = pd.DataFrame([[1, 1, 2, 3], [2, 3, 2, 1]], columns=["school", "a", "a", "b"])
    message = (r"group_a='a': 2 columns of the data are named 'a' \(columns 2, 3\); which "
               "one is meant is not clear")
    with pytest.raises(ValueError, match=message):
        ss.segregation(counts, "school", "a", "b", min_unit_size=0, min_area_size=0)
    with pytest.raises(ValueError, match=r"groups\[0\]='a': 2 columns"):
        ss.multigroup_segregation(counts, "school", ["a", "b"])
    pupils = pd.DataFrame([[1, "dutch", "x"], [2, "western", "y"]],
                          columns=["school", "eth", "eth"])
    with pytest.raises(ValueError, match=r"ethnicity='eth': 2 columns of the pupils are "
                                         r"named 'eth' \(columns 2, 3\)"):
        ss.pupil_segregation(pupils, "school", ethnicity="eth")


# ------------------------------------------------------------------ 12: UTF-16/32

_TEXT = "school;gm;a;b\r\ns1;Café;1;2\r\ns2;Ñú\u010a;3;4\r\n"  # U+010A holds a 0x0a byte


@pytest.mark.parametrize("raw", [
    _TEXT.encode("utf-16"),                                   # Excel's "Unicode text"
    b"\xfe\xff" + _TEXT.encode("utf-16-be"),
    _TEXT.encode("utf-32"),
    b"\x00\x00\xfe\xff" + _TEXT.encode("utf-32-be"),
])
def test_a_byte_order_mark_decides_utf16_and_utf32(tmp_path, raw):
    from segspatial.io import read_table

    path = tmp_path / "u.csv"
    path.write_bytes(raw)
    frame = read_table(path, text_columns=["school", "gm"])
    assert frame.to_dict("list") == {"school": ["s1", "s2"], "gm": ["Café", "Ñú\u010a"],
                                     "a": [1, 3], "b": [2, 4]}
    assert frame.attrs["segspatial_source"].first_line == 2  # lines counted as text


def test_the_reviewer_utf16_file_is_computed(tmp_path, capsys):
    from segspatial.cli import main

    path = tmp_path / "utf16.csv"  # the review's utf16.csv: a = (1, 2), b = (2, 1)
    path.write_bytes("school,municipality,year,a,b\n1,M,2019,1,2\n2,M,2019,2,1\n"
                     .encode("utf-16"))
    out = tmp_path / "r.csv"
    assert main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--min-unit-size", "0", "--min-area-size", "0", "-q", "-o",
                 str(out)]) == 0
    d = pd.read_csv(out).set_index("index").loc["dissimilarity", "value"]
    assert d == pytest.approx(0.5 * (abs(1 / 3 - 2 / 3) * 2), rel=1e-15)  # 1/3


def test_utf16_without_a_mark_names_the_encoding_to_pass(tmp_path, capsys):
    from segspatial.cli import main
    from segspatial.io import read_table

    path = tmp_path / "nobom.csv"
    path.write_bytes(_TEXT.encode("utf-16-le"))
    with pytest.raises(ValueError, match=r"nobom\.csv' holds NUL bytes: it looks like "
                                         r"UTF-16 or UTF-32.*encoding=, e\.g\. 'utf-16-le'"):
        read_table(path)
    with pytest.raises(ValueError, match=r"nobom\.csv' holds NUL bytes"):
        read_table(path, encoding="cp1252")  # never garbage with NULs
    with pytest.raises(ValueError, match=r"nobom\.csv' has no byte order mark, so "
                                         r"encoding='utf-16' cannot tell the byte order: "
                                         r"pass encoding='utf-16-le'"):
        read_table(path, encoding="utf-16")
    assert read_table(path, encoding="utf-16-le")["a"].tolist() == [1, 3]
    code = main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--encoding", "utf-16", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "nobom.csv' has no byte order mark" in err
    assert "--encoding 'utf-16-le'" in err and "Traceback" not in err


def test_a_mark_that_contradicts_the_encoding_given_is_refused(tmp_path):
    from segspatial.io import read_table

    path = tmp_path / "u.csv"
    path.write_bytes(_TEXT.encode("utf-16"))
    with pytest.raises(ValueError, match=r"starts with a UTF-16 byte order mark, but "
                                         r"encoding='cp1252' was given"):
        read_table(path, encoding="cp1252")


# --------------------------------------------------- 9: codeless boundary features


def _square(x0):
    return [[[x0, 450000], [x0 + 10000, 450000], [x0 + 10000, 460000], [x0, 460000],
             [x0, 450000]]]


def test_units_in_a_feature_without_a_code_are_left_out_not_given_to_a_neighbour(
        tmp_path, capsys):
    import json

    from segspatial import geo
    from segspatial.cli import main

    bounds = tmp_path / "bnd.geojson"  # as the review's: GM1 | no code | no property
    bounds.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": [
            {"type": "Feature", "properties": {"statcode": "GM1"},
             "geometry": {"type": "Polygon", "coordinates": _square(100000)}},
            {"type": "Feature", "properties": {"statcode": None},
             "geometry": {"type": "Polygon", "coordinates": _square(110000)}},
            {"type": "Feature", "properties": {},
             "geometry": {"type": "Polygon", "coordinates": _square(120000)}}]}))
    # s1, s2 in GM1; s3 on the border GM1 | no code (the coded area wins); s4 in the
    # feature without a code but 2 km from GM1 (within the default snap of 5 km: it
    # went to GM1); s5 in the feature without the property; s6 3 km east of it
    xs = {"s1": 102000, "s2": 104000, "s3": 110000, "s4": 112000, "s5": 125000,
          "s6": 133000}
    counts = pd.DataFrame({"school": list(xs), "a": [5, 8, 11, 5, 8, 11],
                           "b": [12, 9, 6, 12, 9, 6], "x": list(xs.values()),
                           "y": 455000})
    points = geo.unit_points(counts, x="x", y="y", crs="EPSG:28992")
    with pytest.warns(geo.GeometryWarning) as caught:
        codes, excluded = geo.assign_areas(points, geo.read_boundaries(bounds), "statcode")
    assert codes.tolist()[:3] == ["GM1"] * 3 and codes.iloc[3:].isna().all()
    assert excluded["reason"].tolist() == ["area_without_code"] * 3
    text = " ".join(str(w.message) for w in caught)
    assert "features 2, 3): units in them are left out (reason area_without_code)" in text
    assert codes.attrs["n_within"] == 3 and codes.attrs["n_snapped"] == 0

    path = tmp_path / "c.csv"
    counts.to_csv(path, index=False)
    out, exc = tmp_path / "r.csv", tmp_path / "e.csv"
    assert main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--areas-from",
                 str(bounds), "--area-code", "statcode", "--min-unit-size", "0",
                 "--min-area-size", "0", "-q", "-o", str(out),
                 "--exclusions-output", str(exc)]) == 0
    left = pd.read_csv(exc).set_index("reason")
    assert left.loc["area_without_code", "n_units"] == 3
    assert left.loc["area_without_code", "n_pupils"] == 17 + 17 + 17
    d = pd.read_csv(out).set_index("index").loc["dissimilarity", "value"]
    # GM1 = s1, s2, s3: A = 24, B = 27
    assert d == pytest.approx(0.5 * (abs(5 / 24 - 12 / 27) + abs(8 / 24 - 9 / 27)
                                     + abs(11 / 24 - 6 / 27)), rel=1e-14)


# ------------------------------------------- 13: Dask from a script, quiet logging


def test_dask_engine_from_a_script_without_a_main_guard_is_quiet(tmp_path):
    import subprocess
    import sys
    import textwrap

    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    pupils = pd.DataFrame({"school": ["s1", "s1", "s2", "s2", "s2"],
                           "eth": ["dutch", "nonwestern", "dutch", None, "western"]})
    pupils.to_parquet(tmp_path / "p.parquet")
    script = tmp_path / "run.py"  # the README's example run as a plain script
    script.write_text(textwrap.dedent("""
        import segspatial as ss
        counts = ss.aggregate_pupils("p.parquet", "school", ethnicity="eth",
                                     engine="dask").counts
        print(counts[["unit", "dutch", "western", "nonwestern", "total"]]
              .to_csv(index=False), end="")
    """))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == ("unit,dutch,western,nonwestern,total\n"
                           "s1,1,0,1,2\ns2,1,1,0,3\n")
    for noise in ("Traceback", "Nanny", "distributed.", "WARNING"):
        assert noise not in done.stderr, done.stderr[-2000:]


# -------------------------------------------------------------- 14: messages


def _table_result():
    frame = pd.DataFrame({"school": ["I", "II", "III"], "a": [20, 130, 60],
                          "b": [60, 30, 50]})
    return ss.segregation(frame, "school", "a", "b", min_unit_size=0, min_area_size=0,
                          indices="dissimilarity")


@pytest.mark.parametrize("n", [0, 1])
def test_bootstrap_and_test_say_at_least_2_for_0_and_1(n):
    from segspatial.inference import bootstrap, randomisation_test

    with pytest.raises(ValueError, match=rf"n_boot must be at least 2 \(the bootstrap "
                                         rf"replicates\), got {n}$"):
        bootstrap(_table_result(), n)
    with pytest.raises(ValueError, match=rf"null_draws must be at least 2 .*got {n}$"):
        randomisation_test(_table_result(), n)


def _cli_err(capsys, *argv):
    from segspatial.cli import main

    code = main(list(argv))
    return code, capsys.readouterr().err


def test_log_base_error_names_the_flag(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("school,a,b\n1,5,12\n2,8,9\n3,11,6\n")
    code, err = _cli_err(capsys, "indices", str(path), "--unit", "school", "--groups",
                         "a", "b", "--log-base", "1", "--min-unit-size", "0",
                         "--min-area-size", "0", "-q")
    assert code == 2 and "error: --log-base must be a finite number > 1" in err


def test_a_csv_with_only_a_header_names_the_file(tmp_path, capsys):
    path = tmp_path / "hdronly.csv"
    path.write_text("school,municipality,year,a,b\n")
    code, err = _cli_err(capsys, "indices", str(path), "--unit", "school", "--group-a",
                         "a", "--group-b", "b", "-q")
    assert code == 2 and "hdronly.csv' has a header but no data rows" in err
    pupils = tmp_path / "p.csv"
    pupils.write_text("school,eth\n")
    from segspatial.io import read_table

    with pytest.raises(ValueError, match=r"pupils '.*p\.csv' has a header but no data rows"):
        ss.pupil_segregation(read_table(pupils), "school", ethnicity="eth")


def test_change_of_a_counts_file_without_unit_hints_at_unit(tmp_path, capsys):
    path = tmp_path / "counts.csv"
    path.write_text("school,year,a,b\n1,2019,5,12\n2,2019,8,9\n")
    code, err = _cli_err(capsys, "change", str(path), "-q")
    assert code == 2 and "column 'index' is missing; for a counts or pupil file, name " \
        "its unit column with --unit" in err


def test_d_star_gives_the_2_53_reason_of_expected_d():
    # the review's huge.parquet: 2**62 pupils per group in one area-year
    frame = pd.DataFrame({"school": [1, 2], "a": [2**62, 3], "b": [2**62, 3]})
    t = ss.segregation(frame, "school", "a", "b", min_unit_size=0,
                       min_area_size=0).table.set_index("index")
    for index in ("dissimilarity_expected", "dissimilarity_standardised"):
        assert np.isnan(t.loc[index, "value"])
        assert t.loc[index, "reason"].startswith("more than 2**53 pupils")
    with pytest.warns(SegregationWarning, match=r"more than 2\*\*53 pupils"):
        ss.standardised_dissimilarity([2**62, 3], [2**62, 3])


def test_engine_options_with_a_typo_name_the_options(tmp_path):
    pytest.importorskip("duckdb")
    path = tmp_path / "p.parquet"
    pd.DataFrame({"school": ["s1", "s2"], "eth": ["dutch", "western"]}).to_parquet(path)
    with pytest.raises(ValueError, match=r"engine_options: \['memory_limt'\] are not "
                                         r"options of the duckdb engine; it takes "
                                         r"memory_limit, threads, batch_rows"):
        ss.aggregate_pupils(path, "school", ethnicity="eth", engine="duckdb",
                            engine_options={"memory_limt": "1GB"})
    with pytest.raises(ValueError, match=r"'scheduler' is for the dask engine"):
        ss.aggregate_pupils(path, "school", ethnicity="eth", engine="duckdb",
                            engine_options={"scheduler": "tcp://x:8786"})


def test_a_usage_error_prints_one_usage_line_not_forty(capsys):
    from segspatial.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["indices", "x.csv", "--bogus"])
    err = capsys.readouterr().err.splitlines()
    assert exit_.value.code == 2
    assert err == ["usage: segspatial indices [-h] [OPTIONS] INPUT  (try 'segspatial "
                   "indices --help' for every option)",
                   "segspatial indices: error: unrecognized arguments: --bogus"]
    with pytest.raises(SystemExit):
        main(["indixes"])
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("usage: segspatial [-h] [OPTIONS] COMMAND ...") and len(err) == 2
    with pytest.raises(SystemExit) as exit_:  # --help still shows every option
        main(["indices", "--help"])
    assert exit_.value.code == 0 and "--min-unit-size" in capsys.readouterr().out
