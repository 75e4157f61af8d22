"""Bad input of spec 06 ("Bad input this must survive"), injected into the newest
generated day's delivery. Every other file is byte-for-byte what the same seed
gives without injection, so a test can compare a clean and an injected zone.
"""
from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kscore.generate import arrow as A

INJECT_KINDS: dict[str, str] = {
    "missing_column": "the newest day's orders file lacks the pay_amount column",
    "wrong_type": "the newest day's orders file carries pay_amount as text ('12.50元')",
    "empty_file": "an extra 0-byte orders file in the newest day's folder",
    "truncated_parquet": "the newest day's orders file cut to half its bytes (corrupt Parquet)",
    "missing_day": "the newest day's orders folder never arrives",
    "duplicate_file": "the newest day's orders file delivered twice under another name",
    "duplicate_keys": "20 orders repeated within the newest day's orders file",
    "negative_amount": "5 orders of the newest day with a negative pay_amount",
    "future_timestamp": "5 orders of the newest day paid 40 days in the future",
    "orphan_order": "3 orders of the newest day whose shop has not landed (shop_id in the report)",
    "refund_exceeds_order": "3 refunds on the newest day larger than their order's pay_amount",
    "delivered_before_shipped": "3 orders of the newest day whose delivered event precedes shipped",
    "overlong_live_session": "1 live session of the newest day that ends 5 days after it started",
    "order_spike_10x": "the newest day has 10x the usual orders",
    "no_orders_day": "the newest day's orders file has no rows",
}

ORPHAN_SHOP_OFFSET = 900_000


def _set_column(tbl: pa.Table, name: str, arr: pa.Array) -> pa.Table:
    return tbl.set_column(tbl.schema.get_field_index(name), name, arr)


