{#-
  interval_sums(probes, contributions, keys, measures, carry=[])

  The one implementation of a windowed sum "as of D" (spec 07: windows summed
  from daily pre-aggregates, never a join of every as_of_date to every day of
  its window). A SELECT returning, for every row of `probes` (keys +
  as_of_date), the sum of each measure over the rows of `contributions` whose
  as_of_date interval [from_date, to_date] holds that as_of_date:

      probes         CTE name: keys..., as_of_date (one row per key and day)
      contributions  CTE name: keys..., from_date DATE, to_date DATE (NULL =
                     open-ended), one column per measure
      keys           list of key column names (the partition)
      measures       list of measure column names (summed; a measure whose
                     sums must be exact should be an integer or a DECIMAL)

  A fixed window W = D-w … D-1 over a daily pre-aggregate of day d is the
  interval [d + 1, d + w]; a version in force from a day to a day is its own
  interval; intersect both when both apply.

  How: each contribution is an event +m on from_date and -m on to_date + 1;
  one running sum per key over the events and the probes, ordered by day
  with a day's events before its probes (a ROWS frame), gives every probe
  its window at once: O(contributions + probes), one sort, no hash table.
  The events are not netted per key and day first: at the scale of 商品分层
  (every product x every as_of_date of a backfill: 70 M probes at medium) a
  GROUP BY of probes and events held a 15-sum hash table of that size (the
  medium backfill's OOM), where the sort spills. Only the events inside the
  build's as_of_dates (vars from_date/to_date)
  are kept: a contribution that starts earlier starts at the first
  as_of_date, one that ends later has no end event, one that ended before
  the build is not read. A probe whose key has no contribution gets NULL;
  one whose contributions all ended gets 0.

      carry          optional list of further probe columns passed through
                     to the result (so that the caller needs no join of
                     the sums back to its probes: one row per probe row)
      first_day      optional SQL DATE expression replacing from_date as the
                     first day kept, for probes earlier than the build (the
                     快质造 check Mondays: macro as_of_dates_with_checks_first_day)
      net_events     true: the events are first summed per key and day (one
                     GROUP BY of the events only, never of the probes), so the
                     running sum sorts one row per key and day instead of one
                     per contribution. For contributions much finer than a key
                     and day (分销's buyer-days: 3.8 M events net to 65 k at
                     small, the window 46 s -> 1 s). Only for INTEGER / DECIMAL
                     measures: netting reorders the additions, which is exact
                     for them and not for a DOUBLE. Off by default: where a key
                     has about one contribution a day (商品分层's product-days)
                     netting saves little and its hash table is the size of the
                     events.
-#}
{% macro interval_sums(probes, contributions, keys, measures, carry=[], first_day=none, net_events=false) -%}
    {%- set first_day = first_day or "cast(" ~ kscore.sql_string(kscore.run_var('from_date')) ~ " as date)" -%}
    {%- set last_day = "cast(" ~ kscore.sql_string(kscore.run_var('to_date')) ~ " as date)" -%}
    select {% for k in keys %}{{ k }}, {% endfor %}as_of_date{% for c in carry %}, {{ c }}{% endfor %}{% for m in measures %}, {{ m }}{% endfor %}
    from (
        select
            {%- for k in keys %}
            {{ k }},
            {%- endfor %}
            event_date as as_of_date,
            is_probe
            {%- for c in carry %},
            {{ c }}
            {%- endfor %}
            {%- for m in measures %},
            sum({{ m }}) over (
                partition by {{ keys | join(', ') }}
                order by event_date, is_probe
                rows between unbounded preceding and current row
            ) as {{ m }}
            {%- endfor %}
        from (
            {%- if net_events %}
            select
                {%- for k in keys %}
                {{ k }},
                {%- endfor %}
                event_date,
                0 as is_probe
                {%- for c in carry %},
                null as {{ c }}
                {%- endfor %}
                {%- for m in measures %},
                sum({{ m }}) as {{ m }}
                {%- endfor %}
            from (
            {%- endif %}
            {#- contributions are read once (a CTE read twice would be materialised whole): each row
                gives its +m event (side 1) and, when it ends inside the build, its -m event (side -1) -#}
            select
                {%- for k in keys %}
                c.{{ k }},
                {%- endfor %}
                case when s.side = -1 then {{ kscore.add_days('c.to_date', 1) }}
                     when c.from_date < {{ first_day }} then {{ first_day }}
                     else c.from_date end as event_date,
                0 as is_probe
                {%- for c in carry %},
                null as {{ c }}
                {%- endfor %}
                {%- for m in measures %},
                case when s.side = 1 then c.{{ m }} else -c.{{ m }} end as {{ m }}
                {%- endfor %}
            from {{ contributions }} as c
            cross join (select 1 as side union all select -1 as side) as s
            where c.from_date <= {{ last_day }}
              and (c.to_date is null or c.to_date >= {{ first_day }})
              and (c.to_date is null or c.to_date >= c.from_date)
              and (s.side = 1 or (c.to_date is not null and c.to_date < {{ last_day }}))
            {%- if net_events %}
            ) as contribution_events
            group by {% for k in keys %}{{ k }}, {% endfor %}event_date
            {%- endif %}
            union all
            select
                {%- for k in keys %}
                {{ k }},
                {%- endfor %}
                as_of_date as event_date,
                1 as is_probe
                {%- for c in carry %},
                {{ c }}
                {%- endfor %}
                {%- for m in measures %},
                null
                {%- endfor %}
            from {{ probes }}
        ) as events
    ) as running
    where is_probe = 1
{%- endmacro %}
