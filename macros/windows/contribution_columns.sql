{#-
  contribution_columns(measures, values): the measure columns of one branch of
  a contributions CTE for interval_sums, by name instead of by position.

      measures  ordered dict measure name -> SQL type, or -> [SQL type, default]
                when a branch that does not contribute the measure gives
                something else than 0 (e.g. 'null' for a sum of hours whose
                window has no row must stay NULL); the same dict for every
                branch, and its keys are interval_sums' measures
      values    dict measure name -> SQL expression of this branch; every
                measure not named here gets its default; a name that is not a
                measure is a compile error

  Emits `cast(<expression or default> as <type>) as <name>` for every measure,
  in the order of `measures`, so the branches of a UNION ALL always line up
  and a branch names only the figures it contributes.
-#}
{% macro contribution_columns(measures, values) -%}
    {#- a misspelt measure name would silently contribute the default (0): refuse it -#}
    {%- for name in values if name not in measures -%}
        {{ exceptions.raise_compiler_error('contribution_columns: ' ~ name ~ ' is not a measure (' ~ (measures.keys() | join(', ')) ~ ')') }}
    {%- endfor -%}
    {%- for name, spec in measures.items() %}
        {%- set type, default = (spec, '0') if spec is string else (spec[0], spec[1]) %}
        cast({{ values.get(name, default) }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
