{#-
  split_to_rows(string_expr, delimiter, alias, column): a lateral relation
  `alias(column)` with one row per piece of string_expr, for a CROSS JOIN.
  Dispatched: DuckDB unnest(string_split()), Spark LATERAL VIEW-style explode.
-#}
{% macro split_to_rows(string_expr, delimiter, alias, column) -%}
    {{ return(adapter.dispatch('split_to_rows', 'kscore')(string_expr, delimiter, alias, column)) }}
{%- endmacro %}

{% macro default__split_to_rows(string_expr, delimiter, alias, column) -%}
    lateral (select explode(split({{ string_expr }}, {{ kscore.sql_string(delimiter) }})) as {{ column }}) as {{ alias }}
{%- endmacro %}

{% macro duckdb__split_to_rows(string_expr, delimiter, alias, column) -%}
    lateral (select unnest(string_split({{ string_expr }}, {{ kscore.sql_string(delimiter) }})) as {{ column }}) as {{ alias }}
{%- endmacro %}
