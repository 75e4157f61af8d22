-- depends_on: {{ ref('base_landing__reviews') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='created_date') }}
{#-
  Reviews of distribution orders per creator × order paid day × created day
  (带货口碑分 pre-aggregate, spec 04): all reviews, the negative (rating <= 2)
  ones about the product (商品差评) and those about the service or logistics
  (服务物流差评). The window selects the orders by paid day and the reviews
  created before D.
-#}

with reviews as (
    select * from {{ ref('int_reviews_enriched') }}
    where creator_id is not null
    {% if is_incremental() %}
      and created_date in (select touched_date
          from {{ touched_dates(ref('base_landing__reviews')) }})
    {% endif %}
),

final as (
    select
        creator_id,
        order_paid_date,
        created_date,
        count(*) as reviews,
        sum(case when is_negative and negative_aspect = 'product' then 1
            else 0 end) as negative_product_reviews,
        sum(case when is_negative and negative_aspect in ('service', 'logistics') then 1 else 0 end)
            as negative_service_reviews
    from reviews
    group by creator_id, order_paid_date, created_date
)

select * from final
