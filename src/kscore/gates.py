"""Quality gates (spec 06 §2-3): the interface the run uses.

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


# --------------------------------------------------------------------------- GX on profile frames

def _plain(v):
    """JSON-friendly plain Python value (numpy scalars and arrays, decimals, dates)."""
    def default(o):
        if hasattr(o, "tolist"):
            return o.tolist()
        if hasattr(o, "item"):
            return o.item()
        return str(o)
    try:
        return json.loads(json.dumps(v, default=default))
    except (TypeError, ValueError):
        return str(v)


def _num(v):
    """A number as int (when whole) or float; None for NULL / NaN / not a number."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if math.isnan(f):
        return None
    return int(f) if f.is_integer() else f


class ProfileFrame:
    """A suite's profile frame being built: one row per judged day and gate (the day's value and its
    bounds, NULL = not judged), with the observed value and bound each gate result reports."""

    def __init__(self, index: list[str]):
        self.index = index
        self.rows: list[dict] = []
        self.results: list[tuple[tuple, GateResult]] = []

    def add(self, key: tuple, result: GateResult, value, low=None, high=None, error: str | None = None) -> None:
        """One gate of one day: `key` the index values (texts), `result` the GateResult to report
        (observed and bound filled in; its success comes from GX), value / low / high the judged numbers.
        With `error` the gate cannot be computed: it fails with that message, GX does not judge it."""
        from kscore.gx_suites import BOUND_HIGH, BOUND_LOW, GATE, VALUE

        if error is not None:
            result.success, result.observed = False, error
            self.results.append((None, result))
            return
        self.rows.append({**dict(zip(self.index, key, strict=True)), GATE: result.expectation,
                          VALUE: _num(value), BOUND_LOW: _num(low), BOUND_HIGH: _num(high)})
        self.results.append(((*key, result.expectation), result))

    def frame(self):
        import pandas as pd

        from kscore.gx_suites import BOUND_HIGH, BOUND_LOW, GATE, VALUE

        df = pd.DataFrame(self.rows, columns=[*self.index, GATE, VALUE, BOUND_LOW, BOUND_HIGH])
        for c in (VALUE, BOUND_LOW, BOUND_HIGH):
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        return df

    def judge(self, session, stage: str, suite: str, batch_id: str) -> list[GateResult]:
        """Validate the frame once with the suite; every gate result gets GX's verdict for its row (a
        row is failed when GX lists it as unexpected). A validation that raises fails every row."""
        from kscore.gx_suites import GATE

        out = [r for k, r in self.results if k is None]
        judged = [(k, r) for k, r in self.results if k is not None]
        if not judged:
            return out
        index = [*self.index, GATE]
        df = self.frame()
        try:
            res = session.validate(stage, suite, df, batch_id, index=index)
        except Exception as exc:  # a GX failure is a failed gate with its message, never a stack trace
            for _, r in judged:
                r.success, r.observed = False, f"gx_validation: {type(exc).__name__}: {exc}"[:300]
            return out + [r for _, r in judged]
        if res is None:
            return out
        failed: set = set()
        error = None
        for x in res.results:
            info = x.exception_info or {}
            if info.get("raised_exception"):
                error = f"gx_validation: {info.get('exception_message')}"[:300]
                continue
            if x.success:
                continue
            unexpected = (x.result or {}).get("unexpected_index_list")
            if unexpected is None:
                error = "gx_validation: failed without naming its rows"
                continue
            for item in unexpected:
                if isinstance(item, dict):
                    failed.add(tuple(str(item[c]) for c in index))
                else:  # a positional index
                    failed.add(tuple(str(df.iloc[int(item)][c]) for c in index))
        for k, r in judged:
            r.success = error is None and tuple(str(v) for v in k) not in failed
            if error is not None:
                r.observed = {"observed": r.observed, "error": error}
        return out + [r for _, r in judged]


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



