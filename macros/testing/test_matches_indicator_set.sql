{#-
  Generic data test matches_indicator_set(model, indicators, columns): the
  rows where a seed of indicator weights and the models disagree about the
  indicators. `indicators` names the macro that lists what the models compute
  (shop_experience_indicators, creator_reputation_indicators,
  product_tier_indicators, product_extra_indicators); `columns` the keys both must agree on (the
  indicator and its dimension). An indicator in the seed that no model
  computes would get no value; one computed but not in the seed would get no
  weight: both fail, each row naming which side lacks it.
-#}
{% test matches_indicator_set(model, indicators, columns) %}
{#- named, not looked up: a generic test cannot call a macro by a name held in a variable #}
{%- if indicators == 'shop_experience_indicators' %}{% set computed = kscore.shop_experience_indicators() %}
{%- elif indicators == 'creator_reputation_indicators' %}{% set computed = kscore.creator_reputation_indicators() %}
{%- elif indicators == 'product_tier_indicators' %}{% set computed = kscore.product_tier_indicators() %}
{%- elif indicators == 'product_extra_indicators' %}{% set computed = kscore.product_extra_indicators() %}
{%- else %}{{ exceptions.raise_compiler_error('matches_indicator_set: no indicator list named ' ~ indicators) }}
{%- endif %}
with computed as (
    {%- for row in computed %}
    select {% for c in columns %}{{ kscore.sql_string(row[c]) }} as {{ c }}{{ ', ' if not loop.last }}{% endfor %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

in_seed as (
    select {{ columns | join(', ') }} from {{ model }}
),

final as (
    select 'in the seed, not computed by the models' as problem, *
    from (select * from in_seed except select * from computed) as s
    union all
    select 'computed by the models, not in the seed' as problem, *
    from (select * from computed except select * from in_seed) as c
)

select * from final
{% endtest %}
