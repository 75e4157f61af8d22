"""`kscore report --shop ID --as-of D --out FILE.html` (issue 13, point 5): one shop's page.

Reads the published file read-only (as `kscore explain` does) and collects, for one shop and one
as_of_date D, every figure the page shows into one plain dict (`collect`): the 店铺体验分 scores and
indicators of D, their history over the 30 as_of_dates D-29 … D, the shop's 商品分层 distribution
against its main category's, the largest gaps to the next level (`gaps`, issue 13 point 3) and the
merchant alerts (商家预警) of those 30 days. Every number is a cell of a published mart; nothing is
recomputed. `kscore.shop_report_html` turns the dict into the page (docs/report.md).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from kscore.explain import _plain, _rows
from kscore.paths import warehouse_paths

HISTORY_DAYS = 30
TIERS = ("G0", "G1", "G2", "G3", "G4")
TIER_COLUMNS = tuple(f"{t.lower()}_products" for t in TIERS)
SCORE = "shop_experience_score_daily"
INDICATORS = "shop_experience_indicators_daily"
SHOP_TIERS = "shop_product_tier_summary_daily"
CATEGORY_TIERS = "category_tier_distribution_daily"
ALERTS = "shop_alerts_daily"
# issue 13 point 3, built by another change: read only when the published file has them
DISTANCE_MARTS = ("shop_score_distance_daily", "product_indicator_distance_daily",
                  "product_tier_path_daily")
# the dimension scores of shop_experience_score_daily with the platform's names
DIMENSIONS = {
    "product_experience_score": "商品体验",
    "logistics_experience_score": "物流体验",
    "service_experience_score": "售后&服务",
    "stability_score": "经营稳定性",
}
SCORE_COLUMNS = ("score_stage", "is_scored", "paid_orders_30d", "peer_group_size", "main_category_id",
                 *DIMENSIONS, "experience_score_100", "experience_score", "peer_percentile")


class ShopReportError(Exception):
    """An unknown shop or day, or a file that cannot be read: one line for the user, exit code 2."""


def has_relation(con, schema: str, name: str) -> bool:
    """Whether the published file has `schema.name` as a table or a view (its marts are views over
    Parquet day files, which `kscore.sqltext.has_table` does not count)."""
    return bool(con.execute("select count(*) from information_schema.tables "
                            "where table_schema = ? and table_name = ?", [schema, name]).fetchone()[0])


def connect(warehouse: Path | str | None) -> duckdb.DuckDBPyConnection:
    """The published file, read-only."""
    published = warehouse_paths(warehouse).published
    if not published.is_file():
        raise ShopReportError(f"no published file {published} (run `kscore run` first)")
    try:
        return duckdb.connect(str(published), read_only=True)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ShopReportError(f"cannot open {published} read-only: {first}") from None


def _require(con, *marts: str) -> None:
    missing = [m for m in marts if not has_relation(con, "marts", m)]
    if missing:
        raise ShopReportError(f"the published file has no marts.{', marts.'.join(missing)}")


def _check_day(con, as_of: dt.date) -> None:
    lo, hi, n = con.execute(f"select min(as_of_date), max(as_of_date), count(*) filter (where as_of_date = ?) "
                            f"from marts.{SCORE}", [as_of]).fetchone()
    if not n:
        span = f"{_plain(lo)} … {_plain(hi)}" if lo is not None else "none"
        raise ShopReportError(f"as_of_date {as_of} is not published in marts.{SCORE} (published: {span})")


def _shop(con, shop_id: int, as_of: dt.date) -> dict:
    cols = ", ".join(SCORE_COLUMNS)
    rows = _rows(con, f"select {cols} from marts.{SCORE} where shop_id = ? and as_of_date = ?", [shop_id, as_of])
    if not rows:
        known = has_relation(con, "bi", "dim_shops") and con.execute(
            "select count(*) from bi.dim_shops where shop_id = ?", [shop_id]).fetchone()[0]
        why = "not active on that day" if known else "unknown shop"
        raise ShopReportError(f"shop {shop_id} is not in marts.{SCORE} for as_of_date {as_of} ({why})")
    return rows[0]


def _names(con, shop_id: int, category_id) -> dict:
    shop = cat = None
    if has_relation(con, "bi", "dim_shops"):
        row = con.execute("select shop_name from bi.dim_shops where shop_id = ?", [shop_id]).fetchone()
        shop = row[0] if row else None
    if has_relation(con, "bi", "dim_categories"):
        row = con.execute("select category_name from bi.dim_categories where category_id = ?",
                          [category_id]).fetchone()
        cat = row[0] if row else None
    return {"shop_name": shop, "main_category_name": cat}


def _indicators(con, shop_id: int, as_of: dt.date) -> list[dict]:
    return _rows(con, f"""
        select dimension, indicator, indicator_name_cn, value, numerator, denominator, indicator_score,
               weight, weighted_score
        from marts.{INDICATORS} where shop_id = ? and as_of_date = ? order by sort_order, indicator""",
                 [shop_id, as_of])


def _history(con, shop_id: int, as_of: dt.date) -> list[dict]:
    """The published days of D-29 … D with the shop's row (a day the shop was not active is absent)."""
    cols = ", ".join(("score_stage", "paid_orders_30d", *DIMENSIONS, "experience_score_100",
                      "experience_score", "peer_percentile"))
    return _rows(con, f"""
        select as_of_date, {cols} from marts.{SCORE}
        where shop_id = ? and as_of_date between cast(? as date) - {HISTORY_DAYS - 1} and cast(? as date)
        order by as_of_date""", [shop_id, as_of, as_of])


