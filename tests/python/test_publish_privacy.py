"""The published file (issue 10, points 3-5, 7; docs/publishing.md): what BI users read carries no
buyer identifier and no landing path, keeps its mode and group, leaves no leftovers, takes the
run log's before-rename hook, publishes from any warehouse path, and how a long-lived reader in
one process sees a new day (DuckDB's instance cache). The day files (issue 15, point 4) are as
private as the catalog, take its mode and group, and what a killed publish wrote is removed.

Every test publishes with `publisher.publish` straight onto a copy of the session's baseline
warehouse (test_bad_input.clean_baseline), whose quarantine holds the orphan orders' buyers."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from kscore import publish as publisher
from kscore.paths import warehouse_paths
from kscore.sqltext import literal

from test_bad_input import BASE_FROM, NEWEST, clean_baseline, copy_warehouse

SALT = "test-salt-1"
RELATIVE = re.compile(r"^[a-z_]+/dt=\d{4}-\d{2}-\d{2}/[^/]+\.parquet$")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return clean_baseline(tmp_path_factory)


@pytest.fixture(autouse=True)
def salt(monkeypatch):
    monkeypatch.setenv(publisher.SALT_ENV, SALT)
    return SALT


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def warehouse(baseline, dst: Path):
    return warehouse_paths(copy_warehouse(baseline["wh"], dst))


def raw_buyers(build: Path) -> set[str]:
    return {v for (v,) in rows(build, "select buyer_id from quarantine.orders union "
                                      "select buyer_id from quarantine.im_sessions")}


def quarantine_buyers(db: Path) -> list[tuple]:
    return rows(db, "select order_id, buyer_id from quarantine.orders order by order_id")


def varchar_values(db: Path) -> set[str]:
    """Every VARCHAR value of every table of the file."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = con.execute("select schema_name, table_name, column_name from duckdb_columns() "
                           "where data_type = 'VARCHAR' and database_name = current_database() "
                           "and schema_name not in ('information_schema', 'pg_catalog')"
                           ).fetchall()
        out: set[str] = set()
        for s, t, c in cols:
            out |= {v for (v,) in con.execute(f'select distinct "{c}" from "{s}"."{t}"').fetchall()
                    if v is not None}
        return out
    finally:
        con.close()


def test_no_raw_buyer_id_in_the_published_file(baseline, tmp_path):
    paths = warehouse(baseline, tmp_path / "wh")
    raw = raw_buyers(paths.build)
    assert raw, "the baseline's quarantine holds the orphan orders' buyers"
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    published = raw_buyers(paths.published)
    expected = {hashlib.sha256((SALT + v).encode()).hexdigest() for v in raw}
    assert published == expected
    assert not raw & varchar_values(paths.published)          # nowhere in the file
    assert raw_buyers(paths.build) == raw                      # the build file keeps raw rows
    # every person-identifier column of every published table is hashed
    for s, t in rows(paths.published, "select schema_name, table_name from duckdb_columns() "
                                      "where column_name = 'buyer_id'"):
        vals = {v for (v,) in rows(paths.published, f'select buyer_id from "{s}"."{t}"')}
        assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in vals if v is not None), (s, t)


def test_the_hash_is_stable_for_one_salt_and_changes_with_another(baseline, tmp_path, monkeypatch):
    paths = warehouse(baseline, tmp_path / "wh")
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    first = quarantine_buyers(paths.published)
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    assert quarantine_buyers(paths.published) == first and first
    other = warehouse(baseline, tmp_path / "other")      # another warehouse, the same salt
    publisher.publish(other, [NEWEST], landing=baseline["landing"])
    assert quarantine_buyers(other.published) == first
    monkeypatch.setenv(publisher.SALT_ENV, "another-salt")
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    again = quarantine_buyers(paths.published)
    assert [o for o, _ in again] == [o for o, _ in first]
    assert not {b for _, b in again} & {b for _, b in first}


def test_without_the_variable_a_salt_file_0600_keeps_hashes_stable(baseline, tmp_path,
                                                                   monkeypatch):
    monkeypatch.delenv(publisher.SALT_ENV)
    paths = warehouse(baseline, tmp_path / "wh")
    salt_file = paths.folder / publisher.SALT_FILE
    salt_file.unlink(missing_ok=True)                   # the baseline's own run made one
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    assert oct(salt_file.stat().st_mode & 0o777) == oct(0o600)
    salt = salt_file.read_text().strip()
    assert len(salt) >= 32 and salt != SALT
    first = quarantine_buyers(paths.published)
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    assert quarantine_buyers(paths.published) == first
    assert salt_file.read_text().strip() == salt
    raw = dict(rows(paths.build, "select order_id, buyer_id from quarantine.orders"))
    assert first == [(o, hashlib.sha256((salt + raw[o]).encode()).hexdigest()) for o, _ in first]


