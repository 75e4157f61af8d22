"""A run: sense, raw gates, one dbt build for the whole range, mart gates,
publish, record (spec 07). The CLI and Dagster call these same functions.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import signal
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from kscore import buildfile, gates, landing, publish as publisher, runlog
from kscore import spark_build
from kscore.dbt_runner import DbtError, dbt_vars, run_dbt
from kscore.paths import WarehousePaths, default_landing, warehouse_paths
from kscore.sqltext import has_table
from kscore.progress import Progress, reporter


class RunError(RuntimeError):
    """A run could not proceed; the message says why (no stack trace for the operator)."""


class RunInterrupted(BaseException):
    """The run got SIGTERM/SIGHUP/SIGINT: it ends dbt, records itself as interrupted and stops."""


@contextmanager
def interrupt_on_signals():
    """SIGTERM and SIGHUP raise RunInterrupted in the main thread (as Ctrl-C raises
    KeyboardInterrupt), so the run ends its dbt and leaves its run-log row; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise RunInterrupted(signal.Signals(signum).name)

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


@dataclass
class RunContext:
    from_date: dt.date
    to_date: dt.date
    landing: Path
    paths: WarehousePaths
    run_id: str
    is_backfill: bool = False
    progress: Callable[[str], None] = print
    # dbt --full-refresh: every incremental model rebuilt from the landed files (after a model's columns
    # changed, an incremental model under `on_schema_change: fail` stops until it is rebuilt)
    full_refresh: bool = False
    # project vars given on the command line (`kscore run --var NAME=VALUE`), passed to dbt as --vars,
    # e.g. kuaizhizao_first_check_date for the demo (spec 09 section 4.1)
    extra_vars: dict[str, str] = field(default_factory=dict)
    # the engine of the dbt build (kscore.spark_build): duckdb, or spark (always a full refresh; the
    # marts come back into the build file, so the gates and publish are the same)
    engine: str = "duckdb"
    # the dbt data tests in the build (the equality test's Spark side leaves them to the DuckDB side)
    data_tests: bool = True
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    # wall seconds per phase (the benchmarks print them)
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        check_glob_free(self.landing, "landing zone", self.engine)
        check_glob_free(self.paths.published, "published file", self.engine)

    @contextmanager
    def phase(self, name: str):
        """One phase of the run (sense, raw_gates, dbt, mart_gates, publish): its wall time, and with a
        Progress reporter (kscore.progress) its progress line."""
        t0 = time.monotonic()
        rep = reporter(self.progress)
        if rep:
            rep.start(name)
        try:
            yield
        finally:
            if rep:
                rep.end()  # the step did not close its line: an error stopped it
            self.phase_seconds[name] = self.phase_seconds.get(name, 0.0) + time.monotonic() - t0

    @property
    def tick(self) -> Callable[..., None] | None:
        """The current phase's progress counter (Progress.update), None without a reporter."""
        rep = reporter(self.progress)
        return rep.update if rep else None

    def phase_done(self, summary: str, plain: str) -> None:
        """The end of a step: its phase's result line with a reporter, else the plain message."""
        rep = reporter(self.progress)
        if rep:
            rep.finish(summary)
        else:
            self.progress(plain)

    @property
    def as_of_dates(self) -> list[dt.date]:
        n = (self.to_date - self.from_date).days
        return [self.from_date + dt.timedelta(days=i) for i in range(n + 1)]

    @property
    def data_days(self) -> list[dt.date]:
        """The dt partitions whose batches this run newly depends on: D-1 for each as_of_date D."""
        return [d - dt.timedelta(days=1) for d in self.as_of_dates]

    @property
    def run_dir(self) -> Path:
        return self.paths.run_dir(self.run_id)


@dataclass
class RunResult:
    run_id: str
    as_of_dates: list[dt.date]
    published_dates: list[dt.date]
    gate_results: list[gates.GateResult]
    outcome: str
    message: str
    published_file: Path
    # wall seconds of each phase that ran: sense, raw_gates, dbt, mart_gates, publish
    phase_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome == "published"


def new_run_id() -> str:
    return dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)


