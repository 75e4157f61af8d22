{#-
  duckdb__safe_cast(field, type): DuckDB's implementation of dbt-core's
  cross-database macro dbt.safe_cast (the root project's adapter macro wins the
  dispatch for the `dbt` namespace). dbt-duckdb ships none, so dbt.safe_cast
  would be a plain cast that fails the build on one bad value; try_cast gives
  NULL instead. Staging uses dbt.safe_cast, so one value its contract type
  cannot hold quarantines its row (type_not_castable) instead of failing the
  whole build. Other engines keep their adapter's safe_cast.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#-
  spark__safe_cast(field, type): Spark's try_cast (NULL on a value the type
  cannot hold, like DuckDB's), with the contract's type spelled for Spark
  (macro type_name: varchar is STRING there). dbt-spark's own safe_cast is a
  plain cast, which with ANSI mode off also gives NULL on most bad values but
  fails on the word varchar.
-#}
{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ kscore.type_name(type) }})
{%- endmacro %}
