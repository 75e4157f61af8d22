"""Vectorised column builders: numpy arrays -> Arrow arrays of the raw contract's types.

Timestamps are handled as int64 microseconds since the epoch (naive local time,
spec README: Asia/Shanghai stored as naive TIMESTAMP); money as int64 cents.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from kscore.landing import contract

US_PER_SECOND = 1_000_000
US_PER_HOUR = 3600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR
EPOCH = dt.date(1970, 1, 1)

ARROW_TYPES = {
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "varchar": pa.string(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "decimal(18,2)": pa.decimal128(18, 2),
    "timestamp": pa.timestamp("us"),
}


def day_us(day: dt.date) -> int:
    """Microseconds since the epoch of a local day's midnight."""
    return (day - EPOCH).days * US_PER_DAY


def us_day_index(ts_us: np.ndarray, start: dt.date) -> np.ndarray:
    """The day index (0 = start) of each timestamp."""
    return np.floor_divide(ts_us - day_us(start), US_PER_DAY)


def schema(table: str) -> pa.Schema:
    """The Arrow schema of a raw table, in the contract's column order and types."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.data_type], nullable=True) for c in contract()[table]])


def ts(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64).view("datetime64[us]"), type=pa.timestamp("us"), mask=mask)


def i64(values, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=mask)


def i32(values, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int32), type=pa.int32(), mask=mask)


def f64(values, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.float64), type=pa.float64(), mask=mask)


def boolean(values) -> pa.Array:
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_())


def money(cents) -> pa.Array:
    """DECIMAL(18,2) from int64 cents, exactly (two's-complement 128-bit little-endian words)."""
    c = np.asarray(cents, dtype=np.int64)
    words = np.empty((len(c), 2), dtype=np.int64)
    words[:, 0] = c
    words[:, 1] = np.where(c < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(c), [None, pa.py_buffer(words.tobytes())])


def label(codes, labels: list[str], mask: np.ndarray | None = None) -> pa.Array:
    """VARCHAR from integer codes into a list of labels (NULL where mask)."""
    idx = pa.array(np.asarray(codes, dtype=np.int32), type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(labels, type=pa.string())).cast(pa.string())


def prefixed(prefix: str, numbers) -> pa.Array:
    """VARCHAR `prefix` + decimal number, vectorised."""
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(prefix, pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), "")


def table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    """A table of the raw contract: every contract column, in order, with its type."""
    sch = schema(name)
    missing = [f.name for f in sch if f.name not in columns]
    if missing:
        raise KeyError(f"{name}: generator forgot columns {missing}")
    return pa.Table.from_arrays([columns[f.name] for f in sch], schema=sch)


def empty(name: str) -> pa.Table:
    return schema(name).empty_table()
