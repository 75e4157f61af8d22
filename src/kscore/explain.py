"""`kscore explain {product|shop|creator} ID --as-of D` (issue 13, point 1): why an entity has its score.

Reads the published file (read-only; `marts.*` are views over Parquet day files, see publish.py)
and, for the seeds' Chinese names and the counts the marts do not carry, the build file beside it
(`<stem>_build.duckdb`, attached read-only). Every number is a cell of a mart, a seed row or a sum
of an intermediate daily pre-aggregate over the published window; no scoring rule is recomputed
here. docs/explain.md documents the JSON document `explain()` returns, key by key.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path

import duckdb

from kscore.buildfile import busy_error
from kscore.paths import warehouse_paths
from kscore.sqltext import literal

SCHEMA_VERSION = 1
KINDS = ("product", "shop", "creator")
# the catalog alias of the attached build file, detached again after use: DuckDB shares one database
# instance per file within a process, so a caller's own connection to the published file would keep it
BUILD = "kscore_explain_build"

# 商品分层 indicators whose counts product_tier_daily does not carry: (numerator, denominator) read from
# the build file's daily pre-aggregates, summed over the published window W (see _product_build_counts).
PRODUCT_COUNTS = {
    "effective_gmv": (None, None),
    "exposure_conversion": ("effective_gmv", "exposures"),
    "quality_refund_rate": ("quality_refund_orders", "paid_orders"),
    "negative_quality_review_rate": ("negative_product_reviews", "reviews"),
    "in_stock_ratio": ("in_stock_orders", "paid_orders"),
    "avg_ship_hours": ("ship_hours_sum", "shipped_orders"),
    "im_reply_3min_rate": ("im_replied_3min_sessions", "im_sessions"),
    "im_satisfaction_rate": ("im_satisfied_sessions", "im_rated_sessions"),
    "dispute_rate": ("dispute_orders", "paid_orders"),
    "refund_self_complete_hours": ("merchant_complete_hours_sum", "merchant_completed_refunds"),
}
# the Chinese label of each count (the mart's column descriptions)
COUNT_NAMES = {
    "paid_orders": "支付订单数", "effective_gmv": "有效GMV", "exposures": "曝光次数",
    "quality_refund_orders": "品退订单数", "reviews": "评价数", "negative_product_reviews": "品质相关差评数",
    "dispute_orders": "纠纷介入订单数", "in_stock_orders": "现货订单数", "shipped_orders": "已发货订单数",
    "ship_hours_sum": "发货总时长(小时)", "im_sessions": "IM会话数", "im_replied_3min_sessions": "3分钟内回复会话数",
    "im_rated_sessions": "已评价会话数", "im_satisfied_sessions": "满意会话数",
    "merchant_completed_refunds": "商家自主完结退款数", "merchant_complete_hours_sum": "自主完结总时长(小时)",
}
# where each count not in the mart is read from (the build file's intermediate models)
COUNT_SOURCES = {
    **dict.fromkeys(("in_stock_orders", "shipped_orders", "ship_hours_sum"),
                    "build:intermediate.int_product_orders_daily"),
    **dict.fromkeys(("im_sessions", "im_replied_3min_sessions", "im_rated_sessions", "im_satisfied_sessions"),
                    "build:intermediate.int_shop_im_daily"),
    **dict.fromkeys(("merchant_completed_refunds", "merchant_complete_hours_sum"),
                    "build:intermediate.int_refunds_enriched"),
}
MART_COUNTS = frozenset({"paid_orders", "effective_gmv", "exposures", "quality_refund_orders", "reviews",
                         "negative_product_reviews", "dispute_orders"})
PRODUCT_DIMENSIONS = ("info", "heat", "quality", "service")
INFO_NOTE = ("信息力 is a checklist score (seed info_checklist), not a peer percentile; "
             "the points per checklist item are not published")


class ExplainError(Exception):
    """An unknown entity or day, or a file that cannot be read: one line for the user, exit code 2."""


def _plain(v):
    """A DuckDB value as a JSON value: DECIMAL → float, DATE → ISO text, NaN stays None."""
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def _one(con, sql: str, params=()) -> dict | None:
    rows = _rows(con, sql, params)
    return rows[0] if rows else None


def _param(con, seed: str, name: str):
    row = con.execute(f"select value from {BUILD}.rules.{seed} where param = ?", [name]).fetchone()
    if row is None:
        raise ExplainError(f"seed rules.{seed} of the build file has no param {name!r}")
    v = row[0]
    return int(v) if float(v).is_integer() else float(v)


def _window(con, as_of: dt.date, seed: str, param: str) -> dict:
    """The window D-days … D-1 of a seed's window length (the marts' convention)."""
    days = _param(con, seed, param)
    start, end = con.execute("select cast(? as date) - cast(? as integer), cast(? as date) - 1",
                             [as_of, days, as_of]).fetchone()
    return {"start": start.isoformat(), "end": end.isoformat(), "days": days}


def connect(warehouse: Path | str | None):
    """The published file read-only, with the build file attached read-only as BUILD."""
    paths = warehouse_paths(warehouse)
    if not paths.published.is_file():
        raise ExplainError(f"no published file {paths.published} (run `kscore run` first)")
    if not paths.build.is_file():
        raise ExplainError(f"no build file {paths.build} beside the published file (the seeds and "
                           "intermediate counts explain reads)")
    try:
        con = duckdb.connect(str(paths.published), read_only=True)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExplainError(f"cannot open {paths.published} read-only: {first}") from None
    try:
        con.execute(f"attach {literal(paths.build)} as {BUILD} (read_only)")
    except duckdb.Error as exc:
        con.close()
        busy = busy_error(paths.build, exc)
        if busy is not None:
            raise ExplainError(" ".join(str(busy).split())) from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExplainError(f"cannot open {paths.build} read-only: {first}") from None
    return con, paths


def _check_day(con, mart: str, as_of: dt.date) -> None:
    lo, hi, n = con.execute(f"select min(as_of_date), max(as_of_date), count(*) filter (where as_of_date = ?) "
                            f"from marts.{mart}", [as_of]).fetchone()
    if not n:
        span = f"{_plain(lo)} … {_plain(hi)}" if lo is not None else "none"
        raise ExplainError(f"as_of_date {as_of} is not published in marts.{mart} (published: {span})")


def _category(con, category_id) -> dict:
    row = _one(con, "select category_name, category_level from bi.dim_categories where category_id = ?",
               [category_id]) if category_id is not None else None
    return {"name": row["category_name"] if row else None, "level": row["category_level"] if row else None}


# --- products (商品分层, spec 02) -------------------------------------------------------------------

def _product_build_counts(con, row: dict) -> dict:
    """The counts behind 现货比例, 发货时长, 3分钟回复率, 服务满意率 and 退款/退货自主完结时长 that
    product_tier_daily does not publish: the build file's daily pre-aggregates over W (orders paid in W;
    shipped by the end of D-1; the shop's IM sessions of W; merchant-completed refunds of orders paid
    in W, the refund version in force for D)."""
    w = [row["product_id"], row["window_start"], row["window_end"]]
    orders = _one(con, f"""
        select coalesce(sum(in_stock_orders), 0) as in_stock_orders,
               coalesce(sum(case when shipped_date <= cast(? as date) then shipped_orders end), 0) as shipped_orders,
               sum(case when shipped_date <= cast(? as date) then ship_hours_sum end) as ship_hours_sum
        from {BUILD}.intermediate.int_product_orders_daily
        where product_id = ? and paid_date between cast(? as date) and cast(? as date)""",
                  [row["window_end"], row["window_end"], *w])
    im = _one(con, f"""
        select coalesce(sum(sessions), 0) as im_sessions,
               coalesce(sum(replied_3min_sessions), 0) as im_replied_3min_sessions,
               coalesce(sum(rated_sessions), 0) as im_rated_sessions,
               coalesce(sum(satisfied_sessions), 0) as im_satisfied_sessions
        from {BUILD}.intermediate.int_shop_im_daily
        where shop_id = ? and im_date between cast(? as date) and cast(? as date)""",
              [row["shop_id"], row["window_start"], row["window_end"]])
    refunds = _one(con, f"""
        select count(*) as merchant_completed_refunds, sum(complete_hours) as merchant_complete_hours_sum
        from {BUILD}.intermediate.int_refunds_enriched
        where product_id = ? and order_paid_date between cast(? as date) and cast(? as date)
          and is_completed and is_merchant_completed
          and in_force_from <= cast(? as date) and (in_force_to is null or in_force_to >= cast(? as date))""",
                   [*w, row["as_of_date"], row["as_of_date"]])
    return {**orders, **im, **refunds}


def explain_product(con, product_id: int, as_of: dt.date) -> dict:
    _check_day(con, "product_tier_daily", as_of)
    row = _one(con, "select * from marts.product_tier_daily where product_id = ? and as_of_date = ?",
               [product_id, as_of])
    if row is None:
        raise ExplainError(f"product {product_id} is not in marts.product_tier_daily for as_of_date {as_of} "
                           "(unknown, not on sale, or its shop is not active)")
    dim = _one(con, "select * from bi.dim_products where product_id = ?", [product_id]) or {}
    leaf = _category(con, row["category_id"])
    peer = _category(con, row["peer_category_id"])
    min_size = _param(con, "product_tier_params", "min_peer_group_size")
    min_orders = _param(con, "product_tier_params", "min_orders_for_rates")
    fell_back = row["peer_category_id"] != row["category_id"]
    reason = reason_code = None
    if fell_back:
        reason_code = "leaf_group_too_small"
        reason = (f"叶子类目 {row['category_id']} 近{_param(con, 'product_tier_params', 'window_days')}天有支付订单的"
                  f"商品少于 {min_size} 个, 上溯到 {row['peer_category_level']} 级类目 (min_peer_group_size)")
    elif row["peer_group_size"] < min_size:
        reason_code = "no_level_large_enough"
        reason = f"对比商品数 {row['peer_group_size']} < {min_size}: 已是最高级类目, 仍按此组排名"
    counts = {k: row[k] for k in MART_COUNTS}
    build_counts = _product_build_counts(con, row)
    counts.update({k: _plain(v) for k, v in build_counts.items()})
    names = {r["dimension"]: r["dimension_cn"] for r in _rows(
        con, f"select distinct dimension, dimension_cn from {BUILD}.rules.tier_caps")}
    order = list(PRODUCT_COUNTS)  # the mart's column order
    weights = sorted(_rows(con, f"select * from {BUILD}.rules.dimension_weights"),
                     key=lambda w: order.index(w["indicator"]))
    dimensions = []
    for d in PRODUCT_DIMENSIONS:
        indicators = []
        for w in (x for x in weights if x["dimension"] == d):
            num, den = PRODUCT_COUNTS[w["indicator"]]
            indicators.append({
                "indicator": w["indicator"], "name_cn": w["indicator_cn"], "value": row[w["indicator"]],
                "weight": w["weight"], "higher_is_better": w["higher_is_better"],
                "numerator": {"count": num, "name_cn": COUNT_NAMES[num], "value": counts[num],
                              "source": COUNT_SOURCES.get(num, "marts.product_tier_daily")}
                if num else None,
                "denominator": {"count": den, "name_cn": COUNT_NAMES[den], "value": counts[den],
                                "source": COUNT_SOURCES.get(den, "marts.product_tier_daily")}
                if den else None,
            })
        dimensions.append({
            "dimension": d, "name_cn": names.get(d), "score": row[f"{d}_score"],
            "percentile": row.get(f"{d}_percentile"), "level": row[f"{d}_level"], "level_rank": row[f"{d}_rank"],
            "cap": row[f"{d}_cap"], "indicators": indicators,
            "note": INFO_NOTE if d == "info" else None,
        })
    extra = _one(con, "select brand_level, price_level, price_score, gpm_level, gpm_score, good_review_level, "
                      "good_review_score from marts.product_score_dimensions_daily "
                      "where product_id = ? and as_of_date = ?", [product_id, as_of])
    return {
        "schema_version": SCHEMA_VERSION, "entity": "product", "id": product_id, "as_of_date": as_of.isoformat(),
        "name": dim.get("title"), "shop_id": row["shop_id"],
        "window": {"start": row["window_start"], "end": row["window_end"],
                   "days": _param(con, "product_tier_params", "window_days")},
        "paid_orders": row["paid_orders"], "is_low_sample": row["is_low_sample"], "min_orders_for_rates": min_orders,
        "peer_group": {"leaf_category_id": row["category_id"], "leaf_category_name": leaf["name"],
                       "leaf_category_level": leaf["level"], "category_id": row["peer_category_id"],
                       "category_name": peer["name"], "category_level": row["peer_category_level"],
                       "size": row["peer_group_size"], "min_size": min_size, "fell_back": fell_back,
                       "reason_code": reason_code, "reason": reason},
        "dimensions": dimensions,
        "tier": {"tier": row["tier"], "tier_rank": row["tier_rank"], "is_good_product": row["is_good_product"],
                 "has_good_badge": row["has_good_badge"], "is_laggard": row["is_laggard"],
                 "upgrade_hint": row["upgrade_hint"], "orders_to_rank": row["orders_to_rank"]},
        "extra_dimensions": extra,
    }


# --- shops (店铺体验分, spec 03) and creators (带货口碑分, spec 04) -----------------------------------

SCORED = {
    "shop": {"score": "shop_experience_score_daily", "indicators": "shop_experience_indicators_daily",
             "key": "shop_id", "params": "experience_params", "weights": "shop_indicator_weights",
             "dimension_weights": "shop_dimension_weights", "group": "main_category_id",
             "orders": "paid_orders_30d", "total": "experience_score_100", "five_point": "experience_score",
             "name_cn": "店铺体验分"},
    "creator": {"score": "creator_reputation_score_daily", "indicators": "creator_reputation_indicators_daily",
                "key": "creator_id", "params": "reputation_params", "weights": "creator_indicator_weights",
                "dimension_weights": "creator_dimension_weights", "group": "creator_level",
                "orders": "distribution_orders_30d", "total": "reputation_score_100",
                "five_point": "reputation_score", "name_cn": "带货口碑分"},
}


def explain_scored(con, kind: str, entity_id: int, as_of: dt.date) -> dict:
    m = SCORED[kind]
    _check_day(con, m["score"], as_of)
    row = _one(con, f"select * from marts.{m['score']} where {m['key']} = ? and as_of_date = ?", [entity_id, as_of])
    if row is None:
        raise ExplainError(f"{kind} {entity_id} is not in marts.{m['score']} for as_of_date {as_of} "
                           f"(unknown or not active)")
    group = row[m["group"]]
    indicators = _rows(con, f"""
        select i.dimension, i.indicator, i.indicator_name_cn, i.value, i.numerator, i.denominator,
               i.indicator_score, i.weight, i.weighted_score, w.higher_is_better, w.dimension_key
        from marts.{m['indicators']} as i
        left join {BUILD}.rules.{m['weights']} as w on w.indicator = i.indicator
        where i.{m['key']} = ? and i.as_of_date = ? order by i.sort_order""", [entity_id, as_of])
    dim_weights = _rows(con, f"""
        select dimension, weight from {BUILD}.rules.{m['dimension_weights']}
        where {m['group']} = ? or ({m['group']} is null and not exists (
            select 1 from {BUILD}.rules.{m['dimension_weights']} where {m['group']} = ?))""", [group, group])
    dw = {r["dimension"]: r["weight"] for r in dim_weights}
    dimensions = []
    for ind in indicators:
        if not dimensions or dimensions[-1]["name_cn"] != ind["dimension"]:
            key = ind["dimension_key"]
            dimensions.append({"dimension": key, "name_cn": ind["dimension"], "score": row.get(f"{key}_score"),
                               "weight": dw.get(ind["dimension"]), "indicators": []})
        dimensions[-1]["indicators"].append({
            "indicator": ind["indicator"], "name_cn": ind["indicator_name_cn"], "value": ind["value"],
            "numerator": ind["numerator"], "denominator": ind["denominator"],
            "higher_is_better": ind["higher_is_better"], "indicator_score": ind["indicator_score"],
            "weight": ind["weight"], "weighted_score": ind["weighted_score"]})
    doc = {
        "schema_version": SCHEMA_VERSION, "entity": kind, "id": entity_id, "as_of_date": as_of.isoformat(),
        "window": _window(con, as_of, m["params"], "window_days"),
        "stage": row["score_stage"], "is_scored": row["is_scored"], "orders_30d": row[m["orders"]],
        "min_orders_scored": _param(con, m["params"], "min_orders_scored"),
        "dimensions": dimensions,
        "total": {"name_cn": m["name_cn"], "score_100": row[m["total"]],
                  "five_point": row[m["five_point"]], "peer_percentile": row["peer_percentile"]},
    }
    if kind == "shop":
        dim = _one(con, "select shop_name from bi.dim_shops where shop_id = ?", [entity_id]) or {}
        doc["name"] = dim.get("shop_name")
        doc["stability_window"] = _window(con, as_of, m["params"], "stability_window_days")
        category = _category(con, group)  # D's main category (bi.dim_shops holds the newest one)
        doc["peer_group"] = {"by": "main_category_id", "main_category_id": group, "category_name": category["name"],
                             "category_level": category["level"], "size": row["peer_group_size"]}
    else:
        dim = _one(con, "select nickname from bi.dim_creators where creator_id = ?", [entity_id]) or {}
        doc["name"] = dim.get("nickname")
        doc["peer_group"] = {"by": "creator_level", "creator_level": group, "size": row["peer_group_size"]}
    return doc


def explain(kind: str, entity_id: int, as_of: dt.date, warehouse: Path | str | None = None) -> dict:
    """The explanation of one entity on one as_of_date as a JSON-ready dict (docs/explain.md)."""
    if kind not in KINDS:
        raise ExplainError(f"unknown entity kind {kind!r}; one of {', '.join(KINDS)}")
    con, paths = connect(warehouse)
    try:
        doc = explain_product(con, entity_id, as_of) if kind == "product" else explain_scored(con, kind, entity_id, as_of)
    except duckdb.Error as exc:
        raise ExplainError(f"cannot read {paths.published}: {str(exc).strip().splitlines()[0]}") from None
    finally:
        con.execute(f"detach {BUILD}")
        con.close()
    doc["sources"] = {"published": str(paths.published), "build": str(paths.build)}
    return doc


def to_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False, default=_plain)


# --- text ---------------------------------------------------------------------------------------------

def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}"
    return str(v)


def _pct(q) -> str:
    return "—" if q is None else f"{100 * q:.4f}".rstrip("0").rstrip(".") + "%"


def _ratio(ind: dict) -> str:
    num, den = ind.get("numerator"), ind.get("denominator")
    if isinstance(num, dict):  # products: named counts
        tag = " [构建文件]" if any(p["source"].startswith("build:") for p in (num, den)) else ""
        return f" = {num['name_cn']} {_fmt(num['value'])} / {den['name_cn']} {_fmt(den['value'])}{tag}"
    if num is None:
        return ""
    return f" = {_fmt(num)} / {_fmt(den)}" if den is not None else ""  # a day count is its own value


def render_text(doc: dict) -> str:
    out = []
    w = doc["window"]
    if doc["entity"] == "product":
        pg, t = doc["peer_group"], doc["tier"]
        out.append(f"商品 {doc['id']} (店铺 {doc['shop_id']}) 发布日期 {doc['as_of_date']}: 商品分层 {t['tier']}")
        out.append(f"统计周期 {w['start']} … {w['end']} ({w['days']}天); 支付订单数 {doc['paid_orders']}"
                   + (f"; 低样本 (< {doc['min_orders_for_rates']} 单: 品质力/服务力不排名)" if doc["is_low_sample"] else ""))
        out.append(f"对比类目 {pg['category_id']} {pg['category_name'] or ''} ({pg['category_level']}级), "
                   f"对比商品数 {pg['size']}; 叶子类目 {pg['leaf_category_id']} {pg['leaf_category_name'] or ''}"
                   + (f"; 回退: {pg['reason']}" if pg["reason"] else ""))
        for d in doc["dimensions"]:
            out.append(f"  {d['name_cn']}: 分 {_fmt(d['score'])}, 同类百分位 {_fmt(d['percentile'])}, "
                       f"等级 {d['level']} ({d['level_rank']}), 分层上限 G{d['cap']}")
            if d["note"]:
                out.append(f"    ({d['note']})")
            for ind in d["indicators"]:
                out.append(f"    {ind['name_cn']} {_fmt(ind['value'])}{_ratio(ind)} (权重 {_fmt(ind['weight'])}, "
                           f"{'越高越好' if ind['higher_is_better'] else '越低越好'})")
        out.append(f"商品分层 {t['tier']} = min(分层上限); 好货 {_fmt(t['is_good_product'])}, "
                   f"好货标签 {_fmt(t['has_good_badge'])}, 落后商品 {_fmt(t['is_laggard'])}")
        if t["upgrade_hint"]:
            out.append(f"商品分层优化建议: {t['upgrade_hint']}")
        out.append("[构建文件] = 商品分层表未发布的计数, 读自构建文件的中间模型")
        return "\n".join(out) + "\n"
    label = "店铺" if doc["entity"] == "shop" else "达人"
    tot, pg = doc["total"], doc["peer_group"]
    out.append(f"{label} {doc['id']} {doc.get('name') or ''} 发布日期 {doc['as_of_date']}: "
               f"{tot['name_cn']} {_fmt(tot['five_point'])} ({doc['stage']})")
    line = f"统计周期 {w['start']} … {w['end']} ({w['days']}天)"
    if "stability_window" in doc:
        sw = doc["stability_window"]
        line += f"; 经营稳定性 {sw['start']} … {sw['end']} ({sw['days']}天)"
    out.append(line + f"; 近30天订单 {doc['orders_30d']} (正式期需 ≥ {doc['min_orders_scored']})")
    group = (f"主营类目 {pg['main_category_id']} {pg.get('category_name') or ''}" if doc["entity"] == "shop"
             else f"达人等级 {pg['creator_level']}")
    out.append(f"同行: {group}, 同行数 {pg['size']}")
    for d in doc["dimensions"]:
        out.append(f"  {d['name_cn']}: 得分 {_fmt(d['score'])} (维度权重 {_fmt(d['weight'])})")
        for ind in d["indicators"]:
            out.append(f"    {ind['name_cn']} {_fmt(ind['value'])}{_ratio(ind)}: 指标得分 {_fmt(ind['indicator_score'])}, "
                       f"权重 {_fmt(ind['weight'])}, 加权得分 {_fmt(ind['weighted_score'])}")
    if doc["is_scored"]:
        out.append(f"{tot['name_cn']}（百分制） {_fmt(tot['score_100'])} → {_fmt(tot['five_point'])} 分; "
                   f"超过 {_pct(tot['peer_percentile'])} 同行")
    else:
        out.append(f"成长期: 近30天订单 {doc['orders_30d']} < {doc['min_orders_scored']}, 指标只展示, 不计分, "
                   f"不作同行")
    return "\n".join(out) + "\n"
