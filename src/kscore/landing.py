"""Sensing the raw landing zone (spec 01, 07 step 1).

The raw contract's columns and types are written down once, in the dbt
source definition ``models/staging/landing/_landing__sources.yml``; this
module reads them from there. ``sense()`` lists every landed Parquet file
with its partition day and row count, and accepts or rejects each one as a
whole: a file that is empty, unreadable (truncated), lacks a contract column
or carries a column whose type cannot be cast to the contract's type is
rejected with the reason, so that it never reaches SQL (spec 06: it fails
the raw gate of its table and day). A file whose name is not a plain file
name (``SAFE_FILE_NAME``) is rejected as ``bad_file_name`` before it is
opened: file names come from upstream and paths reach SQL (issue 10).
``write_ledger()`` stores the result as
``ops.landed_files`` in the build file: dbt staging reads exactly the
accepted files listed there (macro ``read_landed``).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, asdict
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from kscore import PROJECT_DIR
from kscore.sqltext import has_table

SOURCES_YML = PROJECT_DIR / "models" / "staging" / "landing" / "_landing__sources.yml"
DT_FOLDER = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
# A landed file name (spec 01: <table>/dt=YYYY-MM-DD/<name>.parquet): ASCII letters, digits and
# . _ = -, starting with a letter or digit. Spark/Hive writers' names pass
# (part-00000-1b2c…-c000.snappy.parquet, part-0.parquet, key=value names); a quote, semicolon,
# space, backslash, glob character (* ? [), control character (newline), non-ASCII or non-UTF-8
# byte, or a leading dot, underscore or dash (hidden, temporary or option-like names) is not.
# Matched whole (fullmatch: `$` would let a trailing newline through).
SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._=-]*\.parquet")


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # the contract's type, lower case: bigint, integer, varchar, double, boolean, decimal(18,2), timestamp
    nullable: bool


@lru_cache(maxsize=1)
def contract() -> dict[str, list[Column]]:
    """The raw contract: table -> columns (without the partition column dt)."""
    doc = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    tables: dict[str, list[Column]] = {}
    for source in doc["sources"]:
        if source["name"] != "landing":
            continue
        for table in source["tables"]:
            tables[table["name"]] = [
                Column(c["name"], c["data_type"], bool(c.get("meta", {}).get("nullable", False)))
                for c in table["columns"]
                if c["name"] != "dt"
            ]
    return tables


def table_kind(table: str) -> str:
    doc = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    for source in doc["sources"]:
        for t in source["tables"]:
            if t["name"] == table:
                return t["meta"]["kind"]
    raise KeyError(table)


def castable(arrow_type: pa.DataType, contract_type: str) -> bool:
    """Whether a Parquet column of arrow_type can be cast to the contract type without loss of meaning."""
    t = arrow_type
    if pa.types.is_null(t):
        return True  # an all-NULL column: castable to anything (NULL rules decide)
    if contract_type in ("bigint", "integer"):
        return pa.types.is_integer(t)
    if contract_type == "double":
        return pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_decimal(t)
    if contract_type.startswith("decimal"):
        return pa.types.is_decimal(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
    if contract_type == "varchar":
        return pa.types.is_string(t) or pa.types.is_large_string(t)
    if contract_type == "boolean":
        return pa.types.is_boolean(t)
    if contract_type == "timestamp":
        return pa.types.is_timestamp(t) and t.tz is None
    if contract_type == "date":
        return pa.types.is_date(t)
    return False


@dataclass
class LandedFile:
    table_name: str
    dt: dt.date | None
    file_path: str
    file_bytes: int
    row_count: int | None
    status: str  # accepted | rejected
    reason: str | None
    # False when an earlier run on this build file already sensed (and reported) this file
    is_new: bool = True


def _text(path: Path) -> str:
    """The path as text that UTF-8 can hold: undecodable bytes of a file name (kept by Python as
    lone surrogates) become backslash escapes, so a hostile name never breaks the ledger."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return text


