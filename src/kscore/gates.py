"""Quality gates (spec 06 §2-3): the interface the run uses.

A gate result names the table, the day, the expectation, the observed value
and the bound. `raw_gates` judges the landed batches of the days a run
depends on; `mart_gates` judges the built marts per as_of_date (and, once
staging has run, the quarantine share of the raw batches). Both return every
result, passed or failed; the run publishes only the as_of_dates before the
first failure.

The batch and mart gates are Great Expectations 1.x suites, files under
``expectations/`` generated from ``expectations/thresholds.yml`` (see
kscore.gx_suites), validated on pandas dataframes read through DuckDB.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, asdict
from functools import lru_cache
from pathlib import Path
from typing import Callable

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from kscore.landing import LandedFile, contract
from kscore.sqltext import identifier



def _expected_daily_tables() -> tuple[str, ...]:
    from kscore.gx_suites import thresholds

    return tuple(t for t, spec in thresholds()["raw"]["tables"].items() if spec.get("expected_daily"))


# daily tables that must have a partition for every day (spec 06 §2): `expected_daily` in thresholds.yml
EXPECTED_DAILY_TABLES = _expected_daily_tables()

# the order in which a run's headline looks for the root cause among the failures of one day: the
# tables other tables reference first (a missing order explains its logistics events' orphans, a
# 10x order spike explains a spike of the customer-service sessions about those orders) ...
ROOT_TABLE_ORDER = ("categories", "shops", "products", "creators", "orders", "activity_registrations",
                    "live_sessions", "logistics_events", "refunds", "reviews", "im_sessions",
                    "product_traffic_daily", "content_daily_stats")
# ... and file-level and batch-level findings before what staging found
ROOT_RULE_ORDER = ("file_readable_with_contract_schema", "daily_partition_present",
                   "expected_daily_table_not_empty", "row_count_within_band_of_own_history")

log = logging.getLogger("kscore.gates")


@dataclass
class GateResult:
    suite: str          # the gated table (the expectation suite's name)
    day: dt.date        # raw gates: the dt judged; mart gates: the as_of_date
    expectation: str
    success: bool
    observed: object = None
    bound: object = None
    stage: str = "raw"  # raw | mart

    @property
    def blocks_as_of(self) -> dt.date:
        """The first as_of_date this result stops: data of dt D feeds as_of_date D+1."""
        return self.day + dt.timedelta(days=1) if self.stage == "raw" else self.day

    def as_dict(self) -> dict:
        d = asdict(self)
        d["day"] = self.day.isoformat()
        return d

    def describe(self) -> str:
        return (f"{'PASS' if self.success else 'FAIL'} {self.stage} gate {self.suite} day {self.day}: "
                f"{self.expectation} (observed {self.observed!r}, bound {self.bound!r})")


# --------------------------------------------------------------------------- file level

def file_gates(files: list[LandedFile], days: list[dt.date]) -> list[GateResult]:
    """File-level raw gates: every landed file readable with the contract's columns and types,
    and a partition for every expected daily table, for each day in `days`."""
    results: list[GateResult] = []
    wanted = set(days)
    first = min(days, default=None)
    for f in files:
        if f.status != "rejected":
            continue
        observed = f"{Path(f.file_path).name}: {f.reason}"
        if f.dt in wanted:
            # a rejected file of a day the run reads fails that day's gate, in every run
            results.append(GateResult(f.table_name, f.dt, "file_readable_with_contract_schema", False,
                                      observed=observed, bound="accepted"))
        elif first is not None and (f.dt is None or f.dt < first):
            # a late-delivered rejected file of an older day, or a file in a folder that names no day
            # (dt=2023-02-30, dt=2023-2-19): it fails the gate of the run that first senses it, which then
            # publishes nothing after that day; later runs list it as a known rejection and go on (landed
            # files are never edited, so blocking every later run would leave no remedy)
            day = f.dt if f.dt is not None else first
            if f.is_new:
                results.append(GateResult(f.table_name, day, "file_readable_with_contract_schema", False,
                                          observed=f"{f.file_path}: {f.reason}", bound="accepted"))
            else:
                results.append(GateResult(f.table_name, first, "known_rejected_file_reported_earlier", True,
                                          observed=f"{f.file_path}: {f.reason}", bound="reported by an earlier run"))
    results += partition_gates(files, days)
    return results


def partition_gates(files: list[LandedFile], days: list[dt.date]) -> list[GateResult]:
    """Every expected daily table has an accepted partition for each day in `days`, and for every
    earlier day since its first landed day (the marts of these days read them: a day missing or
    rejected earlier still makes every later score wrong, and names itself as the cause, instead of
    the later day's logistics events whose orders never landed). Earlier days report failures only."""
    accepted = {(f.table_name, f.dt) for f in files if f.status == "accepted" and f.dt is not None}
    rejected: dict = defaultdict(list)
    for f in files:
        if f.status == "rejected" and f.dt is not None:
            rejected[(f.table_name, f.dt)].append(Path(f.file_path).name)
    results: list[GateResult] = []
    if not days:
        return results
    first_judged = min(days)
    for table in EXPECTED_DAILY_TABLES:
        landed = sorted(d for (t, d) in accepted | set(rejected) if t == table)
        if landed:
            gap = landed[0]
            while gap < first_judged:
                if (table, gap) not in accepted:
                    results.append(GateResult(table, gap, "daily_partition_present", False,
                                              observed=_missing(rejected.get((table, gap))),
                                              bound="present (an earlier day the marts read)"))
                gap += dt.timedelta(days=1)
        for day in days:
            ok = (table, day) in accepted
            results.append(GateResult(table, day, "daily_partition_present", ok,
                                      observed="present" if ok else _missing(rejected.get((table, day))),
                                      bound="present"))
    return results


def _missing(rejected_names: list[str] | None) -> str:
    if rejected_names:
        return f"missing: only rejected files ({', '.join(sorted(rejected_names))})"
    return "missing"


# --------------------------------------------------------------------------- GX result -> GateResult

def _plain(v):
    """JSON-friendly plain Python value (numpy scalars, decimals, dates)."""
    try:
        return json.loads(json.dumps(v, default=lambda o: o.item() if hasattr(o, "item") else str(o)))
    except (TypeError, ValueError):
        return str(v)


def _expectation_name(cfg) -> str:
    kw = cfg.kwargs
    target = kw.get("column") or kw.get("column_list") or (
        f"{kw['column_A']}, {kw['column_B']}" if "column_A" in kw else None)
    if isinstance(target, list):
        target = ", ".join(target)
    rule = (cfg.meta or {}).get("rule")
    name = f"{cfg.type}({target})" if target else cfg.type
    return f"{rule}: {name}" if rule else name


def _bound(cfg) -> object:
    kw = {k: v for k, v in cfg.kwargs.items()
          if k not in ("batch_id", "column", "column_list", "column_A", "column_B", "result_format", "ignore_row_if",
                       "exact_match")}
    if "value_pairs_set" in kw:
        kw["value_pairs_set"] = [list(p) for p in kw["value_pairs_set"]]
    if "column_set" in kw:
        kw = {"columns_present": sorted(kw["column_set"])}
    if "mostly" in kw:
        kw["mostly"] = float(kw["mostly"])
    return _plain(kw)


def _observed(res) -> object:
    r = res.result or {}
    if res.exception_info and res.exception_info.get("raised_exception"):
        return f"validation error: {res.exception_info.get('exception_message')}"
    if "observed_value" in r:
        ov = r["observed_value"]
        if isinstance(ov, list) and res.expectation_config.type == "expect_table_columns_to_match_set":
            missing = sorted(set(res.expectation_config.kwargs.get("column_set", [])) - set(ov))
            return {"missing_columns": missing} if missing else "all present"
        return _plain(ov)
    if "unexpected_count" in r and res.expectation_config.type == "expect_column_values_to_not_be_null":
        n = r.get("element_count") or 0
        return {"null_share": round(r["unexpected_count"] / n, 6) if n else None, "nulls": int(r["unexpected_count"]), "of": n}
    if "unexpected_count" in r and res.expectation_config.type == "expect_column_values_to_be_null":
        n = r.get("element_count") or 0
        nulls = n - int(r["unexpected_count"])
        return {"null_share": round(nulls / n, 6) if n else None, "nulls": nulls, "of": n}
    if "unexpected_count" in r:
        n = r.get("element_count")
        pct = r.get("unexpected_percent") or 0.0
        return _plain({"unexpected": r.get("unexpected_count"), "of": n, "unexpected_percent": round(float(pct), 4),
                       "examples": (r.get("partial_unexpected_list") or [])[:5]})
    return None


def _to_result(suite: str, day: dt.date, stage: str, res, overrides: dict | None = None) -> GateResult:
    """One GX expectation result as a GateResult."""
    cfg = res.expectation_config
    success = bool(res.success)
    bound = _bound(cfg)
    rule = (cfg.meta or {}).get("rule")
    if overrides and rule in overrides:
        success = True
        bound = {"not_judged": overrides[rule], **(bound if isinstance(bound, dict) else {"bound": bound})}
    return GateResult(suite, day, _expectation_name(cfg), success, _observed(res), bound, stage)


def _to_results(suite: str, day: dt.date, stage: str, gx_result, overrides: dict | None = None) -> list[GateResult]:
    return [_to_result(suite, day, stage, res, overrides) for res in gx_result.results]


# --------------------------------------------------------------------------- raw batch gates

def row_count_band(table: str, day: dt.date, n: int, counts: dict, cfg: dict) -> dict:
    """The row-count band of `table` on `day` from its own history (spec 06 §2).

    counts: (table, day) -> landed rows of the days with a delivery. Returns {"skipped": why} with too
    little history, else the two medians, the band of each ([low, high] x median) and the band the
    count `n` is judged by: the one that holds it (the count passes when either does), else the
    nearer one (it fails).
    """
    trailing = [counts[(table, day - dt.timedelta(days=i))] for i in range(1, int(cfg["trailing_days"]) + 1)
                if (table, day - dt.timedelta(days=i)) in counts]
    if len(trailing) < int(cfg["min_history_days"]):
        return {"skipped": f"{len(trailing)} days of {table} history in the {cfg['trailing_days']} days "
                           f"before {day}, fewer than {cfg['min_history_days']}"}
    weekday = [counts[(table, day - dt.timedelta(weeks=w))] for w in range(1, int(cfg["same_weekday_weeks"]) + 1)
               if (table, day - dt.timedelta(weeks=w)) in counts]
    low, high = float(cfg["low"]), float(cfg["high"])
    medians = {"same_weekday_median": statistics.median(weekday) if weekday else None,
               "trailing_median": statistics.median(trailing)}
    bands = {k: [math.ceil(m * low), math.floor(m * high)] for k, m in medians.items() if m is not None}
    holding = [b for b in bands.values() if b[0] <= n <= b[1]]
    if holding:
        judged = holding[0]
    else:
        judged = min(bands.values(), key=lambda b: min(abs(n - b[0]), abs(n - b[1])))
    return {"min_value": judged[0], "max_value": judged[1], **medians,
            "bands": bands, "history_days": len(trailing), "same_weekday_days": len(weekday),
            "rule": f"fails outside {low:g}x-{high:g}x of both medians"}


@lru_cache(maxsize=200_000)
def _file_nulls(path: str, mtime_ns: int) -> tuple[int, dict[str, int]]:
    """(rows, column -> NULL count) of one landed Parquet file, from its footer statistics when every
    column chunk has a null count, else counted by DuckDB."""
    meta = pq.read_metadata(path)
    nulls: dict[str, int] = defaultdict(int)
    complete = True
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        for j in range(rg.num_columns):
            col = rg.column(j)
            stats = col.statistics
            if stats is None or not stats.has_null_count:
                complete = False
                break
            nulls[col.path_in_schema] += int(stats.null_count)
        if not complete:
            break
    if complete:
        return meta.num_rows, dict(nulls)
    names = [f.name for f in meta.schema.to_arrow_schema()]
    con = duckdb.connect()
    try:
        row = con.execute("select count(*), " + ", ".join(
            f"count(*) - count({identifier(c)})" for c in names) + " from read_parquet(?)", [path]).fetchone()
    finally:
        con.close()
    return int(row[0]), dict(zip(names, (int(v) for v in row[1:])))


def null_shares(files: list[LandedFile]) -> dict:
    """(table, day) -> (rows, {column: NULL share}) over the accepted files of each day."""
    rows: dict = defaultdict(int)
    nulls: dict = defaultdict(lambda: defaultdict(int))
    for f in files:
        try:
            n, per_col = _file_nulls(f.file_path, Path(f.file_path).stat().st_mtime_ns)
        except (OSError, duckdb.Error, pa.ArrowException):
            continue  # unreadable now: the batch read reports it
        rows[(f.table_name, f.dt)] += n
        for c, k in per_col.items():
            nulls[(f.table_name, f.dt)][c] += k
    return {key: (n, {c: nulls[key][c] / n for c in nulls[key]}) for key, n in rows.items() if n}


def null_share_bands(table: str, day: dt.date, columns: list[str], shares: dict, cfg: dict) -> dict:
    """column -> {"min": lowest share allowed, "max": highest, "history": [lo, hi], "days": N}, or
    {"skipped": why}: the trailing range of the column's daily NULL shares, widened by the margin."""
    hist = [shares[(table, day - dt.timedelta(days=i))][1] for i in range(1, int(cfg["trailing_days"]) + 1)
            if (table, day - dt.timedelta(days=i)) in shares]
    if len(hist) < int(cfg["min_history_days"]):
        return {"skipped": f"{len(hist)} days of {table} history in the {cfg['trailing_days']} days "
                           f"before {day}, fewer than {cfg['min_history_days']}"}
    margin = float(cfg["margin"])
    out = {}
    for c in columns:
        values = [h.get(c, 0.0) for h in hist]
        lo, hi = min(values), max(values)
        out[c] = {"min": round(max(0.0, lo - margin), 6), "max": round(min(1.0, hi + margin), 6),
                  "history": [round(lo, 6), round(hi, 6)], "days": len(values)}
    return out


def _read_batch(files: list[LandedFile], table: str):
    cols = [c.name for c in contract()[table]]
    paths = [f.file_path for f in files]
    con = duckdb.connect()
    try:
        rel = con.execute(
            f"select distinct {', '.join(identifier(c) for c in cols)} "
            "from read_parquet(?, union_by_name = true)", [paths])
        return rel.df()
    finally:
        con.close()


def _add_required_nulls(df, table: str) -> None:
    """The derived column REQUIRED_NULLS_COLUMN: the required columns NULL in each row, ';'-joined."""
    from kscore.gx_suites import REQUIRED_NULLS_COLUMN

    required = [c.name for c in contract()[table] if not c.nullable and c.name in df.columns]
    out = [None] * len(df)
    if required and len(df):
        nulls = df[required].isna()
        for i in nulls.index[nulls.any(axis=1)]:
            out[i] = ";".join(c for c in required if nulls.at[i, c])
    df[REQUIRED_NULLS_COLUMN] = out


def batch_gates(files: list[LandedFile], days: list[dt.date], session) -> list[GateResult]:
    """GX raw suites on each table's batch of each day in `days` (accepted files only), with the
    row-count and null-share bands of each table's own history."""
    from kscore.gx_suites import (RULE_NOT_EMPTY, RULE_NULL_SHARE, RULE_ROW_COUNT, null_share_parameters,
                                  thresholds)

    th = thresholds()["raw"]
    band_cfg = th["row_count_band"]
    null_cfg = th["null_share_band"]
    accepted = [f for f in files if f.status == "accepted" and f.dt is not None]
    counts: dict = defaultdict(int)
    for f in accepted:
        counts[(f.table_name, f.dt)] += int(f.row_count or 0)
    by_batch: dict = defaultdict(list)
    for f in accepted:
        by_batch[(f.table_name, f.dt)].append(f)
    first_judged = min(days, default=None)
    window = dt.timedelta(days=int(null_cfg["trailing_days"]))
    shares = null_shares([f for f in accepted if first_judged is not None
                          and first_judged - window <= f.dt <= max(days)])
    results: list[GateResult] = []
    for day in days:
        for table, spec in th["tables"].items():
            batch_files = by_batch.get((table, day))
            if not batch_files:
                continue  # no delivery: daily_partition_present judges the expected daily tables
            try:
                df = _read_batch(batch_files, table)
            except duckdb.Error as exc:
                results.append(GateResult(table, day, "batch_readable", False,
                                          observed=str(exc).splitlines()[0][:300], bound="readable"))
                continue
            overrides: dict = {}
            floor = 1 if spec.get("expected_daily") else 0  # spec 06's fixed bound: never 0 rows
            params: dict = {"row_count_min": floor, "row_count_max": None}
            band = row_count_band(table, day, len(df), counts, band_cfg) if spec.get("row_count_band") else {}
            if "skipped" in band and not floor:
                overrides[RULE_ROW_COUNT] = band["skipped"]
            elif "min_value" in band:
                params.update(row_count_min=max(floor, band["min_value"]), row_count_max=band["max_value"])
            optional = [c.name for c in contract()[table] if c.nullable]
            nbands = null_share_bands(table, day, optional, shares, null_cfg) if optional else {}
            if len(df) < int(null_cfg["min_rows"]):
                nbands = {"skipped": f"{len(df)} rows < {null_cfg['min_rows']}"}
            for c in optional:
                lo, hi = null_share_parameters(c)
                b = nbands.get(c)
                params[lo] = round(1 - b["max"], 6) if b else 0.0
                params[hi] = round(1 - b["min"], 6) if b else 1.0
            _add_required_nulls(df, table)
            if "skipped" in nbands:
                overrides[RULE_NULL_SHARE] = nbands["skipped"]
            try:
                res = session.validate("raw", table, df, f"{table}-{day}", params)
            except Exception as exc:  # a GX failure is a failed gate with its message, never a stack trace
                results.append(GateResult(table, day, "gx_validation", False,
                                          observed=f"{type(exc).__name__}: {exc}"[:300], bound="validates"))
                continue
            if res is None:
                continue
            for r in _to_results(table, day, "raw", res, overrides):
                if r.expectation.startswith(RULE_ROW_COUNT) and floor and len(df) < floor:
                    r.expectation = r.expectation.replace(RULE_ROW_COUNT, RULE_NOT_EMPTY, 1)
                    r.observed, r.bound = len(df), {"min_value": floor, "expected_daily": True}
                elif r.expectation.startswith(RULE_ROW_COUNT) and "min_value" in band:
                    r.observed = len(df)
                    r.bound = band
                elif r.expectation.startswith(RULE_ROW_COUNT) and floor:
                    r.bound = {"min_value": floor, "expected_daily": True, "band": band.get("skipped")}
                elif r.expectation.startswith(RULE_NULL_SHARE):
                    col = r.expectation[r.expectation.rindex("(") + 1:-1]
                    if isinstance(r.observed, (int, float)):
                        r.observed = {"null_share": round(1 - float(r.observed), 6)}
                    if col in nbands:
                        r.bound = {"null_share_between": [nbands[col]["min"], nbands[col]["max"]],
                                   "trailing_range": nbands[col]["history"], "history_days": nbands[col]["days"],
                                   "margin": float(null_cfg["margin"])}
                results.append(r)
    return results


def _session(name: str):
    from kscore.gx_suites import GxSession

    return GxSession(name)


def _write_session(session, run_dir: Path | None, sub: str, progress: Callable[[str], None] | None = None) -> None:
    if run_dir is None or session is None:
        return
    try:
        out = session.write(Path(run_dir) / "gx" / sub)
        if progress and out.get("data_docs"):
            progress(f"  {sub} gate Data Docs: {out['data_docs']}")
    except Exception as exc:  # Data Docs are a report: never let rendering break a run
        log.warning("could not write %s Data Docs: %s", sub, exc)
        (Path(run_dir) / "gx").mkdir(parents=True, exist_ok=True)
        (Path(run_dir) / "gx" / f"{sub}_docs_error.txt").write_text(f"{type(exc).__name__}: {exc}\n")


def raw_gates(files: list[LandedFile], days: list[dt.date], build_db: Path | None,
              run_dir: Path | None = None, progress: Callable[[str], None] | None = None) -> list[GateResult]:
    """All raw gates for the data days `days` before the build: file level, then the GX batch suites.
    With run_dir, the validation results (JSON) and Data Docs (HTML) go to run_dir/gx/raw."""
    results = file_gates(files, days)
    if not days:
        return results
    try:
        session = _session("raw")
        results += batch_gates(files, days, session)
    except Exception as exc:  # a broken gate is a failed gate with its message, never a stack trace
        return results + [GateResult("raw", min(days), "raw_gates_ran", False,
                                     observed=f"{type(exc).__name__}: {exc}"[:500], bound="ran")]
    _write_session(session, run_dir, "raw", progress)
    if progress:
        failed = sum(not r.success for r in results)
        progress(f"  raw gates for dt {days[0]} … {days[-1]}: {len(results) - failed} passed, {failed} failed")
    return results


# --------------------------------------------------------------------------- post-staging raw gate

def quarantine_gates(con, days: list[dt.date], session) -> list[GateResult]:
    """Quarantine share per raw table and day (ops.landing_counts, written by the build)."""
    from kscore.gx_suites import LANDING_COUNTS_SUITE, thresholds

    th = thresholds()["raw"]
    q = th["quarantine_share"]
    if not days or not _has_table(con, "ops", "landing_counts"):
        return []
    df = con.execute("""
        select table_name, dt, landed_rows, staged_rows, quarantined_rows, duplicate_rows,
               quarantined_rows * 1.0 / nullif(landed_rows - duplicate_rows, 0) as quarantine_share
        from ops.landing_counts where dt in (select unnest(?::date[])) order by table_name, dt""", [days]).df()
    results = []
    for row in df.itertuples(index=False):
        rows = int(row.landed_rows - row.duplicate_rows)
        if rows == 0:
            continue  # nothing to judge: the row-count band judges an empty day
        # every batch is judged; a small batch may carry up to min_quarantined_rows bad rows
        allowed = max(float(q["max"]), int(q["min_quarantined_rows"]) / rows)
        day = row.dt.date() if hasattr(row.dt, "date") else row.dt
        batch = df[(df.table_name == row.table_name) & (df.dt == row.dt)].reset_index(drop=True)
        res = session.validate("raw", LANDING_COUNTS_SUITE, batch, f"{row.table_name}-{day}",
                               {"max_quarantine_share": allowed})
        for r in _to_results(row.table_name, day, "raw", res):
            r.observed = {"quarantine_share": round(float(row.quarantine_share or 0), 6),
                          "quarantined_rows": int(row.quarantined_rows), "rows": rows}
            r.bound = {"max": round(allowed, 6), "max_share": float(q["max"]),
                       "min_quarantined_rows": int(q["min_quarantined_rows"])}
            results.append(r)
    return results


# --------------------------------------------------------------------------- mart gates

def _has_table(con, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                            [schema, table]).fetchone()[0])


