{#-
  The 生意通 periods per as_of_date of the build (spec 09 §1.1): for every as_of_date D and every row
  of seed funnel_periods, the period shown (period_start … period_end) and its comparison period
  (prev_start … prev_end), from the seed's period_kind and period_days (macros funnel_period_start /
  funnel_period_end: a natural week or month is the last one complete by D-1), their lengths, and
  whether each lies inside the data history: history_start is the earliest dt of any staged orders
  row.
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

periods as (
    select * from {{ ref('funnel_periods') }}
),

history as (
    select min(dt) as history_start from {{ ref('stg_landing__orders') }}
),

bounds as (
    select
        s.as_of_date,
        p.period_type,
        p.period_type_cn,
        p.period_rank,
        p.period_kind,
        {%- for prefix, k in [('period', 1), ('prev', 2)] %}
        {{ funnel_period_start('p.period_kind', 'p.period_days', 's.as_of_date', k) }}
            as {{ prefix }}_start,
        {{ funnel_period_end('p.period_kind', 'p.period_days', 's.as_of_date', k) }}
            as {{ prefix }}_end{{ ',' if not loop.last }}
        {%- endfor %}
    from spine as s
    cross join periods as p
),

final as (
    select
        b.as_of_date,
        b.period_type,
        b.period_type_cn,
        b.period_rank,
        b.period_kind,
        b.period_start,
        b.period_end,
        b.prev_start,
        b.prev_end,
        {%- for prefix in ['period', 'prev'] %}
        cast({{ dbt.datediff('b.' ~ prefix ~ '_start', 'b.' ~ prefix ~ '_end',
            'day') }} + 1 as integer)
            as {{ prefix }}_days,
        {%- endfor %}
        coalesce(b.period_start >= h.history_start, false) as period_complete,
        coalesce(b.prev_start >= h.history_start, false) as prev_complete
    from bounds as b
    cross join history as h
)

select * from final
