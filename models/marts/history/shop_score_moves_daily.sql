{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  店铺体验分 moves (issue 13 point 4): one row per (as_of_date D, shop with a
  shop_experience_score_daily row on D or on D-1), its stage and score on D against D-1 (macro
  history_day_pairs). stage_rank as the funnel marts: 1 for 正式期 (is_scored), 0 for 成长期.
  score_change and score_100_change are rounded half-up to 6 decimals (the scores are already
  2-decimal values; the rounding drops the float noise of the difference before any comparison).
  score_move: up · down · same · gained (成长期 → scored) · lost (scored → unscored) · new · gone ·
  no_previous; stage_move: up · down · same · new · gone · no_previous.
-#}

with score_pairs as (
    {{ history_day_pairs(ref('shop_experience_score_daily'), ['shop_id'],
                         ['score_stage', 'is_scored', 'experience_score_100',
                          'experience_score']) }}
),

ranked as (
    select
        *,
        case when prev_is_scored then 1 when not prev_is_scored then 0 end as prev_stage_rank,
        case when is_scored then 1 when not is_scored then 0 end as stage_rank,
        {{ round_half_up('experience_score - prev_experience_score', 6) }} as score_change,
        {{ round_half_up('experience_score_100 - prev_experience_score_100', 6) }}
            as score_100_change
    from score_pairs
),

final as (
    select
        as_of_date,
        shop_id,
        prev_score_stage,
        score_stage,
        cast(prev_stage_rank as integer) as prev_stage_rank,
        cast(stage_rank as integer) as stage_rank,
        {{ history_move('prev_stage_rank', 'stage_rank') }} as stage_move,
        prev_experience_score_100,
        experience_score_100,
        score_100_change,
        prev_experience_score,
        experience_score,
        score_change,
        {{ history_move('prev_experience_score', 'experience_score') }} as score_move
    from ranked
)

select * from final
