{#-
  get_fixture_sql(rows, column_name_to_data_types): dbt's unit-test fixture
  (a given input's rows as SQL), overriding dbt's global macro of that name.

  DuckDB (and every adapter but Spark): dbt's own macro, unchanged.
  Spark: the rows as ONE inline table, `select * from values (…), (…) as
  fixture(<columns>)`, instead of dbt's `select … union all select …`. The
  values are the same expressions (format_row: literals cast to the
  relation's types; a column the fixture leaves out is a typed NULL). Spark's
  analyzer copies a relation's plan for every self-join of a CTE
  (DeduplicateRelations); a union of one SELECT per row multiplied that into
  an OutOfMemoryError in int_product_tier_scores's peer-group unit test (2 GB
  driver), an inline table is one leaf. With no rows: dbt's macro.
-#}
{% macro get_fixture_sql(rows, column_name_to_data_types) %}
{%- if target.type != 'spark' or (rows | length) == 0 -%}
    {{ return(dbt.get_fixture_sql(rows, column_name_to_data_types)) }}
{%- endif %}
-- Fixture for {{ model.name }} (one inline table)
{%- set default_row = {} -%}
{%- if not column_name_to_data_types -%}
{%-   set this_or_defer_relation = defer_relation if (defer_relation and not load_relation(this)) else this -%}
{%-   set columns_in_relation = adapter.get_columns_in_relation(this_or_defer_relation) -%}
{%-   set column_name_to_data_types = {} -%}
{%-   set column_name_to_quoted = {} -%}
{%-   for column in columns_in_relation -%}
{%-     do column_name_to_data_types.update({column.name | lower: column.data_type}) -%}
{%-     do column_name_to_quoted.update({column.name | lower: column.quoted}) -%}
{%-   endfor -%}
{%- endif -%}
{%- if not column_name_to_data_types -%}
    {{ exceptions.raise_compiler_error("Not able to get columns for unit test '" ~ model.name ~ "' from relation " ~ this ~ " because the relation doesn't exist") }}
{%- endif -%}
{%- for column_name, column_type in column_name_to_data_types.items() -%}
    {%- do default_row.update({column_name: (safe_cast("null", column_type) | trim)}) -%}
{%- endfor %}
select * from values
{%- for row in rows %}
    {%- set formatted_row = format_row(row, column_name_to_data_types) -%}
    {%- set default_row_copy = default_row.copy() -%}
    {%- do default_row_copy.update(formatted_row) %}
    ({% for column_name, column_value in default_row_copy.items() %}{{ column_value }}{{ ', ' if not loop.last }}{% endfor %}){{ ',' if not loop.last }}
{%- endfor %}
    as fixture({% for column_name in default_row.keys() %}{{ column_name_to_quoted[column_name] }}{{ ', ' if not loop.last }}{% endfor %})
{% endmacro %}
