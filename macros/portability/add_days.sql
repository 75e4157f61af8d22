{#-
  add_days(date_expr, n): the DATE n days after date_expr (n may be negative
  or an expression). Dispatched: DuckDB date arithmetic, Spark date_add().
-#}
{% macro add_days(date_expr, n) -%}
    {{ return(adapter.dispatch('add_days', 'kscore')(date_expr, n)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, n) -%}
    date_add(cast({{ date_expr }} as date), {{ n }})
{%- endmacro %}

{% macro duckdb__add_days(date_expr, n) -%}
    cast(cast({{ date_expr }} as date) + cast({{ n }} as integer) as date)
{%- endmacro %}
