"""An incremental mart whose table no longer matches its model (a column added or removed by a code change)
stops the run, by dbt's `on_schema_change: fail`, instead of drifting; `kscore run --full-refresh` rebuilds
the incremental models from the landed files and publishes. Real dbt on a copy of the session's baseline
warehouse (test_bad_input.clean_baseline)."""
from __future__ import annotations

import duckdb
import pytest

from test_bad_input import BASE_TO, clean_baseline, copy_warehouse, kscore_main


@pytest.fixture(scope="module")
def stale_build(tmp_path_factory):
    base = clean_baseline(tmp_path_factory)
    published = copy_warehouse(base["wh"], tmp_path_factory.mktemp("stale") / "wh")
    build = published.with_name("kscore_build.duckdb")
    con = duckdb.connect(str(build))
    try:  # the table an older model left behind: one column more than the model has now
        con.execute("alter table marts.shop_experience_score_daily add column retired_column integer")
    finally:
        con.close()
    return base["landing"], published, build


def test_a_stale_incremental_mart_stops_the_run_and_full_refresh_rebuilds_it(stale_build):
    landing, published, build = stale_build
    args = ["run", "--from", str(BASE_TO), "--landing", str(landing), "--warehouse", str(published), "--backfill"]
    stopped = kscore_main(*args)
    assert stopped.returncode == 1
    assert "shop_experience_score_daily" in stopped.stdout + stopped.stderr
    assert "out of sync" in stopped.stdout + stopped.stderr
    rebuilt = kscore_main(*args, "--full-refresh")
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr[-3000:]
    con = duckdb.connect(str(build), read_only=True)
    try:
        columns = {c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = 'marts' "
                                             "and table_name = 'shop_experience_score_daily'").fetchall()}
        days = con.execute("select distinct as_of_date from marts.shop_experience_score_daily").fetchall()
    finally:
        con.close()
    assert "retired_column" not in columns and "experience_score" in columns
    assert days == [(BASE_TO,)]                     # rebuilt: the mart now holds the run's range
