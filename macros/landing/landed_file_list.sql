{#-
  landed_file_list(table_name, min_dt=none, extra_dts=[], ledger=none): the
  accepted files of a raw table from the sense step's ledger ops.landed_files
  (or `ledger`, a relation of its columns: Spark's Parquet copy), as a sorted
  list of paths; none when the ledger does not exist (then read_landed reads
  the folder). Partitions after kscore.run_var('to_date') are never read: a run for
  as_of_dates up to D uses data landed for days before D (a replay of an old
  range does not see the future). Only evaluated at execution time.
-#}
{% macro landed_file_list(table_name, min_dt=none, extra_dts=[], ledger=none) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if ledger is none -%}
        {%- set ledger = adapter.get_relation(database=target.database, schema='ops', identifier='landed_files') -%}
    {%- endif -%}
    {%- if ledger is none -%}
        {#- no ledger (dbt run by hand): every file of the folder, or [] when there is none -#}
        {%- set glob_sql -%}
            select count(*) from glob({{ kscore.sql_string(var("landing_dir") ~ '/' ~ table_name ~ '/dt=*/*.parquet') }})
        {%- endset -%}
        {{ return(none if run_query(glob_sql).columns[0].values()[0] > 0 else []) }}
    {%- endif -%}
    {%- set sql -%}
        select file_path from {{ ledger }}
        where table_name = {{ kscore.sql_string(table_name) }} and status = 'accepted'
          and dt <= date {{ kscore.sql_string(kscore.run_var("to_date")) }}
        {%- if min_dt is not none %}
          and (dt >= date {{ kscore.sql_string(min_dt) }}
               {%- if extra_dts | length > 0 %} or dt in ({% for d in extra_dts %}date {{ kscore.sql_string(d) }}{{ ', ' if not loop.last }}{% endfor %}){% endif %})
        {%- endif %}
        order by file_path
    {%- endset -%}
    {%- set result = run_query(sql) -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}
