"""Where a run reads and writes: the landing zone and the published file (the build file, dbt
artifacts and run folders live beside it), as one Dagster resource; defaults as the CLI's
(`$KSCORE_LANDING_DIR` else data/landing, `$KSCORE_WAREHOUSE` else warehouse/kscore.duckdb)."""
from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

from dagster import AssetExecutionContext, ConfigurableResource, Failure
from pydantic import Field

from kscore.dbt_runner import dbt_env, dbt_vars
from kscore.paths import WarehousePaths, default_landing, warehouse_paths
from kscore.pipeline import RunContext, RunError, check_engine
from kscore.publish import published_as_of_dates


class KscoreResource(ConfigurableResource):
    """The landing zone and the warehouse a run uses."""

    landing_dir: Optional[str] = Field(
        default=None, description="landing zone folder; default $KSCORE_LANDING_DIR, else data/landing")
    warehouse: Optional[str] = Field(
        default=None, description="the published DuckDB file; default $KSCORE_WAREHOUSE, else warehouse/kscore.duckdb")

    engine: str = Field(
        default_factory=lambda: os.environ.get("KSCORE_ENGINE", "duckdb"),
        description="the engine of the dbt build: duckdb, or spark (Apache Spark in session mode, always a "
                    "full refresh; docs/spark.md); default $KSCORE_ENGINE, else duckdb")

    def landing(self) -> Path:
        return Path(self.landing_dir or default_landing()).resolve()

    def paths(self) -> WarehousePaths:
        return warehouse_paths(self.warehouse)

    def run_context(self, context: AssetExecutionContext) -> RunContext:
        """The pipeline's RunContext for this Dagster run: its partition range is the as_of_date range,
        its run id the Dagster run id (the run folder runs/<run id>/ beside the published file)."""
        keys = context.partition_key_range
        from_date, to_date = dt.date.fromisoformat(keys.start), dt.date.fromisoformat(keys.end)
        record = context.instance.get_run_record_by_id(context.run.run_id)
        started = (dt.datetime.fromtimestamp(record.start_time) if record and record.start_time
                   else dt.datetime.now()).replace(microsecond=0)
        tags = context.run.tags
        # materialising a partition that is already published is the operator's explicit recompute: a backfill
        # (spec 01), recorded as such; so are Dagster backfills and ranges
        days = {from_date + dt.timedelta(days=i) for i in range((to_date - from_date).days + 1)}
        republish = bool(published_as_of_dates(self.paths().published) & days)
        try:
            return RunContext(from_date, to_date, self.landing(), self.paths(), context.run.run_id,
                              is_backfill="dagster/backfill" in tags or to_date > from_date or republish,
                              progress=context.log.info, started_at=started, engine=check_engine(self.engine))
        except RunError as exc:  # an unknown engine, a path with a glob character: one line, as kscore run
            raise Failure(description=str(exc)) from None


@contextmanager
def dbt_environment(ctx: RunContext):
    """The environment `kscore run` gives dbt (build file, landing zone, the run's as_of_dates and id, the
    engine's target), for dagster-dbt's subprocess."""
    saved = dict(os.environ)
    os.environ.update(dbt_env(ctx.paths, ctx.landing, dbt_vars(ctx.from_date, ctx.to_date, ctx.landing, ctx.run_id),
                              ctx.engine))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
