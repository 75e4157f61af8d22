-- depends_on: {{ ref('base_landing__reviews') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='created_date') }}
{#- one row per staged review, with its order's shop, product, creator and paid day, and whether it
    is negative (rating <= seed core_params.negative_review_max_rating) -#}

with reviews as (
    select * from {{ ref('stg_landing__reviews') }}
    {% if is_incremental() %}
    where created_date in (select touched_date
        from {{ touched_dates(ref('base_landing__reviews')) }})
    {% endif %}
),

orders as (
    select order_id, shop_id, product_id, creator_id, paid_date
        from {{ ref('stg_landing__orders') }}
),

params as (
    {{ seed_params('core_params', [
        ('negative_review_max_rating', 'negative_review_max_rating'),
    ]) }}
),

final as (
    select
        r.review_id,
        r.order_id,
        o.product_id,
            -- a review belongs to its order's product (spec README), whatever product_id it carries
        o.shop_id,
        o.creator_id,
        o.paid_date as order_paid_date,
        r.rating,
        r.negative_aspect,
        r.rating <= p.negative_review_max_rating as is_negative,
        r.created_at,
        r.created_date
    from reviews as r
    inner join orders as o on o.order_id = r.order_id
    cross join params as p
)

select * from final
