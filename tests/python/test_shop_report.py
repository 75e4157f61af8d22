"""`kscore report --shop ID --as-of D --out FILE.html` (issue 13, point 5): one shop's offline page.

The session's shared published build (conftest `published_tiny`: a tiny zone of 60 days, its as_of_dates
2023-02-24 … 2023-02-26 in one range build, so the page has a history and day-over-day alerts) is read,
never changed. The page of a
正式期 shop and of a 成长期 shop is written by the command line; its tables are read back from their
`data-field` / `data-value` cells and compared with SQL on the published marts; it must name no
external URL in any `src` or `href`; and it is opened in headless Chromium, whose rendered DOM must
hold every chart as SVG with one mark per data point. Chromium missing is a FAILURE (never a skip):
the message names the Debian package (`make chromium-setup` installs it).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import duckdb
import pytest

from kscore import PROJECT_DIR
from kscore.shop_report import DISTANCE_MARTS, collect
from kscore.shop_report_html import CHARTS, fmt, render

from conftest import PUBLISHED_DAYS

TIERS = ("G0", "G1", "G2", "G3", "G4")
DAYS = PUBLISHED_DAYS
CHROMIUM_MISSING = ("headless Chromium is needed to check that the shop report renders and none is on PATH "
                    "(chromium / chromium-browser / google-chrome): install it, e.g. `apt-get install -y "
                    "chromium` on Debian (`make chromium-setup`)")


class Page(HTMLParser):
    """The tables' cells (table id → row key → field → (data-value, text)), every src/href, the
    charts' divs and, in a rendered DOM, the SVG marks of each chart (chart → mark class → count)."""

    def __init__(self):
        super().__init__()
        self.cells: dict[str, dict[str, dict[str, tuple[str, str]]]] = {}
        self.links: list[str] = []
        self.charts: dict[str, dict] = {}
        self.body: dict = {}
        self._table = self._row = None
        self._cell: list | None = None
        self._stack: list[tuple[str, str | None]] = []  # open div/g: (tag, chart name or mark class)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if key in a:
                self.links.append(a[key] or "")
        if tag == "body":
            self.body = a
        if tag == "table":
            self._table = a.get("id") or a.get("data-mart")
            self.cells.setdefault(self._table, {})
        elif tag == "tr":
            self._row = a.get("data-indicator") or a.get("data-who") or (
                f"{a['data-day']}|{a['data-alert']}|{a['data-subject']}" if "data-alert" in a else "")
        elif tag == "td" and "data-field" in a:
            self._cell = [a["data-field"], a["data-value"], ""]
        if tag == "svg" and self._stack and self._stack[-1][0] == "div" and self._stack[-1][1]:
            # the chart's own SVG, a direct child of its div (vega-embed's output)
            self.charts[self._stack[-1][1]]["size"] = (float(a.get("width", "nan")), float(a.get("height", "nan")))
        if tag == "div":
            name = a.get("data-chart")
            if name:
                self.charts[name] = {"rendered": a.get("data-rendered"), "marks": {}}
            self._stack.append(("div", name))
        elif tag == "g":
            cls = a.get("class", "")
            self._stack.append(("g", cls if "role-mark" in cls else None))
        elif tag == "path" and self._stack and self._stack[-1][0] == "g" and self._stack[-1][1]:
            chart = next((n for t, n in reversed(self._stack) if t == "div" and n), None)
            if chart:
                mark = self._stack[-1][1].split()[0]
                marks = self.charts[chart]["marks"]
                marks[mark] = marks.get(mark, 0) + 1

    def handle_endtag(self, tag):
        if tag in ("div", "g") and self._stack:
            self._stack.pop()
        elif tag == "td" and self._cell:
            field, value, text = self._cell
            self.cells[self._table].setdefault(self._row, {})[field] = (value, text.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.cells[self._table].setdefault(self._row, {})
            self._row = None

    def handle_data(self, data):
        if self._cell:
            self._cell[2] += data


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def rows(con, sql, params=()):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def value_of(cell: tuple[str, str]):
    return None if cell[0] == "" else json.loads(cell[0])


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return float(a) == float(b)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "kscore.cli", "report", *map(str, args)], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=180)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(CHROMIUM_MISSING)


