"""Profile frames of the quality gates (issue 15): every row-level check as a DuckDB aggregate.

The gates judge one small frame per table and run (one row per judged day and gate), validated once
by Great Expectations (kscore.gates). This module computes the frames' row-level figures in DuckDB, so
nothing proportional to rows x days is held in Python:

* raw tables (`raw_key_profile`): per table and dt, from the day's accepted Parquet files, the
  landed rows and the distinct keys, in one statement per table and chunk of days reading the key
  columns only; a day whose keys repeat (or are NULL) gets the exact count on the batch with exact
  re-delivered copies dropped (`raw_duplicate_detail`). NULL counts, schemas and row counts come
  from the files' Parquet footers (kscore.gates).
* marts (`mart_profile`): per mart and as_of_date, duplicate keys, rows outside each set, label|rank
  pairs outside the seed, rows outside each range, in one `group by as_of_date` scan (duplicate keys
  from per-key day bitmaps); for product_tier_daily also the degenerate-tier share
  (`peer_tier_shares`), the day-over-day tier moves and the reconciliation with staging
  (`product_tier_profile`: per product and 40-day chunk, its days and ranks packed into integers;
  the staged orders and refunds as per-day events over the runs of days each product has rows on;
  per-product agreement by weighted sums). No join or group has a row per mart row and day except
  where a check fails.

Every value that reaches SQL text is an identifier or literal quoted by kscore.sqltext, or a number;
paths and dates are bind parameters.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from kscore.sqltext import identifier, literal

# days per raw statement: one UNION ALL branch (its own small hash table) per day
RAW_CHUNK_DAYS = 31


def connect(path: Path | None = None, read_only: bool = False):
    """A DuckDB connection with the warehouse's threads and memory limit (as profiles.yml)."""
    config = {"threads": int(os.environ.get("KSCORE_DUCKDB_THREADS", "2")),
              "memory_limit": os.environ.get("KSCORE_DUCKDB_MEMORY_LIMIT", "12GB"),
              "preserve_insertion_order": False}
    if path is None:
        return duckdb.connect(config=config)
    return duckdb.connect(str(path), read_only=read_only, config=config)


def _ids(cols) -> str:
    return ", ".join(identifier(c) for c in cols)


def _sql_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return literal(v)


def _read(param: str) -> str:
    return f"read_parquet({param}, union_by_name = true, hive_partitioning = false)"


# --------------------------------------------------------------------------- raw tables

def raw_key_profile(con, key: list[str], batches: dict[dt.date, list[str]]) -> dict[dt.date, dict]:
    """dt -> {"landed_rows", "null_key_rows", "distinct_keys"} over each day's files (key columns
    only), or {"error": message} for a day that cannot be read. With more than one key column the
    keys are counted by hash: a collision can only make a day look repeated, which the exact count
    (`raw_duplicate_detail`) then settles."""
    knull = " or ".join(f"{identifier(k)} is null" for k in key)
    kexpr = identifier(key[0]) if len(key) == 1 else f"hash({_ids(key)})"

    def branch(j: int) -> str:
        return (f"select {j} as i, count(*) as landed_rows, count(*) filter (where {knull}) as null_key_rows, "
                f"count(distinct {kexpr}) filter (where not ({knull})) as distinct_keys from {_read(f'${j + 1}')}")

    def run(days: list[dt.date]) -> dict:
        sql = " union all ".join(branch(j) for j in range(len(days)))
        rows = con.execute(sql, [list(batches[d]) for d in days]).fetchall()
        return {days[i]: {"landed_rows": int(n), "null_key_rows": int(nk), "distinct_keys": int(k)}
                for i, n, nk, k in rows}

    days = sorted(batches)
    out: dict = {}
    for c in range(0, len(days), RAW_CHUNK_DAYS):
        chunk = days[c:c + RAW_CHUNK_DAYS]
        try:
            out.update(run(chunk))
        except duckdb.Error:
            for d in chunk:  # find the day that cannot be read; the others still count
                try:
                    out.update(run([d]))
                except duckdb.Error as exc:
                    out[d] = {"error": str(exc).splitlines()[0][:300]}
    return out


def key_repeats(p: dict) -> bool:
    """Whether a day's key profile needs the exact count (some key repeats, or is NULL)."""
    return p["null_key_rows"] > 0 or p["distinct_keys"] < p["landed_rows"] - p["null_key_rows"]


