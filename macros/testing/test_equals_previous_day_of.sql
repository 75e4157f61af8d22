{#-
  Generic data test equals_previous_day_of(model, compare_model, key_columns, columns,
  previous_where): the D-1 side of a moves mart is the compared mart's row of D-1. Every row of the
  tested model that has a D-1 row (`previous_where`, e.g. "move not in ('new', 'no_previous')")
  carries, in prev_<c> for each of `columns`, the value (NULLs equal) of the compare_model row with
  the same key_columns and as_of_date D-1; and every compare_model row of a D-1 whose D is one of
  this build's as_of_dates has its row in the model. The failing rows name the key and the mismatch.
-#}
{% test equals_previous_day_of(model, compare_model, key_columns, columns, previous_where) %}
with tested as (
    select * from {{ model }}
    where {{ previous_where }}
),

compared as (
    select
        {{ kscore.add_days('as_of_date', 1) }} as as_of_date,
        {{ (key_columns + columns) | join(', ') }}
    from {{ compare_model }}
    where {{ kscore.in_build_range(kscore.add_days('as_of_date', 1)) }}
),

paired as (
    select
        coalesce(t.as_of_date, c.as_of_date) as as_of_date,
        {%- for k in key_columns %}
        coalesce(t.{{ k }}, c.{{ k }}) as {{ k }},
        {%- endfor %}
        case when t.{{ key_columns[0] }} is null then 'missing in model'
             when c.{{ key_columns[0] }} is null then 'missing in compare_model'
             {%- for col in columns %}
             when t.prev_{{ col }} is distinct from c.{{ col }} then 'differs: prev_{{ col }}'
             {%- endfor %}
        end as mismatch
    from tested as t
    full outer join compared as c
        on t.as_of_date = c.as_of_date
        {%- for k in key_columns %}
        and t.{{ k }} = c.{{ k }}
        {%- endfor %}
)

select * from paired
where mismatch is not null
{% endtest %}
