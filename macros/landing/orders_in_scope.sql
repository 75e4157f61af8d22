{#-
  orders_in_scope(orders='orders'): CTE definitions (each followed by a comma)
  ending with `orders_in_scope`, the rows of the CTE `orders` (one row per
  order, with order_id and paid_date) that an incremental paid-day model must
  recompute: the paid days whose orders this run (re)staged, and the paid days
  of the orders that got a logistics event in this run (a late `collected` or
  `delivered` changes the facts of an old paid day). The first (full) build
  takes every order. Used by every model keyed by paid_date that reads the
  order milestones, so they all recompute the same days.
-#}
{% macro orders_in_scope(orders='orders') -%}
{% if is_incremental() %}
touched_paid_dates as (
    select touched_date as paid_date from {{ touched_dates(ref('base_landing__orders')) }}
    union
    select distinct o.paid_date
    from {{ ref('base_landing__logistics_events') }} as l
    inner join {{ orders }} as o on o.order_id = l.order_id
    where l.run_id = {{ kscore.sql_string(kscore.run_var("run_id")) }}
),

orders_in_scope as (
    select * from {{ orders }} where paid_date in (select paid_date from touched_paid_dates)
),
{% else %}
orders_in_scope as (
    select * from {{ orders }}
),
{% endif %}
{%- endmacro %}