def raw_duplicate_detail(con, columns: list[str], key: list[str], paths: list[str]) -> dict:
    """The exact figures of one day's batch (the contract columns of its files, exact re-delivered
    copies dropped): distinct rows, duplicate key rows (distinct rows with a non-NULL key minus their
    distinct keys) and up to 5 repeated keys."""
    knull = " or ".join(f"{identifier(k)} is null" for k in key)
    kval = identifier(key[0]) if len(key) == 1 else "struct_pack(" + ", ".join(
        f"{identifier(k)} := {identifier(k)}" for k in key) + ")"
    sql = f"""
        with d as (select distinct {_ids(columns)} from {_read('$1')}),
        k as (select {_ids(key)}, count(*) as n from d where not ({knull}) group by all)
        select (select count(*) from d),
               (select coalesce(sum(n - 1), 0) from k),
               (select list(e) from (select {kval} as e from k where n > 1 order by e limit 5))"""
    distinct_rows, dup, examples = con.execute(sql, [list(paths)]).fetchone()
    return {"distinct_rows": int(distinct_rows), "duplicate_key_rows": int(dup), "examples": examples or []}


# --------------------------------------------------------------------------- marts

# profile columns of a mart (one row per as_of_date)
MAX_PEER_TIER_SHARE = "max_peer_tier_share"
TIER_MOVED_SHARE = "tier_moved_share"


def in_set_column(column: str) -> str:
    return f"{column}__not_in_set"


def label_rank_column(label: str, rank: str) -> str:
    return f"{label}__{rank}__not_in_pairs"


def in_range_column(column: str) -> str:
    return f"{column}__out_of_range"


def mart_columns(con, table: str) -> dict[str, str]:
    return {name: type_ for name, type_, *_ in con.execute(f"describe marts.{identifier(table)}").fetchall()}


def _in_set_expr(col: str, values: list) -> str:
    c = identifier(col)
    return f"{c} is not null and {c} not in ({', '.join(_sql_value(v) for v in values)})"


def _pairs_expr(label: str, rank: str, pairs: list[list]) -> str:
    lab, rk = identifier(label), identifier(rank)
    labels = [p[0] for p in pairs]
    if len(set(labels)) == len(labels):  # a label has one rank: one CASE per row
        case = " ".join(f"when {_sql_value(a)} then {_sql_value(b)}" for a, b in pairs)
        match = f"coalesce({rk} = (case {lab} {case} end), false)"
    else:
        match = "(" + " or ".join(f"({lab} = {_sql_value(a)} and {rk} = {_sql_value(b)})" for a, b in pairs) + ")"
    return f"{lab} is not null and {rk} is not null and not {match}"


def _range_expr(col: str, lo, hi) -> str:
    c = identifier(col)
    parts = ([f"{c} < {_sql_value(lo)}"] if lo is not None else []) + ([f"{c} > {_sql_value(hi)}"] if hi is not None else [])
    return " or ".join(parts) if parts else "false"


def mart_checks(spec: dict, present: dict[str, str]) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """The per-day counts of a mart's set, label|rank and range checks: [(profile column, condition a
    failing row meets, column the examples show)], and {profile column: why it cannot be computed} for
    the checks whose columns the mart lacks."""
    from kscore.gx_suites import label_rank_pairs

    checks: list[tuple[str, str, str]] = []
    missing: dict[str, str] = {}

    def lacks(*cols) -> str | None:
        gone = [c for c in cols if c not in present]
        return f"column {', '.join(gone)} not in the mart" if gone else None

    for col, values in (spec.get("in_set") or {}).items():
        if (why := lacks(col)):
            missing[in_set_column(col)] = why
        else:
            checks.append((in_set_column(col), _in_set_expr(col, values), f"cast({identifier(col)} as varchar)"))
    for label, lr in (spec.get("label_rank") or {}).items():
        rank = lr["rank"]
        if (why := lacks(label, rank)):
            missing[label_rank_column(label, rank)] = why
        else:
            pair = f"concat(cast({identifier(label)} as varchar), '|', cast({identifier(rank)} as varchar))"
            checks.append((label_rank_column(label, rank), _pairs_expr(label, rank, label_rank_pairs(lr)), pair))
    for col, (lo, hi) in (spec.get("between") or {}).items():
        if (why := lacks(col)):
            missing[in_range_column(col)] = why
        else:
            checks.append((in_range_column(col), _range_expr(col, lo, hi), identifier(col)))
    return checks, missing


