{#-
  info_item_points(products, checklist): the 信息力 checklist (spec 02) scored per product
  version x checklist item: the points of each item of seed info_checklist (the best of an item's
  rows) on the listing itself. A select over the relations `products` (stg_landing__products
  columns) and `checklist` (seed info_checklist); columns product_id, updated_at, item, points.
  The one place the checklist is scored: int_product_info_scores sums it,
  int_product_info_item_points publishes it per item.
-#}
{% macro info_item_points(products, checklist) -%}
    select
        p.product_id,
        p.updated_at,
        c.item,
        max(
            case
                when c.rule = 'between' then
                    case when (case c.item
                                   when 'title_length' then length(coalesce(p.title, ''))
                                   when 'main_image_count' then coalesce(p.main_image_count, 0) end)
                              between c.min_value and c.max_value
                         then c.points else 0 end
                when c.rule = 'at_least' then
                    case when (case c.item
                                   when 'title_length' then length(coalesce(p.title, ''))
                                   when 'main_image_count' then coalesce(p.main_image_count, 0) end)
                              >= c.min_value
                         then c.points else 0 end
                when c.rule = 'flag' then
                    case when (case c.item when 'has_detail' then p.has_detail
                                           when 'has_video' then p.has_video
                                           when 'has_selling_points' then p.has_selling_points end)
                         then c.points else 0 end
                when c.rule = 'proportional' then
                    c.points * coalesce(
                        case c.item when 'attribute_fill_rate' then p.attribute_fill_rate end, 0)
                else 0
            end
        ) as points
    from {{ products }} as p
    cross join {{ checklist }} as c
    group by p.product_id, p.updated_at, c.item
{%- endmacro %}
