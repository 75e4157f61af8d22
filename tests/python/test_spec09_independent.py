"""Spec 09's marts against an independent computation from the spec text (tests/python/spec09_reference.py).

A module fixture generates a tiny zone and runs the pipeline once over 2023-02-13 … 2023-03-01 (a month and
week bounds crossed, three 快质造 check Mondays inside the range); each mart test then recomputes the mart
from the raw landing Parquet (and, where 09 says so, from the published marts it reads) and compares it
cell for cell: key sets both ways, money exact at 2 decimals, doubles after rounding to 6 decimals, NULLs
equal. The fast tests at the top pin the reference's own rules to the spec's edge-case numbers.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import duckdb
import pytest

import spec09_reference as ref

D = dt.date
FIRST, LAST = D(2023, 2, 13), D(2023, 3, 1)
KZZ_FIRST = D(2023, 2, 6)


# ---------------------------------------------------------------- fast: the reference's rules, spec numbers

def test_commission_rounds_per_order():
    three = sum(ref.order_commission(Decimal("0.10"), 0.05) for _ in range(3))
    assert three == Decimal("0.03")
    assert ref.money(Decimal("0.015")) == Decimal("0.02")
    assert ref.order_commission(Decimal("9.99"), 0.125) == Decimal("1.25")


def test_partial_refund_and_cap():
    pay, rate = Decimal("100.00"), 0.20
    assert ref.order_commission(pay, rate) == Decimal("20.00")
    refunded = ref.refunded_amount(pay, [Decimal("30.00")])
    assert pay - refunded == Decimal("70.00")
    assert ref.net_commission(pay, refunded, rate) == Decimal("14.00")
    capped = ref.refunded_amount(pay, [Decimal("60.00"), Decimal("60.00")])
    assert capped == pay and ref.net_commission(pay, capped, rate) == Decimal("0.00")


def test_period_bounds_weeks_and_months():
    assert ref.period_bounds(D(2023, 3, 6), "natural_week") == (D(2023, 2, 27), D(2023, 3, 5), D(2023, 2, 20),
                                                                D(2023, 2, 26))
    assert ref.period_bounds(D(2023, 3, 5), "natural_week")[:2] == (D(2023, 2, 20), D(2023, 2, 26))
    s, e, ps, pe = ref.period_bounds(D(2023, 3, 1), "natural_month")
    assert (s, e, ps, pe) == (D(2023, 2, 1), D(2023, 2, 28), D(2023, 1, 1), D(2023, 1, 31))
    assert (e - s).days + 1 == 28 and (pe - ps).days + 1 == 31
    assert ref.period_bounds(D(2023, 3, 31), "natural_month")[:2] == (D(2023, 2, 1), D(2023, 2, 28))
    s, e, ps, pe = ref.period_bounds(D(2023, 2, 1), "natural_month")
    assert s >= D(2023, 1, 1) and ps < D(2023, 1, 1)  # complete January, incomplete December
    assert ref.period_bounds(D(2023, 3, 1), "last_7d") == (D(2023, 2, 22), D(2023, 2, 28), D(2023, 2, 15),
                                                           D(2023, 2, 21))


def test_ratio_of_sums_and_change_edges():
    assert ref.ratio(1 + 9, 10 + 30) == 0.25
    assert ref.pct_change(Decimal("50.00"), Decimal("0.00")) is None
    assert ref.pct_change(Decimal("0.00"), Decimal("100.00")) == -1.0
    assert ref.pct_change(Decimal("120.00"), Decimal("100.00"), complete=False) is None


def test_trust_boundary_gap_text_and_growth_shop():
    th = ref.trust_thresholds()
    by = {t["indicator"]: t for t in th}
    assert ref.trust_indicator(0.02, "<=", 0.02)[1] and ref.trust_indicator(0.0200000004, "<=", 0.02)[1]
    v, met, gap = ref.trust_indicator(0.035, "<=", 0.02)
    assert (met, gap) == (False, 0.015)
    q = by["quality_refund_rate"]
    assert ref.shortfall_entry(q["indicator_cn"], "<=", 0.02, gap, q["display_decimals"]) == "品退率≤0.0200(差0.0150)"
    s = by["avg_ship_hours"]
    assert ref.shortfall_entry(s["indicator_cn"], "<=", 48.0, None, s["display_decimals"]) == "发货时长(小时)≤48.0(无数据)"
    all_met = {"paid_orders": 20, "tier_rank": 3, "quality_refund_rate": 0.0, "dispute_rate": 0.0,
               "avg_ship_hours": 10.0, "good_review_rate": 1.0, "experience_score": None,
               "im_reply_3min_rate": 0.9}
    res = ref.trust_product(all_met, th)
    assert not res["is_data_eligible"] and res["shortfall"] == "店铺体验分≥4.00(无数据)"
    assert res["indicators_total"] == len(th) and res["indicators_met"] == len(th) - 1
    empty = ref.trust_product(all_met, [])
    assert (empty["indicators_total"], empty["is_data_eligible"], empty["shortfall"]) == (0, False, "")


def _kzz_run(checks, **kw):
    state, out = None, []
    for m, meets in checks:
        state = ref.kzz_step(state, m, in_scope=True, meets=meets, complaint=kw.get("complaint_on", D(9999, 1, 1)) < m,
                             rectification_days=kw.get("rectification_days", 30))
        out.append(state)
    return out


def _mondays(start, n):
    return [start + dt.timedelta(weeks=k) for k in range(n)]


def test_kuaizhizao_failed_rectification_then_reentry():
    ms = _mondays(D(2023, 7, 17), 11)  # 07-17 … 09-25
    meets = [True, False, False, False, False, False, False, False, False, True, True]
    out = _kzz_run(list(zip(ms, meets, strict=True)))
    assert out[0]["transition"] == "admitted" and out[0]["member_since"] == ms[0]
    assert out[1]["transition"] == "warned" and out[1]["rectification_ends_on"] == D(2023, 8, 23)
    assert all(o["state_code"] == "warning" and o["transition"] is None for o in out[2:6])
    r = out[6]
    assert (r["state_code"], r["transition"], r["removed_on"], r["reentry_allowed_from"], r["removal_reason"]) == (
        "removed", "removed", D(2023, 8, 23), D(2023, 9, 22), "rectification_failed")
    assert out[9]["state_code"] == "removed" and out[9]["transition"] is None  # 09-18
    assert out[10]["transition"] == "readmitted" and out[10]["member_since"] == D(2023, 9, 25)


def test_kuaizhizao_recovery_strict_end_and_complaint():
    ms = _mondays(D(2023, 7, 17), 6)  # 07-17 … 08-21
    out = _kzz_run(list(zip(ms, [True, False, False, False, True, False], strict=True)))
    assert out[4]["transition"] == "recovered" and out[4]["warning_on"] is None
    assert out[5]["transition"] == "warned" and out[5]["rectification_ends_on"] == D(2023, 9, 20)
    out = _kzz_run(list(zip(ms, [True, False, False, False, False, True], strict=True)), rectification_days=28)
    assert out[5]["state_code"] == "removed" and out[5]["removed_on"] == D(2023, 8, 21)
    ms = _mondays(D(2023, 7, 17), 8)
    out = _kzz_run(list(zip(ms, [True] * 8, strict=True)), complaint_on=D(2023, 8, 2))
    assert out[2]["state_code"] == "active" and out[3]["transition"] == "permanently_cleared"  # 08-07
    assert all(o["state_code"] == "permanently_cleared" and o["transition"] is None for o in out[4:])


# ---------------------------------------------------------------- fast: the reference's SQL on hand-made raw rows

MINI_COLS = {
    "orders": "order_id bigint, shop_id bigint, product_id bigint, buyer_id varchar, creator_id bigint, channel varchar, "
              "live_session_id bigint, video_id bigint, quantity integer, pay_amount decimal(18,2), "
              "commission_rate double, paid_at timestamp",
    "refunds": "refund_id bigint, order_id bigint, refund_amount decimal(18,2), status varchar, updated_at timestamp",
    "shops": "shop_id bigint, main_category_id bigint, distribution_enabled_at timestamp, status varchar, "
             "updated_at timestamp",
    "creators": "creator_id bigint, creator_level varchar, updated_at timestamp",
    "categories": "category_id bigint, level integer, name varchar, updated_at timestamp",
    "products": "product_id bigint, updated_at timestamp",
    "live_sessions": "live_session_id bigint, host_type varchar, shop_id bigint, started_at timestamp, "
                     "ended_at timestamp, exposures bigint, views bigint",
    "content_daily_stats": "dt date, content_type varchar, content_id bigint, author_type varchar, author_id bigint, "
                           "views bigint, interactions bigint, negative_feedbacks bigint",
    "logistics_events": "order_id bigint, event_type varchar, event_at timestamp",
}
T = dt.datetime


def mini(dates, **tables):
    """An in-memory connection holding raw_<table> from hand-made rows, then the reference's derived tables."""
    con = duckdb.connect()
    for t, cols in MINI_COLS.items():
        extra = "" if t == "content_daily_stats" else ", dt date"
        con.execute(f"create table raw_{t} ({cols}{extra}, filename varchar default 'f.parquet')")
        for r in tables.get(t, []):
            r = tuple(r) + (() if extra == "" else (None,))
            con.execute(f"insert into raw_{t} values ({', '.join('?' * len(r))}, 'f.parquet')", list(r))
        stamp = next((c for c in ("updated_at", "paid_at", "started_at", "event_at") if c in cols), None)
        if stamp:
            con.execute(f"update raw_{t} set dt = cast({stamp} as date)")
    ref.derive(con, dates)
    return con


