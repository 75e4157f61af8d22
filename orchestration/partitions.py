"""One daily partition per as_of_date (Asia/Shanghai), from the first as_of_date the landing zone
serves: as_of_date D reads the data of days < D, so the first partition is the day after the first
landed dt. Today's partition exists from midnight (end_offset=1): the 06:00 run builds it."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from dagster import DailyPartitionsDefinition

from kscore.gates import EXPECTED_DAILY_TABLES

TIMEZONE = "Asia/Shanghai"
DT_FOLDER = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
# when no landing zone is there yet (a fresh checkout): $KSCORE_FIRST_AS_OF, else this day
FALLBACK_FIRST_AS_OF = dt.date(2023, 1, 2)


def landed_days(landing: Path, tables=EXPECTED_DAILY_TABLES) -> list[dt.date]:
    """Every dt with a folder of one of `tables` in the landing zone (<landing>/<table>/dt=YYYY-MM-DD/)."""
    days = set()
    for table in tables:
        folder = landing / table
        if folder.is_dir():
            for d in folder.iterdir():
                m = DT_FOLDER.match(d.name)
                if m and d.is_dir():
                    days.add(dt.date.fromisoformat(m.group(1)))
    return sorted(days)


def first_as_of_date(landing: Path) -> dt.date:
    """The day after the first landed day of the daily feed (master data may land a day earlier)."""
    days = landed_days(landing)
    if days:
        return days[0] + dt.timedelta(days=1)
    return dt.date.fromisoformat(os.environ.get("KSCORE_FIRST_AS_OF") or FALLBACK_FIRST_AS_OF.isoformat())


def daily_partitions(landing: Path) -> DailyPartitionsDefinition:
    return DailyPartitionsDefinition(start_date=first_as_of_date(landing).isoformat(), timezone=TIMEZONE,
                                     end_offset=1, fmt="%Y-%m-%d")


def missing_landing(landing: Path, as_of_date: dt.date) -> list[str]:
    """The daily tables whose partition for as_of_date's data day (D-1) has not landed yet ([] = ready)."""
    day = as_of_date - dt.timedelta(days=1)
    missing = []
    for table in EXPECTED_DAILY_TABLES:
        folder = landing / table / f"dt={day.isoformat()}"
        if not (folder.is_dir() and any(folder.glob("*.parquet"))):
            missing.append(table)
    return missing
