{#-
  row_content_hash(columns): one value per row that differs when any of the
  columns differs, for the identical-copy check of a key landed more than once
  (compared within one query, never stored). Dispatched: DuckDB's 64-bit hash()
  of the columns themselves (no text built per row; two different copies of one
  key collide with probability 2^-64); the default, and Spark, md5 of the
  columns as text ('|'-joined, NULL as '<null>').
-#}
{% macro row_content_hash(columns) -%}
    {{ return(adapter.dispatch('row_content_hash', 'kscore')(columns)) }}
{%- endmacro %}

{% macro default__row_content_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for c in columns -%}
        {%- do parts.append("coalesce(cast(" ~ c ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
        {%- if not loop.last %}{%- do parts.append("'|'") -%}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{% macro duckdb__row_content_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}
