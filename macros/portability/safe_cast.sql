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
