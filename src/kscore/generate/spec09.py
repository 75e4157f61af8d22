"""What spec 09's marts need to be meaningful in the demo (issue 14).

- 鞋靴箱包, a level-1 category appended after the others (their ids stay as they were), with a
  fixed subtree (a level-2 leaf among them); 5% of the non-brand shops and 35% of those that
  sell enough for 快质造 move to it from the other categories; the products they list during the
  demo go to its leaves, the older ones keep their category (and 02's peer groups).
- Excellent shops: non-brand shops with enough orders that neither ship slowly nor serve badly
  get fast shipping (presale from stock, quicker transit), fast IM replies and fewer unsatisfied
  buyers, fewer refunds (fewest of a quality reason), quick refund handling and better ratings.
- The 快质造 cohort (§4): the excellent shops of 服饰内衣 and 鞋靴箱包, each with a role: steady
  (stays within the criteria), a mild spell (quality refunds and bad reviews for 2–4 weeks, so
  that the W30 quality refund order rate crosses 0.03 for a while: warned, then recovered, or
  removed when the rate or the other criteria stay out for 30 days) or a severe spell (5–7
  weeks: warned, then removed; readmitted when the zone is long enough). The spells start
  around the first check Monday of the demo (the first Monday at least 35 days after the first
  day), so the shops are admitted first, and are planned on the scale's length (not `--days`),
  like the moving prices.
- 信任购 candidates (§5): the well-selling products of excellent shops that are not of bad
  quality get a full listing, a promise of 24 or 48 hours and mostly good reviews; whether
  each meets every threshold is left to its orders.
- Shop videos that sell for several days (§1.3): 40% of a shop's short-video orders carry the
  video it published 1–6 days before, which the content system then measures that day too.
- Moving prices (§3 价格力): 30% of the products that sell every other day or more have a price that
  falls or rises by 12–30% over 2–6 weeks, with little discount noise, so that some are cheaper
  in their last 7 days than on any day of the 23 before and some dearer.

Everything here is drawn from the world generator (seed, 0, 9) and the per-day generators
(seed, k, 13) (spell refunds), (seed, k, 14) (fewer refunds at excellent shops) and
(seed, k, 15) (review ratings), (seed, k, 16) and (seed, k, 17) (older shop videos) and
(seed, k, 18) (IM ratings), never from the streams the rest of the generator uses, so every
other draw is what it was before this module existed.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from kscore.generate import arrow as A

H = A.US_PER_HOUR
# the appended level-1 categories: {level-2 name: [level-3 names]} (an empty list: a level-2 leaf)
EXTRA_L1: dict[str, dict[str, list[str]]] = {
    "鞋靴箱包": {"女鞋": ["女士单鞋", "女士靴子", "女士凉鞋"], "男鞋": ["男士休闲鞋", "男士皮鞋"],
                 "箱包": ["双肩包", "行李箱", "钱包卡包"], "童鞋": []},
}
KUAIZHIZAO_L1 = ("服饰内衣", "鞋靴箱包")  # seed kuaizhizao_categories.csv's defaults
MOVED_SHOP_SHARE = 0.05
MOVED_ELIGIBLE_SHARE = 0.35
MIN_SHOP_ORDERS_30D = 45        # expected orders in 30 days for an excellent shop (成长期 below 30)
EXCELLENT_SHARE = 0.3           # of the eligible shops outside the 快质造 categories
ROLES = ["steady", "mild", "severe", "untouched"]
ROLE_P = [0.3, 0.3, 0.25, 0.15]
EXCELLENT_REFUND_KEEP = 0.5     # share of the drawn refunds an excellent shop still gets
EXCELLENT_QUALITY_REFUND_KEEP = 0.2  # the same for refunds of a quality reason
EXCELLENT_TRANSIT = 0.85        # its parcels travel in this share of the drawn time
EXCELLENT_RATING_LIFT = 0.5     # share of its ratings under 4 that become a 5 (信任购 candidates: 0.8)
TRUST_RATING_LIFT = 0.8
EXCELLENT_SATISFIED = 0.6       # share of its unsatisfied IM ratings that become satisfied
EXCELLENT_REFUND_DELAY = 0.5    # its refunds are completed in this share of the drawn time
TRUST_MIN_ORDERS_30D = 8
PRICE_MIN_ORDERS_30D = 15
PRICE_MOVER_SHARE = 0.3
OLDER_VIDEO_SHARE = 0.4         # of a shop's short-video orders: a video of the days before
REFUND_ID_OFFSET = 5_000_000    # spell refunds: REFUND_ID_BASE + k * 10_000_000 + this + i


def add_categories(w, rng9) -> None:
    """Append EXTRA_L1's subtrees after the drawn tree (ids continue after its largest id)."""
    names = list(w.cat_name)
    ids, parents, levels = list(w.cat_id), list(w.cat_parent), list(w.cat_level)
    first = len(ids)
    next_id = int(max(ids)) + 1
    w.extra_l1, leaves, leaf_l1 = [], [], []
    for l1_name, children in EXTRA_L1.items():
        if l1_name in names:
            continue
        l1_pos, l1_id = len(ids), next_id
        ids.append(l1_id), parents.append(-1), levels.append(1), names.append(l1_name)
        w.extra_l1.append(l1_pos)
        next_id += 1
        for l2_name, l3_names in children.items():
            l2_pos, l2_id = len(ids), next_id
            ids.append(l2_id), parents.append(l1_id), levels.append(2), names.append(l2_name)
            next_id += 1
            if not l3_names:
                leaves.append(l2_pos), leaf_l1.append(l1_pos)
            for l3_name in l3_names:
                leaves.append(len(ids)), leaf_l1.append(l1_pos)
                ids.append(next_id), parents.append(l2_id), levels.append(3), names.append(l3_name)
                next_id += 1
    w.extra_leaf_idx = np.array(leaves, dtype=np.int64)
    w.extra_leaf_l1 = np.array(leaf_l1, dtype=np.int64)
    weight = 1.0 / np.arange(1, len(leaves) + 1) ** 1.1
    rng9.shuffle(weight)
    w.extra_leaf_weight = weight
    if len(ids) == first:
        return
    w.cat_id = np.array(ids, dtype=np.int64)
    w.cat_parent = np.array(parents, dtype=np.int64)
    w.cat_level = np.array(levels, dtype=np.int32)
    w.cat_name = names
    new = slice(first, len(ids))
    extra = A.table("categories", {
        "category_id": A.i64(w.cat_id[new]),
        "parent_id": A.i64(np.maximum(w.cat_parent[new], 0), mask=w.cat_parent[new] < 0),
        "level": A.i32(w.cat_level[new]),
        "name": pa.array(names[first:], type=pa.string()),
        "updated_at": A.ts(np.full(len(ids) - first, w.snapshot_us - 2 * H)),
    })
    w.versions["categories"] = pa.concat_tables([w.versions["categories"], extra])


