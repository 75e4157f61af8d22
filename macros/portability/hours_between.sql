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

{#- Spark: the same arithmetic as DuckDB's epoch() (microseconds / 1e6 as DOUBLE), so sub-second parts
    count and the result is a DOUBLE (unix_timestamp() drops them and gives a DECIMAL quotient); the
    wall-clock TIMESTAMP_NTZ is read as UTC (the spark target's session time zone), so the difference is exact -#}
{% macro spark__hours_between(start_ts, end_ts) -%}
    ((cast(unix_micros(cast(cast({{ end_ts }} as timestamp_ntz) as timestamp_ltz)) as double) / 1000000.0 - cast(unix_micros(cast(cast({{ start_ts }} as timestamp_ntz) as timestamp_ltz)) as double) / 1000000.0) / 3600.0)
{%- endmacro %}
