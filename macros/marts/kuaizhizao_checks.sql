{#-
  as_of_dates_with_checks(): the as_of_date spine of the intermediates that feed the
  快质造 criteria (int_experience_shop_indicators, int_product_tier_indicators): this
  build's as_of_dates (as_of_dates()) plus the check Mondays the build must compute
  (int_kuaizhizao_check_dates: those not yet held, spec 09 §4.1). The marts of these
  intermediates keep only this build's as_of_dates (in_build_range), so the extra
  Mondays change no published row; a daily run adds none once the checks are held.
-#}
{% macro as_of_dates_with_checks() -%}
    {%- if kuaizhizao_checks_apply() %}
    (select as_of_date from {{ as_of_dates() }} as s
     union
     select check_date as as_of_date from {{ ref('int_kuaizhizao_check_dates') }})
    {%- else -%}
    {{ as_of_dates() }}
    {%- endif %}
{%- endmacro %}

{#-
  kuaizhizao_checks_apply(): FALSE inside a dbt unit test of the model whose spine is
  extended: its given inputs are those of its own rule, and the check Mondays are
  tested with the 快质造 models (a unit test cannot resolve a ref it is not given).
-#}
{% macro kuaizhizao_checks_apply() -%}
    {{ return(model is not none and model.resource_type != 'unit_test') }}
{%- endmacro %}

{#-
  kuaizhizao_held_checks(): the relation of the check metrics already held
  (int_kuaizhizao_check_metrics, incremental), or none on a first or --full-refresh
  build. Looked up by name, not ref(): the held table is downstream of the
  intermediates whose spine it shapes; what it held before this build is what counts.
-#}
{% macro kuaizhizao_held_checks() -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {#- a unit test compiles without the project graph: nothing is held there -#}
    {%- set node = (graph.get('nodes') or {}).get('model.kscore.int_kuaizhizao_check_metrics') -%}
    {%- if node is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}

{#-
  as_of_dates_with_checks_first_day(): the earliest as_of_date of
  as_of_dates_with_checks(), as a SQL DATE (the first day macro interval_sums keeps).
-#}
{% macro as_of_dates_with_checks_first_day() -%}
    {%- set from_day = "cast(" ~ kscore.sql_string(kscore.run_var('from_date')) ~ " as date)" -%}
    {%- if not kuaizhizao_checks_apply() -%}
    {{ return(from_day) }}
    {%- endif %}
    (select coalesce(min(case when check_date < {{ from_day }} then check_date end), {{ from_day }})
     from {{ ref('int_kuaizhizao_check_dates') }})
{%- endmacro %}
