"""Running dbt for a range of as_of_dates: one invocation per range (spec 07)."""
from __future__ import annotations

import atexit
import ctypes
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from kscore import PROJECT_DIR
from kscore.buildfile import DBT_PID_FILE
from kscore.paths import WarehousePaths

PR_SET_PDEATHSIG = 1
_LIVE: dict[int, Path] = {}  # pgid -> PID file of the dbt process groups this process started


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """In the dbt child: its own process group, and SIGKILL when the run's process dies (kill -9
    included), so a killed run never leaves dbt holding the build file."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def stop_group(pgid: int, grace: float = 5.0) -> None:
    """End a dbt process group: SIGTERM, then SIGKILL after `grace` seconds."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@atexit.register
def _stop_live_groups() -> None:
    for pgid, pid_file in list(_LIVE.items()):
        stop_group(pgid, grace=2.0)
        pid_file.unlink(missing_ok=True)


class DbtError(RuntimeError):
    """dbt failed; the message names the failing nodes and points at the log."""


# the per-run values go to dbt in the environment, not in --vars (macro run_var): dbt re-parses the
# whole project whenever --vars change, while a changed environment variable re-parses only the files
# that read it, so a daily run keeps dbt's partial parsing
RUN_ENV = {"from_date": "KSCORE_FROM_DATE", "to_date": "KSCORE_TO_DATE", "run_id": "KSCORE_RUN_ID",
           "landing_dir": "KSCORE_LANDING_DIR"}


