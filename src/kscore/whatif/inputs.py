"""The input relations of the what-if: one day's published rows of every entity, one entity's values changed.

These are the columns the marts' macros read from the intermediate models (int_product_tier_indicators,
int_experience_shop_indicators, int_reputation_creator_indicators), taken from the published marts of
the day (the peers' values exactly as published) and, for products, the category ancestors of that day
from the build file (int_product_category_paths). Only the changed cells differ. Nothing is scored here.
"""
from __future__ import annotations

import datetime as dt

# the scored kinds: the published marts that hold the inputs, the entity key, the peer group column
SCORED = {
    "shop": {"indicators": "shop_experience_indicators_daily", "score": "shop_experience_score_daily",
             "key": "shop_id", "group": "main_category_id", "orders": "paid_orders_30d",
             "weights": "shop_indicator_weights", "score_name": "experience_score"},
    "creator": {"indicators": "creator_reputation_indicators_daily", "score": "creator_reputation_score_daily",
                "key": "creator_id", "group": "creator_level", "orders": "distribution_orders_30d",
                "weights": "creator_indicator_weights", "score_name": "reputation_score"},
}


def load_changes(con, changes: dict[str, float]) -> None:
    """The temp table whatif_changes(indicator, value) of the asked changes."""
    con.execute("create or replace temp table whatif_changes (indicator varchar, value double)")
    if changes:
        con.executemany("insert into whatif_changes values (?, ?)", [[k, float(v)] for k, v in changes.items()])


def product_indicators(con, build: str, product_id: int, as_of: dt.date, indicators: list[str]) -> int:
    """temp table whatif_product_indicators: every tiered product of D (marts.product_tier_daily) with the
    category ancestors of D (the build file's int_product_category_paths); the product's changed indicators
    take the asked values, cast to the mart column's type. Returns how many products of D have no ancestors
    in the build file (0 when the build file holds D)."""
    types = {r[0]: r[1] for r in con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'product_tier_daily'").fetchall()}
    cols = ",\n".join(
        f"case when t.product_id = {int(product_id)} and exists (select 1 from whatif_changes where indicator = "
        f"'{i}') then cast((select value from whatif_changes where indicator = '{i}') as {types[i]}) "
        f"else t.{i} end as {i}" for i in indicators)
    con.execute(f"""
        create or replace temp table whatif_product_indicators as
        select t.as_of_date, t.product_id, t.category_id, cp.category_l3_id, cp.category_l2_id,
               cp.category_l1_id, t.paid_orders, t.is_low_sample, t.info_score, t.info_level, t.info_rank,
               {cols}
        from marts.product_tier_daily as t
        left join {build}.intermediate.int_product_category_paths as cp
            on cp.as_of_date = t.as_of_date and cp.category_id = t.category_id
        where t.as_of_date = ?""", [as_of])
    return con.execute("select count(*) from whatif_product_indicators where category_l1_id is null "
                       "and category_l2_id is null and category_l3_id is null").fetchall()[0][0]


def scored_indicators(con, kind: str, entity_id: int, as_of: dt.date) -> None:
    """temp table whatif_indicators: the long indicator rows of D of every shop (creator), with the peer
    group and the gate's volume from the score mart, the entity's changed values replaced."""
    m = SCORED[kind]
    con.execute(f"""
        create or replace temp table whatif_indicators as
        select i.as_of_date, i.{m['key']}, s.{m['group']}, s.{m['orders']}, i.is_scored, i.indicator,
               case when i.{m['key']} = ? and c.indicator is not null then c.value else i.value end as value,
               i.numerator, i.denominator
        from marts.{m['indicators']} as i
        inner join marts.{m['score']} as s on s.as_of_date = i.as_of_date and s.{m['key']} = i.{m['key']}
        left join whatif_changes as c on c.indicator = i.indicator and i.{m['key']} = ?
        where i.as_of_date = ?""", [entity_id, entity_id, as_of])
