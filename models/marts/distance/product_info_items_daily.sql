{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  信息力 checklist items per as_of_date x tiered product x item (spec 02; issue 13 point 3): the
  points each item of seed info_checklist earns on the product version in force for D (macro
  info_item_points, the scoring int_product_info_scores sums), the item's full points and what is
  missing, and the info points still needed for the next 信息力 level (seed info_levels).
-#}

with tiered as (
    select * from {{ ref('product_tier_daily') }}
    where {{ in_build_range('as_of_date') }}
),

products as (
    select * from {{ ref('stg_landing__products') }}
),

checklist as (
    select * from {{ ref('info_checklist') }}
),

levels as (
    select * from {{ ref('info_levels') }}
),

item_points as (
    {{ info_item_points('products', 'checklist') }}
),

items as (
    select item, max(item_cn) as item_cn, max(points) as max_points
    from checklist
    group by item
),

next_levels as (
    select
        t.as_of_date,
        t.product_id,
        min(l.level_rank) as next_info_rank
    from tiered as t
    inner join levels as l on l.level_rank > t.info_rank
    group by t.as_of_date, t.product_id
),

final as (
    select
        t.as_of_date,
        t.product_id,
        t.shop_id,
        i.item,
        i.item_cn,
        {{ round_half_up('ip.points', 2) }} as points,
        {{ round_half_up('i.max_points', 2) }} as max_points,
        {{ round_half_up('i.max_points - ip.points', 2) }} as missing_points,
        ip.points < i.max_points as is_missing,
        t.info_score,
        t.info_level,
        t.info_rank,
        l.level as next_info_level,
        cast(n.next_info_rank as integer) as next_info_rank,
        {{ round_half_up('l.min_score - t.info_score', 2) }} as points_to_next_level
    from tiered as t
    inner join products as p
        on p.product_id = t.product_id and {{ version_in_force('p', 't.as_of_date') }}
    inner join item_points as ip on ip.product_id = p.product_id and ip.updated_at = p.updated_at
    inner join items as i on i.item = ip.item
    left join next_levels as n on n.as_of_date = t.as_of_date and n.product_id = t.product_id
    left join levels as l on l.level_rank = n.next_info_rank
)

select * from final
