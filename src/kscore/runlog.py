"""The run log, ops.run_log (spec 06): one row per run, failed and killed runs included.

Rows live in the build file (the one writer's file) and are carried into the
published file at every publish. A row goes through these outcomes:

    running     written when the run starts (with its PID), so that a run killed
                at any point leaves a row
    publishing  the gates passed some days; the publish (atomic rename) is under way
    published | partial | failed
                the end; `published`/`partial` are written into the new published
                file itself before its rename, and into the build file after it, so
                the run log never says published for a day that was not
    interrupted the next run found the row still `running` or `publishing` (the run was
                killed): `reconcile` settles it from the published file's own run log

``reconcile`` runs at the start of every run, under the build lock (so a row
still `running` belongs to a run that no longer holds it).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from kscore import buildfile
from kscore.sqltext import has_table

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
alter table ops.run_log add column if not exists pid integer;
"""
COLUMNS = ("run_id", "started_at", "finished_at", "from_date", "to_date", "as_of_dates",
           "published_dates", "is_backfill", "landed_counts", "gate_results", "outcome", "message",
           "pid")
UNFINISHED = ("running", "publishing")
FINAL_PUBLISHED = ("published", "partial")


def _values(row: dict) -> list:
    return [row["run_id"], row["started_at"], row.get("finished_at"), row["from_date"], row["to_date"],
            ",".join(d.isoformat() for d in row["as_of_dates"]),
            ",".join(d.isoformat() for d in row.get("published_dates") or []),
            bool(row.get("is_backfill", False)),
            json.dumps(row.get("landed_counts", {}), default=str, ensure_ascii=False),
            json.dumps(row.get("gate_results", []), default=str, ensure_ascii=False),
            row["outcome"], row.get("message"), row.get("pid")]


def write(con, row: dict, catalog: str | None = None) -> None:
    """Insert or replace the row of row["run_id"] in ops.run_log of `con` (or of an attached
    catalog)."""
    table = f"{catalog}.ops.run_log" if catalog else "ops.run_log"
    if catalog is None:
        con.execute(RUN_LOG_DDL)
    else:  # a copy (the published file's) has no primary key to replace on
        con.execute(f"delete from {table} where run_id = ?", [row["run_id"]])
    con.execute(f"insert or replace into {table} ({', '.join(COLUMNS)}) "
                f"values ({', '.join('?' for _ in COLUMNS)})", _values(row))


def settle_in(con, catalog: str, run_id: str, outcome: str, finished_at: dt.datetime) -> None:
    """In the new published file (attached as `catalog`, before its rename): the run's row, copied
    from the build file as `publishing`, takes its final outcome."""
    con.execute(f"update {catalog}.ops.run_log set outcome = ?, finished_at = ? where run_id = ?",
                [outcome, finished_at, run_id])


def append(build_db: Path, row: dict) -> None:
    with buildfile.connect(build_db) as con:
        write(con, row)


def _published_outcomes(published: Path, run_ids: list[str]) -> dict[str, tuple]:
    """run_id -> (outcome, message, finished_at, published_dates) as the published file records it."""
    if not run_ids or not Path(published).exists():
        return {}
    try:
        con = duckdb.connect(str(published), read_only=True)
    except duckdb.Error:
        return {}
    try:
        if not has_table(con, "ops", "run_log"):
            return {}
        rows = con.execute("select run_id, outcome, message, finished_at, published_dates "
                           "from ops.run_log where run_id in (select unnest(?::varchar[]))",
                           [run_ids]).fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def reconcile(build_db: Path, published: Path, by_run: str) -> list[str]:
    """Settle the rows of runs that ended without finishing (killed): a row `publishing` whose
    publish reached the published file takes the outcome recorded there; every other `running` or
    `publishing` row becomes `interrupted`. Returns one message per settled row."""
    if not Path(build_db).exists():
        return []
    with buildfile.connect(build_db) as con:
        con.execute(RUN_LOG_DDL)
        open_rows = con.execute(
            "select run_id, outcome, pid from ops.run_log where outcome in ('running', 'publishing') "
            "and run_id <> ? order by started_at", [by_run]).fetchall()
        if not open_rows:
            return []
        found = _published_outcomes(published, [r[0] for r in open_rows])
        now = dt.datetime.now().replace(microsecond=0)
        notes = []
        for run_id, outcome, pid in open_rows:
            rec = found.get(run_id)
            if outcome == "publishing" and rec and rec[0] in FINAL_PUBLISHED:
                con.execute("update ops.run_log set outcome = ?, message = ?, finished_at = ?, "
                            "published_dates = ? where run_id = ?", [rec[0], rec[1], rec[2], rec[3], run_id])
                notes.append(f"run {run_id} was killed after its publish: the published file has its "
                             f"days ({rec[3]}); run log settled as {rec[0]}")
                continue
            where = "while publishing; the published file was not changed" if outcome == "publishing" \
                else "before it finished; nothing it built was published"
            message = (f"interrupted: the run (PID {pid}) ended {where} "
                       f"(found by run {by_run} at {now})")
            con.execute("update ops.run_log set outcome = 'interrupted', message = ?, finished_at = ?, "
                        "published_dates = '' where run_id = ?", [message, now, run_id])
            notes.append(f"run {run_id} {message}")
        return notes


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
            if has_table(con, "ops", "run_log"):
                return con.execute(
                    "select run_id, started_at, finished_at, as_of_dates, published_dates, outcome, message "
                    "from ops.run_log order by started_at desc").fetchall()
        finally:
            con.close()
    return []
