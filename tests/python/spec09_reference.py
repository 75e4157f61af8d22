"""An independent reference computation of spec 09's marts, written from the spec text alone.

Used by test_spec09_independent.py. Pure-Python rules (rounding, commissions, shortfall text, period
bounds, the 快质造 state machine) plus DuckDB SQL over the raw landing Parquet (change records read as
their latest version with updated_at < D) and, where 09 says a mart reads another mart, over the
published marts (attached read-only as `pub`). Nothing here reads the project's dbt models.
"""
from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

PROJECT = Path(__file__).resolve().parents[2]
CENT = Decimal("0.01")

EVENT_KEYS = {
    "orders": "order_id", "logistics_events": "order_id, event_type", "reviews": "review_id",
    "live_sessions": "live_session_id", "content_daily_stats": "dt, content_type, content_id",
    "im_sessions": "session_id", "product_traffic_daily": "dt, product_id, channel",
}
CHANGE_KEYS = {"shops": "shop_id", "products": "product_id", "creators": "creator_id",
               "categories": "category_id", "refunds": "refund_id"}


# ---------------------------------------------------------------- pure rules

def half_up(x, places: int) -> Decimal | None:
    """Half-up rounding of a number (a float is taken at its shortest repr)."""
    if x is None:
        return None
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)) if isinstance(x, float) else str(x))
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def r6(x) -> float | None:
    return None if x is None else float(half_up(x, 6))


def money(x) -> Decimal | None:
    return half_up(x, 2)


def ratio(num, den, places: int = 6):
    """num / den half-up to `places`; NULL when den is 0 or NULL (README: divide safely)."""
    if num is None or den is None or den == 0:
        return None
    return float(half_up(Decimal(str(num)) / Decimal(str(den)), places))


def order_commission(pay: Decimal, rate: float) -> Decimal:
    """09 §2: round_half_up(pay_amount × round6(commission_rate), 2), in decimals."""
    return money(Decimal(pay) * half_up(rate, 6))


def refunded_amount(pay: Decimal, completed_refunds) -> Decimal:
    """09 §2: least(Σ completed refund_amount, pay_amount)."""
    return min(sum((Decimal(r) for r in completed_refunds), Decimal("0.00")), Decimal(pay))


def net_commission(pay: Decimal, refunded: Decimal, rate: float) -> Decimal:
    return money((Decimal(pay) - Decimal(refunded)) * half_up(rate, 6))


def pct_change(m, prev, complete: bool = True):
    """09 §1.1 环比: (m − prev) / prev; NULL when prev is 0/NULL, m NULL or a period incomplete."""
    if not complete or m is None or prev is None or prev == 0:
        return None
    return ratio(Decimal(str(m)) - Decimal(str(prev)), prev)


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def period_bounds(d: dt.date, period_type: str) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """09 §1.1: (period_start, period_end, prev_start, prev_end) for as_of_date d."""
    day = dt.timedelta(days=1)
    if period_type in ("natural_day", "last_7d", "last_30d"):
        n = {"natural_day": 1, "last_7d": 7, "last_30d": 30}[period_type]
        return d - n * day, d - day, d - 2 * n * day, d - (n + 1) * day
    if period_type == "natural_week":
        m = monday(d)
        return m - 7 * day, m - day, m - 14 * day, m - 8 * day
    if period_type == "natural_month":
        end = d.replace(day=1) - day
        start = end.replace(day=1)
        prev_end = start - day
        return start, end, prev_end.replace(day=1), prev_end
    raise ValueError(period_type)


def fmt_fixed(x: float, places: int) -> str:
    return format(half_up(x, places), "f")


def trust_indicator(value, comparison: str, threshold: float) -> tuple[float | None, bool, float | None]:
    """09 §5: (value rounded to 6, is_met, gap)."""
    v = r6(value)
    if v is None:
        return None, False, None
    met = v >= threshold if comparison == ">=" else v <= threshold
    if met:
        return v, True, 0.0
    gap = Decimal(str(threshold)) - Decimal(repr(v)) if comparison == ">=" else Decimal(repr(v)) - Decimal(str(threshold))
    return v, False, r6(gap)


def shortfall_entry(indicator_cn: str, comparison: str, threshold: float, gap: float | None, decimals: int) -> str:
    sign = "≥" if comparison == ">=" else "≤"
    tail = "(无数据)" if gap is None else f"(差{fmt_fixed(gap, decimals)})"
    return f"{indicator_cn}{sign}{fmt_fixed(threshold, decimals)}{tail}"


def trust_product(indicators: list[dict], thresholds: list[dict]) -> dict:
    """indicators: {indicator: value}; thresholds: seed rows. Returns the wide row's computed part and long rows."""
    values = indicators
    long_rows, parts = [], []
    for t in sorted(thresholds, key=lambda t: t["sort_order"]):
        v, met, gap = trust_indicator(values.get(t["indicator"]), t["comparison"], t["threshold"])
        long_rows.append({"indicator": t["indicator"], "indicator_cn": t["indicator_cn"], "scope": t["scope"],
                          "sort_order": t["sort_order"], "value": v, "comparison": t["comparison"],
                          "threshold": t["threshold"], "is_met": met, "gap": gap})
        if not met:
            parts.append(shortfall_entry(t["indicator_cn"], t["comparison"], t["threshold"], gap,
                                         t["display_decimals"]))
    total, n_met = len(long_rows), sum(r["is_met"] for r in long_rows)
    return {"indicators_total": total, "indicators_met": n_met,
            "is_data_eligible": total > 0 and n_met == total, "shortfall": ";".join(parts), "long": long_rows}


# ---------------------------------------------------------------- 快质造 state machine (09 §4.2)

KZZ_STATES = {"permanently_cleared": ("永久清退", 0, False), "removed": ("已清退", 1, False),
              "not_member": ("未入驻", 2, False), "warning": ("整改中", 3, True), "active": ("已入驻", 4, True)}


