"""A small HTML summary of the newest published day (issue 16, point 7).

    python -m kscore.report warehouse/kscore.duckdb [--out FILE]

Reads the published file read-only and writes `<stem>_summary.html` beside it (for
`warehouse/kscore.duckdb`: `warehouse/kscore_summary.html`): the product tier distribution
G0–G4 (商品分层), histograms of the shop experience score (店铺体验分) and of the creator
reputation score (带货口碑分), and the 川流 reward tiers, all for the newest as_of_date.

The page renders offline: inline CSS and inline SVG, no script, no link to anything outside the
file (not even the SVG namespace URL, which HTML5 does not need). Every bar carries `data-label`
and `data-count` attributes, so a test (or a script) can read the figures back.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

# the marts this page reads (names from the contract, spec contract.json)
PRODUCT_TIERS = ("marts", "product_tier_daily")
SHOP_EXPERIENCE = ("marts", "shop_experience_score_daily")
CREATOR_REPUTATION = ("marts", "creator_reputation_score_daily")
CHUANLIU_SHOPS = ("marts", "chuanliu_shop_daily")

TIERS = ["G0", "G1", "G2", "G3", "G4"]
# both five-point scores run 2.50 … 5.00 (spec 03 and 04: score_100 / 20 over 50 … 100); bins of 0.25
SCORE_LOW_CENTS, SCORE_HIGH_CENTS, BIN_CENTS = 250, 500, 25


@dataclass
class Chart:
    title: str
    note: str
    bars: list[tuple[str, int]]  # (label, count) in display order
    css: str = "tier"


def _has(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                            [schema, table]).fetchone()[0])


def _q(relation: tuple[str, str]) -> str:
    schema, table = relation
    return f'"{schema}"."{table}"'


def newest_as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    if not _has(con, *PRODUCT_TIERS):
        return None
    return con.execute(f"select max(as_of_date) from {_q(PRODUCT_TIERS)}").fetchone()[0]


def tier_chart(con, as_of: dt.date) -> Chart:
    counts = dict(con.execute(f"select tier, count(*) from {_q(PRODUCT_TIERS)} where as_of_date = ? group by tier",
                              [as_of]).fetchall())
    total = sum(counts.values())
    good = sum(counts.get(t, 0) for t in TIERS[2:])
    note = f"{total:,} tiered products; 好货 (G2 and up) {good:,}" + (f" ({good / total:.1%})" if total else "")
    return Chart("商品分层 product tiers G0–G4", note, [(t, int(counts.get(t, 0))) for t in TIERS], "tier")


def score_histogram(con, relation: tuple[str, str], column: str, as_of: dt.date, title: str, who: str) -> Chart:
    """Counts of scored rows per 0.25-wide bin of a 2.50–5.00 score (integer cents, so no bin edge
    depends on binary floating point); unscored rows (成长期) are counted in the note."""
    bins = (SCORE_HIGH_CENTS - SCORE_LOW_CENTS) // BIN_CENTS
    rows = con.execute(
        f"""
        select least(greatest((cast(round({column} * 100) as integer) - ?) // ?, 0), ? - 1) as bin, count(*)
        from {_q(relation)}
        where as_of_date = ? and {column} is not null
        group by bin
        """, [SCORE_LOW_CENTS, BIN_CENTS, bins, as_of]).fetchall()
    counts = {int(b): int(n) for b, n in rows}
    unscored = con.execute(f"select count(*) from {_q(relation)} where as_of_date = ? and {column} is null",
                           [as_of]).fetchone()[0]
    bars = []
    for b in range(bins):
        lo = (SCORE_LOW_CENTS + b * BIN_CENTS) / 100
        hi = lo + BIN_CENTS / 100
        bars.append((f"{lo:.2f}–{hi:.2f}", counts.get(b, 0)))
    scored = sum(counts.values())
    note = f"{scored:,} scored {who}; {unscored:,} in 成长期 (no score yet)"
    return Chart(title, note, bars, "score")


def chuanliu_chart(con, as_of: dt.date) -> Chart:
    rows = con.execute(
        f"""
        select case when not is_eligible then -1 else reward_tier end as bucket, count(*), max(reward_hours)
        from {_q(CHUANLIU_SHOPS)}
        where as_of_date = ?
        group by bucket
        """, [as_of]).fetchall()
    counts = {int(b): (int(n), h) for b, n, h in rows}
    top = max([5, *counts])
    bars = [("not eligible", counts.get(-1, (0, 0))[0]), ("eligible, no reward", counts.get(0, (0, 0))[0])]
    for tier in range(1, top + 1):
        n, hours = counts.get(tier, (0, None))
        bars.append((f"tier {tier}" + (f" ({hours:g} h)" if hours is not None else ""), n))
    eligible = sum(n for b, (n, _) in counts.items() if b >= 0)
    rewarded = sum(n for b, (n, _) in counts.items() if b > 0)
    note = (f"{eligible:,} eligible shops, {rewarded:,} rewarded for {as_of - dt.timedelta(days=1)} "
            f"(reward hours of 川流 traffic in brackets)")
    return Chart("川流计划 reward tiers", note, bars, "chuanliu")


def collect(con, as_of: dt.date) -> list[Chart]:
    charts = []
    if _has(con, *PRODUCT_TIERS):
        charts.append(tier_chart(con, as_of))
    if _has(con, *SHOP_EXPERIENCE):
        charts.append(score_histogram(con, SHOP_EXPERIENCE, "experience_score", as_of,
                                      "店铺体验分 shop experience score (2.50–5.00)", "shops"))
    if _has(con, *CREATOR_REPUTATION):
        charts.append(score_histogram(con, CREATOR_REPUTATION, "reputation_score", as_of,
                                      "带货口碑分 creator reputation score (2.50–5.00)", "creators"))
    if _has(con, *CHUANLIU_SHOPS):
        charts.append(chuanliu_chart(con, as_of))
    return charts


def svg_bars(chart: Chart) -> str:
    """A horizontal bar chart as inline SVG (label, bar, count per row)."""
    row_h, label_w, bar_w, count_w = 24, 150, 360, 80
    width, height = label_w + bar_w + count_w, row_h * len(chart.bars) + 8
    peak = max([n for _, n in chart.bars] + [1])
    e = html.escape
    parts = [f'<svg class="chart {e(chart.css)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{e(chart.title)}">']
    for i, (label, n) in enumerate(chart.bars):
        y = 4 + i * row_h
        w = 0 if n == 0 else max(1.0, bar_w * n / peak)
        parts.append(
            f'<g class="bar" data-label="{e(label)}" data-count="{n}">'
            f'<title>{e(label)}: {n:,}</title>'
            f'<text class="label" x="{label_w - 8}" y="{y + row_h * 0.68:.1f}" text-anchor="end">{e(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" rx="2"></rect>'
            f'<text class="count" x="{label_w + w + 6:.1f}" y="{y + row_h * 0.68:.1f}">{n:,}</text>'
            f'</g>')
    parts.append("</svg>")
    return "".join(parts)


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2rem auto; max-width: 1180px; padding: 0 1rem; color: #1f2933; background: #fff; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
p.meta { color: #52606d; margin-top: 0; }
.grid { display: flex; flex-wrap: wrap; gap: 1.5rem; }
section { border: 1px solid #d9e2ec; border-radius: 6px; padding: .8rem 1rem; }
h2 { font-size: 1.05rem; margin: .2rem 0; }
p.note { color: #52606d; font-size: .85rem; margin: .2rem 0 .6rem; }
svg text { font-size: 12px; fill: #1f2933; }
svg.tier rect { fill: #2f80ed; }
svg.score rect { fill: #27ae60; }
svg.chuanliu rect { fill: #e67e22; }
footer { color: #7b8794; font-size: .8rem; margin-top: 1.5rem; }
"""


def render(published_name: str, as_of: dt.date | None, first: dt.date | None, charts: list[Chart]) -> str:
    e = html.escape
    if as_of is None:
        body = "<p>No published as_of_date yet: this file holds no product tiers.</p>"
        meta = "nothing published"
    else:
        body = '<div class="grid">' + "".join(
            f'<section><h2>{e(c.title)}</h2><p class="note">{e(c.note)}</p>{svg_bars(c)}</section>' for c in charts
        ) + "</div>"
        span = f"; published as_of_dates {first} … {as_of}" if first and first != as_of else ""
        meta = f"as_of_date {as_of} (data up to {as_of - dt.timedelta(days=1)}){span}"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>kscore summary {e(str(as_of or ''))}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>kscore summary</h1>\n<p class=\"meta\">{e(published_name)} · {e(meta)}</p>\n{body}\n"
        "<footer>Written by <code>python -m kscore.report</code> from the published file; the newest as_of_date "
        "only. The rules behind each figure: docs/rules.md.</footer>\n</body>\n</html>\n")


def default_output(published: Path) -> Path:
    return published.with_name(f"{published.stem}_summary.html")


def write_report(published: Path, out: Path | None = None) -> Path:
    """Write the summary page of the published file's newest as_of_date; return its path."""
    published = Path(published)
    out = Path(out) if out else default_output(published)
    con = duckdb.connect(str(published), read_only=True)
    try:
        as_of = newest_as_of(con)
        first = con.execute(f"select min(as_of_date) from {_q(PRODUCT_TIERS)}").fetchone()[0] if as_of else None
        charts = collect(con, as_of) if as_of else []
    finally:
        con.close()
    text = render(published.name, as_of, first, charts)
    # written whole, then renamed: a browser or web server never sees half a page
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kscore.report",
                                     description="Write an offline HTML summary of the newest published as_of_date "
                                                 "beside the published file.")
    parser.add_argument("published", nargs="?", default=os.environ.get("KSCORE_WAREHOUSE", "warehouse/kscore.duckdb"),
                        help="the published file (default $KSCORE_WAREHOUSE, else warehouse/kscore.duckdb)")
    parser.add_argument("--out", help="where to write the page (default <published stem>_summary.html beside it)")
    args = parser.parse_args(argv)
    published = Path(args.published)
    if not published.exists():
        print(f"no published file at {published}: run `make run` (or `kscore run`) first", file=sys.stderr)
        return 1
    try:
        out = write_report(published, Path(args.out) if args.out else None)
    except duckdb.Error as exc:
        print(f"cannot read the published file {published}: {exc}", file=sys.stderr)
        return 1
    print(f"summary page: {out.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
