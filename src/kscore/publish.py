"""Write-audit-publish, the publish half (spec 06). docs/publishing.md explains the design.

The build writes into the build file; readers use the published file. To
publish the as_of_dates that passed every gate, a new file is written beside
the published one — the published file's rows for other days, the build
file's rows for the passing days — with an explicit older storage version so
that the DuckDB 1.x readers BI tools bundle can open it, and then renamed
over the published file (atomic on one filesystem). A reader holding the old
file open keeps reading the old file; it sees the new data when it reopens
(in one process: when every connection of the process to the file is closed,
DuckDB's instance cache otherwise hands out the old file again).

The published copy is what BI users read, so it carries no person's
identifier and no path of the landing zone: buyer identifiers become a salted
SHA-256 (salt from KSCORE_PII_SALT, else a random one kept in the warehouse
folder as .pii_salt), landing paths become relative to the landing zone, and
the landing root in run-log text becomes `<landing>/`. The build file keeps
the raw rows. The new file keeps the previous published file's mode and group.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

import duckdb

from kscore.paths import WarehousePaths
from kscore.sqltext import identifier, literal

# DuckDB 1.1+ clients read this storage version; DuckDB 2.0's default they cannot.
STORAGE_VERSION = os.environ.get("KSCORE_STORAGE_VERSION", "v1.1.0")
# Schemas copied whole from the build file (current state, not per day).
SNAPSHOT_SCHEMAS = ("quarantine",)
SNAPSHOT_OPS_TABLES = ("landing_counts", "landed_files", "run_log")
# The catalog alias of the new file while it is written (what `before_rename` receives).
NEW_CATALOG = "p"

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


def _tables(con, db: str, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = ? and schema_name = ? order by 1",
        [db, schema]).fetchall()] + [r[0] for r in con.execute(
        "select view_name from duckdb_views() "
        "where database_name = ? and schema_name = ? and not internal order by 1",
        [db, schema]).fetchall()]


def _columns(con, db: str, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type) of each column, in order."""
    return [(r[0], r[1]) for r in con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [db, schema, table]).fetchall()]


def _qualified(db: str, schema: str, table: str) -> str:
    return ".".join(identifier(n) for n in (db, schema, table))


def _copy_comments(con, src_db: str, dst_db: str, schema: str, table: str) -> None:
    """Carry dbt's persisted descriptions (table and column comments) into the published file."""
    row = con.execute("select comment from duckdb_tables() "
                      "where database_name = ? and schema_name = ? and table_name = ?",
                      [src_db, schema, table]).fetchone()
    dst = _qualified(dst_db, schema, table)
    if row and row[0]:
        con.execute(f"comment on table {dst} is {literal(row[0])}")
    for col, comment in con.execute(
            "select column_name, comment from duckdb_columns() where database_name = ? "
            "and schema_name = ? and table_name = ? and comment is not null",
            [src_db, schema, table]).fetchall():
        con.execute(f"comment on column {dst}.{identifier(col)} is {literal(comment)}")


