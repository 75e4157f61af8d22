{{ config(unique_key='dt') }}
{#- shipped <= collected <= delivered: both events of an out-of-order pair break the sequence (we
    cannot know which one is wrong), also when one of them was staged by an earlier run and the
    other lands late. The pairs are judged against per-order bounds (one row per order of the batch:
    the latest shipped and collected, the earliest collected and delivered), left-joined onto the
    rows (rule_joins): a hash join, not a correlated scan of every event pair. -#}
{%- set helper_ctes -%}
order_event_bounds as (
    select
        e.order_id,
        max(case when e.event_type = 'shipped' then e.event_at end) as shipped_max_at,
        min(case when e.event_type = 'collected' then e.event_at end) as collected_min_at,
        max(case when e.event_type = 'collected' then e.event_at end) as collected_max_at,
        min(case when e.event_type = 'delivered' then e.event_at end) as delivered_min_at
    from (
        select order_id, event_type, event_at from batch
        union all
        select order_id, event_type, event_at from prior
        where order_id in (select order_id from batch)
    ) as e
    group by e.order_id
)
{%- endset -%}
{{ landing_base('logistics_events', key=['order_id', 'event_type'], kind='event',
    ts_column='event_at', rules={
    'event_type_not_in_enum': enum_violation('event_type', ['shipped', 'collected', 'delivered']),
    'order_not_found': landing_fk_missing('order_id', ref('base_landing__orders')),
    'event_sequence': "(r.event_type = 'shipped' and (b.collected_min_at < r.event_at
              or b.delivered_min_at < r.event_at)
            or r.event_type = 'collected' and (b.shipped_max_at > r.event_at
                or b.delivered_min_at < r.event_at)
            or r.event_type = 'delivered' and (b.shipped_max_at > r.event_at
                or b.collected_max_at > r.event_at))",
}, recheck_rules=['order_not_found', 'event_sequence'], helper_ctes=helper_ctes,
    rule_joins='left join order_event_bounds as b on b.order_id = r.order_id') }}