def test_landing_paths_are_published_relative(baseline, tmp_path):
    paths = warehouse(baseline, tmp_path / "wh")
    root = str(Path(baseline["landing"]).resolve())
    con = duckdb.connect(str(paths.build))
    try:   # run-log text quoting the landing zone, and a ledger row from outside it
        con.execute("insert into ops.run_log (run_id, outcome, message, gate_results) values "
                    "('probe', 'failed', ?, ?)",
                    [f"cannot read {root}/orders/dt=2023-01-05/part-0.parquet",
                     json.dumps({"failed": [{"file": f"{root}/orders/x.parquet"}]})])
        con.execute("insert into ops.landed_files (table_name, file_path, status, reason) values "
                    "('orders', '/elsewhere/secret/part-9.parquet', 'rejected', ?)",
                    [f"unreadable_parquet: {root}/orders/dt=2023-01-05/part-0.parquet"])
    finally:
        con.close()
    build_files = {v for (v,) in rows(paths.build, "select file_path from ops.landed_files")}
    assert any(v.startswith(root + "/") for v in build_files)   # the build keeps absolute paths
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    pub = paths.published
    files = {v for (v,) in rows(pub, "select file_path from ops.landed_files")}
    assert files == {v[len(root) + 1:] if v.startswith(root + "/") else Path(v).name
                     for v in build_files}
    assert "part-9.parquet" in files and all(
        RELATIVE.match(v) for v in files - {"part-9.parquet"}), sorted(files)[:5]
    sources = [(t, v) for (t,) in rows(pub, "select table_name from duckdb_tables() "
                                            "where schema_name = 'quarantine'")
               for (v,) in rows(pub, f'select source_file from quarantine."{t}"')]
    assert sources and all(v is None or RELATIVE.match(v) for _, v in sources), sources[:5]
    assert not [v for v in varchar_values(pub) if root in v]
    message, gates = rows(pub, "select message, gate_results from ops.run_log "
                               "where run_id = 'probe'")[0]
    assert message == "cannot read <landing>/orders/dt=2023-01-05/part-0.parquet"
    assert json.loads(gates) == {"failed": [{"file": "<landing>/orders/x.parquet"}]}
    assert rows(pub, "select reason from ops.landed_files where file_path = 'part-9.parquet'") == [
        ("unreadable_parquet: <landing>/orders/dt=2023-01-05/part-0.parquet",)]


def test_without_a_landing_root_paths_are_file_names(baseline, tmp_path):
    paths = warehouse(baseline, tmp_path / "wh")
    publisher.publish(paths, [NEWEST])
    files = [v for (v,) in rows(paths.published, "select file_path from ops.landed_files")]
    assert files and all("/" not in v for v in files)


def new_day_files(paths, before: set[Path]) -> list[Path]:
    return sorted(set(publisher.files_root(paths).rglob("*.parquet")) - before)


def test_mode_and_group_of_the_published_file_are_kept(baseline, tmp_path):
    paths = warehouse(baseline, tmp_path / "wh")
    os.chmod(paths.published, 0o600)
    groups = [g for g in ([4242] if os.geteuid() == 0 else os.getgroups())
              if g != paths.published.stat().st_gid]
    if groups:
        os.chown(paths.published, -1, groups[0])
    before = paths.published.stat()
    old_files = set(publisher.files_root(paths).rglob("*.parquet"))
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    after = paths.published.stat()
    assert after.st_ino != before.st_ino                    # a new file, renamed over
    assert oct(after.st_mode & 0o7777) == oct(0o600)
    assert after.st_gid == before.st_gid
    # the new day files (what the views read) are as private as the catalog
    new = new_day_files(paths, old_files)
    assert new and {oct(f.stat().st_mode & 0o7777) for f in new} == {oct(0o600)}
    assert {f.stat().st_gid for f in new} == {before.st_gid}
    os.chmod(paths.published, 0o640)
    old_files |= set(new)
    publisher.publish(paths, [BASE_FROM], landing=baseline["landing"])
    assert oct(paths.published.stat().st_mode & 0o7777) == oct(0o640)
    new = new_day_files(paths, old_files)
    assert new and {oct(f.stat().st_mode & 0o7777) for f in new} == {oct(0o640)}
    # a folder the publish made is searchable by the group that may read (0750 for 0640)
    root = publisher.files_root(paths)
    day = root / "marts" / "product_tier_daily" / f"as_of_date={NEWEST}"
    shutil.rmtree(day)                                 # its files are replaced by this publish
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    assert oct(day.stat().st_mode & 0o7777) == oct(0o750)


