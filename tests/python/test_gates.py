"""The quality gates themselves (spec 06 §2-3): suites as files in sync with the one thresholds YAML,
GX validations that pass on a clean build and fail, naming table, day, expectation, observed value and
bound, on a broken one; `kscore validate` prints the raw-gate report of a day without building."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from kscore import gates
from kscore.gx_suites import EXPECTATIONS_DIR, build_suites, suite_text, thresholds

from test_bad_input import BASE_FROM, BASE_TO, ORPHAN_DAY, clean_baseline, kscore_main


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return clean_baseline(tmp_path_factory)


def test_suite_files_match_the_thresholds_yaml():
    suites = build_suites()
    on_disk = {p.relative_to(EXPECTATIONS_DIR).as_posix() for p in EXPECTATIONS_DIR.glob("*/*.json")}
    assert on_disk == set(suites), "run `python -m kscore.gx_suites` after editing expectations/thresholds.yml"
    for rel, doc in suites.items():
        assert (EXPECTATIONS_DIR / rel).read_text(encoding="utf-8") == suite_text(doc), rel
    th = thresholds()
    # one suite per gated raw table and mart, named after it
    assert {f"raw/{t}.json" for t in th["raw"]["tables"]} | {f"marts/{t}.json" for t in th["marts"]} <= set(suites)
    assert th["raw"]["quarantine_share"]["max"] == 0.01
    # spec 06's defaults: the table's own history, 0.25x-4x of both medians, null shares ± 0.15
    assert th["raw"]["row_count_band"] == {"trailing_days": 28, "same_weekday_weeks": 4, "min_history_days": 7,
                                           "low": 0.25, "high": 4.0}
    assert th["raw"]["null_share_band"] == {"trailing_days": 28, "min_history_days": 7, "margin": 0.15,
                                            "min_rows": 50}
    assert th["marts"]["product_tier_daily"]["tier_stability"]["max_moved_share"] == 0.05


def test_clean_build_passes_every_mart_gate_and_writes_results_and_data_docs(baseline, tmp_path):
    build = tmp_path / "kscore_build.duckdb"
    shutil.copyfile(baseline["wh"] / "kscore_build.duckdb", build)
    con = duckdb.connect(str(build))
    con.execute("drop table marts.chuanliu_coupon_tasks")  # a mart not built (yet): its suite is skipped
    con.close()
    notes = []
    days = [BASE_FROM, ORPHAN_DAY, BASE_TO]
    results = gates.mart_gates(build, days, tmp_path / "run", progress=notes.append)
    failed = [r.describe() for r in results if not r.success]
    assert failed == []
    suites = {r.suite for r in results if r.stage == "mart"}
    assert {"product_tier_daily", "shop_product_tier_summary_daily", "category_tier_distribution_daily",
            "chuanliu_shop_daily", "shop_ship_exemption_weekly", "late_shipment_penalties",
            "shop_traffic_funnel_daily"} <= suites
    assert "chuanliu_coupon_tasks" not in suites and any("chuanliu_coupon_tasks" in n for n in notes)
    names = {r.expectation.split(":")[0] for r in results if r.suite == "product_tier_daily"}
    assert {"one_row_per_key", "rank_consistent_with_label", "value_in_range", "tier_distribution_not_degenerate",
            "tier_day_over_day_stable", "paid_orders_reconcile_with_staging",
            "effective_gmv_reconciles_with_staging"} <= names
    # the quarantine share of the data days is judged too (raw stage, post-staging)
    assert any(r.stage == "raw" and r.day == ORPHAN_DAY and r.expectation.startswith("quarantine_share_at_most")
               for r in results)
    # a multi-day build: row-by-row expectations judged once over the range, aggregates and shares per day
    stable = [r for r in results if r.expectation.startswith("tier_day_over_day_stable")]
    assert sorted(r.day for r in stable) == days and all(r.observed["of"] > 500 for r in stable)
    sums = [r for r in results if r.expectation.startswith("paid_orders_reconcile_with_staging")]
    assert sorted(r.day for r in sums) == days and all(r.observed == r.bound["min_value"] > 0 for r in sums)
    keys = [r for r in results if r.suite == "product_tier_daily" and r.expectation.startswith("one_row_per_key")]
    assert len(keys) == 1 and keys[0].observed["as_of_dates"] == f"{BASE_FROM}…{BASE_TO}"
    out = tmp_path / "run" / "gx" / "marts"
    docs = json.loads((out / "validation_results.json").read_text())
    assert len(docs) >= 3 * 2 and all("result" in d for d in docs)
    assert (out / "data_docs" / "index.html").exists()
    assert list((out / "data_docs" / "validations").rglob("*.html"))


@pytest.fixture(scope="module")
def broken_results(baseline, tmp_path_factory):
    """A copy of the baseline build with product_tier_daily broken in several ways, gated."""
    root = tmp_path_factory.mktemp("broken")
    build = root / "kscore_build.duckdb"
    shutil.copyfile(baseline["wh"] / "kscore_build.duckdb", build)
    con = duckdb.connect(str(build))
    d = ORPHAN_DAY
    pid = con.execute("select min(product_id) from marts.product_tier_daily where as_of_date = ? and tier_rank = 1 and paid_orders > 0", [d]).fetchone()[0]
    # a duplicated key, a label that disagrees with its rank, a rate out of range, a paid order the staging lacks
    con.execute("insert into marts.product_tier_daily select * from marts.product_tier_daily where as_of_date = ? and product_id = ?", [d, pid])
    con.execute("""update marts.product_tier_daily set tier = 'G3', quality_refund_rate = 1.5, paid_orders = paid_orders + 1
                   where as_of_date = ? and product_id = ?""", [d, pid])
    # on BASE_TO every product with a paid order jumps to G4: a degenerate distribution and an unstable day
    con.execute("update marts.product_tier_daily set tier = 'G4', tier_rank = 4 where as_of_date = ? and paid_orders > 0", [BASE_TO])
    con.close()
    return gates.mart_gates(build, [ORPHAN_DAY, BASE_TO], root / "run"), pid


def failures(results, day, rule):
    return [r for r in results if not r.success and r.day == day and r.expectation.startswith(rule)]


@pytest.mark.parametrize("rule", ["one_row_per_key", "rank_consistent_with_label", "value_in_range",
                                  "paid_orders_reconcile_with_staging", "product_paid_orders_reconcile_with_staging"])
def test_broken_mart_fails_its_gate(broken_results, rule):
    results, pid = broken_results
    hit = failures(results, ORPHAN_DAY, rule)
    assert hit, f"{rule} did not fail"
    r = hit[0]
    assert r.suite == "product_tier_daily" and r.stage == "mart" and r.blocks_as_of == ORPHAN_DAY
    assert r.observed is not None and r.bound is not None
    assert f"table product_tier_daily, as_of_date {ORPHAN_DAY}: {rule}" in gates.failure_report(results)
    if rule == "paid_orders_reconcile_with_staging":
        assert r.observed > r.bound["min_value"] + 2  # the duplicated row and the extra paid order


def test_degenerate_and_unstable_tiers_fail(broken_results):
    results, _ = broken_results
    degenerate = failures(results, BASE_TO, "tier_distribution_not_degenerate")
    unstable = failures(results, BASE_TO, "tier_day_over_day_stable")
    assert degenerate and unstable
    assert unstable[0].bound["mostly"] == 0.95 and unstable[0].observed["unexpected_percent"] > 5
    assert degenerate[0].bound["max_value"] == 0.9
    # and the untouched checks of that day still pass
    assert not failures(results, BASE_TO, "one_row_per_key")
    assert not failures(results, BASE_TO, "paid_orders_reconcile_with_staging")


def test_validate_prints_the_raw_gate_report_without_building(baseline, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(baseline["landing"], landing, ignore=shutil.ignore_patterns(f"dt={BASE_TO}"))
    day = ORPHAN_DAY
    clean = kscore_main("validate", "--landing", str(landing), "--day", str(day))
    assert clean.returncode == 0, clean.stdout[-3000:]
    assert f"raw gates for {day}:" in clean.stdout and " 0 failed" in clean.stdout
    assert "row_count_within_band_of_own_history" in clean.stdout and "key_unique" in clean.stdout
    # break the day: a conflicting copy of 10 orders, and creator_id all NULL in the im/order batch
    path = next((landing / "orders" / f"dt={day}").glob("*.parquet"))
    orders = pq.read_table(path)
    conflict = orders.slice(0, 10)
    conflict = conflict.set_column(conflict.schema.get_field_index("pay_amount"), "pay_amount",
                                   pc.add(conflict.column("pay_amount"), pa.scalar(1, conflict.schema.field("pay_amount").type)).cast(conflict.schema.field("pay_amount").type))
    pq.write_table(conflict, path.with_name("part-conflict.parquet"))
    nulls = orders.set_column(orders.schema.get_field_index("creator_id"), "creator_id",
                              pa.nulls(orders.num_rows, orders.schema.field("creator_id").type))
    pq.write_table(nulls, path)
    broken = kscore_main("validate", "--landing", str(landing), "--day", str(day))
    assert broken.returncode == 1
    assert "Traceback" not in broken.stdout + broken.stderr
    report = broken.stdout
    assert f"raw gate, table orders, dt {day}: key_unique: expect_column_values_to_be_unique(order_id)" in report
    assert (f"raw gate, table orders, dt {day}: null_share_within_band_of_own_history: "
            "expect_column_proportion_of_non_null_values_to_be_between(creator_id)") in report
    assert '"null_share": 0.99' in report  # 495 of 500 distinct rows (the 10 conflicting copies keep theirs)
    # nothing was built: no build file, no warehouse
    assert not list(tmp_path.rglob("*.duckdb"))


def test_quarantine_share_judges_every_batch_with_a_small_batch_allowance():
    """max(1%, min_quarantined_rows / rows): 2 bad rows of a 15-row change-record batch pass, 3 fail (a batch
    mostly quarantined can no longer slip under a minimum batch size); 5 of 500 orders pass, 6 fail."""
    con = duckdb.connect()
    con.execute("create schema ops")
    con.execute("""create table ops.landing_counts as select * from (values
        ('products', date '2023-01-05', 15, 13, 2, 0), ('products', date '2023-01-06', 15, 12, 3, 0),
        ('products', date '2023-01-07', 15, 0, 15, 0),
        ('orders', date '2023-01-05', 500, 495, 5, 0), ('orders', date '2023-01-06', 506, 494, 6, 6))
        as t(table_name, dt, landed_rows, staged_rows, quarantined_rows, duplicate_rows)""")
    days = [dt.date(2023, 1, 5), dt.date(2023, 1, 6), dt.date(2023, 1, 7)]
    results = gates.quarantine_gates(con, days, gates._session("test-quarantine"))
    verdict = {(r.suite, r.day): r.success for r in results}
    assert verdict == {("products", days[0]): True, ("products", days[1]): False, ("products", days[2]): False,
                       ("orders", days[0]): True, ("orders", days[1]): False}
    failed = [r for r in results if not r.success]
    assert all(r.observed["quarantined_rows"] > r.bound["max"] * r.observed["rows"] for r in failed)


# --------------------------------------------------------------------------- history bands (pure helpers)

BAND = {"trailing_days": 28, "same_weekday_weeks": 4, "min_history_days": 7, "low": 0.25, "high": 4.0}
E = dt.date(2023, 3, 6)  # a Monday


def _counts(values: dict[int, int]) -> dict:
    """days before E -> rows, as the (table, day) -> rows map the gates build."""
    return {("orders", E - dt.timedelta(days=k)): v for k, v in values.items()}


def test_row_count_band_fails_only_outside_both_medians():
    # a weekly rhythm: Mondays 4000, other days 500. The trailing median is 500, the same-weekday one 4000
    counts = _counts({k: (4000 if k % 7 == 0 else 500) for k in range(1, 29)})
    busy = gates.row_count_band("orders", E, 4000, counts, BAND)
    assert busy["same_weekday_median"] == 4000 and busy["trailing_median"] == 500
    assert busy["min_value"] <= 4000 <= busy["max_value"]            # in the weekday band: passes
    quiet = gates.row_count_band("orders", E, 130, counts, BAND)      # 0.26x of 500: in the trailing band
    assert quiet["min_value"] <= 130 <= quiet["max_value"]
    spike = gates.row_count_band("orders", E, 16001, counts, BAND)    # > 4x of both
    assert not spike["min_value"] <= 16001 <= spike["max_value"]
    empty = gates.row_count_band("orders", E, 0, counts, BAND)
    assert not empty["min_value"] <= 0 <= empty["max_value"]
    # the bound reported is 0.25x-4x of a median
    assert [busy["min_value"], busy["max_value"]] == [1000, 16000]


def test_row_count_band_day_after_a_promotion_passes_and_little_history_skips():
    # 3 weeks at 500 a day, then a promotion week at 1300: the day after it (500) is half the 7-day median
    counts = _counts({k: (1300 if k <= 7 else 500) for k in range(1, 29)})
    band = gates.row_count_band("orders", E, 500, counts, BAND)
    assert band["min_value"] <= 500 <= band["max_value"]
    assert "skipped" in gates.row_count_band("orders", E, 500, _counts({k: 500 for k in range(1, 7)}), BAND)
    # days without a delivery are not history: 7 deliveries within 28 days suffice
    sparse = _counts({k: 500 for k in (1, 5, 9, 13, 17, 21, 25)})
    assert gates.row_count_band("orders", E, 500, sparse, BAND)["history_days"] == 7


def test_null_share_bands_are_the_trailing_range_plus_margin():
    cfg = {"trailing_days": 28, "min_history_days": 7, "margin": 0.15, "min_rows": 50}
    shares = {("orders", E - dt.timedelta(days=k)): (500, {"creator_id": 0.6 + 0.01 * k}) for k in range(1, 28)}
    band = gates.null_share_bands("orders", E, ["creator_id"], shares, cfg)["creator_id"]
    assert band["history"] == [0.61, 0.87] and band["min"] == 0.46 and band["max"] == 1.0
    few = {k: v for k, v in list(shares.items())[:6]}
    assert "skipped" in gates.null_share_bands("orders", E, ["creator_id"], few, cfg)


def test_a_missing_day_is_named_by_the_next_good_day(baseline, tmp_path):
    """The orders of dt N never arrive; the next day's delivery is good. The run for the next day blames
    orders dt N (daily_partition_present), not the next day's logistics events whose orders are missing."""
    from kscore.generate import generate

    landing = tmp_path / "landing"
    generate(landing, scale="tiny", start=dt.date(2023, 1, 1), days=14, seed=42)
    gap = dt.date(2023, 1, 13)
    shutil.rmtree(landing / "orders" / f"dt={gap}")
    wh = tmp_path / "wh"
    shutil.copytree(baseline["wh"], wh, ignore=shutil.ignore_patterns("runs", "dbt_logs", "*.lock"))
    out = kscore_main("run", "--from", str(gap + dt.timedelta(days=2)), "--landing", str(landing),
                      "--warehouse", str(wh / "kscore.duckdb"))
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    headline = next(line for line in out.stderr.splitlines() if line.startswith("kscore run:"))
    assert f"raw gate, table orders, dt {gap}: daily_partition_present; observed 'missing'" in headline, headline
