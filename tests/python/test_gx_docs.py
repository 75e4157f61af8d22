"""GX Data Docs render offline and name what they judged (issue 16, point 5): no page loads a remote
asset (script src, link href, img src), every local asset link resolves to a file of the site, the
index lists the run's validations, and each validation shows the run id as its run name (run-<run id>) and the
table and days as its data asset (never `__none__` / `None`). Real GX, on the raw gates of the tiny
landing zone, as a run writes them (runs/<run id>/gx/raw/data_docs), and on a session of our own with a
failed and a passed mart validation.
"""
from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from pathlib import Path

import pytest

from kscore import PROJECT_DIR

from conftest import TINY_DAYS, TINY_START

ASSET_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.IGNORECASE | re.DOTALL)
ASSET_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*(["'])([^"']*)\1""", re.IGNORECASE)
# a run id of the shape kscore makes whose suffix is all digits: read as a date, it would carry a -56:36 offset
RUN_ID = "20261203T141535-5636"
RUN_NAME = f"run-{RUN_ID}"                 # gx_session.docs_run_name: never readable as a date


def pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "vendor" not in p.relative_to(site).parts]


def asset_links(page: Path) -> list[str]:
    return [m.group(2) for tag in ASSET_TAG.finditer(page.read_text(encoding="utf-8"))
            for m in ASSET_ATTR.finditer(tag.group(0))]


def assert_offline(site: Path) -> None:
    assert (site / "index.html").exists()
    for page in pages(site):
        links = asset_links(page)
        assert links, page
        remote = [u for u in links if re.match(r"(?i)^(https?:)?//", u)]
        assert not remote, f"{page.relative_to(site)} loads remote assets: {remote}"
        for url in links:
            if url.startswith("data:") or url.endswith(".html"):
                continue
            target = (page.parent / url.split("?")[0].split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {url} is not a file of the site"
            assert site.resolve() in target.parents, f"{page.relative_to(site)}: {url} points outside the site"
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "static/vendor/bootstrap-4.3.1/dist/css/bootstrap.min.css" in text
    assert "static/vendor/jquery-3.7.1/dist/jquery.min.js" in text
    # the licences travel with the files
    for licence in ("bootstrap-4.3.1/LICENSE", "jquery-3.7.1/LICENSE.txt", "fortawesome-fontawesome-free-6.6.0/LICENSE.txt",
                    "vega-lite-5.23.0/LICENSE"):
        assert (site / "static" / "vendor" / licence).is_file(), licence
    for css in (site / "static").rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?https?://", css.read_text(encoding="utf-8")), css


def validation_pages(site: Path) -> list[Path]:
    return sorted((site / "validations").rglob("*.html"))


def index_links(site: Path) -> set[Path]:
    """The validation pages the index links to (its table rows are JavaScript data holding the links)."""
    text = htmllib.unescape((site / "index.html").read_text(encoding="utf-8"))
    return {(site / h).resolve() for h in re.findall(r"""_table_row_link_path['"]?:\s*['"](validations/[^'"]+\.html)""", text)}


@pytest.fixture(scope="module")
def raw_run(tiny_landing, tmp_path_factory) -> Path:
    """The raw gates of the tiny zone's days with a run folder: what `kscore run` writes for its raw stage."""
    from kscore import gates, landing

    run_dir = tmp_path_factory.mktemp("gxdocs") / "runs" / RUN_ID
    files = landing.sense(tiny_landing)
    days = [TINY_START + dt.timedelta(days=i) for i in range(TINY_DAYS)]
    results = gates.raw_gates(files, days, None, run_dir=run_dir)
    assert results and all(r.success for r in results), [r for r in results if not r.success][:3]
    return run_dir / "gx" / "raw" / "data_docs"


def test_raw_gate_data_docs_are_offline_and_name_the_run(raw_run):
    site = raw_run
    assert_offline(site)
    found = validation_pages(site)
    assert found
    assert {p.resolve() for p in found} <= index_links(site), "the index must list every validation page"
    # every validation page of this run sits under the run's name, and shows it
    index = (site / "index.html").read_text(encoding="utf-8")
    assert RUN_NAME in index and "__none__" not in index
    orders = [p for p in found if p.parts[-4] == "orders"]
    assert orders, [p.relative_to(site) for p in found]
    for page in found:
        text = page.read_text(encoding="utf-8")
        assert RUN_NAME in page.relative_to(site).parts
        assert "__none__" not in text and "Data asset: None" not in text, page
        assert re.search(rf"Run Name</div></td><td[^>]*><div[^>]*>{RUN_NAME}<", text), page
    first, last = TINY_START, TINY_START + dt.timedelta(days=TINY_DAYS - 1)
    text = orders[0].read_text(encoding="utf-8")
    assert f"Data asset: orders dt {first} … {last}" in text
    assert f"orders dt {first} … {last}" in index  # the index's Asset Name column


def test_failed_and_passed_mart_validations_are_listed(tmp_path):
    """A session of our own: a failed and a passed validation of a mart's profile frame; both are on the
    index, with the run name and `marts.<table> as_of_date <day>` as their asset."""
    import pandas as pd

    from kscore.gx_session import GxSession, data_asset_name

    session = GxSession("marts")
    frame = pd.DataFrame({"as_of_date": ["2023-01-12", "2023-01-13"], "gate": ["one_row_per_key(product_id)"] * 2,
                          "value": [0.0, 3.0], "bound_low": [0.0, 0.0], "bound_high": [0.0, 0.0]})
    bad = session.validate("mart", "product_tier_daily", frame, "product_tier_daily-2023-01-12..2023-01-13",
                           index=["as_of_date", "gate"])
    good = session.validate("mart", "product_tier_daily", frame.iloc[:1], "product_tier_daily-2023-01-12..2023-01-12",
                            index=["as_of_date", "gate"])
    assert bad is not None and not bad.success and good.success
    out = session.write(tmp_path / "runs" / RUN_ID / "gx" / "marts")
    site = out["data_docs"].parent
    assert_offline(site)
    found = validation_pages(site)
    assert len(found) == 2 and {p.resolve() for p in found} <= index_links(site)
    index = (site / "index.html").read_text(encoding="utf-8")
    for asset in ("marts.product_tier_daily as_of_date 2023-01-12 … 2023-01-13",
                  "marts.product_tier_daily as_of_date 2023-01-12"):
        assert asset in index
    pages_text = {p.name: p.read_text(encoding="utf-8") for p in found}
    assert "Data asset: marts.product_tier_daily as_of_date 2023-01-12 … 2023-01-13" in \
        pages_text["product_tier_daily-2023-01-12..2023-01-13.html"]
    assert data_asset_name("raw.landing_counts", "landing_counts-2023-01-01..2023-01-11") == \
        "landing_counts dt 2023-01-01 … 2023-01-11"
    # the JSON results carry the same run name and asset
    import json

    rows = json.loads(out["validation_results"].read_text(encoding="utf-8"))
    assert {r["result"]["meta"]["run_id"]["run_name"] for r in rows} == {RUN_NAME}


def test_vendored_assets_cover_every_cdn_link_of_the_templates():
    """Every remote asset GX's installed templates load has a vendored copy (a GX upgrade that adds one
    fails here, not in a browser)."""
    import great_expectations

    from kscore.gx_session import CDN_ASSETS, DATA_DOCS_STATIC, GX_WEB_ASSETS

    templates = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
    urls = set()
    for t in templates.glob("*.j2"):
        for tag in ASSET_TAG.finditer(t.read_text(encoding="utf-8")):
            urls |= {m.group(2) for m in ASSET_ATTR.finditer(tag.group(0)) if m.group(2).startswith("http")}
    assert urls
    assert urls <= set(CDN_ASSETS), sorted(urls - set(CDN_ASSETS))
    for rel in CDN_ASSETS.values():
        assert (DATA_DOCS_STATIC / rel).is_file(), rel
    assert (DATA_DOCS_STATIC / "VENDORED.md").is_file()
    assert GX_WEB_ASSETS.startswith("https://")
    assert DATA_DOCS_STATIC.parent == PROJECT_DIR / "expectations"
