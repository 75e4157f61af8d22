"""Write-audit-publish, the publish half (spec 06). docs/publishing.md explains the design.

The build writes into the build file; readers use the published file. Publishing the as_of_dates
that passed every gate costs what those days cost, not what the history costs:

- each mart's rows of one as_of_date are written once, as an immutable Parquet **day file**
  `<folder>/<stem>_published/marts/<mart>/as_of_date=YYYY-MM-DD/<publish id>_<n>.parquet`
  (a mart without an as_of_date column is written whole at every publish, under `whole/`);
  a republish (backfill) writes new files under new names, never over an existing one;
- the published file itself is a small **catalog**: `marts.*` are views over an explicit list
  of the current day files (`ops.published_files` says which), `ops.*` and `quarantine.*` are
  tables (current state, copied from the build file). It is written beside the published file
  with an explicit older storage version, so that the DuckDB 1.x readers BI tools bundle can
  open it, and renamed over it (atomic on one filesystem), after every day file is on disk.

A reader holding the old catalog keeps reading the old catalog and the files it lists: a file
that a republish replaced stays on disk for KSCORE_PUBLISH_RETENTION_HOURS (default 24) and is
removed by a later publish. A failed publish removes the day files it wrote and leaves the
published file as it was.

The published copy is what BI users read, so it carries no person's identifier and no path of
the landing zone: buyer identifiers become a salted SHA-256 (salt from KSCORE_PII_SALT, else a
random one kept in the warehouse folder as .pii_salt), landing paths become relative to the
landing zone, and the landing root in run-log text becomes `<landing>/`. The build file keeps
the raw rows. The new catalog and the new day files take the previous published file's mode
and group.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import duckdb

from kscore import bi
from kscore.paths import WarehousePaths
from kscore.sqltext import identifier, literal

# DuckDB 1.1+ clients read this storage version; DuckDB 2.0's default they cannot.
STORAGE_VERSION = os.environ.get("KSCORE_STORAGE_VERSION", "v1.1.0")
# Schemas copied whole from the build file (current state, not per day).
SNAPSHOT_SCHEMAS = ("quarantine",)
SNAPSHOT_OPS_TABLES = ("landing_counts", "landed_files", "run_log")
# The catalog alias of the new file while it is written (what `before_rename` receives).
NEW_CATALOG = "p"

# Day files (issue 15, point 4).
RETENTION_ENV = "KSCORE_PUBLISH_RETENTION_HOURS"
DEFAULT_RETENTION_HOURS = 24.0
FILES_TABLE = "published_files"          # ops.published_files: what the views read
SUPERSEDED_TABLE = "superseded_files"    # ops.superseded_files: replaced, kept for old readers
WHOLE = "whole"                          # the folder of a mart without an as_of_date column
DATE_COLUMN = "as_of_date"
# `<publish id>_<n>.parquet`: the publish id is a UTC time and a random suffix
PUBLISH_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}$")
DAY_FILE = re.compile(r"^(\d{8}T\d{12}Z-[0-9a-f]{8})_\d+\.parquet$")

# Privacy of the published copy (issue 10, point 5).
SALT_ENV = "KSCORE_PII_SALT"
SALT_FILE = ".pii_salt"
# Raw columns holding a person's identifier (the raw contract's buyer columns): salted hash.
PERSON_ID_COLUMNS = frozenset({"buyer_id"})
# Columns holding one landing file's path: made relative to the landing zone.
LANDING_PATH_COLUMNS = frozenset({"source_file", "file_path"})
# Free text that may quote a landing path (run-log messages, gate results, rejection reasons):
# the landing root is replaced by `<landing>/`.
LANDING_TEXT_COLUMNS = frozenset({"message", "gate_results", "landed_counts", "reason"})
LANDING_PLACEHOLDER = "<landing>"


class DayFile(NamedTuple):
    """One row of ops.published_files: a Parquet file a marts view reads."""

    mart: str
    as_of_date: dt.date | None      # None: a mart without as_of_date, written whole
    file_path: str                  # relative to the warehouse folder, '/'-separated
    row_count: int
    file_bytes: int
    publish_id: str
    written_at: dt.datetime         # UTC
    file_columns: str               # JSON [[name, type], ...] of the table the file was written from


class Superseded(NamedTuple):
    """One row of ops.superseded_files: a day file no view reads any more, kept on disk for the
    readers that still hold an older catalog until the retention has passed."""

    mart: str
    as_of_date: dt.date | None
    file_path: str
    publish_id: str                 # the publish that wrote the file
    superseded_at: dt.datetime      # UTC
    superseded_by: str              # the publish that replaced it


FILE_FIELDS = [("mart", "VARCHAR"), ("as_of_date", "DATE"), ("file_path", "VARCHAR"),
               ("row_count", "BIGINT"), ("file_bytes", "BIGINT"), ("publish_id", "VARCHAR"),
               ("written_at", "TIMESTAMP"), ("file_columns", "VARCHAR")]
SUPERSEDED_FIELDS = [("mart", "VARCHAR"), ("as_of_date", "DATE"), ("file_path", "VARCHAR"),
                     ("publish_id", "VARCHAR"), ("superseded_at", "TIMESTAMP"),
                     ("superseded_by", "VARCHAR")]
TABLE_COMMENTS = {
    FILES_TABLE: "The Parquet day files the marts views read: one mart's rows of one as_of_date "
                 "(as_of_date null: a mart without as_of_date, written whole at every publish). "
                 "file_path is relative to the folder of the published file.",
    SUPERSEDED_TABLE: "Day files replaced by a later publish (a backfill), kept on disk for "
                      "readers that hold an older catalog; removed by a publish once older than "
                      "KSCORE_PUBLISH_RETENTION_HOURS.",
}


def _tables(con, db: str, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = ? and schema_name = ? order by 1",
        [db, schema]).fetchall()] + [r[0] for r in con.execute(
        "select view_name from duckdb_views() "
        "where database_name = ? and schema_name = ? and not internal order by 1",
        [db, schema]).fetchall()]


def _base_tables(con, db: str, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = ? and schema_name = ? order by 1", [db, schema]).fetchall()]


class _Catalog:
    """Columns, types and comments of the attached databases, read once per schema (DuckDB's
    catalog functions go through every attached database: a query per table adds up)."""

    def __init__(self, con):
        self.con = con
        self._columns: dict[tuple[str, str], dict[str, list[tuple[str, str, str | None]]]] = {}
        self._comments: dict[tuple[str, str], dict[str, str | None]] = {}

    def _schema(self, db: str, schema: str) -> dict[str, list[tuple[str, str, str | None]]]:
        key = (db, schema)
        if key not in self._columns:
            out: dict[str, list[tuple[str, str, str | None]]] = {}
            for table, name, dtype, comment in self.con.execute(
                    "select table_name, column_name, data_type, comment from duckdb_columns() "
                    "where database_name = ? and schema_name = ? order by table_name, column_index",
                    [db, schema]).fetchall():
                out.setdefault(table, []).append((name, dtype, comment))
            self._columns[key] = out
        return self._columns[key]

    def columns(self, db: str, schema: str, table: str) -> list[tuple[str, str]]:
        """(name, type) of each column, in order."""
        return [(name, dtype) for name, dtype, _ in self._schema(db, schema).get(table, [])]

    def comments(self, db: str, schema: str, table: str) -> tuple[str | None, dict[str, str]]:
        """dbt's persisted descriptions: the table's (or view's) comment and its columns'."""
        key = (db, schema)
        if key not in self._comments:
            self._comments[key] = dict(self.con.execute(
                "select table_name, comment from duckdb_tables() where database_name = $1 "
                "and schema_name = $2 union all select view_name, comment from duckdb_views() "
                "where database_name = $1 and schema_name = $2", [db, schema]).fetchall())
        columns = {name: comment for name, _, comment in self._schema(db, schema).get(table, [])
                   if comment is not None}
        return self._comments[key].get(table), columns


def _qualified(db: str, schema: str, table: str) -> str:
    return ".".join(identifier(n) for n in (db, schema, table))


def _set_comments(con, target: str, kind: str, comments: tuple[str | None, dict[str, str]]) -> None:
    table_comment, columns = comments
    if table_comment:
        con.execute(f"comment on {kind} {target} is {literal(table_comment)}")
    for col, comment in columns.items():
        con.execute(f"comment on column {target}.{identifier(col)} is {literal(comment)}")


def _has_table(con, db: str, schema: str, table: str) -> bool:
    return table in _base_tables(con, db, schema)


def published_as_of_dates(published: Path) -> set[dt.date]:
    """The as_of_dates the published file holds in any mart (empty when there is no published
    file)."""
    if not Path(published).exists():
        return set()
    # in-memory + ATTACH: not DuckDB's instance cache, which may hold an older catalog
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(published)} as pub (read_only)")
        if _has_table(con, "pub", "ops", FILES_TABLE):
            return {r[0] for r in con.execute(
                f"select distinct as_of_date from pub.ops.{identifier(FILES_TABLE)} "
                "where as_of_date is not null").fetchall()}
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_columns() where database_name = 'pub' "
            "and schema_name = 'marts' and column_name = 'as_of_date'").fetchall()]
        if not tables:
            return set()
        sql = " union ".join(f"select distinct as_of_date from pub.marts.{identifier(t)}"
                             for t in tables)
        return {r[0] for r in con.execute(sql).fetchall()}
    finally:
        con.close()


# --- privacy --------------------------------------------------------------------------------

def pii_salt(folder: Path) -> str:
    """The salt of the buyer-identifier hash: $KSCORE_PII_SALT, else the warehouse folder's
    .pii_salt (made once, random, mode 0600). Operators set KSCORE_PII_SALT in production so
    that hashes are the same across warehouses."""
    env = os.environ.get(SALT_ENV)
    if env:
        return env
    path = Path(folder) / SALT_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            try:
                os.chmod(path, 0o600)
            except PermissionError:
                pass
        salt = path.read_text(encoding="utf-8").strip()
        if not salt:
            raise ValueError(f"{path} is empty: delete it (a new salt changes every buyer hash) "
                             f"or set {SALT_ENV}") from None
        return salt
    try:
        os.fchmod(fd, 0o600)
        salt = secrets.token_hex(32)
        os.write(fd, (salt + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return salt


def _landing_roots(landing: Path | None) -> list[str]:
    """The landing root as it may appear in stored paths (resolved and as given), no '/' at the
    end, longest first."""
    if landing is None:
        return []
    roots = {str(Path(landing).resolve()), os.path.abspath(landing)}
    return sorted((r.rstrip("/") or "/" for r in roots), key=len, reverse=True)


class _Privacy:
    """The select-list expressions (and their bound parameters) that make a build table's rows
    publishable."""

    def __init__(self, salt: str, landing: Path | None):
        self.params: dict[str, str] = {"pii_salt": salt}
        self.roots = _landing_roots(landing)
        for i, root in enumerate(self.roots):
            self.params[f"landing_{i}"] = root + "/"
        # the landing root as text may quote it: as is, and JSON-escaped (gate results)
        self.texts: list[tuple[str, str]] = []
        for root in self.roots:
            for form in dict.fromkeys([root, json.dumps(root, ensure_ascii=False)[1:-1]]):
                self.texts += [(form + "/", LANDING_PLACEHOLDER + "/"), (form, LANDING_PLACEHOLDER)]
        for i, (old, new) in enumerate(self.texts):
            self.params[f"text_{i}_old"], self.params[f"text_{i}_new"] = old, new

    def execute(self, con, sql: str, scan: str | None = None):
        """Run `sql` with the parameters it names (in `scan`, by default all of it) bound: DuckDB
        refuses unused ones, and a quoted path may hold a `$`."""
        used = set(re.findall(r"\$(\w+)", sql if scan is None else scan))
        return con.execute(sql, {k: v for k, v in self.params.items() if k in used} or None)

    def select_list(self, columns: list[tuple[str, str]]) -> str:
        return ", ".join(self._expression(name, dtype) for name, dtype in columns)

    def _expression(self, name: str, dtype: str) -> str:
        col = identifier(name)
        if name in PERSON_ID_COLUMNS:
            return f"sha256($pii_salt || cast({col} as varchar)) as {col}"
        if name in LANDING_PATH_COLUMNS and dtype == "VARCHAR":
            whens = " ".join(
                f"when starts_with({col}, $landing_{i}) "
                f"then substr({col}, length($landing_{i}) + 1)"
                for i in range(len(self.roots)))
            # outside the landing root (or no root given): the file's name only, never absolute
            return (f"case {whens} when {col} is null then null "
                    f"else regexp_extract({col}, '[^/]*$') end as {col}")
        if name in LANDING_TEXT_COLUMNS and dtype in ("VARCHAR", "JSON") and self.texts:
            expr = f"cast({col} as varchar)"
            for i in range(len(self.texts)):
                expr = f"replace({expr}, $text_{i}_old, $text_{i}_new)"
            return f"cast({expr} as {dtype}) as {col}"
        return col


class _AsIs(_Privacy):
    """Rows that are already private (the previous published file's): copied unchanged."""

    def __init__(self):
        self.params, self.roots, self.texts = {}, [], []

    def _expression(self, name: str, dtype: str) -> str:
        return identifier(name)


# --- where things are -----------------------------------------------------------------------

def _folder(paths: WarehousePaths) -> Path:
    folder = paths.folder
    return folder if folder.is_absolute() else Path(os.path.abspath(folder))


def files_root(paths: WarehousePaths) -> Path:
    """The folder of the day files: `<folder>/<stem>_published` (its `marts/<mart>/...`)."""
    return _folder(paths) / f"{paths.published.stem}_published"


def _new_file(paths: WarehousePaths) -> Path:
    return paths.published.with_name(paths.published.name + ".publishing")


def _journal(paths: WarehousePaths) -> Path:
    """Names the publish id of the publish under way (written before its first day file): what
    a killed publish leaves is found by it."""
    return paths.published.with_name(paths.published.name + ".publishing.json")


def retention_hours() -> float:
    """How long a replaced day file stays on disk for readers of an older catalog."""
    raw = os.environ.get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_RETENTION_HOURS
    try:
        hours = float(raw)
    except ValueError:
        raise ValueError(f"{RETENTION_ENV}={raw!r} is not a number of hours") from None
    if hours < 0:
        raise ValueError(f"{RETENTION_ENV}={raw!r} is negative")
    return hours


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _relative(paths: WarehousePaths, path: Path) -> str:
    return Path(os.path.abspath(path)).relative_to(_folder(paths)).as_posix()


def _absolute(paths: WarehousePaths, file_path: str) -> Path:
    return _folder(paths) / Path(file_path)


def _day_files_on_disk(paths: WarehousePaths) -> Iterable[Path]:
    """Every file of the day-file layout (`marts/<mart>/<as_of_date=...|whole>/<id>_<n>.parquet`)."""
    marts = files_root(paths) / "marts"
    if not marts.is_dir():
        return []
    return [f for f in marts.glob("*/*/*.parquet")
            if DAY_FILE.match(f.name) and (f.parent.name == WHOLE
                                           or f.parent.name.startswith(DATE_COLUMN + "="))]


# --- leftovers, modes -----------------------------------------------------------------------

def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


def _files(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _catalog_state(published: Path) -> tuple[list[DayFile], list[Superseded]] | None:
    """The day files the published file reads and the replaced ones it keeps (none: no
    published file, or one from before day files); None when it cannot be read."""
    if not published.exists():
        return [], []
    con = duckdb.connect()    # in-memory + ATTACH: never an older catalog from the instance cache
    try:
        con.execute(f"attach {literal(published)} as cur (read_only)")
        return _read_state(con, "cur") or ([], [])
    except duckdb.Error:
        return None
    finally:
        con.close()


def _read_state(con, db: str) -> tuple[list[DayFile], list[Superseded]] | None:
    if not _has_table(con, db, "ops", FILES_TABLE):
        return None
    files = [DayFile(*r) for r in con.execute(
        f"select {', '.join(identifier(n) for n, _ in FILE_FIELDS)} "
        f"from {_qualified(db, 'ops', FILES_TABLE)} order by mart, as_of_date, file_path").fetchall()]
    superseded = []
    if _has_table(con, db, "ops", SUPERSEDED_TABLE):
        superseded = [Superseded(*r) for r in con.execute(
            f"select {', '.join(identifier(n) for n, _ in SUPERSEDED_FIELDS)} "
            f"from {_qualified(db, 'ops', SUPERSEDED_TABLE)} order by superseded_at, file_path"
        ).fetchall()]
    return files, superseded


def _remove(files: Iterable[Path]) -> tuple[int, int]:
    """Remove files (and the folders they leave empty); (count, bytes) removed."""
    count = size = 0
    for f in files:
        try:
            n = f.stat().st_size
            f.unlink()
        except FileNotFoundError:
            continue
        count, size = count + 1, size + n
        try:
            f.parent.rmdir()               # an as_of_date folder left empty
        except OSError:
            pass
    return count, size


def _clean_day_files(paths: WarehousePaths) -> list[str]:
    """Day files no catalog reads: those of a killed publish (named by its journal), and any
    other file of the layout that the published catalog neither reads nor keeps as replaced,
    once older than the retention. Never a file the published catalog names."""
    journal = _journal(paths)
    killed = None
    try:
        killed = json.loads(journal.read_text(encoding="utf-8")).get("publish_id")
    except FileNotFoundError:
        pass
    except (OSError, ValueError, AttributeError):
        killed = ""                        # unreadable: its files go by age below
    state = _catalog_state(paths.published)
    if state is None:
        return []                          # the published file cannot tell what it reads: keep all
    named = {f.file_path for f in state[0]} | {s.file_path for s in state[1]}
    by_age = paths.published.exists()      # without a published file, only a journal's files go
    cutoff = dt.datetime.now().timestamp() - retention_hours() * 3600
    messages = []
    of_killed, unnamed = [], []
    for f in _day_files_on_disk(paths):
        if _relative(paths, f) in named:
            continue
        publish_id = DAY_FILE.match(f.name).group(1)
        if killed and publish_id == killed:
            of_killed.append(f)
        elif by_age:
            try:
                if f.stat().st_mtime <= cutoff:
                    unnamed.append(f)
            except FileNotFoundError:
                pass
    root = _shown(files_root(paths))
    count, size = _remove(of_killed)
    if count:
        messages.append(f"removed {_files(count, 'leftover day file')} ({_size(size)}) of an "
                        f"interrupted publish from {root}; the published file was not changed")
    count, size = _remove(unnamed)
    if count:
        messages.append(f"removed {_files(count, 'day file')} ({_size(size)}) from {root} that the "
                        f"published file does not read, older than {retention_hours():g} hours")
    if journal.exists():
        journal.unlink(missing_ok=True)
    return messages


def clean_leftovers(paths: WarehousePaths) -> list[str]:
    """Remove what a killed publish left: `<published>.publishing` and its `.wal` beside the
    published file, and the day files it wrote (and any day file that the published file does
    not read and that is older than the retention). One message per removed file or group of
    day files. The published file, and every file it reads, is never touched."""
    tmp = _new_file(paths)
    messages = []
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        try:
            size = leftover.stat().st_size
            leftover.unlink()
        except FileNotFoundError:
            continue
        messages.append(f"removed a leftover {_shown(leftover)} ({_size(size)}) from an "
                        f"interrupted publish; the published file was not changed")
    return messages + _clean_day_files(paths)


class _Mode:
    """The previous published file's permission bits and group, for the new catalog and for the
    new day files and folders (a rename would otherwise reset a `chmod 600` to the default)."""

    def __init__(self, published: Path):
        try:
            st = published.stat()
        except FileNotFoundError:
            self.mode = self.gid = None
            return
        self.mode, self.gid = stat.S_IMODE(st.st_mode), st.st_gid

    def apply(self, path: Path, folder: bool = False) -> None:
        if self.mode is None:
            return
        try:
            os.chown(path, -1, self.gid)
        except PermissionError:
            pass  # not a member of that group: the mode is still kept
        mode = self.mode
        if folder:   # a folder: searchable by whoever may read, and always by its owner
            mode = mode | ((mode & 0o444) >> 2) | 0o700
        os.chmod(path, mode)


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        pass  # a filesystem without directory fsync


# --- publish --------------------------------------------------------------------------------

def publish(paths: WarehousePaths, days: list[dt.date], *, landing: Path | None = None,
            before_rename: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None,
            ) -> Path:
    """Publish the marts of `days` from the build file; other days keep their published files.

    `landing` is the landing zone root: landing paths are published relative to it (without it,
    as file names only). `before_rename(con, catalog)` runs after every view and table is written
    into the new catalog (attached in `con` as `catalog`) and before it replaces the published
    file."""
    published = paths.published
    clean_leftovers(paths)
    published.parent.mkdir(parents=True, exist_ok=True)
    privacy = _Privacy(pii_salt(paths.folder), landing)
    return _Publish(paths, sorted(set(days)), privacy, before_rename).run()


def relocate(paths: WarehousePaths) -> Path:
    """Rewrite the published catalog's views for the folder the published file is in now (after
    the warehouse folder, with its `<stem>_published` folder, was moved or copied): the views name
    their day files by absolute path. Needs no build file; the tables are kept as they are."""
    if not paths.published.exists() or not _catalog_state(paths.published)[0]:
        raise ValueError(f"{paths.published} is not a catalog of day files: publish a day instead")
    clean_leftovers(paths)
    return _Publish(paths, [], None, None).run()


class _Publish:
    """One publish: day files first, then the catalog, renamed last."""

    def __init__(self, paths: WarehousePaths, days: list[dt.date], privacy: _Privacy | None,
                 before_rename):
        self.paths, self.days, self.privacy, self.before_rename = paths, days, privacy, before_rename
        self.publish_id = f"{_utcnow():%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}"
        self.started = _utcnow()
        self.mode = _Mode(paths.published)
        self.written: list[Path] = []       # the day files of this publish
        self.new_dirs: list[Path] = []      # the folders this publish made

    # the steps

    def run(self) -> Path:
        paths = self.paths
        published, tmp = paths.published, _new_file(paths)
        journal = _journal(paths)
        expired: list[Superseded] = []
        keep: set[str] = set()
        try:
            journal.write_text(json.dumps({"publish_id": self.publish_id, "pid": os.getpid(),
                                           "started_at": self.started.isoformat() + "Z"}),
                               encoding="utf-8")
            _fsync(journal)
            expired, keep = self._write(tmp)
            _fsync(tmp)                    # before the mode change (a 0200 mode would not open)
            self.mode.apply(tmp)
            os.replace(tmp, published)
        except BaseException:
            self._remove_written()
            clean_leftovers(paths)         # the `.publishing` file; the journal
            raise
        # published. Then, best effort: replaced files past their retention (only catalogs older
        # than that read them); a file left here is removed by a later publish (by age)
        _fsync_dir(published.parent)
        try:
            _remove(_absolute(paths, s.file_path) for s in expired if s.file_path not in keep)
            journal.unlink(missing_ok=True)
        except OSError:
            pass
        return published

    def _remove_written(self) -> None:
        root = files_root(self.paths) / "marts"
        mine = set(self.written)
        if root.is_dir():   # a COPY that failed half-way may have left a file it did not report
            mine |= {f for f in root.glob(f"*/*/{self.publish_id}_*.parquet")}
        _remove(mine)
        for d in reversed(self.new_dirs):
            try:
                d.rmdir()
            except OSError:
                pass

    def _write(self, tmp: Path) -> tuple[list[Superseded], set[str]]:
        """Write this publish's day files and the new catalog; returns the replaced files whose
        retention has passed (to remove after the rename) and the files the new catalog names."""
        paths, p = self.paths, NEW_CATALOG
        qp = identifier(p)
        con = duckdb.connect()
        catalog = _Catalog(con)
        try:
            has_old = paths.published.exists()
            if has_old:
                con.execute(f"attach {literal(paths.published)} as old (read_only)")
            state = _read_state(con, "old") if has_old else None
            legacy = has_old and state is None and bool(_base_tables(con, "old", "marts"))
            old_files, old_superseded = state if state is not None else ([], [])
            b = None
            if self.privacy is not None:
                # attach the build file under its own name: its views name their catalog
                b = paths.build.stem
                con.execute(f"attach {literal(paths.build)} as {identifier(b)} (read_only)")
            build_marts = set(_tables(con, b, "marts")) if b else set()
            old_marts = set(_tables(con, "old", "marts")) if has_old else set()
            day_set = set(self.days)

            # 1. day files: the build's rows of the days, made private
            files: dict[str, list[DayFile]] = {}
            for f in old_files:
                files.setdefault(f.mart, []).append(f)
            superseded = []
            for mart in sorted(build_marts) if self.days else []:
                cols = catalog.columns(b, "marts", mart)
                dated = DATE_COLUMN in [c for c, _ in cols]
                old = files.get(mart, [])
                gone = [f for f in old if not dated or f.as_of_date is None or f.as_of_date in day_set]
                superseded += [Superseded(f.mart, f.as_of_date, f.file_path, f.publish_id,
                                          self.started, self.publish_id) for f in gone]
                gone_paths = {f.file_path for f in gone}
                files[mart] = [f for f in old if f.file_path not in gone_paths] + self._copy(
                    con, mart, _qualified(b, "marts", mart), cols, dated, self.privacy,
                    self.days if dated else None, exclude=False)
            # a published file from before day files: its rows of the other days, once, as is
            if legacy:
                for mart in sorted(_base_tables(con, "old", "marts")):
                    cols = catalog.columns("old", "marts", mart)
                    dated = DATE_COLUMN in [c for c, _ in cols]
                    if mart in build_marts and self.days and not dated:
                        continue               # written whole from the build above
                    keep_days = self.days if mart in build_marts else []
                    files.setdefault(mart, [])
                    files[mart] += self._copy(con, mart, _qualified("old", "marts", mart), cols,
                                              dated, _AsIs(), keep_days if dated else None,
                                              exclude=True)
            self._sync_written()

            # 2. what the new catalog names; replaced files past the retention go
            keep = {f.file_path for fs in files.values() for f in fs}
            missing = [f for f in sorted(keep) if not _absolute(paths, f).is_file()]
            if missing:
                raise FileNotFoundError(
                    f"{len(missing)} day files the published file reads are missing, e.g. "
                    f"{_absolute(paths, missing[0])} (was the warehouse folder copied without "
                    f"{files_root(paths).name}/?); republish those days with --backfill")
            cutoff = self.started - dt.timedelta(hours=retention_hours())
            expired = [s for s in old_superseded if s.superseded_at <= cutoff]
            superseded = [s for s in old_superseded if s.superseded_at > cutoff] + superseded

            # 3. the catalog
            con.execute(f"attach {literal(tmp)} as {qp} "
                        f"(storage_version {literal(STORAGE_VERSION)})")
            for schema in ("marts", "ops", *SNAPSHOT_SCHEMAS):
                con.execute(f"create schema if not exists {qp}.{identifier(schema)}")
            sources = {mart: b if mart in build_marts else "old" for mart in build_marts | old_marts}
            for mart, src in sorted(sources.items()):
                view = _qualified(p, "marts", mart)
                con.execute(f"create view {view} as "
                            + _view_sql(paths, catalog.columns(src, "marts", mart), files.get(mart, [])))
                _set_comments(con, view, "view", catalog.comments(src, "marts", mart))
            self._bi(con, catalog, b, has_old, sources, files)
            _create_rows(con, _qualified(p, "ops", FILES_TABLE), FILE_FIELDS,
                         sorted((f for fs in files.values() for f in fs),
                                key=lambda f: (f.mart, f.as_of_date or dt.date.min, f.file_path)))
            _create_rows(con, _qualified(p, "ops", SUPERSEDED_TABLE), SUPERSEDED_FIELDS, superseded)
            for table, comment in TABLE_COMMENTS.items():
                con.execute(f"comment on table {_qualified(p, 'ops', table)} is {literal(comment)}")
            self._snapshots(con, catalog, b)
            if self.before_rename is not None:
                self.before_rename(con, p)
            con.execute(f"detach {qp}")
            return expired, keep
        finally:
            con.close()

    def _bi(self, con, catalog: _Catalog, b: str | None, has_old: bool, sources: dict[str, str],
            files: dict[str, list[DayFile]]) -> None:
        """bi.latest_<mart> over the newest published day's files of each dated mart, and the
        dimension tables (kscore.bi): from the build's staging models and the new latest views,
        or, without a build file (relocate), the previous catalog's as they are."""
        p = NEW_CATALOG
        schema = f"{identifier(p)}.{identifier(bi.SCHEMA)}"
        con.execute(f"create schema if not exists {schema}")
        newest = max((f.as_of_date for fs in files.values() for f in fs if f.as_of_date is not None),
                     default=None)
        mart_comments = {}
        for mart, src in sorted(sources.items()):
            cols = catalog.columns(src, "marts", mart)
            table_comment, column_comments = catalog.comments(src, "marts", mart)
            mart_comments[mart] = column_comments
            if DATE_COLUMN not in [c for c, _ in cols]:
                continue
            latest = [f for f in files.get(mart, []) if newest is not None and f.as_of_date == newest]
            view = _qualified(p, bi.SCHEMA, bi.latest_view(mart))
            con.execute(f"create view {view} as " + _view_sql(self.paths, cols, latest))
            _set_comments(con, view, "view",
                          (bi.latest_comment(mart, newest, table_comment), column_comments))
        staging = set(_tables(con, b, "staging")) if b else set()
        old_dims = set(_base_tables(con, "old", bi.SCHEMA)) if has_old else set()
        for dim in bi.DIMS:
            target = _qualified(p, bi.SCHEMA, dim.name)
            if newest is not None and set(dim.staging) <= staging and set(dim.marts) <= set(sources):
                con.execute(f"create table {target} as "
                            + bi.dim_sql(dim, f"{identifier(b)}.staging", schema, newest))
                _set_comments(con, target, "table", bi.dim_comments(dim, mart_comments))
            elif dim.name in old_dims:
                con.execute(f"create table {target} as select * from "
                            + _qualified("old", bi.SCHEMA, dim.name))
                _set_comments(con, target, "table", catalog.comments("old", bi.SCHEMA, dim.name))

    def _snapshots(self, con, catalog: _Catalog, b: str | None) -> None:
        """quarantine.* and ops.landing_counts, landed_files, run_log: the build's current state,
        made private (relocate: the published file's, as they are)."""
        p = NEW_CATALOG
        if b is not None:
            src, privacy = b, self.privacy
            snapshots = [(s, t) for s in SNAPSHOT_SCHEMAS for t in _tables(con, b, s)]
            snapshots += [("ops", t) for t in SNAPSHOT_OPS_TABLES if t in _tables(con, b, "ops")]
        else:
            src, privacy = "old", _AsIs()
            snapshots = [(s, t) for s in (*SNAPSHOT_SCHEMAS, "ops") for t in _base_tables(con, "old", s)
                         if (s, t) not in (("ops", FILES_TABLE), ("ops", SUPERSEDED_TABLE))]
        for schema, table in snapshots:
            con.execute(f"create schema if not exists {identifier(p)}.{identifier(schema)}")
            cols = catalog.columns(src, schema, table)
            privacy.execute(con, f"create table {_qualified(p, schema, table)} as select "
                            f"{privacy.select_list(cols)} from {_qualified(src, schema, table)}")
            _set_comments(con, _qualified(p, schema, table), "table",
                          catalog.comments(src, schema, table))

    def _mkdir(self, path: Path) -> None:
        missing = []
        for d in (path, *path.parents):
            if d.exists():
                break
            missing.append(d)
        for d in reversed(missing):
            d.mkdir(exist_ok=True)
            self.new_dirs.append(d)
            self.mode.apply(d, folder=True)

    def _copy(self, con, mart: str, source: str, cols: list[tuple[str, str]], dated: bool,
              privacy: _Privacy, days: list[dt.date] | None, exclude: bool) -> list[DayFile]:
        """Write `source`'s rows as day files of `mart`: one per as_of_date of `days` (`exclude`:
        every as_of_date but those), or the whole table (`days` None)."""
        mart_dir = files_root(self.paths) / "marts" / mart
        select = f"select {privacy.select_list(cols)} from {source}"
        if not dated:
            if not con.execute(f"select count(*) from {source}").fetchone()[0]:
                return []          # no rows: no file (the view is a typed, empty view), as a dated mart
            target = mart_dir / WHOLE / f"{self.publish_id}_0.parquet"
            self._mkdir(target.parent)
            options = "format parquet, return_stats true"
        else:
            if not days and not exclude:
                return []
            col = identifier(DATE_COLUMN)
            in_days = ", ".join(f"date {literal(d.isoformat())}" for d in days)
            if exclude:
                select += f" where {col} is not null" + (f" and {col} not in ({in_days})" if days else "")
            else:
                lo, hi = literal(min(days).isoformat()), literal(max(days).isoformat())
                # the range lets the scan skip row groups by their min/max (as_of_date)
                select += f" where {col} between date {lo} and date {hi} and {col} in ({in_days})"
            target = mart_dir
            self._mkdir(target)
            before = {d for d in target.iterdir()}
            options = (f"format parquet, partition_by ({identifier(DATE_COLUMN)}), "
                       f"write_partition_columns true, overwrite_or_ignore true, "
                       f"filename_pattern {literal(self.publish_id + '_{i}')}, return_stats true")
        result = privacy.execute(con, f"copy ({select}) to {literal(target)} ({options})",
                                 scan=select)
        names = [d[0] for d in result.description]
        stats = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
        if dated:
            for d in sorted(set(target.iterdir()) - before):
                self.new_dirs.append(d)
                self.mode.apply(d, folder=True)
        out = []
        file_columns = json.dumps(cols, ensure_ascii=False)
        for s in stats:
            path = Path(os.path.abspath(s["filename"]))
            self.written.append(path)
            day = None
            if dated:
                key = (s.get("partition_keys") or {}).get(DATE_COLUMN)
                day = dt.date.fromisoformat(key if key else path.parent.name.split("=", 1)[1])
            out.append(DayFile(mart, day, _relative(self.paths, path), int(s["count"]),
                               int(s["file_size_bytes"]), self.publish_id, _utcnow(), file_columns))
        return out

    def _sync_written(self) -> None:
        """Every day file and the folders they are in on disk before the catalog names them."""
        folders = set()
        for f in self.written:
            self.mode.apply(f)
            _fsync(f)
            folders |= {f.parent, f.parent.parent}
        for d in sorted(folders | set(self.new_dirs) | {files_root(self.paths), _folder(self.paths)},
                        key=lambda d: len(d.parts), reverse=True):
            if d.exists():
                _fsync_dir(d)


def _view_sql(paths: WarehousePaths, columns: list[tuple[str, str]], files: list[DayFile]) -> str:
    """A marts view: the day files' rows with the build table's columns and types (an explicit
    list of absolute paths, never a glob: a glob would see a half-written or a replaced file)."""
    if not files:      # no day file yet: no rows, the same columns
        return ("select " + ", ".join(f"cast(null as {t}) as {identifier(c)}" for c, t in columns)
                + " where false")
    shapes = {f.file_columns for f in files}
    in_files = {name for shape in shapes for name, _ in json.loads(shape)}
    # every column cast to the build table's type: a no-op (DuckDB drops a cast to the same type,
    # filters still reach the Parquet scan) unless a reader maps a Parquet type otherwise
    items = [f"cast({identifier(name) if name in in_files else 'null'} as {dtype}) "
             f"as {identifier(name)}" for name, dtype in columns]
    ordered = sorted(files, key=lambda f: (f.as_of_date or dt.date.min, f.file_path))
    listing = ", ".join(literal(_absolute(paths, f.file_path)) for f in ordered)
    # files written with other columns (a model changed): matched by name, missing ones null
    union = ", union_by_name = true" if len(shapes) > 1 else ""
    return (f"select {', '.join(items)} from read_parquet([{listing}], "
            f"hive_partitioning = false{union})")


def _create_rows(con, table: str, fields: list[tuple[str, str]], rows: list[tuple]) -> None:
    """create table `table` holding `rows` (one bound list per column)."""
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in fields]
    select = ", ".join(f"unnest(${i}::{t}[]) as {identifier(n)}"
                       for i, (n, t) in enumerate(fields, 1))
    con.execute(f"create table {table} as select {select}", columns)
