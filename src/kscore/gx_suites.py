"""Great Expectations 1.x glue for the quality gates (spec 06).

The suites are files: ``expectations/raw/<table>.json`` (one per raw table,
judging one table's batch of one day) and ``expectations/marts/<table>.json``
(one per mart, judging one as_of_date), plus
``expectations/raw/landing_counts.json`` (the post-staging quarantine share).
They are generated from ``expectations/thresholds.yml`` (and, for label/rank
pairs, the seed CSVs) by ``python -m kscore.gx_suites``; the gates load the
files. Bounds known only at run time are GX suite parameters
(``{"$PARAMETER": name}``).

GX 1.24 has no working DuckDB SQL datasource, so every batch is a pandas
dataframe read from DuckDB (or the landed Parquet) and validated through an
ephemeral context's pandas datasource. `GxSession` keeps the results, writes
them as JSON and renders the Data Docs (HTML) into the run's folder.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
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

log = logging.getLogger("kscore.gates")


@lru_cache(maxsize=1)
def thresholds() -> dict:
    return yaml.safe_load(THRESHOLDS_YML.read_text(encoding="utf-8"))


def _exp(type_: str, rule: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"rule": rule}}


# rule names of the raw suites (the reports and the tests use them)
RULE_ROW_COUNT = "row_count_within_band_of_own_history"
RULE_NOT_EMPTY = "expected_daily_table_not_empty"
RULE_REQUIRED_NOT_NULL = "required_column_never_null"
RULE_NULL_SHARE = "null_share_within_band_of_own_history"


# the derived batch column naming the required columns that are NULL in a row (';'-joined; NULL when
# none): one expectation judges every required column (GX costs ~20 ms per expectation and batch)
REQUIRED_NULLS_COLUMN = "required_columns_null"


def null_share_parameters(column: str) -> tuple[str, str]:
    """The suite parameters of an optional column's null-share band, as bounds of its proportion of
    non-NULL values: (min = 1 - the highest NULL share allowed, max = 1 - the lowest)."""
    return f"{column}__non_null_min", f"{column}__non_null_max"


def _raw_suite(table: str, spec: dict, columns: list) -> dict:
    """One raw table's suite. `columns`: the contract's columns (name, nullable)."""
    exps = [_exp("expect_table_columns_to_match_set", "required_columns_present",
                 column_set=[c.name for c in columns], exact_match=False)]
    # ONE row-count expectation (GX keeps one expectation per type and domain in a suite): its
    # parameters carry the history band and, for an expected daily table, the fixed lower bound of 1
    # row; a failure below 1 row is reported as RULE_NOT_EMPTY (gates.batch_gates)
    if spec.get("row_count_band") or spec.get("expected_daily"):
        exps.append(_exp("expect_table_row_count_to_be_between", RULE_ROW_COUNT,
                         min_value={"$PARAMETER": "row_count_min"},
                         max_value={"$PARAMETER": "row_count_max"}))
    key = spec["key"]
    if len(key) == 1:
        exps.append(_exp("expect_column_values_to_be_unique", "key_unique", column=key[0]))
    else:
        exps.append(_exp("expect_compound_columns_to_be_unique", "key_unique", column_list=key))
    required = [c.name for c in columns if not c.nullable]
    if required:
        e = _exp("expect_column_values_to_be_null", RULE_REQUIRED_NOT_NULL, column=REQUIRED_NULLS_COLUMN)
        e["meta"]["columns"] = required
        exps.append(e)
    for col in columns:
        if col.nullable:
            lo, hi = null_share_parameters(col.name)
            exps.append(_exp("expect_column_proportion_of_non_null_values_to_be_between", RULE_NULL_SHARE,
                             column=col.name, min_value={"$PARAMETER": lo}, max_value={"$PARAMETER": hi}))
    return {"name": table, "expectations": exps,
            "meta": {"stage": "raw", "batch": f"the rows of one day's landed {table} files (dt = D), "
                     "exact re-delivered copies dropped; bands from the table's own history"}}


def _landing_counts_suite() -> dict:
    return {"name": LANDING_COUNTS_SUITE, "expectations": [
        _exp("expect_column_values_to_be_between", "quarantine_share_at_most",
             column="quarantine_share", min_value=0, max_value={"$PARAMETER": "max_quarantine_share"})],
        "meta": {"stage": "raw", "batch": "the ops.landing_counts row of one raw table and day, after staging: "
                 "quarantine_share = quarantined / (landed - duplicates)"}}


def label_rank_column(label: str, rank: str) -> str:
    return f"{label}__{rank}"


def _seed_pairs(path: str) -> list[list]:
    with open(SEEDS_DIR / path, encoding="utf-8") as fh:
        return [[r["level"], int(r["level_rank"])] for r in csv.DictReader(fh)]


def _mart_suite(table: str, spec: dict) -> dict:
    exps = [_exp("expect_compound_columns_to_be_unique", "one_row_per_key", column_list=spec["key"])]
    for col, values in (spec.get("in_set") or {}).items():
        exps.append(_exp("expect_column_values_to_be_in_set", "value_in_set", column=col, value_set=values))
    for label, lr in (spec.get("label_rank") or {}).items():
        # judged on the derived column "<label>__<rank>" = label|rank (gates.py adds it to the batch):
        # a vectorised set check, where GX's column-pair expectation walks the rows one by one
        pairs = lr.get("pairs") or _seed_pairs(lr["seed"])
        exps.append(_exp("expect_column_values_to_be_in_set", "rank_consistent_with_label",
                         column=label_rank_column(label, lr["rank"]), value_set=[f"{a}|{b}" for a, b in pairs]))
    for col, (lo, hi) in (spec.get("between") or {}).items():
        kw = {"column": col}
        if lo is not None:
            kw["min_value"] = lo
        if hi is not None:
            kw["max_value"] = hi
        exps.append(_exp("expect_column_values_to_be_between", "value_in_range", **kw))
    if spec.get("tier_distribution"):
        td = spec["tier_distribution"]
        exps.append(_exp("expect_column_values_to_be_between", "tier_distribution_not_degenerate",
                         column="peer_tier_share", max_value=td["max_tier_share"]))
    if spec.get("tier_stability"):
        ts = spec["tier_stability"]
        exps.append(_exp("expect_column_values_to_be_between", "tier_day_over_day_stable",
                         column="tier_rank_move", max_value=int(ts["min_steps"]) - 1,
                         mostly=round(1 - float(ts["max_moved_share"]), 6)))
    if spec.get("reconciliation"):
        exps += [
            _exp("expect_column_sum_to_be_between", "paid_orders_reconcile_with_staging", column="paid_orders",
                 min_value={"$PARAMETER": "staged_paid_orders"}, max_value={"$PARAMETER": "staged_paid_orders"}),
            _exp("expect_column_sum_to_be_between", "effective_gmv_reconciles_with_staging", column="effective_gmv_cents",
                 min_value={"$PARAMETER": "staged_effective_gmv_cents"}, max_value={"$PARAMETER": "staged_effective_gmv_cents"}),
            _exp("expect_column_pair_values_to_be_equal", "product_paid_orders_reconcile_with_staging",
                 column_A="paid_orders", column_B="staged_paid_orders"),
            _exp("expect_column_pair_values_to_be_equal", "product_effective_gmv_reconciles_with_staging",
                 column_A="effective_gmv_cents", column_B="staged_effective_gmv_cents"),
        ]
    return {"name": table, "expectations": exps,
            "meta": {"stage": "mart", "batch": f"the rows of marts.{table} for one as_of_date"}}


def build_suites() -> dict[str, dict]:
    """relative path under expectations/ -> suite document, from thresholds.yml (and seeds)."""
    from kscore.landing import contract

    th = thresholds()
    cols = contract()
    suites = {f"raw/{t}.json": _raw_suite(t, spec, cols[t]) for t, spec in th["raw"]["tables"].items()}
    suites[f"raw/{LANDING_COUNTS_SUITE}.json"] = _landing_counts_suite()
    suites.update({f"marts/{t}.json": _mart_suite(t, spec) for t, spec in th["marts"].items()})
    return suites


# expectations whose verdict on a batch of several days does not decide each day's verdict: aggregates
# (sums, row counts) and share bounds (`mostly`). Every other expectation judges rows one by one (keys
# include as_of_date), so a multi-day batch that passes it passes it for each of its days.
AGGREGATE_TYPES = {"expect_column_sum_to_be_between", "expect_table_row_count_to_be_between",
                   "expect_column_mean_to_be_between", "expect_column_max_to_be_between",
                   "expect_column_min_to_be_between"}


def judged_per_day(e: dict) -> bool:
    return e["type"] in AGGREGATE_TYPES or "mostly" in e.get("kwargs", {})


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
            if base and Path(base).parent == Path(tempfile.gettempdir()) and Path(base).is_dir() and not any(Path(base).iterdir()):
                Path(base).rmdir()
        self.datasource = self.context.data_sources.add_pandas(name)
        self._assets: dict = {}
        self._suites: dict = {}
        self.results: list[tuple[str, str, object]] = []  # (suite, batch_id, ExpectationSuiteValidationResult)
        self.run_time = dt.datetime.now(dt.timezone.utc)

    def suite(self, stage: str, table: str, per_day_only: bool = False):
        """The suite of a gated table; per_day_only: just its expectations that a multi-day batch cannot
        judge (see `judged_per_day`)."""
        key = (stage, table, per_day_only)
        if key not in self._suites:
            doc = load_suite_doc(stage, table)
            exps = [e for e in (doc or {}).get("expectations", []) if not per_day_only or judged_per_day(e)]
            if doc is None or not exps:
                self._suites[key] = None
            else:
                name = f"{stage}.{table}" + (".per_day" if per_day_only else "")
                s = self.gx.ExpectationSuite(name=name, meta=doc.get("meta") or {})
                for e in exps:
                    s.add_expectation_configuration(self._config(e))
                self._suites[key] = self.context.suites.add(s)
        return self._suites[key]

    def _config(self, e: dict):
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        return ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta=e.get("meta") or {})

    def validate(self, stage: str, table: str, df, batch_id: str, parameters: dict | None = None,
                 per_day_only: bool = False):
        suite = self.suite(stage, table, per_day_only)
        if suite is None:
            return None
        asset_name = f"{stage}.{table}"
        if asset_name not in self._assets:
            asset = self.datasource.add_dataframe_asset(asset_name)
            self._assets[asset_name] = asset.add_batch_definition_whole_dataframe("batch")
        batch = self._assets[asset_name].get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, expectation_parameters=parameters or {},
                                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5})
        self.results.append((suite.name, batch_id, result))
        return result

    def write(self, folder: Path, docs: bool = True, max_docs: int | None = None) -> dict:
        """Write the validation results (JSON) and the Data Docs (HTML) under `folder`: a page for every
        failed validation, and for passed ones up to max_docs ($KSCORE_GX_DOCS_MAX_PASSED, default 400;
        the JSON keeps every result)."""
        if max_docs is None:
            max_docs = int(os.environ.get("KSCORE_GX_DOCS_MAX_PASSED", "400"))
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
            run_id = RunIdentifier(run_name=self.name, run_time=self.run_time)
            for suite_name, batch_id, result in failed + passed[:max_docs]:
                key = ValidationResultIdentifier(
                    expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
                    run_id=run_id, batch_identifier=batch_id)
                self.context.validation_results_store.set(key, result)
            self.context.build_data_docs(site_names=[self.name])
            out["data_docs"] = site_dir / "index.html"
        return out


def main() -> int:
    for p in write_suites():
        print(f"wrote {p.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
