"""Quality gates (spec 06 §2-3): the interface the run uses (kscore.gates.results: results and GX
judging; kscore.gates.raw: file and batch gates; kscore.gates.marts: mart gates).

A gate result names the table, the day, the expectation, the observed value
and the bound. `raw_gates` judges the landed batches of the days a run
depends on; `mart_gates` judges the built marts per as_of_date (and, once
staging has run, the quarantine share of the raw batches). Both return every
result, passed or failed; the run publishes only the as_of_dates before the
first failure.

The batch and mart gates are Great Expectations 1.x suites, files under
``expectations/`` generated from ``expectations/thresholds.yml`` (see
kscore.gx_suites). Each suite judges a small *profile frame* per table and
run, validated once: one row per judged day and gate, holding the day's
figure and its bounds. The figures are DuckDB aggregates over the landed
Parquet files and the build file (kscore.gate_profiles) and the Parquet
footers; nothing proportional to rows x days is held in Python.
"""
from __future__ import annotations

from kscore.gates.marts import DETAIL_DAYS, _full_window_from, mart_gates, mart_profile_frame
from kscore.gates.raw import (EXPECTED_DAILY_TABLES, batch_gates, file_gates, null_share_bands, null_shares,
                              partition_gates, quarantine_gates, raw_gates, row_count_band)
from kscore.gates.results import (ROOT_RULE_ORDER, ROOT_TABLE_ORDER, GateResult, ProfileFrame, _session,
                                  failure_report, root_cause_key)

__all__ = ["DETAIL_DAYS", "EXPECTED_DAILY_TABLES", "ROOT_RULE_ORDER", "ROOT_TABLE_ORDER", "GateResult",
           "ProfileFrame", "_full_window_from", "_session", "batch_gates", "failure_report", "file_gates",
           "mart_gates", "mart_profile_frame", "null_share_bands", "null_shares", "partition_gates",
           "quarantine_gates", "raw_gates", "root_cause_key", "row_count_band"]