# days per presence chunk of the duplicate-key check (a BIGINT bitmap)
KEY_CHUNK_DAYS = 60


def mart_profile(con, table: str, spec: dict, first: dt.date, last: dt.date, with_keys: bool = True,
                 present: dict[str, str] | None = None):
    """One row per as_of_date in [first, last] that has rows (a mart without as_of_date: one row,
    as_of_date = last): rows, duplicate_key_rows (when with_keys) and the rows failing each set /
    label|rank / range check. Returns (dataframe, {profile column: why not computed}).

    Duplicate keys are found per key without as_of_date and chunk of KEY_CHUNK_DAYS days: a key has a
    duplicate when it has more rows than days (bits of its day bitmap); only then are the rows
    grouped by the whole key (a group per row of the mart costs ~10x more)."""
    present = present if present is not None else mart_columns(con, table)
    checks, missing = mart_checks(spec, present)
    t = f"marts.{identifier(table)}"
    dated = "as_of_date" in present
    if dated:
        src, params, day = f"(select * from {t} where as_of_date between $1 and $2)", [first, last], "cast(as_of_date as date)"
    else:
        src, params, day = t, [last], "cast($1 as date)"
    select = ", ".join([f"{day} as as_of_date", "count(*) as rows"]
                       + [f"count(*) filter (where {cond}) as {identifier(name)}" for name, cond, _ in checks])
    df = con.execute(f"select {select} from {src} group by all", params).df()
    key = list(spec["key"])
    if not with_keys:
        return df, missing
    if any(c not in present for c in key):
        missing["duplicate_key_rows"] = f"key column {', '.join(c for c in key if c not in present)} not in the mart"
        return df, missing
    rest = [c for c in key if c != "as_of_date"]
    if dated and rest and "as_of_date" in key:
        c = KEY_CHUNK_DAYS
        flagged = con.execute(f"""
            select count(*) from (
                select {_ids(rest)}, i // {c} as k, count(*) as n, bit_or(cast(1 as bigint) << (i % {c})) as days
                from (select {_ids(rest)}, cast(as_of_date - cast($1 as date) as integer) as i from {src})
                group by all)
            where n > bit_count(days)""", params).fetchone()[0]
        if not flagged:
            df["duplicate_key_rows"] = 0
            return df, missing
    dup = con.execute(f"""
        select {day} as as_of_date, cast(sum(n) - count(*) as bigint) as duplicate_key_rows
        from (select {_ids(key)}, count(*) as n from {src} group by all) group by all""", params).df()
    return df.merge(dup, on="as_of_date", how="left"), missing


def mart_check_details(con, table: str, spec: dict, day: dt.date, names: list[str], dated: bool) -> dict:
    """For one as_of_date: {profile column: {"examples": up to 5 failing values, "min", "max"}} of the
    checks named (the failing ones: the details are looked up for them only)."""
    present = mart_columns(con, table)
    checks, _ = mart_checks(spec, present)
    wanted = [(n, cond, shown) for n, cond, shown in checks if n in names]
    if not wanted:
        return {}
    where = "where as_of_date = $1" if dated else ""
    parts = []
    for n, cond, shown in wanted:
        parts.append(f"list_slice(list(distinct {shown}) filter (where {cond}), 1, 5)")
        if n.endswith("__out_of_range"):
            parts += [f"cast(min({shown}) as double)", f"cast(max({shown}) as double)"]
        else:
            parts += ["null", "null"]
    row = con.execute(f"select {', '.join(parts)} from marts.{identifier(table)} {where}", [day] if dated else []).fetchone()
    out = {}
    for j, (n, _, _) in enumerate(wanted):
        ex, lo, hi = row[3 * j: 3 * j + 3]
        out[n] = {"examples": ex or [], **({"min": lo, "max": hi} if n.endswith("__out_of_range") else {})}
    return out


