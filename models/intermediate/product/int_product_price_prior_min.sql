{{ config(materialized='table') }}
{#-
  min_daily_unit_price_prior (价格力, spec 09 §3) per as_of_date × product of 02's
  population: the lowest daily unit price (Σ pay / Σ qty of the day's priced
  orders, 2 decimals) over the days of H = D-price_history_days …
  D-recent_price_days-1 with priced orders; no row when H has none.

  A minimum cannot be an interval sum, and a window frame would need the window
  length as a literal. So the sliding minimum is van Herk / Gil-Werman's: the
  timeline is cut into blocks of L = price_history_days - recent_price_days days
  (the length of H); H = [a, b] spans at most two consecutive blocks, and its
  minimum is min(suffix minimum of a's block from a, prefix minimum of b's block
  up to b). Both are running minima (ROWS frames) over the priced days and the
  probes of a block: two sorts, no join of each as_of_date to its days.
-#}
{%- set first_day = "cast(" ~ kscore.sql_string(kscore.run_var('from_date')) ~ " as date)" -%}
{%- set last_day = "cast(" ~ kscore.sql_string(kscore.run_var('to_date')) ~ " as date)" -%}
{#- the block of the date put for DAY_EXPR: whole days since 1970-01-01 (hours_between is
    dispatched) divided by block_days, rounded down -#}
{%- set block_of = "cast(floor(cast(round("
                   ~ hours_between("cast('1970-01-01' as date)", 'DAY_EXPR')
                   ~ " / 24) as bigint) / block_days) as bigint)" -%}

with population as (
    select as_of_date, product_id from {{ ref('int_product_tier_indicators') }}
),

price_daily as (
    select * from {{ ref('int_product_price_daily') }}
),

params as (
    select sp.*, sp.price_history_days - sp.recent_price_days as block_days
    from (
        {{ seed_params('product_extra_params', [
            ('recent_price_days', 'recent_price_days', 'integer'),
            ('price_history_days', 'price_history_days', 'integer'),
        ]) }}
    ) as sp
),

{#- the priced days that some as_of_date of the build can see in H -#}
daily_prices as (
    select
        d.product_id,
        d.paid_date as price_day,
        cast({{ round_half_up('d.priced_gmv / d.priced_quantity', 2) }} as decimal(18, 2))
            as unit_price,
        p.block_days
    from price_daily as d
    cross join params as p
    where d.priced_quantity > 0
      and d.paid_date >= {{ add_days(first_day, '-p.price_history_days') }}
      and d.paid_date <= {{ add_days(last_day, '-p.recent_price_days - 1') }}
),

priced_products as (
    select distinct product_id from daily_prices
),

{#- each probe twice: at a (suffix minimum of its block) and at b (prefix minimum of its block) -#}
probes as (
    select
        pop.as_of_date,
        pop.product_id,
        {{ add_days('pop.as_of_date', '-p.price_history_days') }} as a_day,
        {{ add_days('pop.as_of_date', '-p.recent_price_days - 1') }} as b_day,
        p.block_days
    from population as pop
    inner join priced_products as pp on pp.product_id = pop.product_id
    cross join params as p
),

events as (
    select
        d.product_id,
        d.price_day,
        {{ block_of | replace('DAY_EXPR', 'd.price_day') }} as block,
        0 as is_probe,
        cast(null as date) as as_of_date,
        cast(null as {{ kscore.type_name('varchar') }}) as side,
        d.unit_price
    from daily_prices as d
    union all
    select
        product_id,
        a_day,
        {{ block_of | replace('DAY_EXPR', 'a_day') }},
        1,
        as_of_date,
        'suffix',
        null
    from probes
    union all
    select
        product_id,
        b_day,
        {{ block_of | replace('DAY_EXPR', 'b_day') }},
        1,
        as_of_date,
        'prefix',
        null
    from probes
),

{#- a day's prices come before its probes in both directions, so a and b are inside H -#}
running_minima as (
    select
        as_of_date,
        product_id,
        is_probe,
        case when side = 'suffix'
             then min(unit_price) over (
                 partition by product_id, block order by price_day desc, is_probe asc
                 rows between unbounded preceding and current row)
             else min(unit_price) over (
                 partition by product_id, block order by price_day, is_probe
                 rows between unbounded preceding and current row)
        end as part_min
    from events
),

final as (
    select
        as_of_date,
        product_id,
        min(part_min) as min_daily_unit_price_prior
    from running_minima
    where is_probe = 1
    group by as_of_date, product_id
    having min(part_min) is not null
)

select * from final
