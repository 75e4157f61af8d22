{#-
  landing_base(table_name, key, kind, ts_column=none, rules={}, recheck_rules=[], helper_ctes=none,
               rule_joins=none)

  The body of every `base_landing__<table>` model: reads the landed rows
  of one raw table (macro read_landed), casts them to the contract's types
  (a value the type cannot hold breaks `type_not_castable:<column>`),
  evaluates the row rules of spec 06 §1 and classifies every landed row as
  exactly one of
    staged       valid, goes on to stg_landing__<table>
    quarantined  broke at least one rule (broken_rules lists them, ';'-joined)
    duplicate    a repeated delivery of a key, dropped and counted
  so that landed = staged + quarantined + duplicates per table and dt.

  key       list of key columns. Event tables: the first copy (dt, file, row)
            is kept; an identical copy is a duplicate; a copy with other
            content breaks `duplicate_key_conflict`. Change-record tables
            pass their entity key plus updated_at: the copy in the later dt,
            then the later file (then later row) wins, the others are
            superseded duplicates.
  kind      'event' or 'change'
  ts_column the row's own timestamp that decides its dt (rules dt_mismatch,
            future_timestamp: later than the day after kscore.run_var('to_date'))
  rules     {rule_name: SQL condition that is TRUE when the row breaks it};
            the row is `r`; CTE `batch` holds this run's typed rows and
            `prior` this model's staged rows of partitions not re-read.
  helper_ctes    optional CTE definitions (text, `name as (...)`, comma-separated)
            placed after `batch` and `prior`, for rules that need a
            pre-aggregate (e.g. per-order event bounds) instead of a
            correlated scan
  rule_joins     optional text: LEFT JOINs of such helper CTEs onto the rows
            (`r`), placed in the rule evaluation's FROM, so that a rule is a
            plain expression over the joined columns. Each joined relation
            must hold at most one row per joined key (the row count must not
            change). A correlated EXISTS with a non-equality condition makes
            DuckDB de-duplicate every outer row first (a DELIM join: at small
            13 of the 39 CPU seconds of base_landing__logistics_events).
  recheck_rules  rules whose verdict can change when other data lands
            (orphans, sequences): partitions holding rows quarantined for
            them are re-read every run, so a row is released once its parent
            lands (spec 06).

  Incremental: re-reads partitions dt >= max(dt) - var('lookback_days'),
  partitions holding files not read before (late files, whatever their dt)
  and partitions with recheckable quarantined rows; delete+insert by dt.
-#}
{% macro landing_base(table_name, key, kind, ts_column=none, rules={}, recheck_rules=[], helper_ctes=none,
                      rule_joins=none) -%}
{%- set cols = kscore.landing_columns(table_name) -%}
{%- set min_dt = none -%}
{%- set extra_dts = [] -%}
{%- set always_recheck = recheck_rules + (['future_timestamp'] if ts_column else []) -%}
{%- if is_incremental() and execute -%}
    {%- set window_sql -%}
        select cast(max(dt) - {{ var('lookback_days') | int }} as varchar) from {{ this }}
    {%- endset -%}
    {%- set min_dt = run_query(window_sql).columns[0].values()[0] -%}
    {%- set recheck_sql -%}
        select distinct cast(dt as varchar) from {{ this }}
        where row_status = 'quarantined' and (
            {%- for rule in always_recheck %}
            broken_rules like {{ kscore.sql_string('%' ~ rule ~ '%') }}{{ ' or' if not loop.last }}
            {%- endfor %}
            {%- if always_recheck | length == 0 %} 1 = 0{% endif %})
    {%- endset -%}
    {%- set extra_dts = run_query(recheck_sql).columns[0].values() | list -%}
    {%- set ledger = adapter.get_relation(database=target.database, schema='ops', identifier='landed_files') -%}
    {%- if ledger is not none -%}
        {%- set late_sql -%}
            select distinct cast(l.dt as varchar) from {{ ledger }} l
            where l.table_name = {{ kscore.sql_string(table_name) }} and l.status = 'accepted'
              and not exists (select 1 from {{ this }} t where t.source_file = l.file_path)
        {%- endset -%}
        {%- set extra_dts = extra_dts + (run_query(late_sql).columns[0].values() | list) -%}
    {%- endif -%}
{%- endif -%}

with landed as {{ kscore.not_materialized() }} (
    select * from {{ kscore.read_landed(table_name, min_dt, extra_dts) }}
),

