{#-
  read_landed(table_name, min_dt=none, extra_dts=[])

  A relation over the landed Parquet rows of one raw table, read in place,
  with the contract's columns plus
    dt           DATE     the landing partition (folder dt=...)
    source_file  VARCHAR  the file the row came from
    source_row   BIGINT   the row's position inside that file
  Only files the sense step accepted (ops.landed_files, status 'accepted')
  are read, so a truncated or mis-typed file never reaches SQL; when that
  ledger does not exist (dbt run by hand) every file under the table's
  folder is read. `min_dt` limits the partitions read (incremental look-back);
  `extra_dts` adds older partitions to re-read (quarantined orphans).
  No file → an empty relation with the right columns and types.
  Registers the dependency on source('landing', table_name) for lineage.
-#}
{% macro read_landed(table_name, min_dt=none, extra_dts=[]) -%}
    {%- set src = source('landing', table_name) -%}
    {{ return(adapter.dispatch('read_landed', 'kscore')(table_name, min_dt, extra_dts)) }}
{%- endmacro %}

{% macro duckdb__read_landed(table_name, min_dt, extra_dts) -%}
    {%- set cols = kscore.landing_columns(table_name) -%}
    {%- set files = kscore.landed_file_list(table_name, min_dt, extra_dts) -%}
    {%- if files is none -%}
        {#- no ledger: read the folder -#}
        {%- set location = var('landing_dir') ~ '/' ~ table_name ~ '/dt=*/*.parquet' -%}
        (select {% for c in cols %}{{ c.name }}, {% endfor %}cast(dt as date) as dt, filename as source_file, cast(file_row_number as bigint) as source_row
         from read_parquet({{ kscore.sql_string(location) }}, hive_partitioning = true, union_by_name = true, filename = true, file_row_number = true)
         where cast(dt as date) <= date {{ kscore.sql_string(kscore.run_var("to_date")) }}
         {% if min_dt is not none %}and cast(dt as date) >= date {{ kscore.sql_string(min_dt) }}{% endif %})
    {%- elif files | length == 0 -%}
        (select {% for c in cols %}cast(null as {{ c.data_type }}) as {{ c.name }}, {% endfor %}cast(null as date) as dt, cast(null as varchar) as source_file, cast(null as bigint) as source_row
         where 1 = 0)
    {%- else -%}
        (select {% for c in cols %}{{ c.name }}, {% endfor %}cast(dt as date) as dt, filename as source_file, cast(file_row_number as bigint) as source_row
         from read_parquet([{% for f in files %}{{ kscore.sql_string(f) }}{{ ', ' if not loop.last }}{% endfor %}],
                           hive_partitioning = true, union_by_name = true, filename = true, file_row_number = true))
    {%- endif -%}
{%- endmacro %}

{#-
  spark__read_landed: Spark reads the Parquet files in place as `parquet.`<path>``.
    ledger      `kscore run --engine spark` exports the sense step's ledger
        (ops.landed_files of the DuckDB build file) to Parquet and names it
        in KSCORE_SPARK_LEDGER (kscore.spark_build.export_ledger): the
        accepted files are read as one Hadoop glob {a,b,...} under the
        table's folder, dt parsed from the path (a glob of files has no
        partition discovery). So Spark reads exactly the files DuckDB reads,
        never a rejected one.
    no ledger (dbt run by hand on the spark target, KSCORE_SPARK_LEDGER unset)
        the table's folder: Spark discovers the dt= partitions itself (dt a
        DATE; the dt filters prune folders). The folder must exist: Spark SQL
        cannot list files, so a table with no folder at all fails the build
        (PATH_NOT_FOUND) where DuckDB reads an empty relation.
  source_file is _metadata.file_path (the same value as input_file_name())
  without its `file:` scheme, so it is the path DuckDB reports; source_row is
  _metadata.row_index, the row's 0-based position in its Parquet file (Spark
  3.5+; the same numbering as DuckDB's file_row_number). Files whose columns
  differ are merged by name (spark.sql.parquet.mergeSchema in the spark
  target, DuckDB's union_by_name).
-#}
{% macro spark__read_landed(table_name, min_dt, extra_dts) -%}
    {%- set cols = kscore.landing_columns(table_name) -%}
    {%- set folder = var('landing_dir') ~ '/' ~ table_name -%}
    {%- set ledger = env_var('KSCORE_SPARK_LEDGER', '') -%}
    {%- set files = kscore.landed_file_list(table_name, min_dt, extra_dts, ledger='parquet.`' ~ (ledger | replace('`', '``')) ~ '`') if ledger else none -%}
    {%- if files is none -%}
        (select {% for c in cols %}{{ c.name }}, {% endfor %}cast(dt as date) as dt, regexp_replace(_metadata.file_path, '^file:', '') as source_file, cast(_metadata.row_index as bigint) as source_row
         from parquet.`{{ folder | replace('`', '``') }}`
         where cast(dt as date) <= date {{ kscore.sql_string(kscore.run_var("to_date")) }}
         {% if min_dt is not none %}and cast(dt as date) >= date {{ kscore.sql_string(min_dt) }}{% endif %})
    {%- elif files | length == 0 -%}
        (select {% for c in cols %}cast(null as {{ kscore.type_name(c.data_type) }}) as {{ c.name }}, {% endfor %}cast(null as date) as dt, cast(null as string) as source_file, cast(null as bigint) as source_row
         where 1 = 0)
    {%- else -%}
        {%- set rel = [] -%}
        {%- for f in files -%}
            {%- if not f.startswith(folder ~ '/') -%}
                {{ exceptions.raise_compiler_error("spark__read_landed: ledger file " ~ f ~ " is not under " ~ folder) }}
            {%- endif -%}
            {%- do rel.append(f[(folder | length) + 1:]) -%}
        {%- endfor -%}
        (select {% for c in cols %}{{ c.name }}, {% endfor %}cast(regexp_extract(_metadata.file_path, '/dt=([^/]+)/', 1) as date) as dt, regexp_replace(_metadata.file_path, '^file:', '') as source_file, cast(_metadata.row_index as bigint) as source_row
         from parquet.`{{ (folder ~ '/{' ~ (rel | join(',')) ~ '}') | replace('`', '``') }}`)
    {%- endif -%}
{%- endmacro %}
