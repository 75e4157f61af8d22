{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#- 店铺在售商品的分层分布 (spec 02 summaries): per as_of_date × shop, the tiered (on-sale) products and how
    many are in each of G0…G4 -#}

{{ tier_summary('shop_id') }}
