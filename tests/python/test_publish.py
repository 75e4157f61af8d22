"""Write-audit-publish (spec 06): the published file opens in DuckDB 1.x readers, and a reader holding
it open neither blocks a new publish nor sees a half-written file; it sees the new data on reopening.

Publish that follows the day (issue 15, point 4): the published file is a small catalog whose marts are
views over immutable Parquet day files; a publish writes the files of its days only, never touches an
earlier day's file, and a replaced file (a backfill) stays for the retention."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import duckdb
import pytest

from kscore import PROJECT_DIR
from kscore import publish as publisher
from kscore.paths import WarehousePaths, warehouse_paths
from kscore.sqltext import identifier, literal

from test_bad_input import BASE_FROM, BASE_TO, NEWEST, clean_baseline, copy_warehouse

CHECK_CONTRACT = PROJECT_DIR.parent / "shared" / "tools" / "check_contract.py"
# descriptions dbt persists as comments (put into the build file by the `commented` fixture)
TABLE_COMMENT = "商品分层 product tier per as_of_date; it's quoted"
COLUMN_COMMENT = "有效成交额 effective GMV"
EMPTY_MART_COMMENT = "川流 coupon tasks (no rows in the tiny zone)"

# the DuckDB 1.x reader: pinned in requirements-duckdb1.txt; `make test` installs it into .venv-duckdb1 and
# names it in KSCORE_DUCKDB1_VENV. Run without make, the fixture installs the same pin into a cached venv.
DUCKDB1_REQUIREMENTS = PROJECT_DIR / "requirements-duckdb1.txt"
DUCKDB1_VERSION = next(line.split("==")[1].strip() for line in DUCKDB1_REQUIREMENTS.read_text().splitlines()
                       if line.startswith("duckdb=="))
DUCKDB1_VENV_ENV = "KSCORE_DUCKDB1_VENV"


@pytest.fixture(scope="session")
def duckdb1_python() -> Path:
    """A Python with the pinned duckdb 1.x, from `make test`'s venv, else a cached one installed here."""
    given = os.environ.get(DUCKDB1_VENV_ENV)
    folder = Path(given) if given else Path("/tmp/kscore-duckdb1-venv")
    py = folder / "bin" / "python"
    probe = [str(py), "-c", f"import duckdb, sys; sys.exit(duckdb.__version__ != '{DUCKDB1_VERSION}')"]
    ready = py.exists() and subprocess.run(probe, capture_output=True).returncode == 0
    if given:
        assert ready, (f"{DUCKDB1_VENV_ENV}={given} has no duckdb {DUCKDB1_VERSION}: `make test` installs it "
                       f"from {DUCKDB1_REQUIREMENTS.name}")
    elif not ready:
        shutil.rmtree(folder, ignore_errors=True)
        venv.EnvBuilder(with_pip=True).create(folder)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(DUCKDB1_REQUIREMENTS)], check=True, timeout=600)
    assert subprocess.run(probe).returncode == 0
    return py


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return clean_baseline(tmp_path_factory)


