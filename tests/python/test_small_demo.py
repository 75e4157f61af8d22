"""The marts on the `small` demo (acceptance of issues 3, 4 and 5).

The last two as_of_dates of the small zone (one range build: 2023-04-30 is
inside the seed's April 自播 coupon activity, 2023-05-01 after it) are built
and published once; the tests read the published file. The generator's hidden shop profiles
(`_meta/shop_profiles.parquet`, docs/generator.md) say which shops it made bad.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kscore import PROJECT_DIR
from kscore.pipeline import run

SMALL_START = dt.date(2023, 1, 1)
FIRST = dt.date(2023, 4, 30)
AS_OF = dt.date(2023, 5, 1)  # the last as_of_date of the small demo (120 days)
CHECK_CONTRACT = PROJECT_DIR.parent / "shared" / "tools" / "check_contract.py"


@pytest.fixture(scope="module")
def small_published(tmp_path_factory):
    from kscore.generate import generate

    root = tmp_path_factory.mktemp("small")
    landing = root / "landing"
    generate(landing, scale="small", start=SMALL_START, seed=42)
    published = root / "wh" / "kscore.duckdb"
    result = run(FIRST, AS_OF, landing, published, progress=lambda s: None)
    assert result.ok, result.message
    con = duckdb.connect(str(published), read_only=True)
    con.execute(f"create temp view profiles as select * from read_parquet('{landing / '_meta' / 'shop_profiles.parquet'}')")
    yield published, con
    con.close()


def test_shop_scores_stay_in_range_and_spread(small_published):
    _, con = small_published
    lo, hi, lo100, hi100, n = con.execute("""
        select min(experience_score), max(experience_score), min(experience_score_100), max(experience_score_100), count(*)
        from marts.shop_experience_score_daily where as_of_date = ? and is_scored""", [AS_OF]).fetchone()
    assert n >= 50, n
    assert 2.5 <= lo and hi <= 5.0 and 50 <= lo100 and hi100 <= 100
    assert hi - lo >= 1.5, (lo, hi)


def test_bad_shops_score_lower_than_good_shops(small_published):
    _, con = small_published
    rows = dict(con.execute("""
        select case when p.is_bad_service then 'bad' when not p.is_slow_shipper then 'good' else 'slow' end,
               avg(s.experience_score)
        from marts.shop_experience_score_daily s join profiles p using (shop_id)
        where s.as_of_date = ? and s.is_scored group by 1""", [AS_OF]).fetchall())
    assert rows["bad"] < rows["good"] - 0.3, rows
    slow, fast = con.execute("""
        select avg(case when p.is_slow_shipper then s.logistics_experience_score end),
               avg(case when not p.is_slow_shipper then s.logistics_experience_score end)
        from marts.shop_experience_score_daily s join profiles p using (shop_id)
        where s.as_of_date = ? and s.is_scored""", [AS_OF]).fetchone()
    assert slow < fast, (slow, fast)


def test_growth_stage_shops_have_no_score(small_published):
    _, con = small_published
    bad = con.execute("""
        select count(*) from marts.shop_experience_score_daily
        where as_of_date = ? and ((paid_orders_30d < 30) <> (score_stage = '成长期')
                                  or (not is_scored and experience_score_100 is not null))""", [AS_OF]).fetchone()[0]
    assert bad == 0
    assert con.execute("select count(*) from marts.shop_experience_score_daily where as_of_date = ? and not is_scored",
                       [AS_OF]).fetchone()[0] > 0


def test_long_tables_add_up_to_the_totals(small_published):
    _, con = small_published
    for mart, long, key, total in [
        ("shop_experience_score_daily", "shop_experience_indicators_daily", "shop_id", "experience_score_100"),
        ("creator_reputation_score_daily", "creator_reputation_indicators_daily", "creator_id", "reputation_score_100"),
    ]:
        worst, n = con.execute(f"""
            select max(abs(m.{total} - l.s)), count(*) from marts.{mart} m
            join (select as_of_date, {key}, sum(weighted_score) s from marts.{long} group by all) l using (as_of_date, {key})
            where m.is_scored""").fetchone()
        assert n > 0 and worst <= 0.01, (mart, worst)


def test_creator_scores_stay_in_range_and_spread(small_published):
    _, con = small_published
    lo, hi, n, levels = con.execute("""
        select min(reputation_score), max(reputation_score), count(*), count(distinct creator_level)
        from marts.creator_reputation_score_daily where as_of_date = ? and is_scored""", [AS_OF]).fetchone()
    assert n >= 50 and levels >= 2
    assert 2.5 <= lo and hi <= 5.0 and hi - lo >= 1.0, (lo, hi)


def test_published_file_passes_the_whole_contract(small_published):
    published, con = small_published
    if not CHECK_CONTRACT.exists():  # a clone without ../shared: check against the vendored contract
        spec = json.loads(Path(__file__).with_name("contract.json").read_text())["tables"]
        for table, columns in spec.items():
            schema, name = table.split(".")
            have = {r[0] for r in con.execute(
                "select column_name from duckdb_columns() where schema_name = ? and table_name = ?", [schema, name]).fetchall()}
            assert set(columns) <= have, (table, set(columns) - have)
        return
    out = subprocess.run([sys.executable, str(CHECK_CONTRACT), str(published)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_product_tier_and_every_dimension_level_occurs(small_published):
    _, con = small_published
    tiers = {r[0] for r in con.execute("select distinct tier from marts.product_tier_daily where as_of_date = ?",
                                       [AS_OF]).fetchall()}
    assert tiers == {"G0", "G1", "G2", "G3", "G4"}, tiers
    expected = {
        "info_level": {"警告", "提醒", "达标", "优秀"},
        "heat_level": {"不及格", "及格", "良好", "优秀", "优秀+"},
        "quality_level": {"不及格", "及格", "良好", "优秀", "优秀+"},
        "service_level": {"不及格", "及格", "良好", "优秀", "优秀+"},
    }
    for column, levels in expected.items():
        got = {r[0] for r in con.execute(f"select distinct {column} from marts.product_tier_daily where as_of_date = ?",
                                         [AS_OF]).fetchall()}
        assert got == levels, (column, got)


def test_every_chuanliu_reward_tier_and_coupon_status_occurs(small_published):
    _, con = small_published
    tiers = {r[0] for r in con.execute("select distinct reward_tier from marts.chuanliu_shop_daily "
                                       "where reward_tier > 0").fetchall()}
    assert tiers == {1, 2, 3, 4, 5}, tiers
    statuses = {r[0] for r in con.execute("select distinct status from marts.chuanliu_coupon_tasks").fetchall()}
    assert statuses == {"not_offered", "in_progress", "achieved", "not_achieved"}, statuses


def test_big_fast_shops_earn_the_late_shipment_exemption(small_published):
    """高现货 (spec 08): the fast-shipping distribution brands pass > 3,000 orders, > 70 % committed-spot and
    >= 97 % timely in their data weeks; their first late order of an exempt week is waived."""
    _, con = small_published
    exempt_shops, exempt_weeks = con.execute("""
        select count(distinct shop_id), count(*) from marts.shop_ship_exemption_weekly
        where as_of_date = ? and is_exempt""", [AS_OF]).fetchone()
    assert exempt_shops >= 1 and exempt_weeks >= 4, (exempt_shops, exempt_weeks)
    waived = con.execute("select count(*) from marts.late_shipment_penalties where as_of_date = ? and is_waived",
                         [AS_OF]).fetchone()[0]
    assert waived >= 1
