"""Great Expectations 1.x glue for the quality gates (spec 06).

The suites are files: ``expectations/raw/<table>.json`` (one per raw table),
``expectations/marts/<table>.json`` (one per mart) and
``expectations/raw/landing_counts.json`` (the post-staging quarantine share).
They are generated from ``expectations/thresholds.yml`` (and, for label/rank
pairs, the seed CSVs) by ``python -m kscore.gx_suites``; the gates load the
files.

Profile frames (issue 15): every row-level check is computed in DuckDB as a
per-(table, day) aggregate (kscore.gate_profiles), and a suite judges the
table's *profile frame* for the whole run, validated once: one row per judged
day and gate, holding the day's observed figure (``value``) and that day's
bounds (``bound_low``, ``bound_high``; NULL = that side is not judged, e.g. a
history band skipped for want of history). Two expectations judge every row
(``value >= bound_low`` and ``bound_high >= value``, GX's
``expect_column_pair_values_a_to_be_greater_than_b`` with ``or_equal``); GX's
``unexpected_index_list`` (result format COMPLETE, indexed by the day and the
gate) names the failed day and gate. One frame row per gate rather than one
column per gate: GX costs ~20-100 ms per expectation and validation, so a
suite of 2 expectations costs the same for 1 day or 178.

What each gate measures, and its fixed bounds, is in the suite's
``meta.gates`` (one entry per gate: `gate` = the name the reports use, `rule`,
`value` = what the frame's value is, `bound`); the run-time bounds (history
bands, staged totals) are computed by kscore.gates from the same
thresholds.

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

import csv
import datetime as dt
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

import yaml

from kscore import PROJECT_DIR

EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
THRESHOLDS_YML = EXPECTATIONS_DIR / "thresholds.yml"
SEEDS_DIR = PROJECT_DIR / "seeds"
LANDING_COUNTS_SUITE = "landing_counts"
DATA_DOCS_STATIC = EXPECTATIONS_DIR / "data_docs_static"

log = logging.getLogger("kscore.gates")


@lru_cache(maxsize=1)
def thresholds() -> dict:
    return yaml.safe_load(THRESHOLDS_YML.read_text(encoding="utf-8"))


# rule names (the reports, root_cause_key and the tests use them)
RULE_COLUMNS_PRESENT = "required_columns_present"
RULE_ROW_COUNT = "row_count_within_band_of_own_history"
RULE_NOT_EMPTY = "expected_daily_table_not_empty"
RULE_KEY_UNIQUE = "key_unique"
RULE_REQUIRED_NOT_NULL = "required_column_never_null"
RULE_NULL_SHARE = "null_share_within_band_of_own_history"
RULE_QUARANTINE_SHARE = "quarantine_share_at_most"

# the profile frames: index columns (the judged day, and the gate) and the judged columns
RAW_DAY = "dt"
MART_DAY = "as_of_date"
GATE = "gate"
VALUE, BOUND_LOW, BOUND_HIGH = "value", "bound_low", "bound_high"


def gate_name(rule: str, *target: str) -> str:
    """The name a gate result carries: the rule, with the columns it judges (`key_unique(order_id)`,
    `null_share_within_band_of_own_history(creator_id)`, `value_in_range(quality_refund_rate)`)."""
    return f"{rule}({', '.join(target)})" if target else rule


def _frame_expectations() -> list[dict]:
    common = {"or_equal": True, "ignore_row_if": "either_value_is_missing"}
    return [
        {"type": "expect_column_pair_values_a_to_be_greater_than_b",
         "kwargs": {"column_A": VALUE, "column_B": BOUND_LOW, **common},
         "meta": {"rule": "value_at_least_bound_low", "judges": "every gate of every day: value >= bound_low "
                  "(a NULL bound is not judged)"}},
        {"type": "expect_column_pair_values_a_to_be_greater_than_b",
         "kwargs": {"column_A": BOUND_HIGH, "column_B": VALUE, **common},
         "meta": {"rule": "value_at_most_bound_high", "judges": "every gate of every day: value <= bound_high "
                  "(a NULL bound is not judged)"}},
    ]


def _gate(gate: str, rule: str, value: str, bound, **extra) -> dict:
    return {"gate": gate, "rule": rule, "value": value, "bound": bound, **extra}


def _suite(name: str, stage: str, index: list[str], batch: str, gates: list[dict]) -> dict:
    return {"name": name, "expectations": _frame_expectations(),
            "meta": {"stage": stage, "index": [*index, GATE], "batch": batch, "gates": gates}}


def _history_band(key: str) -> str:
    return f"run time, from the table's own history (thresholds.yml raw.{key})"


def _raw_suite(table: str, spec: dict, columns: list) -> dict:
    """One raw table's suite, judging its profile frame (one row per dt and gate). `columns`: the
    contract's columns (name, nullable)."""
    gates = [_gate(RULE_COLUMNS_PRESENT, RULE_COLUMNS_PRESENT,
                   "contract columns missing from the schema of a landed file of the day", [0, 0],
                   columns=[c.name for c in columns])]
    if spec.get("row_count_band") or spec.get("expected_daily"):
        bound = _history_band("row_count_band") if spec.get("row_count_band") else "expected daily: at least 1"
        if spec.get("row_count_band") and spec.get("expected_daily"):
            bound += "; at least 1 (expected daily)"
        gates.append(_gate(RULE_ROW_COUNT, RULE_ROW_COUNT, "the day's distinct rows (a day below 1 row of an "
                           f"expected daily table is reported as {RULE_NOT_EMPTY})", bound))
    key = spec["key"]
    gates.append(_gate(gate_name(RULE_KEY_UNIQUE, *key), RULE_KEY_UNIQUE,
                       "distinct rows minus distinct keys (exact re-delivered copies dropped: a key with two "
                       "different contents is a duplicate key, an exact copy is not)", [0, 0], key=key))
    required = [c.name for c in columns if not c.nullable]
    if required:
        gates.append(_gate(RULE_REQUIRED_NOT_NULL, RULE_REQUIRED_NOT_NULL,
                           "required columns with a NULL on the day", [0, 0], columns=required))
    for col in columns:
        if col.nullable:
            gates.append(_gate(gate_name(RULE_NULL_SHARE, col.name), RULE_NULL_SHARE,
                               f"the day's NULL share of {col.name} (Parquet footers)", _history_band("null_share_band"),
                               column=col.name))
    return _suite(table, "raw", [RAW_DAY], (
        f"the profile frame of {table}: one row per dt D judged by the run and gate, computed from the rows of "
        f"D's landed {table} files (accepted files only), exact re-delivered copies dropped"), gates)


