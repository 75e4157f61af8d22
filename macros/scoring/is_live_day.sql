{#-
  is_live_day(live_hours, min_minutes): TRUE when a host's live time of one local day
  (int_live_daily.live_hours: its sessions split at midnight, summed within the day) reaches
  min_minutes (core_params.live_active_min_minutes, 30). The one "live day" rule of spec 03
  (live days), 05 §1 (self-live days) and 05 §2 as amended by 09 §6.1 (coupon targets).
  Minutes are rounded half-up to 6 decimals first, so 0.5 h is 30 minutes on every engine.
-#}
{% macro is_live_day(live_hours, min_minutes) -%}
    ({{ kscore.round_half_up(live_hours ~ ' * 60', 6) }} >= {{ min_minutes }})
{%- endmacro %}
