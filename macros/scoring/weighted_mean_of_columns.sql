{#-
  weighted_mean_of_columns(pairs, precision=6)

  The row-wise form of weighted_mean (same formula, same rounding): for a
  wide row holding several indicator values as columns,
      Σ wᵢ · vᵢ / Σ wᵢ   over the pairs whose value vᵢ is not NULL,
  NULL when every value is NULL (or every weight of a non-NULL value is 0),
  rounded half-up to `precision` decimals (round_half_up).
  pairs: a list of (value expression, weight expression). Use it where the
  indicators of an entity are columns of one row (wide form, one window per
  indicator), weighted_mean where they are rows (long form, an aggregate).
-#}
{% macro weighted_mean_of_columns(pairs, precision=6) -%}
    {%- set numerator -%}
        case when {% for v, w in pairs %}({{ v }}) is null{{ ' and ' if not loop.last }}{% endfor %} then null else
            {% for v, w in pairs %}coalesce(({{ w }}) * ({{ v }}), 0){{ ' + ' if not loop.last }}{% endfor %} end
    {%- endset -%}
    {%- set denominator -%}
        {% for v, w in pairs %}(case when ({{ v }}) is not null then ({{ w }}) else 0 end){{ ' + ' if not loop.last }}{% endfor %}
    {%- endset -%}
    {{ kscore.round_half_up('(' ~ numerator ~ ') / nullif(' ~ denominator ~ ', 0)', precision) }}
{%- endmacro %}
