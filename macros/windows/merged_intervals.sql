{#-
  merged_intervals(intervals, keys, from_col='from_date', to_col='to_date')

  The one implementation of "counts once while any of its intervals holds"
  (an order is 品退 / 纠纷 / refunded for every as_of_date on which at least
  one of its refund versions with that flag is in force). A SELECT returning
  keys..., from_date, to_date: per key, the union of the closed DATE
  intervals [from_col, to_col] of `intervals`, as disjoint islands; two
  intervals that overlap or touch (one ends the day before the other
  starts) are one island. Empty intervals (from > to) and NULL bounds are
  dropped: they hold on no day.

      intervals  CTE or relation name: keys..., from_col DATE, to_col DATE
      keys       list of key column names (the partition)

  How: intervals ordered by (from, to) per key; one starts a new island when
  it begins after the latest end of every earlier one (+ 1 day); a running
  count of starts numbers the islands; each island is min(from) … max(to).
  Portable SQL (window functions only; add_days is dispatched).
-#}
{% macro merged_intervals(intervals, keys, from_col='from_date', to_col='to_date') -%}
    {%- set partition = keys | join(', ') -%}
    select {% for k in keys %}{{ k }}, {% endfor %}min({{ from_col }}) as from_date, max({{ to_col }}) as to_date
    from (
        select
            *,
            sum(is_island_start) over (
                partition by {{ partition }} order by {{ from_col }}, {{ to_col }}
                rows between unbounded preceding and current row) as island
        from (
            select
                *,
                case when {{ from_col }} <= {{ kscore.add_days(
                        'max(' ~ to_col ~ ') over (partition by ' ~ partition ~ ' order by ' ~ from_col ~ ', ' ~ to_col
                        ~ ' rows between unbounded preceding and 1 preceding)', 1) }}
                     then 0 else 1 end as is_island_start
            from {{ intervals }}
            where {{ from_col }} <= {{ to_col }}
        ) as interval_starts
    ) as interval_islands
    group by {% for k in keys %}{{ k }}, {% endfor %}island
{%- endmacro %}
