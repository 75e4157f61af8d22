{#-
  peer_percentile(value, partition_by, higher_is_better=true, precision=6)

  The one implementation of the spec's tie-safe peer percentile (spec README):
    higher-is-better: p = #{g in G : x_g <= x_e} / N
    lower-is-better:  p = #{g in G : x_g >= x_e} / N
  where N counts the members of G with a non-NULL x. That is cume_dist()
  ordered so that better values come last; ties share the best position
  (all-equal peers all get p = 1). A NULL x gets a NULL p and is not counted
  in N. The value is rounded to `precision` decimals before ranking
  (spec: round before ranking). Use 2 for money.

  partition_by: a list of column expressions identifying the peer group
  (e.g. ['as_of_date', 'main_category_id']).
-#}
{% macro peer_percentile(value, partition_by, higher_is_better=true, precision=6) -%}
    case when ({{ value }}) is null then null else
        cume_dist() over (
            partition by {{ partition_by | join(', ') }}, (({{ value }}) is null)
            order by round({{ value }}, {{ precision }}) {{ 'asc' if higher_is_better else 'desc' }}
        )
    end
{%- endmacro %}
