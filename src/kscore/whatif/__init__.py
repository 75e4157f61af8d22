"""`kscore explain … --what-if indicator=value` (issue 13, point 2): one entity recomputed, its peers fixed.

`what_if(kind, entity_id, as_of, changes, warehouse)` takes the day's published inputs of every entity
(inputs.py), changes the asked indicator values of one entity, and runs over them the SQL that dbt renders
from the marts' own macros (compiled.py: product_tier_scores, subtree_peer_scores, peer_percentile,
product_tier_caps; score_indicators, pivot_scored_indicators). The peers' values, peer groups and weights
are those of the day; only the entity's cells differ. Nothing is scored in Python. `before` is the
published state (kscore.explain), `after` the recomputed one; docs/explain.md documents the document.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb

from kscore.explain import ExplainError, _plain, explain
from kscore.paths import warehouse_paths
from kscore.sqltext import literal
from kscore.whatif import inputs
from kscore.whatif.compiled import CompileError, compiled_statements

__all__ = ["WhatIfError", "parse_changes", "what_if"]

SCHEMA_VERSION = 1
PRODUCT_RANKED = ("heat", "quality", "service")


class WhatIfError(ExplainError):
    """A bad what-if (unknown indicator, a value that is not a number) or a day the build file cannot
    recompute: one line for the user, exit code 2."""


def parse_changes(items: list[str]) -> dict[str, float]:
    """`indicator=value` items as {indicator: value}; a malformed item or a value that is not a finite
    number is a WhatIfError."""
    changes: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name:
            raise WhatIfError(f"--what-if {item!r}: expected indicator=value, e.g. quality_refund_rate=0.01")
        try:
            value = float(text)
        except ValueError:
            raise WhatIfError(f"--what-if {item!r}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise WhatIfError(f"--what-if {item!r}: the value must be a finite number")
        if name in changes:
            raise WhatIfError(f"--what-if names {name} twice")
        changes[name] = value
    return changes


def _indicators(doc: dict) -> dict[str, dict]:
    return {i["indicator"]: {**i, "dimension": d["dimension"]} for d in doc["dimensions"] for i in d["indicators"]}


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [{n: _plain(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def _product_before(doc: dict) -> dict:
    return {"tier": doc["tier"]["tier"], "tier_rank": doc["tier"]["tier_rank"],
            "peer_group_size": doc["peer_group"]["size"],
            "dimensions": [{k: d[k] for k in ("dimension", "name_cn", "score", "percentile", "level",
                                               "level_rank", "cap")} for d in doc["dimensions"]],
            "indicators": {i: v["value"] for i, v in _indicators(doc).items()}}


def _product_after(con, stmts: dict, doc: dict, product_id: int) -> dict:
    con.execute(f"create or replace temp table whatif_product_scores as {stmts['product_scores']}")
    row = _rows(con, f"select * from ({stmts['product_tier']}) where product_id = ?", [product_id])[0]
    dims = []
    for d in doc["dimensions"]:
        k = d["dimension"]
        dims.append({"dimension": k, "name_cn": d["name_cn"], "score": row[f"{k}_score"],
                     "percentile": row.get(f"{k}_percentile"), "level": row.get(f"{k}_level", d["level"]),
                     "level_rank": row[f"{k}_rank"], "cap": row[f"{k}_cap"]})
    return {"tier": row["tier"], "tier_rank": row["tier_rank"], "peer_group_size": row["peer_group_size"],
            "dimensions": dims, "indicators": {i: row[i] for i in _indicators(doc)}}


def _scored_summary(doc_dims: list[dict], total: dict, stage: str, is_scored: bool, size) -> dict:
    return {"stage": stage, "is_scored": is_scored, "peer_group_size": size,
            "score_100": total["score_100"], "five_point": total["five_point"],
            "peer_percentile": total["peer_percentile"],
            "dimensions": [{"dimension": d["dimension"], "name_cn": d["name_cn"], "score": d["score"]}
                           for d in doc_dims],
            "indicators": [{k: i[k] for k in ("indicator", "name_cn", "value", "indicator_score", "weight",
                                               "weighted_score")} for d in doc_dims for i in d["indicators"]]}


def _scored_before(doc: dict) -> dict:
    return _scored_summary(doc["dimensions"], doc["total"], doc["stage"], doc["is_scored"], doc["peer_group"]["size"])


def _scored_after(con, stmts: dict, doc: dict, kind: str, entity_id: int) -> dict:
    m = inputs.SCORED[kind]
    con.execute(f"create or replace temp table whatif_scored as {stmts[kind + '_scored']}")
    long = {r["indicator"]: r for r in _rows(con, f"select * from whatif_scored where {m['key']} = ?", [entity_id])}
    wide = _rows(con, f"select * from ({stmts[kind + '_wide']}) where {m['key']} = ?", [entity_id])[0]
    dims = [{"dimension": d["dimension"], "name_cn": d["name_cn"], "score": wide[f"{d['dimension']}_score"],
             "indicators": [{"indicator": i["indicator"], "name_cn": i["name_cn"],
                             **{k: long[i["indicator"]][k] for k in ("value", "indicator_score", "weight",
                                                                      "weighted_score")}}
                            for i in d["indicators"]]} for d in doc["dimensions"]]
    total = {"score_100": wide[f"{m['score_name']}_100"], "five_point": wide[m["score_name"]],
             "peer_percentile": wide["peer_percentile"]}
    return _scored_summary(dims, total, wide["score_stage"], wide["is_scored"], wide["peer_group_size"])


def _notes(kind: str, doc: dict, changed: dict[str, dict]) -> list[str]:
    """Why a change cannot move anything: the dimension is not ranked, or the entity is 成长期."""
    notes = []
    if kind == "product":
        for name, ind in changed.items():
            if ind["dimension"] == "heat" and not doc["paid_orders"]:
                notes.append(f"{name}: 热度值 is not ranked (no paid order in the window)")
            elif ind["dimension"] in ("quality", "service") and doc["is_low_sample"]:
                notes.append(f"{name}: {ind['dimension']} is not ranked (低样本: paid orders {doc['paid_orders']} "
                             f"< {doc['min_orders_for_rates']})")
    elif not doc["is_scored"]:
        notes.append(f"{doc['stage']}: the {kind} is not scored (orders {doc['orders_30d']} < "
                     f"{doc['min_orders_scored']}); its values are shown, not ranked")
    return notes


def _attach_build(con, build: Path) -> bool:
    """The build file attached read-only under its stem, the catalog name of the rendered SQL; True when
    attached here (to detach after), False when the process's shared DuckDB instance of the published file
    already has it under that name."""
    row = con.execute("select path from duckdb_databases() where database_name = ?", [build.stem]).fetchall()
    if row:
        if row[0][0] and Path(row[0][0]).resolve() == build.resolve():
            return False
        raise WhatIfError(f"the catalog name {build.stem!r} is taken by {row[0][0]} in this process")
    con.execute(f'attach {literal(build)} as "{build.stem}" (read_only)')
    return True


def what_if(kind: str, entity_id: int, as_of: dt.date, changes: dict[str, float],
            warehouse: Path | str | None = None) -> dict:
    """The entity of `kind` on `as_of` recomputed with `changes` ({indicator: value}), its peers fixed:
    {schema_version, entity, id, as_of_date, changes, notes, before, after, sources} (docs/explain.md)."""
    doc = explain(kind, entity_id, as_of, warehouse)  # the published state; unknown kind, id or day stop here
    known = _indicators(doc)
    for name, value in changes.items():
        if name not in known:
            raise WhatIfError(f"unknown indicator {name!r} for a {kind}; one of: {', '.join(known)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise WhatIfError(f"the value of {name} must be a finite number, not {value!r}")
    paths = warehouse_paths(warehouse)
    try:
        stmts = compiled_statements(paths)
    except CompileError as exc:
        raise WhatIfError(str(exc)) from None
    except OSError as exc:  # the warehouse folder is not writable, a disk is full, …
        raise WhatIfError(f"cannot write the what-if SQL cache beside {paths.published}: {exc}") from None
    build = paths.build.stem  # the catalog name dbt rendered the seeds' relations with
    con = duckdb.connect(str(paths.published), read_only=True)
    try:
        attached = _attach_build(con, paths.build)
        try:
            inputs.load_changes(con, changes)
            if kind == "product":
                held = con.execute(f'select count(*) from "{build}".intermediate.int_product_category_paths '
                                   "where as_of_date = ?", [as_of]).fetchall()[0][0]
                if not held:
                    raise WhatIfError(f"the build file {paths.build} holds no category paths for {as_of} (it keeps "
                                      "the as_of_dates of the last build): rebuild that day to ask a product what-if")
                inputs.product_indicators(con, f'"{build}"', entity_id, as_of, list(known))
                before, after = _product_before(doc), _product_after(con, stmts, doc, entity_id)
            else:
                inputs.scored_indicators(con, kind, entity_id, as_of)
                before, after = _scored_before(doc), _scored_after(con, stmts, doc, kind, entity_id)
        finally:
            if attached:
                con.execute(f'detach "{build}"')
    except duckdb.Error as exc:
        raise WhatIfError(f"the what-if query failed: {str(exc).strip().splitlines()[0]}") from None
    finally:
        con.close()
    changed = {k: known[k] for k in changes}
    return {
        "schema_version": SCHEMA_VERSION, "entity": kind, "id": entity_id, "as_of_date": as_of.isoformat(),
        "peers": "fixed: the published values, peer groups and weights of the day; only this entity's values change",
        "changes": [{"indicator": k, "name_cn": v["name_cn"], "dimension": v["dimension"], "old": v["value"],
                     "new": changes[k]} for k, v in changed.items()],
        "notes": _notes(kind, doc, changed),
        "before": before, "after": after,
        "sources": {"published": str(paths.published), "build": str(paths.build)},
    }


# --- text ---------------------------------------------------------------------------------------------

def _f(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}"
    return str(v)


def _arrow(a, b) -> str:
    return _f(a) if a == b else f"{_f(a)} → {_f(b)}"


def render_text(wi: dict) -> str:
    """The what-if as text: each changed value, then every figure old → new (an unchanged one once)."""
    b, a = wi["before"], wi["after"]
    out = ["假设 (what-if, 同行固定): " + "; ".join(
        f"{c['name_cn']} {c['indicator']} {_f(c['old'])} → {_f(c['new'])}" for c in wi["changes"])]
    if wi["entity"] == "product":
        for db, da in zip(b["dimensions"], a["dimensions"], strict=True):
            out.append(f"  {db['name_cn']}: 分 {_arrow(db['score'], da['score'])}, 同类百分位 "
                       f"{_arrow(db['percentile'], da['percentile'])}, 等级 {_arrow(db['level'], da['level'])}, "
                       f"分层上限 {_arrow('G' + str(db['cap']), 'G' + str(da['cap']))}")
        out.append(f"  商品分层 {_arrow(b['tier'], a['tier'])}")
    else:
        ib = {i["indicator"]: i for i in b["indicators"]}
        ia = {i["indicator"]: i for i in a["indicators"]}
        for db, da in zip(b["dimensions"], a["dimensions"], strict=True):
            out.append(f"  {db['name_cn']}: 得分 {_arrow(db['score'], da['score'])}")
            for c in (x for x in wi["changes"] if x["dimension"] == db["dimension"]):
                o, i = ib[c["indicator"]], ia[c["indicator"]]
                out.append(f"    {i['name_cn']} {_arrow(o['value'], i['value'])}: 指标得分 "
                           f"{_arrow(o['indicator_score'], i['indicator_score'])}, 加权得分 "
                           f"{_arrow(o['weighted_score'], i['weighted_score'])}")
        out.append(f"  百分制 {_arrow(b['score_100'], a['score_100'])}; "
                   f"五分制 {_arrow(b['five_point'], a['five_point'])}"
                   f"; 同行百分位 {_arrow(b['peer_percentile'], a['peer_percentile'])}; {a['stage']}")
    out.extend(f"  注: {n}" for n in wi["notes"])
    return "\n".join(out) + "\n"