def kzz_step(prev: dict | None, m: dt.date, in_scope: bool, meets: bool, complaint: bool,
             rectification_days: int = 30, reentry_wait_days: int = 30) -> dict:
    """One check: prev is the previous state dict (None = not_member). Returns the new state dict."""
    days = dt.timedelta
    p = prev or {"state_code": "not_member"}
    code = p["state_code"]
    spell = {k: p.get(k) for k in ("member_since", "warning_on", "rectification_ends_on", "removed_on",
                                   "removal_reason", "reentry_allowed_from")}
    new, transition = code, None
    if code == "permanently_cleared":
        pass
    elif complaint:
        new, transition = "permanently_cleared", "permanently_cleared"
    elif code in ("not_member", "removed"):
        wait_ok = code == "not_member" or m >= p["removed_on"] + days(reentry_wait_days)
        if in_scope and meets and wait_ok:
            transition = "admitted" if code == "not_member" else "readmitted"
            new = "active"
            spell = dict.fromkeys(spell)
            spell["member_since"] = m
    elif code in ("active", "warning"):
        if not in_scope:
            new, transition = "removed", "removed"
            spell.update(removed_on=m, removal_reason="out_of_scope")
        elif code == "active":
            if not meets:
                new, transition = "warning", "warned"
                spell.update(warning_on=m, rectification_ends_on=m + days(rectification_days))
        elif m >= p["rectification_ends_on"]:
            new, transition = "removed", "removed"
            spell.update(removed_on=p["rectification_ends_on"], removal_reason="rectification_failed")
        elif meets:
            new, transition = "active", "recovered"
            spell.update(warning_on=None, rectification_ends_on=None)
    if spell.get("removed_on") is not None and new in ("removed", "permanently_cleared"):
        spell["reentry_allowed_from"] = spell["removed_on"] + days(reentry_wait_days)
    state, rank, label = KZZ_STATES[new]
    return {"state_code": new, "state": state, "state_rank": rank, "has_label": label,
            "transition": transition, **spell}


# ---------------------------------------------------------------- seeds (defaults per spec; the CSV when present)

def read_seed(rel: str) -> list[dict] | None:
    p = PROJECT / "seeds" / rel
    if not p.exists():
        return None
    with p.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


TRUST_DEFAULTS = [  # indicator, cn, scope, comparison, threshold, display decimals (ours when no seed)
    ("paid_orders", "近30天支付订单数", "product", ">=", 10.0, 0),
    ("tier_rank", "商品分层", "product", ">=", 2.0, 0),
    ("quality_refund_rate", "品退率", "product", "<=", 0.02, 4),
    ("dispute_rate", "纠纷介入率", "product", "<=", 0.01, 4),
    ("avg_ship_hours", "发货时长(小时)", "product", "<=", 48.0, 1),
    ("good_review_rate", "综合好评率", "product", ">=", 0.90, 4),
    ("experience_score", "店铺体验分", "shop", ">=", 4.00, 2),
    ("im_reply_3min_rate", "IM三分钟回复率", "shop", ">=", 0.80, 4),
]


def trust_thresholds() -> list[dict]:
    rows = read_seed("trust/trust_purchase_thresholds.csv")
    if rows is None:
        return [{"indicator": i, "indicator_cn": cn, "scope": s, "comparison": c, "threshold": t,
                 "display_decimals": dd, "sort_order": k + 1}
                for k, (i, cn, s, c, t, dd) in enumerate(TRUST_DEFAULTS)]
    return [{"indicator": r["indicator"], "indicator_cn": r["indicator_cn"], "scope": r["scope"],
             "source": r.get("source"), "comparison": r["comparison"], "threshold": float(r["threshold"]),
             "display_decimals": int(r["display_decimals"]), "sort_order": int(r["sort_order"])} for r in rows]


def distribution_windows() -> list[int]:
    rows = read_seed("distribution/distribution_windows.csv")
    return [7, 30] if rows is None else sorted(int(r["window_days"]) for r in rows)


# ---------------------------------------------------------------- DuckDB: raw landing and published marts

