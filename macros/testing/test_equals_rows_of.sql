{#-
  Generic data test equals_rows_of(model, compare_model, key_columns, columns, range_column=none):
  every row of the tested model (after its `where` config and build range, macro get_where_subquery)
  has the row of compare_model with the same key_columns, with the same value (NULLs equal) in each of
  `columns`, and every row of compare_model has its row in the model. The failing rows name the key
  and which side is missing or differs. With range_column, compare_model is read on this build's
  as_of_dates only (macro in_build_range), as the tested model is. Its own `where` is
  compare_where (ANDed). Used for "one mart's row equals another mart's row" (spec 09 §1.1: the
  natural_day row of the funnel periods equals the 08 funnel row).
-#}
{% test equals_rows_of(model, compare_model, key_columns, columns,
                      range_column=none, compare_where=none) %}
with tested as (
    select * from {{ model }}
),

compared as (
    select * from {{ compare_model }}
    where {{ kscore.in_build_range(range_column) if range_column else 'true' }}
      and {{ compare_where if compare_where else 'true' }}
),

paired as (
    select
        {%- for k in key_columns %}
        coalesce(t.{{ k }}, c.{{ k }}) as {{ k }},
        {%- endfor %}
        case when t.{{ key_columns[0] }} is null then 'missing in model'
             when c.{{ key_columns[0] }} is null then 'missing in compare_model'
             {%- for col in columns %}
             when t.{{ col }} is distinct from c.{{ col }} then 'differs: {{ col }}'
             {%- endfor %}
        end as mismatch
    from tested as t
    full outer join compared as c
        on {% for k in key_columns %}t.{{ k }} = c.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
)

select * from paired
where mismatch is not null
{% endtest %}
