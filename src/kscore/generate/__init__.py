"""The demo landing-zone generator (`kscore generate`, spec 07).

Writes every raw table of spec 01 as `<landing>/<table>/dt=YYYY-MM-DD/*.parquet`
in the contract's exact column order and types, for a named scale, deterministic
for a seed. Generation is vectorised (numpy arrays -> Arrow -> Parquet), one day
at a time with per-day random streams, so memory stays bounded and a day's files
do not depend on the number of days generated. `inject` adds one kind of bad
input of spec 06 to the newest day's delivery. See docs/generator.md.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kscore.generate import arrow as A
from kscore.generate import variation as V
from kscore.generate.days import PROMOTIONS, Deferred, generate_day, prepare
from kscore.generate.entities import Scale, build_world, shop_profiles
from kscore.generate.inject import INJECT_KINDS, Injector

SCALES: dict[str, Scale] = {
    "tiny": Scale(shops=50, products=1_000, creators=40, days=60, orders=30_000),
    "small": Scale(shops=1_000, products=30_000, creators=800, days=120, orders=1_500_000),
    "medium": Scale(shops=10_000, products=400_000, creators=8_000, days=180, orders=20_000_000),
    "large": Scale(shops=50_000, products=2_000_000, creators=40_000, days=180, orders=100_000_000),
}

TABLES = ["categories", "shops", "products", "creators", "activity_registrations", "orders", "logistics_events",
          "refunds", "reviews", "im_sessions", "live_sessions", "content_daily_stats", "product_traffic_daily"]
CHANGE_TABLES = ["categories", "shops", "products", "creators", "activity_registrations"]

__all__ = ["generate", "SCALES", "INJECT_KINDS", "TABLES"]


class _Writer:
    def __init__(self, landing: Path):
        self.landing = landing
        self.stats = {t: {"rows": 0, "files": 0, "seconds": 0.0} for t in TABLES}

    def path(self, table: str, day: dt.date, name: str = "part-0.parquet") -> Path:
        d = self.landing / table / f"dt={day.isoformat()}"
        d.mkdir(parents=True, exist_ok=True)
        return d / name

    def write(self, table: str, day: dt.date, tbl: pa.Table, name: str = "part-0.parquet", seconds: float = 0.0) -> Path:
        t0 = time.perf_counter()
        path = self.path(table, day, name)
        pq.write_table(tbl, path, compression="zstd")
        st = self.stats[table]
        st["rows"] += tbl.num_rows
        st["files"] += 1
        st["seconds"] += seconds + time.perf_counter() - t0
        return path


def _split_by_day(d: Deferred) -> dict[int, pa.Table]:
    if d.table.num_rows == 0:
        return {}
    order = np.argsort(d.day_index, kind="stable")
    days, first = np.unique(d.day_index[order], return_index=True)
    bounds = list(first[1:]) + [len(order)]
    return {int(day): d.table.take(pa.array(order[a:b])) for day, a, b in zip(days, first, bounds, strict=True)}


def generate(landing: Path, scale: str = "tiny", start: dt.date = dt.date(2023, 1, 1), days: int | None = None,
             seed: int = 42, inject: list[str] | tuple = (),
             progress: Callable[[str], None] | None = None, *, variation: bool = False) -> dict:
    """Write a demo landing zone; returns a report (rows, files, seconds per table, rows/s,
    injected, variation).

    `variation=True` adds legitimate variation (a promotion week, weekly and three-day rhythms,
    a moving channel mix, a shop that stops selling: kscore.generate.variation); the report's
    `variation` (also `_meta/variation.json`) says where.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    unknown = [k for k in inject if k not in INJECT_KINDS]
    if unknown:
        raise ValueError(f"unknown inject kind(s) {unknown}; one of {', '.join(INJECT_KINDS)}")
    if days is not None and days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    sc = SCALES[scale]
    days = days or sc.days
    landing = Path(landing)
    say = progress or (lambda s: None)
    t_start = time.perf_counter()
    if landing.exists():
        for table in TABLES + ["_meta"]:
            shutil.rmtree(landing / table, ignore_errors=True)
    landing.mkdir(parents=True, exist_ok=True)
    writer = _Writer(landing)
    injector = Injector(list(inject), start + dt.timedelta(days=days - 1))

    t0 = time.perf_counter()
    # numpy seeds are non-negative: a negative seed is taken modulo 2**128 (others stay as they are)
    world = build_world(sc, start, days, seed if seed >= 0 else seed % 2**128)
    prepare(world)
    if variation:
        world.variation = V.plan(world, PROMOTIONS)
    world_seconds = time.perf_counter() - t0
    # change records: every version lands in the dt of its updated_at
    for table in CHANGE_TABLES:
        tbl = world.versions[table]
        if tbl.num_rows == 0:
            continue
        upd = tbl.column("updated_at").cast(pa.int64()).to_numpy()
        idx = A.us_day_index(upd, start)
        for k, part in sorted(_split_by_day(Deferred(tbl, idx)).items()):
            writer.write(table, start + dt.timedelta(days=k), part, seconds=world_seconds / len(CHANGE_TABLES) / max(days, 1))
    meta = landing / "_meta"
    meta.mkdir(exist_ok=True)
    pq.write_table(shop_profiles(world), meta / "shop_profiles.parquet")
    described = world.variation.describe(world) if variation else None
    if described is not None:
        text = json.dumps(described, indent=2) + "\n"
        (meta / "variation.json").write_text(text, encoding="utf-8")

    pending: dict[str, dict[int, list[pa.Table]]] = {t: defaultdict(list) for t in ("logistics_events", "refunds", "reviews")}
    for k in range(days):
        day = start + dt.timedelta(days=k)
        newest = k == days - 1
        t0 = time.perf_counter()
        same_day, deferred, facts = generate_day(world, k, injector.order_factor if newest else 1.0)
        for table, d in deferred.items():
            for dk, part in _split_by_day(d).items():
                if dk < days:
                    pending[table][dk].append(part)
        tables = dict(same_day)
        for table in pending:
            parts = pending[table].pop(k, [])
            tables[table] = pa.concat_tables(parts) if parts else A.empty(table)
        gen_seconds = (time.perf_counter() - t0) / len(tables)
        if newest:
            injector.apply_rows(world, tables, facts)
        for table, tbl in tables.items():
            if newest and injector.skips(table):
                continue
            if table == "logistics_events" and tbl.num_rows > 50:
                # upstream delivers logistics in more than one file a day
                cut = tbl.num_rows * 49 // 50
                writer.write(table, day, tbl.slice(0, cut), seconds=gen_seconds)
                writer.write(table, day, tbl.slice(cut), name="part-1.parquet")
            elif tbl.num_rows or table in ("orders", "logistics_events", "product_traffic_daily", "content_daily_stats"):
                writer.write(table, day, tbl, seconds=gen_seconds)
        if newest:
            injector.apply_files(writer, day)
        done = k + 1
        if done == days or done % max(days // 10, 1) == 0:
            rows = sum(s["rows"] for s in writer.stats.values())
            el = time.perf_counter() - t_start
            say(f"  generated {done}/{days} days, {rows:,} rows, {rows / max(el, 1e-9):,.0f} rows/s")
    seconds = time.perf_counter() - t_start
    rows = sum(s["rows"] for s in writer.stats.values())
    return {
        "landing": str(landing), "scale": scale, "start": start.isoformat(), "days": days, "seed": seed,
        "tables": writer.stats, "rows": rows, "seconds": seconds, "rows_per_second": rows / max(seconds, 1e-9),
        "injected": injector.report, "variation": described,
    }
