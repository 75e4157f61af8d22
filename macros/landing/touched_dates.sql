{#-
  touched_dates(base_model, date_column='dt'): a subquery of the distinct
  dates whose landed rows this run (re)processed (base rows carry the run
  that last staged them: kscore.run_var('run_id')). Downstream incremental models
  recompute exactly these dates (plus what they imply), so the staging
  look-back and late files flow through without rescanning history.
  The first build (not incremental) computes every date.
-#}
{% macro touched_dates(base_model, date_column='dt') -%}
    (select distinct {{ date_column }} as touched_date from {{ base_model }} where run_id = {{ kscore.sql_string(kscore.run_var("run_id")) }})
{%- endmacro %}
