{#-
  in_build_range(date_column): TRUE for the rows whose date_column is one of
  this build's as_of_dates (run_var from_date … to_date, inclusive). The one
  build-range filter of the history marts (incremental by as_of_date: a run
  rewrites exactly its as_of_dates) and of their data tests (macro
  get_where_subquery).
-#}
{% macro in_build_range(date_column) -%}
    {{ date_column }} >= cast({{ kscore.sql_string(kscore.run_var('from_date')) }} as date)
    and {{ date_column }} <= cast({{ kscore.sql_string(kscore.run_var('to_date')) }} as date)
{%- endmacro %}
