{#-
  The bounds of the 生意通 periods (spec 09 §1.1), from a row of seed funnel_periods: its period_kind
  (`rolling`, `natural_week`, `natural_month`) and period_days (the length of a rolling period). The
  one place the period arithmetic is written; an unknown kind gives NULL bounds (not-null tests).

  A period "unit" is a day for rolling periods (shifted by period_days) and the calendar week (from
  its Monday) or month (from its 1st) for the natural ones. Period k (k = 1: the period shown, k = 2:
  its comparison period) of as_of_date D is

      start_k = shift(unit(D), -k)        end_k = start_(k-1) - 1

  so on D a natural week or month is the last one complete by D-1, and a rolling period is
  D - k·days … D - (k-1)·days - 1.

  funnel_period_start(kind, days, as_of_date, k)    first day of period k of as_of_date
  funnel_period_end(kind, days, as_of_date, k)      last day of period k of as_of_date
  funnel_period_as_of_first(kind, days, dt, k)      first as_of_date whose period k holds day dt
  funnel_period_as_of_last(kind, days, dt, k)       last as_of_date whose period k holds day dt

  The last two are the inverse of the first two (the interval of as_of_dates a daily figure of day dt
  counts for, macro interval_sums): rolling dt + (k-1)·days + 1 … dt + k·days; natural
  shift(unit(dt), k) … shift(unit(dt), k+1) - 1.
-#}
{% macro funnel_period_unit(kind, date_expr) -%}
    case {{ kind }}
        when 'rolling' then cast({{ date_expr }} as date)
        when 'natural_week' then cast({{ dbt.date_trunc('week', date_expr) }} as date)
        when 'natural_month' then cast({{ dbt.date_trunc('month', date_expr) }} as date)
    end
{%- endmacro %}

{#- unit_start shifted by n units (n an integer or an SQL integer expression) -#}
{% macro funnel_period_shift(kind, days, unit_start, n) -%}
    case {{ kind }}
        when 'rolling' then {{ kscore.add_days(unit_start, '(' ~ n ~ ') * ' ~ days) }}
        when 'natural_week' then {{ kscore.add_days(unit_start, '(' ~ n ~ ') * 7') }}
        when 'natural_month' then {{ kscore.add_months(unit_start, n) }}
    end
{%- endmacro %}

{% macro funnel_period_start(kind, days, as_of_date, k) -%}
    {{ kscore.funnel_period_shift(kind, days, kscore.funnel_period_unit(kind, as_of_date), -k) }}
{%- endmacro %}

{% macro funnel_period_end(kind, days, as_of_date, k) -%}
    {{ kscore.add_days(kscore.funnel_period_start(kind, days, as_of_date, k - 1), -1) }}
{%- endmacro %}

{% macro funnel_period_as_of_first(kind, days, dt, k) -%}
    case when {{ kind }} = 'rolling'
         then {{ kscore.add_days(kscore.funnel_period_shift(kind, days, dt, k - 1), 1) }}
         else {{ kscore.funnel_period_shift(
             kind, days, kscore.funnel_period_unit(kind, dt), k) }} end
{%- endmacro %}

{% macro funnel_period_as_of_last(kind, days, dt, k) -%}
    case when {{ kind }} = 'rolling'
         then {{ kscore.funnel_period_shift(kind, days, dt, k) }}
         else {{ kscore.add_days(kscore.funnel_period_shift(
             kind, days, kscore.funnel_period_unit(kind, dt), k + 1), -1) }} end
{%- endmacro %}