def connect(landing: Path, published: Path, as_of_dates: list[dt.date]) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with raw_<table> (deduplicated), <table>_asof (change records as of D-1 for every
    date of `as_of_dates`: the version with the greatest updated_at < D) and the published file as `pub`."""
    con = duckdb.connect()
    con.execute(f"attach '{published}' as pub (read_only)")
    quarantined = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'pub' and schema_name = 'quarantine'").fetchall()}
    for t, key in {**EVENT_KEYS, **CHANGE_KEYS}.items():
        src = f"read_parquet('{landing}/{t}/dt=*/*.parquet', hive_partitioning = true, filename = true)"
        order = "dt, filename" if t in EVENT_KEYS else "updated_at desc, dt desc, filename desc"
        ident = [c.strip() for c in key.split(",")] + (["updated_at"] if t in CHANGE_KEYS else [])
        # a row the warehouse quarantined (06's row rules) is left out here too: same file, same identity
        keep = "true" if t not in quarantined else f"""not exists (
            select 1 from pub.quarantine.{t} q where q.source_file = r.rel_file
              and {' and '.join(f'q.{c} is not distinct from r.{c}' for c in ident)})"""
        con.execute(f"""create table raw_{t} as
            with r as (select * replace (cast(dt as date) as dt),
                              replace(filename, '{landing}/', '') as rel_file from {src})
            select * exclude (rel_file) from r where {keep}
            qualify row_number() over (partition by {key}, {'updated_at' if t in CHANGE_KEYS else '1'}
                                       order by {order}) = 1""")
    derive(con, as_of_dates)
    return con


def derive(con, as_of_dates: list[dt.date]) -> None:
    """The date spine, change records as of D-1 and completed refunds, from the raw_<table> tables."""
    con.execute("create table spine (as_of_date date)")
    con.executemany("insert into spine values (?)", [(d,) for d in sorted(set(as_of_dates))])
    for t, key in CHANGE_KEYS.items():
        con.execute(f"""create table {t}_asof as
            select a.as_of_date, r.* from spine a join raw_{t} r on r.updated_at < a.as_of_date
            qualify row_number() over (partition by a.as_of_date, r.{key}
                                       order by r.updated_at desc, r.dt desc, r.filename desc) = 1""")
    con.execute("""create table completed_refunds as
        select as_of_date, order_id, sum(refund_amount) as refund_sum, count(*) as n
        from refunds_asof where status = 'completed' group by all""")


def rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _load(con, name: str, data: list[dict], fields: list[tuple]) -> None:
    """A Python-computed table into DuckDB (through Arrow: exact decimals, fast)."""
    schema = pa.schema(fields)
    con.register(f"{name}_arrow", pa.Table.from_pylist(data, schema=schema))
    con.execute(f"create or replace table {name} as select * from {name}_arrow")
    con.unregister(f"{name}_arrow")


def history_start(con) -> dt.date:
    return con.execute("select min(dt) from raw_orders").fetchall()[0][0]


# ---------------------------------------------------------------- §2 分销

def distribution(con, windows: list[int]) -> tuple[list[dict], list[dict]]:
    """(shop_distribution_creator_daily rows, shop_distribution_daily rows) for every date of `spine`."""
    con.execute("create or replace table dwin as select as_of_date, n from spine, unnest(?) t(n)", [windows])
    # 预估佣金 per order (Python decimals, spec rounding), once per order
    comm = [{"order_id": r["order_id"], "commission": order_commission(Decimal(r["pay"]), r["commission_rate"])}
            for r in rows(con, """select order_id, cast(pay_amount as varchar) as pay, commission_rate
                                  from raw_orders where creator_id is not null""")]
    _load(con, "order_commission", comm, [("order_id", pa.int64()), ("commission", pa.decimal128(18, 2))])
    # the refund state of every distributed order on D (refunded amount capped at pay_amount)
    con.execute("""create or replace table dref as
        select r.as_of_date, o.order_id, cast(o.pay_amount as varchar) as pay, o.commission_rate,
               cast(least(r.refund_sum, o.pay_amount) as varchar) as refunded
        from completed_refunds r join raw_orders o using (order_id) where o.creator_id is not null""")
    net = [{"as_of_date": r["as_of_date"], "order_id": r["order_id"],
            "net_commission": net_commission(Decimal(r["pay"]), Decimal(r["refunded"]), r["commission_rate"])}
           for r in rows(con, "select * from dref")]
    _load(con, "order_net_commission", net, [("as_of_date", pa.date32()), ("order_id", pa.int64()),
                                             ("net_commission", pa.decimal128(18, 2))])
    # every distributed order of W_n and of the comparison window D-2n … D-n-1
    con.execute("""create or replace table dorders as
        select w.as_of_date, w.n, o.order_id, o.shop_id, o.creator_id, o.buyer_id, o.channel,
               o.pay_amount as pay, o.paid_at >= w.as_of_date - w.n * interval 1 day as in_window,
               r.order_id is not null as has_refund,
               case when r.order_id is null then 0 else least(r.refund_sum, o.pay_amount) end as refunded, c.commission,
               coalesce(nc.net_commission, c.commission) as net_commission,
               coalesce(l.delivered_at < w.as_of_date, false) and r.order_id is null as settled
        from dwin w join raw_orders o on o.creator_id is not null
          and o.paid_at >= w.as_of_date - 2 * w.n * interval 1 day and o.paid_at < w.as_of_date
        join order_commission c using (order_id)
        left join completed_refunds r on r.as_of_date = w.as_of_date and r.order_id = o.order_id
        left join order_net_commission nc on nc.as_of_date = w.as_of_date and nc.order_id = o.order_id
        left join (select order_id, min(event_at) as delivered_at from raw_logistics_events
                   where event_type = 'delivered' group by all) l on l.order_id = o.order_id""")
    aggs = """count(*) as distributed_orders, count(distinct buyer_id) as distributed_buyers,
        count(*) filter (where channel = 'creator_live') as live_orders,
        count(*) filter (where channel = 'short_video') as video_orders,
        count(*) filter (where channel = 'shelf') as shelf_orders,
        sum(pay) as gmv, sum(commission) as estimated_commission,
        count(*) filter (where has_refund) as refunded_orders, sum(refunded) as refund_amount,
        sum(pay) - sum(refunded) as net_gmv, sum(net_commission) as net_commission,
        count(*) filter (where settled) as settled_orders"""
    con.execute(f"""create or replace table dpair as
        select as_of_date, n as window_days, shop_id, creator_id, {aggs}
        from dorders where in_window group by all""")
    creator_rows = rows(con, """
        select p.as_of_date, p.window_days, p.as_of_date - p.window_days as window_start,
               p.as_of_date - 1 as window_end, p.shop_id, p.creator_id, c.creator_level,
               p.* exclude (as_of_date, window_days, shop_id, creator_id),
               p.estimated_commission / nullif(p.gmv, 0) as avg_commission_rate,
               p.refunded_orders / p.distributed_orders as refund_rate,
               p.gmv / nullif(sum(p.gmv) over w, 0) as gmv_share,
               cast(rank() over (w order by p.gmv desc) as integer) as gmv_rank
        from dpair p left join creators_asof c on c.as_of_date = p.as_of_date and c.creator_id = p.creator_id
        window w as (partition by p.as_of_date, p.window_days, p.shop_id)""")
    hs = history_start(con)
    shop_rows = rows(con, f"""
        with shops as (
            select s.as_of_date, w.n as window_days, s.shop_id,
                   coalesce(s.distribution_enabled_at < s.as_of_date, false) as distribution_enabled
            from shops_asof s join dwin w using (as_of_date) where s.status = 'active'),
        tot as (select as_of_date, n as window_days, shop_id, {aggs}, count(distinct creator_id) as cooperating_creators
                from dorders where in_window group by all),
        prev as (select as_of_date, n as window_days, shop_id, sum(pay) as prev_gmv
                 from dorders where not in_window group by all),
        shop_gmv as (select w.as_of_date, w.n as window_days, o.shop_id, sum(o.pay_amount) as shop_gmv
                     from dwin w join raw_orders o on o.paid_at >= w.as_of_date - w.n * interval 1 day
                      and o.paid_at < w.as_of_date group by all),
        top as (select as_of_date, window_days, shop_id, creator_id as top_creator_id,
                       gmv / nullif(sum(gmv) over (partition by as_of_date, window_days, shop_id), 0) as share
                from dpair qualify row_number() over (partition by as_of_date, window_days, shop_id
                                                      order by gmv desc, creator_id) = 1)
        select s.as_of_date, s.window_days, s.as_of_date - s.window_days as window_start,
               s.as_of_date - 1 as window_end, s.shop_id, s.distribution_enabled,
               coalesce(t.cooperating_creators, 0) as cooperating_creators,
               coalesce(t.distributed_orders, 0) as distributed_orders,
               coalesce(t.distributed_buyers, 0) as distributed_buyers,
               coalesce(t.live_orders, 0) as live_orders, coalesce(t.video_orders, 0) as video_orders,
               coalesce(t.shelf_orders, 0) as shelf_orders, coalesce(t.gmv, 0) as gmv,
               coalesce(t.estimated_commission, 0) as estimated_commission,
               t.estimated_commission / nullif(t.gmv, 0) as avg_commission_rate,
               coalesce(t.refunded_orders, 0) as refunded_orders, coalesce(t.refund_amount, 0) as refund_amount,
               t.refunded_orders / nullif(t.distributed_orders, 0) as refund_rate,
               coalesce(t.net_gmv, 0) as net_gmv, coalesce(t.net_commission, 0) as net_commission,
               coalesce(t.settled_orders, 0) as settled_orders,
               coalesce(g.shop_gmv, 0) as shop_gmv, coalesce(t.gmv, 0) / nullif(g.shop_gmv, 0) as distribution_gmv_share,
               coalesce(p.prev_gmv, 0) as prev_gmv,
               case when s.as_of_date - 2 * s.window_days >= date '{hs}' and p.prev_gmv <> 0
                    then (coalesce(t.gmv, 0) - p.prev_gmv) / p.prev_gmv end as gmv_change,
               tp.top_creator_id, tp.share as top_creator_gmv_share
        from shops s left join tot t using (as_of_date, window_days, shop_id)
        left join prev p using (as_of_date, window_days, shop_id)
        left join shop_gmv g using (as_of_date, window_days, shop_id)
        left join top tp using (as_of_date, window_days, shop_id)""")
    return creator_rows, shop_rows


# ---------------------------------------------------------------- §1.2 / §1.3 per session, per video

_FUNNEL_TAIL = """
        count(o.order_id) as paid_orders, count(distinct o.buyer_id) as paid_buyers,
        coalesce(sum(o.pay_amount), 0) as gmv, coalesce(sum(r.refund_sum), 0) as refund_amount"""


def _ranked(con, sql: str) -> list[dict]:
    return rows(con, f"""
        with base as ({sql})
        select b.*, b.gmv - b.refund_amount as effective_gmv,
               b.paid_orders / nullif(b.views, 0) as order_per_view,
               cast(rank() over (partition by b.as_of_date, b.shop_id order by b.gmv desc) as integer)
                   as gmv_rank_in_shop
        from base b""")


def _gpm(rs: list[dict]) -> list[dict]:
    for r in rs:
        r["gpm"] = None if not r["views"] else money(Decimal(1000) * Decimal(r["gmv"]) / Decimal(r["views"]))
    return rs


def live_sessions(con, window_days: int = 30) -> list[dict]:
    sql = f"""
        select a.as_of_date, s.live_session_id, s.shop_id, s.started_at, s.ended_at,
               cast(s.started_at as date) as live_date,
               epoch(s.ended_at - s.started_at) / 3600.0 as live_hours,
               s.exposures as room_exposures, s.views, s.views / nullif(s.exposures, 0) as view_rate,
               {_FUNNEL_TAIL}
        from spine a join raw_live_sessions s on s.host_type = 'shop'
          and s.started_at >= a.as_of_date - {window_days} * interval 1 day and s.ended_at <= a.as_of_date
        left join raw_orders o on o.live_session_id = s.live_session_id and o.channel = 'self_live'
          and o.shop_id = s.shop_id and o.paid_at < a.as_of_date
        left join completed_refunds r on r.as_of_date = a.as_of_date and r.order_id = o.order_id
        group by all"""
    return _gpm(_ranked(con, sql))


def videos(con) -> list[dict]:
    sql = f"""
        with w30 as (
            select a.as_of_date, c.* from spine a join raw_content_daily_stats c on c.content_type = 'video'
              and c.dt >= a.as_of_date - 30 and c.dt < a.as_of_date),
        v as (
            select as_of_date, content_id as video_id,
                   arg_max(author_id, dt) filter (where author_type = 'shop') as shop_id,
                   count(*) as active_days, sum(views) as views, sum(interactions) as interactions,
                   sum(negative_feedbacks) as negative_feedbacks
            from w30 group by all having count(*) filter (where author_type = 'shop') > 0),
        first_seen as (
            select a.as_of_date, c.content_id as video_id, min(c.dt) as first_seen_dt
            from spine a join raw_content_daily_stats c on c.content_type = 'video' and c.dt < a.as_of_date
            group by all)
        select v.as_of_date, v.video_id, v.shop_id, f.first_seen_dt, v.active_days, v.views, v.interactions,
               v.negative_feedbacks, v.interactions / nullif(v.views, 0) as interaction_rate,
               v.negative_feedbacks / nullif(v.views, 0) as negative_feedback_rate, {_FUNNEL_TAIL}
        from v join first_seen f using (as_of_date, video_id)
        left join raw_orders o on o.video_id = v.video_id and o.channel = 'short_video'
          and o.creator_id is null and o.shop_id = v.shop_id
          and o.paid_at >= v.as_of_date - 30 * interval 1 day and o.paid_at < v.as_of_date
        left join completed_refunds r on r.as_of_date = v.as_of_date and r.order_id = o.order_id
        group by all"""
    return _gpm(_ranked(con, sql))


# ---------------------------------------------------------------- §3 综合好评率 and §5 信任购

def good_reviews(con, min_rating: int = 4) -> list[dict]:
    """reviews created in W30 of the product's orders (the order's product), per product of product_tier_daily."""
    return rows(con, f"""
        with rv as (
            select a.as_of_date, o.product_id, count(*) as reviews,
                   count(*) filter (where v.rating >= {min_rating}) as good_reviews
            from spine a join raw_reviews v on v.created_at >= a.as_of_date - 30 * interval 1 day
              and v.created_at < a.as_of_date
            join raw_orders o on o.order_id = v.order_id group by all)
        select p.as_of_date, p.product_id, coalesce(rv.reviews, 0) as reviews,
               coalesce(rv.good_reviews, 0) as good_reviews, rv.good_reviews / nullif(rv.reviews, 0) as good_review_rate
        from pub.marts.product_tier_daily p join spine a using (as_of_date)
        left join rv using (as_of_date, product_id)""")


def trust(con, thresholds: list[dict]) -> tuple[list[dict], list[dict]]:
    """(trust_purchase_indicators_daily rows, trust_purchase_product_daily rows)."""
    grr = {(r["as_of_date"], r["product_id"]): r["good_review_rate"] for r in good_reviews(con)}
    src = rows(con, """
        select p.as_of_date, p.product_id, p.shop_id, p.category_id, p.paid_orders, p.tier_rank,
               p.quality_refund_rate, p.dispute_rate, p.avg_ship_hours, s.experience_score, s.im_reply_3min_rate
        from pub.marts.product_tier_daily p join spine a using (as_of_date)
        left join pub.marts.shop_experience_score_daily s using (as_of_date, shop_id)""")
    long_rows, wide_rows = [], []
    for p in src:
        vals = {k: p[k] for k in ("paid_orders", "tier_rank", "quality_refund_rate", "dispute_rate",
                                  "avg_ship_hours", "experience_score", "im_reply_3min_rate")}
        vals["good_review_rate"] = grr.get((p["as_of_date"], p["product_id"]))
        vals = {k: (None if v is None else float(v)) for k, v in vals.items()}
        res = trust_product(vals, thresholds)
        head = {"as_of_date": p["as_of_date"], "product_id": p["product_id"], "shop_id": p["shop_id"]}
        long_rows += [{**head, **lr} for lr in res.pop("long")]
        wide_rows.append({**head, "category_id": p["category_id"], **res})
    return long_rows, wide_rows


# ---------------------------------------------------------------- §4 快质造

KZZ_CRITERIA_DEFAULTS = [("experience_score", ">=", 4.00, 1), ("quality_refund_order_rate", "<=", 0.03, 2),
                         ("good_quality_product_share", ">=", 0.50, 3)]


def kzz_criteria() -> list[tuple[str, str, float, int]]:
    rs = read_seed("kuaizhizao/kuaizhizao_criteria.csv")
    if rs is None:
        return KZZ_CRITERIA_DEFAULTS
    return sorted(((r["criterion"], r["comparison"], float(r["threshold"]), int(r["sort_order"])) for r in rs),
                  key=lambda c: c[3])


def kzz_categories() -> list[str]:
    rs = read_seed("kuaizhizao/kuaizhizao_categories.csv")
    return ["服饰内衣", "鞋靴箱包"] if rs is None else [r["category_name"] for r in rs]


def kzz_inputs(con, check_dates: list[dt.date]) -> dict[tuple, dict]:
    """Per (check_date, shop_id) the 4.1 inputs, from shops/categories as of M-1 and the marts of as_of_date M."""
    names = kzz_categories()
    rs = rows(con, """
        with s as (select * from shops_asof where as_of_date in (select unnest(?))),
        share as (select as_of_date, shop_id,
                         avg(case when quality_rank >= 2 then 1.0 else 0.0 end) filter (where not is_low_sample) as share
                  from pub.marts.product_tier_daily where as_of_date in (select unnest(?)) group by all)
        select s.as_of_date as check_date, s.shop_id, s.main_category_id,
               s.status = 'active' and c.level = 1 and list_contains(?, c.name) as in_scope,
               coalesce(e.score_stage = '正式期', false) as is_scored, e.experience_score,
               e.quality_refund_order_rate, sh.share as good_quality_product_share
        from s left join categories_asof c on c.as_of_date = s.as_of_date and c.category_id = s.main_category_id
        left join pub.marts.shop_experience_score_daily e on e.as_of_date = s.as_of_date and e.shop_id = s.shop_id
        left join share sh on sh.as_of_date = s.as_of_date and sh.shop_id = s.shop_id""",
              [check_dates, check_dates, names])
    out = {}
    for r in rs:
        r["in_scope"] = bool(r["in_scope"])
        failed = []
        for crit, comp, threshold, _ in kzz_criteria():
            v = r6(r[crit])
            ok = v is not None and (v >= threshold if comp == ">=" else v <= threshold)
            if not ok:
                failed.append(crit)
        r["meets_criteria"] = not failed
        r["failed_criteria"] = ";".join(failed)
        r["has_major_complaint"] = False  # kuaizhizao_major_complaints.csv is empty by default
        r["data_through"] = r["check_date"] - dt.timedelta(days=1)
        out[(r["check_date"], r["shop_id"])] = r
    return out


def kzz_weekly(inputs: dict[tuple, dict], check_dates: list[dt.date]) -> list[dict]:
    """The state machine over `check_dates` (every Monday from the first check), given each check's inputs."""
    states: dict[int, dict] = {}
    out = []
    for m in sorted(check_dates):
        shops = {s for (c, s) in inputs if c == m} | set(states)
        for shop in sorted(shops):
            inp = inputs.get((m, shop))
            in_scope = bool(inp and inp["in_scope"])
            prev = states.get(shop)
            if not in_scope and (prev is None or prev["state_code"] == "not_member"):
                continue
            new = kzz_step(prev, m, in_scope, bool(inp and inp["meets_criteria"]),
                           bool(inp and inp["has_major_complaint"]))
            states[shop] = new
            out.append({"check_date": m, "shop_id": shop, **(inp or {}), **new})
    return out


