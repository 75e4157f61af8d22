"""Opening the build file, with a lock conflict as a clear message (issue 10).

A DuckDB file opened for writing cannot be opened by another process. When
the build file is held, DuckDB says so with the holder's PID; this module
turns that into a `BuildFileBusy` naming the holder: a previous run's dbt
(from the PID file the runner keeps, ``<warehouse>/dbt.pid``) or another
process (its command line), and what to do — never a stack trace.
"""
from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

import duckdb

DBT_PID_FILE = "dbt.pid"
_HOLDER = re.compile(r"PID (\d+)")


class BuildFileBusy(RuntimeError):
    """Another process holds the build file."""


def pid_alive(pid: int) -> bool:
    """Whether a process runs under this PID (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill(0)
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(p.decode(errors="replace") for p in raw.split(b"\0") if p)[:200]


def read_dbt_pid(folder: Path) -> dict | None:
    """{"pid", "pgid", "run_id"} of the dbt a run started in this warehouse folder, if recorded."""
    path = Path(folder) / DBT_PID_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def holder_message(build: Path, pid: int | None) -> str:
    """Who holds the build file and what to do, for the operator."""
    rec = read_dbt_pid(Path(build).parent)
    if pid is not None and rec and int(rec.get("pid", -1)) == pid:
        return (f"a previous run's dbt (PID {pid}, run {rec.get('run_id')}) still holds the build file "
                f"{build}; wait for it to end, or stop it with `kill -- -{rec.get('pgid', pid)}`, then run again")
    if pid is not None:
        return (f"another process (PID {pid}: {_cmdline(pid)}) holds the build file {build}; "
                f"close it (a DuckDB client on the build file?) and run again")
    return f"another process holds the build file {build}; close it and run again"


def busy_error(build: Path, exc: Exception) -> BuildFileBusy | None:
    """A BuildFileBusy for a DuckDB lock-conflict error, else None."""
    text = str(exc)
    if "lock" not in text.lower():
        return None
    m = _HOLDER.search(text)
    return BuildFileBusy(holder_message(build, int(m.group(1)) if m else None))


@contextmanager
def connect(build: Path, read_only: bool = False):
    """A DuckDB connection to the build file; a lock conflict raises BuildFileBusy."""
    try:
        con = duckdb.connect(str(build), read_only=read_only)
    except duckdb.Error as exc:
        busy = busy_error(build, exc)
        if busy is not None:
            raise busy from None
        raise
    try:
        yield con
    finally:
        con.close()
