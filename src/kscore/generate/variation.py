"""Legitimate variation (`kscore generate --variation`, issue 10): a landing zone whose
row counts and null shares move the way real data does, every row still valid by spec 01.

- a promotion week: one Monday–Sunday week with 2.45–2.75× the usual orders (and the
  logistics, refunds, reviews, IM sessions and traffic that follow from them); the day after
  it is an ordinary day;
- a weekly content rhythm: on Saturdays and Sundays content_daily_stats also measures older
  videos (published 1–28 days before), about 3× a weekday's rows;
- a three-day live rhythm: live_sessions are busy every third day; on the two quiet days
  shops (other than the distribution brands) and creators go live at 0.35× their frequency;
- a changing channel mix: the share of orders with creator_id NULL follows a 17-day wave
  with noise inside 0.60–0.87 (exactly, day by day: the distributed orders are a weighted
  sample without replacement of the orders whose shop has distribution enabled);
- a shop that stops selling: a non-brand shop with a decent volume (the third largest by
  expected orders) has no orders and no live sessions from the middle day of the zone on; its
  earlier orders' logistics, refunds and reviews still land, its shop and product rows stay.

The plan is drawn from its own stream `(seed, 0, 99)` and the days' extra draws from
`(seed, k, 11)` and `(seed, k, 12)`, so a zone without the option is byte-identical to one
made before the option existed. With it, the promotion week and the stop day depend on the
zone's length (the week lies after day 28 when the zone is long enough).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from kscore.generate import arrow as A

PROMO_FACTOR = (2.45, 2.75)
NULL_SHARE = (0.60, 0.87)
NULL_WAVE_DAYS = 17
LIVE_QUIET_FACTOR = 0.35
CONTENT_WEEKEND_EXTRA = 2.0  # extra rows on Saturdays and Sundays, times the day's own rows
STOP_SHOP_RANK = 3


@dataclass
class Plan:
    promo_start: int | None          # day index of the promotion week's Monday
    promo_factors: np.ndarray        # 7 order factors, Monday … Sunday
    stop_shop: int | None            # shop index
    stop_day: int
    null_share: np.ndarray           # target creator_id-NULL share per day index
    live_busy_phase: int             # busy live days: k % 3 == phase
    pool: np.ndarray                 # products that take the stopped shop's orders
    pool_cdf: np.ndarray

    def order_boost(self, k: int) -> float | None:
        """Day k's order factor in the promotion week (instead of the promotion days), else None."""
        if self.promo_start is not None and 0 <= k - self.promo_start < 7:
            return float(self.promo_factors[k - self.promo_start])
        return None

    def live_quiet(self, k: int) -> bool:
        return (k - self.live_busy_phase) % 3 != 0

    def stopped(self, k: int) -> int | None:
        return self.stop_shop if self.stop_shop is not None and k >= self.stop_day else None

    def describe(self, w) -> dict:
        day = lambda k: (w.start + dt.timedelta(days=int(k))).isoformat()  # noqa: E731
        out: dict = {}
        if self.promo_start is not None:
            out["promotion_week"] = [day(self.promo_start), day(self.promo_start + 6)]
            out["promotion_factors"] = [round(float(f), 3) for f in self.promo_factors]
            out["day_after_promotion"] = day(self.promo_start + 7)
        if self.stop_shop is not None:
            out["stopped_shop_id"] = int(w.shop_id[self.stop_shop])
            out["stopped_from"] = day(self.stop_day)
        share = self.null_share
        out["creator_null_share"] = [round(float(share.min()), 3), round(float(share.max()), 3)]
        out["live_busy_days"] = [day(k) for k in range(self.live_busy_phase, min(w.days, 9), 3)]
        out["content_weekend_extra"] = CONTENT_WEEKEND_EXTRA
        return out


def _promo_week(w, rng, promotions: dict) -> int | None:
    days = w.days
    dates = [w.start + dt.timedelta(days=k) for k in range(days)]
    ordinary = [(d.month, d.day) not in promotions for d in dates]
    mondays = [k for k, d in enumerate(dates) if d.weekday() == 0]
    fits = [m for m in mondays if m + 7 <= days - 1 and ordinary[m + 7]]
    if not fits:
        return None
    later = [m for m in fits if m >= 28]
    return int(rng.choice(later)) if later else fits[-1]


def _stop_shop(w) -> tuple[int | None, np.ndarray]:
    """The shop that stops, and the always-on-sale products of steady shops that take its orders."""
    t, pt = w.shop_traits, w.product_traits
    start_us = A.day_us(w.start)
    steady = ~t["is_brand"] & (t["opened_us"] < start_us) & (t["closed_us"] < 0)
    other = w.other_products
    vol = np.bincount(w.product_shop[other], weights=pt["popularity"][other],
                      minlength=len(w.shop_id))
    ranked = [s for s in np.argsort(-vol, kind="stable") if steady[s] and vol[s] > 0]
    stop = int(ranked[min(STOP_SHOP_RANK, len(ranked)) - 1]) if len(ranked) >= 2 else None
    early = np.arange(len(w.product_id)) < w.n_early
    on_sale = early & (pt["offshelf_us"] < 0) & (pt["listed_us"] < start_us)
    ok = on_sale & steady[w.product_shop] & (w.product_shop != (stop if stop is not None else -1))
    return stop, np.flatnonzero(ok)


def plan(w, promotions: dict) -> Plan:
    rng = np.random.default_rng([w.seed, 0, 99])
    promo_start = _promo_week(w, rng, promotions)
    promo_factors = rng.uniform(*PROMO_FACTOR, size=7)
    phase = float(rng.uniform(0, NULL_WAVE_DAYS))
    k = np.arange(w.days)
    lo, hi = NULL_SHARE
    mid, amp = (lo + hi) / 2, (hi - lo) / 2 + 0.02  # overshoots a little, clipped: both ends occur
    wave = mid + amp * np.sin(2 * np.pi * (k + phase) / NULL_WAVE_DAYS)
    wave = wave + rng.normal(0, 0.02, size=w.days)
    null_share = np.clip(wave, lo, hi)
    busy = int(rng.integers(0, 3))
    stop, pool = _stop_shop(w)
    pool_cdf = np.cumsum(w.product_traits["popularity"][pool]) if len(pool) else np.zeros(0)
    if not len(pool) or w.days < 2:
        stop = None
    return Plan(promo_start=promo_start, promo_factors=promo_factors, stop_shop=stop,
                stop_day=w.days // 2, null_share=null_share, live_busy_phase=busy, pool=pool,
                pool_cdf=pool_cdf)


def distributed(rng, p_dist: np.ndarray, target_share: float) -> np.ndarray:
    """Exactly ceil(n × target) distributed orders (fewer if too few are eligible), a sample without
    replacement weighted by each order's distribution propensity (exponential keys)."""
    n = len(p_dist)
    eligible = p_dist > 0
    m = min(int(np.ceil(n * target_share - 1e-9)), int(eligible.sum()))
    key = np.where(eligible, rng.exponential(size=n) / np.maximum(p_dist, 1e-12), np.inf)
    out = np.zeros(n, dtype=bool)
    if m > 0:
        out[np.argpartition(key, m - 1)[:m]] = True
    return out
