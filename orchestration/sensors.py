"""The landing sensor: after 06:00 Asia/Shanghai, starts today's run as soon as the day's landing
partitions (dt = today - 1 of every daily table) are there, unless a run of today's partition exists
(the 06:00 schedule's, or an earlier request)."""

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import (DagsterInstance, DefaultSensorStatus, RunRequest, RunsFilter, SensorEvaluationContext,
                     SkipReason, sensor)

from orchestration.partitions import TIMEZONE
from orchestration.resources import KscoreResource
from orchestration.schedules import JOB_NAME, daily_request

DAILY_HOUR = 6


def landing_request(instance: DagsterInstance, landing, now: dt.datetime) -> RunRequest | SkipReason:
    local = now.astimezone(ZoneInfo(TIMEZONE))
    as_of = local.date()
    if local.hour < DAILY_HOUR:
        return SkipReason(f"before {DAILY_HOUR:02d}:00 {TIMEZONE}")
    key = as_of.isoformat()
    if instance.get_runs(filters=RunsFilter(job_name=JOB_NAME, tags={"dagster/partition": key}), limit=1):
        return SkipReason(f"as_of_date {key} already has a run")
    request = daily_request(landing, as_of)
    if isinstance(request, RunRequest):
        return RunRequest(run_key=f"landing-{key}", partition_key=key)
    return request


def build_sensor(job):
    @sensor(name="kscore_landing_sensor", job=job, minimum_interval_seconds=300,
            default_status=DefaultSensorStatus.RUNNING,
            description="Waits for the day's landing partitions, then runs today's as_of_date (once).")
    def kscore_landing_sensor(context: SensorEvaluationContext, kscore: KscoreResource):
        return landing_request(context.instance, kscore.landing(), dt.datetime.now(dt.timezone.utc))

    return kscore_landing_sensor
