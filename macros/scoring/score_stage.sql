{#-
  score_stage(is_scored): the stage label of a scored entity (spec 03 / 04):
  '正式期' when is_scored (it passed the volume gate and is ranked), else
  '成长期'. The one place the labels are written: the score marts
  (pivot_scored_indicators) and the traffic funnel's peer stage use it.
-#}
{% macro score_stage(is_scored) -%}
    case when {{ is_scored }} then '正式期' else '成长期' end
{%- endmacro %}