@contextmanager
def build_lock(paths: WarehousePaths):
    """One writer at a time on the build file."""
    lock_path = paths.folder / (paths.build.name + ".lock")
    try:
        paths.folder.mkdir(parents=True, exist_ok=True)
        fh = open(lock_path, "w")
    except OSError as exc:
        raise RunError(f"cannot write the warehouse folder {paths.folder}: {type(exc).__name__}: {exc}") from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunError(f"another run is writing {paths.build} (lock {lock_path}); try again when it ends") from None
        try:
            _check_no_stray_dbt(paths)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_no_stray_dbt(paths: WarehousePaths) -> None:
    """A dbt of an earlier run that outlived it (it should not: it dies with its run) still holding
    the build file is named, with what to do; a stale PID file is removed."""
    rec = buildfile.read_dbt_pid(paths.folder)
    if rec is None:
        return
    pid = int(rec.get("pid", 0))
    if pid and buildfile.pid_alive(pid) and pid != os.getpid():
        raise RunError(buildfile.holder_message(paths.build, pid))
    (paths.folder / buildfile.DBT_PID_FILE).unlink(missing_ok=True)


# the range build's dbt arguments (the CLI and Dagster's dbt assets): unit tests check the SQL, not the
# data: they run once in the test suite (tests/python/test_dbt_project.py; on Spark test_spark_equality.py),
# not in every production build
DBT_BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")


def sense_step(ctx: RunContext) -> list[landing.LandedFile]:
    if not ctx.landing.is_dir():
        raise RunError(f"landing zone {ctx.landing} does not exist (set --landing or KSCORE_LANDING_DIR)")
    t0 = time.monotonic()
    files = landing.sense(ctx.landing)
    with buildfile.connect(ctx.paths.build) as con:
        landing.mark_known(con, files)
        landing.write_ledger(con, files, ctx.run_id)
    rejected = [f for f in files if f.status == "rejected"]
    rows = sum(int(f.row_count or 0) for f in files)
    if ctx.tick:
        ctx.tick(len(files), len(files), unit="files", rows=rows)
    ctx.phase_done(f"{len(rejected)} rejected",
                   f"sensed {len(files)} files in {time.monotonic() - t0:.1f}s ({len(rejected)} rejected)")
    return files


def _gate_summary(results: list[gates.GateResult]) -> str:
    failed = sum(not r.success for r in results)
    return f"{len(results) - failed} passed, {failed} failed"


def raw_gate_step(ctx: RunContext, files) -> list[gates.GateResult]:
    results = gates.raw_gates(files, ctx.data_days, ctx.paths.build, run_dir=ctx.run_dir, progress=ctx.progress,
                              tick=ctx.tick)
    if reporter(ctx.progress):
        ctx.phase_done(f"dt {ctx.data_days[0]} … {ctx.data_days[-1]}: {_gate_summary(results)}", "")
    return results


def dbt_build_args(ctx: RunContext, select: list[str] | None = None) -> list[str]:
    """`dbt build`'s arguments for the run (also the Dagster asset's): on Spark always --full-refresh
    (its incremental models are tables rebuilt whole, docs/spark.md)."""
    return ([*DBT_BUILD_ARGS] + ([] if ctx.data_tests else ["test"]) + (["--select", *select] if select else [])
            + (["--full-refresh"] if ctx.full_refresh or ctx.engine == "spark" else []))


def prepare_engine(ctx: RunContext) -> None:
    """Before the dbt build: on Spark an empty Spark folder with the sense step's ledger in it
    (kscore.spark_build)."""
    if ctx.engine == "spark":
        spark_build.clear_spark_dir(ctx.paths.folder)
        spark_build.export_ledger(ctx.paths.build, ctx.paths.folder)


def finish_engine(ctx: RunContext) -> dict[str, int]:
    """After the dbt build: on Spark its marts, quarantine, ops and rules tables into the build file, where
    the gates and publish read them. {schema.table: rows} of what was copied."""
    if ctx.engine != "spark":
        return {}
    return spark_build.import_spark_tables(ctx.paths.build, ctx.paths.folder, ctx.paths.dbt_target / "manifest.json")


def dbt_build_step(ctx: RunContext, select: list[str] | None = None) -> dict:
    rep = reporter(ctx.progress)
    if not rep:
        ctx.progress(f"dbt build for as_of_dates {ctx.from_date} … {ctx.to_date} "
                     f"({len(ctx.as_of_dates)} days, one invocation)")
    # unit tests check the SQL, not the data: they run once in the test suite (tests/python/test_dbt_project.py),
    # not in every production build; the data tests do run here, as gates on the day's build.
    prepare_engine(ctx)
    out = run_dbt(dbt_build_args(ctx, select), ctx.paths, ctx.landing,
                  dbt_vars(ctx.from_date, ctx.to_date, ctx.landing, ctx.run_id, **ctx.extra_vars),
                  ctx.run_dir / "dbt_build.log", ctx.progress, tick=ctx.tick, verbose=bool(rep and rep.verbose),
                  engine=ctx.engine)
    out["imported"] = finish_engine(ctx)
    if rep:
        extra = "".join(f", {n} {what}" for n, what in ((len(out["warnings"]), "warnings"), (out["skipped"], "skipped"))
                        if n)
        rep.finish(f"{len(out['errors'])} errors{extra} (as_of_dates {ctx.from_date} … {ctx.to_date}, "
                   f"one invocation)")
    return out


