{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='check_date') }}
{#-
  快质造 weekly label state per check Monday × shop (spec 09 §4.2). The state machine
  is sequential over weeks: a recursive CTE (macro with_recursive) walks the check
  Mondays from the first one this build computes (int_kuaizhizao_check_dates) through
  to_date (or through the newest held week, when a backfill recomputes earlier days),
  starting from each shop's state in its latest held row before it (not_member
  without one). Earlier rows are final and not recomputed; a --full-refresh recomputes
  every week from first_check_date. Rules, first that applies: permanent clearance,
  admission (auto or listed mode), active, warning (strict end: removed_on =
  rectification_ends_on). A shop has a row when it is in scope or its previous state
  is not not_member.
-#}

{{ with_recursive() }} check_dates as (
    select check_date from {{ ref('int_kuaizhizao_check_dates') }}
),

checks as (
    select * from {{ ref('int_kuaizhizao_check_criteria') }}
),

states as (
    select * from {{ ref('kuaizhizao_states') }}
),

params as (
    {{ seed_params('kuaizhizao_params', [
        ('rectification_days', 'rectification_days', 'integer'),
        ('reentry_wait_days', 'reentry_wait_days', 'integer'),
        ('admission_mode', 'admission_mode'),
    ]) }}
),

checked_params as (
    select
        rectification_days,
        reentry_wait_days,
        case when admission_mode in ('auto', 'listed') then admission_mode
             else {{ kscore.raise_error('kuaizhizao_params admission_mode must be auto or '
                                        ~ 'listed') }}
        end as admission_mode
    from params
),

{#- through to_date, or through the newest held week when a backfill recomputes an earlier one -#}
bounds as (
    select
        min(d.check_date) as first_week,
        greatest(cast({{ kscore.sql_string(kscore.run_var('to_date')) }} as date),
                 coalesce((select max(check_date) from checks),
                          cast({{ kscore.sql_string(kscore.run_var('to_date')) }} as date)))
            as last_week
    from check_dates as d
),

weeks as (
    select
        check_date,
        row_number() over (order by check_date) as week_no
    from {{ monday_series('bounds', 'first_week', 'last_week') }} as m
),

previous as (
    {%- if is_incremental() %}
    select *
    from (
        select
            t.*,
            row_number() over (partition by t.shop_id order by t.check_date desc) as recency
        from {{ this }} as t
        cross join bounds as b
        where t.check_date < b.first_week
    ) as held
    where recency = 1
    {%- else %}
    select
        cast(null as bigint) as shop_id,
        cast(null as {{ kscore.type_name('varchar') }}) as state_code,
        cast(null as date) as member_since,
        cast(null as date) as warning_on,
        cast(null as date) as rectification_ends_on,
        cast(null as date) as removed_on,
        cast(null as {{ kscore.type_name('varchar') }}) as removal_reason
    where 1 = 0
    {%- endif %}
),

week_checks as (
    select c.*, w.week_no
    from checks as c
    inner join weeks as w on w.check_date = c.check_date
),

shops as (
    select shop_id from week_checks where in_scope
    union
    select shop_id from previous where state_code <> 'not_member'
),

grid as (
    select
        s.shop_id,
        w.week_no,
        w.check_date,
        coalesce(c.in_scope, false) as in_scope,
        coalesce(c.meets_criteria, false) as meets_criteria,
        coalesce(c.has_major_complaint, false) as has_major_complaint,
        c.latest_applied_on
    from shops as s
    cross join weeks as w
    left join week_checks as c on c.shop_id = s.shop_id and c.week_no = w.week_no
),

chain as (
    select
        s.shop_id,
        cast(0 as bigint) as week_no,
        cast(null as {{ kscore.type_name('varchar') }}) as previous_state_code,
        coalesce(p.state_code, 'not_member') as state_code,
        cast(null as {{ kscore.type_name('varchar') }}) as transition,
        p.member_since,
        p.warning_on,
        p.rectification_ends_on,
        p.removed_on,
        p.removal_reason
    from shops as s
    left join previous as p on p.shop_id = s.shop_id
    union all
    select
        shop_id,
        week_no,
        previous_state_code,
        {{ kuaizhizao_next_state() }}
    from (
        select
            c.shop_id,
            g.week_no,
            g.check_date,
            c.state_code as previous_state_code,
            c.member_since,
            c.warning_on,
            c.rectification_ends_on,
            c.removed_on,
            c.removal_reason,
            p.rectification_days,
            {{ kuaizhizao_decision('c', 'g', 'p') }} as decision
        from chain as c
        inner join grid as g on g.shop_id = c.shop_id and g.week_no = c.week_no + 1
        cross join checked_params as p
    ) as step
),

final as (
    select
        w.check_date,
        {{ add_days('w.check_date', -1) }} as data_through,
        ch.shop_id,
        c.main_category_id,
        coalesce(c.in_scope, false) as in_scope,
        coalesce(c.is_scored, false) as is_scored,
        c.experience_score,
        c.quality_refund_order_rate,
        c.good_quality_product_share,
        coalesce(c.meets_criteria, false) as meets_criteria,
        coalesce(c.failed_criteria, '') as failed_criteria,
        coalesce(c.has_major_complaint, false) as has_major_complaint,
        st.state_code,
        st.state,
        st.state_rank,
        st.has_label,
        ch.transition,
        ch.member_since,
        ch.warning_on,
        ch.rectification_ends_on,
        ch.removed_on,
        ch.removal_reason,
        {{ add_days('ch.removed_on', 'p.reentry_wait_days') }} as reentry_allowed_from
    from chain as ch
    inner join weeks as w on w.week_no = ch.week_no
    inner join states as st on st.state_code = ch.state_code
    cross join checked_params as p
    left join week_checks as c on c.shop_id = ch.shop_id and c.week_no = ch.week_no
    where ch.week_no >= 1
      and (coalesce(c.in_scope, false) or ch.previous_state_code <> 'not_member')
)

select * from final
