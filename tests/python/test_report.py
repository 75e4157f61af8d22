"""The HTML summary `make run` ends with (issue 16, point 7): `python -m kscore.report <published file>`.

One tiny as_of_date is built and published once; the page is written by the module's command line, as the
Makefile calls it, and its figures are read back from the bars' data attributes and compared with SQL on
the published file.
"""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import duckdb
import pytest

from kscore import PROJECT_DIR
from kscore.pipeline import run

from conftest import last_as_of

TIERS = ["G0", "G1", "G2", "G3", "G4"]


class Bars(HTMLParser):
    """Every chart (an <svg>) and its bars (label, count), plus every tag and attribute seen."""

    def __init__(self):
        super().__init__()
        self.charts: list[tuple[str, list[tuple[str, int]]]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "svg":
            self.charts.append((a.get("aria-label", ""), []))
        elif tag == "g" and "data-label" in a:
            self.charts[-1][1].append((a["data-label"], int(a["data-count"])))


@pytest.fixture(scope="module")
def report(tiny_landing, tmp_path_factory):
    published = tmp_path_factory.mktemp("report") / "wh" / "kscore.duckdb"
    result = run(last_as_of(), last_as_of(), tiny_landing, published, progress=lambda s: None)
    assert result.ok, result.message
    out = subprocess.run([sys.executable, "-m", "kscore.report", str(published)], cwd=PROJECT_DIR,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    page = published.with_name("kscore_summary.html")
    parser = Bars()
    parser.feed(page.read_text(encoding="utf-8"))
    con = duckdb.connect(str(published), read_only=True)
    yield published, page, out.stdout, parser, con
    con.close()


def chart(parser: Bars, title_part: str) -> dict[str, int]:
    found = [dict(bars) for title, bars in parser.charts if title_part in title]
    assert len(found) == 1, f"one chart titled …{title_part}… expected, got {[t for t, _ in parser.charts]}"
    return found[0]


def test_the_page_is_written_beside_the_published_file_and_named_in_the_output(report):
    published, page, stdout, _, _ = report
    assert page.is_file() and page.parent == published.parent
    assert str(page.resolve()) in stdout
    assert not list(page.parent.glob(".*.tmp")), "the page is written whole, then renamed"


def test_every_tier_is_named_with_its_count_on_the_newest_day(report):
    _, page, _, parser, con = report
    newest = con.execute("select max(as_of_date) from marts.product_tier_daily").fetchone()[0]
    assert newest == last_as_of()
    expected = dict(con.execute("select tier, count(*) from marts.product_tier_daily where as_of_date = ? "
                                "group by tier", [newest]).fetchall())
    tiers = chart(parser, "商品分层")
    assert list(tiers) == TIERS, "G0 … G4 in order, a tier with no product shown with 0"
    assert tiers == {t: expected.get(t, 0) for t in TIERS}
    assert sum(tiers.values()) > 0
    text = page.read_text(encoding="utf-8")
    for t in TIERS:
        assert f">{t}</text>" in text, f"{t} is written on the page, not only in an attribute"
    assert str(newest) in text


def test_score_histograms_count_every_scored_shop_and_creator(report):
    _, _, _, parser, con = report
    for title, table, column in [("店铺体验分", "shop_experience_score_daily", "experience_score"),
                                 ("带货口碑分", "creator_reputation_score_daily", "reputation_score")]:
        bins = chart(parser, title)
        assert len(bins) == 10 and next(iter(bins)) == "2.50–2.75" and list(bins)[-1] == "4.75–5.00"
        scored, top = con.execute(f"select count({column}), count(*) filter (where {column} = 5) from marts.{table} "
                                  "where as_of_date = (select max(as_of_date) from marts.product_tier_daily)"
                                  ).fetchone()
        assert sum(bins.values()) == scored, title
        assert bins["4.75–5.00"] >= top, "5.00 falls in the last bin"


def test_chuanliu_buckets_add_up_to_every_active_shop(report):
    _, _, _, parser, con = report
    buckets = chart(parser, "川流")
    total, eligible, rewarded = con.execute(
        "select count(*), count(*) filter (where is_eligible), count(*) filter (where reward_tier > 0) "
        "from marts.chuanliu_shop_daily where as_of_date = (select max(as_of_date) from marts.chuanliu_shop_daily)"
    ).fetchone()
    assert sum(buckets.values()) == total
    assert buckets["not eligible"] == total - eligible
    assert sum(n for label, n in buckets.items() if label.startswith("tier ")) == rewarded


def test_the_page_renders_offline(report):
    _, page, _, parser, _ = report
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text, re.IGNORECASE), "no http(s) reference of any kind"
    assert not re.search(r"\b(src|href)\s*=", text, re.IGNORECASE), "nothing loaded from anywhere"
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert {"style", "svg", "rect"} <= parser.tags
    assert '<meta charset="utf-8">' in text


def test_a_missing_published_file_is_a_clear_error(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kscore.report", str(tmp_path / "none.duckdb")], cwd=PROJECT_DIR,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "no published file" in out.stderr
    assert not list(tmp_path.iterdir())
