{#-
  landing_fk_missing(column, parent, parent_column=none): a row-rule
  condition, TRUE when r.<column> is set but no staged row of the parent base
  model has it (spec 06: foreign keys resolvable by the time the run sees
  them). Use with recheck_rules so that the orphan is released later.
-#}
{% macro landing_fk_missing(column, parent, parent_column=none) -%}
    (r.{{ column }} is not null and not exists (
        select 1 from {{ parent }} as parent_row
        where parent_row.{{ parent_column or column }} = r.{{ column }}
          and parent_row.row_status = 'staged'))
{%- endmacro %}
