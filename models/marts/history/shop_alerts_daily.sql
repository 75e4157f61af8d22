{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  The alerts a merchant must hear about (issue 13 point 4): one row per (as_of_date D, shop_id,
  alert_type, subject_id) of an enabled type of seed history_alert_types, from the moves marts of D:
    tier_down       a product of the shop: move 'down' and -tier_change >= alert_tier_drop_min_steps
    score_down      the shop: score_move 'down' and -score_change >= alert_score_drop_min (both
                    rounded half-up to 6 decimals)
    exemption_lost  the shop: 高现货 exemption move 'lost'
    chuanliu_lost   the shop: 川流 eligibility move 'lost'
  Thresholds from seed history_params; a type without a seed row stops the build. message: the
  type's message_template with {subject_id}, {prev_label}, {label} and {drop} filled in.
-#}

with tier_moves as (
    select * from {{ ref('product_tier_moves_daily') }}
    where {{ in_build_range('as_of_date') }}
),

score_moves as (
    select * from {{ ref('shop_score_moves_daily') }}
    where {{ in_build_range('as_of_date') }}
),

exemption_moves as (
    select * from {{ ref('shop_exemption_moves_daily') }}
    where {{ in_build_range('as_of_date') }}
),

eligibility_moves as (
    select * from {{ ref('chuanliu_eligibility_moves_daily') }}
    where {{ in_build_range('as_of_date') }}
),

alert_types as (
    select * from {{ ref('history_alert_types') }}
),

params as (
    {{ seed_params('history_params', [
        ('alert_tier_drop_min_steps', 'tier_drop_min_steps', 'integer'),
        ('alert_score_drop_min', 'score_drop_min', 'double'),
    ]) }}
),

candidates as (
    select
        m.as_of_date,
        m.shop_id,
        'tier_down' as alert_type,
        m.product_id as subject_id,
        cast(m.prev_tier_rank as double) as prev_value,
        cast(m.tier_rank as double) as value,
        cast(-m.tier_change as double) as drop_value,
        cast(p.tier_drop_min_steps as double) as threshold,
        m.prev_tier as prev_label,
        m.tier as label,
        cast(-m.tier_change as {{ kscore.type_name('varchar') }}) as drop_text
    from tier_moves as m
    cross join params as p
    where m.move = 'down' and -m.tier_change >= p.tier_drop_min_steps

    union all

    select
        m.as_of_date,
        m.shop_id,
        'score_down' as alert_type,
        m.shop_id as subject_id,
        m.prev_experience_score as prev_value,
        m.experience_score as value,
        {{ round_half_up('-m.score_change', 6) }} as drop_value,
        {{ round_half_up('p.score_drop_min', 6) }} as threshold,
        {{ format_decimals('m.prev_experience_score', 2) }} as prev_label,
        {{ format_decimals('m.experience_score', 2) }} as label,
        {{ format_decimals('-m.score_change', 2) }} as drop_text
    from score_moves as m
    cross join params as p
    where m.score_move = 'down'
      and {{ round_half_up('-m.score_change', 6) }} >= {{ round_half_up('p.score_drop_min', 6) }}

    union all

    select
        m.as_of_date,
        m.shop_id,
        'exemption_lost' as alert_type,
        m.shop_id as subject_id,
        1.0 as prev_value,
        0.0 as value,
        cast(null as double) as drop_value,
        cast(null as double) as threshold,
        cast(m.prev_benefit_week_start as {{ kscore.type_name('varchar') }}) as prev_label,
        cast(m.benefit_week_start as {{ kscore.type_name('varchar') }}) as label,
        cast(null as {{ kscore.type_name('varchar') }}) as drop_text
    from exemption_moves as m
    where m.move = 'lost'

    union all

    select
        m.as_of_date,
        m.shop_id,
        'chuanliu_lost' as alert_type,
        m.shop_id as subject_id,
        1.0 as prev_value,
        0.0 as value,
        cast(null as double) as drop_value,
        cast(null as double) as threshold,
        cast(null as {{ kscore.type_name('varchar') }}) as prev_label,
        m.ineligible_reasons_cn as label,
        cast(null as {{ kscore.type_name('varchar') }}) as drop_text
    from eligibility_moves as m
    where m.move = 'lost'
),

final as (
    select
        c.as_of_date,
        cast(c.shop_id as bigint) as shop_id,
        c.alert_type,
        t.alert_type_cn,
        t.subject_type,
        cast(c.subject_id as bigint) as subject_id,
        cast(t.sort_order as integer) as alert_rank,
        cast(c.prev_value as double) as prev_value,
        cast(c.value as double) as value,
        c.drop_value,
        c.threshold,
        c.prev_label,
        c.label,
        replace(replace(replace(replace(t.message_template,
            '{subject_id}', cast(c.subject_id as {{ kscore.type_name('varchar') }})),
            '{prev_label}', coalesce(c.prev_label, '')),
            '{label}', coalesce(c.label, '')),
            '{drop}', coalesce(c.drop_text, '')) as message
    from candidates as c
    left join alert_types as t on t.alert_type = c.alert_type
    where case when t.alert_type is null
               then {{ kscore.raise_error('seed history_alert_types lacks an alert type') }}
               else t.is_enabled end
)

select * from final
