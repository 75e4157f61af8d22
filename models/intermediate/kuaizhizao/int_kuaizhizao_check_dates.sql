{{ config(materialized='table') }}
{#-
  The 快质造 check Mondays this build computes the criterion metrics of (spec 09 §4.1
  "a build for D computes the inputs of every check Monday <= D that it does not
  already hold"): every Monday M from first_check_date (seed kuaizhizao_params, or
  the dbt var kuaizhizao_first_check_date when set) through to_date that is one of this
  build's as_of_dates or is not yet held in int_kuaizhizao_check_metrics (none is held
  on a first or --full-refresh build). A cold start thus computes every Monday since
  the first check, a daily run at most its own Monday. The intermediates of the
  criteria add these Mondays to their as_of_date spine (macro as_of_dates_with_checks).
-#}
{%- set held = kuaizhizao_held_checks() %}

with params as (
    {{ seed_params('kuaizhizao_params', [('first_check_date', 'seed_first_check_date', 'date')]) }}
),

bounds as (
    select
        {%- if var('kuaizhizao_first_check_date', '') %}
        cast({{ kscore.sql_string(var('kuaizhizao_first_check_date')) }} as date)
            as first_check_date,
        {%- else %}
        p.seed_first_check_date as first_check_date,
        {%- endif %}
        cast({{ kscore.sql_string(kscore.run_var('to_date')) }} as date) as last_check_date
    from params as p
),

mondays as (
    select check_date from {{ monday_series('bounds', 'first_check_date', 'last_check_date') }} as m
),

final as (
    select
        m.check_date,
        ({{ in_build_range("m.check_date") }}) as is_build_date
    from mondays as m
    {%- if held is not none %}
    where {{ in_build_range('m.check_date') }}
       or not exists (select 1 from {{ held }} as h where h.check_date = m.check_date)
    {%- endif %}
)

select * from final
