"""The distance marts (issue 13, point 3) applied as what-ifs (point 2): each needed value reaches exactly
the next level.

On the session's shared published build (conftest `published_tiny`, read only), for sampled rows of
`product_indicator_distance_daily` and `shop_score_distance_daily` whose distance is reachable, the
entity is recomputed by `kscore.whatif.what_if` (the marts' own macros, compiled by dbt, peers fixed)
with that indicator set to `needed_value`: it reaches the target (the product's dimension level rank,
the shop's five-point score); set one step of the indicator's precision short of it (the worse
direction), it does not. The two parts were built apart (the marts in SQL, the what-if from the
scoring macros): this is where they must agree.
"""
from __future__ import annotations

import duckdb
import pytest

from kscore.whatif import what_if

from conftest import PUBLISHED_DAYS

DAY = PUBLISHED_DAYS[1]
SAMPLE = 6


@pytest.fixture(scope="module")
def wh(published_tiny):
    con = duckdb.connect(str(published_tiny), read_only=True)
    yield published_tiny, con
    con.close()


def rows(con, sql: str) -> list[dict]:
    cur = con.execute(sql, [DAY])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def short_of(row: dict) -> float:
    """The needed value moved one step of its precision in the worse direction."""
    step = 10.0 ** -row["value_precision"]
    return row["needed_value"] - step if row["higher_is_better"] else row["needed_value"] + step


def level_rank(published, r: dict, value: float) -> int:
    """The product's level rank in the row's dimension with the row's indicator at `value`."""
    doc = what_if("product", r["product_id"], DAY, {r["indicator"]: value}, published)
    return next(d["level_rank"] for d in doc["after"]["dimensions"] if d["dimension"] == r["dimension"])


def five_point(published, r: dict, value: float) -> float:
    """The shop's five-point score with the row's indicator at `value`."""
    return what_if("shop", r["shop_id"], DAY, {r["indicator"]: value}, published)["after"]["five_point"]


def test_a_product_distance_reaches_the_next_level_and_one_step_less_does_not(wh):
    published, con = wh
    # one row per dimension and direction first, then the rest by id: every kind of indicator is sampled
    sample = rows(con, f"""
        select * from marts.product_indicator_distance_daily
        where as_of_date = ? and distance_reason = 'reachable'
        qualify row_number() over (partition by dimension, higher_is_better order by product_id, indicator) <= 2
        order by dimension, higher_is_better, product_id, indicator limit {SAMPLE}""")
    assert len(sample) >= 3, "the shared build must hold reachable product distances"
    for r in sample:
        assert level_rank(published, r, r["needed_value"]) >= r["target_rank"], r
        assert level_rank(published, r, short_of(r)) < r["target_rank"], r


def test_a_shop_distance_reaches_the_next_tenth_and_one_step_less_does_not(wh):
    published, con = wh
    sample = rows(con, f"""
        select * from marts.shop_score_distance_daily
        where as_of_date = ? and distance_reason = 'reachable'
        qualify row_number() over (partition by dimension, higher_is_better order by shop_id, indicator) <= 2
        order by dimension, higher_is_better, shop_id, indicator limit {SAMPLE}""")
    assert len(sample) >= 3, "the shared build must hold reachable shop distances"
    for r in sample:
        assert five_point(published, r, r["needed_value"]) >= r["target_score"], r
        assert five_point(published, r, short_of(r)) < r["target_score"], r
