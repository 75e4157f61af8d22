{#-
  seed_params(seed, params)

  The one pivot of a long parameter seed (columns param, value, description) into
  a single row with one column per parameter, e.g.

    params as (
        {{ seed_params('experience_params', [
            ('window_days', 'window_days', 'integer'),
            ('min_orders_scored', 'min_orders_scored'),
        ]) }}
    ),

  params: a list of (param, column[, type]): the seed's `param` name, the column
  it becomes, and optionally the type it is cast to (else the seed's value type).
  A parameter the seed lacks stops the model with "seed <seed> has no parameter
  <param>" when the column is read (a missing rule is never a silent NULL).
-#}
{% macro seed_params(seed, params) -%}
    select
        {%- for p in params %}
        {%- set value = "max(case when param = " ~ kscore.sql_string(p[0]) ~ " then value end)" %}
        {%- set typed = "cast(" ~ value ~ " as " ~ p[2] ~ ")" if p | length > 2 and p[2] else value %}
        case when count(case when param = {{ kscore.sql_string(p[0]) }} then 1 end) = 0
             then {{ kscore.raise_error('seed ' ~ seed ~ ' has no parameter ' ~ p[0]) }}
             else {{ typed }} end as {{ p[1] }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ ref(seed) }}
{%- endmacro %}
