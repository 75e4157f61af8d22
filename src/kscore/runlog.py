"""The run log, ops.run_log (spec 06): one row per run, failed runs included.

Rows are appended in the build file (the one writer's file) and carried into
the published file at every publish, so the published ops.run_log holds every
run up to its publication, and a run that publishes nothing still leaves its
row (shown by `kscore runs`, which reads the build file when it can).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

RUN_LOG_DDL = """
create schema if not exists ops;
create table if not exists ops.run_log (
    run_id varchar primary key,
    started_at timestamp,
    finished_at timestamp,
    from_date date,
    to_date date,
    as_of_dates varchar,
    published_dates varchar,
    is_backfill boolean,
    landed_counts json,
    gate_results json,
    outcome varchar,
    message varchar
);
"""


def append(build_db: Path, row: dict) -> None:
    con = duckdb.connect(str(build_db))
    try:
        con.execute(RUN_LOG_DDL)
        con.execute(
            "insert or replace into ops.run_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row["run_id"], row["started_at"], row["finished_at"], row["from_date"], row["to_date"],
             ",".join(d.isoformat() for d in row["as_of_dates"]),
             ",".join(d.isoformat() for d in row["published_dates"]),
             bool(row.get("is_backfill", False)),
             json.dumps(row.get("landed_counts", {}), default=str, ensure_ascii=False),
             json.dumps(row.get("gate_results", []), default=str, ensure_ascii=False),
             row["outcome"], row.get("message")],
        )
    finally:
        con.close()


def read(build_db: Path, published: Path) -> list[tuple]:
    """The run log, newest first: from the build file, else the published file."""
    for path in (build_db, published):
        if not Path(path).exists():
            continue
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            continue
        try:
            if con.execute("select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = 'run_log'").fetchone()[0]:
                return con.execute(
                    "select run_id, started_at, finished_at, as_of_dates, published_dates, outcome, message "
                    "from ops.run_log order by started_at desc").fetchall()
        finally:
            con.close()
    return []
