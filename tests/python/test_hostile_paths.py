"""Hostile paths (issue 10 point 4, "No user string in SQL").

Paths and file names reach SQL only through the one quoting helper (Python kscore.sqltext,
dbt macro kscore.sql_string) or bind parameters. The landing zone's root (the operator's
choice) may hold any character; an upstream file name outside landing.SAFE_FILE_NAME is
rejected at sensing (`bad_file_name`), never opened and never read by SQL.

Cost: unit tests (milliseconds), one raw-gate run that stops before dbt (seconds) and one cold
`kscore run` of two as_of_dates on a copy of the tiny zone.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import TINY_DAYS, TINY_START, copy_zone, last_as_of
from kscore import landing
from kscore.sqltext import identifier, literal
from test_bad_input import kscore_main

NEWEST_DT = TINY_START + dt.timedelta(days=TINY_DAYS - 1)  # 2023-01-12, the zone's last day
HOSTILE_TEXT = ["it's", "a;b", "x -- y", "/* c */", "line\nbreak", "tab\tcr\r", "ü 川流 ✓",
                "back\\slash", "''", "'; drop table t; --", "{x} %s $y", ""]


# ----------------------------------------------------------------------- (a) the quoting helper

@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_literal_round_trips_through_duckdb(text):
    con = duckdb.connect()
    try:
        assert con.execute("select " + literal(text)).fetchone()[0] == text
    finally:
        con.close()


def test_literal_takes_a_path():
    path = Path("/tmp/la'nd; ü/x.parquet")
    assert literal(path) == "'/tmp/la''nd; ü/x.parquet'"


@pytest.mark.parametrize("name", ['col"umn', "a;b", "x y", "ü", "select", 'say "hi"'])
def test_identifier_round_trips_through_duckdb(name):
    con = duckdb.connect()
    try:
        con.execute(f"select 1 as {identifier(name)}")
        assert con.description[0][0] == name
    finally:
        con.close()


def test_nul_is_refused():
    with pytest.raises(ValueError):
        literal("a\x00b")
    with pytest.raises(ValueError):
        identifier("a\x00b")


# ----------------------------------------------------------------------- (b) sensing file names

SPARK_NAMES = ["part-0.parquet",
               "part-00000-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d-c000.snappy.parquet",
               "part-00001-tid-1234567890-abc.c000.zstd.parquet", "batch=7.parquet", "A_b.parquet",
               "a..b.parquet"]
BAD_NAMES = ["part-0'x.parquet", "a;b.parquet", "x y.parquet", "new\nline.parquet",
             "..parquet", ".hidden.parquet", "_tmp.parquet", "-rf.parquet", "ü.parquet",
             "star*.parquet", "q?.parquet", "[ab].parquet", "back\\slash.parquet", "tab\t.parquet"]


@pytest.mark.parametrize("name", SPARK_NAMES)
def test_spark_style_names_pass(name):
    assert landing.bad_file_name(name) is None


@pytest.mark.parametrize("name", BAD_NAMES + ["../x.parquet", "a/b.parquet", "x.parquet\n",
                                              "x.parquet.", "x.PARQUET", ".parquet"])
def test_names_outside_the_pattern_are_bad(name):
    assert landing.bad_file_name(name) == f"bad_file_name: {name!r}"


@pytest.fixture
def named_zone(tiny_landing, tmp_path):
    """A zone with only orders/dt=<NEWEST_DT>: a good file under every Spark-style and every bad
    name, a file whose name is not UTF-8, and the non-Parquet files Spark writes."""
    good = tiny_landing / "orders" / f"dt={NEWEST_DT}" / "part-0.parquet"
    day = tmp_path / "landing" / "orders" / f"dt={NEWEST_DT}"
    day.mkdir(parents=True)
    for name in SPARK_NAMES + BAD_NAMES:
        shutil.copyfile(good, day / name)
    raw = os.path.join(os.fsencode(day), b"bad\xff\xfe.parquet")  # not UTF-8
    with open(raw, "wb") as f:
        f.write(good.read_bytes())
    for name in ("_SUCCESS", ".part-0.parquet.crc", "part-0.parquet.tmp", "README"):
        (day / name).write_bytes(b"")
    return tmp_path / "landing", day


def test_sensing_rejects_bad_names_and_accepts_spark_names(named_zone):
    root, day = named_zone
    files = landing.sense(root)
    by_name = {Path(f.file_path).name: f for f in files}
    for name in SPARK_NAMES:
        assert by_name[name].status == "accepted", by_name[name]
        assert by_name[name].file_path == str(day.resolve() / name)
    for name in BAD_NAMES:
        f = by_name[name]
        assert (f.status, f.reason, f.row_count) == ("rejected", f"bad_file_name: {name!r}", None)
    undecodable = by_name["bad\\xff\\xfe.parquet"]  # the ledger's text: bytes backslash-escaped
    assert undecodable.status == "rejected"
    assert undecodable.reason == "bad_file_name: b'bad\\xff\\xfe.parquet'"
    # the non-Parquet files stay ignored
    assert len(files) == len(SPARK_NAMES) + len(BAD_NAMES) + 1


def test_the_ledger_takes_every_hostile_name(named_zone):
    root, _ = named_zone
    files = landing.sense(root)
    con = duckdb.connect()
    try:
        landing.write_ledger(con, files, "r1")
        landing.mark_known(con, files)
        stored = {p for (p,) in con.execute("select file_path from ops.landed_files").fetchall()}
        rejected = con.execute("select count(*) from ops.landed_files where status = 'rejected' "
                               "and reason like 'bad_file_name: %'").fetchone()[0]
    finally:
        con.close()
    assert stored == {f.file_path for f in files} and not any(f.is_new for f in files)
    assert rejected == len(BAD_NAMES) + 1


def test_a_dangling_link_is_rejected_not_a_crash(tmp_path):
    day = tmp_path / "landing" / "orders" / f"dt={NEWEST_DT}"
    day.mkdir(parents=True)
    (day / "part-0.parquet").symlink_to(tmp_path / "gone.parquet")
    (f,) = landing.sense(tmp_path / "landing")
    assert f.status == "rejected" and f.reason.startswith("unreadable_file:")


# ----------------------------------------------------------------------- (d) a bad name at the gate

@pytest.fixture(scope="module")
def quote_named_zone(tiny_landing, tmp_path_factory):
    root = tmp_path_factory.mktemp("quote_name")
    zone = copy_zone(tiny_landing, root / "landing")
    day = zone / "orders" / f"dt={NEWEST_DT}"
    shutil.copyfile(day / "part-0.parquet", day / "part-0'x.parquet")
    return root, zone


def test_validate_fails_the_day_on_a_bad_file_name(quote_named_zone):
    _, zone = quote_named_zone
    out = kscore_main("validate", "--landing", str(zone), "--day", str(NEWEST_DT))
    text = out.stdout + out.stderr
    assert out.returncode == 1 and "Traceback" not in text, text[-3000:]
    assert "file_readable_with_contract_schema" in text
    assert "bad_file_name" in text and "part-0'x.parquet" in text


def test_run_stops_at_the_raw_gate_on_a_bad_file_name(quote_named_zone):
    root, zone = quote_named_zone
    published = root / "wh" / "kscore.duckdb"
    out = kscore_main("run", "--from", str(last_as_of()), "--landing", str(zone),
                      "--warehouse", str(published))
    text = out.stdout + out.stderr
    assert out.returncode == 1 and "Traceback" not in text, text[-3000:]
    assert "nothing published" in out.stderr and not published.exists()
    run_dir = root / "wh" / "runs" / re.search(r"^run (\S+):", out.stdout, re.M).group(1)
    failures = (run_dir / "gate_failures.txt").read_text(encoding="utf-8")
    assert "bad_file_name" in failures and "part-0'x.parquet" in failures, failures
    report = json.loads((run_dir / "gate_report.json").read_text(encoding="utf-8"))
    failed = [r for r in report if not r["success"]]
    assert any(r["expectation"] == "file_readable_with_contract_schema" and r["suite"] == "orders"
               and "bad_file_name" in json.dumps(r["observed"]) for r in failed), failed


# ----------------------------------------------------------------------- (c) end to end

def test_a_run_on_hostile_landing_and_warehouse_paths(tiny_landing, tmp_path):
    # the operator's folders: a quote, a semicolon, spaces, unicode, braces, % and $ (dbt-duckdb
    # formats the sources' external_location), a newline, and a `..` step in the argument
    parent = tmp_path / "la'nd; {x} %s $y ü\ning"
    zone = copy_zone(tiny_landing, parent / "landing")
    (parent / "sub").mkdir()
    landing_arg = str(parent / "sub" / ".." / "landing")
    published = tmp_path / "wh'; drop ü ing" / "kscore.duckdb"
    first, last = NEWEST_DT, last_as_of()
    out = kscore_main("run", "--from", str(first), "--to", str(last), "--landing", landing_arg,
                      "--warehouse", str(published))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    # the files sensing lists: every Parquet file under a contract table's folder
    present = {str(p) for t in landing.contract() for p in (zone.resolve() / t).rglob("*.parquet")}
    con = duckdb.connect(str(published), read_only=True)
    try:
        days = dict(con.execute("select as_of_date, count(*) from marts.product_tier_daily "
                                "group by 1").fetchall())
        published_ledger = con.execute("select count(*) from ops.landed_files").fetchone()[0]
        landed = con.execute("select sum(landed_rows) from ops.landing_counts "
                             "where table_name = 'orders' and dt = ?", [NEWEST_DT]).fetchone()[0]
    finally:
        con.close()
    con = duckdb.connect(str(published.with_name("kscore_build.duckdb")), read_only=True)
    try:
        ledger = con.execute("select file_path, status from ops.landed_files").fetchall()
    finally:
        con.close()
    assert days.get(first, 0) > 0 and days.get(last, 0) > 0, days
    assert sorted(p for p, _ in ledger) == sorted(present) and published_ledger == len(present)
    assert {s for _, s in ledger} == {"accepted"}
    assert landed and landed > 0  # read by dbt through the hostile root