PRODUCT_TIER_DERIVED = """
with m as (
    select * from marts.product_tier_daily where as_of_date between ? and ?
),
prev as (
    select cast(as_of_date + interval 1 day as date) as as_of_date, product_id, max(tier_rank) as prev_tier_rank
    from marts.product_tier_daily
    where as_of_date between cast(cast(? as date) - interval 1 day as date) and cast(cast(? as date) - interval 1 day as date)
    group by 1, 2
),
-- the products that make up a peer group's size: >= 1 paid order in the window
group_sizes as (
    select as_of_date, peer_category_id, count(*) as n from m where paid_orders > 0 group by 1, 2
),
tier_counts as (
    select as_of_date, peer_category_id, tier, count(*) as n from m where paid_orders > 0 group by 1, 2, 3
),
products as (
    select distinct as_of_date, product_id, window_start, window_end from m
),
window_orders as (
    select p.as_of_date, p.product_id, o.order_id, o.pay_amount
    from products p inner join staging.stg_landing__orders o
      on o.product_id = p.product_id and o.paid_date between p.window_start and p.window_end
),
staged_orders as (
    select as_of_date, product_id, count(*) as n, sum(pay_amount) as gmv from window_orders group by 1, 2
),
staged_refunds as (
    select w.as_of_date, w.product_id, sum(r.refund_amount) as amount
    from window_orders w inner join staging.stg_landing__refunds r
      on r.order_id = w.order_id and r.status = 'completed'
     and r.updated_at < cast(w.as_of_date as timestamp)
     and (r.valid_to is null or r.valid_to >= cast(w.as_of_date as timestamp))
    group by 1, 2
)
select m.*,
       case when m.paid_orders > 0 and g.n >= ? then t.n * 1.0 / g.n end as peer_tier_share,
       abs(m.tier_rank - p.prev_tier_rank) as tier_rank_move,
       cast(round(m.effective_gmv * 100) as bigint) as effective_gmv_cents,
       coalesce(so.n, 0) as staged_paid_orders,
       cast(round((coalesce(so.gmv, 0) - coalesce(sr.amount, 0)) * 100) as bigint) as staged_effective_gmv_cents
from m
left join prev p on p.as_of_date = m.as_of_date and p.product_id = m.product_id
left join group_sizes g on g.as_of_date = m.as_of_date and g.peer_category_id = m.peer_category_id
left join tier_counts t on t.as_of_date = m.as_of_date and t.peer_category_id = m.peer_category_id and t.tier = m.tier
left join staged_orders so on so.as_of_date = m.as_of_date and so.product_id = m.product_id
left join staged_refunds sr on sr.as_of_date = m.as_of_date and sr.product_id = m.product_id
"""


