"""Mart gates (spec 06 §3): per mart, one profile frame of the as_of_dates judged (keys, label/rank
pairs, ranges, and for 商品分层 the tier distribution, day-over-day stability and the reconciliation with
staging), validated once with the mart's GX suite."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Callable

import duckdb

from kscore.gates.raw import quarantine_gates
from kscore.gates.results import GateResult, ProfileFrame, _num, _plain, _session, _write_session
from kscore.sqltext import has_table

log = logging.getLogger("kscore.gates")


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
            if not has_table(con, "marts", table):
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
