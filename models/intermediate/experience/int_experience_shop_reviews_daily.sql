-- depends_on: {{ ref('base_landing__reviews') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='created_date') }}
{#-
  Reviews per shop and created day (店铺体验分 pre-aggregate, spec 03): all
  reviews, and the negative (rating <= 2) ones whose complaint is the product
  (商品负向反馈) or the logistics (物流负向反馈).
-#}

with reviews as (
    select * from {{ ref('int_reviews_enriched') }}
    {% if is_incremental() %}
    where created_date in (select touched_date
        from {{ touched_dates(ref('base_landing__reviews')) }})
    {% endif %}
),

final as (
    select
        shop_id,
        created_date,
        count(*) as reviews,
        sum(case when is_negative and negative_aspect = 'product' then 1
            else 0 end) as negative_product_reviews,
        sum(case when is_negative and negative_aspect = 'logistics' then 1
            else 0 end) as negative_logistics_reviews
    from reviews
    group by shop_id, created_date
)

select * from final
