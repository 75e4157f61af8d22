-- depends_on: {{ ref('base_landing__reviews') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='created_date') }}
{#- Reviews per product and created day (spec 02 品质相关差评率): all reviews, and negative (rating <= 2)
    reviews whose complaint is the product -#}

with reviews as (
    select * from {{ ref('int_reviews_enriched') }}
    {% if is_incremental() %}
    where created_date in (select touched_date
        from {{ touched_dates(ref('base_landing__reviews')) }})
    {% endif %}
),

final as (
    select
        product_id,
        created_date,
        count(*) as reviews,
        sum(case when is_negative and negative_aspect = 'product' then 1
            else 0 end) as negative_product_reviews
    from reviews
    group by product_id, created_date
)

select * from final