def mart_gate_step(ctx: RunContext) -> list[gates.GateResult]:
    results = gates.mart_gates(ctx.paths.build, ctx.as_of_dates, ctx.run_dir, progress=ctx.progress, tick=ctx.tick)
    if reporter(ctx.progress):
        ctx.phase_done(f"as_of_dates {ctx.from_date} … {ctx.to_date}: {_gate_summary(results)}", "")
    return results


def publishable_days(ctx: RunContext, results: list[gates.GateResult]) -> list[dt.date]:
    """The as_of_dates before the first one any failed gate blocks."""
    blocked = [r.blocks_as_of for r in results if not r.success]
    first_bad = min(blocked) if blocked else None
    return [d for d in ctx.as_of_dates if first_bad is None or d < first_bad]


def landed_counts(ctx: RunContext) -> dict:
    """What this run (re)processed per table (not the lifetime totals); {} when the build file
    cannot be read (the run log row says why the run ended)."""
    try:
        with buildfile.connect(ctx.paths.build, read_only=True) as con:
            if not has_table(con, "ops", "landing_counts"):
                return {}
            # the partitions its staging re-read
            rows = con.execute("""
                select table_name, sum(landed_rows), sum(staged_rows), sum(quarantined_rows),
                       sum(duplicate_rows)
                from ops.landing_counts where processed_by_run = ? group by 1 order by 1""",
                               [ctx.run_id]).fetchall()
    except (duckdb.Error, buildfile.BuildFileBusy):
        return {}
    return {t: {"landed": int(a), "staged": int(b), "quarantined": int(c), "duplicates": int(d)} for t, a, b, c, d in rows}


def write_report(ctx: RunContext, results: list[gates.GateResult]) -> Path:
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    path = ctx.run_dir / "gate_report.json"
    path.write_text(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1, default=str))
    # the failure report: table, day, expectation, observed value and bound of every failed gate
    (ctx.run_dir / "gate_failures.txt").write_text(gates.failure_report(results), encoding="utf-8")
    return path


def conclude(ctx: RunContext, results: list[gates.GateResult], error: str | None = None) -> tuple[list[dt.date], str, str]:
    """The days a run publishes, its outcome and message, from its gate results (or the error that stopped it)."""
    if error is not None:
        return [], "failed", error
    days = publishable_days(ctx, results)
    if len(days) == len(ctx.as_of_dates):
        return days, "published", f"published {_as_of_dates(len(days))}"
    if days:
        return days, "partial", (f"published {days[0]} … {days[-1]}; stopped at {ctx.as_of_dates[len(days)]} "
                                 f"by a failed gate{_first_failure(results)}")
    return days, "failed", f"nothing published: a gate failed for {ctx.as_of_dates[0]}{_first_failure(results)}"


def _as_of_dates(n: int) -> str:
    return f"{n} as_of_date" if n == 1 else f"{n} as_of_dates"


def _first_failure(results: list[gates.GateResult]) -> str:
    """The first failed gate, named for the operator: stage, table, day, expectation, observed, bound."""
    failed = sorted((r for r in results if not r.success), key=gates.root_cause_key)
    if not failed:
        return ""
    r = failed[0]
    return (f" ({r.stage} gate, table {r.suite}, {'dt' if r.stage == 'raw' else 'as_of_date'} {r.day}: "
            f"{r.expectation}; observed {r.observed!r}; bound {r.bound!r})")


def _log_row(ctx: RunContext, results: list[gates.GateResult], days: list[dt.date], outcome: str,
             message: str) -> dict:
    failed = [r for r in results if not r.success]
    return dict(
        run_id=ctx.run_id, started_at=ctx.started_at, finished_at=dt.datetime.now().replace(microsecond=0),
        from_date=ctx.from_date, to_date=ctx.to_date, as_of_dates=ctx.as_of_dates, published_dates=days,
        is_backfill=ctx.is_backfill, landed_counts=landed_counts(ctx) if ctx.paths.build.exists() else {},
        gate_results={"passed": len(results) - len(failed), "failed": [r.as_dict() for r in failed]},
        outcome=outcome, message=message, pid=os.getpid())


