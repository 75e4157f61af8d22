"""`kscore explain … --what-if` (issue 13, point 2): one entity recomputed by the marts' SQL, its peers fixed.

The session's shared published build (conftest `published_tiny`: a tiny zone of 60 days, as_of_dates
2023-02-24 … 2023-02-26) is read, never changed. The what-if's SQL
(rendered by dbt from the marts' macros) run over the unchanged day gives back every row of the marts;
setting an indicator to its own value changes nothing for sampled products, shops and creators; the
peers' best values reach the level the seeds predict; walking one indicator through its peers' values
moves the level one cut point at a time; bad input is one line on stderr and exit code 2.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys

import duckdb
import pytest

from kscore import PROJECT_DIR
from kscore.paths import warehouse_paths
from kscore.whatif import WhatIfError, inputs, parse_changes, what_if
from kscore.whatif.compiled import compiled_statements

from conftest import PUBLISHED_DAYS

DAY = PUBLISHED_DAYS[1]
PRODUCT_SCORE_COLUMNS = ("peer_category_id", "peer_category_level", "peer_group_size", "heat_score",
                         "heat_percentile", "heat_rank", "heat_level", "quality_score", "quality_percentile",
                         "quality_rank", "quality_level", "service_score", "service_percentile", "service_rank",
                         "service_level", "info_cap", "heat_cap", "quality_cap", "service_cap", "tier_rank", "tier")


@pytest.fixture(scope="module")
def wh(published_tiny):
    published = published_tiny
    con = duckdb.connect(str(published), read_only=True)
    con.execute(f"attach '{warehouse_paths(published).build}' as kscore_build (read_only)")
    yield published, con
    con.close()


def ids(con, sql: str) -> list[int]:
    return [r[0] for r in con.execute(sql, [DAY]).fetchall()]


def test_unchanged_day_gives_back_the_marts(wh):
    """The rendered SQL over the day's published inputs, nothing changed, equals every mart row (EXCEPT both ways)."""
    published, con = wh
    stmts = compiled_statements(warehouse_paths(published))
    inputs.load_changes(con, {})
    inputs.product_indicators(con, "kscore_build", -1, DAY, [
        "effective_gmv", "exposure_conversion", "quality_refund_rate", "negative_quality_review_rate",
        "in_stock_ratio", "avg_ship_hours", "im_reply_3min_rate", "im_satisfaction_rate", "dispute_rate",
        "refund_self_complete_hours"])
    con.execute(f"create or replace temp table whatif_product_scores as {stmts['product_scores']}")
    cols = ", ".join(("product_id", *PRODUCT_SCORE_COLUMNS))
    a = f"select {cols} from ({stmts['product_tier']})"
    b = f"select {cols} from marts.product_tier_daily where as_of_date = ?"
    assert con.execute(f"select count(*) from ({a})").fetchall()[0][0] > 500
    assert con.execute(f"select count(*) from ({a} except all {b})", [DAY]).fetchall()[0][0] == 0
    assert con.execute(f"select count(*) from ({b} except all {a})", [DAY]).fetchall()[0][0] == 0
    for kind, m in inputs.SCORED.items():
        inputs.scored_indicators(con, kind, -1, DAY)
        con.execute(f"create or replace temp table whatif_scored as {stmts[kind + '_scored']}")
        wide = f"select * from ({stmts[kind + '_wide']})"
        mart = f"select * from marts.{m['score']} where as_of_date = ?"
        assert con.execute(f"select count(*) from ({wide})").fetchall()[0][0] > 20
        assert con.execute(f"select count(*) from ({wide} except all {mart})", [DAY]).fetchall()[0][0] == 0
        assert con.execute(f"select count(*) from ({mart} except all {wide})", [DAY]).fetchall()[0][0] == 0
        long = (f"select {m['key']}, indicator, value, indicator_score, weight, weighted_score, is_scored "
                "from whatif_scored")
        mart = (f"select {m['key']}, indicator, value, indicator_score, weight, weighted_score, is_scored "
                f"from marts.{m['indicators']} where as_of_date = ?")
        assert con.execute(f"select count(*) from ({long} except all {mart})", [DAY]).fetchall()[0][0] == 0
        assert con.execute(f"select count(*) from ({mart} except all {long})", [DAY]).fetchall()[0][0] == 0


def sampled(con, kind: str) -> list[int]:
    if kind == "product":
        return sorted(set(ids(con, """
            select min(product_id) from marts.product_tier_daily where as_of_date = ?
            group by tier, is_low_sample, peer_category_id = category_id""")))[:8]
    m = inputs.SCORED[kind]
    return sorted(set(ids(con, f"select min({m['key']}) from marts.{m['score']} where as_of_date = ? "
                               f"group by is_scored, {m['group']}")))[:6]


