{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#- 类目商品分层分布 (spec 02 summaries): per as_of_date × leaf category, the tiered (on-sale) products,
    how many are in each of G0…G4, and the share of 好货 -#}

{{ tier_summary('category_id') }}
