"""The assets of a run (spec 07), each calling kscore.pipeline's step functions (the CLI's code path):

    landing/<table>  (13 external assets: the landed Parquet, the dbt sources)
      -> raw_gates    sense_step + raw_gate_step            blocking check gx_raw_gates
      -> dbt models   ONE `dbt build` for the partition range (vars from_date/to_date), dbt tests as checks
      -> mart_gates   mart_gate_step                        blocking check gx_mart_gates
      -> published    conclude + record_and_publish (publish, ops.run_log)   blocking check all_days_published

Every asset is partitioned by as_of_date with a single-run backfill policy (a backfill of any range is
one run: one range build), and runs in the `kscore_build_file` pool (limit 1): one writer on the
build file. Steps hand their gate results on through the run folder (runs/<run id>/).
"""

import pickle
import warnings
from contextlib import contextmanager
from typing import Any, Mapping, Optional

import duckdb
from dagster import (AssetExecutionContext, AssetKey, AssetMaterialization, AssetSpec, BackfillPolicy, BetaWarning,
                     Failure, MaterializeResult, MetadataValue, PartitionsDefinition, asset)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from kscore import gates, landing, pipeline
from kscore.dbt_runner import DbtError, cli_vars, dbt_vars
from kscore.pipeline import RunContext, RunError, build_lock

from orchestration.checks import (MART_CHECK, MART_CHECK_SPEC, MART_GATES, PUBLISH_CHECK_SPEC, PUBLISHED, RAW_CHECK,
                                  RAW_CHECK_SPEC, RAW_GATES, gate_check, publish_check, report_metadata, stops_the_run)
from orchestration.resources import KscoreResource, dbt_environment

POOL = "kscore_build_file"
LANDING_GROUP = "landing"
# the gates, one group each so that the lineage reads left to right: landing → raw_gates → seeds/staging …
# marts → mart_gates → publish
RAW_GATES_GROUP = "raw_gates"
MART_GATES_GROUP = "mart_gates"
PUBLISH_GROUP = "publish"


class KscoreTranslator(DagsterDbtTranslator):
    """dbt nodes as assets: groups by layer (staging, quarantine, intermediate, marts, ops, seeds),
    sources as landing/<table>, and the roots of the build wait for the raw gates."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> Optional[str]:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        if dbt_resource_props["resource_type"] == "source":
            return LANDING_GROUP
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Optional[DbtProject]) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] in ("model", "seed", "snapshot"):
            parents = props.get("depends_on", {}).get("nodes", [])
            if not any(p.split(".")[0] in ("model", "seed", "snapshot") for p in parents):
                spec = spec.merge_attributes(deps=[RAW_GATES])
        return spec


def landing_specs() -> list[AssetSpec]:
    return [AssetSpec(AssetKey([LANDING_GROUP, table]), group_name=LANDING_GROUP, kinds={"parquet"},
                      description=f"Landed Parquet of `{table}` (spec 01): <landing>/{table}/dt=YYYY-MM-DD/*.parquet")
            for table in sorted(landing.contract())]


def _save(ctx: RunContext, stage: str, results: list[gates.GateResult]) -> None:
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    (ctx.run_dir / f"{stage}_gate_results.pickle").write_bytes(pickle.dumps(results))


def _gated(ctx: RunContext, stage: str) -> bool:
    return (ctx.run_dir / f"{stage}_gate_results.pickle").exists()


def _load(ctx: RunContext, stage: str) -> list[gates.GateResult]:
    path = ctx.run_dir / f"{stage}_gate_results.pickle"
    return pickle.loads(path.read_bytes()) if path.exists() else []


def _end_run(ctx: RunContext, results: list[gates.GateResult], error: Optional[str] = None) -> tuple:
    """The CLI's end of a run: gate report, run log row, publish what passed."""
    days, outcome, message = pipeline.conclude(ctx, results, error)
    return pipeline.record_and_publish(ctx, results, days, outcome, message)


@contextmanager
def recorded(ctx: RunContext, results: list[gates.GateResult]):
    """A step error ends the run as in the CLI: a failed run log row, nothing published."""
    try:
        yield
    except (DbtError, RunError, duckdb.Error, OSError) as exc:
        _end_run(ctx, results, f"{type(exc).__name__}: {exc}")
        raise


def build_assets(partitions: PartitionsDefinition, project: DbtProject) -> list:
    # `backfill_policy` of @asset is marked beta by Dagster: the single-run policy is the design (a backfill of
    # any range is one run, one range build, spec 07), so the warning is expected and silenced here, for it only
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=BetaWarning, message=r"Parameter `backfill_policy`")
        return _build_assets(partitions, project)


