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
        # one entry per mart: rows of the day / rows of every published as_of_date (a mart without
        # as_of_date: all its rows), wrapped at 100 characters so that 20+ marts stay a few lines
        entries = []
        for schema, table in marts_tables:
            q = f"{identifier(schema)}.{identifier(table)}"
            if table in dated:
                day, total, days = con.execute(
                    f"select count(*) filter (where as_of_date = ?), count(*), count(distinct as_of_date) from {q}",
                    [as_of]).fetchone()
                entries.append(f"{table} {day:,}/{total:,}")
            else:
                entries.append(f"{table} {con.execute(f'select count(*) from {q}').fetchone()[0]:,} (all)")
        if entries:
            days = con.execute("select count(distinct as_of_date) from marts.product_tier_daily").fetchone()[0] \
                if _has(con, "marts", "product_tier_daily") else 0
            print(f"  marts (rows of {as_of} / of all {days:,} as_of_dates):")
            line = "   "
            for e in entries:
                if len(line) + len(e) + 2 > 100:
                    print(line.rstrip(","))
                    line = "   "
                line += f" {e},"
            print(line.rstrip(","))
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
        if _has(con, "marts", "trust_purchase_product_daily"):
            e, n = con.execute("select count(*) filter (where is_data_eligible), count(*) "
                               "from marts.trust_purchase_product_daily where as_of_date = ?", [as_of]).fetchone()
            print(f"  信任购: {e:,} of {n:,} products meet every data threshold")
        if _has(con, "marts", "kuaizhizao_shop_weekly"):
            rows = con.execute("select state, count(*) from marts.kuaizhizao_shop_weekly where check_date = "
                               "(select max(check_date) from marts.kuaizhizao_shop_weekly) group by 1 order by 1"
                               ).fetchall()
            print("  快质造 (latest check): " + (", ".join(f"{s} {n:,}" for s, n in rows) or "no check yet"))
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
