{#-
  run_var(name): a per-run value of the build: from_date, to_date (the
  as_of_dates, spec 07) or run_id (the run that stages and quarantines rows).

  The runner passes them in the environment (KSCORE_FROM_DATE,
  KSCORE_TO_DATE, KSCORE_RUN_ID), not in --vars: dbt re-parses the whole
  project whenever --vars change, while a changed environment variable
  re-parses only the files that read it, so a daily run keeps dbt's partial
  parsing. A --vars value (or a unit test's `overrides: vars:`) still wins.
  Without either: the project's manual defaults (2023-01-31, "manual").
-#}
{% macro run_var(name) -%}
    {%- set defaults = {'from_date': '2023-01-31', 'to_date': '2023-01-31', 'run_id': 'manual'} -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("run_var: unknown per-run value " ~ name ~ " (from_date, to_date, run_id)") }}
    {%- endif -%}
    {{ return(var(name, env_var('KSCORE_' ~ (name | upper), defaults[name]))) }}
{%- endmacro %}
