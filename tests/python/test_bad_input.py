"""Bad input the run must survive (spec 06, "Bad input this must survive"): one test per kind.

Every kind is driven through `kscore run` on a tiny zone generated with `--inject KIND`, on top of a
warehouse that already published a clean baseline. The run quarantines or stops with a clear message
(no stack trace), a stopped run leaves the published file byte-for-byte unchanged, every run leaves its
ops.run_log row, and landed = staged + quarantined + duplicates still holds.

Cost: one cold baseline build (shared with test_publish and test_orphans), one build for the
row-level kinds together, and the file-level kinds, which stop at the raw gate before dbt (seconds each).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kscore import PROJECT_DIR

from conftest import TINY_DAYS, TINY_START

KSCORE = str(Path(sys.executable).with_name("kscore"))
ORPHAN_DAY = TINY_START + dt.timedelta(days=TINY_DAYS - 1)   # dt 2023-01-12: the baseline zone's orphan orders
BASE_FROM = ORPHAN_DAY - dt.timedelta(days=1)                 # the baseline publishes as_of_dates BASE_FROM … BASE_TO
BASE_TO = ORPHAN_DAY + dt.timedelta(days=1)
NEWEST = BASE_TO                                              # dt 2023-01-13: the bad day of every injected zone
AS_OF = NEWEST + dt.timedelta(days=1)                         # the as_of_date the bad day feeds (2023-01-14)

# kinds that stop the run at the raw gate, before dbt: kind -> (table, expectation fragment)
STOPS_AT_RAW_GATE = {
    "missing_column": ("orders", "file_readable_with_contract_schema"),
    "wrong_type": ("orders", "file_readable_with_contract_schema"),
    "empty_file": ("orders", "file_readable_with_contract_schema"),
    "truncated_parquet": ("orders", "file_readable_with_contract_schema"),
    "missing_day": ("orders", "daily_partition_present"),
    "order_spike_10x": ("orders", "row_count_within_band_of_own_history"),
    "no_orders_day": ("orders", "expected_daily_table_not_empty"),
}
# row-level kinds, injected together into the next day's delivery (NEWEST), built in one incremental run
# that also lands the parent shop of the baseline's orphans (test_orphans):
# kind -> (table, quarantine rule or "duplicate"). `orphan_order` is the baseline's own injection.
ROW_LEVEL = {
    "negative_amount": ("orders", "negative_amount"),
    "future_timestamp": ("orders", "future_timestamp"),
    "refund_exceeds_order": ("refunds", "refund_exceeds_order"),
    "delivered_before_shipped": ("logistics_events", "event_sequence"),
    "duplicate_keys": ("orders", "duplicate"),
    "duplicate_file": ("orders", "duplicate"),
}

_CACHE: dict = {}


def kscore(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """`kscore ...` as a separate process."""
    env = dict(os.environ, DBT_PROFILES_DIR=str(PROJECT_DIR))
    return subprocess.run([KSCORE, *args], capture_output=True, text=True, env=env, timeout=timeout)


def kscore_main(*args: str) -> subprocess.CompletedProcess:
    """`kscore ...` through the same entry point (kscore.cli.main), in this process: the runs of the test
    suite share one import of Great Expectations instead of paying it per run."""
    from kscore.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(args))
    return subprocess.CompletedProcess(["kscore", *args], rc, out.getvalue(), err.getvalue())


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def clean_baseline(tmp_path_factory) -> dict:
    """A warehouse that published as_of_dates BASE_FROM … BASE_TO in one cold `kscore run` (built once per
    session, shared with test_publish and test_orphans).

    Its landing zone (seed 42, 12 days) carries 3 orphan orders on ORPHAN_DAY (`--inject orphan_order`):
    they wait in quarantine (3 of ~500 rows is under the 1% quarantine share, so the day publishes), and
    test_orphans lands their shop the next day."""
    if "baseline" not in _CACHE:
        from kscore.generate import generate

        root = tmp_path_factory.mktemp("baseline")
        landing = root / "landing"
        report = generate(landing, scale="tiny", start=TINY_START, days=TINY_DAYS, seed=42, inject=["orphan_order"])
        wh = root / "wh"
        out = kscore("run", "--from", str(BASE_FROM), "--to", str(BASE_TO), "--landing", str(landing),
                     "--warehouse", str(wh / "kscore.duckdb"))
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        _CACHE["baseline"] = {"root": root, "landing": landing, "wh": wh, "report": report, "out": out}
    return _CACHE["baseline"]


def copy_warehouse(src: Path, dst: Path) -> Path:
    """A copy of a warehouse folder (published file, build file, dbt state), without old run artifacts."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("runs", "dbt_logs", "*.lock", "*.publishing"))
    return dst / "kscore.duckdb"