def _tier_counts(row: dict | None) -> dict:
    row = row or {}
    counts = {t: int(row.get(c) or 0) for t, c in zip(TIERS, TIER_COLUMNS, strict=True)}
    total = int(row.get("on_sale_products") or 0)
    return {"on_sale_products": total, "counts": counts,
            "shares": {t: (n / total if total else None) for t, n in counts.items()},
            "good_products": int(row.get("good_products") or 0),
            "good_product_share": row.get("good_product_share")}


def _tiers(con, shop_id: int, category_id, as_of: dt.date) -> dict:
    """The shop's G0–G4 counts on D against its main category's: the sum of
    category_tier_distribution_daily over the leaf categories under the main (level-1) category
    (the category tree of bi.dim_categories); the shop's own history of D-29 … D too."""
    cols = ", ".join(("on_sale_products", *TIER_COLUMNS, "good_products", "good_product_share"))
    shop = _rows(con, f"select {cols} from marts.{SHOP_TIERS} where shop_id = ? and as_of_date = ?",
                 [shop_id, as_of])
    sums = ", ".join(f"sum(t.{c}) as {c}" for c in ("on_sale_products", *TIER_COLUMNS, "good_products"))
    category = _rows(con, f"""
        with recursive tree as (
            select category_id, category_id as root_id from bi.dim_categories where category_id = ?
            union all
            select c.category_id, tree.root_id from bi.dim_categories c join tree on c.parent_id = tree.category_id
        )
        select {sums}, count(*) as leaf_categories
        from marts.{CATEGORY_TIERS} t join tree using (category_id)
        where t.as_of_date = ?""", [category_id, as_of]) if has_relation(con, "bi", "dim_categories") else []
    cat = category[0] if category else {}
    if cat.get("on_sale_products"):
        cat["good_product_share"] = cat["good_products"] / cat["on_sale_products"]
    history = _rows(con, f"""
        select as_of_date, {", ".join(TIER_COLUMNS)} from marts.{SHOP_TIERS}
        where shop_id = ? and as_of_date between cast(? as date) - {HISTORY_DAYS - 1} and cast(? as date)
        order by as_of_date""", [shop_id, as_of, as_of])
    return {"shop": _tier_counts(shop[0] if shop else None), "category": _tier_counts(cat),
            "category_leaves": int(cat.get("leaf_categories") or 0), "history": history}


def _alerts(con, shop_id: int, as_of: dt.date) -> list[dict]:
    if not has_relation(con, "marts", ALERTS):
        return []
    return _rows(con, f"""
        select as_of_date, alert_type, alert_type_cn, subject_type, subject_id, prev_label, label,
               drop_value, threshold, message
        from marts.{ALERTS}
        where shop_id = ? and as_of_date between cast(? as date) - {HISTORY_DAYS - 1} and cast(? as date)
        order by as_of_date desc, alert_rank, subject_id""", [shop_id, as_of, as_of])


