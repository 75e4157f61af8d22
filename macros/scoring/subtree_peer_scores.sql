{#-
  subtree_peer_scores(source, chosen, indicators, weights, dimensions)

  02's peer scoring inside a chosen category subtree (spec 02 "Peer group" and
  "From indicators to levels"; reused by 09 §3). A product is compared with
  every product of its chosen group's subtree that is ranked in the dimension,
  whatever group those chose for themselves, so its peers' figures are computed
  inside that subtree too. Only the subtrees some product chose are ranked: a
  subtree nobody chose is never read, and a chosen one keeps every product
  under it (its percentiles are those of the whole subtree).

    source      relation with as_of_date, product_id, category_l1_id … l3_id
                and the indicator columns
    chosen      relation with as_of_date, product_id, peer_level,
                peer_category_id: the group each product chose
    indicators  [{indicator, dimension, precision, ranked}]: `ranked` is the
                condition (on alias s) under which the value is ranked
    weights     relation with indicator, weight, higher_is_better
    dimensions  the dimensions, in output order

  Per indicator: the value rounded to `precision` (before ranking), its tie-safe
  peer_percentile (the one implementation; a lower-is-better value ranks as its
  negative) over the subtree's ranked non-NULL values; per dimension: score =
  weighted_mean(100 p, weight) and its percentile among the same subtree.
  Returns one row per chosen (as_of_date, product_id) with <dimension>_score
  and <dimension>_percentile (6 decimals).

  members=true (the distance marts, issue 13 point 3) returns instead the long rows of EVERY
  member of every chosen subtree, one per (as_of_date, peer_level, peer_category_id, product_id,
  ranked non-NULL indicator): dimension, indicator, weight, higher_is_better, value (rounded,
  as ranked), percentile, and the member's dimension_score and dimension_percentile there: the
  peers a product is compared with, as they were scored.
-#}
{% macro subtree_peer_scores(source, chosen, indicators, weights, dimensions, members=false) -%}
    {%- set partition = ['pr.as_of_date', 'pr.peer_level', 'pr.peer_category_id'] -%}
    with chosen_subtrees as (
        select distinct as_of_date, peer_level, peer_category_id
        from {{ chosen }}
    ),

    peer_rows as (
        {%- for level in [3, 2, 1] %}
        select
            s.as_of_date,
            s.product_id,
            {{ level }} as peer_level,
            s.category_l{{ level }}_id as peer_category_id,
            {%- for ind in indicators %}
            case when {{ ind.ranked }}
                 then round(cast(s.{{ ind.indicator }} as double), {{ ind.precision }}) end
                as {{ ind.indicator }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ source }} as s
        inner join chosen_subtrees as t
            on t.as_of_date = s.as_of_date
           and t.peer_level = {{ level }}
           and t.peer_category_id = s.category_l{{ level }}_id
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    ),

    indicator_percentiles as (
        {%- for ind in indicators %}
        select
            pr.as_of_date,
            pr.product_id,
            pr.peer_level,
            pr.peer_category_id,
            {{ kscore.sql_string(ind.dimension) }} as dimension,
            {{ kscore.sql_string(ind.indicator) }} as indicator,
            pr.{{ ind.indicator }} as value,
            w.higher_is_better,
            w.weight,
            {{ peer_percentile('case when w.higher_is_better then pr.' ~ ind.indicator
                               ~ ' else -pr.' ~ ind.indicator ~ ' end', partition, true) }}
                as percentile
        from peer_rows as pr
        inner join {{ weights }} as w on w.indicator = {{ kscore.sql_string(ind.indicator) }}
        where pr.{{ ind.indicator }} is not null
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    ),

    dimension_scores as (
        select
            pr.as_of_date,
            pr.product_id,
            pr.peer_level,
            pr.peer_category_id,
            {%- for d in dimensions %}
            {{ weighted_mean("case when pr.dimension = " ~ kscore.sql_string(d)
                             ~ " then 100 * pr.percentile end", 'pr.weight') }}
                as {{ d }}_score{{ ',' if not loop.last }}
            {%- endfor %}
        from indicator_percentiles as pr
        group by pr.as_of_date, pr.product_id, pr.peer_level, pr.peer_category_id
    ),

    score_percentiles as (
        select
            pr.as_of_date,
            pr.product_id,
            pr.peer_level,
            {%- for d in dimensions %}
            pr.{{ d }}_score,
            round({{ peer_percentile('pr.' ~ d ~ '_score', partition, true) }}, 6)
                as {{ d }}_percentile{{ ',' if not loop.last }}
            {%- endfor %}
        from dimension_scores as pr
    )

    {%- if members %}
    select
        ip.as_of_date,
        ip.peer_level,
        ip.peer_category_id,
        ip.product_id,
        ip.dimension,
        ip.indicator,
        ip.weight,
        ip.higher_is_better,
        ip.value,
        ip.percentile,
        case ip.dimension
            {%- for d in dimensions %}
            when {{ kscore.sql_string(d) }} then sp.{{ d }}_score
            {%- endfor %}
        end as dimension_score,
        case ip.dimension
            {%- for d in dimensions %}
            when {{ kscore.sql_string(d) }} then sp.{{ d }}_percentile
            {%- endfor %}
        end as dimension_percentile
    from indicator_percentiles as ip
    inner join score_percentiles as sp
        on sp.as_of_date = ip.as_of_date
       and sp.product_id = ip.product_id
       and sp.peer_level = ip.peer_level
    {%- else %}
    select
        sp.as_of_date,
        sp.product_id,
        {%- for d in dimensions %}
        sp.{{ d }}_score,
        sp.{{ d }}_percentile{{ ',' if not loop.last }}
        {%- endfor %}
    from score_percentiles as sp
    inner join {{ chosen }} as c
        on c.as_of_date = sp.as_of_date
       and c.product_id = sp.product_id
       and c.peer_level = sp.peer_level
    {%- endif %}
{%- endmacro %}