def rendered_dom(page_file, tmp_path) -> str:
    """The DOM after the page's scripts ran, as headless Chromium serialises it."""
    out = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=20000",
                          "--dump-dom", page_file.as_uri()], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "</html>" in out.stdout, out.stderr[-2000:]
    return out.stdout


@pytest.fixture(scope="module")
def wh(published_tiny):
    published = published_tiny
    con = duckdb.connect(str(published), read_only=True)
    yield published, con
    con.close()


def pick_shops(con) -> tuple[int, int]:
    """A 正式期 shop on the last day with on-sale products, the most alerts of the range first; and a
    成长期 shop of that day."""
    scored = con.execute("""
        select s.shop_id from marts.shop_experience_score_daily s
        join marts.shop_product_tier_summary_daily t using (as_of_date, shop_id)
        left join (select shop_id, count(*) as n from marts.shop_alerts_daily group by shop_id) a using (shop_id)
        where s.as_of_date = ? and s.is_scored and t.on_sale_products > 0
        order by coalesce(a.n, 0) desc, s.shop_id limit 1""", [DAYS[1]]).fetchone()
    growing = con.execute("select min(shop_id) from marts.shop_experience_score_daily "
                          "where as_of_date = ? and not is_scored", [DAYS[1]]).fetchone()
    assert scored and growing and growing[0] is not None, "the tiny zone must have both stages on its last day"
    return scored[0], growing[0]


@pytest.fixture(scope="module")
def pages(wh, tmp_path_factory):
    published, con = wh
    folder = tmp_path_factory.mktemp("shop_pages")
    out = {}
    for shop in pick_shops(con):
        page = folder / f"shop_{shop}.html"
        done = cli("--shop", shop, "--as-of", DAYS[1], "--out", page, "--warehouse", published)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"wrote {page}"
        out[shop] = page
    return out


def test_page_is_self_contained(pages):
    for page in pages.values():
        text = page.read_text(encoding="utf-8")
        parsed = parse(text)
        external = [u for u in parsed.links if re.match(r"\s*(https?:)?//", u, re.I)]
        assert external == [], f"{page.name} links outside itself: {external}"
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
        assert "<script src" not in text and "<link" not in text.lower()
        assert set(parsed.charts) == set(CHARTS)


def test_numbers_equal_the_marts(wh, pages):
    _, con = wh
    shop = next(iter(pages))
    page = parse(pages[shop].read_text(encoding="utf-8"))
    mart = rows(con, "select * from marts.shop_experience_score_daily where shop_id = ? and as_of_date = ?",
                [shop, DAYS[1]])[0]
    score = page.cells["score-table"][""]
    assert {"experience_score", "experience_score_100", "score_stage", "paid_orders_30d"} <= set(score)
    for field, cell in score.items():
        assert same(value_of(cell), mart[field]), field
    assert score["experience_score"][1] == f"{mart['experience_score']:.2f}"
    assert score["experience_score_100"][1] == fmt(mart["experience_score_100"])

    indicators = rows(con, "select * from marts.shop_experience_indicators_daily where shop_id = ? "
                           "and as_of_date = ?", [shop, DAYS[1]])
    table = page.cells["indicator-table"]
    assert set(table) - {""} == {i["indicator"] for i in indicators}
    for i in indicators:
        for field, cell in table[i["indicator"]].items():
            assert same(value_of(cell), i[field]), (i["indicator"], field)
            assert cell[1] == fmt(i[field]), (i["indicator"], field)

    tiers = page.cells["tier-table"]
    own = rows(con, "select * from marts.shop_product_tier_summary_daily where shop_id = ? and as_of_date = ?",
               [shop, DAYS[1]])[0]
    # the main category's leaves, walked down the tree with plain joins (three levels at most)
    cat = rows(con, """
        with leaves as (
            select c1.category_id from bi.dim_categories c1 where c1.category_id = ?
            union select c2.category_id from bi.dim_categories c2 where c2.parent_id = ?
            union select c3.category_id from bi.dim_categories c3
                  join bi.dim_categories c2 on c3.parent_id = c2.category_id where c2.parent_id = ?)
        select sum(on_sale_products) as on_sale_products, sum(g0_products) as g0_products,
               sum(g1_products) as g1_products, sum(g2_products) as g2_products,
               sum(g3_products) as g3_products, sum(g4_products) as g4_products
        from marts.category_tier_distribution_daily where as_of_date = ?
          and category_id in (select category_id from leaves)""", [mart["main_category_id"]] * 3 + [DAYS[1]])[0]
    assert cat["on_sale_products"] and cat["on_sale_products"] >= 1
    for who, expected in (("shop", own), ("category", cat)):
        for tier in TIERS:
            field = f"{tier.lower()}_products"
            assert same(value_of(tiers[who][field]), expected[field]), (who, tier)
        assert same(value_of(tiers[who]["on_sale_products"]), expected["on_sale_products"]), who
    assert same(value_of(tiers["shop"]["good_product_share"]), own["good_product_share"])

    alerts = rows(con, "select as_of_date, alert_type, subject_id from marts.shop_alerts_daily where shop_id = ? "
                       "and as_of_date between ? and ?", [shop, DAYS[1] - dt.timedelta(days=29), DAYS[1]])
    shown = set(page.cells["alert-table"]) - {""}
    assert shown == {f"{a['as_of_date']}|{a['alert_type']}|{a['subject_id']}" for a in alerts}

    doc = json.loads(re.search(r'id="kscore-shop-report-data">(.*?)</script>', pages[shop].read_text(
        encoding="utf-8"), re.S).group(1))
    history = rows(con, "select as_of_date, experience_score from marts.shop_experience_score_daily "
                        "where shop_id = ? order by as_of_date", [shop])
    assert [(h["as_of_date"], h["experience_score"]) for h in doc["history"]] == [
        (h["as_of_date"].isoformat(), h["experience_score"]) for h in history]
    assert len(history) == 3


