{#-
  string_agg_ordered(measure, delimiter, order_by): the aggregate joining the
  non-NULL `measure` texts of a group with `delimiter`, in the order of the
  expression `order_by` (ascending). Give it a coalesce for groups with nothing
  to join (NULL on DuckDB, '' on Spark). Dispatched: DuckDB string_agg(… order
  by …); Spark sorts collect_list(struct(order_by, measure)) (dbt's spark
  listagg ignores the order).
-#}
{% macro string_agg_ordered(measure, delimiter, order_by) -%}
    {{ return(adapter.dispatch('string_agg_ordered', 'kscore')(measure, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__string_agg_ordered(measure, delimiter, order_by) -%}
    {{ dbt.listagg(measure, kscore.sql_string(delimiter), 'order by ' ~ order_by) }}
{%- endmacro %}

{% macro spark__string_agg_ordered(measure, delimiter, order_by) -%}
    array_join(transform(array_sort(collect_list(named_struct('k', {{ order_by }},
                                                              'v', {{ measure }}))),
                         kv -> kv.v),
               {{ kscore.sql_string(delimiter) }})
{%- endmacro %}
