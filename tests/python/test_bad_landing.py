"""Bad landing-zone layout and bad warehouse paths (spec 06: no stack trace, nothing silently dropped).

- A file in a folder that names no day (`dt=2023-02-30`, `dt=2023-2-19`, or straight in the table's folder)
  and a corrupt file delivered late
  into an older day are rejected by the sense step; the run that first senses them fails its raw gate
  naming each file, publishes nothing and logs the run. Landed files are never edited, so the next run
  lists them as known rejections and goes on (it does not stay blocked forever).
- `kscore validate` reports such a file instead of crashing on the folder name.
- A warehouse folder that cannot be created is a clear error, not a trace.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import duckdb
import pytest

from conftest import TINY_DAYS, TINY_START, copy_zone, last_as_of
from test_bad_input import kscore_main


@pytest.fixture(scope="module")
def bad_zone(tiny_landing, tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_landing")
    landing = copy_zone(tiny_landing, root / "landing")
    good = landing / "orders" / f"dt={TINY_START + dt.timedelta(days=3)}" / "part-0.parquet"
    (landing / "orders" / "dt=2023-02-30").mkdir()
    shutil.copyfile(good, landing / "orders" / "dt=2023-02-30" / "part-0.parquet")
    (landing / "orders" / "dt=2023-1-7").mkdir()
    shutil.copyfile(good, landing / "orders" / "dt=2023-1-7" / "part-0.parquet")
    shutil.copyfile(good, landing / "orders" / "part-stray.parquet")  # outside any dt folder
    old_day = landing / "reviews" / f"dt={TINY_START + dt.timedelta(days=2)}"
    data = (old_day / "part-0.parquet").read_bytes()
    (old_day / "part-late-redelivery.parquet").write_bytes(data[: len(data) // 2])
    return root, landing


@pytest.fixture(scope="module")
def two_runs(bad_zone):
    root, landing = bad_zone
    published = root / "wh" / "kscore.duckdb"
    day = str(last_as_of())
    first = kscore_main("run", "--from", day, "--landing", str(landing), "--warehouse", str(published))
    first_exists = published.exists()
    second = kscore_main("run", "--from", day, "--landing", str(landing), "--warehouse", str(published))
    return first, first_exists, second, root / "wh"


def run_dir_of(out: subprocess.CompletedProcess, wh):
    """The run folder of a `kscore run` (its id is printed first; two runs may start in the same second)."""
    import re

    return wh / "runs" / re.search(r"^run (\S+):", out.stdout, re.M).group(1)


def test_first_run_stops_naming_every_rejected_file(two_runs):
    first, first_exists, _, wh = two_runs
    text = first.stdout + first.stderr
    assert first.returncode != 0 and "Traceback" not in text
    assert "nothing published" in first.stderr and not first_exists
    report = run_dir_of(first, wh) / "gate_failures.txt"
    failures = report.read_text()
    for name in ("dt=2023-02-30/part-0.parquet", "dt=2023-1-7/part-0.parquet", "orders/part-stray.parquet",
                 "part-late-redelivery.parquet"):
        assert name in failures, failures
    assert "bad_partition_folder" in failures and "unreadable_parquet" in failures
    con = duckdb.connect(str(wh / "kscore_build.duckdb"), read_only=True)
    try:
        outcomes = [r[0] for r in con.execute("select outcome from ops.run_log where run_id = ?",
                                              [run_dir_of(first, wh).name]).fetchall()]
        rejected = con.execute("select count(*) from ops.landed_files where status = 'rejected'").fetchone()[0]
    finally:
        con.close()
    assert outcomes[0] == "failed"
    assert rejected == 4  # recorded in the ledger, never silently skipped


def test_next_run_lists_them_as_known_and_publishes(two_runs):
    _, _, second, wh = two_runs
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    import json

    run_dir = run_dir_of(second, wh)
    results = json.loads((run_dir / "gate_report.json").read_text())
    known = [r for r in results if r["expectation"] == "known_rejected_file_reported_earlier"]
    assert len(known) == 4 and all(r["success"] for r in known)
    con = duckdb.connect(str(wh / "kscore.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from marts.product_tier_daily where as_of_date = ?", [last_as_of()]).fetchone()[0] > 0
    finally:
        con.close()


def test_validate_reports_a_folder_that_names_no_day(bad_zone):
    _, landing = bad_zone
    out = kscore_main("validate", "--landing", str(landing), "--day", str(TINY_START + dt.timedelta(days=TINY_DAYS - 1)))
    text = out.stdout + out.stderr
    assert "Traceback" not in text
    assert out.returncode != 0
    assert "dt=2023-02-30" in text and "bad_partition_folder" in text


def test_a_warehouse_folder_that_cannot_be_created_is_a_clear_error(tiny_landing, tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the warehouse folder should be")
    out = kscore_main("run", "--from", str(last_as_of()), "--landing", str(tiny_landing),
                      "--warehouse", str(blocker / "wh" / "kscore.duckdb"))
    assert out.returncode != 0
    assert "Traceback" not in out.stdout + out.stderr
    assert "cannot write the warehouse folder" in out.stderr


def test_a_value_its_contract_type_cannot_hold_quarantines_its_row(tiny_landing, tmp_path):
    """orders.quantity delivered as int64 (a castable column type) with one value beyond INTEGER: that row is
    quarantined under type_not_castable:quantity; the build does not fail on a conversion error.
    In the same delivery, spec 01's column conditions: a commission_rate on an order without creator
    (commission_rate_without_creator) and a negative_aspect on a 5-star review
    (negative_aspect_on_positive_rating) are quarantined too."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    landing = copy_zone(tiny_landing, tmp_path / "landing")
    newest = TINY_START + dt.timedelta(days=TINY_DAYS - 1)
    part = landing / "orders" / f"dt={newest}" / "part-0.parquet"
    tbl = pq.read_table(part)
    qty = tbl.column("quantity").cast(pa.int64()).to_pylist()
    qty[7] = 3_000_000_000
    tbl = tbl.set_column(tbl.schema.get_field_index("quantity"), "quantity", pa.array(qty, pa.int64()))
    creators = tbl.column("creator_id").to_pylist()
    self_sold = next(i for i, c in enumerate(creators) if c is None and i != 7)
    rates = tbl.column("commission_rate").to_pylist()
    rates[self_sold] = 0.1
    tbl = tbl.set_column(tbl.schema.get_field_index("commission_rate"), "commission_rate",
                         pa.array(rates, tbl.schema.field("commission_rate").type))
    pq.write_table(tbl, part)
    bad_order = tbl.column("order_id")[7].as_py()
    no_creator_order = tbl.column("order_id")[self_sold].as_py()
    rpart = landing / "reviews" / f"dt={newest}" / "part-0.parquet"
    reviews = pq.read_table(rpart)
    five = next(i for i, r in enumerate(reviews.column("rating").to_pylist()) if r > 2)
    aspects = reviews.column("negative_aspect").to_pylist()
    aspects[five] = "product"
    reviews = reviews.set_column(reviews.schema.get_field_index("negative_aspect"), "negative_aspect",
                                 pa.array(aspects, reviews.schema.field("negative_aspect").type))
    pq.write_table(reviews, rpart)
    bad_review = reviews.column("review_id")[five].as_py()

    wh = tmp_path / "wh"
    out = kscore_main("run", "--from", str(last_as_of()), "--landing", str(landing), "--warehouse", str(wh / "kscore.duckdb"))
    assert out.returncode == 0 and "Traceback" not in out.stdout + out.stderr, out.stderr[-3000:]
    con = duckdb.connect(str(wh / "kscore_build.duckdb"), read_only=True)
    try:
        rules = con.execute("select rule from quarantine.orders where order_id = ?", [bad_order]).fetchall()
        commission_rules = con.execute("select rule from quarantine.orders where order_id = ?", [no_creator_order]).fetchall()
        review_rules = con.execute("select rule from quarantine.reviews where review_id = ?", [bad_review]).fetchall()
        staged = con.execute("select count(*) from staging.stg_landing__orders where order_id = ?", [bad_order]).fetchone()[0]
        landed, staged_n, quarantined, dups = con.execute(
            "select landed_rows, staged_rows, quarantined_rows, duplicate_rows from ops.landing_counts "
            "where table_name = 'orders' and dt = ?", [newest]).fetchone()
    finally:
        con.close()
    assert rules == [("type_not_castable:quantity",)] and staged == 0
    assert commission_rules == [("commission_rate_without_creator",)]
    assert review_rules == [("negative_aspect_on_positive_rating",)]
    assert landed == staged_n + quarantined + dups == tbl.num_rows
