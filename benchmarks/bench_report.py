"""Benchmark: HTML reports for all 355 municipalities of the real 2019 case.

Measures, in one run, the whole ``segspatial report`` pipeline on the real 2019 case
(``../shared/data``): the aspatial indices, the spatial indices and profiles
(:func:`segspatial.report.report_data`: bandwidths 500-4000 m, 999 permutations for
Moran's I), the disclosure audit of ``min_cell=10`` (every published number
recomputed for a twin of every count below 10, :mod:`segspatial.disclosure`), and
the 356 pages (:func:`segspatial.report.write_report`, offline, ``min_cell=10``: a
static map, an interactive map and SVG charts per page). The peer measured in the
same run is the aspatial table alone (:func:`segspatial.segregation`), the floor any
report costs; the audit is also given as a ratio to the spatial indices it recomputes.

A/B against older code (issue 11: the pages in under a third of the time of the
last ``report.py``): ``--baseline PATH`` names a checkout of the older code (e.g. a
``git worktree`` of that commit, with ``--baseline-python`` the interpreter of a
virtualenv it is installed in). Each repeat then runs the baseline and this checkout
one after the other, each in a fresh subprocess (alternating which goes first), and
prints CPU and wall seconds of every stage for both, the ratios, and the load average
during the run; with two or more repeats it also checks that this checkout's reruns
wrote byte-identical pages. The older code is never imported into this process.

Targets: all 355 municipalities in under 60 s (issue 7); the pages (maps, charts,
writing) in under a third of the baseline's CPU time in the same run (issue 11).
Run: ``python benchmarks/bench_report.py [--repeats 1] [--output DIR]
[--baseline PATH [--baseline-python PY]] [--areas N]``.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0
TARGET_PAGE_RATIO = 3.0
STAGES = ("peer", "compute", "audit", "render", "total")
HERE = Path(__file__).resolve().parent.parent  # this checkout


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _run_once(data_dir: Path, out: Path, areas: int | None) -> dict:
    """One pass of the pipeline in this process: wall and CPU seconds per stage."""
    import segspatial as ss
    from segspatial.datasets import real_2019_case
    from segspatial.geo import read_boundaries
    from segspatial.report import _protected, report_data, write_report

    schools = real_2019_case(data_dir)
    boundaries = read_boundaries(data_dir / "boundaries" / "nl_maps_rd_gemeente_2019.geojson")
    marks = [_clock()]
    result = ss.segregation(schools, "school", "a", "b", area="municipality",
                            total="pupils", min_area_size=0)
    marks.append(_clock())
    only = None
    if areas is not None:  # a spread-out subset (quick checks; the target is all 355)
        codes = sorted(result.table["area"].unique())
        only = codes[::max(1, len(codes) // areas)][:areas]
    data = report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                       name="school_name", boundaries=boundaries,
                       group_labels={"a": "disadvantaged", "b": "other"}, only=only)
    marks.append(_clock())
    data, protected = _protected(data, 10)
    marks.append(_clock())
    write_report(data, out, offline=True, min_cell=10)
    marks.append(_clock())
    times = {}
    for stage, start, end in zip(STAGES, marks, marks[1:], strict=False):
        times[stage] = {"wall": end[0] - start[0], "cpu": end[1] - start[1]}
    times["total"] = {"wall": marks[-1][0] - marks[0][0], "cpu": marks[-1][1] - marks[0][1]}
    found = protected.audit
    return {
        "times": times, "schools": len(schools), "pages": len(data.areas) + 1,
        "bytes": sum(p.stat().st_size for p in out.glob("*.html")),
        "module": ss.__file__,
        "audit": {"cells": int(found.cells), "certified": int(found.certified),
                  "twins": int(found.twins),
                  "withheld": int(found.levels[found.levels["level"] > 0]["area"].nunique()),
                  "dropped": len(protected.dropped)},
    }


def _worker(args: argparse.Namespace) -> int:
    print(json.dumps(_run_once(Path(args.data), Path(args.output), args.areas)))
    return 0


def _subprocess(python: str, checkout: Path, data_dir: Path, out: Path,
                areas: int | None) -> dict:
    """One pass in a fresh interpreter that imports segspatial from ``checkout``."""
    env = dict(os.environ, PYTHONPATH=str(checkout), SEGSPATIAL_SHARED_DATA=str(data_dir))
    command = [python, str(Path(__file__).resolve()), "--worker", "--data", str(data_dir),
               "--output", str(out)] + (["--areas", str(areas)] if areas else [])
    done = subprocess.run(command, env=env, cwd=checkout, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed (in {checkout}):\n{done.stderr}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    expected = (checkout / "segspatial").resolve()
    if not Path(found["module"]).resolve().is_relative_to(expected):
        raise RuntimeError(f"the run meant for {checkout} imported {found['module']}")
    return found


def _same_pages(a: Path, b: Path) -> bool:
    files = sorted(p.name for p in a.glob("*.html"))
    if files != sorted(p.name for p in b.glob("*.html")):
        return False
    match, mismatch, errors = filecmp.cmpfiles(a, b, files, shallow=False)
    return not mismatch and not errors


def _compare(args: argparse.Namespace, data_dir: Path, out_root: Path) -> int:
    baseline = Path(args.baseline).resolve()
    if not (baseline / "segspatial" / "__init__.py").is_file():
        print(f"--baseline {baseline}: no segspatial package there", file=sys.stderr)
        return 1
    python = args.baseline_python or sys.executable
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    loads = [os.getloadavg()[0]]
    side_loads: dict[str, list[float]] = {"baseline": [], "this": []}  # before and after
    for r in range(args.repeats):
        order = ("baseline", "this") if r % 2 == 0 else ("this", "baseline")
        for side in order:
            side_loads[side].append(os.getloadavg()[0])
            out = out_root / f"{side}-{r}"
            found = (_subprocess(python, baseline, data_dir, out, args.areas)
                     if side == "baseline" else
                     _subprocess(sys.executable, HERE, data_dir, out, args.areas))
            runs[side].append(found)
            loads.append(os.getloadavg()[0])
            side_loads[side].append(loads[-1])
            t = found["times"]
            print(f"  run {r + 1} {side:8s}: pages {t['render']['cpu']:7.2f} s CPU "
                  f"{t['render']['wall']:7.2f} s wall; total {t['total']['cpu']:7.2f} s CPU "
                  f"{t['total']['wall']:7.2f} s wall (load {loads[-1]:.1f})", flush=True)
    med = statistics.median
    first = runs["this"][0]
    print(f"\nreal 2019 case: {first['schools']:,} schools, {first['pages'] - 1} municipality "
          f"pages + index; {args.repeats} run(s) each side, alternating, in one run; "
          f"load average (1 min) {min(loads):.1f}-{max(loads):.1f}")
    print(f"  baseline: {baseline} ({python})")
    print(f"  this:     {HERE} ({sys.executable})")
    print(f"  {'stage':32s} {'baseline CPU':>12s} {'this CPU':>9s} {'ratio':>6s}   "
          f"{'baseline wall':>13s} {'this wall':>9s} {'ratio':>6s}")
    names = {"peer": "aspatial table (peer)", "compute": "spatial indices and profiles",
             "audit": "disclosure audit (min_cell=10)", "render": "pages (maps, charts, writing)",
             "total": "total"}
    ratios = {}
    for stage in STAGES:
        row = []
        for clock in ("cpu", "wall"):
            old = med(run["times"][stage][clock] for run in runs["baseline"])
            new = med(run["times"][stage][clock] for run in runs["this"])
            ratios[stage, clock] = old / new if new > 0 else float("inf")
            row.append(f"{old:12.2f} {new:9.2f} {ratios[stage, clock]:5.2f}x")
        print(f"  {names[stage]:32s} {row[0]}   {row[1]}")
    met = ratios["render", "cpu"] >= TARGET_PAGE_RATIO
    print(f"  pages: {ratios['render', 'cpu']:.2f}x faster in CPU time, "
          f"{ratios['render', 'wall']:.2f}x in wall time (target >= {TARGET_PAGE_RATIO:.0f}x "
          f"in CPU: {'met' if met else 'MISSED'}); "
          f"{first['bytes'] / 1e6:.0f} MB of pages vs "
          f"{runs['baseline'][0]['bytes'] / 1e6:.0f} MB")
    print(f"  whole pipeline (indices, audit and pages): {ratios['total', 'cpu']:.2f}x in CPU "
          f"time, {ratios['total', 'wall']:.2f}x in wall time (the aspatial and spatial "
          f"indices are the same code on both sides)")
    # CPU seconds grow with the machine's load (shared caches and cores): a ratio is
    # fair only when both sides ran under a similar load
    base_load, this_load = (statistics.mean(side_loads[s]) for s in ("baseline", "this"))
    print(f"  load average (1 min) around the runs: baseline {base_load:.1f}, this "
          f"{this_load:.1f}" + ("; they differ by more than a third: rerun for a fair "
                                 "ratio" if abs(base_load - this_load) >
                                 max(base_load, this_load) / 3 else ""))
    if args.repeats > 1:
        same = all(_same_pages(out_root / "this-0", out_root / f"this-{r}")
                   for r in range(1, args.repeats))
        print(f"  this checkout's reruns wrote byte-identical pages: {'yes' if same else 'NO'}")
        if not same:
            return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--output", default=None, help="report folder (default: a temp dir)")
    parser.add_argument("--baseline", default=None, metavar="PATH",
                        help="a checkout of older segspatial code to compare with, run in "
                             "a subprocess (never imported here)")
    parser.add_argument("--baseline-python", default=None, metavar="PY",
                        help="the interpreter for --baseline (default: this one)")
    parser.add_argument("--areas", type=int, default=None, metavar="N",
                        help="only N municipalities, spread over the codes (quick checks)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return _worker(args)
    sys.path.insert(0, str(HERE))
    from segspatial.datasets import find_data_dir

    data_dir = find_data_dir()
    if data_dir is None:
        print("the real public data (../shared/data) is needed for this benchmark",
              file=sys.stderr)
        return 1
    out_root = Path(args.output or tempfile.mkdtemp(prefix="bench-report-"))
    if args.baseline:
        return _compare(args, Path(data_dir).resolve(), out_root)
    runs = [_run_once(Path(data_dir), out_root / "report", args.areas)
            for _ in range(args.repeats)]
    med = statistics.median

    def wall(stage: str) -> float:
        return med(run["times"][stage]["wall"] for run in runs)

    first = runs[0]
    found = first["audit"]
    print(f"real 2019 case: {first['schools']:,} schools, {first['pages'] - 1} municipality "
          f"pages + index ({first['bytes'] / 1e6:.0f} MB) in {out_root / 'report'}")
    print(f"  aspatial table (peer):          {wall('peer'):7.2f} s")
    print(f"  spatial indices and profiles:   {wall('compute'):7.2f} s")
    print(f"  disclosure audit (min_cell=10): {wall('audit'):7.2f} s "
          f"({wall('audit') / wall('compute'):.1f}x the spatial indices; {found['cells']:,} "
          f"counts below 10, {found['certified']:,} proven safe with everything published, "
          f"{found['twins']:,} twins; some value withheld in {found['withheld']} "
          f"municipalities, {found['dropped']} pages left out)")
    print(f"  pages (maps, charts, writing):  {wall('render'):7.2f} s "
          f"({1000 * wall('render') / first['pages']:.0f} ms a page)")
    total = wall("total")
    print(f"  total:                          {total:7.2f} s "
          f"(target < {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'MISSED'}"
          f"; {total / wall('peer'):.0f}x the aspatial table alone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