def _mart_frame(con, table: str, spec: dict, first: dt.date, last: dt.date):
    from kscore.gx_suites import label_rank_column

    if table == "product_tier_daily" and (spec.get("reconciliation") or spec.get("tier_distribution")
                                          or spec.get("tier_stability")):
        min_group = int((spec.get("tier_distribution") or {}).get("min_peer_group", 100))
        df = con.execute(PRODUCT_TIER_DERIVED, [first, last, first, last, min_group]).df()
    elif "as_of_date" in [r[0] for r in con.execute(f"describe marts.{identifier(table)}").fetchall()]:
        df = con.execute(f"select * from marts.{identifier(table)} where as_of_date between ? and ?", [first, last]).df()
    else:
        df = con.execute(f"select * from marts.{identifier(table)}").df()
    # label|rank, NULL when either is missing (the set check ignores NULLs)
    for label, lr in (spec.get("label_rank") or {}).items():
        rank = lr["rank"]
        if label in df.columns and rank in df.columns:
            both = df[label].notna() & df[rank].notna()
            text = df[label].astype(str) + "|" + df[rank].astype("Int64").astype(str)
            df[label_rank_column(label, rank)] = text.where(both, None)
    return df


def mart_gates(build_db: Path, as_of_dates: list[dt.date], run_dir: Path,
               progress: Callable[[str], None] | None = None) -> list[GateResult]:
    """Gates on the built marts per as_of_date (GX suites under expectations/marts), plus the
    post-staging raw gate (quarantine share) of the data days D-1. A suite whose mart is absent
    from the build is skipped with a note. Results (JSON) and Data Docs go to run_dir/gx/marts."""
    if not as_of_dates:
        return []
    try:
        return _mart_gates(build_db, as_of_dates, run_dir, progress)
    except Exception as exc:  # a broken gate is a failed gate with its message, never a stack trace
        return [GateResult("marts", min(as_of_dates), "mart_gates_ran", False,
                           observed=f"{type(exc).__name__}: {exc}"[:500], bound="ran", stage="mart")]


