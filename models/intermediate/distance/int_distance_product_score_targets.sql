{{ config(materialized='table') }}
{#-
  商品分层 dimension score needed for the next level, peers fixed (spec 02; issue 13 point 3): one
  row per as_of_date x tiered product x dimension (heat, quality, service). The level is the
  percentile q of the product's score among the scored members of its chosen subtree (itself
  included, int_distance_product_peers): with the N others' scores fixed, q = (k + 1) / (N + 1)
  for k others scored <= it. needed_count = the fewest k whose q, rounded to 6 decimals as the tier
  scores round it, reaches the next level's min_percentile (seed dimension_levels);
  needed_dimension_score = the k-th lowest of the others' scores (a score equal to it counts it).
  distance_reason: top_level (no next level), not_ranked (no score: unranked or every indicator
  NULL), else reachable.
-#}
{%- set dimensions = ['heat', 'quality', 'service'] -%}

with scores as (
    select * from {{ ref('int_product_tier_scores') }}
    where {{ in_build_range('as_of_date') }}
),

peers as (
    select * from {{ ref('int_distance_product_peers') }}
),

levels as (
    select * from {{ ref('dimension_levels') }}
),

member_scores as (
    select distinct
        as_of_date, peer_level, peer_category_id, product_id, dimension, dimension_score
    from peers
    where dimension_score is not null
),

{#- the members' scores in order; position = the place of a score among every scored member -#}
ranked_scores as (
    select
        m.*,
        row_number() over (
            partition by m.as_of_date, m.peer_level, m.peer_category_id, m.dimension
            order by m.dimension_score, m.product_id) as position,
        count(*) over (
            partition by m.as_of_date, m.peer_level, m.peer_category_id, m.dimension)
            as members_scored
    from member_scores as m
),

products as (
    {%- for d in dimensions %}
    select
        as_of_date,
        product_id,
        cast(peer_category_level as integer) as peer_level,
        peer_category_id,
        {{ kscore.sql_string(d) }} as dimension,
        {{ d }}_score as dimension_score,
        cast({{ d }}_rank as integer) as level_rank
    from scores
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

subtree_sizes as (
    select distinct as_of_date, peer_level, peer_category_id, dimension, members_scored
    from ranked_scores
),

targets as (
    select
        p.*,
        own.position as own_position,
        cast(coalesce(sz.members_scored, 0)
             - case when own.position is null then 0 else 1 end as bigint) as others_scored,
        nl.level_rank as target_rank,
        nl.min_percentile as target_percentile
    from products as p
    left join ranked_scores as own
        on own.as_of_date = p.as_of_date
       and own.peer_level = p.peer_level
       and own.peer_category_id = p.peer_category_id
       and own.dimension = p.dimension
       and own.product_id = p.product_id
    left join subtree_sizes as sz
        on sz.as_of_date = p.as_of_date
       and sz.peer_level = p.peer_level
       and sz.peer_category_id = p.peer_category_id
       and sz.dimension = p.dimension
    left join levels as nl on nl.level_rank = p.level_rank + 1
),

{#- the fewest others below: (k + 1) / (N + 1) >= cut - 0.0000005 (the 6-decimal rounding), in
    decimals so that the bound is exact -#}
needed_counts as (
    select
        t.*,
        cast(greatest(ceil((cast(t.target_percentile as decimal(18, 7)) - 0.0000005)
                           * (t.others_scored + 1)) - 1, 1) as bigint) as needed_count
    from targets as t
),

final as (
    select
        n.as_of_date,
        n.product_id,
        n.dimension,
        n.peer_level,
        n.peer_category_id,
        n.dimension_score,
        n.level_rank,
        cast(n.target_rank as integer) as target_rank,
        n.target_percentile,
        n.others_scored,
        case when n.target_rank is not null and n.dimension_score is not null
             then n.needed_count end as needed_count,
        case when n.target_rank is not null and n.dimension_score is not null
             then r.dimension_score end as needed_dimension_score,
        case when n.target_rank is null then 'top_level'
             when n.dimension_score is null then 'not_ranked'
             else 'reachable' end as distance_reason
    from needed_counts as n
    left join ranked_scores as r
        on r.as_of_date = n.as_of_date
       and r.peer_level = n.peer_level
       and r.peer_category_id = n.peer_category_id
       and r.dimension = n.dimension
       and r.position = case when n.own_position is null or n.needed_count < n.own_position
                             then n.needed_count else n.needed_count + 1 end
)

select * from final