@pytest.mark.parametrize("kind", ["product", "shop", "creator"])
def test_own_value_changes_nothing(wh, kind):
    published, con = wh
    entities = sampled(con, kind)
    assert len(entities) >= 3
    for entity in entities:
        base = what_if(kind, entity, DAY, {}, published)
        assert base["after"] == base["before"], (kind, entity)
        own = {k: v for k, v in base["before"]["indicators"].items() if v is not None} if kind == "product" else \
            {i["indicator"]: i["value"] for i in base["before"]["indicators"] if i["value"] is not None}
        doc = what_if(kind, entity, DAY, own, published)
        assert doc["after"] == doc["before"], (kind, entity)
        assert [c["old"] for c in doc["changes"]] == [c["new"] for c in doc["changes"]]


def peers_best(con, product: dict, indicator: str, higher_is_better: bool) -> float:
    """The best value of the indicator among the ranked products of the product's chosen subtree."""
    agg = "max" if higher_is_better else "min"
    return con.execute(f"""
        select {agg}({indicator}) from kscore_build.intermediate.int_product_tier_indicators
        where as_of_date = ? and not is_low_sample and category_l{product['peer_category_level']}_id = ?""",
                       [DAY, product["peer_category_id"]]).fetchall()[0][0]


def ranked_product(con, where: str) -> dict:
    cur = con.execute(f"""select product_id, peer_category_id, peer_category_level, info_cap, heat_cap, quality_cap,
                                 service_cap from marts.product_tier_daily
                          where as_of_date = ? and not is_low_sample and {where}
                          order by peer_group_size desc, product_id limit 1""", [DAY])
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0], strict=True))


def test_peer_best_reaches_the_seeds_top_level(wh):
    """Every quality indicator at its peers' best: percentile 1 for each, score 100, the dimension percentile 1,
    the top level of dimension_levels, its cap from tier_caps and the tier the lowest cap."""
    published, con = wh
    p = ranked_product(con, "quality_rank <= 2")
    weights = con.execute("select indicator, higher_is_better from kscore_build.rules.dimension_weights "
                          "where dimension = 'quality'").fetchall()
    changes = {i: peers_best(con, p, i, hib) for i, hib in weights}
    top_rank, top_level = con.execute("select level_rank, level from kscore_build.rules.dimension_levels "
                                      "where min_percentile <= 1 order by level_rank desc limit 1").fetchall()[0]
    top_cap = con.execute("select tier_cap from kscore_build.rules.tier_caps where dimension = 'quality' "
                          "and level_rank = ?", [top_rank]).fetchall()[0][0]
    doc = what_if("product", p["product_id"], DAY, changes, published)
    quality = next(d for d in doc["after"]["dimensions"] if d["dimension"] == "quality")
    assert quality["score"] == 100.0 and quality["percentile"] == 1.0
    assert (quality["level_rank"], quality["level"], quality["cap"]) == (top_rank, top_level, top_cap)
    assert doc["before"]["tier_rank"] < doc["after"]["tier_rank"] or p["quality_cap"] == top_cap
    assert doc["after"]["tier_rank"] == min(p["info_cap"], p["heat_cap"], top_cap, p["service_cap"])
    assert doc["after"]["tier"] == f"G{doc['after']['tier_rank']}"


@pytest.mark.parametrize("kind", ["shop", "creator"])
def test_peer_best_scored_reaches_five_points(wh, kind):
    """Every indicator of a 正式期 entity at its peers' best: each indicator score 100 (50 + 50 × 1), every
    dimension 100, the total 100, five points and the top of its peers."""
    published, con = wh
    m = inputs.SCORED[kind]
    entity, group = con.execute(f"select {m['key']}, {m['group']} from marts.{m['score']} where as_of_date = ? "
                                f"and is_scored order by {m['score_name']}, {m['key']} limit 1", [DAY]).fetchall()[0]
    best = dict(con.execute(f"""
        select i.indicator, case when w.higher_is_better then max(i.value) else min(i.value) end
        from marts.{m['indicators']} as i
        inner join marts.{m['score']} as s on s.as_of_date = i.as_of_date and s.{m['key']} = i.{m['key']}
        inner join kscore_build.rules.{m['weights']} as w on w.indicator = i.indicator
        where i.as_of_date = ? and i.is_scored and s.{m['group']} = ? and i.value is not null
        group by i.indicator, w.higher_is_better""", [DAY, group]).fetchall())
    doc = what_if(kind, entity, DAY, best, published)
    after = doc["after"]
    assert after["is_scored"] and doc["before"]["five_point"] < 5.0
    assert all(i["indicator_score"] == 100.0 for i in after["indicators"] if i["indicator"] in best)
    assert all(d["score"] == 100.0 for d in after["dimensions"] if d["score"] is not None)
    assert (after["score_100"], after["five_point"], after["peer_percentile"]) == (100.0, 5.0, 1.0)