def test_leftovers_of_a_killed_publish_are_removed(baseline, tmp_path):
    paths = warehouse(baseline, tmp_path / "wh")
    tmp = paths.published.with_name(paths.published.name + ".publishing")
    wal = tmp.with_name(tmp.name + ".wal")
    before = paths.published.read_bytes()
    tmp.write_bytes(b"\0" * 1_200_000)
    wal.write_bytes(b"half a wal")
    messages = publisher.clean_leftovers(paths)
    assert not tmp.exists() and not wal.exists()
    assert len(messages) == 2
    assert tmp.name in messages[0] and "1.2 MB" in messages[0]
    assert "interrupted publish" in messages[0]
    assert wal.name in messages[1] and "the published file was not changed" in messages[1]
    assert paths.published.read_bytes() == before
    assert publisher.clean_leftovers(paths) == []
    tmp.write_bytes(b"not a duckdb file")                # publish cleans them too
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    assert not tmp.exists()
    assert rows(paths.published, "select count(*) from marts.product_tier_daily "
                                 "where as_of_date = ?", [NEWEST])[0][0] > 0


def day_file(paths, mart: str, folder: str, publish_id: str, age_hours: float = 0) -> Path:
    f = publisher.files_root(paths) / "marts" / mart / folder / f"{publish_id}_0.parquet"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(b"PAR1" + b"\0" * 2000)
    if age_hours:
        t = time.time() - age_hours * 3600
        os.utime(f, (t, t))
    return f


def test_the_day_files_of_a_killed_publish_are_removed_and_the_read_ones_never(baseline, tmp_path,
                                                                              monkeypatch):
    monkeypatch.delenv(publisher.RETENTION_ENV, raising=False)
    paths = warehouse(baseline, tmp_path / "wh")
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    read = {paths.folder / f for (f,) in rows(paths.published, "select file_path from ops.published_files")}
    before = {f: f.read_bytes() for f in read}
    # a publish killed after its first day files: its journal names it
    killed = "20230114T060000000000Z-0badc0de"
    journal = paths.published.with_name(paths.published.name + ".publishing.json")
    journal.write_text(json.dumps({"publish_id": killed}))
    leftovers = [day_file(paths, "product_tier_daily", f"as_of_date={NEWEST}", killed),
                 day_file(paths, "product_tier_daily", "as_of_date=2023-01-14", killed)]
    # files of the layout that no catalog names: an old one goes, a recent one may be a reader's
    stale = day_file(paths, "shop_experience_score_daily", f"as_of_date={NEWEST}",
                     "20230101T060000000000Z-00000001", age_hours=25)
    recent = day_file(paths, "shop_experience_score_daily", f"as_of_date={NEWEST}",
                      "20230101T060000000000Z-00000002", age_hours=1)
    other = publisher.files_root(paths) / "marts" / "product_tier_daily" / "notes.parquet"
    other.write_bytes(b"not of the layout")
    catalog = paths.published.read_bytes()
    messages = publisher.clean_leftovers(paths)
    assert not any(f.exists() for f in leftovers) and not journal.exists()
    assert not leftovers[1].parent.exists()            # the as_of_date folder it made, emptied
    assert not stale.exists() and recent.exists() and other.exists()
    assert {f: f.read_bytes() for f in read} == before and paths.published.read_bytes() == catalog
    assert len(messages) == 2, messages
    assert "2 leftover day files" in messages[0] and "interrupted publish" in messages[0]
    assert "1 day file " in messages[1] and "older than 24 hours" in messages[1]
    assert publisher.clean_leftovers(paths) == []
    # killed after its rename (the journal still there): its files are the ones readers read
    ids = {f.name.split("_")[0] for f in read}
    journal.write_text(json.dumps({"publish_id": ids.pop()}))
    assert publisher.clean_leftovers(paths) == [] and all(f.exists() for f in read)
    assert not journal.exists()


def test_before_rename_writes_into_the_new_file_before_it_is_published(baseline, tmp_path):
    paths = warehouse(baseline, tmp_path / "wh")
    paths.published.unlink()
    publisher.publish(paths, [BASE_FROM])
    calls = []

    def hook(con, catalog):
        new = con.execute(f'select count(*) from "{catalog}".marts.product_tier_daily '
                          "where as_of_date = ?", [NEWEST]).fetchone()[0]
        old = rows(paths.published, "select count(*) from marts.product_tier_daily "
                                    "where as_of_date = ?", [NEWEST])[0][0]
        calls.append((catalog, new, old))
        con.execute(f'create table "{catalog}".ops.hook_probe as select 42 as answer')
        con.execute(f'update "{catalog}".ops.run_log set outcome = \'settled\'')

    publisher.publish(paths, [NEWEST], landing=baseline["landing"], before_rename=hook)
    assert len(calls) == 1
    catalog, new, old = calls[0]
    assert catalog == publisher.NEW_CATALOG and new > 0 and old == 0
    assert rows(paths.published, "select answer from ops.hook_probe") == [(42,)]
    assert {o for (o,) in rows(paths.published, "select outcome from ops.run_log")} == {"settled"}

    def failing(con, catalog):
        raise OSError("the hook failed")

    before = paths.published.read_bytes()
    with pytest.raises(OSError, match="the hook failed"):
        publisher.publish(paths, [BASE_FROM], landing=baseline["landing"], before_rename=failing)
    assert paths.published.read_bytes() == before
    assert not paths.published.with_name(paths.published.name + ".publishing").exists()


