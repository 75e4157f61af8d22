{#-
  快质造 criteria per check Monday M × shop (spec 09 §4.1): each metric of
  int_kuaizhizao_check_metrics compared with its row of seed kuaizhizao_criteria
  ('>=' or '<=' threshold; a NULL metric fails), meets_criteria when all hold,
  failed_criteria the failing ones in sort_order joined by ';' ('' when none), and the
  analyst-kept facts as of M: has_major_complaint (a kuaizhizao_major_complaints row
  with found_on < M) and latest_applied_on (the latest kuaizhizao_applications
  applied_on < M, read in admission_mode listed).
-#}

with metrics as (
    select * from {{ ref('int_kuaizhizao_check_metrics') }}
),

criteria as (
    select * from {{ ref('kuaizhizao_criteria') }}
),

complaints as (
    select * from {{ ref('kuaizhizao_major_complaints') }}
),

applications as (
    select * from {{ ref('kuaizhizao_applications') }}
),

criterion_values as (
    select
        m.check_date,
        m.shop_id,
        c.criterion,
        c.sort_order,
        c.comparison,
        c.threshold,
        case c.criterion
            when 'experience_score' then m.experience_score
            when 'quality_refund_order_rate' then m.quality_refund_order_rate
            when 'good_quality_product_share' then m.good_quality_product_share
        end as metric_value
    from metrics as m
    cross join criteria as c
),

criterion_results as (
    select
        check_date,
        shop_id,
        criterion,
        sort_order,
        case
            when metric_value is null then false
            when comparison = '>=' then metric_value >= threshold
            when comparison = '<=' then metric_value <= threshold
            else false
        end as passes
    from criterion_values
),

shop_results as (
    select
        check_date,
        shop_id,
        min(case when passes then 1 else 0 end) = 1 as meets_criteria,
        coalesce({{ string_agg_ordered('case when not passes then criterion end', ';',
            'sort_order') }}, '')
            as failed_criteria
    from criterion_results
    group by check_date, shop_id
),

complaint_flags as (
    select m.check_date, m.shop_id
    from metrics as m
    inner join complaints as c on c.shop_id = m.shop_id and c.found_on < m.check_date
    group by m.check_date, m.shop_id
),

latest_applications as (
    select m.check_date, m.shop_id, max(a.applied_on) as latest_applied_on
    from metrics as m
    inner join applications as a on a.shop_id = m.shop_id and a.applied_on < m.check_date
    group by m.check_date, m.shop_id
),

final as (
    select
        m.*,
        coalesce(r.meets_criteria, true) as meets_criteria,
        coalesce(r.failed_criteria, '') as failed_criteria,
        f.shop_id is not null as has_major_complaint,
        a.latest_applied_on
    from metrics as m
    left join shop_results as r on r.check_date = m.check_date and r.shop_id = m.shop_id
    left join complaint_flags as f on f.check_date = m.check_date and f.shop_id = m.shop_id
    left join latest_applications as a on a.check_date = m.check_date and a.shop_id = m.shop_id
)

select * from final