def move_shops(w, rng9, eligible: np.ndarray, listing: dict) -> None:
    """Some non-brand shops move to the appended level-1 categories: MOVED_SHOP_SHARE of all and
    MOVED_ELIGIBLE_SHARE of those with enough orders for 快质造; the shops' versions get the new
    main_category_id. The products they list during the demo in their own category
    (`listing['own']`, `listing['late']`) go to its leaves; the ones listed before keep their
    category, so that the drawn categories and their peer groups (02) stay as they were."""
    t = w.shop_traits
    ns = len(w.shop_id)
    u, u_pick = rng9.random(ns), rng9.random(ns)
    u_leaf = rng9.random(len(w.product_id))
    if not w.extra_l1:
        return
    moved = ~t["is_brand"] & (u < np.where(eligible, MOVED_ELIGIBLE_SHARE, MOVED_SHOP_SHARE))
    moved &= ~np.isin(t["main_l1"], [k for k, name in enumerate(w.cat_name) if name in KUAIZHIZAO_L1])
    target = np.array(w.extra_l1)[np.minimum((u_pick * len(w.extra_l1)).astype(int), len(w.extra_l1) - 1)]
    t["main_l1"] = np.where(moved, target, t["main_l1"])
    category = listing["category"].copy()
    l1 = t["main_l1"][w.product_shop]
    follow = listing["own"] & listing["late"] & moved[w.product_shop]
    for top in w.extra_l1:
        in_l1 = np.flatnonzero(w.extra_leaf_l1 == top)
        cdf = np.cumsum(w.extra_leaf_weight[in_l1])
        pick = np.minimum(np.searchsorted(cdf, u_leaf * cdf[-1], side="right"), len(in_l1) - 1)
        sel = follow & (l1 == top)
        category[sel] = w.cat_id[w.extra_leaf_idx[in_l1[pick[sel]]]]
    listing["category"] = category
    shops = w.versions["shops"]
    pos = np.searchsorted(w.shop_id, shops.column("shop_id").to_numpy())
    col = shops.schema.get_field_index("main_category_id")
    w.versions["shops"] = shops.set_column(col, "main_category_id", A.i64(w.cat_id[t["main_l1"][pos]]))