def _landing_counts_suite() -> dict:
    q = thresholds()["raw"]["quarantine_share"]
    return _suite(LANDING_COUNTS_SUITE, "raw", ["table_name", RAW_DAY], (
        "the ops.landing_counts rows of the run's raw tables and days, after staging: one row per table and dt"),
        [_gate(RULE_QUARANTINE_SHARE, RULE_QUARANTINE_SHARE, "quarantined / (landed - duplicates)",
               f"[0, max({q['max']}, {q['min_quarantined_rows']} / rows)]")])


def _seed_pairs(path: str) -> list[list]:
    with open(SEEDS_DIR / path, encoding="utf-8") as fh:
        return [[r["level"], int(r["level_rank"])] for r in csv.DictReader(fh)]


def label_rank_pairs(lr: dict) -> list[list]:
    return [list(p) for p in (lr.get("pairs") or _seed_pairs(lr["seed"]))]


RECONCILIATION = [
    ("paid_orders_reconcile_with_staging", "the day's Σ paid_orders (every row)"),
    ("effective_gmv_reconciles_with_staging", "the day's Σ effective_gmv in cents (every row)"),
    ("product_paid_orders_reconcile_with_staging", "rows whose paid_orders differ from their product's staged orders"),
    ("product_effective_gmv_reconciles_with_staging", "rows whose effective_gmv (cents) differs from their product's "
                                                      "staged GMV minus refunds"),
]
STAGED = ("recomputed from staging: the staged orders of the product with paid_date in its window, minus the "
          "completed refunds of the refund versions in force for the day (updated_at < D <= valid_to), in cents; "
          "each product and day once")


