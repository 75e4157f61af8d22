{{ config(materialized='table') }}
{#-
  带货口碑分 indicators in long form (spec 04): one row per as_of_date × creator
  × indicator with value, numerator and denominator, for every as_of_date of
  the build set-based over W30 = D-30 … D-1 (seed reputation_params).
  Who: creators with a distribution order paid in W30 or a content row (as
  author) in W30. "The creator's orders" are the orders with this creator_id
  paid in W30; their reviews count when created before D; refunds are the
  version in force for D; creator_level is the creator's version in force.
  Fewer than min_orders_scored distribution orders = 成长期 (is_scored false).
-#}

{#- the windowed figures per creator: one contribution column each (macro contribution_columns) -#}
{%- set creator_measures = {
    'order_rows': 'bigint', 'distribution_orders': 'bigint', 'ship_due_orders': 'bigint',
    'shipped_on_time_orders': 'bigint', 'content_rows': 'bigint', 'views': 'bigint',
        'interactions': 'bigint',
    'negative_feedbacks': 'bigint', 'false_claim_reports': 'bigint', 'reviews': 'bigint',
    'negative_product_reviews': 'bigint', 'negative_service_reviews': 'bigint',
        'quality_refund_orders': 'bigint',
    'dispute_orders': 'bigint'} -%}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

creators as (
    select * from {{ ref('stg_landing__creators') }}
),

orders_daily as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_reputation_creator_orders_daily') }}
),

reviews_daily as (
    select * from {{ ref('int_reputation_creator_reviews_daily') }}
),

content_daily as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_reputation_creator_content_daily') }}
),

creator_refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where creator_id is not null
      and ((is_completed and is_quality_reason) or platform_intervened)
),

params as (
    {{ seed_params('reputation_params', [
        ('window_days', 'window_days', 'integer'),
        ('min_orders_scored', 'min_orders_scored'),
    ]) }}
),