# ---------------------------------------------------------------- §1.1 periods with 环比

class Skip:
    """An expected cell the reference cannot know (its days are outside the daily figures it can read)."""

    def __repr__(self):
        return "<not compared>"


SKIP = Skip()
PERIODS = [("natural_day", "自然日"), ("last_7d", "近7日"), ("last_30d", "近30日"), ("natural_week", "自然周"),
           ("natural_month", "自然月")]
FIGURES = ["room_exposures", "content_views", "product_exposures", "product_visits", "paid_orders", "gmv"]
RATIOS = {"view_rate": ("content_views", "room_exposures"),
          "product_exposure_per_view": ("product_exposures", "content_views"),
          "visit_rate": ("product_visits", "product_exposures"), "order_rate": ("paid_orders", "product_visits")}


def _period_figures(daily: dict, shop: int, scene: str, start: dt.date, end: dt.date, steps: set[str],
                    hs: dt.date) -> dict | None:
    """Σ of 08's daily figures over start … end, or None when a day's figure cannot be read: the day is not
    held by the published 08 mart, or the mart has no row of the shop that day (it was not yet active or
    landed; int_funnel_shop_daily may still hold its traffic). Days before history_start count 0."""
    out = {m: (0 if m in steps else None) for m in FIGURES}
    d = start
    while d <= end:
        r = daily.get((d, shop, scene))
        if r is None and d >= hs:
            return None
        for m in FIGURES:
            if r and m in steps and r[m] is not None:
                out[m] += r[m]
        d += dt.timedelta(days=1)
    if out["gmv"] is not None:
        out["gmv"] = money(Decimal(out["gmv"]))
    for k, (num, den) in RATIOS.items():
        out[k] = ratio(out[num], out[den])
    return out


