{#-
  safe_divide(numerator, denominator): NULL when the denominator is 0 or NULL
  (spec README: a rate whose denominator is 0 is NULL, never 0, never an error).
  Always DOUBLE.
-#}
{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
         else cast({{ numerator }} as double) / cast({{ denominator }} as double) end
{%- endmacro %}