{#- every windowed figure is an interval sum (macro interval_sums): a daily row of day d counts for
    the as_of_dates d + 1 … d + window_days; a refund version also only while it is in force -#}
refund_versions as (
    select
        r.*,
        case when r.in_force_from > {{ add_days('r.order_paid_date', 1) }} then r.in_force_from
             else {{ add_days('r.order_paid_date', 1) }} end as from_date,
        case when r.in_force_to is null
            or r.in_force_to > {{ add_days('r.order_paid_date', 'p.window_days') }}
             then {{ add_days('r.order_paid_date', 'p.window_days') }}
                 else r.in_force_to end as to_date
    from creator_refunds as r
    cross join params as p
),

{#- an order counts once per flag while any of its versions with the flag is in force: the versions'
    intervals merged into islands per order and flag -#}
refund_flag_intervals as (
    select creator_id, order_id, 'quality' as flag, from_date, to_date
    from refund_versions
    where is_completed and is_quality_reason and from_date <= to_date
    union all
    select creator_id, order_id, 'dispute', from_date, to_date
    from refund_versions
    where platform_intervened and from_date <= to_date
),

refund_order_flags as (
    {{ merged_intervals('refund_flag_intervals', ['creator_id', 'order_id', 'flag']) }}
),

creator_contributions as (
    select
        o.creator_id,
        {{ add_days('o.paid_date', 1) }} as from_date,
        {{ add_days('o.paid_date', 'p.window_days') }} as to_date,
        {{ contribution_columns(creator_measures, {'order_rows': '1',
            'distribution_orders': 'o.distribution_orders'}) }}
    from orders_daily as o
    cross join params as p
    union all
    -- ship due by the end of D-1 (deadline_date < D): counts from the day after the deadline
    select
        o.creator_id,
        {{ add_days('case when o.deadline_date > o.paid_date then o.deadline_date '
                    ~ 'else o.paid_date end', 1) }},
        {{ add_days('o.paid_date', 'p.window_days') }},
        {{ contribution_columns(creator_measures, {
            'ship_due_orders': 'o.distribution_orders',
                'shipped_on_time_orders': 'o.shipped_on_time_orders'}) }}
    from orders_daily as o
    cross join params as p
    union all
    select
        c.creator_id,
        {{ add_days('c.stat_date', 1) }},
        {{ add_days('c.stat_date', 'p.window_days') }},
        {{ contribution_columns(creator_measures, {
            'content_rows': '1', 'views': 'c.views', 'interactions': 'c.interactions',
            'negative_feedbacks': 'c.negative_feedbacks',
                'false_claim_reports': 'c.false_claim_reports'}) }}
    from content_daily as c
    cross join params as p
    union all
    -- reviews of the orders paid in W30, once created by the end of D-1
    select
        r.creator_id,
        {{ add_days('case when r.created_date > r.order_paid_date then r.created_date '
                    ~ 'else r.order_paid_date end', 1) }},
        {{ add_days('r.order_paid_date', 'p.window_days') }},
        {{ contribution_columns(creator_measures, {
            'reviews': 'r.reviews', 'negative_product_reviews': 'r.negative_product_reviews',
            'negative_service_reviews': 'r.negative_service_reviews'}) }}
    from reviews_daily as r
    cross join params as p
    union all
    select
        creator_id,
        from_date,
        to_date,
        {{ contribution_columns(creator_measures, {
            'quality_refund_orders': "case when flag = 'quality' then 1 else 0 end",
            'dispute_orders': "case when flag = 'dispute' then 1 else 0 end"}) }}
    from refund_order_flags
),

{#- every creator of the pre-aggregates on every as_of_date; kept below when it has an order or
    content row in W30 -#}
creator_probes as (
    select s.as_of_date, c.creator_id
    from spine as s
    cross join (
        select creator_id from orders_daily
        union
        select creator_id from content_daily
    ) as c
),

{#- many contributions per creator and day (paid days × deadline days, refund flags): netted
    first, the measures are integers -#}
creator_sums as (
    {{ interval_sums('creator_probes', 'creator_contributions', ['creator_id'],
        creator_measures.keys() | list, net_events=true) }}
),

scored_creators as (
    select * from creator_sums
    where order_rows > 0 or content_rows > 0
),

counts as (
    select
        s.as_of_date,
        s.creator_id,
        c.creator_level,
        cast(coalesce(s.distribution_orders, 0) as bigint) as distribution_orders_30d,
        coalesce(s.views, 0) as views,
        coalesce(s.interactions, 0) as interactions,
        coalesce(s.negative_feedbacks, 0) as negative_feedbacks,
        coalesce(s.false_claim_reports, 0) as false_claim_reports,
        coalesce(s.quality_refund_orders, 0) as quality_refund_orders,
        coalesce(s.dispute_orders, 0) as dispute_orders,
        coalesce(s.reviews, 0) as reviews,
        coalesce(s.negative_product_reviews, 0) as negative_product_reviews,
        coalesce(s.negative_service_reviews, 0) as negative_service_reviews,
        coalesce(s.ship_due_orders, 0) as ship_due_orders,
        coalesce(s.shipped_on_time_orders, 0) as shipped_on_time_orders,
        coalesce(s.distribution_orders, 0) >= p.min_orders_scored as is_scored
    from scored_creators as s
    cross join params as p
    left join creators as c
        on c.creator_id = s.creator_id
       and {{ version_in_force('c', 's.as_of_date') }}
),

{%- set indicators = creator_reputation_indicators() %}

final as (
    {%- for ind in indicators %}
    {%- set name, num, den = ind.indicator, ind.numerator, ind.denominator %}
    select
        as_of_date,
        creator_id,
        creator_level,
        distribution_orders_30d,
        is_scored,
        {{ kscore.sql_string(name) }} as indicator,
        {{ round_half_up(safe_divide(num, den), 6) }} as value,
        cast({{ num }} as double) as numerator,
        cast({{ den }} as double) as denominator
    from counts
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
