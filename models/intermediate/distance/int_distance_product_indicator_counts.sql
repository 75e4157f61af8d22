{{ config(materialized='table') }}
{#-
  商品分层 indicator value needed for the next dimension level, peers fixed (spec 02; issue 13
  point 3): one row per as_of_date x tiered product x indicator of seed dimension_weights, for
  product_indicator_distance_daily.
  With the peers' values and scores of that day fixed (int_distance_product_peers), moving one
  indicator to a value v ranks it at p = (c + 1) / (N + 1), c = the others at or worse than v; the
  dimension score is weighted_mean (the tier scores' macro) with that p; it must reach
  needed_dimension_score (int_distance_product_score_targets). c is solved from the weights, then
  the fewest of c - 1, c, c + 1 that reaches it by weighted_mean is kept; needed_value = the c-th
  worst of the others' values (a value equal to it ties it). distance_reason: reachable,
  top_level, not_ranked, unreachable (the best value of this indicator alone does not do),
  any_value (the product has no value yet and any value does).
-#}
{%- set ind_list = product_tier_indicators() -%}

with targets as (
    select * from {{ ref('int_distance_product_score_targets') }}
),

peers as (
    select * from {{ ref('int_distance_product_peers') }}
),

weights as (
    select * from {{ ref('dimension_weights') }}
),

precisions as (
    {%- for i in ind_list %}
    select {{ kscore.sql_string(i.indicator) }} as indicator, {{ i.precision }} as value_precision
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

{#- every member's value in order, better last (the ranked, signed value) -#}
ranked_values as (
    select
        p.*,
        case when p.higher_is_better then p.value else -p.value end as signed_value,
        row_number() over (
            partition by p.as_of_date, p.peer_level, p.peer_category_id, p.indicator
            order by case when p.higher_is_better then p.value else -p.value end, p.product_id)
            as position,
        count(*) over (partition by p.as_of_date, p.peer_level, p.peer_category_id, p.indicator)
            as members_valued
    from peers as p
),

own_rows as (
    select r.*
    from ranked_values as r
    inner join targets as t
        on t.as_of_date = r.as_of_date and t.product_id = r.product_id
       and t.peer_level = r.peer_level and t.peer_category_id = r.peer_category_id
       and t.dimension = r.dimension
),

pairs as (
    select
        t.*,
        w.indicator,
        w.indicator_cn,
        w.dimension_cn,
        w.higher_is_better,
        w.weight,
        pr.value_precision,
        o.value as current_value,
        o.percentile as current_percentile,
        o.position as own_position,
        cast(coalesce(sz.members_valued, 0) - case when o.position is null then 0 else 1 end
             as bigint) as others_valued,
        (select sum(x.weight * 100 * x.percentile) from own_rows as x
         where x.as_of_date = t.as_of_date and x.product_id = t.product_id
           and x.dimension = t.dimension and x.indicator <> w.indicator) as other_sum,
        (select sum(x.weight) from own_rows as x
         where x.as_of_date = t.as_of_date and x.product_id = t.product_id
           and x.dimension = t.dimension and x.indicator <> w.indicator) as other_weight
    from targets as t
    inner join weights as w on w.dimension = t.dimension
    inner join precisions as pr on pr.indicator = w.indicator
    left join own_rows as o
        on o.as_of_date = t.as_of_date and o.product_id = t.product_id
       and o.indicator = w.indicator
    left join (select distinct as_of_date, peer_level, peer_category_id, indicator, members_valued
               from ranked_values) as sz
        on sz.as_of_date = t.as_of_date and sz.peer_level = t.peer_level
       and sz.peer_category_id = t.peer_category_id and sz.indicator = w.indicator
),

{#- c from the weights: p >= ((S - 0.0000005) W - A) / (100 w), c = p (N + 1) - 1 -#}
solved as (
    select
        p.*,
        cast(greatest(ceil(((p.needed_dimension_score - 0.0000005)
                            * (coalesce(p.other_weight, 0) + p.weight) - coalesce(p.other_sum, 0))
                           / (100 * p.weight) * (p.others_valued + 1)) - 1, 0) as bigint)
            as solved_count
    from pairs as p
    where p.distance_reason = 'reachable'
),

{#- the candidate counts, each scored by weighted_mean over the product's rows of the dimension -#}
candidates as (
    select s.*, s.solved_count + k.shift as candidate_count
    from solved as s
    cross join (select -1 as shift union all select 0 union all select 1) as k
    where s.solved_count + k.shift between 0 and s.others_valued
),

candidate_rows as (
    select c.as_of_date, c.product_id, c.indicator, c.candidate_count, c.needed_dimension_score,
           x.weight, 100 * x.percentile as score
    from candidates as c
    inner join own_rows as x
        on x.as_of_date = c.as_of_date and x.product_id = c.product_id
       and x.dimension = c.dimension and x.indicator <> c.indicator
    union all
    select c.as_of_date, c.product_id, c.indicator, c.candidate_count, c.needed_dimension_score,
           c.weight, 100 * (cast(c.candidate_count as double) + 1) / (c.others_valued + 1)
    from candidates as c
),

chosen_counts as (
    select as_of_date, product_id, indicator, min(candidate_count) as needed_count
    from (
        select as_of_date, product_id, indicator, candidate_count,
               {{ weighted_mean('score', 'weight') }} as candidate_score,
               max(needed_dimension_score) as needed_dimension_score
        from candidate_rows
        group by as_of_date, product_id, indicator, candidate_count
    ) as scored
    where candidate_score >= needed_dimension_score
    group by as_of_date, product_id, indicator
),

final as (
    select
        p.as_of_date, p.product_id, p.dimension, p.dimension_cn, p.indicator, p.indicator_cn,
        p.higher_is_better, p.value_precision, p.current_value, p.current_percentile,
        p.dimension_score, p.level_rank, p.target_rank, p.needed_dimension_score,
        p.others_valued, c.needed_count,
        case when p.higher_is_better then v.signed_value else -v.signed_value end as needed_value,
        case when p.distance_reason <> 'reachable' then p.distance_reason
             when c.needed_count is null then 'unreachable'
             when c.needed_count = 0 then 'any_value'
             else 'reachable' end as distance_reason
    from pairs as p
    left join chosen_counts as c
        on c.as_of_date = p.as_of_date and c.product_id = p.product_id
       and c.indicator = p.indicator
    left join ranked_values as v
        on v.as_of_date = p.as_of_date and v.peer_level = p.peer_level
       and v.peer_category_id = p.peer_category_id and v.indicator = p.indicator
       and c.needed_count > 0
       and v.position = case when p.own_position is null or c.needed_count < p.own_position
                             then c.needed_count else c.needed_count + 1 end
)

select * from final
