{#-
  Generic data test tier_flags_follow_params(model, params): the rows whose
  好货 / 好货标签 / 落后商品 flags disagree with the tier cut points of the
  seed `params` (product_tier_params: good_product_min_tier,
  good_badge_min_tier, laggard_max_tier), so that the test follows the rule's
  data and a changed seed cannot make a right mart fail or a wrong one pass.
  A NULL flag or rank is a failure.
-#}
{% test tier_flags_follow_params(model, params) %}
with cut_points as (
    select
        max(case when param = 'good_product_min_tier' then value end) as good_product_min_tier,
        max(case when param = 'good_badge_min_tier' then value end) as good_badge_min_tier,
        max(case when param = 'laggard_max_tier' then value end) as laggard_max_tier
    from {{ params }}
)

select m.*
from (select * from {{ model }}) as m
cross join cut_points as p
where not coalesce(
    m.is_good_product = (m.tier_rank >= p.good_product_min_tier)
    and m.has_good_badge = (m.tier_rank >= p.good_badge_min_tier)
    and m.is_laggard = (m.tier_rank <= p.laggard_max_tier), false)
{% endtest %}