class Injector:
    def __init__(self, kinds: list[str], newest: dt.date):
        self.kinds = set(kinds)
        self.newest = newest
        self.report: dict[str, str] = {}

    @property
    def order_factor(self) -> float:
        return 10.0 if "order_spike_10x" in self.kinds else 1.0

    def skips(self, table: str) -> bool:
        return table == "orders" and "missing_day" in self.kinds

    def apply_rows(self, world, tables: dict[str, pa.Table], facts: dict) -> None:
        """Row-level bad input, applied to the newest day's tables before they are written."""
        day0 = A.day_us(self.newest)
        orders = tables["orders"]
        n = orders.num_rows
        if "order_spike_10x" in self.kinds:
            self.report["order_spike_10x"] = f"{n:,} orders on {self.newest}"
        if "negative_amount" in self.kinds:
            pay = facts["pay"].copy()
            pay[0:5] = -np.maximum(pay[0:5], 1)
            orders = _set_column(orders, "pay_amount", A.money(pay))
            self.report["negative_amount"] = f"orders {facts['order_id'][0]} … {facts['order_id'][4]}"
        if "future_timestamp" in self.kinds:
            paid = facts["paid"].copy()
            paid[5:10] = paid[5:10] + 40 * A.US_PER_DAY
            orders = _set_column(orders, "paid_at", A.ts(paid))
            self.report["future_timestamp"] = f"orders {facts['order_id'][5]} … {facts['order_id'][9]} paid 40 days ahead"
        if "orphan_order" in self.kinds:
            shop = world.shop_id[facts["s"]].copy()
            orphan = int(world.shop_id.max()) + ORPHAN_SHOP_OFFSET
            shop[10:13] = orphan
            orders = _set_column(orders, "shop_id", A.i64(shop))
            self.report["orphan_order"] = f"orders {facts['order_id'][10]} … {facts['order_id'][12]} of shop_id {orphan}"
        if "refund_exceeds_order" in self.kinds:
            cand = np.flatnonzero((facts["paid"] < day0 + 22 * A.US_PER_HOUR) & (np.arange(n) >= 20))[:3]
            at = np.full(len(cand), day0 + 23 * A.US_PER_HOUR)
            extra = A.table("refunds", {
                "refund_id": A.i64(49_999_000_000 + np.arange(len(cand))),
                "order_id": A.i64(facts["order_id"][cand]),
                "refund_type": A.label(np.zeros(len(cand)), ["refund_only"]),
                "reason": A.label(np.zeros(len(cand)), ["quality"]),
                "refund_amount": A.money(facts["pay"][cand] + 10_000),
                "status": A.label(np.zeros(len(cand)), ["pending"]),
                "requested_at": A.ts(at), "completed_at": A.ts(at, mask=np.ones(len(cand), bool)),
                "platform_intervened": A.boolean(np.zeros(len(cand), bool)), "updated_at": A.ts(at),
            })
            tables["refunds"] = pa.concat_tables([tables["refunds"], extra])
            self.report["refund_exceeds_order"] = f"refunds of orders {', '.join(map(str, facts['order_id'][cand]))}"
        if "delivered_before_shipped" in self.kinds:
            cand = np.flatnonzero((facts["paid"] < day0 + 20 * A.US_PER_HOUR) & (np.arange(n) >= 30))[:3]
            ids = facts["order_id"][cand]
            log = tables["logistics_events"]
            log = log.filter(pc.invert(pc.is_in(log.column("order_id"), pa.array(ids))))
            paid = facts["paid"][cand]
            extra = A.table("logistics_events", {
                "order_id": A.i64(np.concatenate([ids, ids])),
                "event_type": A.label(np.repeat([0, 2], len(ids)), ["shipped", "collected", "delivered"]),
                "event_at": A.ts(np.concatenate([paid + 3 * A.US_PER_HOUR, paid + 1 * A.US_PER_HOUR])),
                "carrier": A.label(np.zeros(2 * len(ids)), ["中通快递"]),
            })
            tables["logistics_events"] = pa.concat_tables([log, extra])
            self.report["delivered_before_shipped"] = f"orders {', '.join(map(str, ids))}"
        if "overlong_live_session" in self.kinds and tables["live_sessions"].num_rows:
            live = tables["live_sessions"]
            ended = live.column("ended_at").to_numpy(zero_copy_only=False).astype("datetime64[us]").astype(np.int64)
            started = live.column("started_at").to_numpy(zero_copy_only=False).astype("datetime64[us]").astype(np.int64)
            ended[0] = started[0] + 5 * A.US_PER_DAY
            tables["live_sessions"] = _set_column(live, "ended_at", A.ts(ended))
            live_id = live.column('live_session_id')[0].as_py()
            self.report["overlong_live_session"] = f"live session {live_id} ends 5 days after its start"
        if "duplicate_keys" in self.kinds:
            orders = pa.concat_tables([orders, orders.slice(n - 20, 20)])
            self.report["duplicate_keys"] = f"20 orders repeated in the {self.newest} orders file"
        if "no_orders_day" in self.kinds:
            orders = orders.schema.empty_table()
            self.report["no_orders_day"] = f"orders of {self.newest}: a file with no rows"
        if "missing_day" in self.kinds:
            self.report["missing_day"] = f"orders/dt={self.newest} not delivered"
        tables["orders"] = orders

    def apply_files(self, writer, day: dt.date) -> None:
        """File-level bad input, applied to the newest day's written orders file."""
        path = writer.landing / "orders" / f"dt={day.isoformat()}" / "part-0.parquet"
        if not path.exists():
            return
        if "missing_column" in self.kinds:
            tbl = pq.read_table(path)
            pq.write_table(tbl.drop_columns(["pay_amount"]), path, compression="zstd")
            self.report["missing_column"] = f"{path.relative_to(writer.landing)} without pay_amount"
        if "wrong_type" in self.kinds:
            tbl = pq.read_table(path)
            text = pc.binary_join_element_wise(tbl.column("pay_amount").cast(pa.string()), "元", "")
            pq.write_table(_set_column(tbl, "pay_amount", text), path, compression="zstd")
            self.report["wrong_type"] = f"{path.relative_to(writer.landing)} pay_amount as VARCHAR"
        if "duplicate_file" in self.kinds:
            copy = path.with_name("part-0-redelivered.parquet")
            shutil.copyfile(path, copy)
            self.report["duplicate_file"] = f"{copy.relative_to(writer.landing)} = {path.name}"
        if "empty_file" in self.kinds:
            empty = path.with_name("part-empty.parquet")
            empty.write_bytes(b"")
            self.report["empty_file"] = f"{empty.relative_to(writer.landing)} (0 bytes)"
        if "truncated_parquet" in self.kinds:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
            self.report["truncated_parquet"] = f"{path.relative_to(writer.landing)} cut to {len(data) // 2} of {len(data)} bytes"
