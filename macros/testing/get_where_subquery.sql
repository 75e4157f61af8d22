{#-
  get_where_subquery(relation): what a generic data test reads of the model it
  tests (overrides dbt's, which only applies the test's `where` config).

  A history table incremental by as_of_date (unique_key 'as_of_date': the
  marts and their scored intermediates) is judged on this build's
  as_of_dates only (macro in_build_range): a run deletes and re-inserts
  exactly those, every earlier day was judged by the run that wrote it and
  is unchanged, so a daily run does not rescan the whole history (issue 15).
  No test is dropped: every row is judged once, by the run that wrote it;
  a range or full build judges every day it builds. A test's own `where`
  config is kept (ANDed).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if execute and model.attached_node and model.attached_node in graph.nodes -%}
        {%- set tested = graph.nodes[model.attached_node] -%}
        {%- if tested.config.materialized == 'incremental' and tested.config.unique_key == 'as_of_date' -%}
            {%- do conditions.append('(' ~ kscore.in_build_range('as_of_date') ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
