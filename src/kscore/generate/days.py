"""One day of events, vectorised: live sessions, paid orders and everything that
follows from them (logistics, refunds, reviews, IM sessions, content and traffic
statistics).

Each day draws from its own generators seeded by (seed, day index, stream), so a
day's files do not depend on how many days are generated or on what was
injected into another day. Events caused by a day's orders but timestamped on a
later day (a `delivered` three days later, a refund completed next week) are
returned with their own day index and land in that day's `dt` folder.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kscore.generate import arrow as A
from kscore.generate import spec09 as S9
from kscore.generate import variation as V
from kscore.generate.entities import BRAND_ORDER_SHARES, CARRIERS, World

H = A.US_PER_HOUR
S = A.US_PER_SECOND
CHANNELS = ["self_live", "creator_live", "short_video", "shelf"]
TRAFFIC_CHANNELS = ["live", "short_video", "shelf"]
REASONS = ["quality", "not_as_described", "damaged", "wrong_item", "logistics", "no_reason", "other"]
# paid orders by hour of day: quiet nights, a lunch bump, busy evenings
HOUR_WEIGHTS = np.array([2, 1, .6, .4, .3, .4, .8, 1.5, 2.5, 3.5, 4, 4.5, 5, 4.5, 4, 4, 4.2, 4.5, 5, 6, 7.5, 8, 7, 4.5])
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
WEEKDAY_FACTOR = np.array([0.92, 0.92, 0.93, 0.95, 1.02, 1.22, 1.15])  # Monday … Sunday
# promotion days (月份, 日) → factor; kept under 2× the weekly median so the row-count gate still passes
PROMOTIONS = {(1, 20): 1.7, (1, 19): 1.3, (3, 8): 1.8, (3, 7): 1.35, (6, 18): 1.8, (11, 11): 1.9, (12, 12): 1.6}

VIDEO_ID_BASE = 600_000_000_000
ORDER_ID_BASE = 10_000_000_000
LIVE_ID_BASE = 20_000_000_000
IM_ID_BASE = 30_000_000_000
REFUND_ID_BASE = 40_000_000_000
REVIEW_ID_OFFSET = 50_000_000_000


@dataclass
class Deferred:
    """Rows of a table and the day index (0 = start) each belongs to."""
    table: pa.Table
    day_index: np.ndarray


def order_count(w: World, k: int) -> int:
    day = w.start + dt.timedelta(days=k)
    base = w.scale.orders / w.scale.days
    promo = PROMOTIONS.get((day.month, day.day), 1.0)
    if w.variation is not None:  # the promotion week replaces the promotion-day table inside it
        boost = w.variation.order_boost(k)
        promo = promo if boost is None else boost
    factor = WEEKDAY_FACTOR[day.weekday()] * promo * (1 + 0.0015 * k)
    noise = np.random.default_rng([w.seed, k, 0]).lognormal(0, 0.04)
    return max(int(round(base * factor * noise)), 1)


def _pick(rng, probs: np.ndarray) -> np.ndarray:
    """One category per row from a (rows × categories) probability matrix."""
    return (rng.random(len(probs))[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def _cdf_pick(rng, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), len(cdf) - 1)


def prepare(w: World) -> None:
    """Sampling tables reused by every day (cumulative popularity weights)."""
    t, pt, ct = w.shop_traits, w.product_traits, w.creator_traits
    brand = np.flatnonzero(t["is_brand"])
    w.brand_products = [np.flatnonzero(w.product_shop == b) for b in brand]
    w.brand_cdfs = [np.cumsum(pt["popularity"][ix]) for ix in w.brand_products]
    w.other_products = np.flatnonzero(~t["is_brand"][w.product_shop])
    w.other_cdf = np.cumsum(pt["popularity"][w.other_products])
    w.creator_cdf = np.cumsum(ct["popularity"])
    w.buyer_pool = int(w.scale.orders * 2.5) + 1000


def live_sessions(w: World, k: int):
    rng = np.random.default_rng([w.seed, k, 2])
    t, ct = w.shop_traits, w.creator_traits
    day0 = A.day_us(w.start) + k * A.US_PER_DAY
    open_ = (t["opened_us"] < day0) & ((t["closed_us"] < 0) | (t["closed_us"] > day0))
    shop_freq, creator_freq = t["live_freq"], ct["live_freq"]
    v = w.variation
    # --variation: a three-day rhythm (the distribution brands still broadcast daily); the stopped
    # shop stops broadcasting too
    if v is not None:
        quiet = V.LIVE_QUIET_FACTOR if v.live_quiet(k) else 1.0
        shop_freq = np.where(t["is_brand"], shop_freq, shop_freq * quiet)
        creator_freq = creator_freq * quiet
        if v.stopped(k) is not None:
            open_ = open_ & (np.arange(len(w.shop_id)) != v.stopped(k))
    shops = np.flatnonzero(open_ & (rng.random(len(w.shop_id)) < shop_freq))
    shops = np.concatenate([shops, shops[t["is_brand"][shops] & (rng.random(len(shops)) < 0.5)]])
    creators = np.flatnonzero(rng.random(len(w.creator_id)) < creator_freq)
    host_type = np.concatenate([np.zeros(len(shops), int), np.ones(len(creators), int)])
    host = np.concatenate([shops, creators])
    n = len(host)
    start = day0 + rng.integers(8 * 3600, 23 * 3600 + 1800, size=n) * S
    hours = np.clip(rng.lognormal(np.log(2.2), 0.75, size=n), 0.15, 9.0)
    # distribution brands broadcast long shows most days (川流 asks >= 4 h of self-live a day)
    brand_show = (host_type == 0) & t["is_brand"][np.where(host_type == 0, host, 0)]
    hours = np.where(brand_show, np.clip(rng.lognormal(np.log(4.5), 0.25, size=n), 3.0, 9.0), hours)
    end = start + (hours * H).astype(np.int64)
    fans = np.where(host_type == 1, ct["fans"][np.where(host_type == 1, host, 0)], 20_000)
    exposures = np.round(fans * rng.uniform(0.05, 0.4, size=n) * np.sqrt(hours) + rng.integers(50, 500, size=n)).astype(np.int64)
    views = np.round(exposures * rng.uniform(0.1, 0.4, size=n)).astype(np.int64)
    ids = LIVE_ID_BASE + k * 1_000_000 + np.arange(n, dtype=np.int64)
    tbl = A.table("live_sessions", {
        "live_session_id": A.i64(ids),
        "host_type": A.label(host_type, ["shop", "creator"]),
        "shop_id": A.i64(w.shop_id[np.where(host_type == 0, host, 0)], mask=host_type != 0),
        "creator_id": A.i64(w.creator_id[np.where(host_type == 1, host, 0)], mask=host_type != 1),
        "started_at": A.ts(start), "ended_at": A.ts(end),
        "exposures": A.i64(exposures), "views": A.i64(views),
    })
    return tbl, dict(host_type=host_type, host=host, start=start, end=end, ids=ids, views=views)


def _session_of(host_sessions: np.ndarray, hosts_of_rows: np.ndarray, n_hosts: int, rng):
    """For each row's host, a random session of that host today (index into the day's sessions), -1 if none."""
    order = np.argsort(host_sessions, kind="stable")
    counts = np.bincount(host_sessions, minlength=n_hosts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    c = counts[hosts_of_rows]
    pick = first[hosts_of_rows] + np.floor(rng.random(len(hosts_of_rows)) * np.maximum(c, 1)).astype(np.int64)
    return np.where(c > 0, order[np.minimum(pick, len(order) - 1)] if len(order) else -1, -1)


def orders(w: World, k: int, live: dict, factor: float = 1.0):
    rng = np.random.default_rng([w.seed, k, 1])
    t, pt = w.shop_traits, w.product_traits
    n = int(order_count(w, k) * factor)
    day0 = A.day_us(w.start) + k * A.US_PER_DAY
    # which product: the distribution brands take fixed shares, the rest follows a skewed popularity
    nb = len(w.brand_products)
    slot = np.searchsorted(np.cumsum(BRAND_ORDER_SHARES[:nb]), rng.random(n), side="right")
    p = w.other_products[_cdf_pick(rng, w.other_cdf, n)]
    for b in range(nb):
        sel = np.flatnonzero(slot == b)
        p[sel] = w.brand_products[b][_cdf_pick(rng, w.brand_cdfs[b], len(sel))]
    paid = day0 + rng.choice(24, size=n, p=HOUR_WEIGHTS) * H + rng.integers(0, 3600, size=n) * S
    for shift in (0, 7):  # a product not on sale at that moment sells an older product instead
        gone = (pt["listed_us"][p] > paid) | ((pt["offshelf_us"][p] >= 0) & (pt["offshelf_us"][p] <= paid))
        if w.n_early:
            p = np.where(gone, (p * 7 + shift) % w.n_early, p)
    v = w.variation
    vrng = np.random.default_rng([w.seed, k, 11]) if v is not None else None
    if v is not None and v.stopped(k) is not None:  # the stopped shop's buyers buy elsewhere
        hit = np.flatnonzero(w.product_shop[p] == v.stopped(k))
        p[hit] = v.pool[_cdf_pick(vrng, v.pool_cdf, len(hit))]
    s = w.product_shop[p]
    # channel
    dist_ok = (t["dist_enabled_us"][s] >= 0) & (t["dist_enabled_us"][s] <= paid)
    p_dist = np.where(dist_ok, t["dist_share"][s], 0.0)
    p_self = np.where(t["live_freq"][s] > 0, np.where(t["is_brand"][s], 0.06, 0.25), 0.0)
    p_self = np.minimum(p_self, 1 - p_dist)
    p_video = 0.15 * (1 - p_dist - p_self)
    u = rng.random(n)
    kind = np.where(u < p_dist, 0, np.where(u < p_dist + p_self, 1, np.where(u < p_dist + p_self + p_video, 2, 3)))
    if v is not None:  # the day's channel mix: exactly the planned share without a creator
        dist = V.distributed(vrng, p_dist, 1.0 - v.null_share[k])
        rest = np.maximum(1.0 - p_dist, 1e-12)
        u2 = vrng.random(n) * rest
        kind = np.where(dist, 0, np.where(u2 < p_self, 1, np.where(u2 < p_self + p_video, 2, 3)))
    # kind 0 = distributed by a creator (live if the creator is live today, else a creator video)
    c = _cdf_pick(rng, w.creator_cdf, n)
    n_sessions = len(live["ids"])
    is_shop_session = live["host_type"] == 0
    shop_sess = _session_of(live["host"][is_shop_session], s, len(w.shop_id), rng)
    shop_sess = np.where(shop_sess >= 0, np.flatnonzero(is_shop_session)[np.maximum(shop_sess, 0)] if n_sessions else -1, -1)
    cre_sess = _session_of(live["host"][~is_shop_session], c, len(w.creator_id), rng)
    cre_sess = np.where(cre_sess >= 0, np.flatnonzero(~is_shop_session)[np.maximum(cre_sess, 0)] if n_sessions else -1, -1)
    channel = np.full(n, 3)
    channel[(kind == 0) & (cre_sess >= 0) & (rng.random(n) < 0.65)] = 1
    channel[(kind == 0) & (channel != 1)] = 2
    channel[(kind == 1) & (shop_sess >= 0)] = 0
    channel[kind == 2] = 2
    sess = np.where(channel == 0, shop_sess, np.where(channel == 1, cre_sess, -1))
    # live orders are paid while the session runs (within the day)
    if n_sessions:
        sidx = np.maximum(sess, 0)
        during = live["start"][sidx] + (rng.random(n) * (live["end"][sidx] - live["start"][sidx])).astype(np.int64)
        paid = np.where(sess >= 0, np.minimum(during, day0 + A.US_PER_DAY - S), paid)
    has_creator = kind == 0
    video_author = np.where(has_creator, len(w.shop_id) + c, s)
    video_id_drawn = VIDEO_ID_BASE + k * 200_000 + video_author
    video_id = S9.older_videos(w, k, video_id_drawn, channel, has_creator, s, VIDEO_ID_BASE)
    qty = 1 + (rng.random(n) < 0.15) + (rng.random(n) < 0.05)
    disc = S9.unit_price_factor(w, k, p, rng.uniform(0.7, 1.0, size=n))  # moving prices (spec 09 §3)
    pay = np.round(pt["price_cents"][p] * qty * disc).astype(np.int64)
    commission = np.round(rng.uniform(0.05, 0.35, size=n), 2)
    buyer = rng.integers(0, w.buyer_pool, size=n)
    order_id = ORDER_ID_BASE + k * 10_000_000 + np.arange(n, dtype=np.int64)
    presale = rng.random(n) < 0.03
    tbl = A.table("orders", {
        "order_id": A.i64(order_id),
        "shop_id": A.i64(w.shop_id[s]),
        "product_id": A.i64(w.product_id[p]),
        "buyer_id": A.prefixed("u", (buyer * 2654435761) % 4294967296),
        "creator_id": A.i64(w.creator_id[c], mask=~has_creator),
        "channel": A.label(channel, CHANNELS),
        "live_session_id": A.i64(live["ids"][np.maximum(sess, 0)] if n_sessions else np.zeros(n), mask=sess < 0),
        "video_id": A.i64(video_id, mask=channel != 2),
        "quantity": A.i32(qty),
        "pay_amount": A.money(pay),
        "commission_rate": A.f64(commission, mask=~has_creator),
        "promised_ship_hours": A.i32(pt["ship_hours"][p]),
        "is_flash_purchase": A.boolean(rng.random(n) < 0.04),
        "is_presale": A.boolean(presale),
        "paid_at": A.ts(paid),
    })
    facts = dict(order_id=order_id, p=p, s=s, c=c, has_creator=has_creator, channel=channel, paid=paid, pay=pay,
                 presale=presale, video_id=video_id, video_id_drawn=video_id_drawn, video_author=video_author,
                 buyer=buyer)
    return tbl, facts


def logistics(w: World, k: int, o: dict) -> tuple[Deferred, dict]:
    rng = np.random.default_rng([w.seed, k, 3])
    t = w.shop_traits
    n = len(o["p"])
    # presale orders wait for stock (+120 h), except at distribution brands and excellent shops (spec 09),
    # which ship presale from stock
    presale_wait = o["presale"] & ~t["is_brand"][o["s"]] & ~t["excellent"][o["s"]]
    ship_h = rng.lognormal(np.log(t["ship_median_h"][o["s"]]), 0.5) + np.where(presale_wait, 120, 0)
    shipped = o["paid"] + (ship_h * H).astype(np.int64)
    has_ship = rng.random(n) >= 0.01
    collected = shipped + (rng.uniform(0.5, 10, size=n) * H).astype(np.int64)
    has_coll = has_ship & (rng.random(n) >= 0.02)
    transit = rng.lognormal(np.log(40), 0.4, size=n) * np.where(t["excellent"][o["s"]], S9.EXCELLENT_TRANSIT, 1.0)
    delivered = collected + (transit * H).astype(np.int64)
    has_deliv = has_coll & (rng.random(n) >= 0.02)
    oid = np.concatenate([o["order_id"][has_ship], o["order_id"][has_coll], o["order_id"][has_deliv]])
    etype = np.concatenate([np.zeros(has_ship.sum(), int), np.ones(has_coll.sum(), int), np.full(has_deliv.sum(), 2)])
    at = np.concatenate([shipped[has_ship], collected[has_coll], delivered[has_deliv]])
    carrier = np.concatenate([t["carrier"][o["s"][m]] for m in (has_ship, has_coll, has_deliv)])
    keep = at < w.end_us
    tbl = A.table("logistics_events", {
        "order_id": A.i64(oid[keep]), "event_type": A.label(etype[keep], ["shipped", "collected", "delivered"]),
        "event_at": A.ts(at[keep]), "carrier": A.label(carrier[keep], CARRIERS),
    })
    times = dict(shipped=np.where(has_ship, shipped, -1), delivered=np.where(has_deliv, delivered, -1), ship_h=ship_h)
    return Deferred(tbl, A.us_day_index(at[keep], w.start)), times


def refunds(w: World, k: int, o: dict, lt: dict) -> Deferred:
    rng = np.random.default_rng([w.seed, k, 4])
    t, pt = w.shop_traits, w.product_traits
    n = len(o["p"])
    prob = np.clip(t["refund_base"][o["s"]] * pt["refund_mult"][o["p"]], 0, 0.6)
    ix = np.flatnonzero(rng.random(n) < prob)
    m = len(ix)
    deliv = lt["delivered"][ix]
    after_delivery = (deliv >= 0) & (rng.random(m) < 0.7)
    requested = np.where(after_delivery, deliv + (rng.uniform(1, 72, size=m) * H).astype(np.int64),
                         o["paid"][ix] + (rng.uniform(0.5, 30, size=m) * H).astype(np.int64))
    rtype = np.where(after_delivery & (rng.random(m) < 0.7), 1, 0)
    bad = pt["quality_bad"][o["p"][ix]]
    reason = _pick(rng, np.where(bad[:, None], [.35, .2, .1, .05, .05, .15, .1], [.08, .07, .05, .05, .1, .45, .2]))
    pay = o["pay"][ix]
    amount = np.where(rng.random(m) < 0.8, pay, np.floor(pay * rng.uniform(0.2, 0.9, size=m))).astype(np.int64)
    outcome = _pick(rng, np.tile([0.78, 0.12, 0.10], (m, 1))) + 1  # 1 completed, 2 rejected, 3 cancelled
    shop_bad = t["bad"][o["s"][ix]]
    intervened = rng.random(m) < np.where(shop_bad, 0.15, 0.04)
    delay_h = rng.lognormal(np.log(np.where(shop_bad, 60, 16)), 0.6) + np.where(intervened, 48, 0)
    excellent = t["excellent"][o["s"][ix]]  # spec 09: excellent shops settle quicker
    delay_h = np.where(excellent, delay_h * S9.EXCELLENT_REFUND_DELAY, delay_h)
    completed = requested + (delay_h * H).astype(np.int64)
    refund_id = REFUND_ID_BASE + k * 10_000_000 + np.arange(m, dtype=np.int64)
    # two versions: pending when requested, final when completed
    v = np.concatenate([np.zeros(m, int), np.ones(m, int)])
    rows = np.concatenate([np.arange(m), np.arange(m)])
    at = np.where(v == 0, requested[rows], completed[rows])
    kept = S9.keep_refunds(w, k, o["s"][ix], reason <= 1)  # and get fewer refunds
    keep = (at < w.end_us) & kept[rows]
    v, rows, at = v[keep], rows[keep], at[keep]
    refunded = np.zeros(n, dtype=bool)
    refunded[ix[kept]] = True
    tbl = A.table("refunds", {
        "refund_id": A.i64(refund_id[rows]), "order_id": A.i64(o["order_id"][ix][rows]),
        "refund_type": A.label(rtype[rows], ["refund_only", "return_refund"]),
        "reason": A.label(reason[rows], REASONS), "refund_amount": A.money(amount[rows]),
        "status": A.label(np.where(v == 0, 0, outcome[rows]), ["pending", "completed", "rejected", "cancelled"]),
        "requested_at": A.ts(requested[rows]), "completed_at": A.ts(completed[rows], mask=v == 0),
        "platform_intervened": A.boolean((v == 1) & intervened[rows]), "updated_at": A.ts(at),
    })
    spell = S9.spell_refunds(w, k, o, lt, refunded, REFUND_ID_BASE)  # the 快质造 cohort's spells
    if spell is None:
        return Deferred(tbl, A.us_day_index(at, w.start))
    extra = A.table("refunds", {
        "refund_id": A.i64(spell["refund_id"]), "order_id": A.i64(spell["order_id"]),
        "refund_type": A.label(spell["refund_type"], ["refund_only", "return_refund"]),
        "reason": A.label(spell["reason"], REASONS), "refund_amount": A.money(spell["amount"]),
        "status": A.label(spell["status"], ["pending", "completed", "rejected", "cancelled"]),
        "requested_at": A.ts(spell["requested"]), "completed_at": A.ts(spell["completed"], mask=spell["pending"]),
        "platform_intervened": A.boolean(np.zeros(len(spell["at"]), bool)), "updated_at": A.ts(spell["at"]),
    })
    return Deferred(pa.concat_tables([tbl, extra]), A.us_day_index(np.concatenate([at, spell["at"]]), w.start))


def reviews(w: World, k: int, o: dict, lt: dict) -> Deferred:
    rng = np.random.default_rng([w.seed, k, 5])
    pt = w.product_traits
    n = len(o["p"])
    bad = pt["quality_bad"][o["p"]]
    ix = np.flatnonzero((lt["delivered"] >= 0) & (rng.random(n) < np.where(bad, 0.2, 0.3)))
    m = len(ix)
    created = lt["delivered"][ix] + (rng.uniform(2, 120, size=m) * H).astype(np.int64)
    late = lt["ship_h"][ix] > pt["ship_hours"][o["p"][ix]]
    b = bad[ix]
    probs = np.where(b[:, None], [.2, .12, .13, .2, .35],
                     np.where(late[:, None], [.1, .08, .12, .25, .45], [.03, .03, .06, .18, .70]))
    rating = _pick(rng, probs) + 1
    aspect = _pick(rng, np.where(b[:, None], [.7, .15, .15], np.where(late[:, None], [.2, .6, .2], [.35, .3, .35])))
    rating, aspect = S9.review_ratings(w, k, o["s"][ix], o["p"][ix], rating, aspect)  # spells, 信任购
    keep = created < w.end_us
    tbl = A.table("reviews", {
        "review_id": A.i64(o["order_id"][ix][keep] + REVIEW_ID_OFFSET), "order_id": A.i64(o["order_id"][ix][keep]),
        "product_id": A.i64(w.product_id[o["p"][ix][keep]]), "rating": A.i32(rating[keep]),
        "negative_aspect": A.label(aspect[keep], ["product", "logistics", "service"], mask=rating[keep] > 2),
        "created_at": A.ts(created[keep]),
    })
    return Deferred(tbl, A.us_day_index(created[keep], w.start))


def im_sessions(w: World, k: int, o: dict) -> pa.Table:
    rng = np.random.default_rng([w.seed, k, 6])
    t = w.shop_traits
    day0 = A.day_us(w.start) + k * A.US_PER_DAY
    ix = np.flatnonzero(rng.random(len(o["p"])) < 0.12)
    m = len(ix)
    s = o["s"][ix]
    started = np.maximum(o["paid"][ix] - (rng.uniform(0, 2, size=m) * H).astype(np.int64), day0)
    replied = rng.random(m) < np.where(t["bad"][s], 0.85, 0.97)
    fast = rng.random(m) < t["reply_fast"][s]
    delay = np.where(fast, rng.uniform(3, 180, size=m), rng.uniform(181, 2400, size=m))
    rated = rng.random(m) < 0.35
    sat = _pick(rng, np.where(t["bad"][s][:, None], [.5, .25, .25], [.8, .15, .05]))
    sat = S9.im_satisfaction(w, k, s, sat)  # spec 09: fewer unsatisfied buyers at excellent shops
    has_product = rng.random(m) < 0.85
    return A.table("im_sessions", {
        "session_id": A.i64(IM_ID_BASE + k * 10_000_000 + np.arange(m, dtype=np.int64)),
        "shop_id": A.i64(w.shop_id[s]),
        "buyer_id": A.prefixed("u", (o["buyer"][ix] * 2654435761) % 4294967296),
        "product_id": A.i64(w.product_id[o["p"][ix]], mask=~has_product),
        "started_at": A.ts(started),
        "first_reply_at": A.ts(started + (delay * S).astype(np.int64), mask=~replied),
        "satisfaction": A.label(sat, ["satisfied", "neutral", "unsatisfied"], mask=~rated),
    })


def content_stats(w: World, k: int, live: dict, o: dict) -> pa.Table:
    rng = np.random.default_rng([w.seed, k, 7])
    ct, t = w.creator_traits, w.shop_traits
    ns = len(w.shop_id)
    # live sessions started today
    is_c = live["host_type"] == 1
    lv = live["views"]
    neg_rate_live = np.where(is_c, ct["neg_rate"][np.where(is_c, live["host"], 0)],
                             np.where(t["bad"][np.where(is_c, 0, live["host"])], 0.01, 0.003))
    # videos that sold today, plus a fifth more that did not
    vid, first, sold = np.unique(o["video_id_drawn"][o["channel"] == 2], return_index=True, return_counts=True)
    author = o["video_author"][o["channel"] == 2][first]
    extra_n = len(vid) // 5
    extra_author = np.unique(rng.integers(0, ns + len(w.creator_id), size=extra_n))
    extra_vid = VIDEO_ID_BASE + k * 200_000 + extra_author
    new = ~np.isin(extra_vid, vid)
    vid = np.concatenate([vid, extra_vid[new]])
    author = np.concatenate([author, extra_author[new]])
    sold = np.concatenate([sold, np.zeros(int(new.sum()), dtype=np.int64)])
    vviews = np.round(sold * rng.uniform(50, 400, size=len(vid)) + rng.integers(100, 3000, size=len(vid))).astype(np.int64)
    v_is_c = author >= ns
    neg_rate_vid = np.where(v_is_c, ct["neg_rate"][np.where(v_is_c, author - ns, 0)], 0.004)
    ctype = np.concatenate([np.zeros(len(lv), int), np.ones(len(vid), int)])
    atype = np.concatenate([is_c.astype(int), v_is_c.astype(int)])
    aid = np.concatenate([np.where(is_c, w.creator_id[np.where(is_c, live["host"], 0)],
                                   w.shop_id[np.where(is_c, 0, live["host"])]),
                          np.where(v_is_c, w.creator_id[np.where(v_is_c, author - ns, 0)],
                                   w.shop_id[np.where(v_is_c, 0, author)])])
    views = np.concatenate([lv, vviews])
    neg = np.concatenate([neg_rate_live, neg_rate_vid])
    bad_author = neg > 0.009
    tbl = A.table("content_daily_stats", {
        "content_type": A.label(ctype, ["live", "video"]),
        "content_id": A.i64(np.concatenate([live["ids"], vid])),
        "author_type": A.label(atype, ["shop", "creator"]),
        "author_id": A.i64(aid),
        "views": A.i64(views),
        "interactions": A.i64(np.round(views * rng.uniform(0.02, 0.12, size=len(views)))),
        "negative_feedbacks": A.i64(rng.binomial(views, neg)),
        "false_claim_reports": A.i64(rng.poisson(views * np.where(bad_author, 1e-4, 1e-5))),
    })
    drawn_rows = tbl.num_rows
    older = S9.older_video_rows(w, k, o, vid)  # spec 09: shop videos of the days before that sold today
    if older is not None:
        tbl = pa.concat_tables([tbl, older])
    day = w.start + dt.timedelta(days=k)
    if w.variation is None or day.weekday() < 5:
        return tbl
    extra = _weekend_videos(w, k, int(drawn_rows * V.CONTENT_WEEKEND_EXTRA))
    if older is not None:  # an older shop video measured because it sold today is measured once
        extra = extra.filter(pc.invert(pc.is_in(extra.column("content_id"), older.column("content_id"))))
    return pa.concat_tables([tbl, extra])


def _weekend_videos(w: World, k: int, m: int) -> pa.Table:
    """On Saturdays and Sundays the content system also measures older videos (published 1–28
    days before)."""
    rng = np.random.default_rng([w.seed, k, 12])
    ct = w.creator_traits
    ns, na = len(w.shop_id), len(w.shop_id) + len(w.creator_id)
    draws = m + m // 4 + 8
    code = np.unique(rng.integers(1, 29, size=draws) * na + rng.integers(0, na, size=draws))
    age, author = code // na, code % na
    published = A.day_us(w.start) + (k - age) * A.US_PER_DAY  # a shop's videos come after it opened
    opened = w.shop_traits["opened_us"][np.minimum(author, ns - 1)]
    code = code[(author >= ns) | (opened < published)]
    code = np.sort(rng.permutation(code)[:m])
    age, author = code // na, code % na
    is_c = author >= ns
    author_id = np.where(is_c, w.creator_id[np.where(is_c, author - ns, 0)],
                         w.shop_id[np.where(is_c, 0, author)])
    views = rng.integers(30, 1500, size=len(code))
    neg = np.where(is_c, ct["neg_rate"][np.where(is_c, author - ns, 0)], 0.004)
    return A.table("content_daily_stats", {
        "content_type": A.label(np.ones(len(code), int), ["live", "video"]),
        "content_id": A.i64(VIDEO_ID_BASE + (k - age) * 200_000 + author),
        "author_type": A.label(is_c.astype(int), ["shop", "creator"]),
        "author_id": A.i64(author_id),
        "views": A.i64(views),
        "interactions": A.i64(np.round(views * rng.uniform(0.01, 0.08, size=len(code)))),
        "negative_feedbacks": A.i64(rng.binomial(views, neg)),
        "false_claim_reports": A.i64(rng.poisson(views * np.where(neg > 0.009, 1e-4, 1e-5))),
    })


def product_traffic(w: World, k: int, o: dict) -> pa.Table:
    rng = np.random.default_rng([w.seed, k, 8])
    tch = np.where(o["channel"] <= 1, 0, np.where(o["channel"] == 2, 1, 2))
    keys, counts = np.unique(o["p"] * 3 + tch, return_counts=True)
    extra = rng.integers(0, max(w.n_early, 1), size=len(keys) * 3 // 10) * 3 + rng.integers(1, 3, size=len(keys) * 3 // 10)
    extra = np.setdiff1d(extra, keys)
    keys = np.concatenate([keys, extra])
    counts = np.concatenate([counts, np.zeros(len(extra), dtype=np.int64)])
    n = len(keys)
    exposures = np.round(counts * rng.uniform(40, 250, size=n) + rng.integers(20, 200, size=n)).astype(np.int64)
    visits = np.maximum(counts, np.round(exposures * rng.uniform(0.03, 0.12, size=n))).astype(np.int64)
    return A.table("product_traffic_daily", {
        "product_id": A.i64(w.product_id[keys // 3]), "channel": A.label(keys % 3, TRAFFIC_CHANNELS),
        "exposures": A.i64(exposures), "visits": A.i64(visits),
    })


def generate_day(w: World, k: int, order_factor: float = 1.0) -> tuple[dict[str, pa.Table], dict[str, Deferred], dict]:
    """Tables of day k: same-day tables complete; logistics, refunds and reviews with their own day indexes."""
    live_tbl, live = live_sessions(w, k)
    orders_tbl, o = orders(w, k, live, order_factor)
    log_def, lt = logistics(w, k, o)
    same_day = {
        "orders": orders_tbl, "live_sessions": live_tbl, "im_sessions": im_sessions(w, k, o),
        "content_daily_stats": content_stats(w, k, live, o), "product_traffic_daily": product_traffic(w, k, o),
    }
    deferred = {"logistics_events": log_def, "refunds": refunds(w, k, o, lt), "reviews": reviews(w, k, o, lt)}
    return same_day, deferred, o
