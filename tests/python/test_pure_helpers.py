"""Fast tests of the pure helpers the run's verdicts rest on (issue 11, point 4): no build, no dbt, no GX.

- pipeline.conclude / publishable_days: which as_of_dates a run publishes from its gate results, and the
  outcome and message it records (a raw gate on dt D blocks as_of_date D + 1; a mart gate its own day);
- gates.file_gates / partition_gates: rejected files and missing partitions become the right failures;
- gates.root_cause_key / failure_report: the headline names the root cause first.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from kscore import gates
from kscore.gates import EXPECTED_DAILY_TABLES, GateResult
from kscore.landing import LandedFile
from kscore.paths import warehouse_paths
from kscore.pipeline import RunContext, conclude, publishable_days

D = dt.date(2023, 2, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def ctx(first: dt.date, last: dt.date) -> RunContext:
    return RunContext(from_date=first, to_date=last, landing=Path("landing"),
                      paths=warehouse_paths(Path("wh") / "kscore.duckdb"), run_id="r", progress=lambda s: None)


def landed(table: str, d: dt.date | None, status: str = "accepted", is_new: bool = True,
           name: str = "part-0.parquet") -> LandedFile:
    return LandedFile(table, d, f"{table}/dt={d}/{name}", 100, 10, status,
                      None if status == "accepted" else "missing column pay_amount", is_new)


def test_a_raw_failure_on_dt_d_blocks_as_of_d_plus_1_and_a_mart_failure_its_own_day():
    run = ctx(day(1), day(5))
    raw = GateResult("orders", day(2), "row_count_within_band_of_own_history", False, 10, [50, 90])
    mart = GateResult("product_tier_daily", day(4), "one_row_per_key", False, 2, 0, stage="mart")
    ok = GateResult("orders", day(0), "daily_partition_present", True)
    assert publishable_days(run, [ok]) == run.as_of_dates
    assert publishable_days(run, [ok, raw]) == [day(1), day(2)]           # dt day(2) feeds as_of_date day(3)
    assert publishable_days(run, [ok, mart]) == [day(1), day(2), day(3)]
    assert publishable_days(run, [mart, raw]) == [day(1), day(2)]         # the earlier block wins


def test_conclude_names_the_outcome_and_the_first_failure():
    run = ctx(day(1), day(3))
    assert conclude(run, [GateResult("orders", day(0), "x", True)]) == (
        run.as_of_dates, "published", "published 3 as_of_dates")
    partial = conclude(run, [GateResult("refunds", day(2), "null_share_within_band", False, 0.96, [0, 0.1])])
    assert partial[:2] == ([day(1), day(2)], "partial")
    assert partial[2].startswith(f"published {day(1)} … {day(2)}; stopped at {day(3)} by a failed gate")
    assert "raw gate, table refunds, dt 2023-02-03: null_share_within_band; observed 0.96; bound [0, 0.1]" in partial[2]
    failed = conclude(run, [GateResult("shop_experience_score_daily", day(1), "score_in_range", False,
                                       stage="mart")])
    assert failed[:2] == ([], "failed")
    assert failed[2].startswith(f"nothing published: a gate failed for {day(1)} (mart gate, table "
                                "shop_experience_score_daily, as_of_date 2023-02-02: score_in_range")
    assert conclude(run, [], error="DbtError: boom") == ([], "failed", "DbtError: boom")
    one = ctx(day(1), day(1))
    assert conclude(one, [])[2] == "published 1 as_of_date"


def test_file_gates_fail_a_rejected_file_of_a_judged_day_and_of_a_new_late_older_day_only():
    days = [day(3), day(4)]
    files = [landed("orders", day(3)), landed("orders", day(4), "rejected"),
             landed("refunds", day(1), "rejected"),                       # late, older, first seen now
             landed("reviews", day(0), "rejected", is_new=False),        # older, reported by an earlier run
             landed("orders", None, "rejected", name="../dt=2023-02-30/x.parquet"),
             landed("orders", day(9), "rejected")]                        # a later day: not this run's
    results = [r for r in gates.file_gates(files, days)
               if r.expectation != "daily_partition_present"]      # file_gates also runs partition_gates
    verdict = {(r.suite, r.day, r.expectation): r.success for r in results}
    assert verdict == {
        ("orders", day(4), "file_readable_with_contract_schema"): False,
        ("refunds", day(1), "file_readable_with_contract_schema"): False,
        ("reviews", day(3), "known_rejected_file_reported_earlier"): True,
        ("orders", day(3), "file_readable_with_contract_schema"): False,   # a folder naming no day
    }
    assert all("missing column pay_amount" in r.observed for r in results)


def test_partition_gates_fail_a_missing_day_and_an_earlier_gap_the_marts_read():
    days = [day(3), day(4)]
    files = [landed(t, d) for t in EXPECTED_DAILY_TABLES for d in (day(0), day(1), day(2), day(3), day(4))
             if not (t == "orders" and d in (day(1), day(4)))]
    files.append(landed("orders", day(1), "rejected"))
    failed = {(r.suite, r.day): r.observed for r in gates.partition_gates(files, days) if not r.success}
    assert set(failed) == {("orders", day(1)), ("orders", day(4))}
    assert "part-0.parquet" in failed[("orders", day(1))]                 # the rejected file is named
    passed = [r for r in gates.partition_gates(files, days) if r.success]
    assert len(passed) == len(EXPECTED_DAILY_TABLES) * 2 - 1              # judged days only, not the earlier ones
    assert gates.partition_gates(files, []) == []


def test_the_report_puts_the_root_cause_first():
    results = [
        GateResult("logistics_events", day(2), "order_not_found_share", False, 0.3, 0.01),
        GateResult("product_tier_daily", day(2), "one_row_per_key", False, 2, 0, stage="mart"),
        GateResult("orders", day(2), "daily_partition_present", False, "missing", "present"),
        GateResult("orders", day(5), "file_readable_with_contract_schema", False, "x", "accepted"),
        GateResult("shops", day(2), "x", True),
    ]
    ordered = sorted((r for r in results if not r.success), key=gates.root_cause_key)
    # a mart gate of as_of_date day(2) blocks that day; dt day(2) only day(3); orders before its events
    assert [(r.suite, r.day) for r in ordered] == [("product_tier_daily", day(2)), ("orders", day(2)),
                                                    ("logistics_events", day(2)), ("orders", day(5))]
    report = gates.failure_report(results)
    assert report.splitlines()[0] == "4 of 5 gate results failed:"
    assert report.splitlines()[2].startswith("- raw gate, table orders, dt 2023-02-03: daily_partition_present")
    assert gates.failure_report(results[-1:]) == "all 1 gate results passed\n"


def test_dagster_partitions_and_kscore_run_read_the_same_landed_days(tmp_path):
    """One listing of the landed days (kscore.pipeline.landed_days) for both: a folder that names no real
    day (dt=2023-02-30) or holds no file is left to the raw gate, never a crash of the code location's load;
    Dagster's last partition is the day after the newest dt every daily table has landed."""
    from orchestration.partitions import first_as_of_date, last_as_of_date

    from kscore.pipeline import buildable_range

    for table in EXPECTED_DAILY_TABLES:
        for folder in ("dt=2023-01-01", "dt=2023-01-02", "dt=2023-02-30"):
            (tmp_path / table / folder).mkdir(parents=True)
            (tmp_path / table / folder / "part-0.parquet").write_bytes(b"")
    (tmp_path / EXPECTED_DAILY_TABLES[0] / "dt=2023-01-03").mkdir()            # empty: not landed
    (tmp_path / EXPECTED_DAILY_TABLES[1] / "dt=2023-01-03").mkdir()
    (tmp_path / EXPECTED_DAILY_TABLES[1] / "dt=2023-01-03" / "part-0.parquet").write_bytes(b"")  # one table only
    assert first_as_of_date(tmp_path) == dt.date(2023, 1, 2)
    assert last_as_of_date(tmp_path) == dt.date(2023, 1, 3)
    assert buildable_range(tmp_path) == (dt.date(2023, 1, 1), dt.date(2023, 1, 3), dt.date(2023, 1, 2),
                                         dt.date(2023, 1, 4))


