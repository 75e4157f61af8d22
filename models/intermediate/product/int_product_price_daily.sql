-- depends_on: {{ ref('base_landing__orders') }} {{ ref('base_landing__logistics_events') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#-
  Priced orders per product × paid day (价格力, spec 09 §3): a priced order is
  an order of the product that is neither presale nor 闪电购 while the
  parameters price_exclude_presale / price_exclude_flash_purchase are true.
  The day's Σ pay_amount and Σ quantity give its unit price (Σ pay / Σ qty);
  windows R and H sum these rows. Recomputes the paid days int_orders_enriched
  recomputes.
-#}

with orders as (
    select * from {{ ref('int_orders_enriched') }}
),

params as (
    {{ seed_params('product_extra_params', [
        ('price_exclude_presale', 'exclude_presale', 'boolean'),
        ('price_exclude_flash_purchase', 'exclude_flash_purchase', 'boolean'),
    ]) }}
),

{{ orders_in_scope('orders') }}

priced_orders as (
    select o.*
    from orders_in_scope as o
    cross join params as p
    where not (p.exclude_presale and coalesce(o.is_presale, false))
      and not (p.exclude_flash_purchase and coalesce(o.is_flash_purchase, false))
),

final as (
    select
        product_id,
        paid_date,
        count(*) as priced_orders,
        cast(sum(pay_amount) as decimal(18, 2)) as priced_gmv,
        cast(sum(quantity) as bigint) as priced_quantity
    from priced_orders
    group by product_id, paid_date
)

select * from final