def record_start(ctx: RunContext) -> list[str]:
    """The start of a run (CLI and Dagster), under the build lock: leftovers of a killed publish
    removed, the rows of killed runs settled (runlog.reconcile), and this run's row written as
    `running`, so that a run killed from here on leaves a row. Returns the notes for the operator."""
    notes = list(publisher.clean_leftovers(ctx.paths))
    notes += runlog.reconcile(ctx.paths.build, ctx.paths.published, ctx.run_id)
    runlog.append(ctx.paths.build, {**_log_row(ctx, [], [], "running", "started"), "finished_at": None,
                                    "landed_counts": {}})
    return notes


def record_and_publish(ctx: RunContext, results: list[gates.GateResult], days: list[dt.date],
                       outcome: str, message: str) -> tuple[list[dt.date], str, str]:
    """The end of a run (CLI and Dagster): gate report, run log row, publish `days`.

    Two-phase: with days to publish, the row says `publishing` in the build file; the new published
    file carries it as `outcome` (written before its rename), and the build row says `outcome` only
    after the rename. A run killed in between is settled by the next run (runlog.reconcile).
    Returns (published days, outcome, message); a failed publish leaves the published file unchanged.
    """
    report = write_report(ctx, results)
    failed = [r for r in results if not r.success]
    if failed:
        message += f"; {len(failed)} failed gate results, report {report.with_name('gate_failures.txt')}"
    log_row = _log_row(ctx, results, days, outcome if not days else "publishing", message)
    runlog.append(ctx.paths.build, log_row)
    if not days:
        return [], outcome, message
    final = {**log_row, "outcome": outcome}
    try:
        publisher.publish(ctx.paths, days, landing=ctx.landing, before_rename=lambda con, catalog: runlog.settle_in(
            con, catalog, ctx.run_id, outcome, final["finished_at"]))
    except (duckdb.Error, OSError) as exc:
        outcome, message = "failed", f"publish failed, published file unchanged: {type(exc).__name__}: {exc}"
        runlog.append(ctx.paths.build, {**log_row, "published_dates": [], "outcome": outcome, "message": message})
        return [], outcome, message
    runlog.append(ctx.paths.build, final)
    return days, outcome, message


def _record_interrupted(ctx: RunContext, results: list[gates.GateResult], message: str) -> None:
    try:
        runlog.append(ctx.paths.build, _log_row(ctx, results, [], "interrupted", message))
    except (duckdb.Error, buildfile.BuildFileBusy, OSError):
        pass  # the next run settles the `running` row


def check_not_republishing(ctx: RunContext) -> None:
    """Published snapshots stay as they were published (spec 01): recomputing one takes an explicit backfill."""
    try:
        already = sorted(publisher.published_as_of_dates(ctx.paths.published) & set(ctx.as_of_dates))
    except duckdb.Error as exc:
        raise RunError(f"cannot read the published file {ctx.paths.published}: {exc}") from None
    if already and not ctx.is_backfill:
        days = f"{already[0]} … {already[-1]}" if len(already) > 1 else str(already[0])
        raise RunError(f"as_of_dates {days} are already published in {ctx.paths.published}; published snapshots "
                       f"stay as they were published: pass --backfill to recompute them (the run log records it)")


def landed_days(landing_dir: Path, tables=None) -> list[dt.date]:
    """The days of the dt=YYYY-MM-DD partitions holding a Parquet file, of `tables` (default: every
    contract table) under the landing zone. Lists folders only: nothing is opened or written."""
    days: set[dt.date] = set()
    for table in tables or landing.contract():
        tdir = Path(landing_dir) / table
        if not tdir.is_dir():
            continue
        for part in tdir.iterdir():
            m = landing.DT_FOLDER.match(part.name)
            if not m or not part.is_dir():
                continue
            try:
                day = dt.date.fromisoformat(m.group(1))
            except ValueError:  # dt=2023-02-30: the raw gate reports it
                continue
            if any(part.glob("*.parquet")):
                days.add(day)
    return sorted(days)


