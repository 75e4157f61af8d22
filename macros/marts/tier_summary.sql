{#-
  tier_summary(group_key): the body of the two 商品分层 summary marts (spec 02
  summaries), per as_of_date × group_key (shop_id: 店铺在售商品的分层分布;
  category_id: 类目商品分层分布): the tiered (on-sale) products, how many are in
  each of the contract's G0…G4 columns, the 好货 / 好货标签 / 落后商品 counts and
  the share of 好货. The flags themselves come from product_tier_daily (the
  seed product_tier_params decides them there).
-#}
{% macro tier_summary(group_key) -%}
{%- set tiers = range(5) %}
with product_tiers as (
    select * from {{ ref('product_tier_daily') }}
    where {{ in_build_range('as_of_date') }}
),

final as (
    select
        as_of_date,
        {{ group_key }},
        cast(count(*) as bigint) as on_sale_products,
        {%- for t in tiers %}
        cast(sum(case when tier_rank = {{ t }} then 1 else 0 end) as bigint) as g{{ t }}_products,
        {%- endfor %}
        cast(sum(case when is_good_product then 1 else 0 end) as bigint) as good_products,
        cast(sum(case when has_good_badge then 1 else 0 end) as bigint) as good_badge_products,
        cast(sum(case when is_laggard then 1 else 0 end) as bigint) as laggard_products,
        {{ round_half_up(safe_divide('sum(case when is_good_product then 1 else 0 end)', 'count(*)'), 6) }} as good_product_share
    from product_tiers
    group by as_of_date, {{ group_key }}
)

select * from final
{%- endmacro %}
