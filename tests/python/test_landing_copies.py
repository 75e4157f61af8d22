"""A key landed more than once (spec 06 §1): an identical copy is a `duplicate` (dropped, counted), a copy
with other content breaks `duplicate_key_conflict` (quarantined), and the first copy is staged.

Real dbt on the tiny zone with copies written into one orders file and one logistics events file (an
event table keyed by (order_id, event_type)): only the base models and their parents are built.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kscore.dbt_runner import dbt_vars, run_dbt
from kscore.paths import warehouse_paths

from conftest import TINY_DAYS, TINY_START, copy_zone

DAY = TINY_START + dt.timedelta(days=3)


def _add_copies(path, change: str, delta) -> tuple[dict, dict]:
    """Append to the Parquet file at `path` an identical copy of its row 0 and a copy of its row 1 whose
    `change` column moved by `delta`; returns (identical row, conflicting row)."""
    table = pq.read_table(path)
    same, other = table.slice(0, 1), table.slice(1, 1)
    moved = other.set_column(other.schema.get_field_index(change), change,
                             pa.array([other.column(change)[0].as_py() + delta], other.schema.field(change).type))
    pq.write_table(pa.concat_tables([table, same, moved]), path)
    return same.to_pylist()[0], other.to_pylist()[0]


@pytest.fixture(scope="module")
def copies_build(tiny_landing, tmp_path_factory):
    root = tmp_path_factory.mktemp("copies")
    landing = copy_zone(tiny_landing, root / "landing")
    orders_file = sorted((landing / "orders" / f"dt={DAY}").glob("*.parquet"))[0]
    events_file = sorted((landing / "logistics_events" / f"dt={DAY}").glob("*.parquet"))[0]
    orders = _add_copies(orders_file, "pay_amount", 1)
    events = _add_copies(events_file, "event_at", dt.timedelta(minutes=1))
    paths = warehouse_paths(root / "wh" / "kscore.duckdb")
    paths.folder.mkdir(parents=True)
    last = TINY_START + dt.timedelta(days=TINY_DAYS)
    vars_ = dbt_vars(last, last, landing, "test-copies")
    summary = run_dbt(["run", "--select", "+base_landing__logistics_events"], paths, landing, vars_,
                      root / "run.log", lambda s: None)
    assert summary["errors"] == [], summary["errors"]
    return paths, orders, events


def _statuses(paths, table: str, where: str, params: list) -> list[tuple]:
    con = duckdb.connect(str(paths.build), read_only=True)
    try:
        return con.execute(f"select row_status, broken_rules from staging.base_landing__{table} where {where} "
                           "order by source_row", params).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("table,key", [("orders", ["order_id"]), ("logistics_events", ["order_id", "event_type"])])
def test_an_identical_copy_is_a_duplicate_and_a_different_one_a_conflict(copies_build, table, key):
    paths, orders, events = copies_build
    same, other = orders if table == "orders" else events
    where = " and ".join(f"{k} = ?" for k in key)
    assert _statuses(paths, table, where, [same[k] for k in key]) == [("staged", ""), ("duplicate", "")]
    conflict = _statuses(paths, table, where, [other[k] for k in key])
    assert conflict[0] == ("staged", "")
    assert [s for s, _ in conflict[1:]] == ["quarantined"] and "duplicate_key_conflict" in conflict[1][1]


def test_keys_landed_once_are_staged_first_copies(copies_build):
    paths, *_ = copies_build
    con = duckdb.connect(str(paths.build), read_only=True)
    try:
        # every other row of the zone is a key landed once: staged, nothing broken
        rows = con.execute("select row_status, count(*) from staging.base_landing__logistics_events "
                           "group by 1 order by 1").fetchall()
    finally:
        con.close()
    counts = dict(rows)
    assert counts.get("duplicate") == 1 and counts.get("quarantined") == 1 and counts["staged"] > 1000