def test_a_warehouse_path_with_quotes_semicolons_spaces_and_unicode_publishes(baseline, tmp_path):
    folder = tmp_path / "wh 'x; drop table y; 数据 ü"
    copy_warehouse(baseline["wh"], folder)
    name = "kscore'x; büro 数据"
    (folder / "kscore.duckdb").rename(folder / f"{name}.duckdb")
    (folder / "kscore_build.duckdb").rename(folder / f"{name}_build.duckdb")
    paths = warehouse_paths(folder / f"{name}.duckdb")
    landing = tmp_path / "landing 'l; ü"               # a landing root quoted in run-log text
    con = duckdb.connect(str(paths.build))
    try:
        con.execute("insert into ops.run_log (run_id, outcome, message) values ('probe', 'x', ?)",
                    [f"read {landing.resolve()}/orders/dt=2023-01-05/part-0.parquet"])
    finally:
        con.close()
    seen = []
    publisher.publish(paths, [NEWEST], landing=landing,
                      before_rename=lambda con, catalog: seen.append(catalog))
    assert seen == [publisher.NEW_CATALOG]
    assert rows(paths.published, "select count(*) from marts.product_tier_daily "
                                 "where as_of_date = ?", [NEWEST])[0][0] > 0
    assert rows(paths.published, "select message from ops.run_log where run_id = 'probe'") == [
        ("read <landing>/orders/dt=2023-01-05/part-0.parquet",)]
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(name)) == [
        f"{name}.duckdb", f"{name}_build.duckdb", f"{name}_published"]
    files = rows(paths.published, "select file_path from ops.published_files where as_of_date = ?",
                 [NEWEST])
    assert files and all(f.startswith(f"{name}_published/marts/") and (folder / f).is_file()
                         for (f,) in files)


COUNT_IN_ANOTHER_PROCESS = textwrap.dedent("""
    import duckdb, sys
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from marts.product_tier_daily where as_of_date = ?",
                      [sys.argv[2]]).fetchone()[0])
""")


def test_a_long_lived_reader_in_one_process_and_a_new_day(baseline, tmp_path):
    paths = warehouse(baseline, tmp_path / "wh")
    paths.published.unlink()
    publisher.publish(paths, [BASE_FROM])              # readers see BASE_FROM only
    path = str(paths.published)

    def count(con, day):
        return con.execute("select count(*) from marts.product_tier_daily where as_of_date = ?",
                           [day]).fetchone()[0]

    held = duckdb.connect(path, read_only=True)       # a BI server's connection, kept open
    n_base = count(held, BASE_FROM)
    assert n_base > 0 and count(held, NEWEST) == 0
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    try:
        # the held connection keeps working on its consistent snapshot
        assert (count(held, BASE_FROM), count(held, NEWEST)) == (n_base, 0)
        # DuckDB's instance cache: a new connect in this process shares the old instance
        again = duckdb.connect(path, read_only=True)
        assert count(again, NEWEST) == 0
        again.close()
        # another configuration does not get its own instance: it is refused
        with pytest.raises(duckdb.ConnectionException):
            duckdb.connect(path, read_only=True, config={"threads": 1})
        # a fresh connection in another process sees the new day at once
        res = subprocess.run([sys.executable, "-c", COUNT_IN_ANOTHER_PROCESS, path, str(NEWEST)],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        assert int(res.stdout) > 0
        n_new = int(res.stdout)
        # an in-memory connection that ATTACHes the file is not shared: it sees the new day
        mem = duckdb.connect()
        mem.execute(f"attach {literal(path)} as w (read_only)")
        assert mem.execute("select count(*) from w.marts.product_tier_daily where as_of_date = ?",
                           [NEWEST]).fetchone()[0] == n_new
        mem.close()
        assert count(held, NEWEST) == 0
    finally:
        held.close()
    # every connection of the process to the file closed: a new connect sees the new day
    fresh = duckdb.connect(path, read_only=True)
    try:
        assert (count(fresh, BASE_FROM), count(fresh, NEWEST)) == (n_base, n_new)
    finally:
        fresh.close()
