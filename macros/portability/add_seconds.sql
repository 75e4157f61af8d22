{#-
  add_seconds(ts_expr, n): the TIMESTAMP n seconds after ts_expr (n an integer
  expression). Exact to the microsecond, so `x <= add_seconds(t, 180)` is "within
  180 s" with no rounding. Dispatched: DuckDB interval arithmetic, Spark make_interval.
-#}
{% macro add_seconds(ts_expr, n) -%}
    {{ return(adapter.dispatch('add_seconds', 'kscore')(ts_expr, n)) }}
{%- endmacro %}

{% macro default__add_seconds(ts_expr, n) -%}
    (cast({{ ts_expr }} as timestamp) + make_interval(0, 0, 0, 0, 0, 0, cast({{ n }} as int)))
{%- endmacro %}

{% macro duckdb__add_seconds(ts_expr, n) -%}
    (cast({{ ts_expr }} as timestamp) + to_seconds(cast({{ n }} as bigint)))
{%- endmacro %}
