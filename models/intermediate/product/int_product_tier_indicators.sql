{{ config(materialized='table') }}
{#-
  商品分层 indicators per as_of_date × tiered product (spec 02), for every
  as_of_date of the build (vars from_date/to_date) set-based: interval sums
  (macro interval_sums) of the daily pre-aggregates over W = D-window_days … D-1.
  Change records (products, shops, categories) are the versions in force for D;
  refunds are the version in force for D (int_refunds_enriched in_force_from/to).
  The windowed figures come from int_product_tier_contributions; also carries the
  info score of the product version and its category ancestors (level 3 / 2 / 1,
  int_product_category_paths) for the peer groups.
-#}

{#- the windowed figures per product (macro product_tier_measures) -#}
{%- set product_measures = product_tier_measures() -%}

with spine as (
    -- this build's as_of_dates and the 快质造 check Mondays not yet held (spec 09 §4.1)
    select as_of_date from {{ as_of_dates_with_checks() }} as s
),

products as (
    select * from {{ ref('stg_landing__products') }}
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

info_scores as (
    select * from {{ ref('int_product_info_scores') }}
),

product_contributions as (
    select * from {{ ref('int_product_tier_contributions') }}
),

category_paths as (
    select * from {{ ref('int_product_category_paths') }}
),

im_daily as (
    select * from {{ ref('int_shop_im_daily') }}
),

params as (
    {{ seed_params('product_tier_params', [
        ('window_days', 'window_days', 'integer'),
        ('min_orders_for_rates', 'min_orders_for_rates'),
    ]) }}
),

windows as (
    select
        s.as_of_date,
        {{ add_days('s.as_of_date', '-p.window_days') }} as window_start,
        {{ add_days('s.as_of_date', -1) }} as window_end
    from spine as s
    cross join params as p
),

tiered_products as (
    select
        w.as_of_date,
        w.window_start,
        w.window_end,
        p.product_id,
        p.shop_id,
        p.category_id,
        p.updated_at as product_updated_at
    from windows as w
    inner join products as p on {{ version_in_force('p', 'w.as_of_date') }}
    inner join shops as sh
        on sh.shop_id = p.shop_id
       and {{ version_in_force('sh', 'w.as_of_date') }}
    where p.status = 'on_sale'
      and p.listed_at < cast(w.as_of_date as timestamp)
      and sh.status = 'active'
),

{#- the probes carry the tiered product's columns: one row per tiered product and as_of_date, no
    join of the sums back to them (both sides are every product x every as_of_date of the build) -#}
product_sums as (
    {{ interval_sums('tiered_products', 'product_contributions', ['product_id'],
        product_measures.keys() | list,
        carry=['window_start', 'window_end', 'shop_id', 'category_id', 'product_updated_at'],
        first_day=as_of_dates_with_checks_first_day()) }}
),

{#- every active shop in force (a superset of the tiered products' shops; tiered_products is read
    once) -#}
shop_probes as (
    select w.as_of_date, sh.shop_id
    from windows as w
    inner join shops as sh on {{ version_in_force('sh', 'w.as_of_date') }}
    where sh.status = 'active'
),

shop_im_contributions as (
    select
        i.shop_id,
        {{ add_days('i.im_date', 1) }} as from_date,
        {{ add_days('i.im_date', 'p.window_days') }} as to_date,
        cast(i.sessions as bigint) as im_sessions,
        cast(i.replied_3min_sessions as bigint) as im_replied_3min_sessions,
        cast(i.rated_sessions as bigint) as im_rated_sessions,
        cast(i.satisfied_sessions as bigint) as im_satisfied_sessions
    from im_daily as i
    cross join params as p
),

shop_im_w as (
    {{ interval_sums('shop_probes', 'shop_im_contributions', ['shop_id'], [
        'im_sessions', 'im_replied_3min_sessions', 'im_rated_sessions', 'im_satisfied_sessions'],
        first_day=as_of_dates_with_checks_first_day()) }}
),

counts as (
    select
        o.as_of_date,
        o.window_start,
        o.window_end,
        o.product_id,
        o.shop_id,
        o.category_id,
        o.product_updated_at,
        coalesce(o.paid_orders, 0) as paid_orders,
        cast(coalesce(o.gmv, 0) - coalesce(o.completed_refund_amount, 0) as decimal(18, 2))
            as effective_gmv,
        coalesce(o.exposures, 0) as exposures,
        coalesce(o.quality_refund_orders, 0) as quality_refund_orders,
        coalesce(o.reviews, 0) as reviews,
        coalesce(o.negative_product_reviews, 0) as negative_product_reviews,
        coalesce(o.in_stock_orders, 0) as in_stock_orders,
        coalesce(o.shipped_orders, 0) as shipped_orders,
        case when o.ship_hours_count > 0 then cast(o.ship_hours_sum as double) end
            as ship_hours_sum,
        coalesce(im.im_sessions, 0) as im_sessions,
        coalesce(im.im_replied_3min_sessions, 0) as im_replied_3min_sessions,
        coalesce(im.im_rated_sessions, 0) as im_rated_sessions,
        coalesce(im.im_satisfied_sessions, 0) as im_satisfied_sessions,
        coalesce(o.dispute_orders, 0) as dispute_orders,
        coalesce(o.merchant_completed_refunds, 0) as merchant_completed_refunds,
        case when o.merchant_complete_hours_count > 0
             then cast(o.merchant_complete_hours_sum as double) end as merchant_complete_hours_sum
    from product_sums as o
    left join shop_im_w as im on im.as_of_date = o.as_of_date and im.shop_id = o.shop_id
),

final as (
    select
        c.as_of_date,
        c.window_start,
        c.window_end,
        c.product_id,
        c.shop_id,
        c.category_id,
        cp.leaf_level,
        cp.category_l3_id,
        cp.category_l2_id,
        cp.category_l1_id,
        cast(c.paid_orders as bigint) as paid_orders,
        c.effective_gmv,
        cast(c.exposures as bigint) as exposures,
        {{ round_half_up(safe_divide('c.effective_gmv', 'c.exposures'),
            6) }} as exposure_conversion,
        {{ round_half_up(safe_divide('c.quality_refund_orders', 'c.paid_orders'), 6) }}
            as quality_refund_rate,
        {{ round_half_up(safe_divide('c.negative_product_reviews', 'c.reviews'), 6) }}
            as negative_quality_review_rate,
        {{ round_half_up(safe_divide('c.in_stock_orders', 'c.paid_orders'), 6) }} as in_stock_ratio,
        {{ round_half_up(safe_divide('c.ship_hours_sum', 'c.shipped_orders'),
            6) }} as avg_ship_hours,
        {{ round_half_up(safe_divide('c.im_replied_3min_sessions', 'c.im_sessions'), 6) }}
            as im_reply_3min_rate,
        {{ round_half_up(safe_divide('c.im_satisfied_sessions', 'c.im_rated_sessions'), 6) }}
            as im_satisfaction_rate,
        {{ round_half_up(safe_divide('c.dispute_orders', 'c.paid_orders'), 6) }} as dispute_rate,
        {{ round_half_up(safe_divide('c.merchant_complete_hours_sum',
            'c.merchant_completed_refunds'), 6) }}
            as refund_self_complete_hours,
        c.paid_orders < p.min_orders_for_rates as is_low_sample,
        cast(c.quality_refund_orders as bigint) as quality_refund_orders,
        cast(c.reviews as bigint) as reviews,
        cast(c.negative_product_reviews as bigint) as negative_product_reviews,
        cast(c.dispute_orders as bigint) as dispute_orders,
        i.info_score,
        i.info_level,
        i.info_rank
    from counts as c
    cross join params as p
    left join category_paths as cp
        on cp.as_of_date = c.as_of_date and cp.category_id = c.category_id
    left join info_scores as i
        on i.product_id = c.product_id and i.updated_at = c.product_updated_at
)

select * from final