def _day_slices(df, as_of_dates: list[dt.date]):
    import pandas as pd

    if "as_of_date" not in df.columns:  # a mart without as_of_date: judged whole, for the last day
        yield max(as_of_dates), df.reset_index(drop=True)
        return
    days = pd.to_datetime(df["as_of_date"]).dt.date if len(df) else df["as_of_date"]
    for day in as_of_dates:
        yield day, df[days == day].reset_index(drop=True)


def _reconciliation_params(spec: dict, part) -> dict:
    if not spec.get("reconciliation"):
        return {}
    # the staged totals over the batch's products, each product and day once (a duplicated mart row
    # must not raise the bound it is judged against)
    keys = [c for c in ("as_of_date", "product_id") if c in part.columns]
    staged = part.drop_duplicates(keys)
    return {"staged_paid_orders": int(staged["staged_paid_orders"].sum()),
            "staged_effective_gmv_cents": int(staged["staged_effective_gmv_cents"].sum())}


def _validate_mart(session, table: str, day: dt.date, part, params: dict, per_day_only: bool = False):
    try:
        res = session.validate("mart", table, part, f"{table}-{day}", params, per_day_only=per_day_only)
    except Exception as exc:
        return [GateResult(table, day, "gx_validation", False, observed=f"{type(exc).__name__}: {exc}"[:300],
                           bound="validates", stage="mart")]
    return [] if res is None else _to_results(table, day, "mart", res)