def traffic_periods(con, period_ranks: dict[str, int] | None = None) -> list[dict]:
    """shop_traffic_funnel_period_daily from 08's published daily figures (one dt = D-1 per as_of_date);
    a figure whose days are not all held by the published 08 mart is SKIP."""
    daily_rows = rows(con, "select * from pub.marts.shop_traffic_funnel_daily")
    daily = {(r["dt"], r["shop_id"], r["scene"]): r for r in daily_rows}
    held = {r["dt"] for r in daily_rows}
    hi = max(held)
    scenes = {r["scene"]: (r["scene_cn"], r["scene_rank"]) for r in daily_rows}
    steps = {s: {m for m in FIGURES if any(r[m] is not None for r in daily_rows if r["scene"] == s)} for s in scenes}
    hs = history_start(con)
    active = rows(con, "select as_of_date, shop_id from shops_asof where status = 'active'")
    metrics = FIGURES + list(RATIOS)
    out = []
    for a in active:
        d, shop = a["as_of_date"], a["shop_id"]
        for scene, (scene_cn, scene_rank) in scenes.items():
            key08 = daily.get((d - dt.timedelta(days=1), shop, scene))
            for ptype, ptype_cn in PERIODS:
                ps, pe, qs, qe = period_bounds(d, ptype)
                r = {"as_of_date": d, "shop_id": shop, "scene": scene, "scene_cn": scene_cn, "scene_rank": scene_rank,
                     "period_type": ptype, "period_type_cn": ptype_cn,
                     "period_rank": SKIP if period_ranks is None else period_ranks[ptype],
                     "period_start": ps, "period_end": pe, "prev_start": qs, "prev_end": qe,
                     "period_days": (pe - ps).days + 1, "prev_days": (qe - qs).days + 1,
                     "period_complete": ps >= hs, "prev_complete": qs >= hs}
                for c in ("main_category_id", "score_stage", "stage_rank"):
                    r[c] = key08[c] if key08 else SKIP
                cur = _period_figures(daily, shop, scene, ps, pe, steps[scene], hs) if pe <= hi else None
                prev = _period_figures(daily, shop, scene, qs, qe, steps[scene], hs) if qe <= hi else None
                cur_ok, prev_ok = cur is not None, prev is not None
                complete = r["period_complete"] and r["prev_complete"]
                for m in metrics:
                    r[m] = cur[m] if cur_ok else SKIP
                    r[f"prev_{m}"] = prev[m] if prev_ok else SKIP
                    if not complete:
                        r[f"{m}_change"] = None
                        continue
                    r[f"{m}_change"] = pct_change(cur[m], prev[m]) if cur_ok and prev_ok else SKIP
                r["_cur_ok"] = cur_ok
                out.append(r)
    # peers: same main category and stage as of D, same scene and period_type; the shop itself included
    groups: dict[tuple, list[dict]] = {}
    for r in out:
        if r["main_category_id"] is not SKIP:
            groups.setdefault((r["as_of_date"], r["main_category_id"], r["score_stage"], r["scene"], r["period_type"]),
                              []).append(r)
    for r in out:
        g = groups.get((r["as_of_date"], r["main_category_id"], r["score_stage"], r["scene"], r["period_type"]))
        r["peer_group_size"] = len(g) if g else SKIP
        for m in metrics:
            if not g or not all(x["_cur_ok"] for x in g):
                r[f"peer_avg_{m}"] = SKIP
                continue
            vals = [x[m] for x in g if x[m] is not None]
            avg = None if not vals else sum(Decimal(str(v)) for v in vals) / len(vals)
            r[f"peer_avg_{m}"] = None if avg is None else (money(avg) if m == "gmv" else r6(avg))
    for r in out:
        del r["_cur_ok"]
    return out


