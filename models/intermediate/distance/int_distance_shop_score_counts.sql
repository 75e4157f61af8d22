{{ config(materialized='table') }}
{#-
  店铺体验分 indicator value for the next 0.1 of the five-point score, peers fixed (spec 03; issue
  13 point 3): one row per as_of_date x 正式期 shop x indicator with a value. The target is the
  next multiple of 0.1 above experience_score; the 100-point total it needs is 20 x target - 0.1
  (half-up to 2 decimals). Moving one indicator to v ranks it at p = (c + 1) / (N + 1) among the N
  other 正式期 shops of the category with a value (c = those at or worse than v), scored
  round_half_up(50 + 50 p, 6) as score_indicators scores it. c is solved from the weights the
  macro used (int_distance_shop_score_parts), then the fewest of c - 1, c, c + 1 whose total, by
  weighted_mean twice (the macro's steps 2 and 3), reaches the target is kept; needed_value = the
  c-th worst of the others' values.
-#}

with parts as (
    select * from {{ ref('int_distance_shop_score_parts') }}
),

dims as (
    select distinct as_of_date, shop_id, dimension, dimension_weight, dimension_score
    from parts
),

{#- the 正式期 shops' values in order, better last (signed) -#}
ranked_values as (
    select
        p.*,
        case when p.higher_is_better then p.value else -p.value end as signed_value,
        row_number() over (
            partition by p.as_of_date, p.main_category_id, p.indicator
            order by case when p.higher_is_better then p.value else -p.value end, p.shop_id)
            as position,
        count(*) over (partition by p.as_of_date, p.main_category_id, p.indicator) as members_valued
    from parts as p
    where p.is_scored and p.value is not null
),

targets as (
    select
        p.*,
        r.position as own_position,
        cast(r.members_valued - 1 as bigint) as others_valued,
        {{ round_half_up('p.total_score_100 / 20', 2) }} as experience_score,
        (floor(cast({{ round_half_up('p.total_score_100 / 20', 2) }} as decimal(18, 2)) * 10) + 1)
            / 10 as target_score
    from parts as p
    inner join ranked_values as r
        on r.as_of_date = p.as_of_date and r.shop_id = p.shop_id and r.indicator = p.indicator
),

solved as (
    select
        t.*,
        {#- the dimension score needed, then the indicator score, then the count -#}
        ((cast(20 * t.target_score - 0.1 as double) - 0.005)
         * (select sum(d.dimension_weight) from dims as d
            where d.as_of_date = t.as_of_date and d.shop_id = t.shop_id
              and d.dimension_score is not null)
         - (select coalesce(sum(d.dimension_weight * d.dimension_score), 0) from dims as d
            where d.as_of_date = t.as_of_date and d.shop_id = t.shop_id
              and d.dimension_score is not null and d.dimension <> t.dimension))
        / nullif(t.dimension_weight, 0) - 0.0000005 as needed_dimension_score,
        (select sum(x.indicator_weight) from parts as x
         where x.as_of_date = t.as_of_date and x.shop_id = t.shop_id
           and x.dimension = t.dimension and x.indicator_score is not null)
            as dimension_indicator_weight,
        (select coalesce(sum(x.indicator_weight * x.indicator_score), 0) from parts as x
         where x.as_of_date = t.as_of_date and x.shop_id = t.shop_id and x.dimension = t.dimension
           and x.indicator_score is not null and x.indicator <> t.indicator) as other_indicator_sum
    from targets as t
    where t.target_score <= 5
),

candidates as (
    select s.*, s.solved_count + k.shift as candidate_count
    from (
        select
            s.*,
            cast(greatest(ceil(((s.needed_dimension_score * s.dimension_indicator_weight
                                 - s.other_indicator_sum) / nullif(s.indicator_weight, 0)
                                - 0.0000005 - 50) / 50 * (s.others_valued + 1)) - 1, 0)
                 as bigint) as solved_count
        from solved as s
    ) as s
    cross join (select -1 as shift union all select 0 union all select 1) as k
    where s.solved_count + k.shift between 0 and s.others_valued
),

candidate_indicators as (
    select c.as_of_date, c.shop_id, c.indicator as moved, c.candidate_count, x.dimension,
           x.indicator_weight,
           case when x.indicator = c.indicator then {{ round_half_up(
               '50 + 50 * (cast(c.candidate_count as double) + 1) / (c.others_valued + 1)', 6) }}
                else x.indicator_score end as indicator_score
    from candidates as c
    inner join parts as x on x.as_of_date = c.as_of_date and x.shop_id = c.shop_id
),

candidate_dimensions as (
    select ci.as_of_date, ci.shop_id, ci.moved, ci.candidate_count, ci.dimension,
           max(d.dimension_weight) as dimension_weight,
           {{ weighted_mean('ci.indicator_score', 'ci.indicator_weight') }} as dimension_score
    from candidate_indicators as ci
    inner join dims as d
        on d.as_of_date = ci.as_of_date and d.shop_id = ci.shop_id and d.dimension = ci.dimension
    group by ci.as_of_date, ci.shop_id, ci.moved, ci.candidate_count, ci.dimension
),

chosen_counts as (
    select cd.as_of_date, cd.shop_id, cd.moved as indicator, min(cd.candidate_count) as needed_count
    from (
        select as_of_date, shop_id, moved, candidate_count,
               {{ weighted_mean('dimension_score', 'dimension_weight', 2) }} as total_score_100
        from candidate_dimensions
        group by as_of_date, shop_id, moved, candidate_count
    ) as cd
    inner join targets as t
        on t.as_of_date = cd.as_of_date and t.shop_id = cd.shop_id and t.indicator = cd.moved
    where {{ round_half_up('cd.total_score_100 / 20', 2) }} >= t.target_score
    group by cd.as_of_date, cd.shop_id, cd.moved
),

final as (
    select
        t.as_of_date, t.shop_id, t.indicator, t.experience_score,
        cast(t.target_score as double) as target_score, t.others_valued, c.needed_count,
        case when t.higher_is_better then v.signed_value else -v.signed_value end as needed_value,
        case when t.target_score > 5 then 'top_score'
             when c.needed_count is null then 'unreachable'
             when c.needed_count = 0 then 'any_value'
             else 'reachable' end as distance_reason
    from targets as t
    left join chosen_counts as c
        on c.as_of_date = t.as_of_date and c.shop_id = t.shop_id and c.indicator = t.indicator
    left join ranked_values as v
        on v.as_of_date = t.as_of_date and v.main_category_id = t.main_category_id
       and v.indicator = t.indicator and c.needed_count > 0
       and v.position = case when c.needed_count < t.own_position then c.needed_count
                             else c.needed_count + 1 end
)

select * from final
