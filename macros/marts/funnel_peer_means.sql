{#-
  The 生意通 peer mean (同行同等级商家均值, spec 08; reused by spec 09 §1.1): the mean of each funnel figure
  over the rows of a peer group, written once for marts.shop_traffic_funnel_daily and
  marts.shop_traffic_funnel_period_daily.

  funnel_peer_means(relation, group_columns)
      A SELECT over `relation` (a CTE with the columns of funnel_figures()) grouped by
      `group_columns`: peer_group_size (rows of the group), the DOUBLE means of the counts, and exact
      sums for gmv and the rates (with the number of non-NULL rates), divided once by
      funnel_peer_avg_columns, so that a range build and day-by-day builds agree to the last decimal
      (a DOUBLE avg of the rates flipped the 6th decimal between them).
  funnel_peer_avg_columns(alias)
      The published columns from that SELECT, aliased `alias`: peer_group_size BIGINT and peer_avg_<m>
      half-up rounded (gmv to 2 decimals as DECIMAL(18, 2), the rest to 6). A NULL rate is left out
      of its mean; a group without any non-NULL rate gets NULL.
-#}
{% macro funnel_counts() -%}
    {{ return(['room_exposures', 'content_views', 'product_exposures', 'product_visits',
               'paid_orders']) }}
{%- endmacro %}

{#- the step conversions: rate -> (numerator, denominator) -#}
{% macro funnel_rates() -%}
    {{ return({
        'view_rate': ('content_views', 'room_exposures'),
        'product_exposure_per_view': ('product_exposures', 'content_views'),
        'visit_rate': ('product_visits', 'product_exposures'),
        'order_rate': ('paid_orders', 'product_visits'),
    }) }}
{%- endmacro %}

{#- the ten figures of the funnel, in published order -#}
{% macro funnel_figures() -%}
    {{ return(kscore.funnel_counts() + ['gmv'] + (kscore.funnel_rates().keys() | list)) }}
{%- endmacro %}

{% macro funnel_peer_means(relation, group_columns) -%}
    select
        {{ group_columns | join(', ') }},
        count(*) as peer_group_size,
        {%- for m in kscore.funnel_counts() %}
        avg(cast({{ m }} as double)) as peer_avg_{{ m }},
        {%- endfor %}
        -- exact decimal sum; divided once: no rounding flips between builds
        sum(gmv) as peer_sum_gmv,
        -- rates are already rounded to 6 decimals: exact decimal sums, one division and a half-up
        -- rounding (funnel_peer_avg_columns), so a range build and day-by-day builds agree
        {%- for r in kscore.funnel_rates() %}
        sum(cast({{ r }} as decimal(18, 6))) as peer_sum_{{ r }},
        count({{ r }}) as peer_n_{{ r }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    group by {{ group_columns | join(', ') }}
{%- endmacro %}

{% macro funnel_peer_avg_columns(alias) -%}
        cast({{ alias }}.peer_group_size as bigint) as peer_group_size,
        {%- for m in kscore.funnel_counts() %}
        {{ kscore.round_half_up(alias ~ '.peer_avg_' ~ m, 6) }} as peer_avg_{{ m }},
        {%- endfor %}
        cast({{ kscore.round_half_up(alias ~ '.peer_sum_gmv / ' ~ alias ~ '.peer_group_size', 2) }}
            as decimal(18, 2)) as peer_avg_gmv,
        {%- for r in kscore.funnel_rates() %}
        {%- set mean = alias ~ '.peer_sum_' ~ r ~ ' / nullif(' ~ alias ~ '.peer_n_' ~ r ~ ', 0)' %}
        {{ kscore.round_half_up(mean, 6) }}
            as peer_avg_{{ r }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}