def test_crossing_a_cut_point_moves_the_level_by_one(wh):
    """One quality indicator walked through its peers' values, worst to best: the level never falls, each
    change is exactly one level, at the seed's cut point (the value one step before keeps the old level)."""
    published, con = wh
    p = ranked_product(con, "quality_rank = 1 and peer_group_size >= 50")
    values = sorted({r[0] for r in con.execute(f"""
        select quality_refund_rate from kscore_build.intermediate.int_product_tier_indicators
        where as_of_date = ? and not is_low_sample and category_l{p['peer_category_level']}_id = ?""",
                                                 [DAY, p["peer_category_id"]]).fetchall()}, reverse=True)
    cuts = dict(con.execute("select level_rank, min_percentile from kscore_build.rules.dimension_levels").fetchall())
    walk = []
    for v in values:
        q = next(d for d in what_if("product", p["product_id"], DAY, {"quality_refund_rate": v},
                                    published)["after"]["dimensions"] if d["dimension"] == "quality")
        walk.append((q["level_rank"], q["percentile"]))
    moves = [(a, b) for a, b in itertools.pairwise(walk) if a[0] != b[0]]
    assert moves, walk
    for (rank_a, pct_a), (rank_b, pct_b) in moves:
        assert rank_b == rank_a + 1, walk
        assert pct_a < cuts[rank_b] <= pct_b, walk


def test_parse_changes_and_bad_indicators(wh):
    published, con = wh
    assert parse_changes(["quality_refund_rate=0.01", " dispute_rate = 0 "]) == {
        "quality_refund_rate": 0.01, "dispute_rate": 0.0}
    for bad in (["quality_refund_rate"], ["=1"], ["quality_refund_rate=abc"], ["quality_refund_rate=inf"],
                ["dispute_rate=1", "dispute_rate=2"]):
        with pytest.raises(WhatIfError):
            parse_changes(bad)
    product = ids(con, "select min(product_id) from marts.product_tier_daily where as_of_date = ?")[0]
    with pytest.raises(WhatIfError, match="unknown indicator 'info_score'"):
        what_if("product", product, DAY, {"info_score": 90.0}, published)
    shop = ids(con, "select min(shop_id) from marts.shop_experience_score_daily where as_of_date = ?")[0]
    with pytest.raises(WhatIfError, match="unknown indicator 'quality_refund_rate'"):
        what_if("shop", shop, DAY, {"quality_refund_rate": 0.0}, published)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "kscore.cli", "explain", *map(str, args)], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=120)


def test_cli_text_json_and_errors(wh):
    published, con = wh
    p = ranked_product(con, "quality_rank <= 2")
    ok = cli("product", p["product_id"], "--as-of", DAY, "--warehouse", published, "--json",
             "--what-if", "quality_refund_rate=0", "--what-if", "negative_quality_review_rate=0")
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert doc["tier"]["tier"] == doc["what_if"]["before"]["tier"]
    assert [c["indicator"] for c in doc["what_if"]["changes"]] == ["quality_refund_rate",
                                                                    "negative_quality_review_rate"]
    text = cli("product", p["product_id"], "--as-of", DAY, "--warehouse", published,
               "--what-if", "quality_refund_rate=0")
    assert text.returncode == 0 and "假设 (what-if, 同行固定)" in text.stdout and "商品分层 " in text.stdout
    shop = ids(con, "select min(shop_id) from marts.shop_experience_score_daily where as_of_date = ? and is_scored")[0]
    text = cli("shop", shop, "--as-of", DAY, "--warehouse", published, "--what-if", "im_reply_3min_rate=1")
    assert text.returncode == 0, text.stderr
    assert "IM三分钟回复率" in text.stdout.split("假设")[1] and "百分制 " in text.stdout.split("假设")[1]
    for args in (["--what-if", "no_such_indicator=1"], ["--what-if", "quality_refund_rate=abc"],
                 ["--what-if", "quality_refund_rate"]):
        bad = cli("product", p["product_id"], "--as-of", DAY, "--warehouse", published, *args)
        assert bad.returncode == 2 and bad.stdout == "", bad
        assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
        assert bad.stderr.startswith("kscore explain: ")
    for entity, day in ((999999999, DAY), (p["product_id"], DAY - dt.timedelta(days=5))):
        bad = cli("product", entity, "--as-of", day, "--warehouse", published, "--what-if", "dispute_rate=0")
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad
        assert "Traceback" not in bad.stderr