batch as (
    select
        {%- for c in cols %}
        {{ dbt.safe_cast(c.name, c.data_type) }} as {{ c.name }},
        {%- endfor %}
        {#- a value its contract type cannot hold (the file's column type was accepted by the sense step) -#}
        nullif(concat_ws(';',
            {%- for c in cols %}
            case when {{ c.name }} is not null and {{ dbt.safe_cast(c.name, c.data_type) }} is null
                 then 'type_not_castable:{{ c.name }}' end{{ ',' if not loop.last }}
            {%- endfor %}
        ), '') as cast_failures,
        dt,
        source_file,
        source_row
    from landed
),

prior as (
    {%- if is_incremental() %}
    select * from {{ this }}
    where row_status = 'staged' and dt not in (select distinct dt from batch)
    {%- else %}
    select
        {%- for c in cols %}
        cast(null as {{ kscore.type_name(c.data_type) }}) as {{ c.name }},
        {%- endfor %}
        cast(null as date) as dt,
        cast(null as {{ kscore.type_name('varchar') }}) as source_file
    where 1 = 0
    {%- endif %}
),

{%- if helper_ctes %}
{{ helper_ctes }},
{%- endif %}

{%- if kind == 'event' %}
{#- the keys of this batch that an earlier run already staged (in a partition not re-read): a copy
    landed again with other content breaks duplicate_key_conflict. An inner join of the batch's keys
    with `prior` (all staged rows of the other partitions: the whole history in an increment), so the
    hash table is built on the batch's side, not on the history's -#}
prior_copies as (
    select distinct {% for k in key %}p.{{ k }}, {% endfor %}true as is_in_prior
    from prior as p
    inner join (select distinct {{ key | join(', ') }} from batch) as b
        on {% for k in key %}p.{{ k }} = b.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
),
{%- endif %}

{#- the copy check runs its windows only over the keys this batch holds more than once (rare): a key
    landed once is its own first copy, with no other copy to conflict with. NULL keys group together
    (is not distinct from), as in a window's partition. -#}
key_copies as (
    select {{ key | join(', ') }}, true as has_copies
    from batch
    group by {{ key | join(', ') }}
    having count(*) > 1
),

{#- not materialized: read by both branches of keyed_with_copies, DuckDB would otherwise hold every
    row of the batch in memory (at small 1.84 -> 1.31 GB peak for the logistics events) -#}
flagged as {{ kscore.not_materialized() }} (
    select r.*, coalesce(k.has_copies, false) as has_copies
    from batch as r
    left join key_copies as k
        on {% for k in key %}r.{{ k }} is not distinct from k.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
),

copies as (
    select r.*, {{ kscore.row_content_hash(cols | map(attribute='name') | list) }} as content_hash
    from flagged as r
    where r.has_copies
),

keyed_with_copies as (
    select
        c.*,
        row_number() over (
            partition by {{ key | join(', ') }}
            order by {% if kind == 'change' %}dt desc, source_file desc, source_row desc{% else %}dt, source_file, source_row{% endif %}
        ) as key_rank,
        min(content_hash) over (partition by {{ key | join(', ') }})
            <> max(content_hash) over (partition by {{ key | join(', ') }}) as has_conflicting_copies
    from copies as c
    union all
    select r.*, null as content_hash, 1 as key_rank, false as has_conflicting_copies
    from flagged as r
    where not r.has_copies
),

checked as (
    select
        r.*,
        concat_ws(';',
            r.cast_failures,
            {%- for k in key %}
            case when r.{{ k }} is null then 'key_null' end,
            {%- endfor %}
            {#- a value NULLed by a failed cast is type_not_castable, not required_null -#}
            case when r.cast_failures is null and ({% for c in cols if not c.nullable and c.name not in key %}r.{{ c.name }} is null{{ ' or ' if not loop.last }}{% else %}1 = 0{% endfor %}) then 'required_null' end,
            {%- if ts_column %}
            case when cast(r.{{ ts_column }} as date) <> r.dt then 'dt_mismatch' end,
            case when r.{{ ts_column }} >= cast({{ kscore.add_days('date ' ~ kscore.sql_string(kscore.run_var('to_date')), 1) }} as timestamp) then 'future_timestamp' end,
            {%- endif %}
            {%- if kind == 'event' %}
            case when r.key_rank > 1 and r.has_conflicting_copies then 'duplicate_key_conflict' end,
            case when pc.is_in_prior then 'duplicate_key_conflict' end,
            {%- endif %}
            {%- for name, condition in rules.items() %}
            case when {{ condition }} then {{ kscore.sql_string(name) }} end{{ ',' if not loop.last }}
            {%- endfor %}
            {%- if rules | length == 0 %}
            cast(null as {{ kscore.type_name('varchar') }})
            {%- endif %}
        ) as broken_rules
    from keyed_with_copies as r
    {%- if kind == 'event' %}
    left join prior_copies as pc
        on {% for k in key %}pc.{{ k }} = r.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endif %}
    {%- if rule_joins %}
    {{ rule_joins }}
    {%- endif %}
),

final as (
    select
        {%- for c in cols %}
        {{ c.name }},
        {%- endfor %}
        dt,
        source_file,
        source_row,
        case
            when broken_rules <> '' then 'quarantined'
            when key_rank > 1 then 'duplicate'
            else 'staged'
        end as row_status,
        broken_rules,
        {{ kscore.sql_string(kscore.run_var("run_id")) }} as run_id
    from checked
)

select * from final
{%- endmacro %}
