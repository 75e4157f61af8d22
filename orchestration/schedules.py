"""The job and the 06:00 Asia/Shanghai schedule.

`kscore_daily` materialises the whole graph (raw gates, dbt, mart gates, publish) for a partition or
a range of partitions; every asset has a single-run backfill policy, so a backfill of any range is
one run over the range. Runs carry the tag kscore/writer=build_file (limit 1 in
orchestration/dagster_home/dagster.yaml) and their steps the pool kscore_build_file (limit 1).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import (AssetSelection, DefaultScheduleStatus, RunRequest,
                     ScheduleEvaluationContext, SkipReason, define_asset_job, schedule)

from orchestration.assets import LANDING_GROUP
from orchestration.partitions import TIMEZONE, missing_landing
from orchestration.resources import KscoreResource

JOB_NAME = "kscore_daily"
WRITER_TAG = {"kscore/writer": "build_file"}


def build_job():
    return define_asset_job(
        JOB_NAME, selection=AssetSelection.all() - AssetSelection.groups(LANDING_GROUP),
        tags=WRITER_TAG,
        description="Build, gate and publish the as_of_dates of the partition (range) in one dbt build.")


def daily_request(landing, as_of_date: dt.date, partitions=None) -> RunRequest | SkipReason:
    """Today's run once its data day (D-1) has landed for every daily table (and, with `partitions`, the
    loaded code location has its partition: a zone's partitions end at its newest landed day + 1)."""
    missing = missing_landing(landing, as_of_date)
    if missing:
        return SkipReason(f"as_of_date {as_of_date}: waiting for the landing of dt={as_of_date - dt.timedelta(days=1)} "
                          f"({', '.join(missing)})")
    key = as_of_date.isoformat()
    if partitions is not None and not partitions.has_partition_key(key):
        return SkipReason(f"as_of_date {key} has landed but is not a partition of the loaded code location (its "
                          f"partitions end at the newest landed day + 1 when it loaded): reload the code location")
    return RunRequest(run_key=key, partition_key=key)


def build_schedule(job, partitions=None):
    @schedule(name="kscore_daily_0600", job=job, cron_schedule="0 6 * * *", execution_timezone=TIMEZONE,
              default_status=DefaultScheduleStatus.RUNNING,
              description="Every morning at 06:00 Asia/Shanghai: today's as_of_date, if yesterday's data landed "
                          "(else kscore_landing_sensor starts it when it lands).")
    def kscore_daily_0600(context: ScheduleEvaluationContext, kscore: KscoreResource):
        as_of = context.scheduled_execution_time.astimezone(ZoneInfo(TIMEZONE)).date()
        return daily_request(kscore.landing(), as_of, partitions)

    return kscore_daily_0600
