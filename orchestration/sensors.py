"""The sensors.

- `kscore_landing_sensor`: after 06:00 Asia/Shanghai, starts today's run as soon as the day's landing
  partitions (dt = today - 1 of every daily table) are there, unless a run of today's partition exists
  (the 06:00 schedule's, or an earlier request).
- `kscore_published_sensor`: the days `kscore run` published (the CLI's runs, outside Dagster) become
  materializations of the `published` asset's partitions, so Dagster shows every published day, not
  only the ones its own runs published. It reads the published file's run log (`ops.run_log`, read-only)
  and reports one AssetMaterialization per published as_of_date of every finished run it has not seen
  yet, with the CLI's run id in the metadata; its cursor is the last run-log row it reported (finished_at,
  run_id), so each run is reported once. Runs of this Dagster instance are skipped: they materialised
  their partitions themselves.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from dagster import (AssetMaterialization, DagsterInstance, DefaultSensorStatus, MetadataValue, RunRequest, RunsFilter,
                     SensorEvaluationContext, SensorResult, SkipReason, sensor)

from kscore.runlog import FINAL_PUBLISHED
from kscore.sqltext import literal

from orchestration.checks import PUBLISHED
from orchestration.partitions import TIMEZONE
from orchestration.resources import KscoreResource
from orchestration.schedules import JOB_NAME, daily_request

DAILY_HOUR = 6
LANDING_SENSOR = "kscore_landing_sensor"
PUBLISHED_SENSOR = "kscore_published_sensor"


def landing_request(instance: DagsterInstance, landing, now: dt.datetime, partitions=None) -> RunRequest | SkipReason:
    local = now.astimezone(ZoneInfo(TIMEZONE))
    as_of = local.date()
    if local.hour < DAILY_HOUR:
        return SkipReason(f"before {DAILY_HOUR:02d}:00 {TIMEZONE}")
    key = as_of.isoformat()
    if instance.get_runs(filters=RunsFilter(job_name=JOB_NAME, tags={"dagster/partition": key}), limit=1):
        return SkipReason(f"as_of_date {key} already has a run")
    request = daily_request(landing, as_of, partitions)
    if isinstance(request, RunRequest):
        return RunRequest(run_key=f"landing-{key}", partition_key=key)
    return request


def build_sensor(job, partitions=None):
    @sensor(name=LANDING_SENSOR, job=job, minimum_interval_seconds=300,
            default_status=DefaultSensorStatus.RUNNING,
            description="Waits for the day's landing partitions, then runs today's as_of_date (once).")
    def kscore_landing_sensor(context: SensorEvaluationContext, kscore: KscoreResource):
        return landing_request(context.instance, kscore.landing(), dt.datetime.now(dt.timezone.utc), partitions)

    return kscore_landing_sensor


def published_runs(published: Path, after: tuple[str, str] | None = None) -> list[dict]:
    """The finished runs of the published file's run log that published days, oldest first, after the
    row `after` = (finished_at ISO, run_id); [] without a published file or run log."""
    if not Path(published).exists():
        return []
    con = duckdb.connect()  # in-memory + ATTACH read-only: never a writer's lock, never a cached older catalog
    try:
        try:
            con.execute(f"attach {literal(str(published))} as pub (read_only)")
        except duckdb.Error:
            return []
        if not con.execute("select count(*) from duckdb_tables() where database_name = 'pub' and schema_name = 'ops' "
                           "and table_name = 'run_log'").fetchone()[0]:
            return []
        rows = con.execute(
            "select run_id, strftime(coalesce(finished_at, started_at), '%Y-%m-%dT%H:%M:%S') as finished, outcome, "
            "published_dates, is_backfill, message from pub.ops.run_log "
            "where outcome in (select unnest(?::varchar[])) and coalesce(published_dates, '') <> '' "
            "order by finished, run_id", [list(FINAL_PUBLISHED)]).fetchall()
    finally:
        con.close()
    out = []
    for run_id, finished, outcome, dates, backfill, message in rows:
        if after is not None and (finished, run_id) <= tuple(after):
            continue
        out.append({"run_id": run_id, "finished_at": finished, "outcome": outcome, "is_backfill": bool(backfill),
                    "message": message, "published_dates": [d for d in dates.split(",") if d]})
    return out


def published_events(instance: DagsterInstance, published: Path, cursor: str | None,
                     partitions=None) -> tuple[list[AssetMaterialization], str | None, list[str]]:
    """(materializations, new cursor, notes) for the runs of the published file's run log after `cursor`."""
    after = tuple(json.loads(cursor)) if cursor else None
    events, notes, last = [], [], after
    for run in published_runs(published, after):
        last = (run["finished_at"], run["run_id"])
        if instance.has_run(run["run_id"]):
            continue  # a run of this instance: it materialised its partitions itself
        for day in run["published_dates"]:
            if partitions is not None and not partitions.has_partition_key(day):
                notes.append(f"as_of_date {day} (run {run['run_id']}) is not a partition of the loaded code location")
                continue
            events.append(AssetMaterialization(
                PUBLISHED, partition=day,
                description=f"published by `kscore run` (run {run['run_id']}, {run['outcome']})",
                metadata={"run_id": run["run_id"], "outcome": run["outcome"], "finished_at": run["finished_at"],
                          "is_backfill": run["is_backfill"], "recorded_by": "kscore run (ops.run_log)",
                          "published_file": MetadataValue.path(str(published))}))
    new_cursor = json.dumps(list(last)) if last else cursor
    return events, new_cursor, notes


def build_published_sensor(partitions=None):
    @sensor(name=PUBLISHED_SENSOR, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
            description="Records the days `kscore run` published (the published file's ops.run_log) as "
                        "materializations of the `published` partitions, with the CLI's run id.")
    def kscore_published_sensor(context: SensorEvaluationContext, kscore: KscoreResource):
        published = kscore.paths().published
        events, cursor, notes = published_events(context.instance, published, context.cursor, partitions)
        for note in notes:
            context.log.warning(note)
        if not events:
            return SensorResult(skip_reason=SkipReason(f"no new published run in {published}"), cursor=cursor)
        return SensorResult(asset_events=events, cursor=cursor)

    return kscore_published_sensor
