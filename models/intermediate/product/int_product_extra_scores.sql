{{ config(materialized='table') }}
{#-
  价格力 / 内容GPM / 综合好评率 scores and levels per as_of_date × product
  (spec 09 §3, 02's method per dimension, the shared macros peer_percentile and
  weighted_mean, via subtree_peer_scores). A product is ranked in the subtree
  of the level 02 chose for it (peer_category_level): it is compared with every
  product of that subtree that is ranked in the dimension, whatever group those
  chose for themselves.
    p      tie-safe peer percentile of each non-NULL indicator (direction from
           seed extra_dimension_weights), among the ranked products
    score  100 × Σ wᵢ pᵢ / Σ wᵢ over the non-NULL indicators (6 decimals)
    q      peer percentile of the score among the same ranked products
    level  the extra_dimension_levels row of the dimension with the greatest
           min_percentile <= q; an unranked product gets a NULL score and
           02's unranked_level_rank (及格).
-#}
{%- set indicators = [] -%}
{%- for ind in product_extra_indicators() -%}
    {%- do indicators.append({'indicator': ind.indicator, 'dimension': ind.dimension,
        'precision': ind.precision,
                              'ranked': 's.is_' ~ ind.dimension ~ '_ranked'}) -%}
{%- endfor -%}
{%- set dimensions = ['price', 'gpm', 'good_review'] -%}

with indicators as {{ not_materialized() }} (
    select * from {{ ref('int_product_extra_indicators') }}
),

weights as (
    select * from {{ ref('extra_dimension_weights') }}
),

levels as (
    select * from {{ ref('extra_dimension_levels') }}
),

tier_params as (
    {{ seed_params('product_tier_params', [
        ('unranked_level_rank', 'unranked_level_rank', 'integer'),
    ]) }}
),

{#- the group 02 chose for the product, as its ancestor at that level -#}
chosen_groups as (
    select
        i.as_of_date,
        i.product_id,
        i.peer_category_level as peer_level,
        case i.peer_category_level
            when 3 then i.category_l3_id when 2 then i.category_l2_id else i.category_l1_id
        end as peer_category_id
    from indicators as i
    where i.peer_category_level is not null
),

subtree_scores as (
    {{ subtree_peer_scores('indicators', 'chosen_groups', indicators, 'weights', dimensions)
       | indent(4) }}
),

chosen_scores as (
    select
        ss.*,
        {%- for d in dimensions %}
        (select max(l.level_rank) from levels as l
         where l.dimension = {{ kscore.sql_string(d) }}
           and l.min_percentile <= ss.{{ d }}_percentile)
            as {{ d }}_percentile_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from subtree_scores as ss
),

ranked as (
    select
        i.as_of_date,
        i.product_id,
        {%- for d in dimensions %}
        case when i.is_{{ d }}_ranked then cs.{{ d }}_score end as {{ d }}_score,
        case when i.is_{{ d }}_ranked then cs.{{ d }}_percentile end as {{ d }}_percentile,
        cast(case when i.is_{{ d }}_ranked and cs.{{ d }}_score is not null
                  then cs.{{ d }}_percentile_rank
                  else p.unranked_level_rank end as integer)
            as {{ d }}_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from indicators as i
    cross join tier_params as p
    left join chosen_scores as cs on cs.as_of_date = i.as_of_date and cs.product_id = i.product_id
),

final as (
    select
        r.*,
        {%- for d in dimensions %}
        l_{{ d }}.level as {{ d }}_level{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked as r
    {%- for d in dimensions %}
    left join levels as l_{{ d }}
        on l_{{ d }}.dimension = {{ kscore.sql_string(d) }}
       and l_{{ d }}.level_rank = r.{{ d }}_rank
    {%- endfor %}
)

select * from final
