{#-
  hours_between(start_ts, end_ts): elapsed hours as DOUBLE (fractional,
  second precision). Dispatched: DuckDB uses epoch(), Spark unix_timestamp().
-#}
{% macro hours_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('hours_between', 'kscore')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__hours_between(start_ts, end_ts) -%}
    ((unix_timestamp({{ end_ts }}) - unix_timestamp({{ start_ts }})) / 3600.0)
{%- endmacro %}

{% macro duckdb__hours_between(start_ts, end_ts) -%}
    ((epoch(cast({{ end_ts }} as timestamp)) - epoch(cast({{ start_ts }} as timestamp))) / 3600.0)
{%- endmacro %}