def test_run_var_option_parses_and_refuses_the_runners_own_vars():
    import argparse

    import pytest

    from kscore.cli import _var, build_parser
    from kscore.dbt_runner import cli_vars, dbt_vars
    from kscore.pipeline import RunError, check_extra_vars

    args = build_parser().parse_args(["run", "--from", "2023-04-18", "--var", "kuaizhizao_first_check_date=2023-02-06",
                                      "--var", "x=a=b"])
    assert dict(args.dbt_vars) == {"kuaizhizao_first_check_date": "2023-02-06", "x": "a=b"}
    for bad in ("no_equals", "Upper=1", "=1"):
        with pytest.raises(argparse.ArgumentTypeError):
            _var(bad)
    with pytest.raises(RunError, match="from_date, run_id"):
        check_extra_vars({"run_id": "x", "from_date": "2023-01-01", "ok": "1"})
    for bad in ("2023-13-01", "2023-2-6", "20230206"):           # refused before any file exists, by name
        with pytest.raises(RunError, match=f"kuaizhizao_first_check_date={bad}: not a date"):
            check_extra_vars({"kuaizhizao_first_check_date": bad})
    extra = check_extra_vars({"kuaizhizao_first_check_date": "2023-02-06"})
    # the project var goes to dbt as --vars; the per-run values stay in the environment
    assert cli_vars(dbt_vars(D, D, Path("landing"), "r", **extra)) == [
        "--vars", '{"kuaizhizao_first_check_date": "2023-02-06"}']


