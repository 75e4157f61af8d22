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

The runtime half (the GX context that validates the frames, its results and the offline Data Docs) is
kscore.gx_session.
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path

import yaml

from kscore import PROJECT_DIR

EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
THRESHOLDS_YML = EXPECTATIONS_DIR / "thresholds.yml"
SEEDS_DIR = PROJECT_DIR / "seeds"
LANDING_COUNTS_SUITE = "landing_counts"
DATA_DOCS_STATIC = EXPECTATIONS_DIR / "data_docs_static"


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


def main() -> int:
    for p in write_suites():
        print(f"wrote {p.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