def buildable_range(landing_dir: Path) -> tuple[dt.date, dt.date, dt.date, dt.date] | None:
    """(first landed dt, last landed dt, first buildable as_of_date, last buildable as_of_date) of the
    zone's expected daily tables (gates.EXPECTED_DAILY_TABLES: the partitions every as_of_date needs),
    or None when none landed. as_of_date D reads the data up to D-1 (spec README), so the first buildable
    as_of_date is the first landed day + 1 and the last the newest landed day + 1. A day missing inside
    the range, or missing for one table only, is the raw gate's (daily_partition_present) to report."""
    days = landed_days(landing_dir, gates.EXPECTED_DAILY_TABLES)
    if not days:
        return None
    one = dt.timedelta(days=1)
    return days[0], days[-1], days[0] + one, days[-1] + one


def check_buildable(from_date: dt.date, to_date: dt.date, landing_dir: Path) -> None:
    """Refuse, before any file is written, a range the landing zone cannot build, naming what it holds."""
    land = Path(landing_dir)
    if not land.is_dir():
        raise RunError(f"landing zone {land} does not exist (set --landing or KSCORE_LANDING_DIR)")
    try:
        span = buildable_range(land)
    except OSError as exc:
        raise RunError(f"cannot list the landing zone {land}: {type(exc).__name__}: {exc}") from None
    asked = f"as_of_date {from_date}" if from_date == to_date else f"as_of_dates {from_date} … {to_date}"
    if span is None:
        raise RunError(f"the landing zone {land} holds no dt=YYYY-MM-DD partition of the daily tables "
                       f"({', '.join(gates.EXPECTED_DAILY_TABLES)}): {asked} cannot be built")
    first, last, lo, hi = span
    if from_date < lo or to_date > hi:
        raise RunError(f"{asked} cannot be built: the landing zone holds dt {first} … {last}; "
                       f"as_of_dates {lo} … {hi} can be built (as_of_date D reads the data up to D-1; "
                       f"landing zone {land})")


# the vars the runner owns: a --var cannot set them
RUNNER_VARS = ("from_date", "to_date", "run_id", "landing_dir")


def check_extra_vars(extra_vars: dict[str, str]) -> dict[str, str]:
    """The project vars of `kscore run --var`, refused when they name a value the runner sets."""
    owned = sorted(set(extra_vars) & set(RUNNER_VARS))
    if owned:
        raise RunError(f"--var {', '.join(owned)}: set by kscore run itself (use --from/--to/--landing)")
    for name, value in extra_vars.items():
        # a date var (kuaizhizao_first_check_date, ...) is checked here, not as a cast error deep in dbt
        if name.endswith("_date") and value:
            try:
                ok = len(value) == 10 and dt.date.fromisoformat(value).isoformat() == value
            except ValueError:
                ok = False
            if not ok:
                raise RunError(f"--var {name}={value}: not a date YYYY-MM-DD")
    return dict(extra_vars)


# characters an engine takes as a glob even inside an explicit file list: DuckDB's read_parquet
# `* ? [ ]` (a folder named "a[1]" read "a1", "b*" every sibling: measured), Spark's Hadoop paths also
# `{ }` (alternatives; DuckDB reads braces literally, test_hostile_paths) and `\` (an escape)
GLOB_CHARS = {"duckdb": "*?[]", "spark": "*?[]{}\\"}


def check_glob_free(path: Path, what: str, engine: str = "duckdb") -> None:
    """Refuse a landing zone or published-file path holding a character the engine reads as a glob,
    before any file is written: every file list of the build and of the published views would match
    other files."""
    chars = GLOB_CHARS.get(engine, GLOB_CHARS["spark"])
    found = sorted({c for c in str(path) if c in chars})
    if found:
        raise RunError(f"the {what} path {path} holds {' '.join(found)}: the {engine} engine reads these "
                       f"as glob patterns (other files would be read); move it to a path without any of "
                       f"{chars}")


def check_engine(engine: str) -> str:
    """The engine name, refused before any file is written when unknown, or when it is spark and Java or
    dbt-spark is missing (one line naming what to install, not Spark's gateway traceback mid-build)."""
    if engine not in spark_build.ENGINES:
        raise RunError(f"--engine {engine}: not one of {', '.join(spark_build.ENGINES)}")
    if engine == "spark":
        import importlib.util
        import shutil

        if shutil.which("java") is None:
            raise RunError("--engine spark: Java is not installed (no `java` on PATH); "
                           "`make spark-setup` installs openjdk-17-jre-headless")
        for module in ("pyspark", "dbt.adapters.spark"):
            if importlib.util.find_spec(module) is None:
                raise RunError(f"--engine spark: {module} is not installed; `make spark-setup` installs "
                               "requirements-spark.txt")
    return engine


