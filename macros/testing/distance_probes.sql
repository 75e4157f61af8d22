{#-
  distance_probes(model, entity, probe_columns, scorer, score, target, max_rows_per_day,
  probe_joins='')

  The scaffolding the distance data tests share (product_distance_reaches_level,
  shop_distance_reaches_score); the scorer that re-scores a probe is theirs. A whole query:
    sampled  every row of `model` with distance_reason 'reachable', of a day with at most
             max_rows_per_day of them, else an even stride of them (by <entity>, indicator)
    probes   two per sampled row: 'needed' at needed_value and 'one_less' one step less
             (10^-value_precision towards worse: the row's higher_is_better), as probe_value,
             with as_of_date, <entity>, indicator, probe and `probe_columns` (SQL select items
             over the sampled row t, the rows of `probe_joins` and k.probe)
    scorer   the caller's CTEs (each but the last followed by a comma), placed after probes and
             ending with a CTE `judged`: one row per probe with its `score`
  Failing rows (as_of_date, <entity>, indicator, probe): the judged probes for which not
  score >= target ('needed') or not score < target ('one_less'), and one row
  ('probes not judged') when judged does not hold one row per probe (a join that lost the
  probe's peers would pass vacuously).
-#}
{% macro distance_probes(model, entity, probe_columns, scorer, score, target, max_rows_per_day,
                         probe_joins='') -%}
with tested as (
    select * from {{ model }}
),

{#- every reachable row of a day with at most max_rows_per_day of them, else an even stride -#}
sampled as (
    select *
    from (
        select
            t.*,
            row_number() over (partition by t.as_of_date order by t.{{ entity }}, t.indicator)
                as probe_number,
            count(*) over (partition by t.as_of_date) as day_rows
        from tested as t
        where t.distance_reason = 'reachable'
    ) as r
    where mod(probe_number - 1, cast(ceil(day_rows / {{ max_rows_per_day }}.0) as bigint)) = 0
),

probes as (
    select
        t.as_of_date, t.{{ entity }}, t.indicator,
        {%- for c in probe_columns %}
        {{ c }},
        {%- endfor %}
        k.probe,
        case k.probe when 'needed' then t.needed_value
             else t.needed_value - (case when t.higher_is_better then 1 else -1 end)
                  * power(10, -t.value_precision) end as probe_value
    from sampled as t
    {{ probe_joins }}
    cross join (select 'needed' as probe union all select 'one_less') as k
),

{{ scorer }}

{#- every probe is judged: a scorer that lost the probe's peers would pass vacuously -#}
select as_of_date, {{ entity }}, indicator, probe
from judged
where not coalesce(case probe when 'needed' then {{ score }} >= {{ target }}
                               else {{ score }} < {{ target }} end, false)
union all
select null, null, 'probes not judged', null
from (select count(*) as probes from probes) as p
cross join (select count(*) as judged from judged) as j
where p.probes <> j.judged
{%- endmacro %}
