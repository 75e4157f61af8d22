-- depends_on: {{ ref('base_landing__reviews') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='created_date') }}
{#-
  Reviews per product × created day (综合好评率, spec 09 §3): the reviews of the
  product's orders (a review belongs to its order's product) and the good ones,
  rated >= product_extra_params.good_review_min_rating.
-#}

with reviews as (
    select * from {{ ref('int_reviews_enriched') }}
    {% if is_incremental() %}
    where created_date in (select touched_date
        from {{ touched_dates(ref('base_landing__reviews')) }})
    {% endif %}
),

params as (
    {{ seed_params('product_extra_params', [
        ('good_review_min_rating', 'good_review_min_rating', 'integer'),
    ]) }}
),

final as (
    select
        r.product_id,
        r.created_date,
        count(*) as reviews,
        sum(case when r.rating >= p.good_review_min_rating then 1 else 0 end) as good_reviews
    from reviews as r
    cross join params as p
    group by r.product_id, r.created_date
)

select * from final
