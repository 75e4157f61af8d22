"""The slowly changing world of the demo: categories, shops, products, creators,
activity registrations, and the hidden traits that make shops behave differently.

Everything is drawn with numpy from one generator seeded by (seed, 0), so the
world is the same for a seed whatever the number of days. What spec 09's marts
need on top (a level-1 category 鞋靴箱包, the shops of the 快质造 categories and
their quality spells, excellent shops and the 信任购 candidates among their
products, products whose price moves) is drawn from a second generator seeded
by (seed, 0, 9) after the first one's draws, so those draws are the same as before
it existed (kscore.generate.spec09). Change records are
produced as versions (a full row at each updated_at) and land in the dt of
their updated_at; the initial snapshot lands on the day before the first day.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from kscore import PROJECT_DIR
from kscore.generate import arrow as A
from kscore.generate import spec09 as S9

L1_NAMES = ["服饰内衣", "美妆个护", "食品饮料", "家居百货", "数码家电", "母婴玩具", "珠宝文玩", "运动户外"]
L2_SUFFIX = ["精选", "新品", "经典", "特惠", "进口", "国货", "轻奢", "日用"]
L3_SUFFIX = ["套装", "单品", "礼盒", "组合", "小样", "旗舰款"]
TITLE_CHARS = np.array(list("春夏秋冬新款高端精品正品限量特价热卖爆款经典时尚舒适透气加厚保暖轻薄大码小号男女童装家用便携"
                            "原装进口国货天然有机无添加手工定制礼盒套装组合装官方旗舰店同款直播专享包邮"))
CARRIERS = ["顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "极兔速递", "京东物流", "中国邮政"]
SHIP_HOURS = np.array([24, 48, 72, 168])

# distribution-heavy brand shops (the first shops): share of ALL paid orders, and of those distributed by creators.
# Sized so that, at `small` and above, their distinct distributed buyers reach every 川流 reward tier.
BRAND_ORDER_SHARES = np.array([0.28, 0.10, 0.055, 0.014])
BRAND_DISTRIBUTED_SHARE = 0.92


@dataclass
class Scale:
    shops: int
    products: int
    creators: int
    days: int
    orders: int  # paid orders over `days`, about


@dataclass
class World:
    start: dt.date
    days: int
    seed: int
    scale: Scale
    # categories
    cat_id: np.ndarray = None
    cat_parent: np.ndarray = None
    cat_level: np.ndarray = None
    cat_name: list = None
    leaf_idx: np.ndarray = None          # indexes into cat_* of leaf categories
    leaf_l1: np.ndarray = None           # the level-1 ancestor index of each leaf
    leaf_weight: np.ndarray = None
    # shops
    shop_id: np.ndarray = None
    shop_traits: dict = field(default_factory=dict)
    # products (pre-start listed first: indexes [0, n_early) are on sale from the start)
    product_id: np.ndarray = None
    product_shop: np.ndarray = None
    product_traits: dict = field(default_factory=dict)
    n_early: int = 0
    # creators
    creator_id: np.ndarray = None
    creator_traits: dict = field(default_factory=dict)
    # change-record versions, each a pa.Table with the contract columns
    versions: dict = field(default_factory=dict)
    # the plan of `--variation` (kscore.generate.variation.Plan), None without the option
    variation: object = None

    @property
    def snapshot_us(self) -> int:
        """The initial snapshot's updated_at: 09:00 the day before the first day."""
        return A.day_us(self.start) - 15 * A.US_PER_HOUR

    @property
    def end_us(self) -> int:
        return A.day_us(self.start + dt.timedelta(days=self.days))


