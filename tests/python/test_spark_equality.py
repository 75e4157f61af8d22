"""The same dbt project on DuckDB and on Apache Spark gives the same marts, cell for cell (issue 12).

One tiny zone, three as_of_dates (快质造 checked from 2023-02-06, so its weekly mart has rows), built by
`kscore run` on each engine (raw gates, dbt build, mart gates, publish). Every mart is compared as a
multiset of rows, EXCEPT ALL both ways: same columns and types, same keys, same numbers (the marts carry
the spec's rounding already: round_half_up to 2 or 6 decimals), same labels. A difference is a bug in
one of the engines' macros, never a tolerance.

The zone holds one truncated orders file of an older day that an earlier run already reported (the raw
gates let it pass as `known_rejected_file_reported_earlier`): both engines must read only the files the
sense step accepted (on Spark through the exported ledger), or Spark fails on the truncated file.

Then every dbt unit test runs on Spark too (issue 12 point 3), in a second dbt invocation over the
relations the Spark build made: the Spark build keeps its catalog in a Hive (Derby) metastore in the
Spark folder for that (the runner's default is an in-memory catalog, one invocation), since dbt
introspects a unit test's input relations, an incremental model's `this` included.

The Spark side runs without dbt's data tests (the DuckDB side runs them on the same SQL; on Spark they
would add minutes, docs/spark.md). No skip: without Java or pyspark the test fails with the reason.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from kscore.pipeline import run
from kscore.sqltext import identifier, literal

pytestmark = pytest.mark.spark

START = dt.date(2023, 1, 1)
DAYS = 46  # landed 2023-01-01 … 2023-02-15: every window of the rules has history at the as_of_dates
FROM, TO = dt.date(2023, 2, 13), dt.date(2023, 2, 15)  # a Monday (快质造's weekly check) and two days
VARS = {"kuaizhizao_first_check_date": "2023-02-06"}
REJECTED_DAY = dt.date(2023, 1, 5)  # an older day (before the run's data days) with a rejected file
UNIT_TESTS = 127  # the project's dbt unit tests (test_dbt_project has the same floor)
TIMES: dict[str, dict] = {}  # wall seconds per engine and phase (printed with -s)


def require_spark() -> None:
    """Java and pyspark, or the test fails saying what is missing (`make spark-setup` installs both)."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is not installed (no `java` on PATH): the Spark build cannot run; "
                    "`make spark-setup` installs openjdk-17-jre-headless with apt", pytrace=False)
    version = subprocess.run([java, "-version"], capture_output=True, text=True)
    if version.returncode != 0:
        pytest.fail(f"`java -version` failed: {version.stderr.strip()[:300]}", pytrace=False)
    for module in ("pyspark", "dbt.adapters.spark"):
        if importlib.util.find_spec(module) is None:
            pytest.fail(f"{module} is not installed: `make spark-setup` installs requirements-spark.txt",
                        pytrace=False)


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Path:
    from kscore.generate import generate

    landing = tmp_path_factory.mktemp("spark_zone") / "landing"
    generate(landing, scale="tiny", start=START, days=DAYS, seed=42)
    day = landing / "orders" / f"dt={REJECTED_DAY}"
    good = next(day.glob("*.parquet"))
    (day / "late_truncated.parquet").write_bytes(good.read_bytes()[:200])
    return landing


def rejected_file(zone: Path) -> str:
    return str((zone / "orders" / f"dt={REJECTED_DAY}" / "late_truncated.parquet").resolve())


def report_earlier(zone: Path, build: Path) -> None:
    """What an earlier run's sense step leaves in the build file: the ledger, the truncated file in it
    as rejected (so this run's raw gates list it as reported earlier and go on)."""
    from kscore import buildfile, landing

    files = landing.sense(zone)
    assert any(f.status == "rejected" and f.file_path == rejected_file(zone) for f in files)
    with buildfile.connect(build) as con:
        landing.write_ledger(con, files, "an-earlier-run")


def _build(zone: Path, folder: Path, engine: str, **kw):
    report_earlier(zone, folder / "kscore_build.duckdb")
    t0 = time.monotonic()
    result = run(FROM, TO, zone, folder / "kscore.duckdb", progress=lambda _: None, extra_vars=VARS,
                 engine=engine, **kw)
    TIMES[engine] = {"total": round(time.monotonic() - t0, 1),
                     **{k: round(v, 1) for k, v in result.phase_seconds.items()}}
    assert result.ok, f"{engine}: {result.outcome}: {result.message}"
    known = [r for r in result.gate_results if r.expectation == "known_rejected_file_reported_earlier"]
    assert known and all(r.success and rejected_file(zone) in r.observed for r in known), known
    return result


