{#-
  Generic data test tier_distance_is_exact(tiers, min_column): a distance-to-the-next-tier mart
  (columns current_value, reached_tier, next_tier, still_needed, is_top_tier) is exact against
  the tier seed `tiers` (reward_tier, <min_column>), scored the way the reward marts score: the
  highest tier whose minimum is <= the value. For every row: the value reaches reached_tier;
  current_value + still_needed reaches exactly next_tier and one less (the smallest step of a
  count) reaches a lower tier; a top-tier row reaches the seed's top tier. Failing rows: those
  for which any of this does not hold.
-#}
{% test tier_distance_is_exact(model, tiers, min_column) %}
with tested as (
    select * from {{ model }}
),

seed_tiers as (
    select reward_tier, {{ min_column }} as tier_min from {{ tiers }}
),

probes as (
    select
        m.*,
        (select coalesce(max(t.reward_tier), 0) from seed_tiers as t
         where t.tier_min <= m.current_value) as tier_at_value,
        (select coalesce(max(t.reward_tier), 0) from seed_tiers as t
         where t.tier_min <= m.current_value + m.still_needed) as tier_at_needed,
        (select coalesce(max(t.reward_tier), 0) from seed_tiers as t
         where t.tier_min <= m.current_value + m.still_needed - 1) as tier_one_less,
        (select max(t.reward_tier) from seed_tiers as t) as top_tier
    from tested as m
)

select *
from probes
where not coalesce(
    tier_at_value = reached_tier
    and case when is_top_tier then still_needed is null and reached_tier = top_tier
             else tier_at_needed = next_tier and tier_one_less < next_tier and still_needed >= 1
        end, false)
{% endtest %}