# ---------------------------------------------------------------- §3 商品分 extra dimensions

BRAND_LEVELS = [(0, "无品牌"), (1, "品牌商品"), (2, "品牌店铺商品"), (3, "知名品牌商品")]
EXTRA_LEVELS = [(0, "不及格", 0.0), (1, "及格", 0.10), (2, "良好", 0.40), (3, "优秀", 0.75), (4, "优秀+", 0.95)]
EXTRA_WEIGHTS = {"price": [("price_vs_list", False, 0.5), ("price_vs_history", False, 0.5)],
                 "gpm": [("live_gpm", True, 0.5), ("video_gpm", True, 0.5)],
                 "good_review": [("good_review_rate", True, 1.0)]}


def known_brands() -> set[int]:
    rs = read_seed("product/known_brands.csv")
    return set() if not rs else {int(r["brand_id"]) for r in rs}


def unit_price(pay_sum, qty_sum) -> Decimal | None:
    return None if not qty_sum else money(Decimal(str(pay_sum)) / Decimal(qty_sum))


def brand_level(brand_id, is_brand_shop: bool, is_known: bool) -> tuple[int, str]:
    rank = 0 if brand_id is None else 3 if is_known else 2 if is_brand_shop else 1
    return BRAND_LEVELS[rank]


def percentiles(values: dict, higher_is_better: bool) -> dict:
    """README peer percentile over the non-NULL values (ties share the best position)."""
    import bisect
    xs = sorted(v for v in values.values() if v is not None)
    n = len(xs)
    out = {}
    for k, v in values.items():
        if v is None:
            out[k] = None
        elif higher_is_better:
            out[k] = bisect.bisect_right(xs, v) / n
        else:
            out[k] = (n - bisect.bisect_left(xs, v)) / n
    return out


def extra_level(q: float | None) -> tuple[str, int]:
    if q is None:
        return "及格", 1
    rank, level = max((r, lv) for r, lv, cut in EXTRA_LEVELS if q >= cut)
    return level, rank


