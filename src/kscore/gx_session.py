"""Great Expectations 1.x at run time (spec 06): one ephemeral context per stage that validates the
profile frames of kscore.gates (suites from kscore.gx_suites), keeps the results and renders the Data Docs.


GX 1.24 has no working DuckDB SQL datasource, so a profile frame is a pandas
dataframe validated through an ephemeral context's pandas datasource.
`GxSession` keeps the results, writes them as JSON and renders the Data Docs
(HTML) into the run's folder (runs/<run id>/gx/<stage>/data_docs/). Every validation carries
the run id as its run name and the table and days it judged as its data asset. The pages
read no remote asset: GX's templates link bootstrap, jQuery, vega etc. from CDNs, and their
logo from GX's web bucket; `localize_data_docs` copies the vendored copies of those files
(expectations/data_docs_static/, with their licences: VENDORED.md there) into the site and
makes every script, stylesheet and image link relative, so the pages render offline.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path

from kscore.gx_suites import DATA_DOCS_STATIC, MART_DAY, RAW_DAY, load_suite_doc

log = logging.getLogger("kscore.gates")

# --------------------------------------------------------------------------- offline Data Docs

# what GX 1.24's templates (great_expectations/render/view/templates) load from CDNs -> the vendored copy
# under expectations/data_docs_static/ (npm packages of the versions the templates name; VENDORED.md)
CDN_ASSETS = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap-4.3.1/dist/js/bootstrap.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "forevolve-bootstrap-dark-1.1.0/dist/css/bootstrap-prefers-dark.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker-1.9.0/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker-1.9.0/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fortawesome-fontawesome-free-6.6.0/css/all.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table-1.19.1/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table-1.19.1/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    # the templates take the filter-control styles from 1.19.0: the same file in 1.19.1
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js-1.12.9/dist/umd/popper.min.js",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.33.1/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.23.0/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.29.0/build/vega-embed.min.js",
}
# the logo: GX's templates take it from its web bucket (with a tracking query); the package ships it
GX_WEB_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
GX_LOGOS = {"logo-long.png": "logo-long.png", "full_logo_dark.png": "logo-long.png"}
VENDOR = "vendor"  # <site>/static/vendor/: the vendored files
_ASSET_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.IGNORECASE | re.DOTALL)
_REMOTE_ATTR = re.compile(r"""\b(src|href)(\s*=\s*)(["'])(https?://[^"']*)\3""", re.IGNORECASE)
# a link into the site's static folder (GX's favicon link on a validation page is one folder short)
_STATIC_ATTR = re.compile(r"""\b(src|href)(\s*=\s*)(["'])(?:\.{1,2}/)*static/([^"']*)\3""", re.IGNORECASE)
# a subresource-integrity check (and its CORS request) has no use for a local file, and a page opened from
# file:// cannot make the CORS request: dropped with the remote URL
_SRI_ATTR = re.compile(r"""\s+(?:integrity|crossorigin)(?:\s*=\s*(["'])[^"']*\1)?""", re.IGNORECASE)


def _local_asset(url: str) -> str | None:
    """The site-relative path of a remote asset's local copy (None: not one we serve)."""
    base = url.split("?")[0].split("#")[0]
    if base in CDN_ASSETS:
        return f"static/{VENDOR}/{CDN_ASSETS[base]}"
    if base.startswith(GX_WEB_ASSETS) and base[len(GX_WEB_ASSETS):] in GX_LOGOS:
        return f"static/images/{GX_LOGOS[base[len(GX_WEB_ASSETS):]]}"
    return None


def remote_assets(html: str) -> list[str]:
    """The http(s) URLs a page loads: script src, link href, img src."""
    return [m.group(4) for tag in _ASSET_TAG.finditer(html) for m in _REMOTE_ATTR.finditer(tag.group(0))]


def localize_data_docs(site_dir: Path) -> list[str]:
    """Serve a Data Docs site's assets from the site itself: copy the vendored files into
    <site>/static/vendor/ and rewrite every page's remote script/stylesheet/image link to a relative
    one. Returns the remote asset URLs left (none with GX 1.24's templates)."""
    site_dir = Path(site_dir)
    shutil.copytree(DATA_DOCS_STATIC, site_dir / "static" / VENDOR, dirs_exist_ok=True)
    for css in (site_dir / "static" / "styles").glob("*.css"):
        text = css.read_text(encoding="utf-8")
        fixed = re.sub(re.escape(GX_WEB_ASSETS) + r"([\w.-]+)",
                       lambda m: f"../images/{GX_LOGOS.get(m.group(1), m.group(1))}", text)
        if fixed != text:
            css.write_text(fixed, encoding="utf-8")
    left: list[str] = []
    for page in site_dir.rglob("*.html"):
        if VENDOR in page.relative_to(site_dir).parts:
            continue
        up = os.path.relpath(site_dir, page.parent).replace(os.sep, "/")

        def tag(m: re.Match, up: str = up) -> str:
            text = m.group(0)

            def attr(a: re.Match) -> str:
                local = _local_asset(a.group(4))
                if local is None:
                    left.append(a.group(4))
                    return a.group(0)
                return f"{a.group(1)}{a.group(2)}{a.group(3)}{'' if up == '.' else up + '/'}{local}{a.group(3)}"

            new = _REMOTE_ATTR.sub(attr, text)
            if new != text:
                new = _SRI_ATTR.sub("", new)
            return _STATIC_ATTR.sub(lambda a: f"{a.group(1)}{a.group(2)}{a.group(3)}{'' if up == '.' else up + '/'}"
                                              f"static/{a.group(4)}{a.group(3)}", new)

        html = page.read_text(encoding="utf-8")
        fixed = _ASSET_TAG.sub(tag, html)
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")
    if left:
        log.warning("Data Docs in %s still load %d remote asset(s): %s", site_dir, len(left), sorted(set(left))[:5])
    return sorted(set(left))


_BATCH_DAYS = re.compile(r"^(?P<table>.+?)-(?P<first>\d{4}-\d{2}-\d{2})\.\.(?P<last>\d{4}-\d{2}-\d{2})$")


def data_asset_name(suite_name: str, batch_id: str) -> str:
    """What a validation judged, as its Data Docs 'data asset': the table and its days
    (`orders dt 2023-01-01 … 2023-01-11`, `marts.product_tier_daily as_of_date 2023-01-12`)."""
    stage, _, table = suite_name.partition(".")
    m = _BATCH_DAYS.match(batch_id)
    if not m:
        return f"{table or suite_name} {batch_id}"
    day = MART_DAY if stage == "mart" else RAW_DAY
    name = f"marts.{table}" if stage == "mart" else table
    days = m["first"] if m["first"] == m["last"] else f"{m['first']} … {m['last']}"
    return f"{name} {day} {days}"


def docs_run_name(run_id: str) -> str:
    """GX's run name for a run id: `run-<run id>`. GX reads a run name as a date when it can, and a bare run
    id such as 20261203T141535-5636 reads as a time with a -56:36 offset, which its page renderer rejects
    (the page is then not rendered); with the prefix it is never a date."""
    return f"run-{run_id}"


def run_name_of(folder: Path, default: str) -> str:
    """The run name of a run's gate folder (runs/<run id>/gx/<stage>: `run-<run id>`), else `default`."""
    folder = Path(folder)
    if folder.parent.name == "gx" and folder.parent.parent.name:
        return docs_run_name(folder.parent.parent.name)
    return default



class GxSession:
    """One ephemeral GX context: a pandas datasource, the suites, the results, Data Docs."""

    def __init__(self, name: str):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", module="great_expectations")
        # GX imports pyspark when it is installed (the Spark engine's venv): its pandas-version notice is
        # not the operator's business in a DuckDB run
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                                category=FutureWarning)
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.name = name
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        # the ephemeral context makes an (empty) temporary folder for a default docs site we never build
        for site in (self.context.variables.data_docs_sites or {}).values():
            base = (site.get("store_backend") or {}).get("base_directory")
            folder = Path(base) if base else None
            if folder and folder.parent == Path(tempfile.gettempdir()) and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        self.datasource = self.context.data_sources.add_pandas(name)
        self._assets: dict = {}
        self._suites: dict = {}
        self.results: list[tuple[str, str, object]] = []  # (suite, batch_id, ExpectationSuiteValidationResult)
        self.run_time = dt.datetime.now(dt.timezone.utc)

    def suite(self, stage: str, table: str):
        """The suite of a gated table (None when it has no file or no expectation)."""
        key = (stage, table)
        if key not in self._suites:
            doc = load_suite_doc(stage, table)
            exps = (doc or {}).get("expectations", [])
            if doc is None or not exps:
                self._suites[key] = None
            else:
                s = self.gx.ExpectationSuite(name=f"{stage}.{table}", meta=doc.get("meta") or {})
                for e in exps:
                    s.add_expectation_configuration(self._config(e))
                self._suites[key] = self.context.suites.add(s)
        return self._suites[key]

    def _config(self, e: dict):
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        return ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta=e.get("meta") or {})

    def validate(self, stage: str, table: str, df, batch_id: str, parameters: dict | None = None,
                 index: list[str] | None = None):
        """Validate `df` (a profile frame) with the table's suite. `index`: the frame's day columns, by
        which GX names the unexpected rows (result format COMPLETE: every unexpected row is listed)."""
        suite = self.suite(stage, table)
        if suite is None:
            return None
        # one dataframe asset for every frame of the session (adding an asset saves the context's config)
        if "frames" not in self._assets:
            asset = self.datasource.add_dataframe_asset("profile_frames")
            self._assets["frames"] = asset.add_batch_definition_whole_dataframe("frame")
        batch = self._assets["frames"].get_batch(batch_parameters={"dataframe": df})
        result_format = {"result_format": "COMPLETE", "partial_unexpected_count": 5}
        if index:
            result_format["unexpected_index_column_names"] = list(index)
        result = batch.validate(suite, expectation_parameters=parameters or {}, result_format=result_format)
        self.results.append((suite.name, batch_id, result))
        return result

    def write(self, folder: Path, docs: bool = True, max_docs: int | None = None, run_name: str | None = None) -> dict:
        """Write the validation results (JSON) and the Data Docs (HTML) under `folder`: a page for every
        failed validation, and for passed ones up to max_docs ($KSCORE_GX_DOCS_MAX_PASSED, default 400;
        the JSON keeps every result). `run_name`: the validations' run name, by default the run id of the
        run folder `folder` lies in (runs/<run id>/gx/<stage>); each validation's data asset is the table
        and days it judged. The Data Docs load no remote asset (`localize_data_docs`)."""
        if max_docs is None:
            max_docs = int(os.environ.get("KSCORE_GX_DOCS_MAX_PASSED", "400"))
        folder = Path(folder)
        run_name = run_name or run_name_of(folder, self.name)
        for suite_name, batch_id, result in self.results:
            result.meta["run_id"] = {"run_name": run_name, "run_time": self.run_time.isoformat()}
            spec = result.meta.get("batch_spec")
            result.meta["batch_spec"] = {**(spec if isinstance(spec, dict) else {}),
                                         "data_asset_name": data_asset_name(suite_name, batch_id)}
        folder.mkdir(parents=True, exist_ok=True)
        out = {"validation_results": folder / "validation_results.json"}
        out["validation_results"].write_text(json.dumps(
            [{"suite": s, "batch": b, "result": r.to_json_dict()} for s, b, r in self.results],
            ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        if docs and self.results:
            from great_expectations.core.run_identifier import RunIdentifier
            from great_expectations.data_context.types.resource_identifiers import (
                ExpectationSuiteIdentifier, ValidationResultIdentifier)

            site_dir = folder / "data_docs"
            self.context.add_data_docs_site(site_name=self.name, site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
            # every failed result, then passed ones up to max_docs (a long backfill would render thousands)
            failed = [t for t in self.results if not t[2].success]
            passed = [t for t in self.results if t[2].success]
            run_id = RunIdentifier(run_name=run_name, run_time=self.run_time)
            for suite_name, batch_id, result in failed + passed[:max_docs]:
                key = ValidationResultIdentifier(
                    expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
                    run_id=run_id, batch_identifier=batch_id)
                self.context.validation_results_store.set(key, result)
            self.context.build_data_docs(site_names=[self.name])
            localize_data_docs(site_dir)
            out["data_docs"] = site_dir / "index.html"
        return out