@lru_cache(maxsize=200_000)
def _file_footer(path: str, mtime_ns: int) -> tuple[int, dict[str, int], tuple[str, ...]]:
    """(rows, column -> NULL count, columns) of one landed Parquet file, from its footer (the NULL
    counts from the column statistics when every column chunk has one, else counted by DuckDB)."""
    meta = pq.read_metadata(path)
    names = tuple(f.name for f in meta.schema.to_arrow_schema())
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
        return meta.num_rows, dict(nulls), names
    from kscore.gate_profiles import connect

    con = connect()
    try:
        row = con.execute("select count(*), " + ", ".join(
            f"count(*) - count({identifier(c)})" for c in names) + " from read_parquet(?)", [path]).fetchone()
    finally:
        con.close()
    return int(row[0]), dict(zip(names, (int(v) for v in row[1:]), strict=True)), names


def _footer(f: LandedFile):
    return _file_footer(f.file_path, Path(f.file_path).stat().st_mtime_ns)


def null_shares(files: list[LandedFile]) -> dict:
    """(table, day) -> (rows, {column: NULL share}, {column: NULL count}) over the accepted files of
    each day, from the Parquet footers."""
    rows: dict = defaultdict(int)
    nulls: dict = defaultdict(lambda: defaultdict(int))
    for f in files:
        try:
            n, per_col, _ = _footer(f)
        except (OSError, duckdb.Error, pa.ArrowException):
            continue  # unreadable now: the batch profile reports it
        rows[(f.table_name, f.dt)] += n
        for c, k in per_col.items():
            nulls[(f.table_name, f.dt)][c] += k
    return {key: (n, {c: nulls[key][c] / n for c in nulls[key]}, dict(nulls[key])) for key, n in rows.items() if n}