def query(db: Path, sql: str, params=None) -> list[tuple]:
    """Rows of `sql` on `db`, read through an in-memory connection that ATTACHes it (never DuckDB's
    instance cache, which may hold an older catalog in this process)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(db)} as w (read_only)")
        con.execute("use w")
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def build_marts(build: Path) -> list[str]:
    return [r[0] for r in query(build, "select table_name from duckdb_tables() "
                                       "where database_name = 'w' and schema_name = 'marts' order by 1")]


def mart_columns(db: Path) -> dict[str, list[tuple[str, str]]]:
    """mart -> [(column, type)] in order, tables and views alike."""
    out: dict[str, list[tuple[str, str]]] = {}
    for t, c, ty in query(db, "select table_name, column_name, data_type from duckdb_columns() "
                              "where database_name = 'w' and schema_name = 'marts' "
                              "order by table_name, column_index"):
        out.setdefault(t, []).append((c, ty))
    return out


def build_column_comments(build: Path) -> dict[tuple[str, str], str]:
    """(mart, column) -> the build file's column comment (dbt's persisted description)."""
    return {(t, c): comment for t, c, comment in query(
        build, "select table_name, column_name, comment from duckdb_columns() where database_name = 'w' "
               "and schema_name = 'marts' and comment is not null")}


def day_files(paths) -> dict[str, tuple[int, int, str]]:
    """Every Parquet file under the day-file folder: relative path -> (mtime_ns, size, sha256)."""
    root = publisher.files_root(paths)
    return {p.relative_to(paths.folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size,
                                                     hashlib.sha256(p.read_bytes()).hexdigest())
            for p in root.rglob("*.parquet")} if root.exists() else {}


def listed(paths) -> list[tuple]:
    """ops.published_files of the published file: (mart, as_of_date, file_path)."""
    return query(paths.published, "select mart, as_of_date, file_path from ops.published_files "
                                  "order by all")


def counts(db: Path) -> dict[str, int]:
    """Rows per mart (every view read in full)."""
    return {t: query(db, f"select count(*) from marts.{identifier(t)}")[0][0] for t in mart_columns(db)}


def fresh(baseline, dst: Path, days) -> WarehousePaths:
    """A copy of the baseline warehouse with a published file holding only `days`."""
    paths = warehouse_paths(copy_warehouse(baseline["wh"], dst))
    paths.published.unlink()
    shutil.rmtree(publisher.files_root(paths))
    publisher.publish(paths, days, landing=baseline["landing"])
    return paths


@pytest.fixture(scope="module")
def commented(baseline, tmp_path_factory):
    """A copy of the baseline whose build file carries dbt-style descriptions (table and column
    comments), published for BASE_FROM … NEWEST."""
    paths = warehouse_paths(copy_warehouse(baseline["wh"], tmp_path_factory.mktemp("commented") / "wh"))
    con = duckdb.connect(str(paths.build))
    try:
        con.execute(f"comment on table marts.product_tier_daily is {literal(TABLE_COMMENT)}")
        con.execute(f"comment on column marts.product_tier_daily.effective_gmv is {literal(COLUMN_COMMENT)}")
        con.execute(f"comment on table marts.chuanliu_coupon_tasks is {literal(EMPTY_MART_COMMENT)}")
    finally:
        con.close()
    publisher.publish(paths, [BASE_FROM, NEWEST], landing=baseline["landing"])
    return paths


READ_1X = textwrap.dedent("""
    import duckdb, json, sys
    con = duckdb.connect(sys.argv[1], read_only=True)
    marts = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
    out = {"version": duckdb.__version__, "marts": {}, "types": {}}
    for t in marts:
        rows = con.execute(f'select * from marts."{t}"').fetchall()
        out["marts"][t] = len(rows)
        out["types"][t] = con.execute(
            "select column_name, data_type from duckdb_columns() where schema_name = 'marts' "
            "and table_name = ? order by column_index", [t]).fetchall()
    out["days"] = [str(d) for (d,) in con.execute(
        "select distinct as_of_date from marts.product_tier_daily order by 1").fetchall()]
    out["comments"] = con.execute(
        "select view_name, comment from duckdb_views() where schema_name = 'marts' "
        "and comment is not null order by 1").fetchall()
    out["column_comments"] = con.execute(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts' "
        "and comment is not null order by 1, 2").fetchall()
    out["run_log"] = con.execute("select count(*) from ops.run_log").fetchone()[0]
    print(json.dumps(out, default=str))
""")


def test_published_file_opens_in_duckdb_1x_and_every_mart_reads(commented, duckdb1_python):
    published = commented.published
    res = subprocess.run([str(duckdb1_python), "-c", READ_1X, str(published)], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout)
    assert out["version"].startswith("1.")
    expected = build_marts(commented.build)
    assert sorted(out["marts"]) == expected and len(expected) >= 9
    assert out["marts"]["product_tier_daily"] > 0
    assert 0 in out["marts"].values()                  # a mart without rows reads too (typed, empty)
    assert out["days"] == [str(BASE_FROM + dt.timedelta(days=i)) for i in range((BASE_TO - BASE_FROM).days + 1)]
    assert out["run_log"] >= 1
    # through the views the 1.x client sees the build's column types and dbt's descriptions
    build = mart_columns(commented.build)
    assert {t: [tuple(c) for c in cols] for t, cols in out["types"].items()} == build
    # (dbt persists every description; the fixture changed three of them in the build file)
    comments = dict(tuple(c) for c in out["comments"])
    assert sorted(comments) == expected
    assert comments["chuanliu_coupon_tasks"] == EMPTY_MART_COMMENT and comments["product_tier_daily"] == TABLE_COMMENT
    assert {(t, c): comment for t, c, comment in out["column_comments"]} == build_column_comments(commented.build)
    assert build_column_comments(commented.build)[("product_tier_daily", "effective_gmv")] == COLUMN_COMMENT
    # the 1.x client sees the same rows DuckDB 2 does
    assert counts(published) == out["marts"]


READER = textwrap.dedent("""
    import duckdb, json, sys
    path = sys.argv[1]
    def count(con, day):
        return con.execute("select count(*) from marts.product_tier_daily where as_of_date = cast(? as date)",
                           [day]).fetchone()[0]
    def every_mart(con):
        marts = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                           "where table_schema = 'marts' order by 1").fetchall()]
        return {t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in marts}
    con = duckdb.connect(path, read_only=True)
    print(json.dumps({"open": [count(con, sys.argv[2]), count(con, sys.argv[3])], "marts": every_mart(con)}), flush=True)
    sys.stdin.readline()          # the writer publishes meanwhile
    still = [count(con, sys.argv[2]), count(con, sys.argv[3])]
    still_marts = every_mart(con)  # every view of the old catalog still reads its day files
    con.close()
    con = duckdb.connect(path, read_only=True)
    print(json.dumps({"still_open": still, "still_marts": still_marts,
                      "reopened": [count(con, sys.argv[2]), count(con, sys.argv[3])]}), flush=True)
