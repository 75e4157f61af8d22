"""The short summary `kscore run` prints after publishing (spec 07)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from kscore.sqltext import identifier


def _has(con, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                            [schema, table]).fetchone()[0])


def print_summary(published: Path, as_of: dt.date) -> None:
    con = duckdb.connect(str(published), read_only=True)
    try:
        print(f"summary for as_of_date {as_of}:")
        dated = {t for (t,) in con.execute("select table_name from duckdb_columns() where schema_name = 'marts' "
                                            "and column_name = 'as_of_date'").fetchall()}
        marts_tables = con.execute("select table_schema, table_name from information_schema.tables "
                                   "where table_schema = 'marts' order by 2").fetchall()
        for schema, table in marts_tables:
            if table in dated:
                day, total, days = con.execute(
                    "select count(*) filter (where as_of_date = ?), count(*), "
                    f"count(distinct as_of_date) from {identifier(schema)}.{identifier(table)}",
                    [as_of]).fetchone()
                print(f"  {schema}.{table}: {day:,} rows ({total:,} over {days:,} as_of_dates)")
            else:
                n = con.execute(f"select count(*) from {identifier(schema)}.{identifier(table)}"
                                ).fetchone()[0]
                print(f"  {schema}.{table}: {n:,} rows")
        if _has(con, "marts", "product_tier_daily"):
            rows = con.execute("select tier, count(*) from marts.product_tier_daily "
                               "where as_of_date = ? group by 1 order by 1", [as_of]).fetchall()
            print("  product tiers: " + ", ".join(f"{t} {n:,}" for t, n in rows))
        if _has(con, "marts", "shop_experience_score_daily"):
            lo, hi, n = con.execute("select min(experience_score), max(experience_score), count(experience_score) "
                                    "from marts.shop_experience_score_daily where as_of_date = ?", [as_of]).fetchone()
            print(f"  shop experience score: {n:,} scored shops, {lo} … {hi}")
        if _has(con, "marts", "creator_reputation_score_daily"):
            lo, hi, n = con.execute("select min(reputation_score), max(reputation_score), count(reputation_score) "
                                    "from marts.creator_reputation_score_daily where as_of_date = ?", [as_of]).fetchone()
            print(f"  creator reputation score: {n:,} scored creators, {lo} … {hi}")
        if _has(con, "marts", "chuanliu_shop_daily"):
            e, r = con.execute("select count(*) filter (where is_eligible), count(*) filter (where reward_tier > 0) "
                               "from marts.chuanliu_shop_daily where as_of_date = ?", [as_of]).fetchone()
            print(f"  川流: {e:,} eligible shops, {r:,} rewarded for {as_of - dt.timedelta(days=1)}")
    finally:
        con.close()


def main(argv=None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    published = Path(args[0] if args else "warehouse/kscore.duckdb")
    if not published.exists():
        print(f"no published file at {published}")
        return 1
    con = duckdb.connect(str(published), read_only=True)
    try:
        row = None
        if _has(con, "marts", "product_tier_daily"):
            row = con.execute("select max(as_of_date) from marts.product_tier_daily").fetchone()
    finally:
        con.close()
    as_of = row[0] if row and row[0] else dt.date.today()
    print(f"published file: {published.resolve()}")
    print_summary(published, as_of)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