def duplicate_key_examples(con, table: str, key: list[str], day: dt.date, dated: bool) -> list:
    """Up to 5 keys of one as_of_date held by more than one row (for the failure report)."""
    kval = "struct_pack(" + ", ".join(f"{identifier(k)} := {identifier(k)}" for k in key) + ")"
    where = "where as_of_date = $1" if dated else ""
    sql = (f"select list(e) from (select {kval} as e from marts.{identifier(table)} {where} "
           f"group by all having count(*) > 1 order by e limit 5)")
    return con.execute(sql, [day] if dated else []).fetchone()[0] or []


# --------------------------------------------------------------------------- product_tier_daily

ORDERS = "staging.stg_landing__orders"
REFUNDS = "staging.stg_landing__refunds"

# Per product and chunk of CHUNK_DAYS days, the days it has rows on and its tier_rank per day are
# packed into integers (one aggregate over the mart's rows, one row per product and chunk): presence
# bit j = day k * CHUNK_DAYS + j, and the rank as a 3-bit field (rank + 1, 0 = no rank). Each chunk
# row also carries the last day of the chunk before it and the first day of the chunk after it, so a
# mart row finds its product's previous day in the one chunk row of its own day (a hash join with one
# row per product and chunk, not a self-join of the mart).
CHUNK_DAYS = 40
# the product-level reconciliation compares, per day, Σ w(p) x figure over the mart's rows with the
# same weighted sum over the staged orders: w(p) a 62-bit hash of the product. Equal sums mean every
# product agrees (a disagreement cancels out only with probability ~2^-62); a day whose sums differ
# gets the exact per-row count (`product_tier_reconciliation_by_join`) for up to EXACT_DAYS days.
EXACT_DAYS = 5
WEIGHT = "(cast(hash({p}) >> 2 as hugeint) + 1)"


def product_tier_windows(con, first: dt.date, last: dt.date) -> dict:
    """How far each row's window lies before its as_of_date: {"start": {offsets}, "end": {offsets},
    "null": rows without a window}."""
    row = con.execute("""
        select list(distinct as_of_date - window_start), list(distinct as_of_date - window_end),
               count(*) filter (where window_start is null or window_end is null)
        from marts.product_tier_daily where as_of_date between $1 and $2""", [first, last]).fetchone()
    return {"start": set(row[0] or []), "end": set(row[1] or []), "null": int(row[2] or 0)}