def _judge_mart(session, table: str, spec: dict, df, as_of_dates: list[dt.date]) -> list[GateResult]:
    """One mart's suite over the as_of_dates. A multi-day build is first judged as one batch: when every
    row-by-row expectation passes there, each day passes it (reported once, for the range), and only the
    aggregate / share expectations are validated day by day; otherwise every day is judged whole, so a
    failure names its day. A one-day build is judged whole."""
    slices = list(_day_slices(df, as_of_dates))
    if len(slices) > 1:
        try:
            res = session.validate("mart", table, df, f"{table}-{as_of_dates[0]}..{as_of_dates[-1]}",
                                   _reconciliation_params(spec, df))
        except Exception:
            res = None
        if res is not None:
            from kscore.gx_suites import judged_per_day

            row_level = [r for r in res.results
                         if not judged_per_day({"type": r.expectation_config.type, "kwargs": r.expectation_config.kwargs})]
            if all(r.success for r in row_level):
                span = f"{as_of_dates[0]}…{as_of_dates[-1]}"
                out = []
                for x in row_level:
                    r = _to_result(table, min(as_of_dates), "mart", x)
                    r.observed = {"as_of_dates": span, "observed": r.observed}
                    out.append(r)
                for day, part in slices:
                    out += _validate_mart(session, table, day, part, _reconciliation_params(spec, part), per_day_only=True)
                return out
    out = []
    for day, part in slices:
        out += _validate_mart(session, table, day, part, _reconciliation_params(spec, part))
    return out