def run_kind(root: Path, base_wh: Path, kinds: list[str]) -> dict:
    """`kscore run` for AS_OF on a fresh zone whose newest day (NEWEST) carries `kinds`, over a copy of
    the baseline's published file (the run stops before dbt, so the build file starts empty)."""
    from kscore.generate import generate

    landing = root / "landing"
    report = generate(landing, scale="tiny", start=TINY_START, days=TINY_DAYS + 1, seed=42, inject=kinds)
    (root / "wh").mkdir(parents=True)
    published = root / "wh" / "kscore.duckdb"
    shutil.copyfile(base_wh / "kscore.duckdb", published)
    before = sha256(published)
    out = kscore_main("run", "--from", str(AS_OF), "--landing", str(landing), "--warehouse", str(published))
    runs = sorted((root / "wh" / "runs").iterdir())
    return {"out": out, "before": before, "published": published, "build": root / "wh" / "kscore_build.duckdb",
            "run_dir": runs[-1], "report": report}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return clean_baseline(tmp_path_factory)


@pytest.fixture(scope="module")
def raw_gate_runs(baseline, tmp_path_factory):
    """One run per file-level kind (each stops at the raw gate, before dbt: a few seconds)."""
    root = tmp_path_factory.mktemp("raw_kinds")
    return {k: run_kind(root / k, baseline["wh"], [k]) for k in STOPS_AT_RAW_GATE}


def next_day_run(tmp_path_factory) -> dict:
    """Day N+1 on the baseline's own landing zone (a true incremental run, built once per session):
    NEWEST's delivery of the same world with every row-level kind injected, plus the orphans' shop
    (written as a late file of NEWEST). Shared with test_orphans."""
    if "next_day" not in _CACHE:
        import pyarrow as pa
        import pyarrow.parquet as pq
        from kscore.generate import generate

        base = clean_baseline(tmp_path_factory)
        landing = base["landing"]  # the baseline is built: from here on only this run reads the zone
        root = tmp_path_factory.mktemp("next_day")
        nxt = root / "generated"
        report = generate(nxt, scale="tiny", start=TINY_START, days=TINY_DAYS + 1, seed=42, inject=list(ROW_LEVEL))
        for table_dir in nxt.iterdir():
            if (table_dir / f"dt={NEWEST}").is_dir():
                shutil.copytree(table_dir / f"dt={NEWEST}", landing / table_dir.name / f"dt={NEWEST}")
        orphan_shop = int(re.search(r"shop_id (\d+)", base["report"]["injected"]["orphan_order"]).group(1))
        shops = pq.read_table(sorted((nxt / "shops").glob("dt=*/*.parquet"))[0]).slice(0, 1)
        shops = shops.set_column(shops.schema.get_field_index("shop_id"), "shop_id",
                                 pa.array([orphan_shop], shops.schema.field("shop_id").type))
        shops = shops.set_column(shops.schema.get_field_index("updated_at"), "updated_at",
                                 pa.array([dt.datetime.combine(NEWEST, dt.time(9, 0))], shops.schema.field("updated_at").type))
        (landing / "shops" / f"dt={NEWEST}").mkdir(parents=True, exist_ok=True)
        pq.write_table(shops, landing / "shops" / f"dt={NEWEST}" / "part-late-parent.parquet")

        published = copy_warehouse(base["wh"], root / "wh")
        before = sha256(published)
        out = kscore_main("run", "--from", str(AS_OF), "--landing", str(landing), "--warehouse", str(published))
        runs = sorted((root / "wh" / "runs").iterdir())
        _CACHE["next_day"] = {"out": out, "before": before, "published": published, "build": root / "wh" / "kscore_build.duckdb",
                              "run_dir": runs[-1], "report": report, "orphan_shop": orphan_shop}
    return _CACHE["next_day"]


@pytest.fixture(scope="module")
def row_level_run(tmp_path_factory):
    return next_day_run(tmp_path_factory)


def assert_clear_stop(r: dict, table: str, expectation: str) -> None:
    out = r["out"]
    assert out.returncode != 0, out.stdout[-2000:]
    text = out.stdout + out.stderr
    assert "Traceback" not in text, text[-3000:]
    assert "nothing published" in out.stderr, out.stderr
    # the headline names the root cause (this kind's table and day: a 10x order spike blames orders, not
    # the customer-service sessions about those orders), its expectation, observed value and bound
    headline = next(line for line in out.stderr.splitlines() if line.startswith("kscore run:"))
    assert re.search(rf"raw gate, table {table}, dt {NEWEST}: .+; observed .+; bound ", headline), out.stderr
    # the failure report names this kind's table, day, expectation, observed value and bound
    report = (r["run_dir"] / "gate_failures.txt").read_text()
    assert re.search(rf"raw gate, table {table}, dt {NEWEST}: .*{expectation}.*; observed .*; bound ", report), report
    # nothing new published: the published file is byte-for-byte the baseline's
    assert sha256(r["published"]) == r["before"]
    # the failed run is in the run log
    con = duckdb.connect(str(r["build"]), read_only=True)
    try:
        row = con.execute("select outcome, published_dates, gate_results from ops.run_log where run_id = ?",
                          [r["run_dir"].name]).fetchone()
    finally:
        con.close()
    assert row is not None and row[0] == "failed" and row[1] == "" and table in row[2]


