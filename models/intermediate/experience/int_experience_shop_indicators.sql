{{ config(materialized='table') }}
{#-
  店铺体验分 indicators in long form (spec 03): one row per as_of_date × active
  shop × indicator with value, numerator and denominator, for every as_of_date
  of the build (vars from_date/to_date) set-based: interval sums (macro
  interval_sums) of the daily pre-aggregates over W30 = D-30 … D-1 and
  W90 = D-90 … D-1 (seed experience_params), never a join of the date spine
  to the days of its window. Shops and refunds are the versions in force for D.
  The stage gate: fewer than min_orders_scored paid orders in W30 = 成长期
  (is_scored false), otherwise 正式期.
-#}

{#- the windowed figures per shop: one contribution column each (macro contribution_columns) -#}
{%- set shop_measures = {
    'paid_orders': 'bigint', 'pickup_due_orders': 'bigint', 'collected_on_time_orders': 'bigint',
    'delivered_orders': 'bigint', 'delivery_hours_sum': 'decimal(38, 18)', 'quality_refund_orders': 'bigint',
    'effective_sales_days': 'bigint', 'refund_only_completed': 'bigint', 'refund_only_hours_sum': 'decimal(38, 18)',
    'return_refund_completed': 'bigint', 'return_refund_hours_sum': 'decimal(38, 18)', 'reviews': 'bigint',
    'negative_product_reviews': 'bigint', 'negative_logistics_reviews': 'bigint', 'im_sessions': 'bigint',
    'im_replied_3min_sessions': 'bigint', 'im_rated_sessions': 'bigint', 'im_unsatisfied_sessions': 'bigint',
    'live_active_days': 'bigint'} -%}

with spine as (
    -- this build's as_of_dates and the 快质造 check Mondays not yet held (spec 09 §4.1)
    select as_of_date from {{ as_of_dates_with_checks() }} as s
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

orders_daily as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_experience_shop_orders_daily') }}
),

reviews_daily as (
    select * from {{ ref('int_experience_shop_reviews_daily') }}
),

im_daily as (
    select * from {{ ref('int_shop_im_daily') }}
),

live_daily as (
    select * from {{ ref('int_live_daily') }}
    where host_type = 'shop'
),

completed_refunds as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed
),

params as (
    {{ seed_params('experience_params', [
        ('window_days', 'window_days', 'integer'),
        ('stability_window_days', 'stability_window_days', 'integer'),
        ('min_orders_scored', 'min_orders_scored'),
    ]) }}
),

core_params as (
    {{ seed_params('core_params', [
        ('live_active_min_minutes', 'live_active_min_minutes'),
    ]) }}
),

windows as (
    select
        s.as_of_date,
        {{ add_days('s.as_of_date', '-p.window_days') }} as window_start,
        {{ add_days('s.as_of_date', '-p.stability_window_days') }} as stability_window_start
    from spine as s
    cross join params as p
),

scored_shops as (
    select
        w.as_of_date,
        w.window_start,
        w.stability_window_start,
        sh.shop_id,
        sh.main_category_id
    from windows as w
    inner join shops as sh on {{ version_in_force('sh', 'w.as_of_date') }}
    where sh.status = 'active'
),

{#- every windowed figure is an interval sum (macro interval_sums): a daily row of day d counts for the
    as_of_dates d + 1 … d + window_days (W30) or d + stability_window_days (W90); a refund version
    also only while it is in force (in_force_from … in_force_to) -#}
refund_versions as (
    select
        r.*,
        case when r.in_force_from > {{ add_days('r.order_paid_date', 1) }} then r.in_force_from
             else {{ add_days('r.order_paid_date', 1) }} end as version_from_date,
        r.in_force_to as version_to_date
    from completed_refunds as r
),

{#- the as_of_dates an order counts as refunded (any completed refund in force, its paid day in W90)
    or quality-refunded (a completed quality refund in force, its paid day in W30): the versions'
    intervals merged into islands per order and flag -#}
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

refund_order_flags as (
    {{ merged_intervals('refund_flag_intervals', ['shop_id', 'order_id', 'order_paid_date', 'flag']) }}
),

{#- 有效动销天数: a paid day d of W90 stops counting while its refunded orders (in force for D) reach
    its paid orders. Per shop and paid day: the refunded-order count between consecutive change days,
    and the spans where it is >= the day's paid orders -#}
paid_days as (
    select shop_id, paid_date, sum(paid_orders) as paid_orders
    from orders_daily
    group by shop_id, paid_date
),

refunded_count_changes as (
    select shop_id, order_paid_date as paid_date, change_date, sum(delta) as delta
    from (
        select shop_id, order_paid_date, from_date as change_date, 1 as delta
        from refund_order_flags where flag = 'refunded'
        union all
        select shop_id, order_paid_date, {{ add_days('to_date', 1) }}, -1
        from refund_order_flags where flag = 'refunded'
    ) as changes
    group by shop_id, order_paid_date, change_date
),

refunded_count_spans as (
    select
        shop_id,
        paid_date,
        change_date as from_date,
        {{ add_days('lead(change_date) over (partition by shop_id, paid_date order by change_date)', -1) }}
            as to_date,
        sum(delta) over (partition by shop_id, paid_date order by change_date
                         rows between unbounded preceding and current row) as refunded_orders
    from refunded_count_changes
),

shop_contributions as (
    select
        o.shop_id,
        {{ add_days('o.paid_date', 1) }} as from_date,
        {{ add_days('o.paid_date', 'p.window_days') }} as to_date,
        {{ contribution_columns(shop_measures, {'paid_orders': 'o.paid_orders'}) }}
    from orders_daily as o
    cross join params as p
    union all
    -- pickup due by the end of D-1 (deadline_date < D): counts from the day after the deadline
    select
        o.shop_id,
        {{ add_days('case when o.deadline_date > o.paid_date then o.deadline_date else o.paid_date end', 1) }},
        {{ add_days('o.paid_date', 'p.window_days') }},
        {{ contribution_columns(shop_measures, {
            'pickup_due_orders': 'o.paid_orders', 'collected_on_time_orders': 'o.collected_on_time_orders'}) }}
    from orders_daily as o
    cross join params as p
    union all
    select
        o.shop_id,
        {{ add_days('o.delivered_date', 1) }},
        {{ add_days('o.delivered_date', 'p.window_days') }},
        {{ contribution_columns(shop_measures, {
            'delivered_orders': 'o.delivered_collected_orders', 'delivery_hours_sum': 'o.delivery_hours_sum'}) }}
    from orders_daily as o
    cross join params as p
    where o.delivered_date is not null
    union all
    select shop_id, from_date, to_date, {{ contribution_columns(shop_measures, {'quality_refund_orders': '1'}) }}
    from refund_order_flags
    where flag = 'quality'
    union all
    -- a paid day of W90 is an effective sales day, except while its refunded orders reach its paid orders
    select
        d.shop_id,
        {{ add_days('d.paid_date', 1) }},
        {{ add_days('d.paid_date', 'p.stability_window_days') }},
        {{ contribution_columns(shop_measures, {'effective_sales_days': '1'}) }}
    from paid_days as d
    cross join params as p
    where d.paid_orders >= 1
    union all
    select s.shop_id, s.from_date, s.to_date, {{ contribution_columns(shop_measures, {'effective_sales_days': '-1'}) }}
    from refunded_count_spans as s
    inner join paid_days as d on d.shop_id = s.shop_id and d.paid_date = s.paid_date
    where d.paid_orders >= 1
      and d.paid_orders - s.refunded_orders < 1
    union all
    -- merchant-completed refunds, completed in W30 (completed_at on D-30 … D-1) and in force
    select
        r.shop_id,
        case when r.in_force_from > {{ add_days('r.completed_at', 1) }} then r.in_force_from
             else {{ add_days('r.completed_at', 1) }} end,
        case when r.in_force_to is null or r.in_force_to > {{ add_days('r.completed_at', 'p.window_days') }}
             then {{ add_days('r.completed_at', 'p.window_days') }} else r.in_force_to end,
        {{ contribution_columns(shop_measures, {
            'refund_only_completed': "case when r.refund_type = 'refund_only' then 1 else 0 end",
            'refund_only_hours_sum': "case when r.refund_type = 'refund_only' then r.complete_hours end",
            'return_refund_completed': "case when r.refund_type = 'return_refund' then 1 else 0 end",
            'return_refund_hours_sum': "case when r.refund_type = 'return_refund' then r.complete_hours end"}) }}
    from completed_refunds as r
    cross join params as p
    where r.is_merchant_completed
      and r.completed_at is not null
    union all
    select
        r.shop_id,
        {{ add_days('r.created_date', 1) }},
        {{ add_days('r.created_date', 'p.window_days') }},
        {{ contribution_columns(shop_measures, {
            'reviews': 'r.reviews', 'negative_product_reviews': 'r.negative_product_reviews',
            'negative_logistics_reviews': 'r.negative_logistics_reviews'}) }}
    from reviews_daily as r
    cross join params as p
    union all
    select
        i.shop_id,
        {{ add_days('i.im_date', 1) }},
        {{ add_days('i.im_date', 'p.window_days') }},
        {{ contribution_columns(shop_measures, {
            'im_sessions': 'i.sessions', 'im_replied_3min_sessions': 'i.replied_3min_sessions',
            'im_rated_sessions': 'i.rated_sessions', 'im_unsatisfied_sessions': 'i.unsatisfied_sessions'}) }}
    from im_daily as i
    cross join params as p
    union all
    select
        l.shop_id,
        {{ add_days('l.live_date', 1) }},
        {{ add_days('l.live_date', 'p.stability_window_days') }},
        {{ contribution_columns(shop_measures, {
            'live_active_days': 'case when ' ~ is_live_day('l.live_hours', 'cp.live_active_min_minutes')
                ~ ' then 1 else 0 end'}) }}
    from live_daily as l
    cross join params as p
    cross join core_params as cp
),

shop_probes as (
    select as_of_date, shop_id from scored_shops
),

shop_sums as (
    {{ interval_sums('shop_probes', 'shop_contributions', ['shop_id'], shop_measures.keys() | list,
                    first_day=as_of_dates_with_checks_first_day()) }}
),

counts as (
    select
        t.as_of_date,
        t.shop_id,
        t.main_category_id,
        cast(coalesce(s.paid_orders, 0) as bigint) as paid_orders_30d,
        coalesce(s.quality_refund_orders, 0) as quality_refund_orders,
        coalesce(s.reviews, 0) as reviews,
        coalesce(s.negative_product_reviews, 0) as negative_product_reviews,
        coalesce(s.negative_logistics_reviews, 0) as negative_logistics_reviews,
        coalesce(s.pickup_due_orders, 0) as pickup_due_orders,
        coalesce(s.collected_on_time_orders, 0) as collected_on_time_orders,
        coalesce(s.delivered_orders, 0) as delivered_orders,
        coalesce(cast(s.delivery_hours_sum as double), 0) as delivery_hours_sum,
        coalesce(s.refund_only_completed, 0) as refund_only_completed,
        coalesce(cast(s.refund_only_hours_sum as double), 0) as refund_only_hours_sum,
        coalesce(s.return_refund_completed, 0) as return_refund_completed,
        coalesce(cast(s.return_refund_hours_sum as double), 0) as return_refund_hours_sum,
        coalesce(s.im_sessions, 0) as im_sessions,
        coalesce(s.im_replied_3min_sessions, 0) as im_replied_3min_sessions,
        coalesce(s.im_rated_sessions, 0) as im_rated_sessions,
        coalesce(s.im_unsatisfied_sessions, 0) as im_unsatisfied_sessions,
        coalesce(s.live_active_days, 0) as live_active_days,
        coalesce(s.effective_sales_days, 0) as effective_sales_days,
        coalesce(s.paid_orders, 0) >= p.min_orders_scored as is_scored
    from scored_shops as t
    cross join params as p
    left join shop_sums as s on s.as_of_date = t.as_of_date and s.shop_id = t.shop_id
),

{#- each indicator of shop_experience_indicators(): value = numerator / denominator, or the numerator itself
    where the denominator is none (a count indicator) -#}
{%- set indicators = shop_experience_indicators() %}

final as (
    {%- for ind in indicators %}
    {%- set name, num, den = ind.indicator, ind.numerator, ind.denominator %}
    select
        as_of_date,
        shop_id,
        main_category_id,
        paid_orders_30d,
        is_scored,
        {{ kscore.sql_string(name) }} as indicator,
        {%- if den %}
        round({{ safe_divide(num, den) }}, 6) as value,
        round(cast({{ num }} as double), 6) as numerator,
        cast({{ den }} as double) as denominator
        {%- else %}
        cast({{ num }} as double) as value,
        cast({{ num }} as double) as numerator,
        cast(null as double) as denominator
        {%- endif %}
    from counts
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
