{#-
  sql_string(value): a SQL string literal holding `value` exactly, single
  quotes doubled. Every path, file name or other text that comes from a user
  or from upstream (the landing zone) goes into SQL through this macro, never
  as '{{ value }}' (issue 10). The Python twin is kscore.sqltext.literal.
-#}
{% macro sql_string(value) -%}
    '{{ (value | string) | replace("'", "''") }}'
{%- endmacro %}
