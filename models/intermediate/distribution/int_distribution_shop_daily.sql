-- depends_on: {{ ref('base_landing__orders') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#- per (shop, paid day): GMV of all the shop's orders (shop_gmv, the denominator of
    分销GMV占比) and of its distributed orders (creator_id set), for the windows of 09 §2.2 -#}

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
        cast(sum(pay_amount) as decimal(18, 2)) as shop_gmv,
        cast(sum(case when creator_id is not null then pay_amount else 0 end) as decimal(18, 2))
            as distributed_gmv
    from orders
    group by shop_id, paid_date
)

select * from final
