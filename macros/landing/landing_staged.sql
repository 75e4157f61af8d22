{#-
  landing_staged(table_name, entity_key=none, date_columns={})

  The body of a `stg_landing__<table>` model: the staged (valid,
  de-duplicated) rows of base_landing__<table>, with the contract's columns,
  dt, source_file and processed_by_run (the run that last (re)staged the
  row: incremental models downstream re-derive what this run touched), plus
  - date_columns: {new_column: timestamp_column} local-day DATE columns
    (e.g. paid_date from paid_at);
  - for change-record tables (entity_key given): valid_to, the updated_at of
    the entity's next version (NULL for the latest). The version in force for
    as_of_date D is the one with updated_at < D and (valid_to is NULL or
    valid_to >= D) — macro version_in_force.
-#}
{% macro landing_staged(table_name, entity_key=none, date_columns={}) -%}
{%- set cols = kscore.landing_columns(table_name) -%}
with base as (
    select * from {{ ref('base_landing__' ~ table_name) }}
    where row_status = 'staged'
),

final as (
    select
        {%- for c in cols %}
        {{ c.name }},
        {%- endfor %}
        {%- for name, ts in date_columns.items() %}
        cast({{ ts }} as date) as {{ name }},
        {%- endfor %}
        {%- if entity_key %}
        lead(updated_at) over (partition by {{ entity_key | join(', ') }} order by updated_at) as valid_to,
        {%- endif %}
        dt,
        source_file,
        run_id as processed_by_run
    from base
)

select * from final
{%- endmacro %}