@pytest.fixture(scope="module")
def duck(zone, tmp_path_factory):
    return _build(zone, tmp_path_factory.mktemp("wh_duckdb"), "duckdb")


@pytest.fixture(scope="module")
def spark(zone, tmp_path_factory):
    require_spark()
    from kscore import spark_build

    spark_env = spark_build.spark_env
    with pytest.MonkeyPatch.context() as mp:  # the Hive catalog: the unit tests' invocation finds the relations
        mp.setattr(spark_build, "spark_env", lambda folder: {**spark_env(folder), "KSCORE_SPARK_CATALOG": "hive"})
        yield _build(zone, tmp_path_factory.mktemp("wh_spark"), "spark", data_tests=False)


def build_file(result) -> Path:
    return result.published_file.with_name(result.published_file.stem + "_build.duckdb")


def mart_columns(con, db: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute("select table_name, column_name, data_type from duckdb_columns() "
                       "where database_name = ? and schema_name = 'marts' order by table_name, column_index",
                       [db]).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_ in rows:
        out.setdefault(table, []).append((column, type_))
    return out


@pytest.fixture(scope="module")
def both(duck, spark):
    con = duckdb.connect()
    con.execute(f"attach {literal(str(build_file(duck)))} as d (read_only)")
    con.execute(f"attach {literal(str(build_file(spark)))} as s (read_only)")
    yield con
    con.close()


def test_spark_run_publishes(spark):
    """`kscore run --engine spark`: gates passed, every day published, the marts Parquet under
    <warehouse folder>/spark/marts/<mart>/."""
    assert spark.published_dates == [FROM + dt.timedelta(days=i) for i in range(3)]
    marts = spark.published_file.parent / "spark" / "marts"
    assert (marts / "shop_experience_score_daily").is_dir()
    assert list((marts / "kuaizhizao_shop_weekly").rglob("*.parquet"))
    con = duckdb.connect(str(spark.published_file), read_only=True)
    try:
        n = con.execute("select count(*) from marts.shop_experience_score_daily").fetchone()[0]
    finally:
        con.close()
    assert n > 0


def test_spark_reads_the_ledgers_files(zone, duck, spark):
    """Spark staged the orders of exactly the files DuckDB staged (both read the sense step's accepted
    files; Spark through the exported ledger), every one of them in the ledger as accepted, the rejected
    one never."""
    def staged_files(result) -> set[str]:
        con = duckdb.connect(str(build_file(result)), read_only=True)
        try:
            return {r[0] for r in con.execute("select distinct source_file from staging.stg_landing__orders").fetchall()}
        finally:
            con.close()

    con = duckdb.connect(str(build_file(spark)), read_only=True)
    try:
        accepted = {r[0] for r in con.execute(
            "select file_path from ops.landed_files where table_name = 'orders' and status = 'accepted'").fetchall()}
    finally:
        con.close()
    on_spark, on_duckdb = staged_files(spark), staged_files(duck)
    assert rejected_file(zone) not in on_spark and rejected_file(zone) not in on_duckdb
    assert on_spark == on_duckdb, (sorted(on_spark - on_duckdb)[:3], sorted(on_duckdb - on_spark)[:3])
    assert on_spark <= accepted and len(on_spark) >= DAYS - 1, (len(on_spark), len(accepted))


def test_same_marts_and_columns(both):
    duck_cols, spark_cols = mart_columns(both, "d"), mart_columns(both, "s")
    assert len(duck_cols) >= 28  # every mart of the project (28 at the time of writing)
    assert sorted(spark_cols) == sorted(duck_cols)
    for mart, cols in duck_cols.items():
        assert spark_cols[mart] == cols, mart


def test_every_mart_cell_for_cell(both):
    """EXCEPT ALL both ways on every mart: no row of one engine missing from the other."""
    differences, counts = {}, {}
    for mart in sorted(mart_columns(both, "d")):
        d, s = f"d.marts.{identifier(mart)}", f"s.marts.{identifier(mart)}"
        n_d = both.execute(f"select count(*) from {d}").fetchone()[0]
        n_s = both.execute(f"select count(*) from {s}").fetchone()[0]
        only_d = both.execute(f"select * from (select * from {d} except all select * from {s}) limit 3").fetchall()
        only_s = both.execute(f"select * from (select * from {s} except all select * from {d}) limit 3").fetchall()
        counts[mart] = n_d
        if n_d != n_s or only_d or only_s:
            differences[mart] = {"rows": (n_d, n_s), "only_duckdb": only_d, "only_spark": only_s}
    assert not differences, differences
    print(f"\nkscore run seconds: {TIMES}")
    # the comparison compared something: most marts have rows, 快质造 included
    assert counts["kuaizhizao_shop_weekly"] > 0
    assert sum(n > 0 for n in counts.values()) >= len(counts) - 4, counts


def test_every_dbt_unit_test_passes_on_spark(spark, tmp_path):
    """`dbt test --select test_type:unit` on the spark target, over the Spark build's relations: every
    unit test of the project passes (the fixtures are inline tables on Spark, macro get_fixture_sql). The
    run's dates are test_dbt_project's (2023-01-31), which the unit tests without `overrides` assume."""
    import json

    from kscore import spark_build
    from kscore.dbt_runner import dbt_vars, run_dbt
    from kscore.paths import warehouse_paths

    paths = warehouse_paths(spark.published_file)
    spark_env = spark_build.spark_env
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spark_build, "spark_env", lambda folder: {**spark_env(folder), "KSCORE_SPARK_CATALOG": "hive"})
        vars_ = dbt_vars(dt.date(2023, 1, 31), dt.date(2023, 1, 31), tmp_path, "spark-unit")
        summary = run_dbt(["test", "--select", "test_type:unit"], paths, tmp_path, vars_, tmp_path / "unit.log",
                          lambda s: None, engine="spark")
    unit = [r for r in json.loads((paths.dbt_target / "run_results.json").read_text())["results"]
            if r["unique_id"].startswith("unit_test.")]
    failed = [f"{r['unique_id']}: {r['status']}: {(r.get('message') or '')[:300]}" for r in unit
              if r["status"] != "pass"]
    assert not failed, "\n".join(failed)
    assert summary["errors"] == []
    assert len(unit) >= UNIT_TESTS, f"{len(unit)} unit tests ran on Spark, {UNIT_TESTS} exist"
    slowest = sorted(((r["execution_time"], r["unique_id"].split(".")[-1]) for r in unit), reverse=True)[:3]
    print(f"\nSpark: {len(unit)} unit tests passed in {summary['seconds']:.0f} s; slowest "
          f"{[(round(t), u) for t, u in slowest]}")


