{#-
  Incremental models on Spark (docs/spark.md): the project's incremental
  models (staging's base_landing__*, the incremental pre-aggregates and
  marts) use delete+insert by dt, which dbt-spark does not offer (append,
  merge, insert_overwrite, microbatch; merge needs Delta or Iceberg, not
  available offline). On Spark they are built whole, as a table, on each run:
  this materialization (the root project's wins over dbt-spark's for the
  spark adapter) delegates to dbt-spark's table materialization.
  The model SQL is compiled before the materialization runs, so a model whose
  table already exists would compile its incremental branch (reading {{ this }}
  while the table is replaced): that is refused with a message; build into an
  empty Spark folder or pass --full-refresh.
  DuckDB keeps dbt-duckdb's incremental materialization.
-#}
{% materialization incremental, adapter='spark' %}
    {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
    {%- if existing is not none and not should_full_refresh() -%}
        {{ exceptions.raise_compiler_error("On Spark the incremental model " ~ this ~ " is rebuilt whole (a table): its table exists, run with --full-refresh or into an empty Spark folder (docs/spark.md)") }}
    {%- endif -%}
    {{ return(materialization_table_spark()) }}
{% endmaterialization %}
