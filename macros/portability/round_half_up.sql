{#-
  round_half_up(expr, precision): expr rounded to `precision` decimals, half away
  from zero on the DECIMAL value, returned as DOUBLE.

  round() of a DOUBLE rounds the binary value: 71.7 / 20 is stored as
  3.58499999…, so round(·, 2) gives 3.58 while 71.5 / 20 gives 3.58 too (up) —
  half-way cases go either way by floating-point noise and by engine. Casting to
  DECIMAL(38, 10) first drops the noise below 1e-10, then the rounding is exact
  half-up on every engine (DuckDB and Spark both round DECIMAL half-up).
-#}
{% macro round_half_up(expr, precision) -%}
    {{ return(adapter.dispatch('round_half_up', 'kscore')(expr, precision)) }}
{%- endmacro %}

{% macro default__round_half_up(expr, precision) -%}
    cast(round(cast(({{ expr }}) as decimal(38, 10)), {{ precision }}) as double)
{%- endmacro %}
