"""Bad input the run must survive (spec 06, "Bad input this must survive"): one test per kind.

Every kind is driven through `kscore run` on a tiny zone generated with `--inject KIND`, on top of a
warehouse that already published a clean baseline. The run quarantines or stops with a clear message
(no stack trace), a stopped run leaves the published file byte-for-byte unchanged, every run leaves its
ops.run_log row, and landed = staged + quarantined + duplicates still holds.

Cost: one cold baseline build (shared with test_publish and test_orphans), one incremental build for
the row-level kinds together, and the file-level kinds (which stop at the raw gate, before dbt) run in
parallel.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from kscore import PROJECT_DIR

from conftest import TINY_DAYS, TINY_START

KSCORE = str(Path(sys.executable).with_name("kscore"))
NEWEST = TINY_START + dt.timedelta(days=TINY_DAYS - 1)       # the injected day's dt (2023-01-12)
BASE_FROM = TINY_START + dt.timedelta(days=TINY_DAYS - 2)    # baseline publishes as_of_dates BASE_FROM … NEWEST
AS_OF = TINY_START + dt.timedelta(days=TINY_DAYS)            # the as_of_date the bad day feeds (2023-01-13)

# kinds that stop the run at the raw gate, before dbt: kind -> (table, expectation fragment)
STOPS_AT_RAW_GATE = {
    "missing_column": ("orders", "file_readable_with_contract_schema"),
    "wrong_type": ("orders", "file_readable_with_contract_schema"),
    "empty_file": ("orders", "file_readable_with_contract_schema"),
    "truncated_parquet": ("orders", "file_readable_with_contract_schema"),
    "missing_day": ("orders", "daily_partition_present"),
    "order_spike_10x": ("orders", "row_count_within_band_of_trailing_median"),
    "no_orders_day": ("orders", "row_count_within_band_of_trailing_median"),
}
# row-level kinds, injected together into one zone: kind -> (table, quarantine rule or "duplicate")
ROW_LEVEL = {
    "negative_amount": ("orders", "negative_amount"),
    "future_timestamp": ("orders", "future_timestamp"),
    "orphan_order": ("orders", "shop_not_found"),
    "refund_exceeds_order": ("refunds", "refund_exceeds_order"),
    "delivered_before_shipped": ("logistics_events", "event_sequence"),
    "duplicate_keys": ("orders", "duplicate"),
    "duplicate_file": ("orders", "duplicate"),
}

_CACHE: dict = {}


def kscore(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, DBT_PROFILES_DIR=str(PROJECT_DIR))
    return subprocess.run([KSCORE, *args], capture_output=True, text=True, env=env, timeout=timeout)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def clean_baseline(tmp_path_factory) -> dict:
    """A warehouse that published the clean as_of_dates BASE_FROM … NEWEST (built once per session).

    Its landing zone carries an orphan order on NEWEST (seed 42, `--inject orphan_order`): runs never
    read partitions after their to_date, so the baseline is exactly the clean one, and test_orphans
    continues from it on the same landing zone."""
    if "baseline" not in _CACHE:
        from kscore.generate import generate

        root = tmp_path_factory.mktemp("baseline")
        landing = root / "landing"
        report = generate(landing, scale="tiny", start=TINY_START, days=TINY_DAYS, seed=42, inject=["orphan_order"])
        wh = root / "wh"
        out = kscore("run", "--from", str(BASE_FROM), "--to", str(NEWEST), "--landing", str(landing),
                     "--warehouse", str(wh / "kscore.duckdb"))
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        _CACHE["baseline"] = {"root": root, "landing": landing, "wh": wh, "report": report}
    return _CACHE["baseline"]


def copy_warehouse(src: Path, dst: Path) -> Path:
    """A copy of a warehouse folder (published file, build file, dbt state), without old run artifacts."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("runs", "dbt_logs", "*.lock", "*.publishing"))
    return dst / "kscore.duckdb"


def run_kind(root: Path, base_wh: Path, kinds: list[str]) -> dict:
    from kscore.generate import generate

    landing = root / "landing"
    report = generate(landing, scale="tiny", start=TINY_START, days=TINY_DAYS, seed=42, inject=kinds)
    published = copy_warehouse(base_wh, root / "wh")
    before = sha256(published)
    out = kscore("run", "--from", str(AS_OF), "--landing", str(landing), "--warehouse", str(published))
    runs = sorted((root / "wh" / "runs").iterdir())
    return {"out": out, "before": before, "published": published, "build": root / "wh" / "kscore_build.duckdb",
            "run_dir": runs[-1], "report": report}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return clean_baseline(tmp_path_factory)


@pytest.fixture(scope="module")
def raw_gate_runs(baseline, tmp_path_factory):
    """One run per file-level kind, in parallel (each stops before dbt)."""
    root = tmp_path_factory.mktemp("raw_kinds")
    with ThreadPoolExecutor(max_workers=len(STOPS_AT_RAW_GATE)) as pool:
        futures = {k: pool.submit(run_kind, root / k, baseline["wh"], [k]) for k in STOPS_AT_RAW_GATE}
        return {k: f.result() for k, f in futures.items()}


@pytest.fixture(scope="module")
def row_level_run(baseline, tmp_path_factory):
    """Every row-level kind injected into the same day, one incremental run."""
    return run_kind(tmp_path_factory.mktemp("row_kinds"), baseline["wh"], list(ROW_LEVEL))


def assert_clear_stop(r: dict, table: str, expectation: str) -> None:
    out = r["out"]
    assert out.returncode != 0, out.stdout[-2000:]
    text = out.stdout + out.stderr
    assert "Traceback" not in text, text[-3000:]
    assert "nothing published" in out.stderr, out.stderr
    # the message names the table, the day, the expectation, the observed value and the bound
    assert f"table {table}, dt {NEWEST}" in out.stderr and expectation in out.stderr, out.stderr
    assert "observed" in out.stderr and "bound" in out.stderr
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
                leaked = con.execute(f"""select count(*) from staging.stg_landing__orders s join quarantine.orders q
                                          using (order_id) where q.rule = ? and q.dt = ?""", [rule, NEWEST]).fetchone()[0]
                assert leaked == 0
    finally:
        con.close()
    assert_counts_reconcile(r["build"], NEWEST)
    # 13 bad orders of ~500 exceed the 1% quarantine share of orders: the run stops, the day is not published
    assert_clear_stop(r, "orders", "quarantine_share_at_most")
