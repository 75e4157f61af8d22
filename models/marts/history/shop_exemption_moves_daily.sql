{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  高现货 exemption moves (issue 13 point 4): one row per (as_of_date D, shop with a
  shop_ship_exemption_weekly row for the benefit week in force on D or on D-1). The week in force on
  a day X is the one starting on Mon(X): on a Monday D the pair compares the new benefit week with
  last week's, on other days the same week as published on D and on D-1 (a late delivery may flip
  it). A shop without a row for its week (no paid order in the data week) is not exempt, so move is
  gained · lost · same or no_previous (D-1 not built), never new / gone (macro history_move,
  absent_is_false).
-#}

with exemption_pairs as (
    {{ history_day_pairs(ref('shop_ship_exemption_weekly'), ['shop_id'], ['is_exempt'],
                         where="benefit_week_start = cast(" ~ dbt.date_trunc('week', 'as_of_date')
                               ~ " as date)") }}
),

final as (
    select
        as_of_date,
        shop_id,
        cast({{ dbt.date_trunc('week', add_days('as_of_date', -1)) }} as date)
            as prev_benefit_week_start,
        cast({{ dbt.date_trunc('week', 'as_of_date') }} as date) as benefit_week_start,
        case when previous_built then coalesce(prev_is_exempt, false) end as prev_is_exempt,
        coalesce(is_exempt, false) as is_exempt,
        {{ history_move('prev_is_exempt', 'is_exempt', kind='flag', absent_is_false=true) }} as move
    from exemption_pairs
)

select * from final
