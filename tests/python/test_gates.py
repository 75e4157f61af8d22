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
    # every suite judges a profile frame (one row per day and gate) with the same two row-by-row
    # expectations, and lists its gates with what they measure and their bounds
    for rel, doc in suites.items():
        assert [e["kwargs"] for e in doc["expectations"]] == [
            {"column_A": "value", "column_B": "bound_low", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
            {"column_A": "bound_high", "column_B": "value", "or_equal": True, "ignore_row_if": "either_value_is_missing"}], rel
        assert doc["meta"]["index"][-1] == "gate" and doc["meta"]["gates"], rel
    gates_of = {g["gate"]: g for g in suites["raw/orders.json"]["meta"]["gates"]}
    assert {"required_columns_present", "row_count_within_band_of_own_history", "key_unique(order_id)",
            "required_column_never_null", "null_share_within_band_of_own_history(creator_id)"} <= set(gates_of)
    tiers = {g["gate"]: g for g in suites["marts/product_tier_daily.json"]["meta"]["gates"]}
    assert tiers["value_in_range(quality_refund_rate)"]["max_value"] == 1
    assert tiers["tier_day_over_day_stable"]["bound"] == [None, 0.05]
    assert tiers["tier_distribution_not_degenerate"]["bound"] == [None, 0.9]
    assert ["G3", 3] in tiers["rank_consistent_with_label(tier, tier_rank)"]["pairs"]


@pytest.fixture
def full_windows(monkeypatch):
    """The tiny baseline's days lie inside the zone's first 商品分层 window (warm-up, where the tier
    distribution and stability gates are skipped): judge them as full windows."""
    monkeypatch.setattr(gates.marts, "_full_window_from", lambda con: None)


def test_tier_distribution_and_stability_are_skipped_while_the_window_fills(baseline, tmp_path):
    build = tmp_path / "kscore_build.duckdb"
    shutil.copyfile(baseline["wh"] / "kscore_build.duckdb", build)
    con = duckdb.connect(str(build))
    con.execute("update marts.product_tier_daily set tier = 'G4', tier_rank = 4 where as_of_date = ? "
                "and paid_orders > 0", [BASE_TO])  # degenerate and unstable, but inside the first window
    full_from = gates._full_window_from(con)
    con.close()
    assert full_from is not None and full_from > BASE_TO
    results = gates.mart_gates(build, [ORPHAN_DAY, BASE_TO], tmp_path / "run")
    tiers = [r for r in results if r.expectation.startswith(("tier_distribution_not_degenerate",
                                                             "tier_day_over_day_stable"))]
    assert len(tiers) == 4 and all(r.success and "warm-up" in str(r.observed) for r in tiers)
    assert not [r.describe() for r in results if not r.success]


def test_clean_build_passes_every_mart_gate_and_writes_results_and_data_docs(baseline, tmp_path, full_windows):
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
    names = {r.expectation.split("(")[0] for r in results if r.suite == "product_tier_daily"}
    assert {"one_row_per_key", "rank_consistent_with_label", "value_in_range", "tier_distribution_not_degenerate",
            "tier_day_over_day_stable", "paid_orders_reconcile_with_staging",
            "effective_gmv_reconciles_with_staging"} <= names
    # the quarantine share of the data days is judged too (raw stage, post-staging)
    assert any(r.stage == "raw" and r.day == ORPHAN_DAY and r.expectation.startswith("quarantine_share_at_most")
               for r in results)
    # one result per mart, day and gate
    stable = [r for r in results if r.expectation.startswith("tier_day_over_day_stable")]
    assert sorted(r.day for r in stable) == days
    # the build's first day has no day before it: nothing to compare, not judged
    assert [r.observed["of"] for r in stable if r.day == BASE_FROM] == [0]
    assert all(r.observed["of"] > 500 for r in stable if r.day > BASE_FROM)
    sums = [r for r in results if r.expectation.startswith("paid_orders_reconcile_with_staging")]
    assert sorted(r.day for r in sums) == days and all(r.observed == r.bound["min_value"] > 0 for r in sums)
    keys = [r for r in results if r.suite == "product_tier_daily" and r.expectation.startswith("one_row_per_key")]
    assert sorted(r.day for r in keys) == days and all(r.observed["rows"] > 500 for r in keys)
    per_day = {}
    for r in results:
        per_day[(r.suite, r.day, r.expectation)] = per_day.get((r.suite, r.day, r.expectation), 0) + 1
    assert set(per_day.values()) == {1}
    # one GX validation per mart (and one for the quarantine shares), whatever the number of days
    out = tmp_path / "run" / "gx" / "marts"
    docs = json.loads((out / "validation_results.json").read_text())
    assert len(docs) == len(suites) + 1 and all("result" in d for d in docs)
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
    pid = con.execute("select min(product_id) from marts.product_tier_daily "
                      "where as_of_date = ? and tier_rank = 1 and paid_orders > 0", [d]).fetchone()[0]
    # a duplicated key, a label that disagrees with its rank, a rate out of range, a paid order the staging lacks
    con.execute("insert into marts.product_tier_daily "
                "select * from marts.product_tier_daily where as_of_date = ? and product_id = ?", [d, pid])
    con.execute("""update marts.product_tier_daily set tier = 'G3', quality_refund_rate = 1.5, paid_orders = paid_orders + 1
                   where as_of_date = ? and product_id = ?""", [d, pid])
    # on BASE_TO every product with a paid order jumps to G4: a degenerate distribution and an unstable day
    con.execute("update marts.product_tier_daily set tier = 'G4', tier_rank = 4 "
                "where as_of_date = ? and paid_orders > 0", [BASE_TO])
    con.close()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gates.marts, "_full_window_from", lambda con: None)  # judged as full windows (see full_windows)
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
    assert unstable[0].bound["max_moved_share"] == 0.05 and unstable[0].observed["moved_share"] > 0.05
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
    pay_type = conflict.schema.field("pay_amount").type
    conflict = conflict.set_column(conflict.schema.get_field_index("pay_amount"), "pay_amount",
                                   pc.add(conflict.column("pay_amount"), pa.scalar(1, pay_type)).cast(pay_type))
    pq.write_table(conflict, path.with_name("part-conflict.parquet"))
    nulls = orders.set_column(orders.schema.get_field_index("creator_id"), "creator_id",
                              pa.nulls(orders.num_rows, orders.schema.field("creator_id").type))
    pq.write_table(nulls, path)
    broken = kscore_main("validate", "--landing", str(landing), "--day", str(day))
    assert broken.returncode == 1
    assert "Traceback" not in broken.stdout + broken.stderr
    report = broken.stdout
    assert (f"raw gate, table orders, dt {day}: key_unique(order_id); observed "
            '{"duplicate_key_rows": 10, "rows": ') in report
    assert f"raw gate, table orders, dt {day}: null_share_within_band_of_own_history(creator_id)" in report
    # the day's NULL share from the files' footers: every row of the nulled file, and the conflicting
    # copies' own NULLs
    rows = orders.num_rows + conflict.num_rows
    nulls = orders.num_rows + conflict.column("creator_id").null_count
    assert f'"null_share": {round(nulls / rows, 6)}' in report
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


