"""Benchmark of the demo generator: wall time and rows/s per table for a scale.

    .venv/bin/python benchmarks/bench_generate.py --scale small [--days N] [--keep DIR]

Prints one line per table and the total; the figures go into the closing note
of the foundation issue (targets: small < 2 min, medium < 15 min on 2 cores).
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from kscore.generate import SCALES, generate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small", choices=list(SCALES))
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--keep", default=None, help="write here and keep the zone (default: a temp dir, removed)")
    args = ap.parse_args()
    target = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix=f"kscore-bench-{args.scale}-"))
    t0 = time.perf_counter()
    report = generate(target, scale=args.scale, days=args.days, progress=print)
    wall = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in target.rglob("*.parquet"))
    print(f"\nscale {args.scale}: {report['days']} days, wall {wall:.1f}s, {report['rows']:,} rows, "
          f"{report['rows'] / wall:,.0f} rows/s, {size / 1e6:,.0f} MB of Parquet")
    print(f"{'table':24s} {'rows':>14s} {'files':>6s} {'seconds':>8s} {'rows/s':>12s}")
    for table, t in report["tables"].items():
        rps = t["rows"] / t["seconds"] if t["seconds"] else float("nan")
        print(f"{table:24s} {t['rows']:>14,} {t['files']:>6} {t['seconds']:>8.1f} {rps:>12,.0f}")
    if not args.keep:
        shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":
    main()
