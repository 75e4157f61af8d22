{{ config(materialized='table') }}
{#-
  店铺体验分 indicators in long form (spec 03): one row per as_of_date × active
  shop × indicator with value, numerator and denominator, for every as_of_date
  of the build (vars from_date/to_date) set-based: interval sums (macro
  interval_sums) of the shop's window contributions (int_experience_shop_contributions:
  the daily pre-aggregates over W30 = D-30 … D-1 and W90 = D-90 … D-1, seed
  experience_params), never a join of the date spine to the days of its window.
  Shops and refunds are the versions in force for D.
  The stage gate: fewer than min_orders_scored paid orders in W30 = 成长期
  (is_scored false), otherwise 正式期.
-#}

{#- the windowed figures per shop (macro shop_experience_measures) -#}
{%- set shop_measures = shop_experience_measures() -%}

with spine as (
    -- this build's as_of_dates and the 快质造 check Mondays not yet held (spec 09 §4.1)
    select as_of_date from {{ as_of_dates_with_checks() }} as s
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

shop_contributions as (
    select * from {{ ref('int_experience_shop_contributions') }}
),

params as (
    {{ seed_params('experience_params', [
        ('window_days', 'window_days', 'integer'),
        ('stability_window_days', 'stability_window_days', 'integer'),
        ('min_orders_scored', 'min_orders_scored'),
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

shop_probes as (
    select as_of_date, shop_id from scored_shops
),

{#- many contributions per shop and day (paid days × deadline days, refund flags): netted first,
    the measures are integers and DECIMALs -#}
shop_sums as (
    {{ interval_sums('shop_probes', 'shop_contributions', ['shop_id'], shop_measures.keys() | list,
                    first_day=as_of_dates_with_checks_first_day(), net_events=true) }}
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

{#- each indicator of shop_experience_indicators(): value = numerator / denominator, or the
    numerator itself where the denominator is none (a count indicator) -#}
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
        {{ round_half_up(safe_divide(num, den), 6) }} as value,
        {{ round_half_up('cast(' ~ num ~ ' as double)', 6) }} as numerator,
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
