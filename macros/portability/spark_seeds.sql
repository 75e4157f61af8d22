{#-
  Seeds on Spark: dbt-spark's spark__create_csv_table and spark__load_csv_rows
  (dbt-spark 1.11.0), with each column's type spelled for Spark by macro
  type_name (the seeds' column_types say varchar, which Spark does not accept
  without a length). The root project's spark__ macro wins the dispatch of the
  dbt namespace; DuckDB keeps dbt-duckdb's seed macros.
-#}
{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = kscore.type_name(column_override.get(col_name, inferred_type)) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}

{#- the values go into the SQL as literals, not as bindings: dbt-spark's session cursor substitutes
    bindings into the text without escaping, so a seed text with an apostrophe broke the statement -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              {%- set outer = loop -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = kscore.type_name(column_override.get(col_name, inferred_type)) -%}
                  {%- set value = row[loop.index0] -%}
                    cast({{ 'null' if value is none else kscore.spark_string_literal(value) }} as {{ type }})
                  {%- if not loop.last %},{%- endif %}
              {%- endfor -%})
              {%- if not outer.last %},{%- endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}

{#- a Spark SQL string literal holding `value` (Spark reads backslash escapes inside quotes) -#}
{% macro spark_string_literal(value) -%}
    '{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
