"""`kscore explain` (issue 13, point 1): its numbers are the marts' cells, its text names the platform's terms.

The session's shared published build (conftest `published_tiny`: a tiny zone of 60 days, as_of_dates
2023-02-24 … 2023-02-26) is read, never changed; on its last two days sampled
products, and every shop and creator of a day, are explained in process and compared cell by cell with the
published marts; the command line is run for the text, the JSON and the errors (exit code 2, one line).
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from kscore import PROJECT_DIR
from kscore.explain import ExplainError, explain

from conftest import PUBLISHED_DAYS

DAYS = (PUBLISHED_DAYS[1] - dt.timedelta(days=1), PUBLISHED_DAYS[1])
PRODUCT_DIMENSIONS = ("info", "heat", "quality", "service")


@pytest.fixture(scope="module")
def wh(published_tiny):
    published = published_tiny
    con = duckdb.connect(str(published), read_only=True)
    yield published, con
    con.close()


def rows(con, sql, params=()):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def same(a, b) -> bool:
    """A JSON number and a mart cell (DECIMAL, DOUBLE, BIGINT) hold the same value."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(b, bool) or isinstance(a, str):
        return a == b
    return float(a) == float(b)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "kscore.cli", "explain", *map(str, args)], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=60)


def sampled_products(con, day):
    """Every tier, a low-sample product, a product whose peer group fell back, a product without
    orders, and every 60th product."""
    picks = rows(con, """
        select product_id from (
            select product_id, row_number() over (partition by tier order by product_id) as n
            from marts.product_tier_daily where as_of_date = ?) where n <= 2
        union select min(product_id) from marts.product_tier_daily where as_of_date = ? and is_low_sample
        union select min(product_id) from marts.product_tier_daily
            where as_of_date = ? and peer_category_id <> category_id
        union select min(product_id) from marts.product_tier_daily where as_of_date = ? and paid_orders = 0
        union select product_id from (
            select product_id, row_number() over (order by product_id) as n
            from marts.product_tier_daily where as_of_date = ?) where n % 60 = 1""", [day] * 5)
    return sorted(r["product_id"] for r in picks if r["product_id"] is not None)


@pytest.mark.parametrize("day", DAYS)
def test_product_numbers_are_the_marts_cells(wh, day):
    published, con = wh
    ids = sampled_products(con, day)
    assert len(ids) >= 15
    fell_back = 0
    for pid in ids:
        doc = explain("product", pid, day, published)
        cell = rows(con, "select * from marts.product_tier_daily where product_id = ? and as_of_date = ?",
                    [pid, day])[0]
        assert doc["tier"]["tier"] == cell["tier"] and doc["tier"]["tier_rank"] == cell["tier_rank"]
        assert doc["window"]["start"] == cell["window_start"].isoformat()
        assert doc["window"]["end"] == cell["window_end"].isoformat()
        assert doc["paid_orders"] == cell["paid_orders"]
        pg = doc["peer_group"]
        assert (pg["category_id"], pg["category_level"], pg["size"]) == (
            cell["peer_category_id"], cell["peer_category_level"], cell["peer_group_size"])
        assert pg["fell_back"] == (cell["peer_category_id"] != cell["category_id"]) == (pg["reason"] is not None)
        fell_back += pg["fell_back"]
        assert [d["dimension"] for d in doc["dimensions"]] == list(PRODUCT_DIMENSIONS)
        for d in doc["dimensions"]:
            k = d["dimension"]
            assert same(d["score"], cell[f"{k}_score"]), (pid, k)
            assert d["level"] == cell[f"{k}_level"] and d["level_rank"] == cell[f"{k}_rank"], (pid, k)
            assert d["cap"] == cell[f"{k}_cap"], (pid, k)
            if k != "info":
                assert same(d["percentile"], cell[f"{k}_percentile"]), (pid, k)
            for ind in d["indicators"]:
                assert same(ind["value"], cell[ind["indicator"]]), (pid, ind["indicator"])
                num, den = ind["numerator"], ind["denominator"]
                if num is None:
                    continue
                for part in (num, den):
                    if part["source"] == "marts.product_tier_daily":
                        assert same(part["value"], cell[part["count"]]), (pid, part["count"])
                # the counts read from the build file give the published rate back
                expected = None if not den["value"] or num["value"] is None else round(num["value"] / den["value"], 6)
                assert (expected is None) == (ind["value"] is None), (pid, ind["indicator"], num, den)
                if expected is not None:
                    assert abs(expected - ind["value"]) <= 1e-6, (pid, ind["indicator"], num, den)
        assert min(d["cap"] for d in doc["dimensions"]) == cell["tier_rank"], "the tier is the lowest cap"
    assert fell_back >= 1


