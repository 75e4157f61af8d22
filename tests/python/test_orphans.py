"""An orphan order waits in quarantine and is released once its shop lands (spec 06 §1).

Day N is the shared baseline run of test_bad_input: its zone (`--inject orphan_order`) carries 3 orders
on ORPHAN_DAY whose shop has not landed; the run quarantines them under `shop_not_found` (3 of ~500 rows
is within the 1% quarantine share, so the day publishes). Day N+1 is the shared next-day run: the next
delivery lands on the same zone together with the missing shop; the run re-reads the partition holding
the orphans and stages them, and landed = staged + quarantined + duplicates holds on both days. (That
day also carries test_bad_input's row-level bad input, which stops its publication; staging, where the
release happens, is built either way.)
"""
from __future__ import annotations

import duckdb
import pytest

from test_bad_input import (NEWEST, ORPHAN_DAY, assert_counts_reconcile, clean_baseline, next_day_run)


def orphans(build, day) -> list[int]:
    con = duckdb.connect(str(build), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select order_id from quarantine.orders where rule = 'shop_not_found' and dt = ? order by 1", [day]).fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = clean_baseline(tmp_path_factory)
    base_build = base["wh"] / "kscore_build.duckdb"
    day_n_orphans = orphans(base_build, ORPHAN_DAY)  # read before anything else touches the zone
    nxt = next_day_run(tmp_path_factory)
    return {"base": base, "base_build": base_build, "orphans": day_n_orphans, "next": nxt}


def test_orphan_is_quarantined_on_day_n(runs):
    assert runs["base"]["out"].returncode == 0
    assert len(runs["orphans"]) == 3
    con = duckdb.connect(str(runs["base_build"]), read_only=True)
    try:
        staged = con.execute("select count(*) from staging.stg_landing__orders where order_id in (select unnest(?))",
                             [runs["orphans"]]).fetchone()[0]
        shop = con.execute("select count(*) from staging.stg_landing__shops where shop_id = ?",
                           [runs["next"]["orphan_shop"]]).fetchone()[0]
    finally:
        con.close()
    assert staged == 0 and shop == 0
    assert_counts_reconcile(runs["base_build"], ORPHAN_DAY)


def test_orphan_is_staged_on_day_n_plus_1_after_its_shop_lands(runs):
    nxt = runs["next"]
    assert "Traceback" not in nxt["out"].stdout + nxt["out"].stderr
    assert orphans(nxt["build"], ORPHAN_DAY) == []
    con = duckdb.connect(str(nxt["build"]), read_only=True)
    try:
        staged = con.execute("select order_id, shop_id, dt from staging.stg_landing__orders where order_id in (select unnest(?))",
                             [runs["orphans"]]).fetchall()
        counts = con.execute("select staged_rows, quarantined_rows, landed_rows from ops.landing_counts "
                             "where table_name = 'orders' and dt = ?", [ORPHAN_DAY]).fetchone()
        shop = con.execute("select count(*) from staging.stg_landing__shops where shop_id = ?",
                           [nxt["orphan_shop"]]).fetchone()[0]
    finally:
        con.close()
    assert shop == 1
    assert sorted(o for o, _, _ in staged) == runs["orphans"]
    assert {(s, d) for _, s, d in staged} == {(nxt["orphan_shop"], ORPHAN_DAY)}
    assert counts[1] == 0 and counts[0] == counts[2]


def test_counts_reconcile_on_both_days(runs):
    for day in (ORPHAN_DAY, NEWEST):
        assert_counts_reconcile(runs["next"]["build"], day)