def _mart_gates(build_db: Path, as_of_dates: list[dt.date], run_dir: Path,
                progress: Callable[[str], None] | None) -> list[GateResult]:
    from kscore.gx_suites import EXPECTATIONS_DIR, thresholds

    note = progress or (lambda s: log.info(s))
    results: list[GateResult] = []
    session = _session("marts")
    skipped: list[str] = []
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        data_days = [d - dt.timedelta(days=1) for d in as_of_dates]
        results += quarantine_gates(con, data_days, session)
        first, last = min(as_of_dates), max(as_of_dates)
        for table, spec in thresholds()["marts"].items():
            if not (EXPECTATIONS_DIR / "marts" / f"{table}.json").exists():
                continue
            if not _has_table(con, "marts", table):
                skipped.append(table)
                continue
            try:
                df = _mart_frame(con, table, spec, first, last)
            except duckdb.Error as exc:
                results.append(GateResult(table, first, "mart_readable", False,
                                          observed=str(exc).splitlines()[0][:300], bound="readable", stage="mart"))
                continue
            results += _judge_mart(session, table, spec, df, as_of_dates)
        if skipped:
            note(f"  mart gates: no suite run for {', '.join(skipped)} (not in the build)")
    finally:
        con.close()
    _write_session(session, run_dir, "marts", progress)
    if progress:
        failed = sum(not r.success for r in results)
        progress(f"  mart gates for as_of_dates {as_of_dates[0]} … {as_of_dates[-1]}: "
                 f"{len(results) - failed} passed, {failed} failed")
    if run_dir is not None and skipped:
        (Path(run_dir) / "gx").mkdir(parents=True, exist_ok=True)
        (Path(run_dir) / "gx" / "marts_skipped.txt").write_text(
            "suites not run, their mart is absent from the build:\n" + "\n".join(skipped) + "\n")
    return results


