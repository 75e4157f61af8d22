"""One daily partition per as_of_date (Asia/Shanghai) that the landing zone can build.

As_of_date D reads the data of days < D (spec 07: the marts of D read each table as of D-1, and a run
of D waits for dt = D-1 of every daily table), so:

- the first partition is the day after the first landed dt of the daily feed;
- the last partition is the day after the newest dt that every daily table has landed (the newest
  buildable as_of_date), fixed when the code location loads. No partition is shown for a day the
  zone cannot build (a demo zone of 2023 does not show three years of *Missing* days).

A live feed (its newest buildable as_of_date is today or yesterday in Asia/Shanghai when the code
location loads) follows the clock instead: today's partition exists from midnight (end_offset=1), so
a long-running code location gets each new day for the 06:00 schedule without a reload. A zone that
lands a new day otherwise needs a reload of the code location (UI: Deployment → Reload) to show it.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import DailyPartitionsDefinition

from kscore.gates import EXPECTED_DAILY_TABLES
from kscore.pipeline import landed_days as _landed_days

TIMEZONE = "Asia/Shanghai"
# when no landing zone is there yet (a fresh checkout): $KSCORE_FIRST_AS_OF, else this day
FALLBACK_FIRST_AS_OF = dt.date(2023, 1, 2)
DAY = dt.timedelta(days=1)


def _table_days(landing: Path, table: str) -> set[dt.date]:
    """The landed days of one table: kscore.pipeline.landed_days, the listing `kscore run` checks its range
    with (a dt= folder holding a Parquet file; a folder that names no real day, dt=2023-02-30, is left to
    the raw gate instead of failing the code location's load)."""
    return set(_landed_days(landing, [table]))


def landed_days(landing: Path, tables=EXPECTED_DAILY_TABLES) -> list[dt.date]:
    """Every dt with a landed file of one of `tables` in the landing zone (<landing>/<table>/dt=YYYY-MM-DD/)."""
    return _landed_days(landing, tables)


def first_as_of_date(landing: Path) -> dt.date:
    """The day after the first landed day of the daily feed (master data may land a day earlier)."""
    days = landed_days(landing)
    if days:
        return days[0] + DAY
    return dt.date.fromisoformat(os.environ.get("KSCORE_FIRST_AS_OF") or FALLBACK_FIRST_AS_OF.isoformat())


def last_as_of_date(landing: Path) -> dt.date | None:
    """The newest buildable as_of_date: the day after the newest dt that every daily table has landed
    (None: no such dt)."""
    per_table = [_table_days(landing, t) for t in EXPECTED_DAILY_TABLES]
    common = set.intersection(*per_table) if per_table else set()
    return max(common) + DAY if common else None


def today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(TIMEZONE)).date()


def daily_partitions(landing: Path, now: dt.datetime | None = None) -> DailyPartitionsDefinition:
    """Daily partitions from the first to the newest buildable as_of_date of the zone; a partition exists
    from the midnight that starts its day (end_offset=1), so today's is there for the 06:00 run. A live feed
    has no fixed end (the clock ends it)."""
    start = first_as_of_date(landing)
    last = max(last_as_of_date(landing) or start, start)
    live = today(now) - DAY <= last <= today(now)
    return DailyPartitionsDefinition(start_date=start.isoformat(), end_date=None if live else (last + DAY).isoformat(),
                                     timezone=TIMEZONE, end_offset=1, fmt="%Y-%m-%d")


def missing_landing(landing: Path, as_of_date: dt.date) -> list[str]:
    """The daily tables whose partition for as_of_date's data day (D-1) has not landed yet ([] = ready)."""
    day = as_of_date - DAY
    missing = []
    for table in EXPECTED_DAILY_TABLES:
        folder = landing / table / f"dt={day.isoformat()}"
        if not (folder.is_dir() and any(folder.glob("*.parquet"))):
            missing.append(table)
    return missing
