"""Engine benchmark (issue 12, docs/spark.md "What it costs"): the same `kscore run` on DuckDB and on
Apache Spark, in one invocation, on one zone and range, and the ratio.

    .venv/bin/python benchmarks/bench_engines.py --scale tiny|small [--landing DIR] [--days N]
        [--as-of-dates K] [--no-data-tests] [--engines duckdb,spark] [--work DIR] [--json FILE]

The zone: --landing, or `kscore generate --scale S` (--days days from 2023-01-01, seed 42; tiny: 46, the
equality test's zone) into --work.
The range: the zone's last K as_of_dates (default 3), `kuaizhizao_first_check_date` the first Monday
at least 35 days after the zone's first day (so 快质造's weekly mart has rows, as in `make run`).
Each engine runs in a fresh child interpreter (`kscore.pipeline.run`, the whole run: sense, raw
gates, dbt build, mart gates, publish) on an empty warehouse folder; Spark is a full refresh by
design. Printed per engine: wall seconds, each phase, dbt nodes by type with their summed execution
seconds, peak RSS (the child and all its descendants, dbt and Spark's JVM included, summed every 0.5 s:
bench_scale.track_peak_rss), and the ratio Spark / DuckDB of the whole run and of the dbt phase.
`--no-data-tests` leaves dbt's data tests out on both engines (the build alone, as the equality
test's Spark side). Nothing is asserted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scale import track_peak_rss, zone_days

from kscore.paths import warehouse_paths

CHILD = """
import datetime as dt, json, sys
from kscore.pipeline import run
a, b = dt.date.fromisoformat(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
try:
    r = run(a, b, sys.argv[3], sys.argv[4] + '/kscore.duckdb', progress=lambda s: None, engine=sys.argv[6],
            data_tests=sys.argv[7] == '1', extra_vars={'kuaizhizao_first_check_date': sys.argv[8]})
    out = dict(outcome=r.outcome, message=r.message, phase_seconds=r.phase_seconds)
except Exception as exc:
    out = dict(outcome='error', message=f'{type(exc).__name__}: {exc}', phase_seconds={})
open(sys.argv[5], 'w').write(json.dumps(out))
"""
GIB = 1024 ** 3


def first_check_monday(first: dt.date) -> dt.date:
    day = first + dt.timedelta(days=35)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def run_engine(engine: str, first: dt.date, last: dt.date, landing: Path, folder: Path, data_tests: bool,
               check: dt.date) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    result_file = folder.parent / f"bench-engines-{engine}.json"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(first), str(last), str(landing), str(folder),
                             str(result_file), engine, "1" if data_tests else "0", str(check)])
    stop = track_peak_rss(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    peak = [stop()]
    out = json.loads(result_file.read_text()) if result_file.exists() else {
        "outcome": "crashed", "message": f"exit code {os.waitstatus_to_exitcode(status)}", "phase_seconds": {}}
    result_file.unlink(missing_ok=True)
    return {**out, "engine": engine, "wall_s": round(wall, 1),
            "peak_rss_gib": round(max(peak[0], usage.ru_maxrss * 1024) / GIB, 2), "dbt": dbt_nodes(folder)}


def dbt_nodes(folder: Path) -> dict:
    path = warehouse_paths(folder / "kscore.duckdb").dbt_target / "run_results.json"
    if not path.exists():
        return {}
    by_type: dict[str, list[float]] = {}
    for r in json.loads(path.read_text())["results"]:
        by_type.setdefault(r["unique_id"].split(".")[0], []).append(r.get("execution_time") or 0.0)
    return {t: {"nodes": len(v), "exec_s": round(sum(v), 1)} for t, v in sorted(by_type.items())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="tiny")
    ap.add_argument("--landing", type=Path)
    ap.add_argument("--days", type=int, help="days of a generated zone (tiny: 46, as the equality test; "
                    "else the scale's own)")
    ap.add_argument("--as-of-dates", type=int, default=3)
    ap.add_argument("--no-data-tests", action="store_true")
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--work", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="kscore-bench-engines-"))
    landing = args.landing
    if landing is None:
        from kscore.generate import generate

        landing = work / f"landing-{args.scale}"
        if not landing.is_dir():
            days = args.days or (46 if args.scale == "tiny" else None)
            generate(landing, scale=args.scale, start=dt.date(2023, 1, 1), days=days, seed=42)
    _, first_dt, last_dt = zone_days(landing)  # the first day every daily table has, the newest dt
    to = last_dt + dt.timedelta(days=1)
    frm = to - dt.timedelta(days=args.as_of_dates - 1)
    check = first_check_monday(first_dt)
    print(f"zone {landing} ({args.scale}, dt {first_dt} … {last_dt}); as_of_dates {frm} … {to}; "
          f"data tests {'off' if args.no_data_tests else 'on'}; load {os.getloadavg()[0]:.1f}", flush=True)
    runs = {}
    for engine in args.engines.split(","):
        folder = work / f"wh-{engine}"
        shutil.rmtree(folder, ignore_errors=True)
        r = runs[engine] = run_engine(engine, frm, to, landing, folder, not args.no_data_tests, check)
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phase_seconds"].items())
        print(f"{engine:7s} {r['outcome']:10s} wall {r['wall_s']:8.1f} s  "
              f"peak RSS {r['peak_rss_gib']:.2f} GiB  [{phases}]  load {os.getloadavg()[0]:.1f}", flush=True)
        print(f"        dbt nodes: {r['dbt']}", flush=True)
        if r["outcome"] not in ("published",):
            print(f"        {r['message'][:500]}")
    if {"duckdb", "spark"} <= set(runs):
        d, s = runs["duckdb"], runs["spark"]
        dd, sd = d["phase_seconds"].get("dbt"), s["phase_seconds"].get("dbt")
        print(f"ratio spark/duckdb: whole run {s['wall_s'] / d['wall_s']:.1f}x"
              + (f", dbt phase {sd / dd:.1f}x" if dd and sd else ""))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, default=str))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
