{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  信任购 data eligibility per product (spec 09 §5): one row per (as_of_date D, product of
  product_tier_daily for D), from the long rows of trust_purchase_indicators_daily. A product is
  data-eligible (满足数据考核) when it has at least one indicator row and meets every one; shortfall
  lists the unmet ones in the seed's sort_order (还需提升哪些指标), each as
  <indicator_cn><≥/≤><threshold>(差<gap>), or (无数据) for a NULL value, threshold and gap printed
  with the seed row's display_decimals. Empty when eligible, and when there is nothing to list.
-#}

with products as (
    select as_of_date, product_id, shop_id, category_id
    from {{ ref('product_tier_daily') }}
    where {{ in_build_range('as_of_date') }}
),

indicator_rows as (
    select * from {{ ref('trust_purchase_indicators_daily') }}
    where {{ in_build_range('as_of_date') }}
),

thresholds as (
    select * from {{ ref('trust_purchase_thresholds') }}
),

shortfall_items as (
    select
        i.as_of_date,
        i.product_id,
        i.sort_order,
        i.is_met,
        case when not i.is_met then
            i.indicator_cn
            || case when i.comparison = '>=' then '≥' else '≤' end
            || {{ format_decimals('i.threshold', 't.display_decimals') }}
            || case when i.value is null then '(无数据)'
                    else '(差' || {{ format_decimals('i.gap', 't.display_decimals') }} || ')' end
        end as item
    from indicator_rows as i
    inner join thresholds as t on t.indicator = i.indicator
),

counted as (
    select
        p.as_of_date,
        p.product_id,
        p.shop_id,
        p.category_id,
        count(s.product_id) as indicators_total,
        coalesce(sum(case when s.is_met then 1 else 0 end), 0) as indicators_met,
        {{ string_agg_ordered('s.item', ';', 's.sort_order') }} as shortfall
    from products as p
    left join shortfall_items as s on s.as_of_date = p.as_of_date and s.product_id = p.product_id
    group by p.as_of_date, p.product_id, p.shop_id, p.category_id
),

final as (
    select
        as_of_date,
        product_id,
        shop_id,
        category_id,
        cast(indicators_total as integer) as indicators_total,
        cast(indicators_met as integer) as indicators_met,
        indicators_total > 0 and indicators_met = indicators_total as is_data_eligible,
        coalesce(shortfall, '') as shortfall
    from counted
)

select * from final
