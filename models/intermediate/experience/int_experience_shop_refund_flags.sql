{{ config(materialized='table') }}
{#-
  店铺体验分 refund flags per order (spec 03): the as_of_dates an order counts as refunded
  (any completed refund in force, its paid day in W90) or quality-refunded (a completed
  quality refund in force, its paid day in W30), as disjoint islands [from_date, to_date]
  per shop, order, paid day and flag (macro merged_intervals). A refund version counts
  only while it is in force (in_force_from … in_force_to, int_refunds_enriched).
-#}

with completed_refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed
),

params as (
    {{ seed_params('experience_params', [
        ('window_days', 'window_days', 'integer'),
        ('stability_window_days', 'stability_window_days', 'integer'),
    ]) }}
),

refund_versions as (
    select
        r.*,
        case when r.in_force_from > {{ add_days('r.order_paid_date', 1) }} then r.in_force_from
             else {{ add_days('r.order_paid_date', 1) }} end as version_from_date,
        r.in_force_to as version_to_date
    from completed_refunds as r
),

refund_flag_intervals as (
    select
        r.shop_id,
        r.order_id,
        r.order_paid_date,
        'refunded' as flag,
        r.version_from_date as from_date,
        case when r.version_to_date is null
               or r.version_to_date > {{ add_days('r.order_paid_date', 'p.stability_window_days') }}
             then {{ add_days('r.order_paid_date', 'p.stability_window_days') }}
             else r.version_to_date end as to_date
    from refund_versions as r
    cross join params as p
    union all
    select
        r.shop_id,
        r.order_id,
        r.order_paid_date,
        'quality',
        r.version_from_date,
        case when r.version_to_date is null
               or r.version_to_date > {{ add_days('r.order_paid_date', 'p.window_days') }}
             then {{ add_days('r.order_paid_date', 'p.window_days') }}
             else r.version_to_date end
    from refund_versions as r
    cross join params as p
    where r.is_quality_reason
),

final as (
    {{ merged_intervals('refund_flag_intervals',
                        ['shop_id', 'order_id', 'order_paid_date', 'flag']) }}
)

select * from final
