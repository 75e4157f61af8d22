"""An orphan order waits in quarantine and is released once its shop lands (spec 06 §1).

Day N: the orders of NEWEST carry 3 orders of a shop that has not landed; the run quarantines them
under `shop_not_found` (3 of ~500 rows is under the 1% quarantine share, so the day publishes).
Day N+1: the next day's delivery lands together with the missing shop; the next run re-reads the
partition holding the orphans, stages them, and the counts reconcile on both days.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import TINY_DAYS, TINY_START
from test_bad_input import AS_OF, NEWEST, assert_counts_reconcile, clean_baseline, copy_warehouse, kscore

NEXT = NEWEST + dt.timedelta(days=1)


def orphans(con, day: dt.date) -> list[int]:
    return [r[0] for r in con.execute(
        "select order_id from quarantine.orders where rule = 'shop_not_found' and dt = ? order by 1", [day]).fetchall()]


@pytest.fixture(scope="module")
def orphan_runs(tmp_path_factory):
    from kscore.generate import generate

    base = clean_baseline(tmp_path_factory)
    landing = base["landing"]  # carries the orphan orders on NEWEST; the baseline published the days before
    orphan_shop = int(re.search(r"shop_id (\d+)", base["report"]["injected"]["orphan_order"]).group(1))
    root = tmp_path_factory.mktemp("orphans")
    published = copy_warehouse(base["wh"], root / "wh")
    build = root / "wh" / "kscore_build.duckdb"

    day_n = kscore("run", "--from", str(AS_OF), "--landing", str(landing), "--warehouse", str(published))
    con = duckdb.connect(str(build), read_only=True)
    quarantined = orphans(con, NEWEST)
    con.close()
    shutil.copytree(build.parent / "runs", root / "runs_day_n")

    # day N+1 lands: the next day of the same world, plus the orphans' shop
    nxt = root / "next"
    generate(nxt, scale="tiny", start=TINY_START, days=TINY_DAYS + 1, seed=42)
    for table_dir in nxt.iterdir():
        part = table_dir / f"dt={NEXT}"
        if part.is_dir():
            shutil.copytree(part, landing / table_dir.name / f"dt={NEXT}")
    shops = pq.read_table(next((nxt / "shops").glob("dt=*/*.parquet")))
    parent = shops.slice(0, 1)
    parent = parent.set_column(parent.schema.get_field_index("shop_id"), "shop_id",
                               pa.array([orphan_shop], parent.schema.field("shop_id").type))
    at = pa.array([dt.datetime.combine(NEXT, dt.time(9, 0))], parent.schema.field("updated_at").type)
    parent = parent.set_column(parent.schema.get_field_index("updated_at"), "updated_at", at)
    (landing / "shops" / f"dt={NEXT}").mkdir(parents=True, exist_ok=True)
    pq.write_table(parent, landing / "shops" / f"dt={NEXT}" / "part-late-parent.parquet")

    day_n1 = kscore("run", "--from", str(NEXT + dt.timedelta(days=1)), "--landing", str(landing),
                    "--warehouse", str(published))
    return {"day_n": day_n, "day_n1": day_n1, "quarantined": quarantined, "build": build,
            "published": published, "orphan_shop": orphan_shop}


def test_orphan_is_quarantined_on_day_n(orphan_runs):
    r = orphan_runs
    assert r["day_n"].returncode == 0, r["day_n"].stdout[-2000:] + r["day_n"].stderr[-2000:]
    assert len(r["quarantined"]) == 3, r["quarantined"]


def test_orphan_is_staged_on_day_n_plus_1(orphan_runs):
    r = orphan_runs
    assert r["day_n1"].returncode == 0, r["day_n1"].stdout[-2000:] + r["day_n1"].stderr[-2000:]
    con = duckdb.connect(str(r["build"]), read_only=True)
    try:
        assert orphans(con, NEWEST) == []
        staged = con.execute("select order_id, shop_id, dt from staging.stg_landing__orders where order_id in (select unnest(?))",
                             [r["quarantined"]]).fetchall()
        assert sorted(o for o, _, _ in staged) == r["quarantined"]
        assert {(s, d) for _, s, d in staged} == {(r["orphan_shop"], NEWEST)}
        counts = con.execute("select staged_rows, quarantined_rows from ops.landing_counts where table_name = 'orders' and dt = ?",
                             [NEWEST]).fetchone()
        assert counts[1] == 0 and counts[0] > 400
    finally:
        con.close()


def test_counts_reconcile_on_both_days(orphan_runs):
    r = orphan_runs
    for day in (NEWEST, NEXT):
        assert_counts_reconcile(r["build"], day)
    # the published file carries both as_of_dates and the staging-reconciled product marts
    con = duckdb.connect(str(r["published"]), read_only=True)
    try:
        days = {d for (d,) in con.execute("select distinct as_of_date from marts.product_tier_daily").fetchall()}
    finally:
        con.close()
    assert {AS_OF, NEXT + dt.timedelta(days=1)} <= days
