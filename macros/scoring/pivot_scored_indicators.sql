{#-
  pivot_scored_indicators(indicators, dimensions, score_name, volume_column)

  The wide columns of a score mart, aggregated from the long rows of
  score_indicators (use inside `select … from <scored> group by as_of_date, <entity>`):
  score_stage (正式期 / 成长期), is_scored, the gate's volume_column
  (e.g. paid_orders_30d), peer_group_size, each indicator's value
  and `<indicator>_score`, each `<dimension_key>_score`, `<score_name>_100`,
  `<score_name>` (the five-point figure = the rounded 100-point score / 20,
  rounded half-up to 2 decimals) and peer_percentile. Shared by 店铺体验分 and 带货口碑分.
-#}
{% macro pivot_scored_indicators(indicators, dimensions, score_name, volume_column) -%}
        {{ score_stage('max(case when is_scored then 1 else 0 end) = 1') }} as score_stage,
        max(case when is_scored then 1 else 0 end) = 1 as is_scored,
        max({{ volume_column }}) as {{ volume_column }},
        max(peer_group_size) as peer_group_size,
        {%- for i in indicators %}
        max(case when indicator = {{ kscore.sql_string(i) }} then value end) as {{ i }},
        {%- endfor %}
        {%- for i in indicators %}
        max(case when indicator = {{ kscore.sql_string(i) }} then indicator_score end) as {{ i }}_score,
        {%- endfor %}
        {%- for d in dimensions %}
        max(case when dimension_key = {{ kscore.sql_string(d) }} then dimension_score end) as {{ d }}_score,
        {%- endfor %}
        max(total_score_100) as {{ score_name }}_100,
        {{ round_half_up('max(total_score_100) / 20', 2) }} as {{ score_name }},
        max(total_peer_percentile) as peer_percentile
{%- endmacro %}
