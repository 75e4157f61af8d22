{#-
  score_indicators(indicators, indicator_weights, dimension_weights, entity, peer_group, weight_key)

  The one implementation of the experience-style score (spec 03 "From indicator
  to score", reused unchanged by spec 04): it emits CTE definitions (each
  followed by a comma) ending with a CTE named `scored_indicators`, to be
  placed inside a model's `with` clause after its import CTEs.

  Inputs (names of CTEs already defined by the calling model):
    indicators         long form, one row per as_of_date x entity x indicator:
                       as_of_date, <entity>, <peer_group>, <weight_key>,
                       is_scored (正式期), indicator, value, numerator, denominator
    indicator_weights  seed rows: indicator, indicator_name_cn, dimension,
                       dimension_key, higher_is_better, weight, sort_order
    dimension_weights  seed rows: weight_key, dimension, weight; rows with a
                       NULL weight_key are the default, rows for a key replace
                       the default rows for entities with that key (all of them); a
                       dimension without a weight row weighs 0

  Steps:
    1. indicator_score = 50 + 50 p, p = peer_percentile of the value among the
       正式期 entities of the same as_of_date and peer group with a non-NULL
       value (lower-is-better indicators rank the negated value). A 成长期
       entity gets no score and is nobody's peer.
    2. dimension_score = weighted_mean(indicator_score, indicator weight).
    3. total_score_100 = weighted_mean(dimension_score, dimension weight), 2 decimals.
    4. weight = the indicator's effective share of the total (its dimension's
       share of the non-NULL dimension weights x its share of the non-NULL
       indicator weights in the dimension; NULL when its score is NULL) and
       weighted_score = weight x indicator_score, so that
       Σ weighted_score = total_score_100 up to rounding.
    5. peer_group_size (正式期 entities in the peer group) and
       total_peer_percentile (peer percentile of total_score_100, higher better).

  Output columns of `scored_indicators`: the indicators columns plus dimension,
  dimension_key, indicator_name_cn, sort_order, indicator_score, weight,
  weighted_score, dimension_score, total_score_100, peer_group_size,
  total_peer_percentile.
-#}
{% macro score_indicators(indicators, indicator_weights, dimension_weights, entity, peer_group, weight_key) -%}
scoring_rows as (
    select
        i.as_of_date,
        i.{{ entity }},
        i.{{ peer_group }},
        {% if weight_key != peer_group %}i.{{ weight_key }},{% endif %}
        i.is_scored,
        w.dimension,
        w.dimension_key,
        i.indicator,
        w.indicator_name_cn,
        w.sort_order,
        w.higher_is_better,
        w.weight as indicator_weight,
        i.value,
        i.numerator,
        i.denominator
    from {{ indicators }} as i
    inner join {{ indicator_weights }} as w on w.indicator = i.indicator
),

scoring_indicator_scores as (
    select
        r.*,
        {{ kscore.round_half_up('50 + 50 * ' ~ peer_percentile(
            'case when r.is_scored then (case when r.higher_is_better then r.value else -r.value end) end',
            ['r.as_of_date', 'r.indicator', 'r.' ~ peer_group]), 6) }} as indicator_score
    from scoring_rows as r
),

scoring_entities as (
    select distinct
        as_of_date, {{ entity }}, {{ peer_group }}, {% if weight_key != peer_group %}{{ weight_key }}, {% endif %}is_scored
    from scoring_rows
),

scoring_override_keys as (
    select distinct weight_key from {{ dimension_weights }} where weight_key is not null
),

scoring_entity_dimension_weights as (
    select
        e.as_of_date,
        e.{{ entity }},
        dw.dimension,
        dw.weight as dimension_weight
    from scoring_entities as e
    left join scoring_override_keys as o on o.weight_key = e.{{ weight_key }}
    inner join {{ dimension_weights }} as dw
        on dw.weight_key = e.{{ weight_key }}
        or (dw.weight_key is null and o.weight_key is null)
),

scoring_dimension_scores as (
    select
        s.as_of_date,
        s.{{ entity }},
        s.dimension,
        {{ weighted_mean('s.indicator_score', 's.indicator_weight') }} as dimension_score,
        sum(case when s.indicator_score is not null then s.indicator_weight end) as scored_indicator_weight
    from scoring_indicator_scores as s
    group by s.as_of_date, s.{{ entity }}, s.dimension
),

scoring_dimensions_weighted as (
    select
        d.as_of_date,
        d.{{ entity }},
        d.dimension,
        d.dimension_score,
        d.scored_indicator_weight,
        coalesce(dw.dimension_weight, 0) as dimension_weight
    from scoring_dimension_scores as d
    left join scoring_entity_dimension_weights as dw
        on dw.as_of_date = d.as_of_date
       and dw.{{ entity }} = d.{{ entity }}
       and dw.dimension = d.dimension
),

scoring_totals as (
    select
        as_of_date,
        {{ entity }},
        {{ weighted_mean('dimension_score', 'dimension_weight', 2) }} as total_score_100,
        sum(case when dimension_score is not null then dimension_weight end) as scored_dimension_weight
    from scoring_dimensions_weighted
    group by as_of_date, {{ entity }}
),

scoring_entity_totals as (
    select
        e.as_of_date,
        e.{{ entity }},
        t.total_score_100,
        t.scored_dimension_weight,
        cast(sum(case when e.is_scored then 1 else 0 end) over (
            partition by e.as_of_date, e.{{ peer_group }}
        ) as bigint) as peer_group_size,
        {{ peer_percentile('case when e.is_scored then t.total_score_100 end',
                           ['e.as_of_date', 'e.' ~ peer_group], true, 2) }} as total_peer_percentile
    from scoring_entities as e
    left join scoring_totals as t
        on t.as_of_date = e.as_of_date
       and t.{{ entity }} = e.{{ entity }}
),

scored_indicators as (
    select
        s.as_of_date,
        s.{{ entity }},
        s.{{ peer_group }},
        {% if weight_key != peer_group %}s.{{ weight_key }},{% endif %}
        s.is_scored,
        s.dimension,
        s.dimension_key,
        s.indicator,
        s.indicator_name_cn,
        s.sort_order,
        s.value,
        s.numerator,
        s.denominator,
        s.indicator_score,
        case when s.indicator_score is not null and d.dimension_score is not null then
            {{ kscore.round_half_up('d.dimension_weight / nullif(t.scored_dimension_weight, 0)'
                ~ ' * s.indicator_weight / nullif(d.scored_indicator_weight, 0)', 6) }}
        end as weight,
        case when s.indicator_score is not null and d.dimension_score is not null then
            {{ kscore.round_half_up('d.dimension_weight / nullif(t.scored_dimension_weight, 0)'
                ~ ' * s.indicator_weight / nullif(d.scored_indicator_weight, 0) * s.indicator_score', 6) }}
        end as weighted_score,
        d.dimension_score,
        t.total_score_100,
        t.peer_group_size,
        t.total_peer_percentile
    from scoring_indicator_scores as s
    inner join scoring_dimensions_weighted as d
        on d.as_of_date = s.as_of_date
       and d.{{ entity }} = s.{{ entity }}
       and d.dimension = s.dimension
    inner join scoring_entity_totals as t
        on t.as_of_date = s.as_of_date
       and t.{{ entity }} = s.{{ entity }}
),
{%- endmacro %}
