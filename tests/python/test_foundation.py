"""Foundation (issue 2): CLI contract, staging reconciliation, quarantine rules, range builds."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kscore.pipeline import run

from conftest import TINY_DAYS, TINY_START, last_as_of

KSCORE = str(Path(sys.executable).with_name("kscore"))

# injected row-level bad input → the rule its rows must be quarantined under
ROW_KINDS = {
    "negative_amount": ("orders", "negative_amount"),
    "future_timestamp": ("orders", "future_timestamp"),
    "orphan_order": ("orders", "shop_not_found"),
    "refund_exceeds_order": ("refunds", "refund_exceeds_order"),
    "delivered_before_shipped": ("logistics_events", "event_sequence"),
    "overlong_live_session": ("live_sessions", "session_longer_than_max_days"),
}


@pytest.mark.parametrize("sub", ["generate", "run", "validate", "runs"])
def test_every_subcommand_has_help(sub):
    out = subprocess.run([KSCORE, sub, "--help"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "usage: kscore " + sub in out.stdout


def test_inject_help_lists_every_kind():
    out = subprocess.run([KSCORE, "generate", "--inject", "help"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    for kind in [*ROW_KINDS, "truncated_parquet", "missing_column", "duplicate_file", "duplicate_keys"]:
        assert kind in out.stdout


@pytest.fixture(scope="module")
def injected_build(tmp_path_factory):
    """A tiny zone with every row-level bad input (and duplicates) in its newest day, built once."""
    from kscore.generate import generate

    root = tmp_path_factory.mktemp("injected")
    landing = root / "landing"
    report = generate(landing, scale="tiny", start=TINY_START, days=TINY_DAYS, seed=7,
                      inject=[*ROW_KINDS, "duplicate_keys"])
    result = run(last_as_of(), last_as_of(), landing, root / "wh" / "kscore.duckdb", progress=lambda s: None)
    build = root / "wh" / "kscore_build.duckdb"
    return report, result, build


def test_landed_equals_staged_plus_quarantined_plus_duplicates(injected_build):
    _, _, build = injected_build
    con = duckdb.connect(str(build), read_only=True)
    rows = con.execute("""
        with ledger as (
            select table_name, dt, sum(row_count) as file_rows
            from ops.landed_files where status = 'accepted' group by 1, 2
        )
        select l.table_name, l.dt, l.file_rows, c.landed_rows, c.staged_rows, c.quarantined_rows, c.duplicate_rows
        from ledger l left join ops.landing_counts c using (table_name, dt)
        order by 1, 2""").fetchall()
    assert len(rows) >= 8 * TINY_DAYS  # the daily tables every day, change records on the days they changed
    for table, day, file_rows, landed, staged, quarantined, duplicates in rows:
        assert landed == file_rows, f"{table} {day}: read {landed} rows of {file_rows} landed"
        assert staged + quarantined + duplicates == landed, f"{table} {day}"
    tables = {r[0] for r in rows}
    assert len(tables) >= 12  # activity_registrations land only before an activity


def test_each_injected_kind_is_quarantined_under_its_rule(injected_build):
    report, _, build = injected_build
    newest = TINY_START + dt.timedelta(days=TINY_DAYS - 1)
    con = duckdb.connect(str(build), read_only=True)
    for kind, (table, rule) in ROW_KINDS.items():
        n = con.execute(f"select count(*) from quarantine.{table} where rule = ? and dt = ?", [rule, newest]).fetchone()[0]
        assert n > 0, f"{kind}: no {table} row quarantined under {rule} on {newest}"
    dups = con.execute("select duplicate_rows from ops.landing_counts where table_name = 'orders' and dt = ?",
                       [newest]).fetchone()[0]
    assert dups > 0, "duplicate_keys: no duplicate dropped and counted"
    # clean days carry no quarantine of these kinds
    earlier = con.execute("select count(*) from quarantine.orders where dt < ? and rule in ('negative_amount', 'shop_not_found')",
                          [newest]).fetchone()[0]
    assert earlier == 0


def test_staged_rows_break_no_rule(injected_build):
    _, _, build = injected_build
    con = duckdb.connect(str(build), read_only=True)
    assert con.execute("select count(*) from staging.stg_landing__orders where pay_amount < 0").fetchone()[0] == 0
    assert con.execute("""select count(*) from staging.stg_landing__refunds r join staging.stg_landing__orders o using (order_id)
                          where r.refund_amount > o.pay_amount""").fetchone()[0] == 0
    assert con.execute("select count(*) from (select order_id from staging.stg_landing__orders "
                       "group by 1 having count(*) > 1)").fetchone()[0] == 0


def test_both_events_of_an_out_of_order_pair_are_quarantined(injected_build):
    """delivered 2 h before shipped (3 orders): we cannot know which event is wrong, so both leave staging."""
    _, _, build = injected_build
    newest = TINY_START + dt.timedelta(days=TINY_DAYS - 1)
    con = duckdb.connect(str(build), read_only=True)
    try:
        rows = con.execute("""select event_type, count(*) from quarantine.logistics_events
                              where rule = 'event_sequence' and dt = ? group by 1 order by 1""", [newest]).fetchall()
        orders = [r[0] for r in con.execute("""select distinct order_id from quarantine.logistics_events
                                               where rule = 'event_sequence' and dt = ?""", [newest]).fetchall()]
        staged = con.execute("select count(*) from staging.stg_landing__logistics_events where order_id in (select unnest(?))",
                             [orders]).fetchone()[0]
    finally:
        con.close()
    assert rows == [("delivered", 3), ("shipped", 3)]
    assert staged == 0
