{{ config(materialized='table') }}
{#-
  商品分层 peers as they were scored (spec 02; issue 13 point 3): for each as_of_date of the build
  and each peer subtree some tiered product chose (int_product_tier_scores), the long rows of
  every member: each ranked non-NULL indicator value (rounded as ranked), its percentile, and the
  member's dimension score and percentile in that subtree. The same macro as the tier scores
  (subtree_peer_scores, members=true) over the same inputs, so the figures are the ones a
  product was compared with; the distance marts hold them fixed.
-#}
{%- set dimensions = ['heat', 'quality', 'service'] -%}

with indicators as {{ not_materialized() }} (
    select * from {{ ref('int_product_tier_indicators') }}
    where {{ in_build_range('as_of_date') }}
),

weights as (
    select * from {{ ref('dimension_weights') }}
),

chosen_groups as (
    select
        as_of_date,
        product_id,
        peer_category_level as peer_level,
        peer_category_id
    from {{ ref('int_product_tier_scores') }}
    where {{ in_build_range('as_of_date') }}
      and peer_category_id is not null
),

members as (
    {{ subtree_peer_scores('indicators', 'chosen_groups', product_tier_ranked_indicators(),
                           'weights', dimensions, members=true) | indent(4) }}
),

final as (
    select
        as_of_date,
        cast(peer_level as integer) as peer_level,
        peer_category_id,
        product_id,
        dimension,
        indicator,
        weight,
        higher_is_better,
        value,
        percentile,
        dimension_score,
        dimension_percentile
    from members
)

select * from final