def batch_gates(files: list[LandedFile], days: list[dt.date], session,
                tick: Callable[..., None] | None = None) -> list[GateResult]:
    """The raw suites: per table, one profile frame over the days in `days` that have a delivery
    (accepted files only), validated once. Keys are counted in DuckDB (kscore.gate_profiles), NULL
    counts, schemas and row counts come from the Parquet footers, the bands from the table's own
    history. `tick(done, total, unit=, rows=)` follows the tables judged (and their landed rows)."""
    from kscore import gate_profiles as gp
    from kscore.gx_suites import (RAW_DAY, RULE_COLUMNS_PRESENT, RULE_KEY_UNIQUE, RULE_NOT_EMPTY, RULE_NULL_SHARE,
                                  RULE_REQUIRED_NOT_NULL, RULE_ROW_COUNT, gate_name, suite_gates, thresholds)

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
    wanted = sorted(set(days))
    window = dt.timedelta(days=int(null_cfg["trailing_days"]))
    shares = null_shares([f for f in accepted if min(days) - window <= f.dt <= max(days)])
    results: list[GateResult] = []
    con = gp.connect()
    rows_judged = 0
    try:
        for i, (table, spec) in enumerate(th["tables"].items()):
            if tick:
                tick(i, len(th["tables"]), unit="tables", rows=rows_judged)
            batches = {d: [f.file_path for f in by_batch[(table, d)]] for d in wanted if by_batch.get((table, d))}
            rows_judged += sum(int(f.row_count or 0) for d in batches for f in by_batch[(table, d)])
            gates = {g["gate"]: g for g in suite_gates("raw", table)}
            if not batches or not gates:
                continue  # no delivery: daily_partition_present judges the expected daily tables
            columns = contract()[table]
            names = [c.name for c in columns]
            required = [c.name for c in columns if not c.nullable]
            optional = [c.name for c in columns if c.nullable]
            key = list(spec["key"])
            floor = 1 if spec.get("expected_daily") else 0  # spec 06's fixed bound: never 0 rows
            profile = gp.raw_key_profile(con, key, batches)
            pf = ProfileFrame([RAW_DAY])
            for day in sorted(batches):
                p = profile[day]
                if "error" not in p and gp.key_repeats(p):
                    try:
                        p = {**p, **gp.raw_duplicate_detail(con, names, key, batches[day])}
                    except duckdb.Error as exc:
                        p = {"error": str(exc).splitlines()[0][:300]}
                if "error" in p:
                    results.append(GateResult(table, day, "batch_readable", False, observed=p["error"], bound="readable"))
                    continue
                n = p.get("distinct_rows", p["landed_rows"])
                missing_cols, req_nulls = set(), defaultdict(int)
                for f in by_batch[(table, day)]:
                    try:
                        _, nulls, present = _footer(f)
                    except (OSError, duckdb.Error, pa.ArrowException) as exc:
                        missing_cols.add(f"(footer of {Path(f.file_path).name} unreadable: {type(exc).__name__})")
                        continue
                    missing_cols |= set(names) - set(present)
                    for c in required:
                        req_nulls[c] += nulls.get(c, 0)
                req_nulls = {c: k for c, k in req_nulls.items() if k}
                landed, day_shares, day_nulls = shares.get((table, day), (0, {}, {}))
                k = (day.isoformat(),)

                def gate(name: str, table=table, day=day, gates=gates) -> GateResult | None:
                    return GateResult(table, day, name, True) if name in gates else None

                if (r := gate(RULE_COLUMNS_PRESENT)):
                    r.observed = {"missing_columns": sorted(missing_cols)} if missing_cols else "all present"
                    r.bound = {"columns_present": sorted(names)}
                    pf.add(k, r, len(missing_cols), 0, 0)
                if (r := gate(RULE_ROW_COUNT)):
                    band = row_count_band(table, day, n, counts, band_cfg) if spec.get("row_count_band") else {}
                    low = max(floor, band["min_value"]) if "min_value" in band else (floor or None)
                    r.observed = n
                    if floor and n < floor:
                        r.expectation = RULE_NOT_EMPTY  # the fixed bound: reported under its own rule
                        r.bound = {"min_value": floor, "expected_daily": True}
                    elif "min_value" in band:
                        r.bound = band
                    elif floor:
                        r.bound = {"min_value": floor, "expected_daily": True, "band": band.get("skipped")}
                    else:
                        r.bound = {"not_judged": band.get("skipped", "no band")}
                    pf.add(k, r, n, low, band.get("max_value"))
                if (r := gate(gate_name(RULE_KEY_UNIQUE, *key))):
                    dup = p.get("duplicate_key_rows", 0)
                    r.observed = {"duplicate_key_rows": dup, "rows": n}
                    if p.get("examples"):
                        r.observed["examples"] = _plain(p["examples"])
                    r.bound = {"duplicate_key_rows": 0, "key": key, "rows": "distinct (exact re-delivered copies dropped)"}
                    pf.add(k, r, dup, 0, 0)
                if (r := gate(RULE_REQUIRED_NOT_NULL)):
                    r.observed = {"nulls": req_nulls, "landed_rows": landed} if req_nulls else "no NULL"
                    r.bound = {"nulls_allowed": 0}
                    pf.add(k, r, len(req_nulls), 0, 0)
                nbands = null_share_bands(table, day, optional, shares, null_cfg) if optional else {}
                if n < int(null_cfg["min_rows"]):
                    nbands = {"skipped": f"{n} rows < {null_cfg['min_rows']}"}
                for c in optional:
                    if not (r := gate(gate_name(RULE_NULL_SHARE, c))):
                        continue
                    share = day_shares.get(c, 0.0) if landed else None
                    r.observed = ({"null_share": round(share, 6), "nulls": int(day_nulls.get(c, 0)), "rows": landed}
                                  if share is not None else "no rows")
                    b = nbands.get(c)
                    if b:
                        r.bound = {"null_share_between": [b["min"], b["max"]], "trailing_range": b["history"],
                                   "history_days": b["days"], "margin": float(null_cfg["margin"])}
                    else:
                        r.bound = {"not_judged": nbands.get("skipped", "no band")}
                    pf.add(k, r, share, b["min"] if b else None, b["max"] if b else None)
            days_judged = sorted(batches)
            results += pf.judge(session, "raw", table, f"{table}-{days_judged[0]}..{days_judged[-1]}")
        if tick:
            tick(len(th["tables"]), len(th["tables"]), unit="tables", rows=rows_judged)
    finally:
        con.close()
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
              run_dir: Path | None = None, progress: Callable[[str], None] | None = None,
              tick: Callable[..., None] | None = None) -> list[GateResult]:
    """All raw gates for the data days `days` before the build: file level, then the GX batch suites.
    With run_dir, the validation results (JSON) and Data Docs (HTML) go to run_dir/gx/raw. With
    `tick` (a progress line: kscore.progress), the tables judged are counted there and the closing
    passed/failed line is left to the caller."""
    results = file_gates(files, days)
    if not days:
        return results
    try:
        session = _session("raw")
        results += batch_gates(files, days, session, tick)
    except Exception as exc:  # a broken gate is a failed gate with its message, never a stack trace
        return results + [GateResult("raw", min(days), "raw_gates_ran", False,
                                     observed=f"{type(exc).__name__}: {exc}"[:500], bound="ran")]
    _write_session(session, run_dir, "raw", progress)
    if progress and not tick:
        failed = sum(not r.success for r in results)
        progress(f"  raw gates for dt {days[0]} … {days[-1]}: {len(results) - failed} passed, {failed} failed")
    return results


