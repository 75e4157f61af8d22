{#-
  Generic data test sums_match_detail(model, detail, keys, columns): for every row of `model`
  (a summary mart) each of `columns` equals the Σ of the same column over the rows of `detail`
  with the same `keys` (spec 09 §2.2: the shop rows add up to their creator rows). A summary row
  without detail rows must hold 0. Detail keys without a summary row are not judged (2.1 also
  has rows of shops that are not active, which 2.2 leaves out). Exact comparison: the columns
  are integers or DECIMALs. Returns the disagreeing rows with both values.
-#}
{% test sums_match_detail(model, detail, keys, columns) %}
{#- `model` may be a filtered subquery (get_where_subquery: a history mart is judged on the build's
    as_of_dates); the detail rows are read for those as_of_dates only -#}
with judged as (
    select * from {{ model }}
),

detail_sums as (
    select
        {%- for k in keys %}
        d.{{ k }},
        {%- endfor %}
        {%- for c in columns %}
        sum(d.{{ c }}) as {{ c }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ detail }} as d
    where d.{{ keys[0] }} in (select {{ keys[0] }} from judged)
    group by {{ keys | join(', ') }}
)

select
    {%- for k in keys %}
    m.{{ k }},
    {%- endfor %}
    {%- for c in columns %}
    m.{{ c }}, s.{{ c }} as detail_{{ c }}{{ ',' if not loop.last }}
    {%- endfor %}
from judged as m
left join detail_sums as s
    on {% for k in keys %}s.{{ k }} = m.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
where
    {%- for c in columns %}
    m.{{ c }} is null or m.{{ c }} <> coalesce(s.{{ c }}, 0){{ ' or' if not loop.last }}
    {%- endfor %}
{% endtest %}