def order(oid, paid_at, pay, *, shop=1, creator=None, channel="shelf", session=None, video=None, rate=None,
          buyer="b1", product=100):
    return (oid, shop, product, buyer, creator, channel, session, video, 1, Decimal(pay), rate, paid_at)


def test_reference_live_sessions_midnight_paid_on_d_wrong_channel_zero_views():
    con = mini([D(2023, 3, 1), D(2023, 3, 2)], live_sessions=[
        (1, "shop", 1, T(2023, 2, 28, 23), T(2023, 3, 1, 1), 1000, 400),
        (2, "creator", None, T(2023, 2, 27, 10), T(2023, 2, 27, 11), 900, 300),
        (3, "shop", 1, T(2023, 2, 27, 10), T(2023, 2, 27, 12), 500, 0)],
        orders=[order(1, T(2023, 2, 28, 23, 30), "100.00", channel="self_live", session=1),
                order(2, T(2023, 3, 2, 0, 10), "70.00", channel="self_live", session=1),
                order(3, T(2023, 2, 28, 23, 40), "90.00", channel="creator_live", session=1, creator=7, rate=0.1),
                order(4, T(2023, 2, 27, 11), "50.00", channel="self_live", session=3)])
    got = {(r["as_of_date"], r["live_session_id"]): r for r in ref.live_sessions(con)}
    assert sorted(got) == [(D(2023, 3, 1), 3), (D(2023, 3, 2), 1), (D(2023, 3, 2), 3)]
    a = got[(D(2023, 3, 2), 1)]
    assert (a["live_date"], a["live_hours"], a["paid_orders"], a["gmv"], a["gmv_rank_in_shop"]) == (
        D(2023, 2, 28), 2.0, 1, Decimal("100.00"), 1)
    assert a["gpm"] == Decimal("250.00")
    c = got[(D(2023, 3, 2), 3)]
    assert (c["view_rate"], c["order_per_view"], c["gpm"], c["gmv_rank_in_shop"]) == (0.0, None, None, 2)


