"""The BI objects of the published file (issue 16): schema `bi` beside `marts`.

- `bi.latest_<mart>`: for every mart with an as_of_date column, a view of the mart's rows for the
  newest as_of_date published (the day files of that day only). Every publish rewrites the catalog,
  so the view always names the newest published day; a mart without rows that day reads empty.
- `bi.dim_shops`, `bi.dim_products`, `bi.dim_categories`, `bi.dim_creators`: one row per entity
  known on the newest published as_of_date D (the version in force for D: the latest with
  updated_at before D), with its name and its levels on D (the latest views). Written at publish
  time as small tables from the build file's staging models (names) and the new catalog's latest
  views (levels), so they never show a day that is not published. No buyer id and no landing path
  goes into them.

`marts` holds exactly the dbt marts; what is derived from them for BI tools lives in `bi`, so that
everything that lists `marts.*` (the run summary, the contract check, the next publish reading the
previous catalog) keeps seeing only marts. docs/publishing.md describes the objects.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from kscore.sqltext import identifier, literal

SCHEMA = "bi"
LATEST = "latest_"


def latest_view(mart: str) -> str:
    return LATEST + mart


def latest_comment(mart: str, day: dt.date | None, mart_comment: str | None) -> str:
    when = f"({day.isoformat()})" if day else "(none yet)"
    text = (f"The rows of marts.{mart} for the newest as_of_date published {when}, and only those: "
            "every publish rewrites this view for the day it publishes (empty when the mart has "
            "no row that day).")
    return text + (f" marts.{mart}: {mart_comment}" if mart_comment else "")


class Dim(NamedTuple):
    name: str
    comment: str
    staging: tuple[str, ...]        # staging models (build file) holding the names
    marts: tuple[str, ...]          # marts whose latest views give the levels
    sql: str                        # {c}, {s}, {p}, {cr}: versions in force; {bi}: the bi schema; {day}
    columns: dict[str, str | tuple[str, str]]   # comment, or (mart, column): that column's comment


_DAY = "date {day} as as_of_date"
_AS_OF = ("as_of_date: the newest as_of_date published (D); names and attributes are the versions "
          "in force for D (the latest with updated_at before D), levels are those of D")

DIMS = (
    Dim("dim_categories",
        "类目 categories with their names (类目名称) and place in the tree (一级/二级/三级类目), "
        "one row per category in force on the newest published as_of_date.",
        ("stg_landing__categories",), ("category_tier_distribution_daily",),
        f"""select c.category_id, c.name as category_name, c.level as category_level, c.parent_id,
                   pc.name as parent_name, {_DAY},
                   t.on_sale_products, t.good_products, t.good_product_share
            from {{c}} c left join {{c}} pc on pc.category_id = c.parent_id
            left join {{bi}}.{identifier(latest_view('category_tier_distribution_daily'))} t
                on t.category_id = c.category_id""",
        {"category_id": "类目ID category.",
         "category_name": "类目名称 the category's Chinese name (raw categories.name).",
         "category_level": "类目级别 1, 2 or 3 (一级/二级/三级类目).",
         "parent_id": "上级类目ID the parent category; NULL for a level-1 category.",
         "parent_name": "上级类目名称 the parent category's name; NULL for a level-1 category.",
         "as_of_date": _AS_OF + ".",
         "on_sale_products": ("category_tier_distribution_daily", "on_sale_products"),
         "good_products": ("category_tier_distribution_daily", "good_products"),
         "good_product_share": ("category_tier_distribution_daily", "good_product_share")}),
    Dim("dim_shops",
        "店铺 shops with their names (店铺名称), main category and their 店铺体验分 stage and score "
        "and 商品分层 counts on the newest published as_of_date, one row per shop in force then.",
        ("stg_landing__shops", "stg_landing__categories"),
        ("shop_experience_score_daily", "shop_product_tier_summary_daily"),
        f"""select s.shop_id, s.shop_name, s.shop_type, s.main_category_id,
                   mc.name as main_category_name, s.is_brand_flagship, s.status, {_DAY},
                   e.score_stage, e.experience_score, e.experience_score_100, e.peer_percentile,
                   t.on_sale_products, t.good_products
            from {{s}} s left join {{c}} mc on mc.category_id = s.main_category_id
            left join {{bi}}.{identifier(latest_view('shop_experience_score_daily'))} e
                on e.shop_id = s.shop_id
            left join {{bi}}.{identifier(latest_view('shop_product_tier_summary_daily'))} t
                on t.shop_id = s.shop_id""",
        {"shop_id": "店铺ID shop.",
         "shop_name": "店铺名称 the shop's name (raw shops.shop_name).",
         "shop_type": "店铺类型 enterprise 企业店 · individual 个体工商户店 · personal 个人店.",
         "main_category_id": "主营类目 the shop's level-1 category (its peer group).",
         "main_category_name": "主营类目名称 the name of main_category_id.",
         "is_brand_flagship": "品牌旗舰店.",
         "status": "店铺状态 active · closed.",
         "as_of_date": _AS_OF + "; the score columns are NULL for a shop not in "
                                "marts.shop_experience_score_daily on D.",
         "score_stage": ("shop_experience_score_daily", "score_stage"),
         "experience_score": ("shop_experience_score_daily", "experience_score"),
         "experience_score_100": ("shop_experience_score_daily", "experience_score_100"),
         "peer_percentile": ("shop_experience_score_daily", "peer_percentile"),
         "on_sale_products": ("shop_product_tier_summary_daily", "on_sale_products"),
         "good_products": ("shop_product_tier_summary_daily", "good_products")}),
    Dim("dim_products",
        "商品 products with their titles (标题), shop and category names and their 商品分层 tier "
        "on the newest published as_of_date, one row per product in force then (tier NULL: "
        "not tiered that day).",
        ("stg_landing__products", "stg_landing__shops", "stg_landing__categories"),
        ("product_tier_daily",),
        f"""select p.product_id, p.title, p.shop_id, s.shop_name, p.category_id,
                   c.name as category_name, p.status, p.list_price, {_DAY},
                   t.tier, t.tier_rank, t.is_good_product, t.has_good_badge
            from {{p}} p left join {{s}} s on s.shop_id = p.shop_id
            left join {{c}} c on c.category_id = p.category_id
            left join {{bi}}.{identifier(latest_view('product_tier_daily'))} t
                on t.product_id = p.product_id""",
        {"product_id": "商品ID product.",
         "title": "标题 the product's title (raw products.title).",
         "shop_id": "店铺ID the shop owning the product (贷主).",
         "shop_name": "店铺名称 the owning shop's name.",
         "category_id": "叶子类目ID the product's leaf category.",
         "category_name": "类目名称 the leaf category's name.",
         "status": "商品状态 on_sale 在售 · off_shelf 下架.",
         "list_price": "标价 list price, DECIMAL(18,2) yuan.",
         "as_of_date": _AS_OF + "; the tier columns are NULL for a product not tiered on D.",
         "tier": ("product_tier_daily", "tier"),
         "tier_rank": ("product_tier_daily", "tier_rank"),
         "is_good_product": ("product_tier_daily", "is_good_product"),
         "has_good_badge": ("product_tier_daily", "has_good_badge")}),
    Dim("dim_creators",
        "达人 creators with their nicknames (昵称), level and their 带货口碑分 stage and score on "
        "the newest published as_of_date, one row per creator in force then.",
        ("stg_landing__creators",), ("creator_reputation_score_daily",),
        f"""select cr.creator_id, cr.nickname, cr.creator_level, cr.fans_count, {_DAY},
                   r.score_stage, r.reputation_score, r.reputation_score_100, r.peer_percentile
            from {{cr}} cr
            left join {{bi}}.{identifier(latest_view('creator_reputation_score_daily'))} r
                on r.creator_id = cr.creator_id""",
        {"creator_id": "达人ID creator.",
         "nickname": "达人昵称 the creator's nickname (raw creators.nickname).",
         "creator_level": "达人等级 head 头部 · waist 腰部 · tail 尾部 · new 新引入 (the peer group "
                          "of 带货口碑分).",
         "fans_count": "粉丝数 fans.",
         "as_of_date": _AS_OF + "; the score columns are NULL for a creator not in "
                                "marts.creator_reputation_score_daily on D.",
         "score_stage": ("creator_reputation_score_daily", "score_stage"),
         "reputation_score": ("creator_reputation_score_daily", "reputation_score"),
         "reputation_score_100": ("creator_reputation_score_daily", "reputation_score_100"),
         "peer_percentile": ("creator_reputation_score_daily", "peer_percentile")}),
)
NAMES = frozenset({d.name for d in DIMS})
# the staging model of each alias in the SQL, and its entity key
_ALIASES = {"c": ("stg_landing__categories", "category_id"), "s": ("stg_landing__shops", "shop_id"),
            "p": ("stg_landing__products", "product_id"), "cr": ("stg_landing__creators", "creator_id")}


def _in_force(staging: str, model: str, key: str, day: dt.date) -> str:
    """The version of each entity in force for as_of_date `day`: the rule of dbt's macro version_in_force
    over the staging model's own valid_to (updated_at before the day, and no later version before it),
    not a second derivation of it here. `key` names the entity (one row per key by that rule)."""
    at = f"cast(date {literal(day.isoformat())} as timestamp)"
    return (f"(select * from {staging}.{identifier(model)} "
            f"where updated_at < {at} and (valid_to is null or valid_to >= {at}))")


def dim_sql(dim: Dim, staging: str, bi: str, day: dt.date) -> str:
    """The select of `dim` reading the staging models in `staging` (a qualified schema) and the
    latest views in `bi` (a qualified schema)."""
    return dim.sql.format(bi=bi, day=literal(day.isoformat()),
                          **{a: _in_force(staging, m, k, day) for a, (m, k) in _ALIASES.items()})


def dim_comments(dim: Dim, mart_comments: dict[str, dict[str, str]]) -> tuple[str, dict[str, str]]:
    """The table comment and the column comments of `dim`; a level column takes its mart column's
    description."""
    columns = {}
    for col, spec in dim.columns.items():
        if isinstance(spec, str):
            columns[col] = spec
        else:
            mart, src = spec
            described = mart_comments.get(mart, {}).get(src)
            columns[col] = (f"On as_of_date, from marts.{mart}.{src}"
                            + (f": {described}" if described else "."))
    return dim.comment, columns
