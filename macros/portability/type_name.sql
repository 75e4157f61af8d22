{#-
  type_name(data_type): the engine's spelling of a contract data type (the
  YAML data_type: bigint, double, varchar, date, timestamp, integer, boolean,
  decimal(p,s)), for CASTs built from the contract. Dispatched: DuckDB and the
  default keep the contract's word; Spark has no VARCHAR without a length, so
  varchar (and text) become STRING, and TIMESTAMP stays TIMESTAMP (the spark
  target sets spark.sql.timestampType=TIMESTAMP_NTZ: local wall-clock time
  without a zone, as in DuckDB).
-#}
{% macro type_name(data_type) -%}
    {{ return(adapter.dispatch('type_name', 'kscore')(data_type)) }}
{%- endmacro %}

{% macro default__type_name(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__type_name(data_type) -%}
    {%- set t = (data_type | string | trim | lower) -%}
    {{ return('string' if t in ('varchar', 'text', 'string') or t.startswith('varchar(') else data_type) }}
{%- endmacro %}

{#-
  spark__cast(field, type): dbt's cross-database cast on Spark with the type
  spelled for Spark. dbt builds a contracted model's empty-schema query with
  it (cast(null as <contract data_type>)), so the marts' contracts, written
  with DuckDB's words (varchar), are checked on Spark too. The root project's
  spark__ macro wins the dispatch of the dbt namespace.
-#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ kscore.type_name(type) }})
{%- endmacro %}