def test_reference_videos_window_edges_creator_videos_and_orders_without_content():
    d = D(2023, 3, 31)
    con = mini([d], content_daily_stats=[
        (D(2023, 2, 28), "video", 10, "shop", 1, 1000, 10, 1),  # D-31: not counted
        (D(2023, 3, 20), "video", 10, "shop", 1, 200, 20, 2),
        (D(2023, 3, 20), "video", 11, "creator", 7, 500, 5, 0)],
        orders=[order(1, T(2023, 3, 1), "30.00", channel="short_video", video=10),  # D-30 00:00 counts
                order(2, T(2023, 2, 28, 23, 59), "40.00", channel="short_video", video=10),
                order(3, T(2023, 3, 5), "50.00", channel="short_video", video=10, creator=7, rate=0.1),
                order(4, T(2023, 3, 5), "60.00", channel="short_video", video=12)])
    got = ref.videos(con)
    assert [r["video_id"] for r in got] == [10]
    v = got[0]
    assert (v["first_seen_dt"], v["active_days"], v["views"], v["paid_orders"], v["gmv"], v["gpm"]) == (
        D(2023, 2, 28), 1, 200, 1, Decimal("30.00"), Decimal("150.00"))
    assert v["interaction_rate"] == 0.1


def test_reference_distribution_edges():
    d = D(2023, 3, 1)
    shop = (1, 5, T(2023, 1, 1), "active", T(2023, 1, 1))
    orders = [order(k, T(2023, 2, 27, 10), "0.10", creator=7, rate=0.05, buyer="x") for k in (1, 2, 3)]
    orders += [order(4, T(2023, 2, 26, 10), "100.00", creator=8, rate=0.20, buyer="x"),
               order(5, T(2023, 2, 26, 11), "100.00", creator=8, rate=0.20, buyer="y"),
               order(6, T(2023, 2, 21, 23, 59), "10.00", creator=8, rate=0.10, buyer="z"),  # D-8 23:59: W30 only
               order(7, T(2023, 2, 25), "9.99", creator=9, rate=0.125, buyer="y"),
               order(8, T(2023, 2, 25), "5.00", buyer="w")]  # the shop's own order: shop_gmv only
    refunds = [(1, 4, Decimal("30.00"), "completed", T(2023, 2, 27)),
               (2, 5, Decimal("60.00"), "completed", T(2023, 2, 27)), (3, 5, Decimal("60.00"), "completed", T(2023, 2, 27)),
               (4, 7, Decimal("9.99"), "pending", T(2023, 2, 27)),
               (5, 1, Decimal("0.10"), "completed", T(2023, 3, 1, 8))]  # completed on D: not counted on D
    logistics = [(k, "delivered", T(2023, 2, 28)) for k in (1, 4, 7)]
    con = mini([d], shops=[shop], orders=orders, refunds=refunds, logistics_events=logistics,
               creators=[(7, "head", T(2023, 1, 1))])
    pairs, shops = ref.distribution(con, [7, 30])
    p = {(r["window_days"], r["creator_id"]): r for r in pairs}
    assert p[(7, 7)]["estimated_commission"] == Decimal("0.03") and p[(7, 7)]["refunded_orders"] == 0
    assert p[(7, 7)]["settled_orders"] == 1 and p[(7, 7)]["creator_level"] == "head"
    assert p[(7, 8)]["creator_level"] is None and p[(7, 8)]["distributed_orders"] == 2
    assert (p[(7, 8)]["estimated_commission"], p[(7, 8)]["net_gmv"], p[(7, 8)]["net_commission"]) == (
        Decimal("40.00"), Decimal("70.00"), Decimal("14.00"))
    assert (p[(7, 8)]["refunded_orders"], p[(7, 8)]["settled_orders"], p[(7, 8)]["refund_amount"]) == (
        2, 0, Decimal("130.00"))
    assert p[(30, 8)]["distributed_orders"] == 3 and p[(7, 9)]["estimated_commission"] == Decimal("1.25")
    assert p[(7, 9)]["settled_orders"] == 1  # a pending refund does not block settlement
    s = {r["window_days"]: r for r in shops}
    assert s[7]["distributed_buyers"] == 2 and sum(r["distributed_buyers"] for r in pairs if r["window_days"] == 7) == 4
    assert s[7]["cooperating_creators"] == 3 and s[7]["shop_gmv"] == Decimal("215.29")
    assert s[7]["top_creator_id"] == 8 and s[7]["gmv_change"] is None
    for c in ref_additive():
        assert s[7][c] == sum(r[c] for r in pairs if r["window_days"] == 7), c