def root_cause_key(r: GateResult) -> tuple:
    """Sort key of the failures for the headline: the earliest as_of_date blocked, raw before mart,
    then the referenced tables before those referencing them, file and batch findings before what
    staging found (ROOT_TABLE_ORDER, ROOT_RULE_ORDER)."""
    table = ROOT_TABLE_ORDER.index(r.suite) if r.suite in ROOT_TABLE_ORDER else len(ROOT_TABLE_ORDER)
    rule = next((i for i, name in enumerate(ROOT_RULE_ORDER) if r.expectation.startswith(name)),
                len(ROOT_RULE_ORDER))
    return (r.blocks_as_of, r.stage != "raw", r.day, rule, table, r.suite, r.expectation)


def failure_report(results: list[GateResult]) -> str:
    """Human-readable report of the failed gates: table, day, expectation, observed value, bound."""
    failed = [r for r in results if not r.success]
    if not failed:
        return f"all {len(results)} gate results passed\n"
    lines = [f"{len(failed)} of {len(results)} gate results failed:"]
    for r in sorted(failed, key=root_cause_key):
        lines.append(f"- {r.stage} gate, table {r.suite}, {'dt' if r.stage == 'raw' else 'as_of_date'} {r.day}: "
                     f"{r.expectation}; observed {json.dumps(r.observed, ensure_ascii=False, default=str)}; "
                     f"bound {json.dumps(r.bound, ensure_ascii=False, default=str)}")
    return "\n".join(lines) + "\n"
