{#-
  monday_series(bounds, from_column, to_column): a relation with one row per Monday
  (column check_date, DATE) from bounds.from_column to bounds.to_column inclusive, for
  every row of the relation `bounds` (bounds are SQL values, not literals, unlike
  as_of_dates()). Dispatched: DuckDB generate_series + isodow, Spark sequence + dayofweek.
-#}
{% macro monday_series(bounds, from_column, to_column) -%}
    {{ return(adapter.dispatch('monday_series', 'kscore')(bounds, from_column, to_column)) }}
{%- endmacro %}

{% macro default__monday_series(bounds, from_column, to_column) -%}
    (select d as check_date
     from (select explode(sequence(to_date(b.{{ from_column }}), to_date(b.{{ to_column }}),
                                   interval 1 day)) as d
           from {{ bounds }} as b
           {# an empty range is no row (as with DuckDB generate_series); Spark sequence raises on it #}
           where b.{{ from_column }} <= b.{{ to_column }}) as s
     where dayofweek(d) = 2)
{%- endmacro %}

{% macro duckdb__monday_series(bounds, from_column, to_column) -%}
    (select cast(s.d as date) as check_date
     from {{ bounds }} as b,
          generate_series(cast(b.{{ from_column }} as timestamp), cast(b.{{ to_column }} as timestamp),
                          interval 1 day) as s(d)
     where isodow(s.d) = 1)
{%- endmacro %}

{#-
  with_recursive(): the keyword that opens a WITH list holding a recursive CTE
  (DuckDB, and Spark 4: WITH RECURSIVE).
-#}
{% macro with_recursive() -%}
    {{ return(adapter.dispatch('with_recursive', 'kscore')()) }}
{%- endmacro %}

{% macro default__with_recursive() -%}
    with recursive
{%- endmacro %}
