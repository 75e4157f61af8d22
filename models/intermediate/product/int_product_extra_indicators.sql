{{ config(materialized='table') }}
{#-
  Indicators of the 商品分 extra dimensions (spec 09 §3) per as_of_date × product
  of 02's population, with 02's peer group (peer_category_id / level, from
  int_product_tier_scores) and the product's category ancestors.
    品牌力    brand_id and list_price of the product version in force for D,
              is_brand_shop = the shop's is_brand_flagship in force, is_known_brand
              = brand_id listed in seed known_brands; brand_level = the highest
              brand_levels row whose requirements all hold.
    价格力    unit price = Σ pay / Σ quantity over priced orders, 2 decimals.
    内容GPM   1000 × gmv / views, 2 decimals, NULL when views = 0.
    好评率    good_reviews / reviews, 6 decimals.
  Ranked: price and gpm when not is_low_sample and at least one indicator is
  non-NULL; good_review when reviews >= min_reviews_for_rate.
-#}

with population as (
    select * from {{ ref('int_product_tier_indicators') }}
),

peer_groups as (
    select * from {{ ref('int_product_tier_scores') }}
),

windows as (
    select * from {{ ref('int_product_extra_windows') }}
),

products as (
    select * from {{ ref('stg_landing__products') }}
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

known_brands as (
    select * from {{ ref('known_brands') }}
),

brand_levels as (
    select * from {{ ref('brand_levels') }}
),

params as (
    {{ seed_params('product_extra_params', [
        ('min_reviews_for_rate', 'min_reviews_for_rate', 'integer'),
    ]) }}
),

brands as (
    select
        pop.as_of_date,
        pop.product_id,
        p.brand_id,
        p.list_price,
        coalesce(sh.is_brand_flagship, false) as is_brand_shop,
        k.brand_id is not null as is_known_brand
    from population as pop
    inner join products as p
        on p.product_id = pop.product_id
       and {{ version_in_force('p', 'pop.as_of_date') }}
    left join shops as sh
        on sh.shop_id = pop.shop_id
       and {{ version_in_force('sh', 'pop.as_of_date') }}
    left join known_brands as k on k.brand_id = p.brand_id
),

brand_ranks as (
    select
        b.*,
        (select max(l.level_rank)
         from brand_levels as l
         where (not l.requires_brand_id or b.brand_id is not null)
           and (not l.requires_brand_shop or b.is_brand_shop)
           and (not l.requires_known_brand or b.is_known_brand)) as brand_rank
    from brands as b
),

unit_prices as (
    select
        w.*,
        case when w.price_quantity_7d > 0 then cast({{
            round_half_up('w.price_gmv_7d / w.price_quantity_7d', 2) }} as decimal(18, 2)) end
            as avg_unit_price_7d,
        case when w.price_quantity_prior > 0 then cast({{
            round_half_up('w.price_gmv_prior / w.price_quantity_prior', 2) }} as decimal(18, 2)) end
            as avg_unit_price_prior,
        case when w.live_views > 0 then cast({{
            round_half_up('1000 * w.live_gmv / w.live_views', 2) }} as decimal(18, 2)) end
            as live_gpm,
        case when w.video_views > 0 then cast({{
            round_half_up('1000 * w.video_gmv / w.video_views', 2) }} as decimal(18, 2)) end
            as video_gpm,
        {{ round_half_up(safe_divide('w.good_reviews', 'w.reviews'), 6) }} as good_review_rate
    from windows as w
),

indicators as (
    select
        pop.as_of_date,
        pop.product_id,
        pop.shop_id,
        pop.category_id,
        pop.category_l3_id,
        pop.category_l2_id,
        pop.category_l1_id,
        g.peer_category_id,
        g.peer_category_level,
        pop.is_low_sample,
        b.brand_id,
        b.is_brand_shop,
        b.is_known_brand,
        cast(b.brand_rank as integer) as brand_rank,
        b.list_price,
        u.price_orders_7d,
        u.avg_unit_price_7d,
        u.avg_unit_price_prior,
        u.min_daily_unit_price_prior,
        {{ round_half_up(safe_divide('u.avg_unit_price_7d', 'b.list_price'), 6) }} as price_vs_list,
        {{ round_half_up(safe_divide('u.avg_unit_price_7d', 'u.avg_unit_price_prior'), 6) }}
            as price_vs_history,
        u.avg_unit_price_7d <= u.min_daily_unit_price_prior as is_shop_low_price,
        u.live_orders,
        u.live_gmv,
        u.live_views,
        u.live_gpm,
        u.video_orders,
        u.video_gmv,
        u.video_views,
        u.video_gpm,
        u.reviews,
        u.good_reviews,
        u.good_review_rate
    from population as pop
    left join peer_groups as g on g.as_of_date = pop.as_of_date and g.product_id = pop.product_id
    left join brand_ranks as b on b.as_of_date = pop.as_of_date and b.product_id = pop.product_id
    left join unit_prices as u on u.as_of_date = pop.as_of_date and u.product_id = pop.product_id
),

final as (
    select
        i.*,
        not i.is_low_sample and (i.price_vs_list is not null or i.price_vs_history is not null)
            as is_price_ranked,
        not i.is_low_sample and (i.live_gpm is not null or i.video_gpm is not null)
            as is_gpm_ranked,
        i.reviews >= p.min_reviews_for_rate as is_good_review_ranked
    from indicators as i
    cross join params as p
)

select * from final
