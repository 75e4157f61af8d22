{{ config(materialized='table') }}
{#-
  商品分层 heat / quality / service scores and levels per as_of_date × tiered
  product (spec 02 "Peer group" and "From indicators to levels").

  Peer group: the product's leaf category (level 3, or a level-2 leaf); when it
  has fewer than min_peer_group_size products with >= 1 paid order in W, one
  level up, until it reaches the size or level 1. Every product is ranked in
  the subtree of each of its ancestors (levels 3, 2, 1) and keeps the figures of
  the level it chose: a product is thus compared with every ranked product of
  its chosen subtree, whatever group those chose for themselves.

  Ranked in a dimension: heat needs >= 1 paid order; quality and service need
  not is_low_sample. An unranked product's indicator is NULL for ranking, so
  it is left out of its peers' N.
-#}
{%- set indicators = product_tier_indicators() -%}

with indicators as (
    select * from {{ ref('int_product_tier_indicators') }}
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

{#- one row per as_of_date x product x ancestor level (3, 2, 1) with the ten indicator values to rank,
    rounded before ranking; NULL where the product is not ranked in that dimension (heat: no paid order;
    quality/service: is_low_sample) -#}
peer_rows as (
    {%- for level in [3, 2, 1] %}
    select
        i.as_of_date,
        i.product_id,
        {{ level }} as peer_level,
        i.category_l{{ level }}_id as peer_category_id,
        i.paid_orders,
        {%- for ind in indicators %}
        case when {{ 'i.paid_orders >= 1' if ind.dimension == 'heat' else 'not i.is_low_sample' }}
             then round(cast(i.{{ ind.indicator }} as double), {{ ind.precision }}) end as {{ ind.indicator }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from indicators as i
    where i.category_l{{ level }}_id is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

group_sizes as (
    select
        as_of_date,
        peer_level,
        peer_category_id,
        sum(case when paid_orders >= 1 then 1 else 0 end) as ordered_products
    from peer_rows
    group by as_of_date, peer_level, peer_category_id
),

candidate_sizes as (
    select
        pr.as_of_date,
        pr.product_id,
        pr.peer_level,
        pr.peer_category_id,
        g.ordered_products
    from peer_rows as pr
    inner join group_sizes as g
        on g.as_of_date = pr.as_of_date
       and g.peer_level = pr.peer_level
       and g.peer_category_id = pr.peer_category_id
),

chosen_levels as (
    select
        c.as_of_date,
        c.product_id,
        coalesce(max(case when c.ordered_products >= p.min_peer_group_size then c.peer_level end),
                 min(c.peer_level)) as peer_level
    from candidate_sizes as c
    cross join params as p
    group by c.as_of_date, c.product_id
),

chosen_groups as (
    select
        c.as_of_date,
        c.product_id,
        c.peer_level as peer_category_level,
        c.peer_category_id,
        cast(c.ordered_products as bigint) as peer_group_size
    from candidate_sizes as c
    inner join chosen_levels as l
        on l.as_of_date = c.as_of_date
       and l.product_id = c.product_id
       and l.peer_level = c.peer_level
),

{#- one narrow window per indicator over the rows that rank in it (a NULL value has no percentile and is
    not counted in N), then back to one row per product x level: the dimension scores -#}
indicator_percentiles as (
    {%- for ind in indicators %}
    select
        pr.as_of_date,
        pr.product_id,
        pr.peer_level,
        pr.peer_category_id,
        {{ kscore.sql_string(ind.dimension) }} as dimension,
        w.indicator,
        w.weight,
        {#- the seed's direction: a lower-is-better value ranks as its negative (ties and rounding unchanged) #}
        {{ peer_percentile('case when w.higher_is_better then pr.' ~ ind.indicator ~ ' else -pr.' ~ ind.indicator ~ ' end',
                           ['pr.as_of_date', 'pr.peer_level', 'pr.peer_category_id'], true) }}
            as percentile
    from peer_rows as pr
    inner join weights as w on w.indicator = {{ kscore.sql_string(ind.indicator) }}
    where pr.{{ ind.indicator }} is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

dimension_scores as (
    select
        ip.as_of_date,
        ip.product_id,
        ip.peer_level,
        ip.peer_category_id,
        {%- for dimension in ['heat', 'quality', 'service'] %}
        {{ weighted_mean("case when ip.dimension = " ~ kscore.sql_string(dimension) ~ " then 100 * ip.percentile end",
                         'ip.weight') }} as {{ dimension }}_score{{ ',' if not loop.last }}
        {%- endfor %}
    from indicator_percentiles as ip
    group by ip.as_of_date, ip.product_id, ip.peer_level, ip.peer_category_id
),

score_percentiles as (
    select
        s.*,
        {%- for dimension in ['heat', 'quality', 'service'] %}
        round({{ peer_percentile('s.' ~ dimension ~ '_score', ['s.as_of_date', 's.peer_level', 's.peer_category_id'], true) }}, 6)
            as {{ dimension }}_percentile{{ ',' if not loop.last }}
        {%- endfor %}
    from dimension_scores as s
),

chosen_scores as (
    select
        sp.as_of_date,
        sp.product_id,
        {%- for dimension in ['heat', 'quality', 'service'] %}
        sp.{{ dimension }}_score,
        sp.{{ dimension }}_percentile,
        (select max(l.level_rank) from levels as l where l.min_percentile <= sp.{{ dimension }}_percentile)
            as {{ dimension }}_percentile_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from score_percentiles as sp
    inner join chosen_levels as c
        on c.as_of_date = sp.as_of_date
       and c.product_id = sp.product_id
       and c.peer_level = sp.peer_level
),

pivoted as (
    select
        i.as_of_date,
        i.product_id,
        i.paid_orders,
        i.is_low_sample,
        {%- for dimension in ['heat', 'quality', 'service'] %}
        cs.{{ dimension }}_score,
        cs.{{ dimension }}_percentile,
        cs.{{ dimension }}_percentile_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from indicators as i
    left join chosen_scores as cs on cs.as_of_date = i.as_of_date and cs.product_id = i.product_id
),

ranked as (
    select
        pv.as_of_date,
        pv.product_id,
        case when pv.paid_orders >= 1 then pv.heat_score end as heat_score,
        case when pv.paid_orders >= 1 then pv.heat_percentile end as heat_percentile,
        case when pv.paid_orders < 1 then p.heat_no_order_level_rank
             when pv.heat_score is null then p.unranked_level_rank
             else pv.heat_percentile_rank end as heat_rank,
        {%- for dimension in ['quality', 'service'] %}
        case when not pv.is_low_sample then pv.{{ dimension }}_score end as {{ dimension }}_score,
        case when not pv.is_low_sample then pv.{{ dimension }}_percentile end as {{ dimension }}_percentile,
        case when pv.is_low_sample or pv.{{ dimension }}_score is null then p.unranked_level_rank
             else pv.{{ dimension }}_percentile_rank end as {{ dimension }}_rank
        {{- ',' if not loop.last }}
        {%- endfor %}
    from pivoted as pv
    cross join params as p
),

final as (
    select
        r.as_of_date,
        r.product_id,
        g.peer_category_id,
        g.peer_category_level,
        coalesce(g.peer_group_size, 0) as peer_group_size,
        r.heat_score,
        r.heat_percentile,
        hl.level as heat_level,
        r.heat_rank,
        r.quality_score,
        r.quality_percentile,
        ql.level as quality_level,
        r.quality_rank,
        r.service_score,
        r.service_percentile,
        sl.level as service_level,
        r.service_rank
    from ranked as r
    left join chosen_groups as g on g.as_of_date = r.as_of_date and g.product_id = r.product_id
    left join levels as hl on hl.level_rank = r.heat_rank
    left join levels as ql on ql.level_rank = r.quality_rank
    left join levels as sl on sl.level_rank = r.service_rank
)

select * from final
