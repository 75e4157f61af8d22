{#-
  version_in_force(alias, as_of_date): a join condition, TRUE for the row of a
  change-record staging model (alias) that is in force for as_of_date: the
  latest version with updated_at before the day (spec README: change records
  as of D-1).
-#}
{% macro version_in_force(alias, as_of_date) -%}
    ({{ alias }}.updated_at < cast({{ as_of_date }} as timestamp)
     and ({{ alias }}.valid_to is null or {{ alias }}.valid_to >= cast({{ as_of_date }} as timestamp)))
{%- endmacro %}
