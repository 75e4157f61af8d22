{#-
  Generic data test tier_path_reaches_next_tier(caps, dimensions): a tier path mart
  (product_tier_path_daily: <dimension>_rank, <dimension>_target_rank, tier_rank,
  next_tier_rank) is exact against seed `caps` (tier_caps), the tier scored as
  product_tier_daily scores it, the lowest cap of the levels: every dimension at its target level
  (or its own when it does not move) reaches next_tier_rank, and each moving dimension one level
  lower, the others at their targets, does not (so no move and no level step is spare).
  Failing rows: those for which this does not hold, or a top-tier row with a path.
-#}
{% test tier_path_reaches_next_tier(model, caps, dimensions) %}
{%- set cap_sql = '(select c.tier_cap from ' ~ caps
    ~ ' as c where c.dimension = %s and c.level_rank = %s)' -%}
{%- set own = 'coalesce(t.%s_target_rank, t.%s_rank)' -%}
with tested as (
    select * from {{ model }}
),

probes as (
    select
        t.*,
        least(
            {%- for d in dimensions %}
            {{ cap_sql | format(kscore.sql_string(d), own | format(d, d)) }}
            {{- ',' if not loop.last }}
            {%- endfor %}) as tier_at_targets,
        {%- for m in dimensions %}
        case when t.{{ m }}_target_rank is not null then least(
            {%- for d in dimensions %}
            {%- if d == m %}
            {{ cap_sql | format(kscore.sql_string(d), 't.' ~ d ~ '_target_rank - 1') }}
            {%- else %}
            {{ cap_sql | format(kscore.sql_string(d), own | format(d, d)) }}
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}) end as tier_{{ m }}_one_less{{ ',' if not loop.last }}
        {%- endfor %}
    from tested as t
)

select *
from probes
where not coalesce(
    case when next_tier_rank is null
         then moves_needed is null and path is null
              {%- for d in dimensions %} and {{ d }}_target_rank is null{% endfor %}
         else tier_at_targets >= next_tier_rank
              {%- for d in dimensions %}
              and coalesce(tier_{{ d }}_one_less < next_tier_rank, true)
              {%- endfor %}
    end, false)
{% endtest %}