def _expected_orders_30d(w) -> np.ndarray:
    """Each product's expected paid orders in 30 days (the days' product draw, without listing dates)."""
    from kscore.generate.entities import BRAND_ORDER_SHARES

    t, pt = w.shop_traits, w.product_traits
    per_day = w.scale.orders / w.scale.days
    pop = pt["popularity"]
    brand = t["is_brand"][w.product_shop]
    out = np.zeros(len(pop))
    nb = int(t["is_brand"].sum())
    shares = BRAND_ORDER_SHARES[:nb]
    other = ~brand
    if other.any():
        out[other] = 30 * per_day * (1 - shares.sum()) * pop[other] / pop[other].sum()
    for b, share in zip(np.flatnonzero(t["is_brand"]), shares, strict=False):
        mine = w.product_shop == b
        out[mine] = 30 * per_day * share * pop[mine] / pop[mine].sum()
    return out


def first_check_day(w) -> int:
    """Day index of the demo's first 快质造 check: the first Monday at least 35 days after the start."""
    day = w.start + dt.timedelta(days=35)
    return (day - w.start).days + (7 - day.weekday()) % 7


def plan_products(w, rng9, listing: dict) -> None:
    """Excellent shops, the 快质造 cohort and its spells, 信任购 candidates and moving prices.
    Updates the shop and product traits, and the listing attributes in `listing`, in place."""
    t, pt = w.shop_traits, w.product_traits
    ns, n = len(w.shop_id), len(w.product_id)
    exp30 = _expected_orders_30d(w)
    shop30 = np.bincount(w.product_shop, weights=exp30, minlength=ns)
    start_us = A.day_us(w.start)
    eligible = (~t["is_brand"] & ~t["bad"] & ~t["slow"] & (t["opened_us"] < start_us) & (t["closed_us"] < 0)
                & (shop30 >= MIN_SHOP_ORDERS_30D))
    move_shops(w, rng9, eligible, listing)
    scope_pos = [k for k, name in enumerate(w.cat_name) if name in KUAIZHIZAO_L1]
    in_scope = np.isin(t["main_l1"], scope_pos)
    u_excellent = rng9.random(ns)
    role = rng9.choice(len(ROLES), size=ns, p=ROLE_P)
    role = np.where(eligible & in_scope, role, -1)
    excellent = ((role >= 0) & (role != ROLES.index("untouched"))) | (eligible & ~in_scope
                                                                      & (u_excellent < EXCELLENT_SHARE))
    # spells: (start day, length, extra quality-refund probability of an order)
    # planned on the scale's own length, not --days: a day's files stay the same whatever --days is
    k0, days = first_check_day(w), w.scale.days
    mild, severe = role == ROLES.index("mild"), role == ROLES.index("severe")
    mild_len = rng9.integers(14, 29, size=ns)
    severe_len = rng9.integers(35, 50, size=ns)
    length = np.where(mild, mild_len, np.where(severe, severe_len, 0))

    def starts(lo: int, hi: int) -> np.ndarray:  # a short zone: spells start in the two weeks from lo
        return rng9.integers(lo, hi if hi > lo else lo + 14, size=ns)

    start = np.where(mild, starts(k0 - 7, days - 40), np.where(severe, starts(k0 - 7, days - 55), -1))
    rate = np.where(mild, rng9.uniform(1.25, 1.6, size=ns) / np.maximum(length, 1),
                    np.where(severe, rng9.uniform(0.18, 0.3, size=ns), 0.0))
    t.update(
        excellent=excellent, kuaizhizao_role=role, spell_start=start, spell_len=length, spell_rate=rate,
        ship_median_h=np.where(excellent, rng9.uniform(3, 6, size=ns), t["ship_median_h"]),
        reply_fast=np.where(excellent, rng9.uniform(0.96, 0.995, size=ns), t["reply_fast"]),
    )
    # 信任购 candidates: well-selling, not bad products of excellent shops
    trust = excellent[w.product_shop] & ~pt["quality_bad"] & (exp30 >= TRUST_MIN_ORDERS_30D)
    listing["imgs"] = np.where(trust, np.maximum(listing["imgs"], 4), listing["imgs"])
    listing["fill"] = np.where(trust, np.maximum(listing["fill"], 0.9), listing["fill"])
    for col in ("has_detail", "has_video", "has_sp"):
        listing[col] = listing[col] | trust
    listing["ship_code"] = np.where(trust, np.minimum(listing["ship_code"], 1), listing["ship_code"])
    # moving prices
    mover = (exp30 >= PRICE_MIN_ORDERS_30D) & (rng9.random(n) < PRICE_MOVER_SHARE)
    sign = np.where(rng9.random(n) < 0.5, -1.0, 1.0)
    change = np.where(mover, sign * rng9.uniform(0.12, 0.3, size=n), 0.0)
    p_start = rng9.integers(-20, max(days - 10, 1), size=n)
    p_len = rng9.integers(14, 43, size=n)
    pt.update(trust=trust, expected_orders_30d=exp30, price_change=change, price_t0=p_start, price_len=p_len)


