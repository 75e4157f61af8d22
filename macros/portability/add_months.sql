{#-
  add_months(date_expr, n): the DATE n calendar months after date_expr (n an integer or an SQL
  integer expression; negative goes back). The default is dbt's cross-database dateadd, cast to
  DATE (DuckDB: date + interval). Spark: add_months, which returns a DATE itself; dbt-spark's
  dateadd goes through to_timestamp(to_unix_timestamp(...)) and gives NULL on the spark target
  (spark.sql.timestampType TIMESTAMP_NTZ), found by the equality test (natural_month periods).
-#}
{% macro add_months(date_expr, n) -%}
    {{ return(adapter.dispatch('add_months', 'kscore')(date_expr, n)) }}
{%- endmacro %}

{% macro default__add_months(date_expr, n) -%}
    cast({{ dbt.dateadd('month', n, date_expr) }} as date)
{%- endmacro %}

{% macro spark__add_months(date_expr, n) -%}
    add_months(cast({{ date_expr }} as date), cast({{ n }} as int))
{%- endmacro %}