def assert_counts_reconcile(build: Path, day: dt.date) -> None:
    con = duckdb.connect(str(build), read_only=True)
    try:
        rows = con.execute("""
            with ledger as (
                select table_name, dt, sum(row_count) as file_rows
                from ops.landed_files where status = 'accepted' and dt = ? group by 1, 2
            )
            select l.table_name, l.file_rows, c.landed_rows, c.staged_rows, c.quarantined_rows, c.duplicate_rows
            from ledger l left join ops.landing_counts c using (table_name, dt)""", [day]).fetchall()
    finally:
        con.close()
    assert len(rows) >= 8
    for table, file_rows, landed, staged, quarantined, duplicates in rows:
        assert landed == file_rows, f"{table} {day}: read {landed} of {file_rows} landed rows"
        assert staged + quarantined + duplicates == landed, f"{table} {day}: {staged}+{quarantined}+{duplicates} != {landed}"


@pytest.mark.parametrize("kind", list(STOPS_AT_RAW_GATE))
def test_file_level_bad_input_stops_at_the_raw_gate(kind, raw_gate_runs):
    r = raw_gate_runs[kind]
    table, expectation = STOPS_AT_RAW_GATE[kind]
    assert_clear_stop(r, table, expectation)
    # the gate ran before dbt: no build was attempted for the bad day
    assert not (r["run_dir"] / "dbt_build.log").exists()
    con = duckdb.connect(str(r["build"]), read_only=True)
    try:
        ledger = con.execute("select status, reason, row_count from ops.landed_files where table_name = 'orders' and dt = ?",
                             [NEWEST]).fetchall()
    finally:
        con.close()
    if kind == "missing_day":
        assert ledger == []
    elif expectation.startswith("file_readable"):
        # the bad file is rejected with its reason, so no landed row disappears without a trace
        assert any(s == "rejected" and reason for s, reason, _ in ledger), ledger
    else:
        rows = sum(n for s, _, n in ledger if s == "accepted")
        assert (rows == 0) if kind == "no_orders_day" else (rows > 2000), ledger


@pytest.mark.parametrize("kind", list(ROW_LEVEL))
def test_row_level_bad_input_is_quarantined(kind, row_level_run):
    r = row_level_run
    table, rule = ROW_LEVEL[kind]
    con = duckdb.connect(str(r["build"]), read_only=True)
    try:
        if rule == "duplicate":
            n = con.execute("select duplicate_rows from ops.landing_counts where table_name = ? and dt = ?",
                            [table, NEWEST]).fetchone()[0]
            floor = 20 if kind == "duplicate_keys" else 400  # 20 repeated orders; a whole re-delivered file
            assert n >= floor, f"{kind}: {n} duplicates dropped"
        else:
            n = con.execute(f"select count(*) from quarantine.{table} where rule = ? and dt = ?", [rule, NEWEST]).fetchone()[0]
            assert n >= 3, f"{kind}: {n} {table} rows quarantined under {rule}"
            # and none of them reached staging
            if table == "orders":
                leaked = con.execute("""select count(*) from staging.stg_landing__orders s join quarantine.orders q
                                          using (order_id) where q.rule = ? and q.dt = ?""", [rule, NEWEST]).fetchone()[0]
                assert leaked == 0
    finally:
        con.close()
    assert_counts_reconcile(r["build"], NEWEST)
    # 10 bad orders of ~500 exceed the 1% quarantine share of orders: the run stops, the day is not published
    assert_clear_stop(r, "orders", "quarantine_share_at_most")


def test_orphan_order_is_quarantined_and_the_day_publishes(baseline):
    """`--inject orphan_order` (the baseline zone): 3 orders of a shop that has not landed wait in quarantine;
    3 of ~500 rows is within the quarantine share, so the run publishes, and the counts reconcile."""
    out = baseline["out"]
    assert out.returncode == 0 and "Traceback" not in out.stdout + out.stderr, out.stderr[-2000:]
    build = baseline["wh"] / "kscore_build.duckdb"
    con = duckdb.connect(str(build), read_only=True)
    try:
        n = con.execute("select count(*) from quarantine.orders where rule = 'shop_not_found' and dt = ?",
                        [ORPHAN_DAY]).fetchone()[0]
        outcome = con.execute("select outcome, published_dates from ops.run_log").fetchall()
    finally:
        con.close()
    assert n == 3
    assert outcome == [("published", f"{BASE_FROM},{ORPHAN_DAY},{BASE_TO}")]
    assert_counts_reconcile(build, ORPHAN_DAY)
    pub = duckdb.connect(str(baseline["wh"] / "kscore.duckdb"), read_only=True)
    try:
        days = [d for (d,) in pub.execute("select distinct as_of_date from marts.product_tier_daily order by 1").fetchall()]
    finally:
        pub.close()
    assert days == [BASE_FROM, ORPHAN_DAY, BASE_TO]
