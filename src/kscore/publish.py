"""Write-audit-publish, the publish half (spec 06).

The build writes into the build file; readers use the published file. To
publish the as_of_dates that passed every gate, a new file is written beside
the published one — the published file's rows for other days, the build
file's rows for the passing days — with an explicit older storage version so
that the DuckDB 1.x readers BI tools bundle can open it, and then renamed
over the published file (atomic on one filesystem). A reader holding the old
file open keeps reading the old file; it sees the new data when it reopens.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from kscore.paths import WarehousePaths

# DuckDB 1.1+ clients read this storage version; DuckDB 2.0's default they cannot.
STORAGE_VERSION = os.environ.get("KSCORE_STORAGE_VERSION", "v1.1.0")
# Schemas copied whole from the build file (current state, not per day).
SNAPSHOT_SCHEMAS = ("quarantine",)
SNAPSHOT_OPS_TABLES = ("landing_counts", "landed_files", "run_log")


def _tables(con, db: str, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ? order by 1",
        [db, schema]).fetchall()] + [r[0] for r in con.execute(
        "select view_name from duckdb_views() where database_name = ? and schema_name = ? and not internal order by 1",
        [db, schema]).fetchall()]


def _columns(con, db: str, schema: str, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from duckdb_columns() where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [db, schema, table]).fetchall()]


def _copy_comments(con, src_db: str, dst_db: str, schema: str, table: str) -> None:
    """Carry dbt's persisted descriptions (table and column comments) into the published file."""
    row = con.execute("select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
                      [src_db, schema, table]).fetchone()
    if row and row[0]:
        con.execute(f"comment on table {dst_db}.{schema}.{table} is {_lit(row[0])}")
    for col, comment in con.execute(
            "select column_name, comment from duckdb_columns() where database_name = ? and schema_name = ? and table_name = ? and comment is not null",
            [src_db, schema, table]).fetchall():
        con.execute(f'comment on column {dst_db}.{schema}.{table}."{col}" is {_lit(comment)}')


def _lit(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def published_as_of_dates(published: Path) -> set[dt.date]:
    """The as_of_dates the published file holds in any mart (empty when there is no published file)."""
    if not Path(published).exists():
        return set()
    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_columns() where schema_name = 'marts' and column_name = 'as_of_date'").fetchall()]
        if not tables:
            return set()
        sql = " union ".join(f"select distinct as_of_date from marts.{t}" for t in tables)
        return {r[0] for r in con.execute(sql).fetchall()}
    finally:
        con.close()


def publish(paths: WarehousePaths, days: list[dt.date]) -> Path:
    """Publish the marts of `days` from the build file; other days keep their published rows."""
    published = paths.published
    tmp = published.with_name(published.name + ".publishing")
    if tmp.exists():
        tmp.unlink()
    wal = tmp.with_name(tmp.name + ".wal")
    if wal.exists():
        wal.unlink()
    published.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        # attach the build file under its own name: its views name their catalog
        b = paths.build.stem
        con.execute(f"attach '{paths.build}' as {b} (read_only)")
        has_old = published.exists()
        if has_old:
            con.execute(f"attach '{published}' as old (read_only)")
        con.execute(f"attach '{tmp}' as p (storage_version '{STORAGE_VERSION}')")
        con.execute("create temp table publish_days(as_of_date date)")
        if days:
            con.executemany("insert into publish_days values (?)", [[d] for d in days])
        for schema in ("marts", "ops", *SNAPSHOT_SCHEMAS):
            con.execute(f"create schema if not exists p.{schema}")
        # marts: per as_of_date
        build_marts = set(_tables(con, b, "marts"))
        old_marts = set(_tables(con, "old", "marts")) if has_old else set()
        for table in sorted(build_marts | old_marts):
            parts = []
            if table in old_marts:
                old_cols = _columns(con, "old", "marts", table)
                if "as_of_date" in old_cols:
                    parts.append(f"select * from old.marts.{table} where as_of_date not in (select as_of_date from publish_days)")
                elif not days or table not in build_marts:
                    parts.append(f"select * from old.marts.{table}")
            if table in build_marts and days:
                build_cols = _columns(con, b, "marts", table)
                if "as_of_date" in build_cols:
                    parts.append(f"select * from {b}.marts.{table} where as_of_date in (select as_of_date from publish_days)")
                else:
                    parts.append(f"select * from {b}.marts.{table}")
            if not parts:
                continue
            con.execute(f"create table p.marts.{table} as " + " union all by name ".join(parts))
            _copy_comments(con, b if table in build_marts else "old", "p", "marts", table)
        # snapshots of the build's current state
        for schema in SNAPSHOT_SCHEMAS:
            for table in _tables(con, b, schema):
                con.execute(f"create table p.{schema}.{table} as select * from {b}.{schema}.{table}")
        for table in SNAPSHOT_OPS_TABLES:
            if table in _tables(con, b, "ops"):
                con.execute(f"create table p.ops.{table} as select * from {b}.ops.{table}")
        con.execute("detach p")
    finally:
        con.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, published)
    return published
