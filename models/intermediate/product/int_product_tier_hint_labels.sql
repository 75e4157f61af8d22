{{ config(materialized='view') }}
{#-
  商品分层 upgrade hint labels (spec 02): for each dimension and target tier of seed
  tier_caps, the lowest level of the dimension whose cap reaches the tier, as the hint
  entry '<dimension_cn>:<level>' product_tier_daily names for a product one tier below.
-#}

with caps as (
    select * from {{ ref('tier_caps') }}
),

targets as (
    select distinct tier_cap as target_rank from caps
),

{#- for each dimension and target tier: the lowest level whose cap reaches it -#}
hint_levels as (
    select
        c.dimension,
        c.dimension_cn,
        t.target_rank,
        min(c.level_rank) as level_rank
    from targets as t
    inner join caps as c on c.tier_cap >= t.target_rank
    group by c.dimension, c.dimension_cn, t.target_rank
),

final as (
    select
        h.dimension,
        h.target_rank,
        h.dimension_cn || ':' || c.level as hint
    from hint_levels as h
    inner join caps as c on c.dimension = h.dimension and c.level_rank = h.level_rank
)

select * from final
