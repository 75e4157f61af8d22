"""Asset checks.

- dbt tests: dagster-dbt turns every dbt data test into an asset check on the model it tests
  (`@dbt_assets` in assets.py); they run inside the one `dbt build` of the range.
- The GX gates (kscore.gates through kscore.pipeline's steps) are **blocking** checks: `gx_raw_gates`
  on the `raw_gates` asset, `gx_mart_gates` on `mart_gates`, and `all_days_published` on `published`.

Dagster blocks whole steps, not single partitions of a ranged step, while a gate blocks days: the
failed day and the days after it (spec 06). So a failed gate check has ERROR severity when it blocks
the first as_of_date of the run (nothing can be published: Dagster's blocking stops every step
downstream, the run log row is written there and then), and WARN severity when it blocks a later day
(the earlier days go on through the same range build, as with `kscore run`); the publish step then
publishes the days before the failure and its own blocking check `all_days_published` fails with
ERROR, carrying the gate report, so the run fails. Every failed check carries the gate report
(failed results: table, day, expectation, observed, bound) in its metadata.
"""
from __future__ import annotations

import json

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue

from kscore import gates
from kscore.pipeline import RunContext, publishable_days

RAW_GATES = AssetKey("raw_gates")
MART_GATES = AssetKey("mart_gates")
PUBLISHED = AssetKey("published")

RAW_CHECK = "gx_raw_gates"
MART_CHECK = "gx_mart_gates"
PUBLISH_CHECK = "all_days_published"

RAW_CHECK_SPEC = AssetCheckSpec(
    RAW_CHECK, asset=RAW_GATES, blocking=True,
    description="Raw gates (spec 06 §2) on the landed batches of the run's data days: files readable with the "
                "contract's columns, a partition for every daily table, the GX batch expectations.")
MART_CHECK_SPEC = AssetCheckSpec(
    MART_CHECK, asset=MART_GATES, blocking=True,
    description="Mart gates (spec 06 §3): the GX suites on the built marts, per as_of_date.")
PUBLISH_CHECK_SPEC = AssetCheckSpec(
    PUBLISH_CHECK, asset=PUBLISHED, blocking=True,
    description="Every as_of_date of the run passed every gate and was published.")


def gate_report(results: list[gates.GateResult]) -> list[dict]:
    """The failed results, JSON-safe (what `ops.run_log.gate_results` holds)."""
    return json.loads(json.dumps([r.as_dict() for r in results if not r.success], default=str, ensure_ascii=False))


def report_metadata(ctx: RunContext, results: list[gates.GateResult], all_results: list[gates.GateResult]) -> dict:
    failed = [r for r in results if not r.success]
    days = publishable_days(ctx, all_results)
    blocked = [d for d in ctx.as_of_dates if d not in days]
    md = "\n".join(["| stage | table | day | expectation | observed | bound |", "|---|---|---|---|---|---|"]
                   + [f"| {r.stage} | {r.suite} | {r.day} | {r.expectation} | {r.observed} | {r.bound} |" for r in failed[:50]])
    return {
        "gate_report": MetadataValue.json(gate_report(results)),
        "gate_report_file": MetadataValue.path(str(ctx.run_dir / "gate_report.json")),
        "failures": MetadataValue.md(md if failed else "no failed gate"),
        "results": len(results),
        "failed_results": len(failed),
        "publishable_as_of_dates": ",".join(d.isoformat() for d in days),
        "blocked_as_of_dates": ",".join(d.isoformat() for d in blocked),
    }


def gate_check(check_name: str, asset_key: AssetKey, ctx: RunContext, results: list[gates.GateResult],
               all_results: list[gates.GateResult]) -> AssetCheckResult:
    """The blocking check of one gate stage: ERROR (stops downstream) when the run can publish nothing."""
    passed = all(r.success for r in results)
    stops_all = not publishable_days(ctx, all_results)
    return AssetCheckResult(
        check_name=check_name, asset_key=asset_key, passed=passed,
        severity=AssetCheckSeverity.ERROR if stops_all else AssetCheckSeverity.WARN,
        metadata=report_metadata(ctx, results, all_results))


def stops_the_run(check: AssetCheckResult) -> bool:
    return not check.passed and check.severity == AssetCheckSeverity.ERROR


def publish_check(ctx: RunContext, days: list, outcome: str, message: str,
                  results: list[gates.GateResult]) -> AssetCheckResult:
    """`all_days_published`: ERROR when a gate kept any as_of_date of the run from being published."""
    return AssetCheckResult(
        check_name=PUBLISH_CHECK, asset_key=PUBLISHED, passed=len(days) == len(ctx.as_of_dates),
        severity=AssetCheckSeverity.ERROR,
        metadata={**report_metadata(ctx, results, results), "outcome": outcome, "message": message,
                  "published_as_of_dates": ",".join(d.isoformat() for d in days),
                  "published_file": MetadataValue.path(str(ctx.paths.published))})
