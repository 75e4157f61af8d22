"""The what-if's SQL, compiled by dbt from the marts' own macros (issue 13, point 2).

One `dbt compile --inline` renders TEMPLATE: for each kind, the statements that the marts run, over
input relations the what-if fills (temp tables `whatif_*`) instead of the intermediate models:

- products: `product_tier_scores` (the body of int_product_tier_scores: peer group, subtree_peer_scores,
  levels) and `product_tier_caps` (the caps and tier of product_tier_daily);
- shops / creators: `score_indicators` (int_experience_shop_scores / int_reputation_creator_scores) and
  `pivot_scored_indicators` (shop_experience_score_daily / creator_reputation_score_daily).

The rendered SQL does not depend on the entity or the day (those are in the input tables), only on the
project's files, so it is cached beside the warehouse (`<folder>/whatif_compile/<hash>.json`, the hash of
the template, the macros, the seeds' configuration and the dbt version). dbt compiles against a scratch
DuckDB file of the build file's name in that folder, so that the relations it renders
(`"<build stem>"."rules".<seed>`) name the real build file's seeds while dbt never opens the real file.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import string
import subprocess

from kscore import PROJECT_DIR
from kscore.dbt_runner import dbt_executable
from kscore.paths import WarehousePaths


def _scored_statements(kind: str, entity: str, group: str, volume: str, score: str) -> str:
    """The `<kind>_scored` and `<kind>_wide` statements of a kind scored by `score_indicators` (shop, creator):
    the body of its scored model over whatif_indicators, the seeds `<kind>_indicator_weights` and
    `<kind>_dimension_weights` (weight key `group`, also its peer group), with the volume column, then the pivot
    of its score mart (`score`) over whatif_scored. `<kind>_inds` / `<kind>_dims` are set at the top of TEMPLATE."""
    return string.Template("""-- @@whatif ${kind}_scored
with indicators as (
    select * from whatif_indicators
),

indicator_weights as (
    select * from {{ ref('${kind}_indicator_weights') }}
),

dimension_weights as (
    select ${group} as weight_key, dimension, weight from {{ ref('${kind}_dimension_weights') }}
),

{{ score_indicators('indicators', 'indicator_weights', 'dimension_weights',
                    entity='${entity}', peer_group='${group}', weight_key='${group}') }}

final as (
    select s.*, i.${volume}
    from scored_indicators as s
    inner join indicators as i
        on i.as_of_date = s.as_of_date and i.${entity} = s.${entity} and i.indicator = s.indicator
)

select * from final
-- @@whatif ${kind}_wide
select
    as_of_date,
    ${entity},
    max(${group}) as ${group},
    {{ pivot_scored_indicators(${kind}_inds, ${kind}_dims, '${score}', '${volume}') }}
from whatif_scored
group by as_of_date, ${entity}
""").substitute(kind=kind, entity=entity, group=group, volume=volume, score=score)


# a statement starts after a marker line `-- @@whatif <name>`
MARKER = "-- @@whatif "

TEMPLATE = (
    """
{%- set shop_inds = shop_experience_indicators() | map(attribute='indicator') | list -%}
{%- set shop_dims = shop_experience_indicators() | map(attribute='dimension_key') | unique | list -%}
{%- set creator_inds = creator_reputation_indicators() | map(attribute='indicator') | list -%}
{%- set creator_dims = creator_reputation_indicators() | map(attribute='dimension_key') | unique | list -%}
-- @@whatif product_scores
{{ product_tier_scores('whatif_product_indicators') }}
-- @@whatif product_tier
with joined as (
    select i.*, s.peer_category_id, s.peer_category_level, s.peer_group_size,
           s.heat_score, s.heat_percentile, s.heat_level, s.heat_rank,
           s.quality_score, s.quality_percentile, s.quality_level, s.quality_rank,
           s.service_score, s.service_percentile, s.service_level, s.service_rank
    from whatif_product_indicators as i
    left join whatif_product_scores as s on s.as_of_date = i.as_of_date and s.product_id = i.product_id
),

caps as (
    select * from {{ ref('tier_caps') }}
),

{{ product_tier_caps('joined', 'caps') }}

final as (
    select *, 'G' || cast(tier_rank as {{ kscore.type_name('varchar') }}) as tier from tiered
)

select * from final
"""
    + _scored_statements("shop", "shop_id", "main_category_id", "paid_orders_30d", "experience_score")
    + _scored_statements("creator", "creator_id", "creator_level", "distribution_orders_30d", "reputation_score")
)


class CompileError(RuntimeError):
    """dbt could not render the what-if's SQL."""


def _fingerprint() -> str:
    """A hash of what the rendered SQL depends on: the template, the macros, the seeds' configuration,
    the project file and dbt's version."""
    h = hashlib.sha256(TEMPLATE.encode())
    files = [PROJECT_DIR / "dbt_project.yml", *sorted((PROJECT_DIR / "macros").rglob("*.sql")),
             *sorted((PROJECT_DIR / "seeds").rglob("*.yml"))]
    for f in files:
        h.update(str(f.relative_to(PROJECT_DIR)).encode())
        h.update(f.read_bytes())
    try:
        from dbt.version import __version__ as dbt_version
    except ImportError:  # pragma: no cover
        dbt_version = "?"
    h.update(dbt_version.encode())
    return h.hexdigest()[:16]


def split(sql: str) -> dict[str, str]:
    """The rendered SQL cut at the marker lines into its named statements."""
    out: dict[str, list[str]] = {}
    name = None
    for line in sql.splitlines():
        if line.strip().startswith(MARKER):
            name = line.strip()[len(MARKER):].strip()
            out[name] = []
        elif name is not None:
            out[name].append(line)
    return {k: "\n".join(v).strip() for k, v in out.items()}


def compiled_statements(paths: WarehousePaths) -> dict[str, str]:
    """The what-if's statements by name, rendered by dbt (cached per project fingerprint and build file name)."""
    folder = paths.folder / "whatif_compile"
    folder.mkdir(parents=True, exist_ok=True)
    cache = folder / f"{paths.build.stem}-{_fingerprint()}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one dbt at a time on the scratch file
        if cache.is_file():
            return json.loads(cache.read_text())
        env = dict(os.environ, DBT_PROFILES_DIR=str(PROJECT_DIR), KSCORE_BUILD_DB=str(folder / paths.build.name),
                   DBT_TARGET_PATH=str(folder / "target"), DBT_LOG_PATH=str(folder / "logs"),
                   DBT_SEND_ANONYMOUS_USAGE_STATS="false")
        proc = subprocess.run(
            [dbt_executable(), "compile", "--inline", TEMPLATE, "--output", "json", "--quiet",
             "--project-dir", str(PROJECT_DIR)],
            cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            lines = (proc.stdout + proc.stderr).strip().splitlines()
            raise CompileError("dbt compile of the what-if SQL failed: " + (lines[-1] if lines else "no output"))
        try:
            rendered = json.loads(proc.stdout)["compiled"]
        except (ValueError, KeyError):
            raise CompileError("dbt compile of the what-if SQL printed no JSON document") from None
        statements = split(rendered)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(statements))
        tmp.replace(cache)
        return statements
