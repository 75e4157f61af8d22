{{ config(unique_key='dt') }}
{#- shipped <= collected <= delivered: both events of an out-of-order pair break the sequence (we cannot know
    which one is wrong), also when one of them was staged by an earlier run and the other lands late -#}
{%- set stage = "case event_type when 'shipped' then 1 when 'collected' then 2 when 'delivered' then 3 end" -%}
{{ landing_base('logistics_events', key=['order_id', 'event_type'], kind='event', ts_column='event_at', rules={
    'event_type_not_in_enum': enum_violation('event_type', ['shipped', 'collected', 'delivered']),
    'order_not_found': landing_fk_missing('order_id', ref('base_landing__orders')),
    'event_sequence': "exists (select 1 from (select order_id, event_type, event_at from batch union all select order_id, event_type, event_at from prior) e
        where e.order_id = r.order_id
          and ((" ~ stage.replace('event_type', 'e.event_type') ~ ") < (" ~ stage.replace('event_type', 'r.event_type') ~ ")
               and e.event_at > r.event_at
            or (" ~ stage.replace('event_type', 'e.event_type') ~ ") > (" ~ stage.replace('event_type', 'r.event_type') ~ ")
               and e.event_at < r.event_at))",
}, recheck_rules=['order_not_found', 'event_sequence']) }}