def ref_additive():
    return ["distributed_orders", "live_orders", "video_orders", "shelf_orders", "gmv", "estimated_commission",
            "refunded_orders", "refund_amount", "net_gmv", "net_commission", "settled_orders"]


def test_reference_kuaizhizao_inputs_scope_and_null_metrics():
    m = D(2023, 7, 17)
    cats = [(1, 1, "服饰内衣", T(2023, 1, 1)), (2, 1, "美妆个护", T(2023, 1, 1)), (3, 1, "鞋靴箱包", T(2023, 1, 1))]
    shops = [(1, 1, None, "active", T(2023, 1, 1)), (2, 1, None, "active", T(2023, 1, 1)),
             (3, 2, None, "active", T(2023, 1, 1)), (4, 3, None, "active", T(2023, 1, 1)),
             (5, 3, None, "closed", T(2023, 7, 16))]
    con = mini([m], categories=cats, shops=shops)
    con.execute("attach ':memory:' as pub")
    con.execute("create schema pub.marts")
    con.execute("""create table pub.marts.shop_experience_score_daily as select * from (values
        (date '2023-07-17', 1, '成长期', null::double, 0.01), (date '2023-07-17', 2, '正式期', 4.5, 0.01),
        (date '2023-07-17', 3, '正式期', 4.8, 0.0), (date '2023-07-17', 4, '正式期', 4.0, 0.03))
        t(as_of_date, shop_id, score_stage, experience_score, quality_refund_order_rate)""")
    con.execute("""create table pub.marts.product_tier_daily as select * from (values
        (date '2023-07-17', 1, false, 3), (date '2023-07-17', 2, true, 3), (date '2023-07-17', 3, false, 3),
        (date '2023-07-17', 4, false, 2), (date '2023-07-17', 4, false, 1), (date '2023-07-17', 4, true, 0))
        t(as_of_date, shop_id, is_low_sample, quality_rank)""")
    got = ref.kzz_inputs(con, [m])
    assert got[(m, 1)]["in_scope"] and got[(m, 1)]["failed_criteria"] == "experience_score"
    assert got[(m, 2)]["good_quality_product_share"] is None
    assert got[(m, 2)]["failed_criteria"] == "good_quality_product_share"
    assert not got[(m, 3)]["in_scope"] and not got[(m, 5)]["in_scope"]
    assert got[(m, 4)]["meets_criteria"] and got[(m, 4)]["good_quality_product_share"] == 0.5  # all three inclusive
    weekly = ref.kzz_weekly(got, [m])
    assert [(r["shop_id"], r["state_code"], r["transition"]) for r in weekly] == [
        (1, "not_member", None), (2, "not_member", None), (4, "active", "admitted")]


