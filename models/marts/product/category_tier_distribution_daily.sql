{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}
{#- 类目商品分层分布 (spec 02 summaries): per as_of_date × leaf category, the tiered (on-sale) products, how many are in each of G0…G4, and the share of 好货 -#}
{%- set tiers = [0, 1, 2, 3, 4] -%}

with product_tiers as (
    select * from {{ ref('product_tier_daily') }}
    where {{ in_build_range('as_of_date') }}
),

final as (
    select
        as_of_date,
        category_id,
        cast(count(*) as bigint) as on_sale_products,
        {%- for t in tiers %}
        cast(sum(case when tier_rank = {{ t }} then 1 else 0 end) as bigint) as g{{ t }}_products,
        {%- endfor %}
        cast(sum(case when is_good_product then 1 else 0 end) as bigint) as good_products,
        cast(sum(case when has_good_badge then 1 else 0 end) as bigint) as good_badge_products,
        cast(sum(case when is_laggard then 1 else 0 end) as bigint) as laggard_products,
        round({{ safe_divide('sum(case when is_good_product then 1 else 0 end)', 'count(*)') }}, 6) as good_product_share
    from product_tiers
    group by as_of_date, category_id
)

select * from final
