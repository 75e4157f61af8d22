"""The kscore code location, named `kscore` (workspace.yaml, pyproject [tool.dagster]): `dagster dev` from
the repository root (see docs/dagster.md)."""
from __future__ import annotations

from dagster import Definitions
from dagster_dbt import DbtCliResource

from orchestration.assets import build_assets
from orchestration.partitions import daily_partitions
from orchestration.project import kscore_project, put_dbt_on_path
from orchestration.resources import KscoreResource
from orchestration.schedules import build_job, build_schedule
from orchestration.sensors import build_published_sensor, build_sensor


def build_definitions(kscore: KscoreResource | None = None) -> Definitions:
    kscore = kscore or KscoreResource()
    project = kscore_project()
    partitions = daily_partitions(kscore.landing())
    job = build_job()
    return Definitions(
        assets=build_assets(partitions, project), jobs=[job],
        schedules=[build_schedule(job, partitions)],
        sensors=[build_sensor(job, partitions), build_published_sensor(partitions)],
        resources={"kscore": kscore, "dbt": DbtCliResource(project_dir=project, dbt_executable=put_dbt_on_path())})


defs = build_definitions()
