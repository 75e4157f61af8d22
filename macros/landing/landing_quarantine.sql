{#-
  landing_quarantine(table_name): the body of quarantine.<table> (spec 06):
  every quarantined landed row of base_landing__<table>, whole (all contract
  columns), with dt, source_file, source_row, the run that found it and one
  row per broken rule (`rule`).
-#}
{% macro landing_quarantine(table_name) -%}
{%- set cols = kscore.landing_columns(table_name) -%}
with quarantined as (
    select * from {{ ref('base_landing__' ~ table_name) }}
    where row_status = 'quarantined'
),

final as (
    select
        {%- for c in cols %}
        quarantined.{{ c.name }},
        {%- endfor %}
        quarantined.dt,
        quarantined.source_file,
        quarantined.source_row,
        quarantined.run_id,
        broken_rule.rule
    from quarantined
    cross join {{ kscore.split_to_rows('quarantined.broken_rules', ';', 'broken_rule', 'rule') }}
)

select * from final
{%- endmacro %}
