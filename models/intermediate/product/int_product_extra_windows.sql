{{ config(materialized='table') }}
{#-
  Windowed figures of the 商品分 extra dimensions (spec 09 §3) per as_of_date ×
  product of 02's population (int_product_tier_indicators: the rows of
  product_tier_daily), every as_of_date of the build set-based: interval sums
  (macro interval_sums) of the daily pre-aggregates.
    R = D-recent_price_days … D-1: a price day d counts on [d+1, d+recent]
    H = D-price_history_days … D-recent-1: on [d+recent+1, d+history]
    W30 = D-window_days … D-1 (02's W): reviews created on d count on
    [d+1, d+W]; GPM contributions come as intervals (int_product_gpm_intervals).
  min_daily_unit_price_prior is a minimum, not a sum: the population's priced
  days inside H (at most history - recent of them per product and D) are read
  from the daily pre-aggregate and reduced with min().
-#}
{%- set measures = {
    'live_orders': 'bigint', 'live_gmv': 'decimal(18, 2)', 'live_views': 'bigint',
    'video_orders': 'bigint', 'video_gmv': 'decimal(18, 2)', 'video_views': 'bigint',
    'price_orders_7d': 'bigint', 'price_gmv_7d': 'decimal(18, 2)', 'price_quantity_7d': 'bigint',
    'price_gmv_prior': 'decimal(18, 2)', 'price_quantity_prior': 'bigint',
    'reviews': 'bigint', 'good_reviews': 'bigint'} -%}

with population as (
    select as_of_date, product_id from {{ ref('int_product_tier_indicators') }}
),

price_daily as (
    select * from {{ ref('int_product_price_daily') }}
),

gpm_intervals as (
    select * from {{ ref('int_product_gpm_intervals') }}
),

good_reviews_daily as (
    select * from {{ ref('int_product_good_reviews_daily') }}
),

params as (
    {{ seed_params('product_extra_params', [
        ('recent_price_days', 'recent_price_days', 'integer'),
        ('price_history_days', 'price_history_days', 'integer'),
    ]) }}
),

tier_params as (
    {{ seed_params('product_tier_params', [
        ('window_days', 'window_days', 'integer'),
    ]) }}
),

contributions as (
    select
        product_id,
        from_date,
        to_date,
        {{ contribution_columns(measures, {
            'live_orders': 'live_orders', 'live_gmv': 'live_gmv', 'live_views': 'live_views',
            'video_orders': 'video_orders', 'video_gmv': 'video_gmv',
            'video_views': 'video_views'}) }}
    from gpm_intervals
    union all
    select
        d.product_id,
        {{ add_days('d.paid_date', 1) }},
        {{ add_days('d.paid_date', 'p.recent_price_days') }},
        {{ contribution_columns(measures, {
            'price_orders_7d': 'd.priced_orders', 'price_gmv_7d': 'd.priced_gmv',
            'price_quantity_7d': 'd.priced_quantity'}) }}
    from price_daily as d
    cross join params as p
    union all
    select
        d.product_id,
        {{ add_days('d.paid_date', 'p.recent_price_days + 1') }},
        {{ add_days('d.paid_date', 'p.price_history_days') }},
        {{ contribution_columns(measures, {
            'price_gmv_prior': 'd.priced_gmv', 'price_quantity_prior': 'd.priced_quantity'}) }}
    from price_daily as d
    cross join params as p
    union all
    select
        r.product_id,
        {{ add_days('r.created_date', 1) }},
        {{ add_days('r.created_date', 't.window_days') }},
        {{ contribution_columns(measures, {
            'reviews': 'r.reviews', 'good_reviews': 'r.good_reviews'}) }}
    from good_reviews_daily as r
    cross join tier_params as t
),

sums as (
    {{ interval_sums('population', 'contributions', ['product_id'], measures.keys() | list) }}
),

prior_min_prices as (
    select
        pop.as_of_date,
        pop.product_id,
        min(cast({{ round_half_up('d.priced_gmv / d.priced_quantity', 2) }} as decimal(18, 2)))
            as min_daily_unit_price_prior
    from population as pop
    cross join params as p
    inner join price_daily as d
        on d.product_id = pop.product_id
       and d.paid_date >= {{ add_days('pop.as_of_date', '-p.price_history_days') }}
       and d.paid_date <= {{ add_days('pop.as_of_date', '-p.recent_price_days - 1') }}
       and d.priced_quantity > 0
    group by pop.as_of_date, pop.product_id
),

final as (
    select
        s.as_of_date,
        s.product_id,
        {%- for m, t in measures.items() %}
        cast(coalesce(s.{{ m }}, 0) as {{ t }}) as {{ m }},
        {%- endfor %}
        m.min_daily_unit_price_prior
    from sums as s
    left join prior_min_prices as m on m.as_of_date = s.as_of_date and m.product_id = s.product_id
)

select * from final