def test_renders_in_headless_chromium(wh, pages, tmp_path):
    _, con = wh
    for shop, page_file in pages.items():
        page = parse(page_file.read_text(encoding="utf-8"))
        dom = parse(rendered_dom(page_file, tmp_path))
        assert dom.body.get("data-charts-rendered") == str(len(CHARTS)), (shop, dom.body)
        doc = json.loads(re.search(r'id="kscore-shop-report-data">(.*?)</script>', page_file.read_text(
            encoding="utf-8"), re.S).group(1))
        scored_days = [h for h in doc["history"] if h["experience_score"] is not None]
        for name in CHARTS:
            chart = dom.charts[name]
            assert chart["rendered"] == "ok", (shop, name, chart)
            # a chart of no data once came out 1.8e308 px wide (an empty legend): every SVG has a sane size
            width, height = chart.get("size", (0, 0))
            assert 100 <= width <= 2000 and 50 <= height <= 2000, (shop, name, chart)
        marks = {name: dom.charts[name]["marks"] for name in CHARTS}
        # one point per scored day, one bar per scored indicator, one bar per tier and side
        assert marks["score_history"].get("mark-symbol", 0) == len(scored_days), (shop, marks)
        scored_indicators = [i for i in doc["indicators"] if i["indicator_score"] is not None]
        assert marks["indicator_scores"].get("mark-rect", 0) == len(scored_indicators), (shop, marks)
        sides = sum(1 for who in ("shop", "category") if doc["tiers"][who]["on_sale_products"])
        assert marks["tier_compare"].get("mark-rect", 0) == 5 * sides, (shop, marks)
        assert marks["tier_history"].get("mark-rect", 0) == 5 * len(doc["tiers"]["history"]), (shop, marks)
        if doc["score"]["is_scored"]:
            assert len(scored_days) == 3 and marks["score_history"].get("mark-line") == 1
        assert page.charts.keys() == dom.charts.keys()


