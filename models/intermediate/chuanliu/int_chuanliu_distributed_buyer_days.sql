-- depends_on: {{ ref('base_landing__orders') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#- one row per (shop, buyer, paid day) with at least one distributed order (creator_id set): the
    per-buyer pre-aggregate that distinct-buyer windows are counted from (distinct counts cannot be
    summed over days) -#}

with orders as (
    select * from {{ ref('stg_landing__orders') }}
    where creator_id is not null
    {% if is_incremental() %}
      and paid_date in (select touched_date from {{ touched_dates(ref('base_landing__orders')) }})
    {% endif %}
),

final as (
    select
        shop_id,
        buyer_id,
        paid_date,
        count(*) as distributed_orders
    from orders
    group by shop_id, buyer_id, paid_date
)

select * from final