# --------------------------------------------------------------------------- profile frames (no build)

RAW_START = dt.date(2023, 1, 1)


@pytest.fixture(scope="module")
def raw_zone(tmp_path_factory):
    """A tiny zone of 9 days; on the judged days 6-9 of orders: day 6 clean, day 7 re-delivered as an exact
    copy, day 8 three conflicting copies of orders (same order_id, another pay_amount), day 9 one order
    without shop_id."""
    from kscore.generate import generate

    landing = tmp_path_factory.mktemp("raw_profile") / "landing"
    generate(landing, scale="tiny", start=RAW_START, days=9, seed=7)
    day = {i: RAW_START + dt.timedelta(days=i - 1) for i in range(1, 10)}
    orders = lambda i: next((landing / "orders" / f"dt={day[i]}").glob("*.parquet"))  # noqa: E731
    shutil.copyfile(orders(7), orders(7).with_name("part-redelivered.parquet"))
    t = pq.read_table(orders(8))
    conflict = t.slice(0, 3)
    amount = conflict.schema.field("pay_amount").type
    conflict = conflict.set_column(conflict.schema.get_field_index("pay_amount"), "pay_amount",
                                   pc.add(conflict.column("pay_amount"), pa.scalar(1, amount)).cast(amount))
    pq.write_table(conflict, orders(8).with_name("part-conflict.parquet"))
    t = pq.read_table(orders(9))
    shop = t.schema.field("shop_id").type
    shops = pc.if_else(pa.array([i == 0 for i in range(t.num_rows)]), pa.scalar(None, shop), t.column("shop_id"))
    pq.write_table(t.set_column(t.schema.get_field_index("shop_id"), "shop_id", shops), orders(9))
    return landing, day, [t.column("order_id")[i].as_py() for i in range(3)], conflict


