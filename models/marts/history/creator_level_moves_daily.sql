{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  达人 level and 带货口碑分 moves (issue 13 point 4): one row per (as_of_date D, creator with a
  creator_reputation_score_daily row on D or on D-1), on D against D-1 (macro history_day_pairs):
  the creator_level (达人等级, ordered by seed history_creator_levels), the stage and the five-point
  reputation_score. score_change rounded half-up to 6 decimals. Moves as shop_score_moves_daily; a
  creator_level missing from the seed has a NULL level_rank (the data test fails).
-#}

with reputation_pairs as (
    {{ history_day_pairs(ref('creator_reputation_score_daily'), ['creator_id'],
                         ['creator_level', 'score_stage', 'is_scored', 'reputation_score']) }}
),

levels as (
    select * from {{ ref('history_creator_levels') }}
),

ranked as (
    select
        r.*,
        pl.level_rank as prev_level_rank,
        cl.level_rank,
        case when r.prev_is_scored then 1 when not r.prev_is_scored then 0 end as prev_stage_rank,
        case when r.is_scored then 1 when not r.is_scored then 0 end as stage_rank,
        {{ round_half_up('r.reputation_score - r.prev_reputation_score', 6) }} as score_change
    from reputation_pairs as r
    left join levels as pl on pl.creator_level = r.prev_creator_level
    left join levels as cl on cl.creator_level = r.creator_level
),

final as (
    select
        as_of_date,
        creator_id,
        prev_creator_level,
        creator_level,
        cast(prev_level_rank as integer) as prev_level_rank,
        cast(level_rank as integer) as level_rank,
        cast(level_rank - prev_level_rank as integer) as level_change,
        {{ history_move('prev_level_rank', 'level_rank') }} as level_move,
        prev_score_stage,
        score_stage,
        {{ history_move('prev_stage_rank', 'stage_rank') }} as stage_move,
        prev_reputation_score,
        reputation_score,
        score_change,
        {{ history_move('prev_reputation_score', 'reputation_score') }} as score_move
    from ranked
)

select * from final