def product_tier_profile(con, first: dt.date, last: dt.date, min_steps: int, reconcile: bool,
                         windows: tuple[int, int] | None):
    """Per as_of_date of product_tier_daily (a dataframe, one row per day with rows):

    - rows, duplicate_key_rows (rows minus distinct products);
    - tier_moves / tier_moved: rows whose product has a tier_rank on the day before (the build keeps
      earlier days) / of them, moved by more than min_steps - 1;
    - with `reconcile` and uniform `windows` (start, end) — the window of as_of_date D is
      D - start … D - end for every row: paid_orders_sum / effective_gmv_cents_sum (every row),
      staged_paid_orders / staged_effective_gmv_cents (each product and day once: a staged order paid
      on day P counts for the days D in [P + end, P + start] its product has rows on, a completed refund
      version for those where updated_at < D <= valid_to too), and the rows disagreeing with their own
      product's staged figures (0 when the weighted sums agree; else counted exactly).

    On a day with a duplicated key the duplicated products' packed ranks mix (that day fails
    one_row_per_key): their moves on the next day are not exact.
    """
    import pandas as pd

    n = (last - first).days + 1                      # judged days: index 1 … n; index 0 = first - 1
    day0 = first - dt.timedelta(days=1)
    c = CHUNK_DAYS
    top = 3 * (c - 1)
    con.execute(f"""
        create or replace temp table _pt_chunks as
        select product_id, i // {c} as k, count(*) as n,
               bit_or(cast(1 as bigint) << (i % {c})) as pres,
               bit_or(case when rk is null then cast(0 as hugeint)
                           else cast(least(greatest(rk, 0), 6) + 1 as hugeint) << (3 * (i % {c})) end) as ranks
        from (select product_id, cast(as_of_date - cast($1 as date) as integer) as i, cast(tier_rank as bigint) as rk
              from marts.product_tier_daily where as_of_date between $1 and $2)
        group by all""", [day0, last])
    con.execute(f"""
        create or replace temp table _pt_nb as
        select a.*, coalesce((b.pres >> {c - 1}) & 1, 0) as pres_before, coalesce((b.ranks >> {top}) & 7, 0) as rank_before,
               coalesce(x.pres & 1, 0) as pres_after
        from _pt_chunks a
        left join _pt_chunks b on b.product_id = a.product_id and b.k = a.k - 1
        left join _pt_chunks x on x.product_id = a.product_id and x.k = a.k + 1""")
    weight = WEIGHT.format(p="m.product_id")
    days = {int(i): dict(zip(("rows", "tier_moves", "tier_moved", "paid_orders_sum", "effective_gmv_cents_sum",
                                "paid_orders_fp", "gmv_cents_fp"), vals, strict=True))
            for i, *vals in con.execute(f"""
        with m as (
            select product_id, cast(as_of_date - cast($1 as date) as integer) as i, cast(tier_rank as bigint) as rk,
                   cast(paid_orders as bigint) as paid_orders, cast(round(effective_gmv * 100) as bigint) as gmv_cents
            from marts.product_tier_daily where as_of_date between cast($1 as date) + 1 and $2
        ),
        r as (
            select m.*, {weight} as w,
                   cast(case when m.i % {c} = 0 then p.rank_before
                             else (p.ranks >> (3 * greatest(m.i % {c} - 1, 0))) & 7 end as integer) - 1 as prev_rk
            from m inner join _pt_nb p on p.product_id = m.product_id and p.k = m.i // {c}
        )
        select i, count(*) as rows,
               count(*) filter (where prev_rk >= 0 and rk is not null) as tier_moves,
               count(*) filter (where prev_rk >= 0 and rk is not null and abs(rk - prev_rk) > {int(min_steps) - 1}) as tier_moved,
               cast(coalesce(sum(paid_orders), 0) as bigint) as paid_orders_sum,
               cast(coalesce(sum(gmv_cents), 0) as bigint) as effective_gmv_cents_sum,
               coalesce(sum(w * paid_orders), 0) as paid_orders_fp,
               coalesce(sum(w * gmv_cents), 0) as gmv_cents_fp
        from r group by i""", [day0, last]).fetchall()}
    for d in days.values():
        d["duplicate_key_rows"] = 0
    # duplicated keys: a product with more rows than days in a chunk; only then are the rows counted
    # by (as_of_date, product_id)
    if con.execute("select count(*) from _pt_chunks where n > bit_count(pres)").fetchone()[0]:
        for i, dup in con.execute("""
                select cast(as_of_date - cast($1 as date) as integer), sum(k - 1)
                from (select as_of_date, product_id, count(*) as k from marts.product_tier_daily
                      where as_of_date between cast($1 as date) + 1 and $2 group by all having count(*) > 1)
                group by 1""", [day0, last]).fetchall():
            days[int(i)]["duplicate_key_rows"] = int(dup)
    if reconcile and windows is not None:
        _staged_by_runs(con, first, last, n, day0, windows, days)
    con.execute("drop table if exists _pt_chunks; drop table if exists _pt_nb")
    return pd.DataFrame([{"as_of_date": day0 + dt.timedelta(days=i),
                          **{k: v for k, v in d.items() if not k.endswith("_fp")}} for i, d in sorted(days.items())])


def _run_bounds(n: int) -> str:
    """The first and last day (index) of every run of consecutive judged days (1 … n) a product has rows
    on, from _pt_nb: starts are present days whose day before is not (or is day 0), ends likewise."""
    c = CHUNK_DAYS
    full = (1 << c) - 1
    # the judged days of chunk k: bits j with 1 <= k * c + j <= n
    mask = f"(({full} >> greatest({c} - ({n} + 1 - k * {c}), 0)) & ~(case when k = 0 then 1 else 0 end))"
    return f"""
        rp as (
            select product_id, k, pres & {mask} as rp,
                   case when k >= 1 and k * {c} - 1 >= 1 then pres_before else 0 end as before,
                   case when (k + 1) * {c} <= {n} then pres_after else 0 end as after
            from _pt_nb where k * {c} <= {n}
        ),
        se as (
            select product_id, k, rp & ~((rp << 1) | before) & {full} as s, rp & ~((rp >> 1) | (after << {c - 1})) as e
            from rp where rp <> 0
        ),
        bounds as (
            select product_id, k * {c} + cast(j as integer) as i, (s >> cast(j as integer)) & 1 = 1 as run_start,
                   (e >> cast(j as integer)) & 1 = 1 as run_end
            from se, range({c}) as t(j)
            where ((s | e) >> cast(j as integer)) & 1 = 1
        ),"""