def test_raw_profile_fails_the_right_rule_on_the_right_day_only(raw_zone):
    from kscore import landing as sensing

    landing, day, _, conflict = raw_zone
    files = sensing.sense(landing)
    judged = [day[i] for i in (6, 7, 8, 9)]
    results = gates.batch_gates(files, judged, gates._session("test-raw-profile"))
    failed = sorted((r.suite, r.day, r.expectation) for r in results if not r.success)
    assert failed == [("orders", day[8], "key_unique(order_id)"), ("orders", day[9], "required_column_never_null")]
    # one result per table, day and gate; every table with a delivery is judged each day
    keys = [(r.suite, r.day, r.expectation) for r in results]
    assert len(keys) == len(set(keys))
    assert {r.day for r in results if r.suite == "orders"} == set(judged)
    by = {(r.day, r.expectation.split("(")[0]): r for r in results if r.suite == "orders"}
    dup = by[(day[8], "key_unique")]
    assert dup.observed["duplicate_key_rows"] == 3
    assert sorted(dup.observed["examples"]) == sorted(conflict.column("order_id").to_pylist())
    assert by[(day[9], "required_column_never_null")].observed["nulls"] == {"shop_id": 1}
    # an exact re-delivered copy is not a duplicate key, and the day's row count counts distinct rows
    copy = pq.read_metadata(next((landing / "orders" / f"dt={day[7]}").glob("part-0*.parquet"))).num_rows
    assert by[(day[7], "key_unique")].success and by[(day[7], "row_count_within_band_of_own_history")].observed == copy
    # the history bands are judged (>= 7 days before day 8 and 9) and report their band
    band = by[(day[9], "row_count_within_band_of_own_history")]
    assert band.success and band.bound["history_days"] == 8 and band.bound["min_value"] <= band.observed
    share = by[(day[9], "null_share_within_band_of_own_history")]
    assert share.success and "null_share_between" in share.bound and 0 < share.observed["null_share"] < 1
    # with fewer than 7 days of history the band is reported as skipped, not judged
    early = gates.batch_gates(files, [day[3]], gates._session("test-raw-early"))
    skipped = [r for r in early if r.expectation.startswith("null_share_within_band_of_own_history")]
    assert skipped and all(r.success and "not_judged" in r.bound for r in skipped)
    assert any(r.expectation == "row_count_within_band_of_own_history" and r.suite == "orders"
               and r.bound.get("band", "").startswith("2 days") for r in early)


def test_raw_profile_names_an_unreadable_day_and_judges_the_others(raw_zone, tmp_path):
    from kscore import landing as sensing

    landing, day, _, _ = raw_zone
    zone = tmp_path / "landing"
    shutil.copytree(landing, zone)
    files = sensing.sense(zone)
    # the file is truncated after sensing accepted it
    path = next((zone / "reviews" / f"dt={day[6]}").glob("*.parquet"))
    path.write_bytes(path.read_bytes()[:100])
    results = gates.batch_gates(files, [day[5], day[6]], gates._session("test-raw-unreadable"))
    failed = {(r.suite, r.day, r.expectation) for r in results if not r.success}
    assert ("reviews", day[6], "batch_readable") in failed
    assert all(s == "reviews" and d == day[6] for s, d, _ in failed)
    assert any(r.suite == "reviews" and r.day == day[5] and r.success for r in results)


def _mart_db(path, days, rows):
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("""create table marts.chuanliu_shop_daily (as_of_date date, shop_id bigint, reward_tier integer,
                   distributed_orders_180d bigint, distributed_buyers_180d bigint, self_live_days_30d integer,
                   self_live_hours double)""")  # reward_hours is missing
    con.executemany("insert into marts.chuanliu_shop_daily values (?, ?, ?, ?, ?, ?, ?)", rows)
    con.close()