def product_dimensions(con) -> list[dict]:
    """product_score_dimensions_daily: the indicators from raw and the published product_tier_daily, then each
    dimension scored against the ranked products of the product's peer group subtree (02's method)."""
    known = known_brands()
    base = rows(con, """
        with w as (select a.as_of_date, o.* from spine a join raw_orders o
                   on o.paid_at >= a.as_of_date - 30 * interval 1 day and o.paid_at < a.as_of_date),
        priced as (select as_of_date, product_id, cast(paid_at as date) as day, pay_amount, quantity,
                          paid_at >= as_of_date - 7 * interval 1 day as recent
                   from w where not is_presale and not is_flash_purchase),
        price as (select as_of_date, product_id, count(*) filter (where recent) as price_orders_7d,
                         cast(sum(pay_amount) filter (where recent) as varchar) as pay_r,
                         sum(quantity) filter (where recent) as qty_r,
                         cast(sum(pay_amount) filter (where not recent) as varchar) as pay_h,
                         sum(quantity) filter (where not recent) as qty_h
                  from priced group by all),
        daily_h as (select as_of_date, product_id, list(cast(pay as varchar) || '/' || qty) as days_h
                    from (select as_of_date, product_id, day, sum(pay_amount) as pay, sum(quantity) as qty
                          from priced where not recent group by all) group by all),
        lo as (select w.as_of_date, w.product_id, w.order_id, w.pay_amount, w.live_session_id, s.views
               from w join raw_live_sessions s using (live_session_id)
               where w.channel in ('self_live', 'creator_live')),
        live as (select as_of_date, product_id, count(*) as live_orders, sum(pay_amount) as live_gmv,
                        any_value(lv.live_views) as live_views
                 from lo join (select as_of_date, product_id, sum(views) as live_views
                               from (select distinct as_of_date, product_id, live_session_id, views from lo)
                               group by all) lv using (as_of_date, product_id) group by all),
        vc as (select a.as_of_date, c.content_id as video_id, sum(c.views) as views from spine a
               join raw_content_daily_stats c on c.content_type = 'video' and c.dt >= a.as_of_date - 30
                and c.dt < a.as_of_date group by all),
        vo as (select w.as_of_date, w.product_id, w.order_id, w.pay_amount, w.video_id, vc.views
               from w join vc using (as_of_date, video_id) where w.channel = 'short_video'),
        video as (select as_of_date, product_id, count(*) as video_orders, sum(pay_amount) as video_gmv,
                         any_value(vv.video_views) as video_views
                  from vo join (select as_of_date, product_id, sum(views) as video_views
                                from (select distinct as_of_date, product_id, video_id, views from vo)
                                group by all) vv using (as_of_date, product_id) group by all)
        select t.as_of_date, t.product_id, t.shop_id, t.category_id, t.peer_category_id, t.peer_category_level,
               t.is_low_sample, p.brand_id, coalesce(s.is_brand_flagship, false) as is_brand_shop, p.list_price,
               coalesce(pr.price_orders_7d, 0) as price_orders_7d, pr.pay_r, pr.qty_r, pr.pay_h, pr.qty_h, d.days_h,
               coalesce(l.live_orders, 0) as live_orders, coalesce(l.live_gmv, 0) as live_gmv,
               coalesce(l.live_views, 0) as live_views, coalesce(v.video_orders, 0) as video_orders,
               coalesce(v.video_gmv, 0) as video_gmv, coalesce(v.video_views, 0) as video_views
        from pub.marts.product_tier_daily t join spine using (as_of_date)
        left join products_asof p on p.as_of_date = t.as_of_date and p.product_id = t.product_id
        left join shops_asof s on s.as_of_date = t.as_of_date and s.shop_id = t.shop_id
        left join price pr on pr.as_of_date = t.as_of_date and pr.product_id = t.product_id
        left join daily_h d on d.as_of_date = t.as_of_date and d.product_id = t.product_id
        left join live l on l.as_of_date = t.as_of_date and l.product_id = t.product_id
        left join video v on v.as_of_date = t.as_of_date and v.product_id = t.product_id""")
    grr = {(r["as_of_date"], r["product_id"]): r for r in good_reviews(con)}
    for r in base:
        r["is_known_brand"] = r["brand_id"] is not None and r["brand_id"] in known
        r["brand_rank"], r["brand_level"] = brand_level(r["brand_id"], r["is_brand_shop"], r["is_known_brand"])
        r7 = unit_price(r.pop("pay_r"), r.pop("qty_r"))
        rh = unit_price(r.pop("pay_h"), r.pop("qty_h"))
        days = [unit_price(*x.split("/")) for x in (r.pop("days_h") or [])]
        r["avg_unit_price_7d"], r["avg_unit_price_prior"] = r7, rh
        r["min_daily_unit_price_prior"] = min(days) if days else None
        lp = r["list_price"]
        r["price_vs_list"] = None if r7 is None or lp is None or lp == 0 else ratio(r7, lp)
        r["price_vs_history"] = None if r7 is None or rh is None else ratio(r7, rh)
        mn = r["min_daily_unit_price_prior"]
        r["is_shop_low_price"] = None if r7 is None or mn is None else r7 <= mn
        for k in ("live", "video"):
            views = r[f"{k}_views"]
            r[f"{k}_gpm"] = None if not views else money(Decimal(1000) * Decimal(r[f"{k}_gmv"]) / Decimal(views))
        g = grr[(r["as_of_date"], r["product_id"])]
        r.update(reviews=g["reviews"], good_reviews=g["good_reviews"], good_review_rate=r6(g["good_review_rate"]))
    _score_extra(con, base)
    return base


def _score_extra(con, prods: list[dict], min_reviews: int = 5) -> None:
    """price / gpm / good_review score, level and rank per 09 §3 (02's subtree peers)."""
    cats = rows(con, "select as_of_date, category_id, parent_id from categories_asof")
    parent = {(c["as_of_date"], c["category_id"]): c["parent_id"] for c in cats}

    def ancestors(d, cat):
        seen = []
        while cat is not None and cat not in seen:
            seen.append(cat)
            cat = parent.get((d, cat))
        return seen

    def ranked(dim, p):
        if dim == "good_review":
            return p["reviews"] >= min_reviews
        return not p["is_low_sample"] and any(p[i] is not None for i, _, _ in EXTRA_WEIGHTS[dim])

    by_group: dict[tuple, list[dict]] = {}
    for p in prods:  # a product is a member of the subtree of every ancestor of its category
        for a in ancestors(p["as_of_date"], p["category_id"]):
            by_group.setdefault((p["as_of_date"], a), []).append(p)
    for dim, inds in EXTRA_WEIGHTS.items():
        q_of: dict[tuple, dict] = {}
        for p in prods:
            key = (p["as_of_date"], p["peer_category_id"])
            if key not in q_of:
                members = [m for m in by_group.get(key, []) if ranked(dim, m)]
                ps = {i: percentiles({m["product_id"]: (None if m[i] is None else float(m[i])) for m in members}, hib)
                      for i, hib, _ in inds}
                scores = {}
                for m in members:
                    num = sum(w * ps[i][m["product_id"]] for i, _, w in inds if ps[i][m["product_id"]] is not None)
                    den = sum(w for i, _, w in inds if ps[i][m["product_id"]] is not None)
                    scores[m["product_id"]] = r6(100 * num / den) if den else None
                q_of[key] = {"scores": scores, "q": percentiles(scores, True)}
            if ranked(dim, p):
                g = q_of[key]
                p[f"{dim}_score"], q = g["scores"][p["product_id"]], g["q"][p["product_id"]]
            else:
                p[f"{dim}_score"], q = None, None
            p[f"{dim}_level"], p[f"{dim}_rank"] = extra_level(q)


# ---------------------------------------------------------------- edge rows added to a generated zone

