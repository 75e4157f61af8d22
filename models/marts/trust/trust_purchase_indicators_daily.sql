{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  信任购 data thresholds per indicator (spec 09 §5): one row per (as_of_date D, product of
  product_tier_daily for D, row of seed trust_purchase_thresholds). The seed drives the rows: its
  `indicator` is the column of that name in its `source` mart as of D, read from the product's own
  row (product_tier_daily, product_score_dimensions_daily: scope product) or its shop's row
  (shop_experience_score_daily: scope shop). The CASE mapping (source, indicator) to a column is
  generated from the column lists below, so a seed row naming any listed column needs no SQL change;
  an unknown source or column stops the build with the source's name (never a silent NULL).
  value (and threshold) are rounded half-up to 6 decimals before the inclusive comparison; a NULL
  value is not met.
-#}
{#- the source marts a seed row may name, each with its key and the numeric columns an indicator may
    read: the score indicators follow the indicator lists of 02 and 03 (one list, so a new score
    indicator is a trust indicator too), plus the marts' other numeric figures -#}
{%- set sources = [
    {'name': 'product_tier_daily', 'key': 'product_id',
     'columns': ['paid_orders', 'exposures', 'info_score', 'heat_score', 'quality_score',
                 'service_score', 'info_rank', 'heat_rank', 'quality_rank', 'service_rank',
                 'tier_rank'] + product_tier_indicators() | map(attribute='indicator') | list},
    {'name': 'product_score_dimensions_daily', 'key': 'product_id',
     'columns': ['brand_rank', 'list_price', 'price_orders_7d', 'avg_unit_price_7d',
                 'avg_unit_price_prior', 'min_daily_unit_price_prior', 'price_vs_list',
                 'price_vs_history', 'price_score', 'price_rank', 'live_orders', 'live_gmv',
                 'live_views', 'live_gpm', 'video_orders', 'video_gmv', 'video_views', 'video_gpm',
                 'gpm_score', 'gpm_rank', 'reviews', 'good_reviews', 'good_review_rate',
                 'good_review_score', 'good_review_rank']},
    {'name': 'shop_experience_score_daily', 'key': 'shop_id',
     'columns': ['paid_orders_30d', 'experience_score_100', 'experience_score', 'peer_percentile']
                + shop_experience_indicators() | map(attribute='indicator') | list},
] -%}

with products as (
    select as_of_date, product_id, shop_id
    from {{ ref('product_tier_daily') }}
    where {{ in_build_range('as_of_date') }}
),

thresholds as (
    select * from {{ ref('trust_purchase_thresholds') }}
),
{% for s in sources %}
{{ s.name }}_rows as (
    select * from {{ ref(s.name) }}
    where {{ in_build_range('as_of_date') }}
),
{% endfor %}
source_values as (
    select
        p.as_of_date,
        p.product_id,
        p.shop_id,
        t.indicator,
        t.indicator_cn,
        t.scope,
        t.sort_order,
        t.comparison,
        {{ round_half_up('t.threshold', 6) }} as threshold,
        case t.source
            {%- for s in sources %}
            when {{ kscore.sql_string(s.name) }} then case t.indicator
                {%- for c in s.columns | unique %}
                when {{ kscore.sql_string(c) }} then cast({{ s.name }}_rows.{{ c }} as double)
                {%- endfor %}
                else {{ kscore.raise_error('trust_purchase_thresholds: indicator is no column of '
                                           ~ s.name) }}
                end
            {%- endfor %}
            else {{ kscore.raise_error('trust_purchase_thresholds: unknown source') }}
        end as source_value
    from products as p
    cross join thresholds as t
    {%- for s in sources %}
    left join {{ s.name }}_rows
        on t.source = {{ kscore.sql_string(s.name) }}
        and {{ s.name }}_rows.as_of_date = p.as_of_date
        and {{ s.name }}_rows.{{ s.key }} = p.{{ s.key }}
    {%- endfor %}
),

rounded as (
    select
        *,
        {{ round_half_up('source_value', 6) }} as value
    from source_values
),

compared as (
    select
        *,
        case when value is null then false
             when comparison = '>=' then value >= threshold
             when comparison = '<=' then value <= threshold
             else {{ kscore.raise_error('trust_purchase_thresholds: comparison not >= or <=') }}
        end as is_met
    from rounded
),

final as (
    select
        as_of_date,
        product_id,
        shop_id,
        indicator,
        indicator_cn,
        scope,
        cast(sort_order as integer) as sort_order,
        value,
        comparison,
        threshold,
        is_met,
        case when value is null then null
             when is_met then 0.0
             when comparison = '>=' then {{ round_half_up('threshold - value', 6) }}
             else {{ round_half_up('value - threshold', 6) }}
        end as gap
    from compared
)

select * from final