def bad_file_name(name: str) -> str | None:
    """The rejection reason for a file name outside SAFE_FILE_NAME, else None."""
    if SAFE_FILE_NAME.fullmatch(name):
        return None
    try:
        name.encode("utf-8")
        shown = repr(name)
    except UnicodeEncodeError:  # not UTF-8: show the bytes
        shown = repr(os.fsencode(name))
    return f"bad_file_name: {shown}"


def check_file(table: str, path: Path, day: dt.date | None) -> LandedFile:
    try:
        size = path.stat().st_size
    except OSError as exc:  # a dangling link, a file removed while sensing
        return LandedFile(table, day, _text(path), 0, None, "rejected",
                          bad_file_name(path.name) or f"unreadable_file: {type(exc).__name__}")
    base = dict(table_name=table, dt=day, file_path=_text(path), file_bytes=size)
    bad_name = bad_file_name(path.name)
    if bad_name:  # never opened: the name is upstream input that must not reach SQL
        return LandedFile(**base, row_count=None, status="rejected", reason=bad_name)
    if day is None:
        return LandedFile(**base, row_count=None, status="rejected", reason="bad_partition_folder: expected dt=YYYY-MM-DD")
    if size == 0:
        return LandedFile(**base, row_count=None, status="rejected", reason="empty_file: 0 bytes, not a Parquet file")
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except Exception as exc:  # pyarrow raises several types for a corrupt footer
        return LandedFile(**base, row_count=None, status="rejected",
                          reason=f"unreadable_parquet: {type(exc).__name__}: {str(exc)[:200]}")
    present = {f.name: f.type for f in schema}
    problems = []
    for col in contract()[table]:
        if col.name not in present:
            problems.append(f"missing_column: {col.name}")
        elif not castable(present[col.name], col.data_type):
            problems.append(f"wrong_type: {col.name} is {present[col.name]}, contract {col.data_type.upper()}")
    if problems:
        return LandedFile(**base, row_count=meta.num_rows, status="rejected", reason="; ".join(problems))
    return LandedFile(**base, row_count=meta.num_rows, status="accepted", reason=None)


def sense(landing: Path) -> list[LandedFile]:
    """Every Parquet file of every contract table under the landing zone."""
    landing = Path(landing).resolve()
    out: list[LandedFile] = []
    for table in contract():
        tdir = landing / table
        if not tdir.is_dir():
            continue
        # a Parquet file straight in the table's folder names no day: rejected (bad_partition_folder), never skipped
        for f in sorted(tdir.glob("*.parquet")):
            out.append(check_file(table, f, None))
        for day_dir in sorted(p for p in tdir.iterdir() if p.is_dir()):
            m = DT_FOLDER.match(day_dir.name)
            try:
                day = dt.date.fromisoformat(m.group(1)) if m else None
            except ValueError:  # dt=2023-02-30: the shape of a date, not a date
                day = None
            for f in sorted(day_dir.glob("*.parquet")):
                out.append(check_file(table, f, day))
    return out


LEDGER_DDL = """
create schema if not exists ops;
create or replace table ops.landed_files (
    table_name varchar, dt date, file_path varchar, file_bytes bigint,
    row_count bigint, status varchar, reason varchar, run_id varchar, sensed_at timestamp
);
"""


def mark_known(con, files: list[LandedFile]) -> None:
    """Set is_new = False on the files the previous sensing of this build file already listed."""
    if not has_table(con, "ops", "landed_files"):
        return
    known = {p for (p,) in con.execute("select file_path from ops.landed_files").fetchall()}
    for f in files:
        f.is_new = f.file_path not in known


def write_ledger(con, files: list[LandedFile], run_id: str) -> None:
    """Replace ops.landed_files in the (open) build database with this sensing."""
    import pandas as pd

    con.execute(LEDGER_DDL)
    if not files:
        return
    df = pd.DataFrame([asdict(f) for f in files])
    df["run_id"] = run_id
    df["sensed_at"] = dt.datetime.now().replace(microsecond=0)
    con.register("landed_files_df", df)
    con.execute("""
        insert into ops.landed_files
        select table_name, cast(dt as date), file_path, file_bytes, row_count, status, reason, run_id,
               cast(sensed_at as timestamp)
        from landed_files_df
    """)
    con.unregister("landed_files_df")