def test_mart_profile_fails_the_right_rule_on_the_right_day_only(tmp_path):
    days = [dt.date(2023, 2, 1) + dt.timedelta(days=i) for i in range(3)]
    rows = [(d, s, s % 6, 10 * s, 5 * s, 3, 2.5) for d in days for s in range(1, 6)]
    rows += [(days[1], 2, 2, 20, 10, 3, 2.5)]        # shop 2 twice on day 2
    rows[5] = (days[1], 1, 9, 10, 5, 3, 2.5)        # reward_tier 9 on day 2
    rows[10] = (days[2], 1, 1, 10, 5, 3, 25.0)      # 25 live hours a day on day 3
    rows[11] = (days[2], 2, None, None, 5, 3, None)  # NULLs are not judged
    db = tmp_path / "build.duckdb"
    _mart_db(db, days, rows)
    notes = []
    results = gates.mart_gates(db, days, tmp_path / "run", progress=notes.append)
    assert any("not in the build" in n for n in notes)
    mine = [r for r in results if r.suite == "chuanliu_shop_daily"]
    failed = sorted((r.day, r.expectation) for r in mine if not r.success)
    assert failed == [(days[0], "value_in_range(reward_hours)"),
                      (days[1], "one_row_per_key(as_of_date, shop_id)"),
                      (days[1], "value_in_range(reward_hours)"),
                      (days[1], "value_in_set(reward_tier)"),
                      (days[2], "value_in_range(reward_hours)"),
                      (days[2], "value_in_range(self_live_hours)")]
    by = {(r.day, r.expectation): r for r in mine}
    assert by[(days[1], "value_in_set(reward_tier)")].observed == {"rows_not_in_set": 1, "rows": 6, "examples": ["9"]}
    assert by[(days[1], "one_row_per_key(as_of_date, shop_id)")].observed["examples"] == [
        {"as_of_date": str(days[1]), "shop_id": 2}]
    hours = by[(days[2], "value_in_range(self_live_hours)")]
    assert hours.observed["rows_out_of_range"] == 1 and hours.observed["max"] == 25 and hours.bound["max_value"] == 24
    assert "not in the mart" in str(by[(days[0], "value_in_range(reward_hours)")].observed)
    assert by[(days[0], "value_in_set(reward_tier)")].success and by[(days[2], "value_in_set(reward_tier)")].success
    report = gates.failure_report(results)
    assert f"mart gate, table chuanliu_shop_daily, as_of_date {days[1]}: value_in_set(reward_tier); observed" in report