""")


def test_reader_holding_the_file_does_not_block_publish(baseline, duckdb1_python, tmp_path):
    paths = fresh(baseline, tmp_path / "wh", [BASE_FROM])   # readers see BASE_FROM only
    published = paths.published
    reader = subprocess.Popen([str(duckdb1_python), "-c", READER, str(published), str(BASE_FROM), str(NEWEST)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(reader.stdout.readline() or "{}")
        assert first.get("open", [0, -1])[1] == 0 and first["open"][0] > 0, (
            first, reader.stderr.read() if reader.poll() is not None else "")
        before = published.stat().st_ino
        publisher.publish(paths, [NEWEST])           # while the reader holds the old file open
        assert published.stat().st_ino != before     # replaced by rename, not written in place
        assert not published.with_name(published.name + ".publishing").exists()
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    after = json.loads(out.strip().splitlines()[-1])
    n_base = first["open"][0]
    assert after["still_open"] == [n_base, 0]        # the open connection keeps its consistent old file
    assert after["still_marts"] == first["marts"]    # ... and every mart of it, through its day files
    assert after["reopened"][0] == n_base and after["reopened"][1] > 0  # old day kept, new day visible


def test_failed_publish_leaves_published_file_unchanged(baseline, tmp_path):
    published = copy_warehouse(baseline["wh"], tmp_path / "wh")
    paths = warehouse_paths(published)
    before, files = published.read_bytes(), day_files(paths)
    build = paths.build
    build.rename(build.with_suffix(".moved"))       # the build file vanished: publish must fail cleanly
    with pytest.raises((duckdb.Error, OSError)):
        publisher.publish(paths, [NEWEST])
    assert published.read_bytes() == before
    assert day_files(paths) == files


def test_publishing_the_next_day_leaves_the_earlier_days_files_untouched(baseline, tmp_path):
    paths = fresh(baseline, tmp_path / "wh", [BASE_FROM])
    first = day_files(paths)
    assert first and all(f"/as_of_date={BASE_FROM}/" in f for f in first)
    assert {f for _, _, f in listed(paths)} == set(first)
    marts = {m for m, _, _ in listed(paths)}
    assert "product_tier_daily" in marts
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    second = day_files(paths)
    assert {f: second[f] for f in first} == first     # same path, mtime_ns, size and bytes
    new = set(second) - set(first)
    assert new and all(f"/as_of_date={NEWEST}/" in f for f in new)
    # every mart with rows of NEWEST in the build has its day file (a sparse mart, e.g. the alerts, may
    # have rows on one day and none on the other)
    with_rows = {t for t in build_marts(paths.build) if query(paths.build, (
        "select count(*) from duckdb_columns() where schema_name = 'marts' and table_name = ? "
        "and column_name = 'as_of_date'"), [t])[0][0] and query(
        paths.build, f"select count(*) from marts.{identifier(t)} where as_of_date = ?", [NEWEST])[0][0]}
    assert {m for m, d, _ in listed(paths) if d == NEWEST} == with_rows and "product_tier_daily" in with_rows
    assert {(m, d, f) for m, d, f in listed(paths) if d == BASE_FROM} == {
        (m, d, f) for m, d, f in listed(paths) if f in first}
    assert query(paths.published, "select count(*) from ops.superseded_files") == [(0,)]
    # the views read exactly the listed files, by absolute path, never a glob
    views = dict(query(paths.published, "select view_name, sql from duckdb_views() "
                                        "where database_name = 'w' and schema_name = 'marts'"))
    for mart, _, f in listed(paths):
        assert str(paths.folder / f) in views[mart]
    assert not any("*" in sql.split("read_parquet", 1)[-1] for sql in views.values())
    assert publisher.published_as_of_dates(paths.published) == {BASE_FROM, NEWEST}


def test_a_failed_publish_leaves_the_catalog_and_every_file_readers_see(baseline, tmp_path):
    paths = fresh(baseline, tmp_path / "wh", [BASE_FROM])
    before, files = paths.published.read_bytes(), day_files(paths)
    seen = []

    def failing(con, catalog):
        # everything is written: the new views read the new day files
        seen.append(con.execute(f"select count(*) from {identifier(catalog)}.marts.product_tier_daily "
                                "where as_of_date = ?", [NEWEST]).fetchone()[0])
        raise OSError("disk full while finishing")

    with pytest.raises(OSError, match="disk full"):   # a backfill of BASE_FROM and a new day
        publisher.publish(paths, [BASE_FROM, NEWEST], landing=baseline["landing"], before_rename=failing)
    assert seen and seen[0] > 0
    assert paths.published.read_bytes() == before
    assert day_files(paths) == files                  # no new Parquet file left behind
    assert not [p for p in paths.folder.iterdir() if ".publishing" in p.name]
    assert not (publisher.files_root(paths) / "marts" / "product_tier_daily" / f"as_of_date={NEWEST}").exists()
    assert publisher.published_as_of_dates(paths.published) == {BASE_FROM}


def test_a_backfill_writes_new_files_and_keeps_the_replaced_ones_for_the_retention(
        baseline, tmp_path, monkeypatch):
    monkeypatch.delenv(publisher.RETENTION_ENV, raising=False)
    paths = fresh(baseline, tmp_path / "wh", [BASE_FROM])
    first = {f for m, _, f in listed(paths) if m == "product_tier_daily"}
    n_base = query(paths.published, "select count(*) from marts.product_tier_daily")[0][0]
    held = duckdb.connect()                             # a reader of the catalog before the backfill
    held.execute(f"attach {literal(paths.published)} as w (read_only)")
    held_counts = {t: held.execute(f"select count(*) from w.marts.{identifier(t)}").fetchone()[0]
                   for t in mart_columns(paths.published)}
    try:
        publisher.publish(paths, [BASE_FROM], landing=baseline["landing"])      # the backfill
        now = {f for m, _, f in listed(paths) if m == "product_tier_daily"}
        assert now and not now & first                  # a new file name, never written over
        assert all((paths.folder / f).exists() for f in first)      # the replaced file survives
        sql = query(paths.published, "select sql from duckdb_views() where database_name = 'w' "
                                     "and view_name = 'product_tier_daily'")[0][0]
        assert all(Path(f).name in sql for f in now) and not any(Path(f).name in sql for f in first)
        replaced = query(paths.published, "select file_path, superseded_by from ops.superseded_files")
        assert {f for f, _ in replaced} >= first
        assert query(paths.published, "select count(*) from marts.product_tier_daily")[0][0] == n_base
        # the reader of the older catalog keeps reading every mart, from the replaced files
        assert {t: held.execute(f"select count(*) from w.marts.{identifier(t)}").fetchone()[0]
                for t in held_counts} == held_counts
    finally:
        held.close()
    # the next publish within the retention keeps them; past it (0 hours here), it removes them
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    assert all((paths.folder / f).exists() for f in first)
    monkeypatch.setenv(publisher.RETENTION_ENV, "0")
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])     # replaces NEWEST's files too
    assert not any((paths.folder / f).exists() for f in first)
    left = {f for (f,) in query(paths.published, "select file_path from ops.superseded_files")}
    assert not left & first and left                  # the NEWEST files of the run before wait now
    assert set(day_files(paths)) == {f for _, _, f in listed(paths)} | left
    assert counts(paths.published)["product_tier_daily"] > n_base


def test_through_the_views_types_and_comments_are_the_build_files(commented, baseline):
    build, published = mart_columns(commented.build), mart_columns(commented.published)
    assert published == build                          # DECIMAL, DATE, BOOLEAN, TIMESTAMP, ... alike
    types = {ty for cols in build.values() for _, ty in cols}
    assert {"DATE", "BOOLEAN", "DECIMAL(18,2)", "TIMESTAMP", "BIGINT", "DOUBLE", "VARCHAR"} <= types
    assert query(commented.published, "select table_name from duckdb_tables() where database_name = 'w' "
                                      "and schema_name = 'marts'") == []       # views only
    assert query(commented.published, "select view_name, comment from duckdb_views() where database_name = 'w' "
                                      "and schema_name = 'marts' order by 1") == query(
        commented.build, "select table_name, comment from duckdb_tables() where database_name = 'w' "
                         "and schema_name = 'marts' order by 1")
    assert dict(query(commented.published, "select view_name, comment from duckdb_views() where database_name = 'w' "
                                           "and schema_name = 'marts'"))["product_tier_daily"] == TABLE_COMMENT
    assert query(commented.published, "select comment from duckdb_columns() where database_name = 'w' "
                                      "and table_name = 'product_tier_daily' and column_name = 'effective_gmv'"
                 ) == [(COLUMN_COMMENT,)]
    # a mart without rows (no day file yet) keeps its columns and types: a typed, empty view
    empty = [t for t, n in counts(commented.build).items() if n == 0]
    assert empty and all(t not in {m for m, _, _ in listed(commented)} for t in empty)
    # the same rows as the build file's, for the days published
    for t in ("product_tier_daily", "late_shipment_penalties", "shop_traffic_funnel_daily"):
        sql = f"select * from marts.{t} where as_of_date = '{NEWEST}' except all " \
              f"select * from b.marts.{t} where as_of_date = '{NEWEST}'"
        con = duckdb.connect()
        try:
            con.execute(f"attach {literal(commented.published)} as w (read_only)")
            con.execute(f"attach {literal(commented.build)} as b (read_only)")
            con.execute("use w")
            assert con.execute(sql).fetchall() == [], t
        finally:
            con.close()


def test_the_published_file_passes_the_contract(commented):
    # the vendored contract (a clone without ../shared has only this one), views included
    spec = json.loads(Path(__file__).with_name("contract.json").read_text())["tables"]
    present: dict = {}
    for schema, table, column in query(commented.published, "select table_schema, table_name, column_name "
                                                             "from information_schema.columns"):
        present.setdefault(f"{schema}.{table}", set()).add(column)
    missing = {t: set(c) - present.get(t, set()) for t, c in spec.items() if set(c) - present.get(t, set())}
    assert len(spec) >= 14 and not missing, missing
    if not CHECK_CONTRACT.exists():
        return
    out = subprocess.run([sys.executable, str(CHECK_CONTRACT), str(commented.published)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_moved_warehouse_folder_reads_again_after_relocate(baseline, tmp_path):
    paths = fresh(baseline, tmp_path / "a" / "wh", [BASE_FROM, NEWEST])
    n = counts(paths.published)
    moved = tmp_path / "b" / "wh"
    moved.parent.mkdir()
    shutil.move(paths.folder, moved)                   # the views still name the old folder
    new = warehouse_paths(moved / "kscore.duckdb")
    with pytest.raises(duckdb.Error):
        counts(new.published)
    publisher.relocate(new)                            # no build file needed
    assert counts(new.published) == n
    assert publisher.published_as_of_dates(new.published) == {BASE_FROM, NEWEST}
    assert query(new.published, "select count(*) from ops.run_log")[0][0] >= 1


def test_a_published_file_from_before_day_files_is_carried_over_once(baseline, tmp_path):
    paths = warehouse_paths(copy_warehouse(baseline["wh"], tmp_path / "wh"))
    paths.published.unlink()
    shutil.rmtree(publisher.files_root(paths))
    con = duckdb.connect()          # a published file as the publish before day files wrote it: tables
    try:
        con.execute(f"attach {literal(paths.build)} as b (read_only)")
        con.execute(f"attach {literal(paths.published)} as old (storage_version 'v1.1.0')")
        con.execute("create schema old.marts")
        con.execute("create schema old.ops")
        for t in build_marts(paths.build):
            dated = con.execute("select count(*) from duckdb_columns() where database_name = 'b' and schema_name "
                                "= 'marts' and table_name = ? and column_name = 'as_of_date'", [t]).fetchone()[0]
            con.execute(f"create table old.marts.{identifier(t)} as select * from b.marts.{identifier(t)}"
                        + (" where as_of_date = ?" if dated else ""), [BASE_FROM] if dated else [])
        con.execute("create table old.ops.run_log as select * from b.ops.run_log")
    finally:
        con.close()
    legacy = counts(paths.published)
    assert legacy["product_tier_daily"] > 0
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])
    assert publisher.published_as_of_dates(paths.published) == {BASE_FROM, NEWEST}
    assert query(paths.published, "select count(*) from marts.product_tier_daily where as_of_date = ?",
                 [BASE_FROM])[0][0] == legacy["product_tier_daily"]
    first = day_files(paths)
    publisher.publish(paths, [NEWEST], landing=baseline["landing"])   # carried over once, not again
    assert {f: v for f, v in day_files(paths).items() if f"as_of_date={BASE_FROM}" in f} == {
        f: v for f, v in first.items() if f"as_of_date={BASE_FROM}" in f}