def _zipf_weights(rng, n: int, a: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** a
    rng.shuffle(w)
    return w / w.sum()


def build_categories(w: World, rng) -> None:
    ids, parents, levels, names = [], [], [], []
    next_id = 1
    l1_ids = []
    for name in L1_NAMES:
        ids.append(next_id)
        parents.append(-1)
        levels.append(1)
        names.append(name)
        l1_ids.append(next_id)
        next_id += 1
    n_l2 = rng.integers(3, 7, size=len(L1_NAMES))
    for i, l1 in enumerate(l1_ids):
        for j in range(n_l2[i]):
            l2 = next_id
            l2_name = f"{L1_NAMES[i][:2]}{L2_SUFFIX[j % len(L2_SUFFIX)]}"
            ids.append(l2)
            parents.append(l1)
            levels.append(2)
            names.append(l2_name)
            next_id += 1
            # about a quarter of level-2 categories have no level 3: they are leaves themselves
            n_l3 = 0 if rng.random() < 0.25 else int(rng.integers(2, 6))
            for m in range(n_l3):
                ids.append(next_id)
                parents.append(l2)
                levels.append(3)
                names.append(f"{l2_name}{L3_SUFFIX[m % len(L3_SUFFIX)]}")
                next_id += 1
    w.cat_id = np.array(ids, dtype=np.int64)
    w.cat_parent = np.array(parents, dtype=np.int64)
    w.cat_level = np.array(levels, dtype=np.int32)
    w.cat_name = names
    has_child = np.isin(w.cat_id, w.cat_parent)
    leaf = ((w.cat_level == 3) | ((w.cat_level == 2) & ~has_child))
    w.leaf_idx = np.flatnonzero(leaf)
    pos = {cid: k for k, cid in enumerate(ids)}
    l1_of = []
    for k in w.leaf_idx:
        node = k
        while levels[node] > 1:
            node = pos[parents[node]]
        l1_of.append(node)
    w.leaf_l1 = np.array(l1_of)
    # categories of very different sizes: a few large leaves, many small ones
    w.leaf_weight = _zipf_weights(rng, len(w.leaf_idx), 1.1)
    w.versions["categories"] = A.table("categories", {
        "category_id": A.i64(w.cat_id),
        "parent_id": A.i64(np.maximum(w.cat_parent, 0), mask=w.cat_parent < 0),
        "level": A.i32(w.cat_level),
        "name": pa.array(names, type=pa.string()),
        "updated_at": A.ts(np.full(len(ids), w.snapshot_us - 2 * A.US_PER_HOUR)),
    })


def build_shops(w: World, rng) -> None:
    n = w.scale.shops
    start_us, end_us = A.day_us(w.start), w.end_us
    nb = min(len(BRAND_ORDER_SHARES), max(n // 10, 1))
    is_brand = np.zeros(n, dtype=bool)
    is_brand[:nb] = True
    l1_weights = rng.dirichlet(np.full(len(L1_NAMES), 2.0))
    main_l1 = rng.choice(len(L1_NAMES), size=n, p=l1_weights)
    shop_type = np.where(is_brand, 0, rng.choice(3, size=n, p=[0.4, 0.35, 0.25]))
    # 6% of shops open during the first 60 days of the demo (川流 targets new shops)
    opens_late = (~is_brand) & (rng.random(n) < 0.06)
    opened = np.where(opens_late,
                      start_us + rng.integers(1, min(60, w.scale.days) * 24, size=n) * A.US_PER_HOUR,
                      start_us - rng.integers(30, 900, size=n) * A.US_PER_DAY + rng.integers(0, 86400, size=n) * A.US_PER_SECOND)
    u = rng.random(n)
    dist_enabled = np.where(is_brand | (u < 0.6), opened + rng.integers(1, 20, size=n) * A.US_PER_DAY, -1)
    # 10% enable distribution during the demo
    late_enable = (~is_brand) & (u >= 0.6) & (u < 0.7)
    dist_enabled = np.where(late_enable, start_us + rng.integers(5, max(w.scale.days, 6), size=n) * A.US_PER_DAY
                            + rng.integers(8, 20, size=n) * A.US_PER_HOUR, dist_enabled)
    dist_enabled = np.where((dist_enabled >= 0) & (dist_enabled < opened), opened + A.US_PER_DAY, dist_enabled)
    has_plan = (dist_enabled >= 0) & (is_brand | (rng.random(n) < 0.5))
    dist_plan = np.where(has_plan, dist_enabled + rng.integers(1, 15, size=n) * A.US_PER_DAY, -1)
    closes = (~is_brand) & (rng.random(n) < 0.02)
    closed_at = np.where(closes, start_us + rng.integers(10, max(w.scale.days, 11), size=n) * A.US_PER_DAY
                         + 10 * A.US_PER_HOUR, -1)
    live_freq = np.where(rng.random(n) < 0.4, 0.0, rng.uniform(0.15, 0.95, size=n))  # 40% never broadcast
    live_freq[is_brand] = 0.95
    slow = (~is_brand) & (rng.random(n) < 0.18)
    bad = (~is_brand) & (rng.random(n) < 0.15)
    w.shop_id = 10_001 + np.arange(n, dtype=np.int64)
    w.shop_traits = dict(
        is_brand=is_brand, main_l1=main_l1, shop_type=shop_type, opened_us=opened, dist_enabled_us=dist_enabled,
        dist_plan_us=dist_plan, closed_us=closed_at, live_freq=live_freq, slow=slow, bad=bad,
        # distribution brands ship within hours (median 3 h), so the big ones earn the 高现货 exemption
        ship_median_h=np.where(is_brand, 3.0, np.where(slow, rng.uniform(30, 70, size=n), rng.uniform(4, 20, size=n))),
        refund_base=np.where(bad, rng.uniform(0.10, 0.20, size=n), rng.uniform(0.02, 0.07, size=n)),
        reply_fast=np.where(bad, rng.uniform(0.35, 0.65, size=n), rng.uniform(0.80, 0.99, size=n)),
        dist_share=np.where(is_brand, BRAND_DISTRIBUTED_SHARE, rng.uniform(0.05, 0.6, size=n)),
        carrier=rng.integers(0, len(CARRIERS), size=n),
        popularity=np.where(is_brand, 1.0, rng.pareto(1.3, size=n) + 0.05),
    )
    # versions: the snapshot (or the opening) and one more at each change inside the demo
    initial = np.where(opened > start_us, opened, w.snapshot_us)
    events = [(np.arange(n), initial)]
    for when in (dist_enabled, dist_plan, closed_at):
        idx = np.flatnonzero(when > initial)
        events.append((idx, when[idx]))
    idx = np.concatenate([e[0] for e in events])
    at = np.concatenate([e[1] for e in events])
    keep = at < end_us
    idx, at = idx[keep], at[keep]
    enabled = dist_enabled[idx]
    plan = dist_plan[idx]
    w.versions["shops"] = A.table("shops", {
        "shop_id": A.i64(w.shop_id[idx]),
        "shop_name": A.prefixed("快品小店", w.shop_id[idx]),
        "shop_type": A.label(shop_type[idx], ["enterprise", "individual", "personal"]),
        "main_category_id": A.i64(w.cat_id[main_l1[idx]]),
        "is_brand_flagship": A.boolean(is_brand[idx] | ((shop_type[idx] == 0) & (w.shop_id[idx] % 9 == 0))),
        "opened_at": A.ts(opened[idx]),
        "distribution_enabled_at": A.ts(np.maximum(enabled, 0), mask=(enabled < 0) | (enabled > at)),
        "distribution_plan_at": A.ts(np.maximum(plan, 0), mask=(plan < 0) | (plan > at)),
        "status": A.label(((closed_at[idx] >= 0) & (closed_at[idx] <= at)).astype(int), ["active", "closed"]),
        "updated_at": A.ts(at),
    })


def build_products(w: World, rng, rng9) -> None:
    n = w.scale.products
    t = w.shop_traits
    ns = w.scale.shops
    start_us, end_us = A.day_us(w.start), w.end_us
    nb = int(t["is_brand"].sum())
    # the brand shops own 2% of the products each; the rest by a skewed shop size
    n_brand_each = max(n // 50, 5) if nb else 0
    brand_shop = np.repeat(np.arange(nb), n_brand_each)
    shop_w = rng.pareto(1.1, size=ns) + 0.2
    shop_w[:nb] = 0
    other_shop = rng.choice(ns, size=n - len(brand_shop), p=shop_w / shop_w.sum())
    shop = np.concatenate([brand_shop, other_shop])
    # a leaf of the shop's main level-1 category (85%), else any leaf
    leaf = rng.choice(len(w.leaf_idx), size=n, p=w.leaf_weight)
    own = rng.random(n) < 0.85
    for l1 in np.unique(t["main_l1"]):
        in_l1 = np.flatnonzero(w.leaf_l1 == l1)
        if len(in_l1) == 0:
            continue
        sel = own & (t["main_l1"][shop] == l1)
        p = w.leaf_weight[in_l1] / w.leaf_weight[in_l1].sum()
        leaf[sel] = rng.choice(in_l1, size=int(sel.sum()), p=p)
    category = w.cat_id[w.leaf_idx[leaf]]
    # 10% are listed during the demo (after their shop opened); the rest before the start
    opened = t["opened_us"][shop]
    late = (rng.random(n) < 0.10) | (opened > start_us)
    listed = np.where(late, np.maximum(start_us + rng.integers(0, max(w.scale.days - 1, 1), size=n) * A.US_PER_DAY,
                                       opened + A.US_PER_DAY) + rng.integers(8, 22, size=n) * A.US_PER_HOUR,
                      np.minimum(start_us - rng.integers(2, 400, size=n) * A.US_PER_DAY, opened + 5 * A.US_PER_DAY)
                      + rng.integers(0, 86400, size=n) * A.US_PER_SECOND)
    listed = np.where(late, listed, np.maximum(listed, opened + A.US_PER_HOUR))
    listed = np.where(~late & (listed >= start_us), start_us - A.US_PER_HOUR, listed)
    order = np.argsort(late, kind="stable")  # pre-start products first
    shop, category, listed, late, own = shop[order], category[order], listed[order], late[order], own[order]
    w.n_early = int((~late).sum())
    slow = t["slow"][shop]
    ship_p = np.where(slow[:, None], [0.05, 0.25, 0.4, 0.3], [0.45, 0.45, 0.07, 0.03])
    ship_u = rng.random(n)
    ship_code = (ship_u[:, None] > np.cumsum(ship_p, axis=1)).sum(axis=1)
    quality_bad = rng.random(n) < np.where(t["bad"][shop], 0.35, 0.08)
    popularity = (rng.pareto(1.2, size=n) + 0.02) * t["popularity"][shop]
    title_len = np.where(rng.random(n) < 0.12, rng.integers(4, 10, size=n), rng.integers(10, 61, size=n))
    title_len = np.where(rng.random(n) < 0.03, rng.integers(61, 75, size=n), title_len)
    chars = rng.integers(0, len(TITLE_CHARS), size=int(title_len.sum()))
    text = "".join(TITLE_CHARS[chars])
    ends = np.cumsum(title_len)
    titles = [text[e - length:e] for e, length in zip(ends.tolist(), title_len.tolist(), strict=True)]
    price = np.round(np.exp(rng.normal(4.2, 0.8, size=n)) * 100).astype(np.int64)  # cents, median ~67 yuan
    offshelf = np.where(rng.random(n) < 0.03, listed + rng.integers(5, 60, size=n) * A.US_PER_DAY, -1)
    offshelf = np.where(offshelf >= 0, np.maximum(offshelf, start_us + A.US_PER_DAY), -1)
    reprice = np.where(rng.random(n) < 0.05, start_us + rng.integers(1, max(w.scale.days, 2), size=n) * A.US_PER_DAY
                       + 11 * A.US_PER_HOUR, -1)
    reprice = np.where(reprice > listed, reprice, -1)
    initially_off = rng.random(n) < 0.04  # a few products are off shelf from the start
    w.product_id = 1_000_001 + np.arange(n, dtype=np.int64)
    w.product_shop = shop
    w.product_traits = dict(
        category=category, listed_us=listed, offshelf_us=np.where(initially_off & ~late, listed + A.US_PER_DAY, offshelf),
        ship_hours=SHIP_HOURS[ship_code], quality_bad=quality_bad, popularity=popularity, price_cents=price,
        refund_mult=np.where(quality_bad, 3.0, rng.uniform(0.5, 1.3, size=n)),
    )
    off = w.product_traits["offshelf_us"]
    initial = np.where(late, listed, w.snapshot_us)
    events = [(np.arange(n), initial)]
    for when in (off, reprice):
        idx = np.flatnonzero(when > initial)
        events.append((idx, when[idx]))
    idx = np.concatenate([e[0] for e in events])
    at = np.concatenate([e[1] for e in events])
    keep = at < end_us
    idx, at = idx[keep], at[keep]
    repriced = (reprice[idx] >= 0) & (reprice[idx] <= at)
    imgs = rng.choice([0, 1, 2, 3, 4, 5, 6], size=n, p=[0.05, 0.08, 0.12, 0.3, 0.2, 0.15, 0.1])
    fill = np.round(rng.beta(5, 2, size=n), 4)
    has_detail = rng.random(n) < 0.85
    has_video = rng.random(n) < 0.55
    has_sp = rng.random(n) < 0.7
    brand_id = np.where(t["is_brand"][shop] | (rng.random(n) < 0.3), 700_000 + shop, -1)
    # spec 09: excellent shops, the 快质造 cohort and its spells, 信任购 candidates, moving prices
    listing = dict(imgs=imgs, fill=fill, has_detail=has_detail, has_video=has_video, has_sp=has_sp,
                   ship_code=ship_code, category=category, own=own, late=late)
    S9.plan_products(w, rng9, listing)
    category = w.product_traits["category"] = listing["category"]
    imgs, fill, ship_code = listing["imgs"], listing["fill"], listing["ship_code"]
    has_detail, has_video, has_sp = listing["has_detail"], listing["has_video"], listing["has_sp"]
    w.product_traits["ship_hours"] = SHIP_HOURS[ship_code]
    w.versions["products"] = A.table("products", {
        "product_id": A.i64(w.product_id[idx]),
        "shop_id": A.i64(w.shop_id[shop[idx]]),
        "category_id": A.i64(category[idx]),
        "title": pa.array([titles[i] for i in idx.tolist()], type=pa.string()),
        "main_image_count": A.i32(imgs[idx]),
        "has_detail": A.boolean(has_detail[idx]),
        "has_video": A.boolean(has_video[idx]),
        "attribute_fill_rate": A.f64(fill[idx]),
        "has_selling_points": A.boolean(has_sp[idx]),
        "brand_id": A.i64(np.maximum(brand_id[idx], 0), mask=brand_id[idx] < 0),
        "list_price": A.money(np.where(repriced, price[idx] * 9 // 10, price[idx])),
        "promised_ship_hours": A.i32(SHIP_HOURS[ship_code][idx]),
        "status": A.label(((off[idx] >= 0) & (off[idx] <= at)).astype(int), ["on_sale", "off_shelf"]),
        "listed_at": A.ts(listed[idx]),
        "updated_at": A.ts(at),
    })


def build_creators(w: World, rng) -> None:
    n = w.scale.creators
    start_us, end_us = A.day_us(w.start), w.end_us
    fans = np.round(np.exp(rng.normal(10.5, 1.8, size=n))).astype(np.int64)
    registered = start_us - rng.integers(5, 1500, size=n) * A.US_PER_DAY
    is_new = registered > start_us - 90 * A.US_PER_DAY
    level = np.where(is_new, 3, np.where(fans >= 1_000_000, 0, np.where(fans >= 100_000, 1, 2)))
    bad = rng.random(n) < 0.15
    w.creator_id = 5_000_001 + np.arange(n, dtype=np.int64)
    w.creator_traits = dict(
        fans=fans, bad=bad, popularity=_zipf_weights(rng, n, 1.0),
        live_freq=np.where(rng.random(n) < 0.2, 0.05, rng.uniform(0.3, 0.9, size=n)),
        neg_rate=np.where(bad, rng.uniform(0.01, 0.04, size=n), rng.uniform(0.001, 0.008, size=n)),
    )
    # a monthly fans update for a fifth of the creators
    upd = np.flatnonzero(rng.random(n) < 0.2)
    idx = np.concatenate([np.arange(n)] + [upd] * 4)
    at = np.concatenate([np.full(n, w.snapshot_us)]
                        + [np.full(len(upd), start_us + (30 * m + 1) * A.US_PER_DAY + 3 * A.US_PER_HOUR)
                           for m in range(4)])
    months = np.concatenate([np.zeros(n, dtype=np.int64)] + [np.full(len(upd), m + 1) for m in range(4)])
    keep = at < end_us
    idx, at, months = idx[keep], at[keep], months[keep]
    w.versions["creators"] = A.table("creators", {
        "creator_id": A.i64(w.creator_id[idx]),
        "nickname": A.prefixed("达人", w.creator_id[idx]),
        "fans_count": A.i64(np.round(fans[idx] * (1.03 ** months))),
        "creator_level": A.label(level[idx], ["head", "waist", "tail", "new"]),
        "registered_at": A.ts(registered[idx]),
        "updated_at": A.ts(at),
    })


def load_activities() -> list[dict]:
    path = PROJECT_DIR / "seeds" / "chuanliu" / "chuanliu_activities.csv"
    with path.open(encoding="utf-8") as fh:
        return [{**r, "start": dt.date.fromisoformat(r["start_date"]), "end": dt.date.fromisoformat(r["end_date"])}
                for r in csv.DictReader(fh)]


def build_registrations(w: World, rng) -> None:
    """Featured products (主推品) registered for each activity of the seed that the demo covers:
    the best sellers of the brand shops and a sample of others; a few withdraw during the activity."""
    start_us, end_us = A.day_us(w.start), w.end_us
    t = w.product_traits
    idx_all, act_all, at_all, status_all = [], [], [], []
    for act in load_activities():
        a_start = A.day_us(act["start"])
        if a_start < start_us or a_start >= end_us:
            continue
        eligible = np.flatnonzero(t["listed_us"] < a_start - 2 * A.US_PER_DAY)
        if len(eligible) == 0:
            continue
        top = eligible[np.argsort(-t["popularity"][eligible])][: max(len(eligible) // 50, 5)]
        extra = eligible[rng.random(len(eligible)) < 0.02]
        chosen = np.unique(np.concatenate([top, extra]))
        reg_at = np.maximum(a_start - rng.integers(1, 8, size=len(chosen)) * A.US_PER_DAY, start_us) \
            + rng.integers(9, 20, size=len(chosen)) * A.US_PER_HOUR
        withdraw = rng.random(len(chosen)) < 0.05
        w_at = a_start + rng.integers(1, 5, size=len(chosen)) * A.US_PER_DAY + 15 * A.US_PER_HOUR
        idx_all += [chosen, chosen[withdraw]]
        act_all += [np.full(len(chosen), act["activity_id"], dtype=object),
                    np.full(int(withdraw.sum()), act["activity_id"], dtype=object)]
        at_all += [reg_at, w_at[withdraw]]
        status_all += [np.zeros(len(chosen), dtype=int), np.ones(int(withdraw.sum()), dtype=int)]
    if not idx_all:
        w.versions["activity_registrations"] = A.empty("activity_registrations")
        return
    idx = np.concatenate(idx_all)
    at = np.concatenate(at_all)
    keep = at < end_us
    w.versions["activity_registrations"] = A.table("activity_registrations", {
        "activity_id": pa.array(np.concatenate(act_all)[keep].tolist(), type=pa.string()),
        "product_id": A.i64(w.product_id[idx[keep]]),
        "shop_id": A.i64(w.shop_id[w.product_shop[idx[keep]]]),
        "status": A.label(np.concatenate(status_all)[keep], ["approved", "withdrawn"]),
        "updated_at": A.ts(at[keep]),
    })


def build_world(scale: Scale, start: dt.date, days: int, seed: int) -> World:
    rng = np.random.default_rng([seed, 0])
    rng9 = np.random.default_rng([seed, 0, 9])  # spec 09's additions: the first stream stays as it was
    w = World(start=start, days=days, seed=seed, scale=scale)
    build_categories(w, rng)
    S9.add_categories(w, rng9)
    build_shops(w, rng)
    build_products(w, rng, rng9)
    build_creators(w, rng)
    build_registrations(w, rng)
    return w


def shop_profiles(w: World) -> pa.Table:
    """The hidden traits (for documentation and debugging; not part of the raw contract)."""
    t = w.shop_traits
    return pa.table({
        "shop_id": w.shop_id, "is_distribution_brand": t["is_brand"], "never_broadcasts": t["live_freq"] == 0,
        "live_frequency": t["live_freq"], "is_slow_shipper": t["slow"], "is_bad_service": t["bad"],
        "median_ship_hours": t["ship_median_h"], "refund_base_rate": t["refund_base"],
        "im_fast_reply_share": t["reply_fast"], "distributed_order_share": t["dist_share"],
        # spec 09 (kscore.generate.spec09): excellent shops, the 快质造 cohort's roles and spells
        "is_excellent": t["excellent"],
        "kuaizhizao_role": pa.array([S9.ROLES[r] if r >= 0 else None for r in t["kuaizhizao_role"].tolist()],
                                    type=pa.string()),
        "quality_spell_start": pa.array([w.start + dt.timedelta(days=int(k)) if n else None
                                         for k, n in zip(t["spell_start"].tolist(), t["spell_len"].tolist(),
                                                         strict=True)], type=pa.date32()),
        "quality_spell_days": A.i32(t["spell_len"]),
    })