def _product_tier_db(path, seed=3, disagree=True, n_days=8, gaps=0.0):
    """A synthetic build: marts.product_tier_daily over n_days as_of_dates from 2023-01-05 (window
    D-3 … D-1; a product misses a day with probability `gaps`), and the staged orders and refund
    versions it is reconciled with (refund updates and ends on midnights too). Returns the days, the
    staged truth per (day, product) computed in Python, and the mart rows."""
    import random

    rnd = random.Random(seed)
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema staging")
    con.execute("create table staging.stg_landing__orders (order_id bigint, product_id bigint, paid_date date, "
                "pay_amount decimal(18,2))")
    con.execute("create table staging.stg_landing__refunds (order_id bigint, refund_amount decimal(18,2), status varchar, "
                "updated_at timestamp, valid_to timestamp)")
    base = dt.date(2023, 1, 1)
    orders = [(i, rnd.randint(1, 6), base + dt.timedelta(days=rnd.randint(0, n_days + 3)), rnd.randint(100, 9999) / 100)
              for i in range(40 * (n_days + 4))]
    con.executemany("insert into staging.stg_landing__orders values (?, ?, ?, ?)", orders)
    refunds = []
    for oid, _, paid, amount in orders[::3]:
        t = dt.datetime.combine(paid, dt.time()) + dt.timedelta(hours=rnd.choice([0, 5, 24, 30, 48]))
        end = None if rnd.random() < 0.4 else t + dt.timedelta(hours=rnd.choice([0, 19, 24, 72]))
        refunds.append((oid, round(amount / 2, 2), rnd.choice(["completed", "completed", "rejected"]), t, end))
    con.executemany("insert into staging.stg_landing__refunds values (?, ?, ?, ?, ?)", refunds)
    days = [dt.date(2023, 1, 5) + dt.timedelta(days=i) for i in range(n_days)]
    truth = {}
    for d in [days[0] - dt.timedelta(days=1)] + days:
        for p in range(1, 7):
            if rnd.random() < gaps:
                continue
            mine = [o for o in orders if o[1] == p and d - dt.timedelta(days=3) <= o[2] <= d - dt.timedelta(days=1)]
            ids = {o[0] for o in mine}
            midnight = dt.datetime.combine(d, dt.time())
            refunded = sum(r[1] for r in refunds if r[0] in ids and r[2] == "completed" and r[3] < midnight
                           and (r[4] is None or r[4] >= midnight))
            truth[(d, p)] = (len(mine), round((sum(o[3] for o in mine) - refunded) * 100))
    con.execute("""create table marts.product_tier_daily (as_of_date date, product_id bigint, tier varchar,
                   tier_rank integer, paid_orders bigint, effective_gmv double, window_start date, window_end date,
                   peer_category_id bigint)""")
    rows = []
    for (d, p), (n, cents) in truth.items():
        off = p % 2 if disagree else 0  # odd products disagree with staging
        rank = rnd.randint(0, 4)
        rows.append((d, p, f"G{rank}", rank, n + off, cents / 100 + off, d - dt.timedelta(days=3), d - dt.timedelta(days=1), 1))
    rows.append(rows[-1])  # a duplicated row on the last day
    con.executemany("insert into marts.product_tier_daily values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.close()
    return days, truth, rows


@pytest.mark.parametrize("disagree,n_days,gaps", [(True, 8, 0.0), (False, 8, 0.0), (True, 85, 0.15), (False, 130, 0.1)])
def test_product_tier_profile_equals_the_window_join_and_plain_python(tmp_path, disagree, n_days, gaps):
    """The packed per-product profile (runs of days, staged orders and refunds as day events, weighted
    sums) gives the same figures as joining every row's window to staging, and as plain Python, over
    several 40-day chunks and with products missing days."""
    from kscore import gate_profiles as gp

    db = tmp_path / "build.duckdb"
    days, truth, rows = _product_tier_db(db, disagree=disagree, n_days=n_days, gaps=gaps)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert gp.product_tier_windows(con, days[0], days[-1]) == {"start": {3}, "end": {1}, "null": 0}
        fast = gp.product_tier_profile(con, days[0], days[-1], 2, True, (3, 1))
        slow = gp.product_tier_reconciliation_by_join(con, days[0], days[-1])
    finally:
        con.close()
    fast = {r["as_of_date"].date() if hasattr(r["as_of_date"], "date") else r["as_of_date"]: r
            for r in fast.to_dict("records")}
    slow = {r["as_of_date"].date() if hasattr(r["as_of_date"], "date") else r["as_of_date"]: r
            for r in slow.to_dict("records")}
    present = sorted({d for d, _ in truth if d >= days[0]})
    assert set(fast) == set(slow) == set(present)
    rank = {}
    for d, p, _, r, *_ in rows:
        rank.setdefault((d, p), r)
    for d in present:
        mine = [row for row in rows if row[0] == d]
        products = {row[1] for row in mine}
        expected = {
            "staged_paid_orders": sum(truth[(d, p)][0] for p in products),
            "staged_effective_gmv_cents": sum(truth[(d, p)][1] for p in products),
            "paid_orders_sum": sum(row[4] for row in mine),
            "duplicate_key_rows": len(mine) - len(products),
        }
        for col, want in expected.items():
            assert fast[d][col] == slow.get(d, {}).get(col, fast[d][col]) == want, (d, col)
        if fast[d]["disagreeing_counted"]:
            for col in ("product_paid_orders_disagreeing", "product_effective_gmv_disagreeing"):
                assert fast[d][col] == slow[d][col] == (sum(1 for row in mine if row[1] % 2) if disagree else 0), (d, col)
        assert fast[d]["effective_gmv_cents_sum"] == slow[d]["effective_gmv_cents_sum"]
        prev = d - dt.timedelta(days=1)
        moves = [abs(row[3] - rank[(prev, row[1])]) for row in mine if (prev, row[1]) in rank]
        assert fast[d]["tier_moves"] == len(moves) and fast[d]["tier_moved"] == sum(m >= 2 for m in moves), d