@pytest.mark.parametrize("kind, score, indicators, key, total, five", [
    ("shop", "shop_experience_score_daily", "shop_experience_indicators_daily", "shop_id",
     "experience_score_100", "experience_score"),
    ("creator", "creator_reputation_score_daily", "creator_reputation_indicators_daily", "creator_id",
     "reputation_score_100", "reputation_score"),
])
def test_shop_and_creator_numbers_are_the_marts_cells(wh, kind, score, indicators, key, total, five):
    published, con = wh
    day = DAYS[-1]
    cells = rows(con, f"select * from marts.{score} where as_of_date = ? order by {key}", [day])
    assert len(cells) >= 20
    for cell in cells:
        doc = explain(kind, cell[key], day, published)
        assert doc["stage"] == cell["score_stage"] and doc["is_scored"] == cell["is_scored"]
        assert same(doc["total"]["score_100"], cell[total]) and same(doc["total"]["five_point"], cell[five])
        assert same(doc["total"]["peer_percentile"], cell["peer_percentile"])
        assert doc["peer_group"]["size"] == cell["peer_group_size"]
        group = "main_category_id" if kind == "shop" else "creator_level"
        assert doc["peer_group"]["by"] == group and doc["peer_group"][group] == cell[group]
        assert doc["window"] == {"start": (day - dt.timedelta(days=30)).isoformat(),
                                 "end": (day - dt.timedelta(days=1)).isoformat(), "days": 30}
        for d in doc["dimensions"]:
            assert same(d["score"], cell[f"{d['dimension']}_score"]), (cell[key], d["dimension"])
        got = [i for d in doc["dimensions"] for i in d["indicators"]]
        want = rows(con, f"select * from marts.{indicators} where {key} = ? and as_of_date = ? order by sort_order",
                    [cell[key], day])
        assert [i["indicator"] for i in got] == [w["indicator"] for w in want]
        for i, w in zip(got, want, strict=True):
            assert i["name_cn"] == w["indicator_name_cn"]
            for col in ("value", "numerator", "denominator", "indicator_score", "weight", "weighted_score"):
                assert same(i[col], w[col]), (cell[key], i["indicator"], col)
            if cell["is_scored"]:
                assert same(i["indicator_score"], cell[f"{i['indicator']}_score"])


def test_the_text_names_the_platform_terms_and_json_is_the_same_document(wh):
    published, con = wh
    day = DAYS[-1]
    pid = rows(con, "select min(product_id) as p from marts.product_tier_daily where as_of_date = ? "
                    "and not is_low_sample", [day])[0]["p"]
    shop = rows(con, "select min(shop_id) as s from marts.shop_experience_score_daily where as_of_date = ? "
                     "and is_scored", [day])[0]["s"]
    creator = rows(con, "select min(creator_id) as c from marts.creator_reputation_score_daily "
                        "where as_of_date = ? and is_scored", [day])[0]["c"]
    terms = {
        ("product", pid): ["商品分层", "信息力", "热度值", "品质力", "服务力", "品退率", "品退订单数", "支付订单数",
                           "同类百分位", "对比类目", "分层上限", "统计周期"],
        ("shop", shop): ["店铺体验分", "商品体验", "物流体验", "售后&服务", "经营稳定性", "商品品质退单率",
                         "正式期", "同行数", "主营类目"],
        ("creator", creator): ["带货口碑分", "内容体验", "内容负反馈率", "达人等级", "同行数"],
    }
    for (kind, eid), words in terms.items():
        text = cli(kind, eid, "--as-of", day, "--warehouse", published)
        assert text.returncode == 0, text.stderr
        for w in words:
            assert w in text.stdout, (kind, w)
        js = cli(kind, eid, "--as-of", day, "--warehouse", published, "--json")
        assert js.returncode == 0, js.stderr
        assert json.loads(js.stdout) == json.loads(json.dumps(explain(kind, eid, day, published)))


def test_unknown_entity_or_day_is_one_line_and_exit_code_2(wh, tmp_path):
    published, _ = wh
    for args in (("product", 1, "--as-of", DAYS[-1]), ("shop", 99999999, "--as-of", DAYS[-1]),
                 ("creator", 5000001, "--as-of", "2023-03-30"), ("product", 1000005, "--as-of", "2023-01-05")):
        out = cli(*args, "--warehouse", published)
        assert out.returncode == 2, out
        assert out.stdout == "" and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert "Traceback" not in out.stderr and out.stderr.startswith("kscore explain: ")
    missing = cli("shop", 1, "--as-of", DAYS[-1], "--warehouse", tmp_path / "none.duckdb")
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    # a build holding the build file: one line naming the holder, exit code 2. On a copy of the published
    # and the build file (the shared build is read by other test modules meanwhile; the copied catalog's
    # views still read the shared day files, by absolute path)
    held = tmp_path / "held" / "kscore.duckdb"
    held.parent.mkdir()
    shutil.copy(published, held)
    shutil.copy(published.with_name("kscore_build.duckdb"), held.with_name("kscore_build.duckdb"))
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; "
                               f"c = duckdb.connect({str(held.with_name('kscore_build.duckdb'))!r}); "
                               "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        busy = cli("shop", 10001, "--as-of", DAYS[-1], "--warehouse", held)
    finally:
        holder.kill()
        holder.wait()
    assert busy.returncode == 2 and len(busy.stderr.strip().splitlines()) == 1, busy.stderr
    assert f"PID {holder.pid}" in busy.stderr and "holds the build file" in busy.stderr
    with pytest.raises(ExplainError, match="not published"):
        explain("shop", 10001, dt.date(2023, 2, 1), published)