def published_as_of_dates(published: Path) -> set[dt.date]:
    """The as_of_dates the published file holds in any mart (empty when there is no published
    file)."""
    if not Path(published).exists():
        return set()
    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_columns() "
            "where schema_name = 'marts' and column_name = 'as_of_date'").fetchall()]
        if not tables:
            return set()
        sql = " union ".join(f"select distinct as_of_date from marts.{identifier(t)}"
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

    def execute(self, con, sql: str) -> None:
        """Run `sql` with the parameters it names bound (DuckDB refuses unused ones)."""
        used = set(re.findall(r"\$(\w+)", sql))
        con.execute(sql, {k: v for k, v in self.params.items() if k in used} or None)

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


# --- leftovers, modes -----------------------------------------------------------------------

def _new_file(paths: WarehousePaths) -> Path:
    return paths.published.with_name(paths.published.name + ".publishing")


def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def clean_leftovers(paths: WarehousePaths) -> list[str]:
    """Remove what a killed publish left beside the published file (`<published>.publishing` and
    its `.wal`); one message per removed file. The published file is never touched."""
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
    return messages


def _keep_mode_and_group(published: Path, new: Path) -> None:
    """The new file takes the published file's permission bits and group (a rename would
    otherwise reset a `chmod 600` to the default mode)."""
    try:
        st = published.stat()
    except FileNotFoundError:
        return
    try:
        os.chown(new, -1, st.st_gid)
    except PermissionError:
        pass  # not a member of that group: the mode is still kept
    os.chmod(new, stat.S_IMODE(st.st_mode))


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- publish --------------------------------------------------------------------------------

def publish(paths: WarehousePaths, days: list[dt.date], *, landing: Path | None = None,
            before_rename: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None,
            ) -> Path:
    """Publish the marts of `days` from the build file; other days keep their published rows.

    `landing` is the landing zone root: landing paths are published relative to it (without it,
    as file names only). `before_rename(con, catalog)` runs after every table is written into
    the new file (attached in `con` as `catalog`) and before it replaces the published file."""
    published = paths.published
    tmp = _new_file(paths)
    clean_leftovers(paths)
    published.parent.mkdir(parents=True, exist_ok=True)
    privacy = _Privacy(pii_salt(paths.folder), landing)
    try:
        _write(paths, days, tmp, privacy, before_rename)
        _fsync(tmp)                        # before the mode change (a 0200 mode would not open)
        _keep_mode_and_group(published, tmp)
        os.replace(tmp, published)
    except BaseException:
        clean_leftovers(paths)
        raise
    try:
        _fsync(published.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        pass  # a filesystem without directory fsync: the rename is done all the same
    return published


def _write(paths: WarehousePaths, days: list[dt.date], tmp: Path, privacy: _Privacy,
           before_rename) -> None:
    published = paths.published
    p = NEW_CATALOG
    qp = identifier(p)
    con = duckdb.connect()
    try:
        # attach the build file under its own name: its views name their catalog
        b = paths.build.stem
        qb = identifier(b)
        con.execute(f"attach {literal(paths.build)} as {qb} (read_only)")
        has_old = published.exists()
        if has_old:
            con.execute(f"attach {literal(published)} as old (read_only)")
        con.execute(f"attach {literal(tmp)} as {qp} "
                    f"(storage_version {literal(STORAGE_VERSION)})")
        con.execute("create temp table publish_days(as_of_date date)")
        if days:
            con.executemany("insert into publish_days values (?)", [[d] for d in days])
        for schema in ("marts", "ops", *SNAPSHOT_SCHEMAS):
            con.execute(f"create schema if not exists {qp}.{identifier(schema)}")
        # marts: per as_of_date (the old file's rows are already private)
        build_marts = set(_tables(con, b, "marts"))
        old_marts = set(_tables(con, "old", "marts")) if has_old else set()
        in_days = "as_of_date in (select as_of_date from publish_days)"
        for table in sorted(build_marts | old_marts):
            parts = []
            old_t, build_t = _qualified("old", "marts", table), _qualified(b, "marts", table)
            if table in old_marts:
                old_cols = [c for c, _ in _columns(con, "old", "marts", table)]
                if "as_of_date" in old_cols:
                    parts.append(f"select * from {old_t} where not ({in_days})")
                elif not days or table not in build_marts:
                    parts.append(f"select * from {old_t}")
            if table in build_marts and days:
                build_cols = _columns(con, b, "marts", table)
                where = f" where {in_days}" if "as_of_date" in [c for c, _ in build_cols] else ""
                parts.append(f"select {privacy.select_list(build_cols)} from {build_t}{where}")
            if not parts:
                continue
            privacy.execute(con, f"create table {_qualified(p, 'marts', table)} as "
                            + " union all by name ".join(parts))
            _copy_comments(con, b if table in build_marts else "old", p, "marts", table)
        # snapshots of the build's current state, made private
        snapshots = [(s, t) for s in SNAPSHOT_SCHEMAS for t in _tables(con, b, s)]
        snapshots += [("ops", t) for t in SNAPSHOT_OPS_TABLES if t in _tables(con, b, "ops")]
        for schema, table in snapshots:
            cols = _columns(con, b, schema, table)
            privacy.execute(con, f"create table {_qualified(p, schema, table)} as select "
                            f"{privacy.select_list(cols)} from {_qualified(b, schema, table)}")
        if before_rename is not None:
            before_rename(con, p)
        con.execute(f"detach {qp}")
    finally:
        con.close()
