{#-
  product_tier_scores(indicators_relation): the body of int_product_tier_scores
  (spec 02 "Peer group" and "From indicators to levels") over any relation with
  the columns of int_product_tier_indicators that it reads (as_of_date,
  product_id, category_l1_id … l3_id, paid_orders, is_low_sample and the
  indicators of product_tier_indicators()): the chosen peer group, the subtree
  scores and percentiles (subtree_peer_scores), the levels (seed
  dimension_levels) and the unranked rules (product_tier_params). A whole query
  (`with … select * from final`): the model calls it over its ref, and
  `kscore explain --what-if` over the day's products with one product's values
  changed (src/kscore/whatif).
-#}
{% macro product_tier_scores(indicators_relation) -%}
{%- set indicators = product_tier_ranked_indicators() -%}
{%- set dimensions = ['heat', 'quality', 'service'] -%}

with indicators as {{ not_materialized() }} (
    select * from {{ indicators_relation }}
),

weights as (
    select * from {{ ref('dimension_weights') }}
),

levels as (
    select * from {{ ref('dimension_levels') }}
),

params as (
    {{ seed_params('product_tier_params', [
        ('min_peer_group_size', 'min_peer_group_size'),
        ('heat_no_order_level_rank', 'heat_no_order_level_rank', 'integer'),
        ('unranked_level_rank', 'unranked_level_rank', 'integer'),
    ]) }}
),

{#- the size of every category at each level (3, 2, 1): its products with >= 1 paid order in W -#}
group_sizes as (
    {%- for level in [3, 2, 1] %}
    select
        i.as_of_date,
        {{ level }} as peer_level,
        i.category_l{{ level }}_id as peer_category_id,
        sum(case when i.paid_orders >= 1 then 1 else 0 end) as ordered_products
    from indicators as i
    where i.category_l{{ level }}_id is not null
    group by i.as_of_date, i.category_l{{ level }}_id
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

{#- the product's leaf group, or the first ancestor that reaches the size, or its top level -#}
chosen_levels as (
    select
        i.as_of_date,
        i.product_id,
        {%- for level in [3, 2, 1] %}
        i.category_l{{ level }}_id,
        g{{ level }}.ordered_products as size_l{{ level }},
        {%- endfor %}
        case
            {%- for level in [3, 2, 1] %}
            when g{{ level }}.ordered_products >= p.min_peer_group_size then {{ level }}
            {%- endfor %}
            {%- for level in [1, 2, 3] %}
            when i.category_l{{ level }}_id is not null then {{ level }}
            {%- endfor %}
        end as peer_level
    from indicators as i
    cross join params as p
    {%- for level in [3, 2, 1] %}
    left join group_sizes as g{{ level }}
        on g{{ level }}.as_of_date = i.as_of_date
       and g{{ level }}.peer_level = {{ level }}
       and g{{ level }}.peer_category_id = i.category_l{{ level }}_id
    {%- endfor %}
),

chosen_groups as (
    select
        c.as_of_date,
        c.product_id,
        c.peer_level,
        case c.peer_level
            {%- for level in [3, 2, 1] %}
            when {{ level }} then c.category_l{{ level }}_id
            {%- endfor %}
        end as peer_category_id,
        cast(case c.peer_level
            {%- for level in [3, 2, 1] %}
            when {{ level }} then c.size_l{{ level }}
            {%- endfor %}
        end as bigint) as peer_group_size
    from chosen_levels as c
    where c.peer_level is not null
),

subtree_scores as (
    {{ subtree_peer_scores('indicators', 'chosen_groups', indicators, 'weights', dimensions)
       | indent(4) }}
),

chosen_scores as (
    select
        ss.*,
        {%- for d in dimensions %}
        (select max(l.level_rank) from levels as l where l.min_percentile <= ss.{{ d }}_percentile)
            as {{ d }}_percentile_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from subtree_scores as ss
),

ranked as (
    select
        i.as_of_date,
        i.product_id,
        case when i.paid_orders >= 1 then cs.heat_score end as heat_score,
        case when i.paid_orders >= 1 then cs.heat_percentile end as heat_percentile,
        case when i.paid_orders < 1 then p.heat_no_order_level_rank
             when cs.heat_score is null then p.unranked_level_rank
             else cs.heat_percentile_rank end as heat_rank,
        {%- for d in ['quality', 'service'] %}
        case when not i.is_low_sample then cs.{{ d }}_score end as {{ d }}_score,
        case when not i.is_low_sample then cs.{{ d }}_percentile end as {{ d }}_percentile,
        case when i.is_low_sample or cs.{{ d }}_score is null then p.unranked_level_rank
             else cs.{{ d }}_percentile_rank end as {{ d }}_rank
        {{- ',' if not loop.last }}
        {%- endfor %}
    from indicators as i
    cross join params as p
    left join chosen_scores as cs on cs.as_of_date = i.as_of_date and cs.product_id = i.product_id
),

final as (
    select
        r.as_of_date,
        r.product_id,
        g.peer_category_id,
        g.peer_level as peer_category_level,
        coalesce(g.peer_group_size, 0) as peer_group_size,
        {%- for d in dimensions %}
        r.{{ d }}_score,
        r.{{ d }}_percentile,
        l_{{ d }}.level as {{ d }}_level,
        r.{{ d }}_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked as r
    left join chosen_groups as g on g.as_of_date = r.as_of_date and g.product_id = r.product_id
    {%- for d in dimensions %}
    left join levels as l_{{ d }} on l_{{ d }}.level_rank = r.{{ d }}_rank
    {%- endfor %}
)

select * from final
{%- endmacro %}
