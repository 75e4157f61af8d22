"""A range of as_of_dates is one build, and it equals the day-by-day builds (spec 07);
running the same as_of_date twice changes nothing (spec 01: idempotent)."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pandas as pd
import pytest

from kscore.pipeline import RunError, run

from conftest import last_as_of

VOLATILE = {"run_id", "processed_by_run"}


def marts_of(published, days) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        out = {}
        tables = con.execute("select table_name from information_schema.tables "
                             "where table_schema = 'marts' order by 1").fetchall()
        for (table,) in tables:
            cols = [c for (c,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ?", [table]).fetchall()]
            where = "where as_of_date in (select unnest(?))" if "as_of_date" in cols else ""
            df = con.execute(f"select * from marts.{table} {where}", [days] if where else []).df()
            df = df[[c for c in df.columns if c not in VOLATILE]]
            for c in df.columns:
                if pd.api.types.is_float_dtype(df[c]):
                    df[c] = df[c].round(6)
            out[table] = df.sort_values(list(df.columns)).reset_index(drop=True)
        assert out, f"no marts in {published}"
        return out
    finally:
        con.close()


def assert_same_marts(a: dict, b: dict):
    assert a.keys() == b.keys()
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table], check_dtype=False, obj=f"marts.{table}")


@pytest.fixture(scope="module")
def builds(tiny_landing, tmp_path_factory):
    d2 = last_as_of()
    d1 = d2 - dt.timedelta(days=1)
    quiet = lambda s: None  # noqa: E731
    root = tmp_path_factory.mktemp("range")
    ranged = run(d1, d2, tiny_landing, root / "ranged" / "kscore.duckdb", progress=quiet)
    first = run(d1, d1, tiny_landing, root / "daily" / "kscore.duckdb", progress=quiet)
    # the build file as the increment finds it (test_increment_writes_only_the_new_day_and_its_look_back)
    shutil.copyfile(root / "daily" / "kscore_build.duckdb", root / "before_increment.duckdb")
    second = run(d2, d2, tiny_landing, root / "daily" / "kscore.duckdb", progress=quiet)
    # and as the increment left it (later tests run again on the daily warehouse), with the SQL it ran
    shutil.copyfile(root / "daily" / "kscore_build.duckdb", root / "after_increment.duckdb")
    shutil.copytree(root / "daily" / "dbt_target" / "run", root / "increment_sql")
    shutil.copyfile(root / "daily" / "dbt_target" / "manifest.json", root / "increment_manifest.json")
    shutil.copyfile(root / "daily" / "dbt_logs" / "dbt.log", root / "increment_dbt.log")
    return d1, d2, ranged, first, second, root


def test_range_is_one_dbt_invocation(builds):
    d1, d2, ranged, *_ = builds
    assert ranged.ok, ranged.message
    assert ranged.published_dates == [d1, d2]
    run_dir = ranged.published_file.parent / "runs" / ranged.run_id
    assert len(list(run_dir.glob("dbt_build*.log"))) == 1


def test_range_build_equals_day_by_day(builds):
    d1, d2, ranged, first, second, _ = builds
    assert first.ok and second.ok, (first.message, second.message)
    a = marts_of(ranged.published_file, [d1, d2])
    b = marts_of(second.published_file, [d1, d2])
    assert any(len(df) for df in a.values()) or not a
    assert_same_marts(a, b)


def test_same_as_of_date_twice_is_idempotent(builds, tiny_landing):
    d1, d2, _, _, second, _ = builds
    before = marts_of(second.published_file, [d1, d2])
    con = duckdb.connect(str(second.published_file.parent / "kscore_build.duckdb"), read_only=True)
    counts_sql = ("select table_name, dt, landed_rows, staged_rows, quarantined_rows, duplicate_rows "
                  "from ops.landing_counts order by all")
    counts_before = con.execute(counts_sql).fetchall()
    con.close()
    with pytest.raises(RunError, match="already published.*--backfill"):
        run(d2, d2, tiny_landing, second.published_file, progress=lambda s: None)  # not without saying so
    again = run(d2, d2, tiny_landing, second.published_file, progress=lambda s: None, is_backfill=True)
    assert again.ok, again.message
    assert_same_marts(before, marts_of(again.published_file, [d1, d2]))
    con = duckdb.connect(str(second.published_file.parent / "kscore_build.duckdb"), read_only=True)
    assert con.execute(counts_sql).fetchall() == counts_before
    con.close()


def test_run_log_records_every_run(builds):
    *_, second, root = builds
    con = duckdb.connect(str(second.published_file), read_only=True)
    rows = con.execute("select run_id, outcome, published_dates, landed_counts from ops.run_log order by started_at").fetchall()
    con.close()
    assert [r[1] for r in rows][:2] == ["published", "published"]
    counts = json.loads(rows[-1][3])
    order_counts = counts["orders"]
    assert order_counts["landed"] == order_counts["staged"] + order_counts["quarantined"] + order_counts["duplicates"]
    # each row counts what its run processed: the cold start read every day, the increment its look-back only
    cold, increment = json.loads(rows[0][3]), json.loads(rows[1][3])
    assert cold["orders"]["landed"] > increment["orders"]["landed"] > 0
    con = duckdb.connect(str(second.published_file), read_only=True)
    gate_results = json.loads(con.execute("select gate_results from ops.run_log where run_id = ?", [second.run_id]).fetchone()[0])
    con.close()
    assert gate_results["failed"] == [] and gate_results["passed"] > 50


def test_increment_writes_only_the_new_day_and_its_look_back(builds):
    """Issue 15: a daily increment re-stages the new partition and the look-back only (the rows the build
    wrote carry its run_id), and adds the new as_of_date to the marts without rewriting the earlier one."""
    d1, d2, _, first, second, root = builds
    assert first.ok and second.ok, (first.message, second.message)
    lookback = 7  # dbt_project.yml vars.lookback_days
    con = duckdb.connect()
    con.execute(f"attach '{root / 'before_increment.duckdb'}' as before_run (read_only)")
    con.execute(f"attach '{root / 'after_increment.duckdb'}' as after_run (read_only)")
    base_tables = [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where database_name = 'after_run' "
        "and schema_name = 'staging' and table_name like 'base_landing__%' order by 1").fetchall()]
    assert len(base_tables) == 13
    written_somewhere = 0
    for table in base_tables:
        newest, total, written, oldest_written = con.execute(
            f"select max(dt), count(*), count(*) filter (where run_id = ?), min(dt) filter (where run_id = ?) "
            f"from after_run.staging.{table}", [second.run_id, second.run_id]).fetchone()
        if not total:
            continue  # nothing landed for this table in the tiny zone
        # partitions re-read for other reasons (rows quarantined for a rule that may heal) were quarantined
        rechecked = {d for (d,) in con.execute(
            f"select distinct dt from before_run.staging.{table} where row_status = 'quarantined'").fetchall()}
        outside = {d for (d,) in con.execute(
            f"select distinct dt from after_run.staging.{table} where run_id = ? and dt < ?",
            [second.run_id, newest - dt.timedelta(days=lookback)]).fetchall()} - rechecked
        assert not outside, f"{table}: the increment re-staged partitions {sorted(outside)} outside its look-back"
        if total > 200:
            assert written < total, f"{table}: the increment re-staged every row"
        written_somewhere += written
    assert written_somewhere > 0
    marts = [t for (t,) in con.execute(
        "select table_name from duckdb_columns() where database_name = 'after_run' and schema_name = 'marts' "
        "and column_name = 'as_of_date' order by 1").fetchall()]
    assert len(marts) >= 10
    for table in marts:
        # a mart materialised as a table holds the build's as_of_dates only: compare the days both hold
        kept = f"where as_of_date in (select as_of_date from after_run.marts.{table})"
        changed = con.execute(
            f"select distinct as_of_date from ("
            f"(select * from after_run.marts.{table} except all select * from before_run.marts.{table} {kept}) "
            f"union all "
            f"(select * from before_run.marts.{table} {kept} except all select * from after_run.marts.{table})"
            f") order by 1").fetchall()
        assert {d for (d,) in changed} <= {d2}, f"marts.{table}: the increment changed {changed}, not only {d2}"
    con.close()


def test_increment_keeps_partial_parsing_and_judges_only_its_own_days(builds):
    """Issue 15, dbt's fixed cost: the per-run values reach dbt in the environment (macro run_var), so the
    increment's dbt re-parses only what changed; and the data tests of the marts incremental by as_of_date
    read the increment's as_of_date only (macro get_where_subquery), the earlier days were judged by the
    run that wrote them."""
    d1, d2, _, first, second, root = builds
    assert first.ok and second.ok, (first.message, second.message)
    invocations = (root / "increment_dbt.log").read_text(encoding="utf-8").split("Running with dbt=")
    assert len(invocations) >= 3, "expected the first run's and the increment's dbt invocations in dbt.log"
    increment = invocations[-1]
    assert "Unable to do partial parsing" not in increment, increment[:3000]
    assert "Partial parsing enabled" in increment, increment[:3000]
    nodes = json.loads((root / "increment_manifest.json").read_text())["nodes"].values()

    def sql_of_tests_on(model: str) -> list[str]:
        return [(root / "increment_sql" / "kscore" / n["original_file_path"] / n["path"]).read_text(encoding="utf-8")
                for n in nodes if n["resource_type"] == "test" and n.get("attached_node") == f"model.kscore.{model}"]

    # every data test of a mart incremental by as_of_date reads the increment's day only
    for model in ("product_tier_daily", "shop_experience_score_daily", "creator_reputation_score_daily"):
        tests = sql_of_tests_on(model)
        assert len(tests) >= 2, model
        for sql in tests:
            assert f"as_of_date >= cast('{d2}' as date)" in sql and f"as_of_date <= cast('{d2}' as date)" in sql, sql
    # a table keyed by its landed date is still judged whole (its keys must be unique across days)
    staged = sql_of_tests_on("stg_landing__orders")
    assert staged and all("dbt_subquery" not in sql for sql in staged), staged
