"""The dbt build on Apache Spark (`kscore run --engine spark`, issue 12, docs/spark.md).

dbt builds on the `spark` target of profiles.yml (session mode: Spark inside the dbt process, one
invocation, an in-memory catalog). The marts are Parquet under `<warehouse folder>/spark/marts/<mart>/`
(their `location_root`), every other table under `<warehouse folder>/spark/warehouse/<schema>.db/`.
After the build the tables the gates and publish read (marts, quarantine, ops, rules, staging) are copied from Spark's
Parquet into the DuckDB build file, cast to the contract's types, with their dbt descriptions as
comments: the mart gates and publish then run unchanged on Spark's output.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from kscore.sqltext import identifier, literal

ENGINES = ("duckdb", "spark")
# the schemas the gates and publish read from the build file (rules: the seeds, e.g. the tier gate's
# product_tier_params; staging: the tier gate's reconciliation reads stg_landing__orders and __refunds)
IMPORTED_SCHEMAS = ("marts", "quarantine", "ops", "rules", "staging")


def spark_dir(folder: Path) -> Path:
    """The Spark folder of a warehouse folder."""
    return Path(folder) / "spark"


def ledger_file(folder: Path) -> Path:
    """The sense step's ledger as Spark reads it: ops.landed_files of the build file, as Parquet."""
    return spark_dir(folder) / "ledger" / "landed_files.parquet"


def spark_env(folder: Path) -> dict[str, str]:
    """The environment that puts dbt on the spark target, its tables under `<folder>/spark`, and the
    sense step's ledger (export_ledger) where `spark__read_landed` reads it."""
    return {"KSCORE_DBT_TARGET": "spark", "KSCORE_SPARK_DIR": str(spark_dir(folder)),
            "KSCORE_SPARK_CATALOG": "in-memory", "KSCORE_SPARK_LEDGER": str(ledger_file(folder))}


def export_ledger(build_db: Path, folder: Path) -> int:
    """Write the sense step's ledger (ops.landed_files of the DuckDB build file) to `ledger_file`, so the
    Spark build reads exactly the files the sense step accepted, as DuckDB's does (a rejected file of an
    older day, which the raw gates let pass as reported earlier, is never read). Without a ledger in the
    build file the Parquet has no rows, and Spark reads no landed file. Returns the accepted files."""
    from kscore import buildfile
    from kscore.sqltext import has_table

    out = ledger_file(folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    with buildfile.connect(build_db) as con:  # a build file another process holds: BuildFileBusy, one line
        src = ("select table_name, dt, file_path, status from ops.landed_files" if has_table(con, "ops", "landed_files")
               else "select null::varchar as table_name, null::date as dt, null::varchar as file_path, "
                    "null::varchar as status where false")
        con.execute(f"copy ({src}) to {literal(str(out))} (format parquet)")
        return con.execute(f"select count(*) from read_parquet({literal(str(out))}) "
                           "where status = 'accepted'").fetchone()[0]


def clear_spark_dir(folder: Path) -> None:
    """An empty Spark folder before a build: every Spark build is a full refresh (tables rebuilt whole,
    docs/spark.md), and Spark refuses to create a table over a non-empty location."""
    shutil.rmtree(spark_dir(folder), ignore_errors=True)


def table_folder(folder: Path, schema: str, table: str) -> Path:
    """Where Spark wrote one table's Parquet files."""
    if schema == "marts":
        return spark_dir(folder) / "marts" / table
    return spark_dir(folder) / "warehouse" / f"{schema}.db" / table


def built_models(manifest: Path, schemas=IMPORTED_SCHEMAS) -> list[dict]:
    """The model and seed nodes of dbt's manifest in `schemas`: tables on Spark, and views (staging's
    stg_landing__*, recreated in DuckDB from their compiled SQL, plain SELECTs of the tables)."""
    nodes = json.loads(Path(manifest).read_text())["nodes"].values()
    return [n for n in nodes if n["schema"] in schemas and (
        n["resource_type"] == "seed"
        or (n["resource_type"] == "model" and n["config"].get("materialized") in ("table", "incremental", "view")))]


def _select_list(node: dict, present: list[str]) -> str:
    """The columns in the contract's order and types (the DuckDB types the DuckDB build has), or as
    Spark wrote them for a model without a contract."""
    cols = node.get("columns") or {}
    if not (node["config"].get("contract") or {}).get("enforced") or not cols:
        return ", ".join(identifier(c) for c in present)
    return ", ".join(f"cast({identifier(c)} as {col['data_type']}) as {identifier(c)}"
                     for c, col in cols.items())


def import_spark_tables(build_db: Path, folder: Path, manifest: Path) -> dict[str, int]:
    """Copy the marts, quarantine, ops, rules and staging tables (and staging's views) of a Spark build
    into the DuckDB build file (replacing what is there), with the dbt descriptions as comments. Returns {schema.table: rows}."""
    import duckdb

    rows: dict[str, int] = {}
    con = duckdb.connect(str(build_db))
    # tables first, then the views over them
    order = {"view": 1}
    try:
        for node in sorted(built_models(manifest),
                           key=lambda n: (order.get(n["config"].get("materialized"), 0), n["schema"], n["alias"])):
            schema, table = node["schema"], node["alias"]
            where = table_folder(folder, schema, table)
            target = f"{identifier(schema)}.{identifier(table)}"
            con.execute(f"create schema if not exists {identifier(schema)}")
            if node["config"].get("materialized") == "view":
                con.execute(f"create or replace view {target} as {node['compiled_code']}")
            elif where.is_dir() and any(where.rglob("*.parquet")):
                src = f"read_parquet({literal(str(where / '**' / '*.parquet'))}, union_by_name = true)"
                present = [r[0] for r in con.execute(f"describe select * from {src}").fetchall()]
                con.execute(f"create or replace table {target} as select {_select_list(node, present)} from {src}")
            else:  # an empty table Spark wrote no file for (a seed without rows is created, never inserted)
                con.execute(f"create or replace table {target} ({_empty_columns(node, where)})")
            _comment(con, target, node)
            rows[f"{schema}.{table}"] = con.execute(f"select count(*) from {target}").fetchone()[0]
    finally:
        con.close()
    return rows


def _empty_columns(node: dict, where: Path) -> str:
    """The column list of an empty table: a seed's CSV header with its column_types (else varchar), a
    contracted model's contract."""
    if node["resource_type"] == "seed":
        header = (Path(node["root_path"]) / node["original_file_path"]).read_text(encoding="utf-8")
        names = header.splitlines()[0].split(",") if header.strip() else []
        types = node["config"].get("column_types") or {}
        return ", ".join(f"{identifier(n.strip())} {types.get(n.strip(), 'varchar')}" for n in names)
    cols = node.get("columns") or {}
    if not (node["config"].get("contract") or {}).get("enforced") or not cols:
        raise FileNotFoundError(f"{node['schema']}.{node['alias']}: Spark wrote no Parquet file under {where}")
    return ", ".join(f"{identifier(c)} {col['data_type']}" for c, col in cols.items())


def _comment(con, target: str, node: dict) -> None:
    """The model's and its columns' descriptions as COMMENT ON (dbt-duckdb's persist_docs)."""
    kind = "view" if node["config"].get("materialized") == "view" else "table"
    if node.get("description"):
        con.execute(f"comment on {kind} {target} is {literal(node['description'])}")
    have = {r[0] for r in con.execute(f"describe {target}").fetchall()}
    for name, col in (node.get("columns") or {}).items():
        if name in have and col.get("description"):
            con.execute(f"comment on column {target}.{identifier(name)} is {literal(col['description'])}")
