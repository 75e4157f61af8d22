-- depends_on: {{ ref('base_landing__orders') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#- orders per shop and paid day that 川流 windows and tasks sum: distributed orders (with a
    creator), self-live orders and GMV -#}

with orders as (
    select * from {{ ref('stg_landing__orders') }}
    {% if is_incremental() %}
    where paid_date in (select touched_date from {{ touched_dates(ref('base_landing__orders')) }})
    {% endif %}
),

final as (
    select
        shop_id,
        paid_date,
        count(*) as paid_orders,
        sum(case when creator_id is not null then 1 else 0 end) as distributed_orders,
        sum(case when channel = 'self_live' then 1 else 0 end) as self_live_orders,
        cast(sum(case when channel = 'self_live' then pay_amount else 0 end) as decimal(18,
            2)) as self_live_gmv
    from orders
    group by shop_id, paid_date
)

select * from final