def _mart_suite(table: str, spec: dict) -> dict:
    key = spec["key"]
    gates = [_gate(gate_name("one_row_per_key", *key), "one_row_per_key", "rows minus distinct keys", [0, 0], key=key)]
    for col, values in (spec.get("in_set") or {}).items():
        gates.append(_gate(gate_name("value_in_set", col), "value_in_set", f"rows whose {col} is set and not in "
                           "value_set", [0, 0], column=col, value_set=values))
    for label, lr in (spec.get("label_rank") or {}).items():
        rank = lr["rank"]
        gates.append(_gate(gate_name("rank_consistent_with_label", label, rank), "rank_consistent_with_label",
                           f"rows whose {label} and {rank} are both set and the pair is not one of pairs"
                           + (f" (seeds/{lr['seed']})" if lr.get("seed") else ""), [0, 0],
                           label=label, rank=rank, pairs=label_rank_pairs(lr)))
    for col, (lo, hi) in (spec.get("between") or {}).items():
        gates.append(_gate(gate_name("value_in_range", col), "value_in_range", f"rows whose {col} is outside "
                           "[min_value, max_value] (NULL not judged)", [0, 0], column=col, min_value=lo, max_value=hi))
    if spec.get("tier_distribution"):
        td = spec["tier_distribution"]
        gates.append(_gate("tier_distribution_not_degenerate", "tier_distribution_not_degenerate",
                           "the largest share of one tier among the products of a peer group (those with >= 1 "
                           "paid order in the window) of at least min_peer_group of them", [None, td["max_tier_share"]],
                           min_peer_group=td["min_peer_group"]))
    if spec.get("tier_stability"):
        ts = spec["tier_stability"]
        gates.append(_gate("tier_day_over_day_stable", "tier_day_over_day_stable",
                           "the share of the day's rows whose tier_rank moved by >= min_steps since the day before "
                           "(among the rows of products present both days)", [None, ts["max_moved_share"]],
                           min_steps=ts["min_steps"]))
    if spec.get("reconciliation"):
        for i, (gate, value) in enumerate(RECONCILIATION):
            gates.append(_gate(gate, gate, value, f"equal to the {'sum' if i < 2 else 'product'} {STAGED}"
                               if i < 2 else [0, 0]))
    return _suite(table, "mart", [MART_DAY], (
        f"the profile frame of marts.{table}: one row per as_of_date judged by the run and gate (a mart without "
        "as_of_date: judged whole, for the run's last day)"), gates)


def suite_gates(stage: str, table: str) -> list[dict]:
    """The gates of a suite file (its meta.gates), [] without a file."""
    return ((load_suite_doc(stage, table) or {}).get("meta") or {}).get("gates", [])


def build_suites() -> dict[str, dict]:
    """relative path under expectations/ -> suite document, from thresholds.yml (and seeds)."""
    from kscore.landing import contract

    th = thresholds()
    cols = contract()
    suites = {f"raw/{t}.json": _raw_suite(t, spec, cols[t]) for t, spec in th["raw"]["tables"].items()}
    suites[f"raw/{LANDING_COUNTS_SUITE}.json"] = _landing_counts_suite()
    suites.update({f"marts/{t}.json": _mart_suite(t, spec) for t, spec in th["marts"].items()})
    return suites


def suite_text(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_suites() -> list[Path]:
    written = []
    for rel, doc in build_suites().items():
        path = EXPECTATIONS_DIR / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(suite_text(doc), encoding="utf-8")
        written.append(path)
    return written


def load_suite_doc(stage: str, table: str) -> dict | None:
    path = EXPECTATIONS_DIR / ("raw" if stage == "raw" else "marts") / f"{table}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


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


def main() -> int:
    for p in write_suites():
        print(f"wrote {p.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