# --------------------------------------------------------------------------- post-staging raw gate

def quarantine_gates(con, days: list[dt.date], session) -> list[GateResult]:
    """Quarantine share per raw table and day (ops.landing_counts, written by the build): one frame of
    every table and day, validated once."""
    from kscore.gx_suites import LANDING_COUNTS_SUITE, RAW_DAY, RULE_QUARANTINE_SHARE, thresholds

    q = thresholds()["raw"]["quarantine_share"]
    if not days or not _has_table(con, "ops", "landing_counts"):
        return []
    rows = con.execute("""
        select table_name, cast(dt as date), quarantined_rows, landed_rows - duplicate_rows
        from ops.landing_counts where dt in (select unnest(?::date[])) order by table_name, dt""", [days]).fetchall()
    pf = ProfileFrame(["table_name", RAW_DAY])
    for table, day, quarantined, n in rows:
        if not n:
            continue  # nothing to judge: the row-count band judges an empty day
        # every batch is judged; a small batch may carry up to min_quarantined_rows bad rows
        allowed = max(float(q["max"]), int(q["min_quarantined_rows"]) / int(n))
        share = int(quarantined) / int(n)
        r = GateResult(table, day, RULE_QUARANTINE_SHARE, True,
                       observed={"quarantine_share": round(share, 6), "quarantined_rows": int(quarantined), "rows": int(n)},
                       bound={"max": round(allowed, 6), "max_share": float(q["max"]),
                              "min_quarantined_rows": int(q["min_quarantined_rows"])})
        pf.add((table, day.isoformat()), r, share, None, allowed)
    return pf.judge(session, "raw", LANDING_COUNTS_SUITE, f"{LANDING_COUNTS_SUITE}-{min(days)}..{max(days)}")


# --------------------------------------------------------------------------- mart gates

def _has_table(con, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                            [schema, table]).fetchone()[0])


def mart_gates(build_db: Path, as_of_dates: list[dt.date], run_dir: Path,
               progress: Callable[[str], None] | None = None,
               tick: Callable[..., None] | None = None) -> list[GateResult]:
    """Gates on the built marts per as_of_date (GX suites under expectations/marts, one profile frame
    per mart), plus the post-staging raw gate (quarantine share) of the data days D-1. A suite whose
    mart is absent from the build is skipped with a note. Results (JSON) and Data Docs go to
    run_dir/gx/marts. `tick(done, total, unit=, rows=)` follows the marts judged, as in raw_gates."""
    if not as_of_dates:
        return []
    try:
        return _mart_gates(build_db, as_of_dates, run_dir, progress, tick)
    except Exception as exc:  # a broken gate is a failed gate with its message, never a stack trace
        return [GateResult("marts", min(as_of_dates), "mart_gates_ran", False,
                           observed=f"{type(exc).__name__}: {exc}"[:500], bound="ran", stage="mart")]