def test_gaps_are_the_distance_marts_rows_and_not_available_without_them(wh, pages, tmp_path):
    published, con = wh
    for shop in pages:
        doc = collect(con, shop, DAYS[1])
        assert doc["gaps"]["available"], doc["gaps"]
        tables = {t["mart"]: t for t in doc["gaps"]["tables"]}
        assert list(tables) == list(DISTANCE_MARTS)
        # each table: the shop's rows of the day in the mart, largest gap first (independent SQL)
        score = rows(con, "select * from marts.shop_score_distance_daily where shop_id = ? and as_of_date = ? "
                          "order by distance_reason = 'reachable' desc, "
                          "needed_indicator_score - indicator_score desc nulls last, indicator limit 10",
                     [shop, DAYS[1]])
        assert [(r["indicator_name_cn"], r["needed_value"]) for r in tables["shop_score_distance_daily"]["rows"]] \
            == [(r["indicator_name_cn"], r["needed_value"]) for r in score]
        n_products = con.execute("select count(*) from marts.product_tier_path_daily where shop_id = ? "
                                 "and as_of_date = ? and not is_top_tier", [shop, DAYS[1]]).fetchone()[0]
        path = tables["product_tier_path_daily"]["rows"]
        assert len(path) == min(n_products, 10)
        steps = [r["level_steps_needed"] for r in path]
        assert steps == sorted(steps, key=lambda v: -1 if v is None else v, reverse=True)
        shop_products = {r[0] for r in con.execute("select product_id from marts.product_tier_daily "
                                                   "where shop_id = ? and as_of_date = ?", [shop, DAYS[1]]).fetchall()}
        assert {r["product_id"] for r in tables["product_indicator_distance_daily"]["rows"]} <= shop_products
        # the product distances in the mart's order, largest percentile gap first (independent SQL): a
        # wrong order or another shop's rows would fail here, not only a row outside the shop
        product = rows(con, "select product_id, indicator_cn, needed_value from marts.product_indicator_distance_daily "
                            "where shop_id = ? and as_of_date = ? order by distance_reason = 'reachable' desc, "
                            "needed_percentile - current_percentile desc nulls last, product_id, indicator "
                            "limit 10", [shop, DAYS[1]])
        assert [(r["product_id"], r["indicator_cn"], r["needed_value"])
                for r in tables["product_indicator_distance_daily"]["rows"]] \
            == [(r["product_id"], r["indicator_cn"], r["needed_value"]) for r in product]
        page = parse(render(doc))
        assert set(page.cells) >= set(DISTANCE_MARTS)
    # a copy of the published file without the distance marts: the section says so
    shop = next(iter(pages))
    copy = tmp_path / "kscore.duckdb"
    shutil.copy(published, copy)
    rw = duckdb.connect(str(copy))
    try:
        for mart in DISTANCE_MARTS:
            rw.execute(f"drop view marts.{mart}")
        doc = collect(rw, shop, DAYS[1])
    finally:
        rw.close()
    assert not doc["gaps"]["available"] and doc["gaps"]["missing"] == list(DISTANCE_MARTS)
    text = render(doc)
    assert 'data-gaps="not-available"' in text and all(m in text for m in DISTANCE_MARTS)


def test_bad_input_is_one_line_exit_2(wh, tmp_path):
    published, con = wh
    out = tmp_path / "x.html"
    unknown = cli("--shop", 999999999, "--as-of", DAYS[1], "--out", out, "--warehouse", published)
    unpublished = cli("--shop", pick_shops(con)[0], "--as-of", "2030-01-01", "--out", out, "--warehouse", published)
    no_file = cli("--shop", 1, "--as-of", DAYS[1], "--out", out, "--warehouse", tmp_path / "none.duckdb")
    for done, words in ((unknown, "unknown shop"), (unpublished, "is not published"), (no_file, "no published file")):
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kscore report: ") and words in lines[0], done.stderr
        assert done.stdout == ""
    assert not out.exists()


def test_the_subcommand_has_help_and_the_date_rule():
    from kscore.cli import build_parser

    out = subprocess.run([sys.executable, "-m", "kscore.cli", "report", "--help"], cwd=PROJECT_DIR,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "usage: kscore report" in out.stdout, out.stderr
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["report", "--shop", "1", "--as-of", "20230113", "--out", "x.html"])
    assert exc.value.code == 2
    args = build_parser().parse_args(["report", "--shop", "10001", "--as-of", "2023-01-13", "--out", "x.html"])
    assert (args.shop, args.as_of, args.out) == (10001, dt.date(2023, 1, 13), "x.html")