def augment_edge_cases(landing: Path) -> dict:
    """Add hand-made rows (files part-edge.parquet, the raw contract's types) that exercise 09's edge cases the
    generator never produces: a creator_live order carrying a shop session, another shop's order on it, a
    zero-view session, an order whose session never lands, commission rounding per order, two completed refunds
    over pay_amount, a refund completed on D, a pending refund, a creator order on a shop video, a video order
    without content, a video measured on several days, a review in W30 of an order paid before it."""
    import pyarrow.parquet as pq

    con = duckdb.connect()

    def one(sql):
        return con.execute(sql).fetchall()[0][0]

    def src(t):
        return f"read_parquet('{landing}/{t}/dt=*/*.parquet', hive_partitioning = true)"

    ok_product = f"""select min(product_id) from {src('products')} where shop_id = ? and listed_at < '2023-01-02'
        and product_id not in (select product_id from {src('products')} where status <> 'on_sale')"""
    s1, s2 = 10001, 10002
    p1 = con.execute(ok_product, [s1]).fetchall()[0][0]
    p2 = con.execute(ok_product, [s2]).fetchall()[0][0]
    c1 = one(f"select min(creator_id) from {src('creators')} where updated_at < '2023-01-02'")
    t = dt.datetime
    sess = {"ls_mid": 99100000001, "ls_zero": 99100000002, "ls_never": 99100000099}
    v1, v2 = 99200000001, 99200000002

    def order(k, paid, pay, channel, *, shop=s1, product=p1, creator=None, rate=None, session=None, video=None):
        return {"order_id": 99000000000 + k, "shop_id": shop, "product_id": product, "buyer_id": f"edge-buyer-{k}",
                "creator_id": creator, "channel": channel, "live_session_id": session, "video_id": video,
                "quantity": 1, "pay_amount": Decimal(pay), "commission_rate": rate, "promised_ship_hours": 48,
                "is_flash_purchase": False, "is_presale": False, "paid_at": paid}
    orders = [
        order(1, t(2023, 2, 20, 23, 30), "100.00", "self_live", session=sess["ls_mid"]),
        order(2, t(2023, 2, 20, 23, 40), "90.00", "creator_live", creator=c1, rate=0.1, session=sess["ls_mid"]),
        order(3, t(2023, 2, 20, 23, 45), "80.00", "self_live", shop=s2, product=p2, session=sess["ls_mid"]),
        order(4, t(2023, 2, 18, 10, 30), "50.00", "self_live", session=sess["ls_zero"]),
        order(5, t(2023, 2, 19, 12), "70.00", "self_live", session=sess["ls_never"]),
        *[order(k, t(2023, 2, 22, 10), "0.10", "shelf", creator=c1, rate=0.05) for k in (6, 7, 8)],
        order(9, t(2023, 2, 22, 11), "9.99", "shelf", creator=c1, rate=0.125),
        order(10, t(2023, 2, 21, 9), "100.00", "shelf", creator=c1, rate=0.2),
        order(11, t(2023, 2, 21, 10), "100.00", "shelf", creator=c1, rate=0.2),
        order(12, t(2023, 2, 21, 11), "50.00", "shelf", creator=c1, rate=0.1),
        order(13, t(2023, 2, 21, 12), "20.00", "shelf", creator=c1, rate=0.1),
        order(14, t(2023, 2, 15, 20), "40.00", "short_video", video=v1),
        order(15, t(2023, 2, 15, 21), "30.00", "short_video", creator=c1, rate=0.1, video=v1),
        order(16, t(2023, 2, 15, 22), "25.00", "short_video", video=v2),
        order(17, t(2023, 1, 5, 12), "60.00", "shelf"),
    ]
    sessions = [
        {"live_session_id": sess["ls_mid"], "host_type": "shop", "shop_id": s1, "creator_id": None,
         "started_at": t(2023, 2, 20, 23), "ended_at": t(2023, 2, 21, 1), "exposures": 1000, "views": 400},
        {"live_session_id": sess["ls_zero"], "host_type": "shop", "shop_id": s1, "creator_id": None,
         "started_at": t(2023, 2, 18, 10), "ended_at": t(2023, 2, 18, 11), "exposures": 500, "views": 0}]
    content = [{"content_type": "video", "content_id": v1, "author_type": "shop", "author_id": s1, "views": v,
                "interactions": v // 10, "negative_feedbacks": v // 100, "false_claim_reports": 0, "_dt": d}
               for d, v in ((dt.date(2023, 1, 20), 100), (dt.date(2023, 2, 10), 300), (dt.date(2023, 2, 15), 500))]

    def refund(k, oid, amount, status, updated):
        return {"refund_id": 99300000000 + k, "order_id": 99000000000 + oid, "refund_type": "refund_only",
                "reason": "quality", "refund_amount": Decimal(amount), "status": status,
                "requested_at": t(2023, 2, 22, 12), "completed_at": None if status == "pending" else updated,
                "platform_intervened": False, "updated_at": updated}
    refunds = [refund(1, 10, "60.00", "completed", t(2023, 2, 24, 10)),
               refund(2, 10, "60.00", "completed", t(2023, 2, 24, 11)),
               refund(3, 11, "30.00", "completed", t(2023, 2, 24, 12)),
               refund(4, 12, "50.00", "completed", t(2023, 2, 25, 5)),
               refund(5, 13, "20.00", "pending", t(2023, 2, 24, 13))]
    logistics = [{"order_id": 99000000000 + k, "event_type": e, "event_at": at, "carrier": "中通快递"}
                 for k in (10, 11, 12, 13)
                 for e, at in (("shipped", t(2023, 2, 21, 18)), ("collected", t(2023, 2, 21, 20)),
                               ("delivered", t(2023, 2, 23, 10)))]
    reviews = [{"review_id": 99400000001, "order_id": 99000000017, "product_id": p1, "rating": 5,
                "negative_aspect": None, "created_at": t(2023, 2, 14, 9)},
               {"review_id": 99400000002, "order_id": 99000000014, "product_id": p1, "rating": 2,
                "negative_aspect": "product", "created_at": t(2023, 2, 16, 9)}]
    stamp = {"orders": "paid_at", "live_sessions": "started_at", "refunds": "updated_at",
             "logistics_events": "event_at", "reviews": "created_at"}
    for table, rs in (("orders", orders), ("live_sessions", sessions), ("content_daily_stats", content),
                      ("refunds", refunds), ("logistics_events", logistics), ("reviews", reviews)):
        schema = pq.read_schema(next((landing / table).glob("dt=*/*.parquet")))
        by_day: dict[dt.date, list] = {}
        for r in rs:
            day = r.pop("_dt") if "_dt" in r else r[stamp[table]].date()
            by_day.setdefault(day, []).append(r)
        for day, day_rows in by_day.items():
            folder = landing / table / f"dt={day.isoformat()}"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(day_rows, schema=schema), folder / "part-edge.parquet")
    return {"shop": s1, "product": p1, "creator": c1, "sessions": sess, "videos": (v1, v2)}
