{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='check_date') }}
{#-
  快质造 criterion metrics per check Monday M × shop (spec 09 §4.1), kept once computed
  (incremental by check_date): a daily run adds its own Monday, a cold start every
  Monday of int_kuaizhizao_check_dates. Every shop with a version in force for M
  (data through M-1): its main category, scope (active, main category a level-1
  category whose name as of M-1 is in seed kuaizhizao_categories), the 店铺体验分 stage
  and score and its quality_refund_order_rate (int_experience_shop_scores of
  as_of_date M, the figures of shop_experience_score_daily), and the share of its
  products that are not low-sample with quality_rank >= good_quality_min_rank
  (int_product_tier_indicators / int_product_tier_scores of as_of_date M, the figures
  of product_tier_daily; NULL when it has none).
-#}
{%- set indicators = shop_experience_indicators() | map(attribute='indicator') | list -%}
{%- set dimensions = shop_experience_indicators() | map(attribute='dimension_key')
    | unique | list -%}

with check_dates as (
    select check_date from {{ ref('int_kuaizhizao_check_dates') }}
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

categories as (
    select * from {{ ref('stg_landing__categories') }}
),

scope_categories as (
    select category_name from {{ ref('kuaizhizao_categories') }}
),

experience_scores as (
    select s.*
    from {{ ref('int_experience_shop_scores') }} as s
    inner join check_dates as c on c.check_date = s.as_of_date
),

tier_indicators as (
    select i.as_of_date, i.product_id, i.shop_id, i.is_low_sample
    from {{ ref('int_product_tier_indicators') }} as i
    inner join check_dates as c on c.check_date = i.as_of_date
),

tier_scores as (
    select s.as_of_date, s.product_id, s.quality_rank
    from {{ ref('int_product_tier_scores') }} as s
    inner join check_dates as c on c.check_date = s.as_of_date
),

params as (
    {{ seed_params('kuaizhizao_params', [
        ('good_quality_min_rank', 'good_quality_min_rank', 'integer'),
    ]) }}
),

{#- the wide 店铺体验分 figures exactly as shop_experience_score_daily pivots them -#}
experience as (
    select
        as_of_date,
        shop_id,
        is_scored,
        experience_score,
        quality_refund_order_rate
    from (
        select
            as_of_date,
            shop_id,
            {{ pivot_scored_indicators(indicators, dimensions, 'experience_score',
                'paid_orders_30d') }}
        from experience_scores
        group by as_of_date, shop_id
    ) as pivoted
),

product_quality as (
    select
        i.as_of_date,
        i.shop_id,
        {{ round_half_up(safe_divide(
            'sum(case when not i.is_low_sample and s.quality_rank >= p.good_quality_min_rank'
            ~ ' then 1 else 0 end)',
            'sum(case when not i.is_low_sample then 1 else 0 end)'), 6) }}
            as good_quality_product_share
    from tier_indicators as i
    cross join params as p
    left join tier_scores as s on s.as_of_date = i.as_of_date and s.product_id = i.product_id
    group by i.as_of_date, i.shop_id
),

check_shops as (
    select
        c.check_date,
        sh.shop_id,
        sh.main_category_id,
        sh.status = 'active' and cat.category_id is not null as in_scope
    from check_dates as c
    inner join shops as sh on {{ version_in_force('sh', 'c.check_date') }}
    left join categories as cat
        on cat.category_id = sh.main_category_id
       and {{ version_in_force('cat', 'c.check_date') }}
       and cat.level = 1
       and cat.name in (select category_name from scope_categories)
),

final as (
    select
        s.check_date,
        {{ add_days('s.check_date', -1) }} as data_through,
        s.shop_id,
        s.main_category_id,
        s.in_scope,
        coalesce(e.is_scored, false) as is_scored,
        e.experience_score,
        e.quality_refund_order_rate,
        q.good_quality_product_share
    from check_shops as s
    left join experience as e on e.as_of_date = s.check_date and e.shop_id = s.shop_id
    left join product_quality as q on q.as_of_date = s.check_date and q.shop_id = s.shop_id
)

select * from final
