{#-
  as_of_dates(): a relation with one row per as_of_date of this build,
  from kscore.run_var('from_date') to kscore.run_var('to_date') inclusive (spec 07: one dbt
  invocation computes a whole range set-based). Column: as_of_date (DATE).
  Dispatched so that another engine supplies its own series generator.
-#}
{% macro as_of_dates(from_date=none, to_date=none) -%}
    {{ return(adapter.dispatch('as_of_dates', 'kscore')(from_date or kscore.run_var('from_date'), to_date or kscore.run_var('to_date'))) }}
{%- endmacro %}

{% macro default__as_of_dates(from_date, to_date) -%}
    (select cast(d as date) as as_of_date
     from (select explode(sequence(to_date({{ kscore.sql_string(from_date) }}), to_date({{ kscore.sql_string(to_date) }}), interval 1 day)) as d) as s)
{%- endmacro %}

{% macro duckdb__as_of_dates(from_date, to_date) -%}
    (select cast(d as date) as as_of_date
     from generate_series(cast({{ kscore.sql_string(from_date) }} as date), cast({{ kscore.sql_string(to_date) }} as date), interval 1 day) as s(d))
{%- endmacro %}
