"""Raw gates (spec 06 §2): file level (readable with the contract's schema, a partition per expected
daily table and day), the GX batch suites judged on each table's own history (row-count band, NULL
shares, keys, required columns) and, once staging has run, the quarantine share."""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Callable

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from kscore.gates.results import GateResult, ProfileFrame, _plain, _session, _write_session
from kscore.landing import LandedFile, contract
from kscore.sqltext import has_table, identifier


def _expected_daily_tables() -> tuple[str, ...]:
    from kscore.gx_suites import thresholds

    return tuple(t for t, spec in thresholds()["raw"]["tables"].items() if spec.get("expected_daily"))


# daily tables that must have a partition for every day (spec 06 §2): `expected_daily` in thresholds.yml
EXPECTED_DAILY_TABLES = _expected_daily_tables()


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
    if not days or not has_table(con, "ops", "landing_counts"):
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