def _staged_by_runs(con, first, last, n, day0, windows, days) -> None:
    """Fill days[i] with the staged totals and the product-level verdicts (see product_tier_profile)."""
    k_start, k_end = windows
    weight = WEIGHT.format(p="o.product_id")
    staged = con.execute(f"""
        with {_run_bounds(n)}
        s as (select product_id, i from bounds where run_start),
        e as (select product_id, i from bounds where run_end),
        runs as (
            select s.product_id, s.a, e.b from
                (select product_id, i as a, row_number() over (partition by product_id order by i) as k from s) s
                inner join (select product_id, i as b, row_number() over (partition by product_id order by i) as k from e) e
                using (product_id, k)
        ),
        o as (
            select order_id, product_id, cast(paid_date - cast($1 as date) as integer) as q,
                   cast(pay_amount * 100 as bigint) as cents
            from {ORDERS} where paid_date between cast($2 as date) - {k_start} and cast($3 as date) - {k_end}
        ),
        orders_in as (
            select greatest(o.q + {k_end}, r.a) as lo, least(o.q + {k_start}, r.b) as hi, o.cents, {weight} as w
            from o inner join runs r on r.product_id = o.product_id
             and r.a <= o.q + {k_start} and r.b >= o.q + {k_end}
        ),
        refunds_in as (
            select greatest(o.q + {k_end}, r.a, cast(f.updated_at as date) - cast($1 as date) + 1) as lo,
                   least(o.q + {k_start}, r.b, cast(f.valid_to as date) - cast($1 as date)) as hi,
                   cast(f.refund_amount * 100 as bigint) as cents, {weight} as w
            from {REFUNDS} f inner join o on o.order_id = f.order_id
            inner join runs r on r.product_id = o.product_id
             and r.a <= o.q + {k_start} and r.b >= o.q + {k_end}
            where f.status = 'completed'
        ),
        ev as (
            select lo as i, count(*) as dn, sum(cents) as dc, sum(w) as fn, sum(w * cents) as fc
            from orders_in where lo <= hi group by 1
            union all
            select hi + 1, -count(*), -sum(cents), -sum(w), -sum(w * cents) from orders_in where lo <= hi group by 1
            union all
            select lo, 0, -sum(cents), 0, -sum(w * cents) from refunds_in where lo <= hi group by 1
            union all
            select hi + 1, 0, sum(cents), 0, sum(w * cents) from refunds_in where lo <= hi group by 1
        ),
        by_day as (select i, sum(dn) as dn, sum(dc) as dc, sum(fn) as fn, sum(fc) as fc from ev group by i)
        select i, sum(dn) over w, sum(dc) over w, sum(fn) over w, sum(fc) over w
        from by_day window w as (order by i rows between unbounded preceding and current row)""",
        [day0, first, last]).fetchall()
    running = {int(i): (int(a or 0), int(b or 0), int(c or 0), int(d or 0)) for i, a, b, c, d in staged}
    marks = sorted(running)
    exact_left = EXACT_DAYS
    for i, d in sorted(days.items()):
        before = [m for m in marks if m <= i]
        sn, sc, fn, fc = running[before[-1]] if before else (0, 0, 0, 0)
        d["staged_paid_orders"], d["staged_effective_gmv_cents"] = sn, sc
        agree = (int(d["paid_orders_fp"]) == fn, int(d["gmv_cents_fp"]) == fc)
        # 0 when the weighted sums agree; when they differ at least one row disagrees: counted exactly
        # for up to EXACT_DAYS days, else reported as 1 with disagreeing_counted = 0
        d["product_paid_orders_disagreeing"] = 0 if agree[0] else 1
        d["product_effective_gmv_disagreeing"] = 0 if agree[1] else 1
        d["disagreeing_counted"] = 1
        if not all(agree):
            d["disagreeing_counted"] = 0
            if exact_left > 0:
                exact_left -= 1
                day = day0 + dt.timedelta(days=i)
                row = product_tier_reconciliation_by_join(con, day, day).to_dict("records")
                if row:
                    d["product_paid_orders_disagreeing"] = int(row[0]["product_paid_orders_disagreeing"])
                    d["product_effective_gmv_disagreeing"] = int(row[0]["product_effective_gmv_disagreeing"])
                    d["disagreeing_counted"] = 1