def _day_index(v) -> str:
    if hasattr(v, "date") and callable(v.date):
        v = v.date()
    return v.isoformat() if hasattr(v, "isoformat") else str(v)[:10]


def mart_profile_frame(con, table: str, spec: dict, as_of_dates: list[dt.date]):
    """(frame, missing, dated): the mart's profile frame, one row per judged as_of_date (every day of the
    run; a mart without as_of_date: one row for the last day), {profile column: why it is missing}, and
    whether the mart has as_of_date."""
    import pandas as pd

    from kscore import gate_profiles as gp
    from kscore.gate_profiles import MAX_PEER_TIER_SHARE, TIER_MOVED_SHARE
    from kscore.gx_suites import MART_DAY

    first, last = min(as_of_dates), max(as_of_dates)
    present = gp.mart_columns(con, table)
    dated = "as_of_date" in present
    special = table == "product_tier_daily" and dated and bool(
        spec.get("reconciliation") or spec.get("tier_distribution") or spec.get("tier_stability"))
    checks, missing = gp.mart_profile(con, table, spec, first, last, with_keys=not special, present=present)
    parts = [checks]
    if special:
        recon = bool(spec.get("reconciliation"))
        ts = spec.get("tier_stability") or {}
        w = gp.product_tier_windows(con, first, last)
        uniform = len(w["start"]) <= 1 and len(w["end"]) <= 1 and not w["null"]
        windows = (int(next(iter(w["start"]), 0)), int(next(iter(w["end"]), 0))) if uniform else None
        tiers = gp.product_tier_profile(con, first, last, int(ts.get("min_steps", 2)), recon, windows)
        parts.append(tiers.drop(columns=["rows"]))
        if recon and not uniform:
            parts.append(gp.product_tier_reconciliation_by_join(con, first, last))
        if spec.get("tier_distribution"):
            parts.append(gp.peer_tier_shares(con, first, last, int(spec["tier_distribution"]["min_peer_group"])))
    days = as_of_dates if dated else [last]
    frame = pd.DataFrame({MART_DAY: [d.isoformat() for d in days]})
    for part in parts:  # every part has the column as_of_date (= MART_DAY), one row per day with rows
        part = part.copy()
        part[MART_DAY] = [_day_index(v) for v in part[MART_DAY]]
        frame = frame.merge(part, on=MART_DAY, how="left")
    if "tier_moves" in frame.columns:
        moves = frame["tier_moves"].astype("float64")
        frame[TIER_MOVED_SHARE] = (frame["tier_moved"].astype("float64") / moves).where(moves > 0)
    if special:
        # warm-up: while W = D-window_days … D-1 reaches before the zone's first landed day, most products
        # are low-sample (and capped alike) and tiers move as the window fills: the distribution and
        # day-over-day stability gates judge full windows only (as the raw bands need 7 days of history)
        full_from = _full_window_from(con)
        frame["tier_window_not_full"] = [full_from is not None and dt.date.fromisoformat(d) < full_from
                                         for d in frame[MART_DAY]]
        for c in (MAX_PEER_TIER_SHARE, TIER_MOVED_SHARE):
            if c in frame.columns:
                frame.loc[frame["tier_window_not_full"], c] = float("nan")
    for c in frame.columns:
        if c in (MART_DAY, "max_share_peer_category_id", "max_share_tier"):
            continue
        v = pd.to_numeric(frame[c], errors="coerce").astype("float64")
        # a day without rows: every count is 0 (disagreeing_counted 1); shares stay NaN (not judged)
        if c not in (MAX_PEER_TIER_SHARE, TIER_MOVED_SHARE):
            v = v.fillna(1.0 if c == "disagreeing_counted" else 0.0)
        frame[c] = v
    return frame, missing, dated


