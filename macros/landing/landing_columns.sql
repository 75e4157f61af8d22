{#-
  landing_columns(table_name): the raw contract's columns of a landing table
  as a list of {name, data_type, nullable}, read from the source definition
  (models/staging/landing/_landing__sources.yml is the one place the raw
  contract's types are written down). Excludes the partition column dt.
-#}
{% macro landing_columns(table_name) -%}
    {%- set cols = [] -%}
    {%- if not execute -%}{{ return(cols) }}{%- endif -%}
    {%- for node in graph.sources.values() if node.source_name == 'landing' and node.name == table_name -%}
        {%- for col in node.columns.values() if col.name != 'dt' -%}
            {%- do cols.append({'name': col.name, 'data_type': col.data_type, 'nullable': col.meta.get('nullable', false)}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if cols | length == 0 -%}
        {{ exceptions.raise_compiler_error("landing table '" ~ table_name ~ "' has no columns in the landing source definition") }}
    {%- endif -%}
    {{ return(cols) }}
{%- endmacro %}