def test_seeds_the_reference_reads_hold_the_spec_defaults():
    """The reference takes labels, display decimals and ranks from the seeds when they exist; their rule values
    must be 09's defaults, or a wrong seed would make the mart and the reference agree on a wrong rule."""
    spec = {i: (cn, sc, c, t) for i, cn, sc, c, t, _ in ref.TRUST_DEFAULTS}
    got = ref.trust_thresholds()
    assert {t["indicator"]: (t["indicator_cn"], t["scope"], t["comparison"], t["threshold"]) for t in got} == spec
    assert [t["indicator"] for t in sorted(got, key=lambda t: t["sort_order"])] == list(spec)
    dd = {t["indicator"]: t["display_decimals"] for t in got}
    assert (dd["quality_refund_rate"], dd["avg_ship_hours"], dd["experience_score"]) == (4, 1, 2)  # 09 §5 examples
    assert ref.distribution_windows() == [7, 30]
    assert ref.kzz_criteria() == ref.KZZ_CRITERIA_DEFAULTS and ref.kzz_categories() == ["服饰内衣", "鞋靴箱包"]
    assert ref.known_brands() == set()


def test_compare_finds_every_kind_of_difference():
    base = [{"k": 1, "m": Decimal("1.00"), "x": 0.1234564, "n": None, "s": "a"},
            {"k": 2, "m": Decimal("2.00"), "x": 0.5, "n": 3, "s": "b"}]
    compare("same", base, [dict(r) for r in base], ["k"])
    compare("rounding noise", base, [dict(base[0], x=0.1234562), base[1]], ["k"])
    for change in ({"m": Decimal("1.01")}, {"x": 0.12346}, {"n": 0}, {"s": "b"}):
        with pytest.raises(AssertionError):
            compare("changed", base, [dict(base[0], **change), base[1]], ["k"])
    with pytest.raises(AssertionError, match="missing"):
        compare("missing", base, base[:1], ["k"])
    with pytest.raises(AssertionError, match="not expected"):
        compare("extra", base[:1], base, ["k"])


