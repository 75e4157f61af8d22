"""Gate results and how GX judges them (spec 06): `GateResult` (table, day, expectation, observed,
bound), the `ProfileFrame` a suite validates once per table and run, the GX session of a stage, and the
failure report whose headline names the root cause first."""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

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


def _session(name: str):
    from kscore.gx_session import GxSession

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
