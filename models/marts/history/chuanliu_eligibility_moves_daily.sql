{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  川流计划 eligibility moves (issue 13 point 4): one row per (as_of_date D, shop with a
  chuanliu_shop_daily row on D or on D-1, i.e. active on either day), is_eligible on D against D-1
  (macro history_day_pairs). move: gained · lost · same · new · gone · no_previous (a shop that
  appears or disappears is new / gone, not gained / lost). The unmet conditions of D are carried in
  Chinese too (seed history_chuanliu_reasons, in its sort_order) for the alert text; a code the
  seed lacks is kept as is (first). The reward tier of both days is carried alongside.
-#}

with eligibility_pairs as (
    {{ history_day_pairs(ref('chuanliu_shop_daily'), ['shop_id'],
                         ['is_eligible', 'ineligible_reasons', 'reward_tier']) }}
),

reasons as (
    select * from {{ ref('history_chuanliu_reasons') }}
),

{#- each ;-separated code of D's ineligible_reasons with its Chinese text -#}
reason_items as (
    select
        e.as_of_date,
        e.shop_id,
        coalesce(r.reason_cn, i.reason) as reason_cn,
        coalesce(r.sort_order, 0) as sort_order
    from eligibility_pairs as e
    cross join {{ split_to_rows('e.ineligible_reasons', ';', 'i', 'reason') }}
    left join reasons as r on r.reason = i.reason
    where e.ineligible_reasons <> '' and i.reason <> ''
),

reasons_cn as (
    select
        as_of_date,
        shop_id,
        {{ string_agg_ordered('reason_cn', ';', 'sort_order') }} as ineligible_reasons_cn
    from reason_items
    group by as_of_date, shop_id
),

final as (
    select
        e.as_of_date,
        e.shop_id,
        e.prev_is_eligible,
        e.is_eligible,
        {{ history_move('e.prev_is_eligible', 'e.is_eligible', kind='flag') }} as move,
        e.ineligible_reasons,
        case when e.has_current then coalesce(rc.ineligible_reasons_cn, '') end
            as ineligible_reasons_cn,
        cast(e.prev_reward_tier as integer) as prev_reward_tier,
        cast(e.reward_tier as integer) as reward_tier,
        cast(e.reward_tier - e.prev_reward_tier as integer) as reward_tier_change
    from eligibility_pairs as e
    left join reasons_cn as rc on rc.as_of_date = e.as_of_date and rc.shop_id = e.shop_id
)

select * from final
