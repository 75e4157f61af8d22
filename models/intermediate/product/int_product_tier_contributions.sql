{{ config(materialized='view') }}
{#-
  商品分层 window contributions per product (spec 02): one row per daily figure (or refund
  version, or refund flag island) with the as_of_date interval [from_date, to_date] it
  counts for and one column per measure (macros product_tier_measures,
  contribution_columns), for int_product_tier_indicators to sum per as_of_date (macro
  interval_sums). A daily row of day d counts for d + 1 … d + window_days; a refund version
  also only while it is in force (int_refunds_enriched in_force_from/to). Independent of
  the as_of_dates: a view.
-#}

{%- set product_measures = product_tier_measures() %}

with orders_daily as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_product_orders_daily') }}
),

reviews_daily as (
    select * from {{ ref('int_product_reviews_daily') }}
),

traffic_daily as (
    select * from {{ ref('int_product_traffic_daily') }}
),

refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed or platform_intervened
),

params as (
    {{ seed_params('product_tier_params', [
        ('window_days', 'window_days', 'integer'),
    ]) }}
),

{#- a refund version counts for the as_of_dates it is in force (in_force_from … in_force_to)
    within its order's window:
    [max(in_force_from, paid + 1), min(in_force_to, paid + window_days)] -#}
refund_versions as (
    select
        r.*,
        case when r.in_force_from > {{ add_days('r.order_paid_date', 1) }} then r.in_force_from
             else {{ add_days('r.order_paid_date', 1) }} end as version_from_date,
        case when r.in_force_to is null
               or r.in_force_to > {{ add_days('r.order_paid_date', 'p.window_days') }}
             then {{ add_days('r.order_paid_date', 'p.window_days') }}
             else r.in_force_to end as version_to_date
    from refunds as r
    cross join params as p
),

{#- an order counts once per flag while any of its versions with the flag is in force: the versions'
    intervals merged into islands per order and flag -#}
refund_flag_intervals as (
    select
        product_id, order_id, 'quality' as flag,
        version_from_date as from_date, version_to_date as to_date
    from refund_versions
    where is_completed and is_quality_reason and version_from_date <= version_to_date
    union all
    select product_id, order_id, 'dispute', version_from_date, version_to_date
    from refund_versions
    where platform_intervened and version_from_date <= version_to_date
),

refund_order_flags as (
    {{ merged_intervals('refund_flag_intervals', ['product_id', 'order_id', 'flag']) }}
),

{#- every windowed figure is an interval sum (macro interval_sums): a daily row of day d counts for
    the as_of_dates d + 1 … d + window_days; a refund version also only while it is in force -#}
final as (
    select
        o.product_id,
        {{ add_days('o.paid_date', 1) }} as from_date,
        {{ add_days('o.paid_date', 'p.window_days') }} as to_date,
        {{ contribution_columns(product_measures, {
            'paid_orders': 'o.paid_orders', 'gmv': 'o.gmv',
            'in_stock_orders': 'o.in_stock_orders'}) }}
    from orders_daily as o
    cross join params as p
    union all
    -- shipped by the end of D-1: counts from the day after it shipped
    select
        o.product_id,
        {{ add_days('case when o.shipped_date > o.paid_date then o.shipped_date'
                    ~ ' else o.paid_date end', 1) }},
        {{ add_days('o.paid_date', 'p.window_days') }},
        {{ contribution_columns(product_measures, {
            'shipped_orders': 'o.shipped_orders', 'ship_hours_sum': 'o.ship_hours_sum',
            'ship_hours_count': 'case when o.ship_hours_sum is not null then 1 else 0 end'}) }}
    from orders_daily as o
    cross join params as p
    where o.shipped_date is not null
    union all
    select
        r.product_id,
        r.version_from_date,
        r.version_to_date,
        {{ contribution_columns(product_measures, {
            'completed_refund_amount': 'r.refund_amount',
            'merchant_completed_refunds': 'case when r.is_merchant_completed then 1 else 0 end',
            'merchant_complete_hours_sum':
                'case when r.is_merchant_completed then r.complete_hours end',
            'merchant_complete_hours_count':
                'case when r.is_merchant_completed and r.complete_hours is not null'
                ~ ' then 1 else 0 end'}) }}
    from refund_versions as r
    where r.is_completed
    union all
    select
        product_id,
        from_date,
        to_date,
        {{ contribution_columns(product_measures, {
            'quality_refund_orders': "case when flag = 'quality' then 1 else 0 end",
            'dispute_orders': "case when flag = 'dispute' then 1 else 0 end"}) }}
    from refund_order_flags
    union all
    select
        r.product_id,
        {{ add_days('r.created_date', 1) }},
        {{ add_days('r.created_date', 'p.window_days') }},
        {{ contribution_columns(product_measures, {
            'reviews': 'r.reviews', 'negative_product_reviews': 'r.negative_product_reviews'}) }}
    from reviews_daily as r
    cross join params as p
    union all
    select
        tr.product_id,
        {{ add_days('tr.traffic_date', 1) }},
        {{ add_days('tr.traffic_date', 'p.window_days') }},
        {{ contribution_columns(product_measures, {'exposures': 'tr.content_exposures'}) }}
    from traffic_daily as tr
    cross join params as p
)

select * from final
