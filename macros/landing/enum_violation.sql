{#-
  enum_violation(column, values): a row-rule condition, TRUE when r.<column>
  is set and not one of the listed values (spec 01 enums).
-#}
{% macro enum_violation(column, values) -%}
    (r.{{ column }} is not null and r.{{ column }} not in ({% for v in values %}{% if v is string %}{{ kscore.sql_string(v) }}{% else %}{{ v }}{% endif %}{{ ', ' if not loop.last }}{% endfor %}))
{%- endmacro %}