# --- per day -------------------------------------------------------------------------------

def unit_price_factor(w, k: int, p: np.ndarray, disc: np.ndarray) -> np.ndarray:
    """The share of the list price an order pays per unit: the drawn discount `disc` (0.7–1.0), or
    for a product whose price moves, its day-k price with a discount of at most 3%."""
    pt = w.product_traits
    change = pt["price_change"][p]
    moving = change != 0
    f = 1 + change * np.clip((k - pt["price_t0"][p]) / pt["price_len"][p], 0.0, 1.0)
    return np.where(moving, f * (0.97 + 0.1 * (disc - 0.7)), disc)


def in_spell(w, k: int, s: np.ndarray) -> np.ndarray:
    t = w.shop_traits
    st = t["spell_start"][s]
    return (st >= 0) & (k >= st) & (k < st + t["spell_len"][s])


def keep_refunds(w, k: int, s: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """Which of the day's drawn refunds (by the shop of each, and whether of a quality reason)
    stay: fewer at excellent shops."""
    rng = np.random.default_rng([w.seed, k, 14])
    u = rng.random(len(s))
    keep = np.where(quality, EXCELLENT_QUALITY_REFUND_KEEP, EXCELLENT_REFUND_KEEP)
    return ~w.shop_traits["excellent"][s] | (u < keep)


def im_satisfaction(w, k: int, s: np.ndarray, sat: np.ndarray) -> np.ndarray:
    """IM ratings (0 satisfied, 1 neutral, 2 unsatisfied): fewer unsatisfied at excellent shops."""
    rng = np.random.default_rng([w.seed, k, 18])
    u = rng.random(len(s))
    return np.where(w.shop_traits["excellent"][s] & (sat == 2) & (u < EXCELLENT_SATISFIED), 0, sat)


def spell_refunds(w, k: int, o: dict, lt: dict, refunded: np.ndarray, refund_id_base: int) -> dict | None:
    """Quality refunds of orders paid during a shop's spell (orders without a drawn refund):
    columns for A.table('refunds'), two versions each (pending, then final), or None."""
    rng = np.random.default_rng([w.seed, k, 13])
    t = w.shop_traits
    n = len(o["p"])
    u = rng.random(n)
    hit = in_spell(w, k, o["s"]) & ~refunded & (u < t["spell_rate"][o["s"]])
    ix = np.flatnonzero(hit)
    m = len(ix)
    if m == 0:
        return None
    deliv = lt["delivered"][ix]
    requested = np.where(deliv >= 0, deliv + (rng.uniform(2, 72, size=m) * H).astype(np.int64),
                         o["paid"][ix] + (rng.uniform(12, 48, size=m) * H).astype(np.int64))
    completed = requested + (rng.uniform(4, 40, size=m) * H).astype(np.int64)
    rtype = (deliv >= 0) & (rng.random(m) < 0.6)
    reason = np.where(rng.random(m) < 0.7, 0, 1)  # quality, not_as_described
    outcome = np.where(rng.random(m) < 0.92, 1, 2)  # completed, rejected
    rid = refund_id_base + k * 10_000_000 + REFUND_ID_OFFSET + np.arange(m, dtype=np.int64)
    v = np.repeat([0, 1], m)
    rows = np.tile(np.arange(m), 2)
    at = np.where(v == 0, requested[rows], completed[rows])
    keep = at < w.end_us
    v, rows, at = v[keep], rows[keep], at[keep]
    return dict(
        refund_id=rid[rows], order_id=o["order_id"][ix][rows], refund_type=rtype[rows].astype(int),
        reason=reason[rows], amount=o["pay"][ix][rows], status=np.where(v == 0, 0, outcome[rows]),
        requested=requested[rows], completed=completed[rows], pending=v == 0, at=at,
    )


def review_ratings(w, k: int, s: np.ndarray, p: np.ndarray, rating: np.ndarray,
                   aspect: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratings after spec 09's shifts: half the reviews of spell orders become a 1 or 2 about the
    product; half the ratings under 4 at an excellent shop become a 5 (0.8 of a 信任购 candidate's)."""
    rng = np.random.default_rng([w.seed, k, 15])
    m = len(s)
    u, u2 = rng.random(m), rng.random(m)
    spell = in_spell(w, k, s) & (u < 0.5)
    lift_p = np.where(w.product_traits["trust"][p], TRUST_RATING_LIFT,
                      np.where(w.shop_traits["excellent"][s], EXCELLENT_RATING_LIFT, 0.0))
    lift = (rating < 4) & (u < lift_p)
    rating = np.where(spell, np.where(u2 < 0.5, 1, 2), np.where(lift, 5, rating))
    aspect = np.where(spell, 0, aspect)
    return rating, aspect


def older_videos(w, k: int, video_id: np.ndarray, channel: np.ndarray, has_creator: np.ndarray,
                 s: np.ndarray, video_id_base: int) -> np.ndarray:
    """A shop's short video keeps selling after its day (spec 09 §1.3): OLDER_VIDEO_SHARE of the
    shop-video orders carry the video the shop published 1–6 days before (not before the first
    day, nor before the shop opened)."""
    rng = np.random.default_rng([w.seed, k, 16])
    n = len(video_id)
    u, age = rng.random(n), rng.integers(1, 7, size=n)
    published = k - age
    opened = w.shop_traits["opened_us"][s] < A.day_us(w.start) + published * A.US_PER_DAY
    older = (channel == 2) & ~has_creator & (u < OLDER_VIDEO_SHARE) & (published >= 0) & opened
    return np.where(older, video_id_base + published * 200_000 + s, video_id)


def older_video_rows(w, k: int, o: dict, measured: np.ndarray) -> pa.Table | None:
    """content_daily_stats rows of the older shop videos that sold on day k and are not measured
    yet (`measured`: the content ids of the day's other rows)."""
    rng = np.random.default_rng([w.seed, k, 17])
    shop_video = (o["channel"] == 2) & (o["video_id"] != o["video_id_drawn"])
    vid, first, sold = np.unique(o["video_id"][shop_video], return_index=True, return_counts=True)
    author = o["s"][shop_video][first]
    new = ~np.isin(vid, measured)
    vid, author, sold = vid[new], author[new], sold[new]
    m = len(vid)
    if m == 0:
        return None
    views = np.round(sold * rng.uniform(50, 400, size=m) + rng.integers(100, 3000, size=m)).astype(np.int64)
    return A.table("content_daily_stats", {
        "content_type": A.label(np.ones(m, int), ["live", "video"]),
        "content_id": A.i64(vid),
        "author_type": A.label(np.zeros(m, int), ["shop", "creator"]),
        "author_id": A.i64(w.shop_id[author]),
        "views": A.i64(views),
        "interactions": A.i64(np.round(views * rng.uniform(0.02, 0.12, size=m))),
        "negative_feedbacks": A.i64(rng.binomial(views, 0.004)),
        "false_claim_reports": A.i64(rng.poisson(views * 1e-5)),
    })
