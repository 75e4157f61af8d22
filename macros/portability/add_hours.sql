{#-
  add_hours(ts_expr, n): the TIMESTAMP n hours after ts_expr (n an integer
  expression). Dispatched: DuckDB interval arithmetic, Spark make_interval.
-#}
{% macro add_hours(ts_expr, n) -%}
    {{ return(adapter.dispatch('add_hours', 'kscore')(ts_expr, n)) }}
{%- endmacro %}

{% macro default__add_hours(ts_expr, n) -%}
    (cast({{ ts_expr }} as timestamp) + make_interval(0, 0, 0, 0, cast({{ n }} as int), 0, 0))
{%- endmacro %}

{% macro duckdb__add_hours(ts_expr, n) -%}
    (cast({{ ts_expr }} as timestamp) + to_hours(cast({{ n }} as bigint)))
{%- endmacro %}
