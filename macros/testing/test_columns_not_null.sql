{#-
  Generic data test columns_not_null(columns): none of `columns` is NULL in any
  row. One scan of the model for all of its required columns (one dbt node
  instead of one not_null node per column: dbt's fixed cost per node is paid
  once per model). A failing row names the NULL columns and counts the rows.
-#}
{% test columns_not_null(model, columns) %}
select
    concat_ws(', '{% for c in columns %}, case when {{ c }} is null then {{ kscore.sql_string(c) }} end{% endfor %}) as null_columns,
    count(*) as null_rows
from {{ model }}
where {% for c in columns %}{{ c }} is null{{ ' or ' if not loop.last }}{% endfor %}
group by 1
{% endtest %}
