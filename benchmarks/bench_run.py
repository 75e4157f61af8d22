"""Benchmark of the run: a cold start, a daily increment and a range backfill.

    .venv/bin/python benchmarks/bench_run.py [--scale small] [--landing DIR] [--range-days 7]

On a zone of the scale (generated into a temp dir unless --landing is given):
  1. cold start: `kscore run` for the zone's last-but-N as_of_date on an empty warehouse;
  2. daily increment: the next as_of_date (what the 06:00 schedule does);
  3. range: the following --range-days as_of_dates in one build (a backfill);
and prints the wall time of each step, the time per as_of_date of the range,
and the slowest dbt nodes of each step (from dbt's run_results.json).
Targets live here, not in timed unit tests.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import tempfile
import time
from pathlib import Path

from kscore.generate import SCALES, generate
from kscore.pipeline import run


def slowest(paths_target: Path, n: int = 6) -> list[tuple[float, str]]:
    path = paths_target / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text())["results"]
    rows = sorted(((r.get("execution_time") or 0.0, r["unique_id"].split(".", 2)[-1]) for r in results), reverse=True)
    return rows[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small", choices=list(SCALES))
    ap.add_argument("--start", default="2023-01-01")
    ap.add_argument("--landing", default=None, help="an existing zone of the scale (default: generate one)")
    ap.add_argument("--range-days", type=int, default=7)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix=f"kscore-bench-run-{args.scale}-"))
    start = dt.date.fromisoformat(args.start)
    days = SCALES[args.scale].days
    try:
        landing = Path(args.landing) if args.landing else work / "landing"
        if not args.landing:
            t0 = time.perf_counter()
            generate(landing, scale=args.scale, start=start, seed=42)
            print(f"generated {args.scale} in {time.perf_counter() - t0:.1f}s")
        last = start + dt.timedelta(days=days)          # the newest as_of_date the zone supports
        first = last - dt.timedelta(days=args.range_days + 1)
        warehouse = work / "wh" / "kscore.duckdb"
        steps = [("cold start (1 as_of_date, empty warehouse)", first, first),
                 ("daily increment (1 as_of_date)", first + dt.timedelta(days=1), first + dt.timedelta(days=1)),
                 (f"range ({args.range_days} as_of_dates, one build)", first + dt.timedelta(days=2), last)]
        figures = []
        for name, d1, d2 in steps:
            t0 = time.perf_counter()
            result = run(d1, d2, landing, warehouse, progress=lambda s: None)
            wall = time.perf_counter() - t0
            n = (d2 - d1).days + 1
            figures.append((name, d1, d2, wall, n, result.outcome))
            print(f"\n{name}: {d1} … {d2}: {result.outcome} in {wall:.1f}s ({wall / n:.1f}s per as_of_date)")
            if not result.ok:
                print("    " + result.message)
            for secs, node in slowest(warehouse.parent / "dbt_target"):
                print(f"    {secs:7.1f}s  {node}")
        print(f"\nscale {args.scale}:")
        for name, _d1, _d2, wall, _n, outcome in figures:
            print(f"  {name:45s} {wall:7.1f}s  {outcome}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
