{#-
  Generic data test sums_to_info_score(): the per-item points of a 信息力 items mart
  (product_info_items_daily) add up, per (as_of_date, product_id), to the info_score the tier
  mart published (rounded half-up to 2 decimals, as int_product_info_scores). Failing rows: the
  products whose items do not.
-#}
{% test sums_to_info_score(model) %}
select as_of_date, product_id, max(info_score) as info_score, sum(points) as item_points
from {{ model }}
group by as_of_date, product_id
having {{ kscore.round_half_up('sum(points)', 2) }} <> max(info_score)
    or count(distinct info_score) <> 1
{% endtest %}