def product_tier_reconciliation_by_join(con, first: dt.date, last: dt.date):
    """The reconciliation figures per as_of_date, joining every row's own window to the staged orders
    (used when the rows' windows are not one fixed offset from their as_of_date)."""
    sql = f"""
        with m as (
            select cast(as_of_date as date) as as_of_date, product_id, window_start, window_end, paid_orders,
                   cast(round(effective_gmv * 100) as bigint) as gmv_cents
            from marts.product_tier_daily where as_of_date between $1 and $2
        ),
        products as (select distinct as_of_date, product_id, window_start, window_end from m),
        window_orders as (
            select p.as_of_date, p.product_id, o.order_id, o.pay_amount
            from products p inner join {ORDERS} o
              on o.product_id = p.product_id and o.paid_date between p.window_start and p.window_end
        ),
        staged_orders as (
            select as_of_date, product_id, count(*) as n, sum(pay_amount) as gmv from window_orders group by 1, 2
        ),
        staged_refunds as (
            select w.as_of_date, w.product_id, sum(r.refund_amount) as amount
            from window_orders w inner join {REFUNDS} r
              on r.order_id = w.order_id and r.status = 'completed'
             and r.updated_at < cast(w.as_of_date as timestamp)
             and (r.valid_to is null or r.valid_to >= cast(w.as_of_date as timestamp))
            group by 1, 2
        ),
        staged as (
            select k.as_of_date, k.product_id, coalesce(so.n, 0) as staged_n,
                   cast(round((coalesce(so.gmv, 0) - coalesce(sr.amount, 0)) * 100) as bigint) as staged_cents
            from (select distinct as_of_date, product_id from m) k
            left join staged_orders so using (as_of_date, product_id)
            left join staged_refunds sr using (as_of_date, product_id)
        ),
        per_row as (
            select as_of_date,
                   count(*) filter (where m.paid_orders is distinct from s.staged_n) as product_paid_orders_disagreeing,
                   count(*) filter (where m.gmv_cents is distinct from s.staged_cents) as product_effective_gmv_disagreeing,
                   cast(coalesce(sum(m.paid_orders), 0) as bigint) as paid_orders_sum,
                   cast(coalesce(sum(m.gmv_cents), 0) as bigint) as effective_gmv_cents_sum
            from m left join staged s using (as_of_date, product_id) group by all
        )
        select p.*, cast(coalesce(t.n, 0) as bigint) as staged_paid_orders,
               cast(coalesce(t.cents, 0) as bigint) as staged_effective_gmv_cents
        from per_row p
        left join (select as_of_date, sum(staged_n) as n, sum(staged_cents) as cents from staged group by all) t
          using (as_of_date)"""
    return con.execute(sql, [first, last]).df()


def peer_tier_shares(con, first: dt.date, last: dt.date, min_group: int):
    """Per as_of_date, the largest share of one tier in a peer group of at least `min_group` products
    with >= 1 paid order in the window (the products peer_group_size counts), with its group."""
    sql = f"""
        with t as (
            select cast(as_of_date as date) as as_of_date, peer_category_id, tier, count(*) as n
            from marts.product_tier_daily where as_of_date between $1 and $2 and paid_orders > 0 group by all
        ),
        g as (select as_of_date, peer_category_id, sum(n) as size from t group by all),
        s as (
            select t.as_of_date, t.peer_category_id, t.tier, t.n * 1.0 / g.size as share, g.size
            from t inner join g using (as_of_date, peer_category_id)
            where g.size >= {int(min_group)} and t.tier is not null and t.peer_category_id is not null
        )
        select as_of_date, max(share) as max_peer_tier_share,
               arg_max(cast(peer_category_id as varchar), share) as max_share_peer_category_id,
               arg_max(cast(tier as varchar), share) as max_share_tier,
               cast(arg_max(size, share) as bigint) as max_share_group_size
        from s group by all"""
    return con.execute(sql, [first, last]).df()