def _full_window_from(con) -> dt.date | None:
    """The first as_of_date whose 商品分层 window W lies wholly after the zone's first landed orders day
    (None when the build has no ledger or no seed)."""
    try:
        first = con.execute("select min(dt) from ops.landed_files where table_name = 'orders' "
                            "and status = 'accepted'").fetchone()[0]
        window = con.execute("select max(case when param = 'window_days' then value end) "
                             "from rules.product_tier_params").fetchone()[0]
    except duckdb.Error:
        return None
    if first is None or window is None:
        return None
    return first + dt.timedelta(days=int(window))


# failing days per mart whose examples (and extremes) are looked up for the report
DETAIL_DAYS = 5


def _mart_frame(con, table: str, spec: dict, gates: list[dict], frame, missing: dict, dated: bool) -> ProfileFrame:
    """The mart's gates as a ProfileFrame: one row per as_of_date and gate of the suite."""
    from kscore import gate_profiles as gp
    from kscore.gate_profiles import (MAX_PEER_TIER_SHARE, TIER_MOVED_SHARE, in_range_column, in_set_column,
                                      label_rank_column)
    from kscore.gx_suites import MART_DAY

    pf = ProfileFrame([MART_DAY])
    counted = [c for c in frame.columns if c.endswith(("__not_in_set", "__not_in_pairs", "__out_of_range"))]
    detail_days = DETAIL_DAYS
    for rec in frame.to_dict("records"):
        day = dt.date.fromisoformat(rec[MART_DAY])
        k = (rec[MART_DAY],)
        rows = _num(rec.get("rows")) or 0
        failing = [c for c in counted if (_num(rec.get(c)) or 0) > 0]
        details = {}
        if failing and detail_days > 0:
            detail_days -= 1
            try:
                details = gp.mart_check_details(con, table, spec, day, failing, dated)
            except duckdb.Error as exc:
                details = {c: {"examples": f"not looked up: {str(exc).splitlines()[0][:100]}"} for c in failing}
        for g in gates:
            rule, name = g["rule"], g["gate"]
            r = GateResult(table, day, name, True, stage="mart")
            col = {"one_row_per_key": "duplicate_key_rows", "value_in_set": in_set_column(g.get("column", "")),
                   "rank_consistent_with_label": label_rank_column(g.get("label", ""), g.get("rank", "")),
                   "value_in_range": in_range_column(g.get("column", "")),
                   "tier_distribution_not_degenerate": MAX_PEER_TIER_SHARE,
                   "tier_day_over_day_stable": TIER_MOVED_SHARE,
                   "paid_orders_reconcile_with_staging": "paid_orders_sum",
                   "effective_gmv_reconciles_with_staging": "effective_gmv_cents_sum",
                   "product_paid_orders_reconcile_with_staging": "product_paid_orders_disagreeing",
                   "product_effective_gmv_reconciles_with_staging": "product_effective_gmv_disagreeing"}.get(rule)
            if col is None or col in missing or col not in frame.columns:
                pf.add(k, r, None, error=missing.get(col, f"no profile for rule {rule}"))
                continue
            value = _num(rec.get(col))
            low, high = g["bound"] if isinstance(g.get("bound"), list) else (None, None)
            if rule == "one_row_per_key":
                r.observed = {"duplicate_key_rows": value, "rows": rows}
                if value:
                    try:
                        r.observed["examples"] = _plain(gp.duplicate_key_examples(con, table, g["key"], day, dated))
                    except duckdb.Error:
                        pass
                r.bound = {"duplicate_key_rows": 0, "key": g["key"]}
            elif rule == "value_in_set":
                r.observed = {"rows_not_in_set": value, "rows": rows, **_plain(details.get(col, {}))}
                r.bound = {"value_set": g["value_set"]}
            elif rule == "rank_consistent_with_label":
                r.observed = {"rows_inconsistent": value, "rows": rows, **_plain(details.get(col, {}))}
                r.bound = {"pairs": [f"{a}|{b}" for a, b in g["pairs"]]}
            elif rule == "value_in_range":
                r.observed = {"rows_out_of_range": value, "rows": rows, **_plain(details.get(col, {}))}
                r.bound = {"min_value": g.get("min_value"), "max_value": g.get("max_value")}
            elif rule in ("tier_distribution_not_degenerate", "tier_day_over_day_stable") \
                    and rec.get("tier_window_not_full"):
                r.observed = "skipped: the window W reaches before the first landed day (warm-up)"
                r.bound = {"judged_from": str(_full_window_from(con))}
            elif rule == "tier_distribution_not_degenerate":
                if value is None:
                    r.observed = f"no peer group of >= {g['min_peer_group']} products with a paid order"
                else:
                    r.observed = {"max_tier_share": round(value, 6), "peer_category_id": rec.get("max_share_peer_category_id"),
                                  "tier": rec.get("max_share_tier"), "group_size": _num(rec.get("max_share_group_size"))}
                r.bound = {"max_value": high, "min_peer_group": g["min_peer_group"]}
            elif rule == "tier_day_over_day_stable":
                r.observed = {"moved_share": None if value is None else round(value, 6),
                              "moved": _num(rec.get("tier_moved")), "of": _num(rec.get("tier_moves"))}
                r.bound = {"max_moved_share": high, "min_steps": g["min_steps"]}
            elif rule in ("paid_orders_reconcile_with_staging", "effective_gmv_reconciles_with_staging"):
                staged_col = "staged_paid_orders" if rule.startswith("paid") else "staged_effective_gmv_cents"
                low = high = _num(rec.get(staged_col))
                r.observed = value
                r.bound = {"min_value": low, "max_value": high, "from": "staging"}
            else:  # product-level reconciliation
                r.observed = {"rows_disagreeing": value, "rows": rows}
                if value and not _num(rec.get("disagreeing_counted")):
                    r.observed = {"rows_disagreeing": f">= {value} (the weighted sums differ; counted for the "
                                  f"first {gp.EXACT_DAYS} such days only)", "rows": rows}
                r.bound = {"rows_disagreeing": 0, "per_product": "equal to staging"}
            pf.add(k, r, value, low, high)
    return pf