def _build_assets(partitions: PartitionsDefinition, project: DbtProject) -> list:
    policy = BackfillPolicy.single_run()
    landing = landing_specs()

    @asset(key=RAW_GATES, group_name=RAW_GATES_GROUP, deps=[s.key for s in landing], partitions_def=partitions,
           backfill_policy=policy, pool=POOL, check_specs=[RAW_CHECK_SPEC], kinds={"python", "great_expectations"},
           description="Senses the landing zone (ledger ops.landed_files) and runs the raw gates on the run's data days.")
    def raw_gates(context: AssetExecutionContext, kscore: KscoreResource) -> MaterializeResult:
        ctx = kscore.run_context(context)
        results: list[gates.GateResult] = []
        with build_lock(ctx.paths), recorded(ctx, results):
            ctx.run_dir.mkdir(parents=True, exist_ok=True)
            context.log.info(f"run {ctx.run_id}: as_of_dates {ctx.from_date} … {ctx.to_date}; landing {ctx.landing}; "
                             f"build file {ctx.paths.build}")
            files = pipeline.sense_step(ctx)
            results += pipeline.raw_gate_step(ctx, files)
            _save(ctx, "raw", results)
            pipeline.write_report(ctx, results)
            check = gate_check(RAW_CHECK, RAW_GATES, ctx, results, results)
            if stops_the_run(check):
                _end_run(ctx, results)
        return MaterializeResult(check_results=[check], metadata={
            "landed_files": len(files), "rejected_files": sum(f.status == "rejected" for f in files),
            **report_metadata(ctx, results, results)})

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=KscoreTranslator(),
                partitions_def=partitions, backfill_policy=policy, pool=POOL, name="kscore_dbt")
    def kscore_dbt(context: AssetExecutionContext, dbt: DbtCliResource, kscore: KscoreResource):
        """ONE `dbt build` for the run's as_of_date range, with the CLI's arguments, vars and environment."""
        ctx = kscore.run_context(context)
        results = _load(ctx, "raw")
        with build_lock(ctx.paths), dbt_environment(ctx):
            vars_ = dbt_vars(ctx.from_date, ctx.to_date, ctx.landing, ctx.run_id)  # also in the environment
            context.log.info(f"dbt build for as_of_dates {ctx.from_date} … {ctx.to_date} "
                             f"({len(ctx.as_of_dates)} days, one invocation)")
            pipeline.prepare_engine(ctx)
            invocation = dbt.cli([*pipeline.dbt_build_args(ctx), *cli_vars(vars_)], context=context,
                                 target_path=ctx.paths.dbt_target, raise_on_error=False)
            yield from invocation.stream()
            if not invocation.is_successful():
                error = invocation.get_error()
                message = f"DbtError: dbt build failed for {ctx.from_date} … {ctx.to_date}: {error}"
                _end_run(ctx, results, message)
                raise Failure(description=message)
            pipeline.finish_engine(ctx)  # Spark: its marts into the build file, for the gates and publish

    mart_keys = [k for k in kscore_dbt.keys if kscore_dbt.group_names_by_key.get(k) == "marts"]

    @asset(key=MART_GATES, group_name=MART_GATES_GROUP, deps=mart_keys, partitions_def=partitions, backfill_policy=policy,
           pool=POOL, check_specs=[MART_CHECK_SPEC], kinds={"python", "great_expectations"},
           description="Runs the mart gates on the built marts, per as_of_date of the run.")
    def mart_gates(context: AssetExecutionContext, kscore: KscoreResource) -> MaterializeResult:
        ctx = kscore.run_context(context)
        raw = _load(ctx, "raw")
        with build_lock(ctx.paths), recorded(ctx, raw):
            mart = pipeline.mart_gate_step(ctx)
            _save(ctx, "mart", mart)
            results = raw + mart
            pipeline.write_report(ctx, results)
            check = gate_check(MART_CHECK, MART_GATES, ctx, mart, results)
            if stops_the_run(check):
                _end_run(ctx, results)
        return MaterializeResult(check_results=[check], metadata=report_metadata(ctx, mart, results))

    @asset(key=PUBLISHED, group_name=PUBLISH_GROUP, deps=[RAW_GATES, MART_GATES], partitions_def=partitions,
           backfill_policy=policy, pool=POOL, check_specs=[PUBLISH_CHECK_SPEC], output_required=False,
           kinds={"duckdb"},
           description="Publishes the as_of_dates before the first failed gate into the published file "
                       "(atomic replace) and appends the run to ops.run_log. A partition is materialised "
                       "only when its day was published.")
    def published(context: AssetExecutionContext, kscore: KscoreResource):
        ctx = kscore.run_context(context)
        missing = [stage for stage in ("raw", "mart") if not _gated(ctx, stage)]
        if missing:
            raise Failure(description=f"nothing published: {' and '.join(s + '_gates' for s in missing)} did not run "
                                      f"in this run; publish only with the gates (materialise the whole job)")
        results = _load(ctx, "raw") + _load(ctx, "mart")
        with build_lock(ctx.paths):
            days, outcome, message = _end_run(ctx, results)
        context.log.info(f"run {ctx.run_id} {outcome}: {message}")
        for day in days:
            yield AssetMaterialization(PUBLISHED, partition=day.isoformat(), metadata={
                "published_file": MetadataValue.path(str(ctx.paths.published)), "run_id": ctx.run_id})
        yield publish_check(ctx, days, outcome, message, results)

    return [*landing, raw_gates, kscore_dbt, mart_gates, published]

