"""Write-audit-publish (spec 06): the published file opens in DuckDB 1.x readers, and a reader holding
it open neither blocks a new publish nor sees a half-written file; it sees the new data on reopening."""
from __future__ import annotations

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

from kscore import publish as publisher
from kscore.paths import warehouse_paths

from test_bad_input import BASE_FROM, NEWEST, clean_baseline, copy_warehouse

DUCKDB1_VERSION = "1.1.3"
DUCKDB1_VENV = Path(os.environ.get("KSCORE_DUCKDB1_VENV", "/tmp/kscore-duckdb1-venv"))


@pytest.fixture(scope="session")
def duckdb1_python() -> Path:
    """A Python with duckdb 1.1.3 from PyPI in its own venv, cached at a fixed /tmp path."""
    py = DUCKDB1_VENV / "bin" / "python"
    probe = [str(py), "-c", f"import duckdb, sys; sys.exit(duckdb.__version__ != '{DUCKDB1_VERSION}')"]
    if not py.exists() or subprocess.run(probe, capture_output=True).returncode != 0:
        shutil.rmtree(DUCKDB1_VENV, ignore_errors=True)
        venv.EnvBuilder(with_pip=True).create(DUCKDB1_VENV)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        f"duckdb=={DUCKDB1_VERSION}"], check=True, timeout=600)
    assert subprocess.run(probe).returncode == 0
    return py


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return clean_baseline(tmp_path_factory)


def build_marts(build: Path) -> list[str]:
    con = duckdb.connect(str(build), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
    finally:
        con.close()


def test_published_file_opens_in_duckdb_1x_and_every_mart_reads(baseline, duckdb1_python, tmp_path):
    published = tmp_path / "kscore.duckdb"
    shutil.copyfile(baseline["wh"] / "kscore.duckdb", published)
    script = textwrap.dedent("""
        import duckdb, json, sys
        con = duckdb.connect(sys.argv[1], read_only=True)
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        out = {"version": duckdb.__version__, "marts": {}}
        for t in marts:
            rows = con.execute(f"select * from marts.{t}").fetchall()
            out["marts"][t] = len(rows)
        out["run_log"] = con.execute("select count(*) from ops.run_log").fetchone()[0]
        print(json.dumps(out))
    """)
    res = subprocess.run([str(duckdb1_python), "-c", script, str(published)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout)
    assert out["version"].startswith("1.")
    expected = build_marts(baseline["wh"] / "kscore_build.duckdb")
    assert sorted(out["marts"]) == expected and len(expected) >= 9
    assert out["marts"]["product_tier_daily"] > 0
    assert out["run_log"] >= 1
    # the 1.x client sees the same rows DuckDB 2 does
    con = duckdb.connect(str(published), read_only=True)
    try:
        for t, n in out["marts"].items():
            assert con.execute(f"select count(*) from marts.{t}").fetchone()[0] == n, t
    finally:
        con.close()


READER = textwrap.dedent("""
    import duckdb, json, sys
    path = sys.argv[1]
    def count(con, day):
        return con.execute("select count(*) from marts.product_tier_daily where as_of_date = cast(? as date)", [day]).fetchone()[0]
    con = duckdb.connect(path, read_only=True)
    print(json.dumps({"open": [count(con, sys.argv[2]), count(con, sys.argv[3])]}), flush=True)
    sys.stdin.readline()          # the writer publishes meanwhile
    still = [count(con, sys.argv[2]), count(con, sys.argv[3])]
    con.close()
    con = duckdb.connect(path, read_only=True)
    print(json.dumps({"still_open": still, "reopened": [count(con, sys.argv[2]), count(con, sys.argv[3])]}), flush=True)
""")


def test_reader_holding_the_file_does_not_block_publish(baseline, duckdb1_python, tmp_path):
    published = copy_warehouse(baseline["wh"], tmp_path / "wh")
    paths = warehouse_paths(published)
    published.unlink()
    publisher.publish(paths, [BASE_FROM])           # readers see BASE_FROM only
    reader = subprocess.Popen([str(duckdb1_python), "-c", READER, str(published), str(BASE_FROM), str(NEWEST)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(reader.stdout.readline() or "{}")
        assert first.get("open", [0, -1])[1] == 0 and first["open"][0] > 0, (first, reader.stderr.read() if reader.poll() is not None else "")
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
    assert after["reopened"][0] == n_base and after["reopened"][1] > 0  # old day kept, new day visible


def test_failed_publish_leaves_published_file_unchanged(baseline, tmp_path):
    published = copy_warehouse(baseline["wh"], tmp_path / "wh")
    paths = warehouse_paths(published)
    before = published.read_bytes()
    build = paths.build
    build.rename(build.with_suffix(".moved"))       # the build file vanished: publish must fail cleanly
    with pytest.raises((duckdb.Error, OSError)):
        publisher.publish(paths, [NEWEST])
    assert published.read_bytes() == before