def run(from_date: dt.date, to_date: dt.date, landing_dir: Path | None = None, warehouse: Path | None = None,
        progress: Callable[[str], None] = print, is_backfill: bool = False,
        full_refresh: bool = False, extra_vars: dict[str, str] | None = None, engine: str = "duckdb",
        data_tests: bool = True) -> RunResult:
    """Build, gate and publish as_of_dates from_date … to_date in one build.

    `extra_vars`: project vars for dbt (`--vars`), never the per-run values (from/to date, run id,
    landing), which the runner sets itself. `engine`: duckdb or spark (kscore.spark_build);
    `data_tests=False` leaves dbt's data tests out of the build.

    `progress` gets what a person reads (kscore.progress): a Progress reporter as is, any other
    callable one line per call (a phase's result line, every failure and warning in full)."""
    if to_date < from_date:
        raise RunError(f"--to {to_date} is before --from {from_date}")
    if not isinstance(progress, Progress):
        progress = Progress(emit=progress)
    ctx = RunContext(from_date, to_date, Path(landing_dir or default_landing()).resolve(),
                     warehouse_paths(warehouse), new_run_id(), is_backfill, progress, full_refresh=full_refresh,
                     extra_vars=check_extra_vars(extra_vars or {}), engine=check_engine(engine),
                     data_tests=data_tests)
    # before any file is written (no build file, run folder, lock or warehouse folder): a range the zone
    # cannot build, and a published day without --backfill, are refused here
    check_buildable(ctx.from_date, ctx.to_date, ctx.landing)
    check_not_republishing(ctx)
    t0 = time.monotonic()
    results: list[gates.GateResult] = []
    published: list[dt.date] = []
    outcome, message = "failed", ""
    with build_lock(ctx.paths), interrupt_on_signals():
        ctx.run_dir.mkdir(parents=True, exist_ok=True)
        progress(f"run {ctx.run_id}: as_of_dates {from_date} … {to_date}; landing {ctx.landing}; build file {ctx.paths.build}")
        error: str | None = None
        try:
            for note in record_start(ctx):
                progress("  " + note)
            with ctx.phase("sense"):
                files = sense_step(ctx)
            with ctx.phase("raw_gates"):
                results += raw_gate_step(ctx, files)
            for r in results:  # every failure in full, after its phase's line
                if not r.success:
                    progress("  " + r.describe())
            if publishable_days(ctx, results):
                with ctx.phase("dbt"):
                    dbt_build_step(ctx)
                with ctx.phase("mart_gates"):
                    mart = mart_gate_step(ctx)
                results += mart
                for r in mart:  # the mart gates and the post-staging raw gate (quarantine share)
                    if not r.success:
                        progress("  " + r.describe())
        except buildfile.BuildFileBusy as exc:
            # the build file is not ours to write: no run-log row can go there; say who holds it
            raise RunError(str(exc)) from None
        except (KeyboardInterrupt, RunInterrupted) as exc:
            why = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else str(exc)
            message = f"interrupted by {why}; nothing of this run was published"
            _record_interrupted(ctx, results, message)
            raise RunError(f"run {ctx.run_id} {message}") from None
        except (DbtError, RunError, duckdb.Error, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # anything else still ends as a failed run with a run-log row, not a bare trace
            trace = ctx.run_dir / "error_traceback.txt"
            trace.write_text(traceback.format_exc(), encoding="utf-8")
            error = f"unexpected {type(exc).__name__}: {exc} (traceback: {trace})"
        days, outcome, message = conclude(ctx, results, error)
        try:
            with ctx.phase("publish"):
                published, outcome, message = record_and_publish(ctx, results, days, outcome, message)
                if reporter(progress):
                    ctx.phase_done(_as_of_dates(len(published)) + (f" ({published[0]} … {published[-1]})"
                                                                       if published else ", nothing published"), "")
        except (KeyboardInterrupt, RunInterrupted) as exc:
            # between the rename and the last row: the next run settles the row from the published file
            raise RunError(f"run {ctx.run_id} interrupted while publishing ({exc!r}); the next run "
                           "settles its run-log row from the published file") from None
        except buildfile.BuildFileBusy as exc:
            raise RunError(str(exc)) from None
    progress(f"run {ctx.run_id} {outcome} in {time.monotonic() - t0:.0f}s: {message}")
    return RunResult(ctx.run_id, ctx.as_of_dates, published, results, outcome, message, ctx.paths.published,
                     dict(ctx.phase_seconds))