def test_engine_spark_without_java_is_one_clear_line(monkeypatch):
    """`--engine spark` on a machine without Java stops before any file is written, naming what to install."""
    import shutil

    import pytest

    from kscore.pipeline import RunError, check_engine

    assert check_engine("duckdb") == "duckdb"
    with pytest.raises(RunError, match="not one of"):
        check_engine("presto")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RunError, match="Java is not installed"):
        check_engine("spark")


def test_a_glob_character_in_a_path_is_refused_before_any_file(tmp_path):
    """A landing zone or warehouse path holding a glob character stops the run in one line, before any
    file is written: DuckDB read a folder named "a[1]" as "a1" (a sibling's files, silently); DuckDB
    takes * ? [ ] as patterns inside an explicit file list, Spark also { } and the backslash."""
    import datetime as dt

    import duckdb
    import pytest

    from kscore.pipeline import RunError, run

    # the behaviour the rule guards against, measured on this DuckDB
    for name, x in (("a1", 1), ("a[1]", 2)):
        (tmp_path / name).mkdir()
        duckdb.sql(f"copy (select {x} as x) to '{tmp_path / name / 'f.parquet'}'")
    assert duckdb.sql(f"select x from read_parquet(['{tmp_path / 'a[1]' / 'f.parquet'}'])").fetchall() == [(1,)]

    day = dt.date(2023, 1, 2)
    for landing, wh in ((tmp_path / "land[1]", tmp_path / "wh" / "k.duckdb"),
                        (tmp_path / "land", tmp_path / "w*h" / "k.duckdb"),
                        (tmp_path / "land", tmp_path / "wh" / "k?.duckdb")):
        (landing / "orders" / "dt=2023-01-01").mkdir(parents=True, exist_ok=True)
        with pytest.raises(RunError, match=r"holds .*glob patterns") as err:
            run(day, day, landing, wh, progress=lambda _: None)
        assert str(landing if "[" in str(landing) else wh) in str(err.value)
        assert not wh.parent.exists() or not any(wh.parent.iterdir())
    # braces are alternatives on Spark's Hadoop paths, literal for DuckDB (test_hostile_paths runs a
    # DuckDB build under "{x}")
    from kscore.pipeline import check_glob_free

    check_glob_free(tmp_path / "la{x}nd", "landing zone", "duckdb")
    with pytest.raises(RunError, match=r"holds \{ \}: the spark engine"):
        check_glob_free(tmp_path / "la{x}nd", "landing zone", "spark")


def test_spark_gets_the_ledgers_files_as_parquet(tmp_path):
    """export_ledger: the Spark build's copy of ops.landed_files has every row with its status (Spark's
    read_landed keeps the accepted ones, as DuckDB's does); with no ledger yet, a typed empty file."""
    import duckdb

    from kscore import buildfile, landing, spark_build

    folder = tmp_path / "wh"
    folder.mkdir()
    build = folder / "kscore_build.duckdb"
    out = spark_build.ledger_file(folder)
    assert spark_build.export_ledger(build, folder) == 0
    con = duckdb.connect()
    assert con.execute(f"select count(*) from read_parquet('{out}')").fetchone()[0] == 0
    assert [r[1] for r in con.execute(f"describe select * from read_parquet('{out}')").fetchall()] == [
        "VARCHAR", "DATE", "VARCHAR", "VARCHAR"]
    files = [LandedFile("orders", D, f"/z/orders/dt={D}/a.parquet", 10, 5, "accepted", ""),
             LandedFile("orders", D, f"/z/orders/dt={D}/b.parquet", 10, None, "rejected", "truncated"),
             LandedFile("refunds", day(1), f"/z/refunds/dt={day(1)}/a.parquet", 10, 3, "accepted", "")]
    with buildfile.connect(build) as bcon:
        landing.write_ledger(bcon, files, "r1")
    assert spark_build.export_ledger(build, folder) == 2
    rows = con.execute(f"select table_name, dt, file_path, status from read_parquet('{out}') order by 3").fetchall()
    assert rows == sorted(((f.table_name, f.dt, f.file_path, f.status) for f in files), key=lambda r: r[2])
    assert spark_build.spark_env(folder)["KSCORE_SPARK_LEDGER"] == str(out)


def test_a_duckdb_run_prints_no_pyspark_notice():
    """GX imports pyspark when it is installed (make test installs it for the Spark engine), and pyspark
    warns about the pandas version on import: an operator of a DuckDB run must not read that. Control:
    a bare GX import prints it; the gates' GX session does not."""
    import importlib.util
    import subprocess
    import sys

    assert importlib.util.find_spec("pyspark"), "make test installs pyspark (requirements-spark.txt)"
    bare = subprocess.run([sys.executable, "-c", "import great_expectations"], capture_output=True, text=True)
    assert "PySpark does not yet fully support pandas" in bare.stderr, bare.stderr[-500:]
    session = subprocess.run([sys.executable, "-c", "from kscore.gx_session import GxSession; GxSession('x')"],
                             capture_output=True, text=True)
    assert session.returncode == 0, session.stderr[-2000:]
    assert "PySpark" not in session.stderr and "Warning" not in session.stderr, session.stderr[-2000:]
