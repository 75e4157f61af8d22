{#-
  try_cast_to(expr, data_type): expr cast to data_type, NULL when the value
  cannot be represented (out of range, NaN into DECIMAL, too many digits).
  Staging uses it so one bad value quarantines its row (type_not_castable)
  instead of failing the whole build. Dispatched: DuckDB and Spark 3.4+ both
  have try_cast.
-#}
{% macro try_cast_to(expr, data_type) -%}
    {{ return(adapter.dispatch('try_cast_to', 'kscore')(expr, data_type)) }}
{%- endmacro %}

{% macro default__try_cast_to(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}