def dbt_env(paths: WarehousePaths, landing: Path, vars_: dict | None = None,
            engine: str = "duckdb") -> dict[str, str]:
    """dbt's environment: the build file, the landing zone, where dbt writes, and the run's values;
    with engine "spark", the spark target and its folder (kscore.spark_build)."""
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        KSCORE_BUILD_DB=str(paths.build),
        KSCORE_LANDING_DIR=str(Path(landing).resolve()),
        DBT_TARGET_PATH=str(paths.dbt_target),
        DBT_LOG_PATH=str(paths.folder / "dbt_logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.update({RUN_ENV[k]: str(v) for k, v in (vars_ or {}).items() if k in RUN_ENV})
    if engine == "spark":
        from kscore.spark_build import spark_env
        env.update(spark_env(paths.folder))
    else:
        env.pop("KSCORE_DBT_TARGET", None)
    return env


def cli_vars(vars_: dict) -> list[str]:
    """The `--vars` arguments for what is not a per-run value (RUN_ENV): none in a kscore run."""
    rest = {k: v for k, v in vars_.items() if k not in RUN_ENV}
    return ["--vars", json.dumps(rest)] if rest else []


def dbt_vars(from_date: dt.date, to_date: dt.date, landing: Path, run_id: str, **extra) -> dict:
    return {
        "from_date": from_date.isoformat(),
        "to_date": to_date.isoformat(),
        "landing_dir": str(Path(landing).resolve()),
        "run_id": run_id,
        **extra,
    }


def dbt_executable() -> str:
    exe = Path(sys.executable).with_name("dbt")
    return str(exe) if exe.exists() else "dbt"


# a dbt node's result line: "12 of 328 OK created sql table model ...", "3 of 328 FAIL 2 not_null_..."
NODE_RESULT = re.compile(r"^(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")
NODE_START = re.compile(r"^(\d+) of (\d+) START\b")
TIMESTAMP = re.compile(r"^\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\s+|$)")
# dbt's own lines a person need not read at default verbosity (kscore run --verbose prints them)
CHATTER = ("Running with dbt=", "Registered adapter:", "Unable to do partial parsing", "Found ", "Concurrency:",
           "Finished running ", "Completed successfully", "Done. PASS=", "Nothing to do",
           "Partial parse save file not found", "Performance info:", "Command end result")


def _node_ticker(progress: Callable[[str], None]) -> Callable[..., None]:
    """Without a progress line (Dagster's log): a line at every tenth of the nodes."""
    shown = [0]

    def tick(done: int, total: int, **_) -> None:
        if total and (done * 10 // total > shown[0] or done == total):
            shown[0] = done * 10 // total
            progress(f"  dbt {done}/{total} nodes")
    return tick


def run_dbt(args: list[str], paths: WarehousePaths, landing: Path, vars_: dict,
            log_file: Path, progress: Callable[[str], None] = print,
            tick: Callable[..., None] | None = None, verbose: bool = False, engine: str = "duckdb") -> dict:
    """Run `dbt <args>` in the project with the run's values (dbt_env, cli_vars); report progress; raise
    DbtError on failure.

    dbt's whole output goes to `log_file`. `tick(done, total, unit="nodes")` follows the nodes done;
    `progress` gets every ERROR, FAIL and WARN node line and every dbt line that is not routine
    (CHATTER, START and OK/PASS/SKIP lines) in full; with `verbose`, every dbt line.
    Returns a summary {"seconds", "nodes", "errors", "warnings", "skipped"}. `engine`: dbt_env.
    """
    cmd = [dbt_executable(), *args, *cli_vars(vars_), "--project-dir", str(PROJECT_DIR)]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tick = tick or _node_ticker(progress)
    errors: list[str] = []
    warnings: list[str] = []
    skipped = done = 0
    total: int | None = None
    after_summary = False  # dbt's "Completed with N errors" block: the failures' details
    pid_file = paths.folder / DBT_PID_FILE
    with open(log_file, "w", encoding="utf-8") as log:
        # dbt runs in its own process group (a terminal's Ctrl-C or a signal to the run reaches the
        # run, which ends dbt itself) and dies with the run (PR_SET_PDEATHSIG)
        proc = subprocess.Popen(
            cmd, cwd=PROJECT_DIR, env=dbt_env(paths, landing, vars_, engine), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1, start_new_session=True,
            preexec_fn=_die_with_parent)
        _LIVE[proc.pid] = pid_file
        pid_file.write_text(json.dumps({"pid": proc.pid, "pgid": proc.pid, "run_id": vars_.get("run_id"),
                                        "parent_pid": os.getpid()}))
        try:
            for line in proc.stdout:
                log.write(line)
                if verbose:
                    progress(line.rstrip("\n"))
                text = TIMESTAMP.sub("", line.strip())
                if (m := NODE_START.match(text)):
                    if total is None:
                        total = int(m.group(2))
                        tick(done, total, unit="nodes")
                    continue
                if (m := NODE_RESULT.match(text)):
                    total = int(m.group(2))
                    done += 1
                    status = m.group(3)
                    if status in ("ERROR", "FAIL"):
                        errors.append(text)
                    elif status == "WARN":
                        warnings.append(text)
                    elif status == "SKIP":
                        skipped += 1
                    if status in ("ERROR", "FAIL", "WARN") and not verbose:
                        progress(f"  dbt {text}")
                    tick(done, total, unit="nodes")
                    continue
                if text.startswith("Completed with"):
                    after_summary = True
                if verbose or not text or (text.startswith(CHATTER) and not after_summary):
                    continue
                progress(f"  dbt: {text}")
            rc = proc.wait()
        except BaseException:  # interrupted (signal, Ctrl-C): end dbt with the run
            stop_group(proc.pid)
            raise
        finally:
            proc.stdout.close()
            if proc.poll() is None:
                stop_group(proc.pid)
                proc.wait()
            _LIVE.pop(proc.pid, None)
            pid_file.unlink(missing_ok=True)
    seconds = time.monotonic() - started
    results_path = paths.dbt_target / "run_results.json"
    results = []
    if results_path.exists():
        try:
            results = json.loads(results_path.read_text())["results"]
        except (ValueError, KeyError):
            results = []
    failed = [r for r in results if r.get("status") in ("error", "fail")]
    if rc != 0:
        detail = "; ".join(f"{r['unique_id']}: {(r.get('message') or '').strip()[:300]}" for r in failed[:5])
        if not detail:
            lines = (TIMESTAMP.sub("", t.strip()) for t in log_file.read_text(encoding="utf-8").splitlines())
            detail = " | ".join([t for t in lines if t and not t.startswith(CHATTER)][-15:])
        raise DbtError(f"dbt {' '.join(args)} failed after {seconds:.0f}s ({len(failed)} failing nodes): {detail}. "
                       f"Full log: {log_file}")
    return {"seconds": round(seconds, 1), "nodes": len(results) or done, "errors": errors, "warnings": warnings,
            "skipped": skipped}
