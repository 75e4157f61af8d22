{{ config(materialized='table') }}
{#-
  Category ancestors per as_of_date × category (spec 02 peer groups): the level of the
  category version in force for D and its level 3 / 2 / 1 ancestors (parent versions in
  force for D), for every as_of_date of the 商品分层 spine (this build's as_of_dates and the
  快质造 check Mondays not yet held: macro as_of_dates_with_checks, spec 09 §4.1).
-#}

with spine as (
    select as_of_date from {{ as_of_dates_with_checks() }} as s
),

categories as (
    select * from {{ ref('stg_landing__categories') }}
),

categories_in_force as (
    select
        s.as_of_date,
        c.category_id,
        c.parent_id,
        c.level
    from spine as s
    inner join categories as c on {{ version_in_force('c', 's.as_of_date') }}
),

final as (
    select
        c.as_of_date,
        c.category_id,
        c.level as leaf_level,
        case when c.level = 3 then c.category_id end as category_l3_id,
        case when c.level = 2 then c.category_id
             when p1.level = 2 then p1.category_id end as category_l2_id,
        case when c.level = 1 then c.category_id
             when p1.level = 1 then p1.category_id
             when p2.level = 1 then p2.category_id end as category_l1_id
    from categories_in_force as c
    left join categories_in_force as p1
        on p1.as_of_date = c.as_of_date and p1.category_id = c.parent_id
    left join categories_in_force as p2
        on p2.as_of_date = c.as_of_date and p2.category_id = p1.parent_id
)

select * from final
