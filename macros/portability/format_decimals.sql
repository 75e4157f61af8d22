{#-
  format_decimals(expr, decimals, max_decimals=6): the number expr as text with
  exactly `decimals` digits after the point (rounded half-up, macro
  round_half_up; no point when decimals is 0), e.g. 0.02 with 4 → '0.0200',
  48 with 1 → '48.0'. `decimals` may be a column (e.g. a seed's
  display_decimals): one CASE branch per count 0 … max_decimals casts to
  DECIMAL(38, n), which both DuckDB and Spark print with all n decimals; a
  count outside 0 … max_decimals stops the query. NULL gives NULL.
-#}
{% macro format_decimals(expr, decimals, max_decimals=6) -%}
    case
        when ({{ expr }}) is null then null
        {%- for n in range(max_decimals + 1) %}
        when ({{ decimals }}) = {{ n }}
            then cast(cast({{ kscore.round_half_up(expr, n) }} as decimal(38, {{ n }}))
                      as {{ kscore.type_name('varchar') }})
        {%- endfor %}
        else {{ kscore.raise_error('format_decimals: decimals outside 0 … ' ~ max_decimals) }}
    end
{%- endmacro %}
