{#-
  The two halves of one step of the 快质造 state machine (spec 09 §4.2), used by the
  recursive CTE of kuaizhizao_shop_weekly.

  kuaizhizao_decision(prev, check, params): which rule applies at check Mₖ, the first
  that does: 'keep' (永久清退 stays; or no rule moves the state), 'clear' (a major
  complaint with found_on < Mₖ, for a shop that has a row: in scope or not
  not_member), 'admit', 'remove_out_of_scope', 'warn', 'recover',
  'remove_rectification_failed'. prev: the previous state's row (state_code and
  the spell's dates), check: the week's facts (check_date, in_scope, meets_criteria,
  has_major_complaint, latest_applied_on), params: reentry_wait_days, admission_mode.
-#}
{% macro kuaizhizao_decision(prev, check, params) -%}
    {%- set reentry_from = add_days(prev ~ '.removed_on', params ~ '.reentry_wait_days') -%}
    case
        when {{ prev }}.state_code = 'permanently_cleared' then 'keep'
        when {{ check }}.has_major_complaint
             and ({{ check }}.in_scope or {{ prev }}.state_code <> 'not_member') then 'clear'
        when {{ prev }}.state_code in ('not_member', 'removed') then
            case when {{ check }}.in_scope and {{ check }}.meets_criteria
                      and ({{ prev }}.state_code = 'not_member'
                           or {{ check }}.check_date >= {{ reentry_from }})
                      and ({{ params }}.admission_mode = 'auto'
                           or ({{ check }}.latest_applied_on is not null
                               and ({{ prev }}.state_code = 'not_member'
                                    or {{ check }}.latest_applied_on >= {{ reentry_from }})))
                 then 'admit' else 'keep' end
        when {{ prev }}.state_code = 'active' then
            case when not {{ check }}.in_scope then 'remove_out_of_scope'
                 when {{ check }}.meets_criteria then 'keep'
                 else 'warn' end
        when {{ prev }}.state_code = 'warning' then
            case when not {{ check }}.in_scope then 'remove_out_of_scope'
                 when {{ check }}.check_date < {{ prev }}.rectification_ends_on
                      and {{ check }}.meets_criteria then 'recover'
                 when {{ check }}.check_date >= {{ prev }}.rectification_ends_on
                      then 'remove_rectification_failed'
                 else 'keep' end
        else 'keep'
    end
{%- endmacro %}

{#-
  kuaizhizao_next_state(): the new state and the dates of its spell from a step row
  (decision, check_date, previous_state_code, the previous spell's member_since,
  warning_on, rectification_ends_on, removed_on, removal_reason, rectification_days):
  columns state_code, transition, member_since, warning_on, rectification_ends_on,
  removed_on, removal_reason. Each state keeps the dates of its own spell: active
  member_since; warning member_since, warning_on, rectification_ends_on; removed
  removed_on and removal_reason; not_member and permanently_cleared none.
-#}
{% macro kuaizhizao_next_state() -%}
        case decision
            when 'clear' then 'permanently_cleared'
            when 'admit' then 'active'
            when 'recover' then 'active'
            when 'warn' then 'warning'
            when 'remove_out_of_scope' then 'removed'
            when 'remove_rectification_failed' then 'removed'
            else previous_state_code
        end as state_code,
        case decision
            when 'clear' then 'permanently_cleared'
            when 'admit' then
                case when previous_state_code = 'removed' then 'readmitted' else 'admitted' end
            when 'recover' then 'recovered'
            when 'warn' then 'warned'
            when 'remove_out_of_scope' then 'removed'
            when 'remove_rectification_failed' then 'removed'
        end as transition,
        case when decision = 'admit' then check_date
             when decision in ('clear', 'remove_out_of_scope', 'remove_rectification_failed') then null
             else member_since end as member_since,
        case when decision = 'warn' then check_date
             when decision = 'keep' then warning_on end as warning_on,
        case when decision = 'warn' then {{ add_days('check_date', 'rectification_days') }}
             when decision = 'keep' then rectification_ends_on end as rectification_ends_on,
        case when decision = 'remove_out_of_scope' then check_date
             when decision = 'remove_rectification_failed' then rectification_ends_on
             when decision = 'keep' then removed_on end as removed_on,
        case when decision = 'remove_out_of_scope' then 'out_of_scope'
             when decision = 'remove_rectification_failed' then 'rectification_failed'
             when decision = 'keep' then removal_reason end as removal_reason
{%- endmacro %}
