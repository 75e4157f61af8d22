{{ config(materialized='table') }}
{#-
  信息力 per product VERSION (spec 02): the checklist of seed info_checklist
  scored on the listing itself (no peer comparison), and its level from seed
  info_levels. A mart picks the version in force for D (version_in_force).
-#}

with products as (
    select * from {{ ref('stg_landing__products') }}
),

checklist as (
    select * from {{ ref('info_checklist') }}
),

levels as (
    select * from {{ ref('info_levels') }}
),

item_points as (
    select
        p.product_id,
        p.updated_at,
        c.item,
        max(
            case
                when c.rule = 'between' then
                    case when (case c.item when 'title_length' then length(coalesce(p.title, ''))
                                           when 'main_image_count'
                                               then coalesce(p.main_image_count, 0) end)
                              between c.min_value and c.max_value
                         then c.points else 0 end
                when c.rule = 'at_least' then
                    case when (case c.item when 'title_length' then length(coalesce(p.title, ''))
                                           when 'main_image_count'
                                               then coalesce(p.main_image_count, 0) end)
                              >= c.min_value
                         then c.points else 0 end
                when c.rule = 'flag' then
                    case when (case c.item when 'has_detail' then p.has_detail
                                           when 'has_video' then p.has_video
                                           when 'has_selling_points' then p.has_selling_points end)
                         then c.points else 0 end
                when c.rule = 'proportional' then
                    c.points * coalesce(case c.item when 'attribute_fill_rate'
                        then p.attribute_fill_rate end, 0)
                else 0
            end
        ) as points
    from products as p
    cross join checklist as c
    group by p.product_id, p.updated_at, c.item
),

scores as (
    select
        product_id,
        updated_at,
        round(sum(points), 2) as info_score
    from item_points
    group by product_id, updated_at
),

scored_levels as (
    select
        s.product_id,
        s.updated_at,
        s.info_score,
        max(l.level_rank) as info_rank
    from scores as s
    inner join levels as l on l.min_score <= s.info_score
    group by s.product_id, s.updated_at, s.info_score
),

final as (
    select
        p.product_id,
        p.updated_at,
        p.valid_to,
        s.info_score,
        l.level as info_level,
        s.info_rank
    from products as p
    inner join scored_levels as s on s.product_id = p.product_id and s.updated_at = p.updated_at
    inner join levels as l on l.level_rank = s.info_rank
)

select * from final