# ---------------------------------------------------------------- the build and the comparison

@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    from kscore.generate import generate
    from kscore.pipeline import run

    base = tmp_path_factory.mktemp("spec09")
    landing, published = base / "landing", base / "wh" / "kscore.duckdb"
    generate(landing, scale="tiny", start=D(2023, 1, 1), days=60, seed=42)
    edge = ref.augment_edge_cases(landing)  # a few hand-made rows for the edge cases the generator never makes
    run(FIRST, LAST, landing, published, progress=lambda s: None,
        extra_vars={"kuaizhizao_first_check_date": KZZ_FIRST.isoformat()})
    dates = [FIRST + dt.timedelta(days=k) for k in range((LAST - FIRST).days + 1)]
    con = ref.connect(landing, published, dates)
    yield {"con": con, "dates": dates, "landing": landing, "published": published, "edge": edge}
    con.close()


def mart_rows(z, table: str, cols: list[str], where: str = "as_of_date between ? and ?", params=None) -> list[dict]:
    con = z["con"]
    missing = None
    try:
        return ref.rows(con, f"select {', '.join(cols)} from pub.marts.{table} where {where}",
                        [FIRST, LAST] if params is None else params)
    except duckdb.CatalogException as e:
        missing = str(e).splitlines()[0]
    pytest.fail(f"missing table or column in marts.{table}: {missing}")


