{#-
  Schemas are the spec's names (`marts`, `quarantine`, `ops`, ...), not dbt's
  default `<target>_<custom>` concatenation: analysts query `marts.*`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
