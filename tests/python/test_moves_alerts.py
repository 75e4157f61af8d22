"""The history marts fire on a built day-over-day change (issue 13, point 4).

On the session's shared published build (conftest `published_tiny`, read only: three as_of_dates in
one range build), the moves of the last day are recomputed from the published marts of D-1 and D with
plain SQL and compared row for row: 商品分层 tier moves (up / down / same), 店铺体验分 score moves; the
tier_down and score_down alerts are exactly the moves beyond the thresholds of seed history_params
(read from the build file, not typed here). The build must hold at least one tier drop on that day,
so the alert path is exercised on real data, not only in the dbt unit tests.
"""
from __future__ import annotations

import duckdb
import pytest

from kscore.paths import warehouse_paths

from conftest import PUBLISHED_DAYS

D = PUBLISHED_DAYS[1]


@pytest.fixture(scope="module")
def con(published_tiny):
    c = duckdb.connect(str(published_tiny), read_only=True)
    c.execute(f"attach '{warehouse_paths(published_tiny).build}' as b (read_only)")
    yield c
    c.close()


def param(con, name: str) -> float:
    return float(con.execute("select value from b.rules.history_params where param = ?", [name]).fetchone()[0])


def test_product_tier_moves_are_the_tier_change_from_the_day_before(con):
    expected = con.execute("""
        select t.product_id, p.tier, t.tier, t.tier_rank - p.tier_rank,
               case when t.tier_rank > p.tier_rank then 'up' when t.tier_rank < p.tier_rank then 'down'
                    else 'same' end
        from marts.product_tier_daily as t
        inner join marts.product_tier_daily as p on p.product_id = t.product_id and p.as_of_date = t.as_of_date - 1
        where t.as_of_date = ? order by 1""", [D]).fetchall()
    got = con.execute("""select product_id, prev_tier, tier, tier_change, move from marts.product_tier_moves_daily
                         where as_of_date = ? and prev_tier is not null and tier is not null order by 1""",
                      [D]).fetchall()
    assert got == expected
    assert {m for *_, m in got} >= {"up", "down", "same"}, "the shared build must move tiers both ways on D"


def test_tier_down_alerts_are_the_drops_beyond_the_seed_threshold(con):
    steps = param(con, "alert_tier_drop_min_steps")
    drops = con.execute("""select product_id, prev_tier, tier from marts.product_tier_moves_daily
                           where as_of_date = ? and prev_tier_rank - tier_rank >= ? order by 1""",
                        [D, steps]).fetchall()
    alerts = con.execute("""select subject_id, prev_label, label from marts.shop_alerts_daily
                            where as_of_date = ? and alert_type = 'tier_down' order by 1""", [D]).fetchall()
    assert drops and alerts == drops


def test_score_moves_and_score_down_alerts(con):
    expected = con.execute("""
        select t.shop_id, p.experience_score, t.experience_score
        from marts.shop_experience_score_daily as t
        inner join marts.shop_experience_score_daily as p on p.shop_id = t.shop_id and p.as_of_date = t.as_of_date - 1
        where t.as_of_date = ? order by 1""", [D]).fetchall()
    got = con.execute("""select shop_id, prev_experience_score, experience_score from marts.shop_score_moves_daily
                         where as_of_date = ? and prev_score_stage is not null order by 1""", [D]).fetchall()
    assert got == expected and got
    drop = param(con, "alert_score_drop_min")
    down = sorted(s for s, a, b in expected if a is not None and b is not None and round(a - b, 6) >= drop)
    alerts = [r[0] for r in con.execute("""select subject_id from marts.shop_alerts_daily
                                           where as_of_date = ? and alert_type = 'score_down' order by 1""",
                                        [D]).fetchall()]
    assert alerts == down