def _norm(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def same(a, b) -> bool:
    if a is ref.SKIP:
        return True
    a, b = _norm(a), _norm(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, (str, dt.date)) or isinstance(b, (str, dt.date)):
        return a == b
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if isinstance(a, float) or isinstance(b, float):  # a DOUBLE compared with a money figure
            return abs(float(a) - float(b)) <= 1.5e-6
        return ref.money(a) == ref.money(b)
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return abs(ref.r6(float(a)) - ref.r6(float(b))) <= 1.5e-6


def compare(name: str, expected: list[dict], actual: list[dict], keys: list[str], cols: list[str] | None = None,
            show: int = 8) -> None:
    """Key sets both ways, then every column of `cols` (default: every non-key column of the expected rows)."""
    def index(rs):
        out = {}
        for r in rs:
            k = tuple(r[c] for c in keys)
            assert k not in out, f"{name}: duplicate key {dict(zip(keys, k, strict=True))}"
            out[k] = r
        return out
    exp, act = index(expected), index(actual)
    cols = cols or [c for c in (expected[0] if expected else {}) if c not in keys]
    problems = []
    missing, extra = sorted(set(exp) - set(act), key=str), sorted(set(act) - set(exp), key=str)
    if missing:
        problems.append(f"{len(missing)} expected keys missing from the mart, e.g. {missing[:show]}")
    if extra:
        problems.append(f"{len(extra)} mart keys not expected, e.g. {extra[:show]}")
    by_col: dict[str, list] = {}
    for k in sorted(set(exp) & set(act), key=str):
        for c in cols:
            if not same(exp[k][c], act[k][c]):
                by_col.setdefault(c, []).append((dict(zip(keys, k, strict=True)), exp[k][c], act[k][c]))
    for c, diffs in by_col.items():
        problems.append(f"column {c}: {len(diffs)} rows differ; first (key, expected, mart): "
                        + "; ".join(f"{k} {e!r} != {a!r}" for k, e, a in diffs[:show]))
    assert not problems, f"{name} ({len(exp)} expected rows, {len(act)} mart rows):\n" + "\n".join(problems)


def test_reference_sees_a_nonempty_build(zone):
    n = zone["con"].execute("select count(*) from pub.marts.product_tier_daily where as_of_date = ?",
                            [LAST]).fetchall()[0][0]
    assert n > 0


DIST_COLS = ["window_start", "window_end", "distributed_orders", "distributed_buyers", "live_orders",
             "video_orders", "shelf_orders", "gmv", "estimated_commission", "avg_commission_rate",
             "refunded_orders", "refund_amount", "refund_rate", "net_gmv", "net_commission", "settled_orders"]


@pytest.fixture(scope="module")
def distribution(zone):
    return ref.distribution(zone["con"], ref.distribution_windows())


def test_shop_distribution_creator_daily(zone, distribution):
    keys = ["as_of_date", "window_days", "shop_id", "creator_id"]
    cols = ["creator_level", *DIST_COLS, "gmv_share", "gmv_rank"]
    exp = distribution[0]
    assert exp and any(r["refunded_orders"] for r in exp)
    compare("shop_distribution_creator_daily", exp,
            mart_rows(zone, "shop_distribution_creator_daily", keys + cols), keys, cols)


def test_shop_distribution_daily(zone, distribution):
    keys = ["as_of_date", "window_days", "shop_id"]
    cols = ["distribution_enabled", "cooperating_creators", *DIST_COLS, "shop_gmv", "distribution_gmv_share",
            "prev_gmv", "gmv_change", "top_creator_id", "top_creator_gmv_share"]
    compare("shop_distribution_daily", distribution[1], mart_rows(zone, "shop_distribution_daily", keys + cols),
            keys, cols)


def test_product_score_dimensions_good_review_rate(zone):
    keys = ["as_of_date", "product_id"]
    cols = ["reviews", "good_reviews", "good_review_rate"]
    compare("product_score_dimensions_daily (综合好评率)", ref.good_reviews(zone["con"]),
            mart_rows(zone, "product_score_dimensions_daily", keys + cols), keys, cols)


@pytest.fixture(scope="module")
def trust(zone):
    return ref.trust(zone["con"], ref.trust_thresholds())


def test_trust_purchase_indicators_daily(zone, trust):
    keys = ["as_of_date", "product_id", "indicator"]
    cols = ["shop_id", "indicator_cn", "scope", "sort_order", "value", "comparison", "threshold", "is_met", "gap"]
    compare("trust_purchase_indicators_daily", trust[0], mart_rows(zone, "trust_purchase_indicators_daily",
                                                                   keys + cols), keys, cols)


def test_trust_purchase_product_daily(zone, trust):
    keys = ["as_of_date", "product_id"]
    cols = ["shop_id", "category_id", "indicators_total", "indicators_met", "is_data_eligible", "shortfall"]
    compare("trust_purchase_product_daily", trust[1], mart_rows(zone, "trust_purchase_product_daily", keys + cols),
            keys, cols)


FUNNEL_COLS = ["paid_orders", "paid_buyers", "gmv", "refund_amount", "effective_gmv", "order_per_view", "gpm",
               "gmv_rank_in_shop"]


def test_shop_live_session_funnel_daily(zone):
    keys = ["as_of_date", "live_session_id"]
    cols = ["shop_id", "started_at", "ended_at", "live_date", "live_hours", "room_exposures", "views", "view_rate",
            *FUNNEL_COLS]
    exp = ref.live_sessions(zone["con"])
    assert exp and any(r["paid_orders"] for r in exp)
    edge = {r["live_session_id"]: r for r in exp if r["as_of_date"] == D(2023, 2, 22)}
    mid, zero = edge[zone["edge"]["sessions"]["ls_mid"]], edge[zone["edge"]["sessions"]["ls_zero"]]
    assert (mid["live_hours"], mid["paid_orders"], mid["gmv"]) == (2.0, 1, Decimal("100.00"))
    assert zero["gpm"] is None and zero["paid_orders"] == 1
    compare("shop_live_session_funnel_daily", exp, mart_rows(zone, "shop_live_session_funnel_daily", keys + cols),
            keys, cols)


def test_shop_video_funnel_daily(zone):
    keys = ["as_of_date", "video_id"]
    cols = ["shop_id", "first_seen_dt", "active_days", "views", "interactions", "negative_feedbacks",
            "interaction_rate", "negative_feedback_rate", *FUNNEL_COLS]
    exp = ref.videos(zone["con"])
    assert exp and any(r["paid_orders"] for r in exp)
    v1 = [r for r in exp if r["video_id"] == zone["edge"]["videos"][0] and r["as_of_date"] == D(2023, 2, 20)]
    assert [(r["active_days"], r["views"], r["paid_orders"], r["first_seen_dt"]) for r in v1] == [
        (2, 800, 1, D(2023, 1, 20))]
    assert not any(r["video_id"] == zone["edge"]["videos"][1] for r in exp)
    compare("shop_video_funnel_daily", exp, mart_rows(zone, "shop_video_funnel_daily", keys + cols), keys, cols)


def test_kuaizhizao_shop_weekly(zone):
    keys = ["check_date", "shop_id"]
    cols = ["data_through", "main_category_id", "in_scope", "is_scored", "experience_score",
            "quality_refund_order_rate", "good_quality_product_share", "meets_criteria", "failed_criteria",
            "has_major_complaint", "state_code", "state", "state_rank", "has_label", "transition", "member_since",
            "warning_on", "rectification_ends_on", "removed_on", "removal_reason", "reentry_allowed_from"]
    mart = mart_rows(zone, "kuaizhizao_shop_weekly", keys + cols, "check_date <= ?", [LAST])
    checks = [KZZ_FIRST + dt.timedelta(weeks=k) for k in range((LAST - KZZ_FIRST).days // 7 + 1)]
    assert sorted({r["check_date"] for r in mart}) == checks, "a row set for every check Monday from the first"
    held = [m for m in checks if m in zone["dates"]]
    inputs = ref.kzz_inputs(zone["con"], held)
    # a check Monday before the built range: its published marts are not in the file, so its inputs are the
    # mart's own (in_scope, meets_criteria, complaint); the states are still recomputed from them
    for r in mart:
        if r["check_date"] not in held:
            inputs[(r["check_date"], r["shop_id"])] = {c: r[c] for c in cols[:10]} | {"check_date": r["check_date"],
                                                                                       "shop_id": r["shop_id"]}
    exp = ref.kzz_weekly(inputs, checks)
    for r in exp:  # the spell dates compared where the state is a membership; removal dates always
        if r["state_code"] in ("removed", "permanently_cleared"):
            r.update(member_since=ref.SKIP, warning_on=ref.SKIP, rectification_ends_on=ref.SKIP)
    assert any(r["check_date"] in held for r in exp)
    compare("kuaizhizao_shop_weekly", exp, mart, keys, cols)


def test_shop_traffic_funnel_period_daily(zone):
    seed = ref.read_seed("funnel/funnel_periods.csv")
    ranks = None if seed is None else {r["period_type"]: int(r["period_rank"]) for r in seed}
    if seed is not None:
        assert [(r["period_type"], r["period_type_cn"]) for r in sorted(seed, key=lambda r: int(r["period_rank"]))] \
            == ref.PERIODS
    exp = ref.traffic_periods(zone["con"], ranks)
    keys = ["as_of_date", "shop_id", "scene", "period_type"]
    cols = [c for c in exp[0] if c not in keys]
    assert any(r["gmv"] is not ref.SKIP and r["prev_gmv"] is not ref.SKIP for r in exp if r["period_type"] == "last_7d")
    compare("shop_traffic_funnel_period_daily", exp, mart_rows(zone, "shop_traffic_funnel_period_daily", keys + cols),
            keys, cols)


def test_product_score_dimensions_daily(zone):
    keys = ["as_of_date", "product_id"]
    cols = ["shop_id", "category_id", "peer_category_id", "peer_category_level", "is_low_sample", "brand_id",
            "is_brand_shop", "is_known_brand", "brand_level", "brand_rank", "list_price", "price_orders_7d",
            "avg_unit_price_7d", "avg_unit_price_prior", "min_daily_unit_price_prior", "price_vs_list",
            "price_vs_history", "is_shop_low_price", "price_score", "price_level", "price_rank", "live_orders",
            "live_gmv", "live_views", "live_gpm", "video_orders", "video_gmv", "video_views", "video_gpm", "gpm_score",
            "gpm_level", "gpm_rank", "reviews", "good_reviews", "good_review_rate", "good_review_score",
            "good_review_level", "good_review_rank"]
    exp = ref.product_dimensions(zone["con"])
    assert any(r["price_score"] is not None for r in exp) and any(r["gpm_score"] is not None for r in exp)
    compare("product_score_dimensions_daily", exp, mart_rows(zone, "product_score_dimensions_daily", keys + cols),
            keys, cols)
