{#-
  The day-over-day pairing of the *_moves marts (issue 13 point 4). The one place the D vs D-1
  lookup is written.

  history_day_pairs(relation, keys, columns, where=none): one row per (as_of_date D of this build,
  key) present in `relation` on D or on D-1, with prev_<c> (the row of D-1) and <c> (the row of D)
  for each of `columns`, and three flags:
    has_current     the key has a row on D
    has_previous    the key has a row on D-1
    previous_built  `relation` holds any row of D-1 at all (ignoring `where`)
  `relation` is an upstream mart, incremental by as_of_date: the D-1 of every as_of_date but the
  first of the range is rewritten in the same invocation (the mart is upstream in the DAG), and the
  D-1 of the first comes from the history the build file keeps. So a range build equals day-by-day
  builds, set-based: no per-date loop, the upstream is read for from_date-1 … to_date once. A fresh
  build's first as_of_date has no D-1 (previous_built false: move 'no_previous').
  `where`: an optional condition on the upstream's own columns, applied on both days (e.g. the
  exemption week in force on the row's own as_of_date).

  history_move(prev, cur, kind='ordinal', absent_is_false=false): the move of a value between the
  pair, over the flags above (first that applies):
    no_previous (D-1 not built) · new (no row on D-1) · gone (no row on D), then
    kind 'ordinal': same (equal, or both NULL) · gained (NULL → value) · lost (value → NULL) ·
                    up · down (cur > / < prev; compare ranks or rounded values)
    kind 'flag':    same · gained (false → true) · lost (true → false); NULL counts as false
  absent_is_false (kind 'flag'): a missing row is a false flag, so no new/gone (only no_previous).
-#}
{% macro history_day_pairs(relation, keys, columns, where=none) -%}
    {%- set from_date = 'cast(' ~ kscore.sql_string(kscore.run_var('from_date')) ~ ' as date)' -%}
    {%- set to_date = 'cast(' ~ kscore.sql_string(kscore.run_var('to_date')) ~ ' as date)' -%}
    {%- set prev_range -%}
        as_of_date >= {{ kscore.add_days(from_date, -1) }}
        and as_of_date <= {{ kscore.add_days(to_date, -1) }}
    {%- endset -%}
    {%- set fields = keys + columns -%}
    select
        coalesce(c.as_of_date, p.as_of_date) as as_of_date,
        {%- for k in keys %}
        coalesce(c.{{ k }}, p.{{ k }}) as {{ k }},
        {%- endfor %}
        {%- for col in columns %}
        p.{{ col }} as prev_{{ col }},
        c.{{ col }} as {{ col }},
        {%- endfor %}
        c.{{ keys[0] }} is not null as has_current,
        p.{{ keys[0] }} is not null as has_previous,
        b.as_of_date is not null as previous_built
    from (
        select as_of_date, {{ fields | join(', ') }}
        from {{ relation }}
        where {{ kscore.in_build_range('as_of_date') }}{% if where %} and ({{ where }}){% endif %}
    ) as c
    full outer join (
        select {{ kscore.add_days('as_of_date', 1) }} as as_of_date, {{ fields | join(', ') }}
        from {{ relation }}
        where {{ prev_range }}{% if where %} and ({{ where }}){% endif %}
    ) as p
        on p.as_of_date = c.as_of_date
        {%- for k in keys %}
        and p.{{ k }} = c.{{ k }}
        {%- endfor %}
    left join (
        select distinct {{ kscore.add_days('as_of_date', 1) }} as as_of_date
        from {{ relation }}
        where {{ prev_range }}
    ) as b
        on b.as_of_date = coalesce(c.as_of_date, p.as_of_date)
{%- endmacro %}

{% macro history_move(prev, cur, kind='ordinal', absent_is_false=false) -%}
    case
        when not previous_built then 'no_previous'
        {%- if not absent_is_false %}
        when not has_previous then 'new'
        when not has_current then 'gone'
        {%- endif %}
        {%- if kind == 'flag' %}
        when coalesce({{ prev }}, false) = coalesce({{ cur }}, false) then 'same'
        when coalesce({{ cur }}, false) then 'gained'
        else 'lost'
        {%- elif kind == 'ordinal' %}
        when {{ prev }} is null and {{ cur }} is null then 'same'
        when {{ prev }} is null then 'gained'
        when {{ cur }} is null then 'lost'
        when {{ cur }} > {{ prev }} then 'up'
        when {{ cur }} < {{ prev }} then 'down'
        else 'same'
        {%- else %}
        {{ exceptions.raise_compiler_error('history_move: kind is ordinal or flag, not ' ~ kind) }}
        {%- endif %}
    end
{%- endmacro %}
