{#-
  not_materialized(): the CTE hint that keeps a CTE referenced more than once
  inlined (DuckDB: `as not materialized (...)`; write `name as
  {{ not_materialized() }} (...)`). DuckDB materialises such a CTE whole by
  default, in memory: at medium an import CTE of a daily pre-aggregate read by
  two branches of a contributions union was a full copy of the table, and the
  build ran out of memory (issue 15). Spark inlines CTEs anyway: no hint.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'kscore')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
