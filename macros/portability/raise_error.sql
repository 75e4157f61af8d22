{#-
  raise_error(message): an expression that stops the query with `message` when
  it is evaluated (put it in the branch of a CASE that must never be taken).
  Dispatched: DuckDB error(), Spark (and the default) raise_error().
-#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'kscore')(message)) }}
{%- endmacro %}

{% macro default__raise_error(message) -%}
    raise_error({{ kscore.sql_string(message) }})
{%- endmacro %}

{% macro duckdb__raise_error(message) -%}
    error({{ kscore.sql_string(message) }})
{%- endmacro %}