# the gaps section (issue 13 point 3): per distance mart, the columns shown, the shop's rows of D and the
# order, the largest gap first (reachable distances before the reasons why there is none)
GAP_TABLES = {
    "shop_score_distance_daily": {
        "columns": ("dimension", "indicator_name_cn", "current_value", "needed_value", "value_change",
                    "indicator_score", "needed_indicator_score", "experience_score", "target_score",
                    "distance_reason"),
        "where": "d.shop_id = ?",
        "order": "d.distance_reason = 'reachable' desc, d.needed_indicator_score - d.indicator_score desc "
                 "nulls last, d.indicator",
    },
    "product_indicator_distance_daily": {
        "columns": ("product_id", "dimension_cn", "indicator_cn", "level", "target_level", "current_value",
                    "needed_value", "value_change", "distance_reason"),
        "where": "d.shop_id = ?",
        "order": "d.distance_reason = 'reachable' desc, d.needed_percentile - d.current_percentile desc "
                 "nulls last, d.product_id, d.indicator",
    },
    "product_tier_path_daily": {
        "columns": ("product_id", "tier", "next_tier", "moves_needed", "level_steps_needed", "path"),
        "where": "d.shop_id = ? and not d.is_top_tier",
        "order": "d.level_steps_needed desc nulls last, d.moves_needed desc, d.product_id",
    },
}


def gap_sql(mart: str, limit: int) -> str:
    """The query of one gaps table: the shop's rows of the day (parameters shop_id, as_of_date)."""
    t = GAP_TABLES[mart]
    cols = ", ".join(f"d.{c}" for c in t["columns"])
    return (f"select {cols} from marts.{mart} as d where {t['where']} and d.as_of_date = ? "
            f"order by {t['order']} limit {int(limit)}")


def gaps(con, shop_id: int, as_of: dt.date, limit: int = 10) -> dict:
    """The largest gaps to the next level (issue 13 point 3), from the distance marts.

    {"available": False, "missing": [...]} while the published file lacks one of DISTANCE_MARTS; else one
    table per mart: {"mart", "columns", "rows"}, the shop's rows of D in GAP_TABLES' order, at most
    `limit` each."""
    missing = [m for m in DISTANCE_MARTS if not has_relation(con, "marts", m)]
    if missing:
        return {"available": False, "missing": missing, "tables": []}
    tables = [{"mart": mart, "columns": list(GAP_TABLES[mart]["columns"]),
               "rows": _rows(con, gap_sql(mart, limit), [shop_id, as_of])} for mart in DISTANCE_MARTS]
    return {"available": True, "missing": [], "tables": tables}


def collect(con, shop_id: int, as_of: dt.date) -> dict:
    """Every figure of the page for one shop and as_of_date (see the module docstring)."""
    _require(con, SCORE, INDICATORS, SHOP_TIERS, CATEGORY_TIERS)
    _check_day(con, as_of)
    score = _shop(con, shop_id, as_of)
    return {
        "shop_id": shop_id, "as_of_date": as_of.isoformat(), "history_days": HISTORY_DAYS,
        **_names(con, shop_id, score["main_category_id"]),
        "score": score,
        "dimensions": DIMENSIONS,
        "indicators": _indicators(con, shop_id, as_of),
        "history": _history(con, shop_id, as_of),
        "tiers": _tiers(con, shop_id, score["main_category_id"], as_of),
        "gaps": gaps(con, shop_id, as_of),
        "alerts_available": has_relation(con, "marts", ALERTS),
        "alerts": _alerts(con, shop_id, as_of),
    }


def write_report(shop_id: int, as_of: dt.date, out: Path | str, warehouse: Path | str | None = None) -> Path:
    """Collect the shop's figures from the published file and write the page to `out`."""
    from kscore.shop_report_html import render

    out = Path(out)
    if out.is_dir():
        raise ShopReportError(f"--out {out} is a folder; give a file name such as shop.html")
    if not out.parent.is_dir():
        raise ShopReportError(f"the folder of --out {out} does not exist")
    con = connect(warehouse)
    try:
        doc = collect(con, shop_id, as_of)
    except duckdb.Error as exc:  # e.g. a day file of a mart's view is gone: one line, not a trace
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ShopReportError(f"cannot read the published marts: {first}") from None
    finally:
        con.close()
    page = render(doc)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out
