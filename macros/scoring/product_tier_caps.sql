{#-
  product_tier_caps(joined, caps): the 商品分层 tier of spec 02 as two CTEs,
  `capped` (each dimension's 分层上限: the seed tier_caps row of the dimension
  and its level rank) and `tiered` (tier_rank = the lowest of the four caps;
  NULL when a cap is missing, so that not_null fails). `joined` is a relation
  with info_rank, heat_rank, quality_rank and service_rank; `caps` the seed
  tier_caps. Used by product_tier_daily and by `kscore explain --what-if`
  (src/kscore/whatif). Ends with a comma: more CTEs follow.
-#}
{% macro product_tier_caps(joined, caps) -%}
capped as (
    select
        j.*,
        ci.tier_cap as info_cap,
        ch.tier_cap as heat_cap,
        cq.tier_cap as quality_cap,
        cs.tier_cap as service_cap
    from {{ joined }} as j
    left join {{ caps }} as ci on ci.dimension = 'info' and ci.level_rank = j.info_rank
    left join {{ caps }} as ch on ch.dimension = 'heat' and ch.level_rank = j.heat_rank
    left join {{ caps }} as cq on cq.dimension = 'quality' and cq.level_rank = j.quality_rank
    left join {{ caps }} as cs on cs.dimension = 'service' and cs.level_rank = j.service_rank
),

tiered as (
    select
        *,
        -- a missing cap (no tier_caps row for a level) must not silently stop capping:
        -- NULL fails not_null
        case when info_cap is null or heat_cap is null or quality_cap is null
                  or service_cap is null then null
             else least(info_cap, heat_cap, quality_cap, service_cap) end as tier_rank
    from capped
),
{%- endmacro %}
