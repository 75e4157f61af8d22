"""The one place a Python string becomes SQL text (issue 10: no user string in SQL).

Prefer bind parameters (``con.execute(sql, [value])``). Where SQL cannot take a
parameter (``ATTACH``, ``COMMENT ON``, a catalog alias), quote with these:
``literal`` for a string literal, ``identifier`` for a name. Paths, file names
and comments are user- or upstream-controlled input: never put them in SQL any
other way. The dbt side has the twin macro ``kscore.sql_string``.
"""
from __future__ import annotations

import os


def literal(value: object) -> str:
    """A DuckDB SQL string literal holding `value` exactly (single quotes doubled; a DuckDB
    standard string takes every other character, backslashes and newlines included, as is)."""
    text = os.fspath(value) if hasattr(value, "__fspath__") else str(value)
    if "\x00" in text:
        raise ValueError("a NUL character cannot be part of a SQL string")
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A quoted SQL identifier (double quotes doubled)."""
    if "\x00" in name:
        raise ValueError("a NUL character cannot be part of a SQL identifier")
    return '"' + name.replace('"', '""') + '"'


def has_table(con, schema: str, table: str) -> bool:
    """Whether the connection's default database has `schema.table` (a table, not a view): the one
    lookup of the gates, the sense step, the run log and the run summary."""
    return bool(con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                            [schema, table]).fetchone()[0])