def _mart_gates(build_db: Path, as_of_dates: list[dt.date], run_dir: Path,
                progress: Callable[[str], None] | None,
                tick: Callable[..., None] | None = None) -> list[GateResult]:
    from kscore import gate_profiles as gp
    from kscore.gx_suites import EXPECTATIONS_DIR, suite_gates, thresholds

    note = progress or (lambda s: log.info(s))
    results: list[GateResult] = []
    session = _session("marts")
    skipped: list[str] = []
    con = gp.connect(build_db, read_only=True)
    try:
        data_days = [d - dt.timedelta(days=1) for d in as_of_dates]
        results += quarantine_gates(con, data_days, session)
        first, last = min(as_of_dates), max(as_of_dates)
        marts = thresholds()["marts"]
        rows_judged = 0
        for i, (table, spec) in enumerate(marts.items()):
            if tick:
                tick(i, len(marts), unit="marts", rows=rows_judged)
            if not (EXPECTATIONS_DIR / "marts" / f"{table}.json").exists():
                continue
            if not _has_table(con, "marts", table):
                skipped.append(table)
                continue
            try:
                frame, missing, dated = mart_profile_frame(con, table, spec, as_of_dates)
            except duckdb.Error as exc:
                results.append(GateResult(table, first, "mart_readable", False,
                                          observed=str(exc).splitlines()[0][:300], bound="readable", stage="mart"))
                continue
            if "rows" in frame.columns:
                rows_judged += int(frame["rows"].fillna(0).sum())
            pf = _mart_frame(con, table, spec, suite_gates("mart", table), frame, missing, dated)
            results += pf.judge(session, "mart", table, f"{table}-{first}..{last}")
        if tick:
            tick(len(marts), len(marts), unit="marts", rows=rows_judged)
        if skipped:
            note(f"  mart gates: no suite run for {', '.join(skipped)} (not in the build)")
    finally:
        con.close()
    _write_session(session, run_dir, "marts", progress)
    if progress and not tick:
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