def test_dagster_engine_setting(tmp_path):
    """Dagster: the engine is the resource's setting; with spark the same asset graph loads, and its dbt
    asset gets the spark target (environment) and a full refresh (arguments)."""
    from orchestration.definitions import build_definitions
    from orchestration.resources import KscoreResource

    from kscore.dbt_runner import dbt_env
    from kscore.pipeline import RunContext, RunError, check_engine, dbt_build_args

    wh = tmp_path / "wh" / "kscore.duckdb"
    kscore = KscoreResource(landing_dir=str(tmp_path), warehouse=str(wh), engine="spark")
    defs = build_definitions(kscore)
    duck_defs = build_definitions(KscoreResource(landing_dir=str(tmp_path), warehouse=str(wh)))
    job = defs.resolve_job_def("kscore_daily")
    assert {n.name for n in job.nodes} == {n.name for n in duck_defs.resolve_job_def("kscore_daily").nodes}
    assert defs.resources["kscore"].engine == "spark"
    ctx = RunContext(FROM, TO, tmp_path, kscore.paths(), "r1", engine=check_engine(kscore.engine))
    assert "--full-refresh" in dbt_build_args(ctx)
    env = dbt_env(ctx.paths, tmp_path, engine=ctx.engine)
    assert env["KSCORE_DBT_TARGET"] == "spark" and env["KSCORE_SPARK_DIR"] == str(wh.parent / "spark")
    assert "KSCORE_DBT_TARGET" not in dbt_env(ctx.paths, tmp_path)
    with pytest.raises(RunError, match="--engine oracle"):
        check_engine("oracle")
