"""The published file describes itself to a BI tool (issue 16, points 1 and 8).

- every dbt description of a mart and of each mart column is a COMMENT ON in the published file, read
  by a DuckDB 1.x client (the storage version BI tools bundle), checked against dbt's manifest;
- bi.latest_<mart> returns exactly the newest published as_of_date, also after the next publish and
  after a backfill of an older day;
- bi.dim_* hold one row per entity with its name and its levels on the newest published day, and no
  buyer id or landing path;
- SQLAlchemy's DuckDB dialect (duckdb-engine, what Superset uses) lists the schemas, tables, views and
  comments and queries a latest view.

Reads the session's baseline warehouse (test_bad_input.clean_baseline, shared with test_publish); the
publish tests work on copies of it and need no build."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import textwrap
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

import test_publish
from kscore import PROJECT_DIR, bi
from kscore import publish as publisher
from kscore.paths import warehouse_paths
from kscore.sqltext import identifier, literal

from test_bad_input import BASE_FROM, BASE_TO

# the session's baseline warehouse and the DuckDB 1.x Python, as test_publish has them
baseline = test_publish.baseline
duckdb1_python = test_publish.duckdb1_python
query = test_publish.query

KEYS = {"dim_shops": ("shop_id", "shop_name", "stg_landing__shops"),
        "dim_products": ("product_id", "title", "stg_landing__products"),
        "dim_categories": ("category_id", "category_name", "stg_landing__categories"),
        "dim_creators": ("creator_id", "nickname", "stg_landing__creators")}
PRIVATE_COLUMNS = {"buyer_id", "source_file", "file_path", "processed_by_run", "dt"}


def dbt_descriptions(wh: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """mart -> (its description, {column: description}), as dbt rendered them (doc blocks included) in the
    manifest of the build that made the published file; every model under models/marts/, every one
    with persist_docs for the relation and the columns."""
    manifest = json.loads((warehouse_paths(wh / "kscore.duckdb").dbt_target / "manifest.json").read_text())
    out = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["original_file_path"].startswith("models/marts/"):
            continue
        assert node["config"].get("persist_docs") == {"relation": True, "columns": True}, node["name"]
        out[node["name"]] = ((node.get("description") or "").strip(),
                             {c: (col.get("description") or "").strip() for c, col in node["columns"].items()
                              if (col.get("description") or "").strip()})
    on_disk = {p.stem for p in (PROJECT_DIR / "models" / "marts").glob("**/*.sql")}
    assert set(out) == on_disk
    return out


def newest_published(published: Path) -> dt.date:
    return query(published, "select max(as_of_date) from ops.published_files")[0][0]


def dated_marts(published: Path) -> list[str]:
    return [t for (t,) in query(published, "select table_name from duckdb_columns() where database_name = 'w' "
                                           "and schema_name = 'marts' and column_name = 'as_of_date' order by 1")]


READ_1X = textwrap.dedent("""
    import duckdb, json, sys
    con = duckdb.connect(sys.argv[1], read_only=True)
    out = {"version": duckdb.__version__}
    out["relations"] = con.execute(
        "select schema_name, view_name, comment from duckdb_views() where schema_name in ('marts', 'bi') "
        "union all select schema_name, table_name, comment from duckdb_tables() where schema_name = 'bi' "
        "order by 1, 2").fetchall()
    out["columns"] = con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where schema_name in ('marts', 'bi') order by 1, 2, column_index").fetchall()
    out["rows"] = {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
                   for s, t, _ in out["relations"]}
    out["latest_days"] = [str(d) for (d,) in con.execute(
        "select distinct as_of_date from bi.latest_product_tier_daily").fetchall()]
    print(json.dumps(out, ensure_ascii=False, default=str))
""")


@pytest.fixture(scope="module")
def read_1x(baseline, duckdb1_python) -> dict:
    """What a DuckDB 1.x client reads of the baseline's published file: relations, columns, comments."""
    res = subprocess.run([str(duckdb1_python), "-c", READ_1X, str(baseline["wh"] / "kscore.duckdb")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout)
    assert out["version"].startswith("1.")
    return out


def test_every_dbt_description_is_a_comment_of_the_published_file_read_by_duckdb_1x(read_1x, baseline):
    described = dbt_descriptions(baseline["wh"])
    assert len(described) >= 13 and sum(len(c) for _, c in described.values()) >= 250
    relations = {(s, t): c for s, t, c in read_1x["relations"]}
    columns = {(s, t, c): comment for s, t, c, comment in read_1x["columns"]}
    missing = []
    for mart, (description, cols) in described.items():
        if (relations.get(("marts", mart)) or "").strip() != description:
            missing.append(f"marts.{mart}: {relations.get(('marts', mart))!r}")
        for col, text in cols.items():
            if (columns.get(("marts", mart, col)) or "").strip() != text:
                missing.append(f"marts.{mart}.{col}: {columns.get(('marts', mart, col))!r}")
    assert not missing, f"{len(missing)} descriptions missing or different in the published file: {missing[:10]}"
    # every published mart column is described (no column without a description slipped through)
    assert not [k for k, comment in columns.items() if k[0] == "marts" and not comment]


def test_every_bi_object_and_column_is_commented_and_reads_in_duckdb_1x(read_1x, baseline):
    relations = {(s, t): c for s, t, c in read_1x["relations"]}
    bi_objects = sorted(t for s, t in relations if s == "bi")
    marts = dated_marts(baseline["wh"] / "kscore.duckdb")
    assert bi_objects == sorted([bi.latest_view(m) for m in marts] + list(bi.NAMES))
    assert all(relations[("bi", t)] for t in bi_objects)
    assert not [c for c in read_1x["columns"] if c[0] == "bi" and not c[3]]
    # a latest view carries its mart's column comments; its comment names the day
    columns = {(s, t, c): comment for s, t, c, comment in read_1x["columns"]}
    for mart in marts:
        mine = {c: x for (s, t, c), x in columns.items() if s == "bi" and t == bi.latest_view(mart)}
        assert mine == {c: x for (s, t, c), x in columns.items() if s == "marts" and t == mart}, mart
        assert str(BASE_TO) in relations[("bi", bi.latest_view(mart))]
    assert read_1x["latest_days"] == [str(BASE_TO)]
    assert all(read_1x["rows"][f"bi.{d}"] > 0 for d in bi.NAMES)


def test_latest_views_hold_exactly_the_newest_published_day(baseline):
    published = baseline["wh"] / "kscore.duckdb"
    newest = newest_published(published)
    assert newest == BASE_TO
    with_rows = 0
    for mart in dated_marts(published):
        latest = f"bi.{identifier(bi.latest_view(mart))}"
        days = query(published, f"select distinct as_of_date from {latest}")
        n = query(published, f"select count(*) from marts.{identifier(mart)} where as_of_date = ?", [newest])[0][0]
        assert days == ([(newest,)] if n else []), mart
        if n:
            with_rows += 1
            diff = query(published, f"(select * from {latest} except all select * from marts.{identifier(mart)} "
                                    f"where as_of_date = $d) union all (select * from marts.{identifier(mart)} "
                                    f"where as_of_date = $d except all select * from {latest})", {"d": newest})
            assert diff == [], mart
    assert with_rows >= 8
    # a mart without as_of_date has no latest view
    undated = set(query(published, "select view_name from duckdb_views() where database_name = 'w' "
                                   "and schema_name = 'marts'")) - {(m,) for m in dated_marts(published)}
    bi_views = {v for (v,) in query(published, "select view_name from duckdb_views() where database_name = 'w' "
                                               "and schema_name = 'bi'")}
    assert not {bi.latest_view(m) for (m,) in undated} & bi_views


def test_latest_views_and_dims_follow_the_next_publish_not_a_backfill(baseline, tmp_path):
    paths = test_publish.fresh(baseline, tmp_path / "wh", [BASE_FROM])

    def state():
        return (query(paths.published, "select distinct as_of_date from bi.latest_product_tier_daily"),
                query(paths.published, "select distinct as_of_date from bi.dim_shops"),
                query(paths.published, "select count(*) from bi.latest_shop_experience_score_daily")[0][0])

    first = state()
    assert first[:2] == ([(BASE_FROM,)], [(BASE_FROM,)]) and first[2] > 0
    nxt = BASE_FROM + dt.timedelta(days=1)
    publisher.publish(paths, [nxt], landing=baseline["landing"])
    assert state()[:2] == ([(nxt,)], [(nxt,)])
    # a backfill of the older day republishes it, the newest day stays the latest
    publisher.publish(paths, [BASE_FROM], landing=baseline["landing"])
    assert state()[:2] == ([(nxt,)], [(nxt,)])
    tiers = "select product_id, tier from bi.dim_products where tier is not null order by 1"
    before = query(paths.published, tiers)
    assert before == query(paths.published, "select product_id, tier from bi.latest_product_tier_daily order by 1")
    # relocate (no build file) keeps the dims and rewrites the latest views
    moved = tmp_path / "moved"
    paths.folder.rename(moved)
    paths = warehouse_paths(moved / "kscore.duckdb")
    paths.build.unlink()
    publisher.relocate(paths)
    assert state()[:2] == ([(nxt,)], [(nxt,)]) and query(paths.published, tiers) == before


def test_dims_have_one_row_per_entity_with_names_and_levels_and_nothing_private(baseline):
    wh = baseline["wh"]
    published, build = wh / "kscore.duckdb", wh / "kscore_build.duckdb"
    newest = newest_published(published)
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(published)} as w (read_only)")
        con.execute(f"attach {literal(build)} as kscore_build (read_only)")
        for dim, (key, name, staging) in KEYS.items():
            rows, keys, names = con.execute(f"select count(*), count(distinct {key}), count({name}) "
                                            f"from w.bi.{dim}").fetchone()
            assert rows == keys == names > 0, dim
            # exactly the entities with a version in force on the newest published day, with its name
            raw_name = "name" if dim == "dim_categories" else name      # the raw contract's column
            expected = con.execute(
                f"select {key}, {raw_name} from kscore_build.staging.{staging} "
                f"where updated_at < cast(? as timestamp) "
                f"qualify row_number() over (partition by {key} order by updated_at desc) = 1 order by 1",
                [newest]).fetchall()
            assert con.execute(f"select {key}, {name} from w.bi.{dim} order by 1").fetchall() == expected, dim
            assert con.execute(f"select distinct as_of_date from w.bi.{dim}").fetchall() == [(newest,)]
        # the levels are the newest day's
        assert con.execute("select shop_id, score_stage, experience_score from w.bi.dim_shops "
                           "where score_stage is not null except select shop_id, score_stage, experience_score "
                           "from w.marts.shop_experience_score_daily where as_of_date = ?", [newest]).fetchall() == []
        assert con.execute("select count(*) from w.bi.dim_shops where score_stage is not null").fetchone()[0] == \
            con.execute("select count(*) from w.marts.shop_experience_score_daily where as_of_date = ?",
                        [newest]).fetchone()[0]
        assert con.execute("select count(reputation_score) from w.bi.dim_creators").fetchone()[0] == \
            con.execute("select count(reputation_score) from w.marts.creator_reputation_score_daily "
                        "where as_of_date = ?", [newest]).fetchone()[0] > 0
        assert con.execute("select count(*) from w.bi.dim_categories where parent_id is not null "
                           "and parent_name is null").fetchone()[0] == 0
        assert {r[0] for r in con.execute("select distinct category_level from w.bi.dim_categories").fetchall()} \
            <= {1, 2, 3}
        # nothing private in a dim (the latest views are the marts' published rows): no buyer id or
        # landing column, no landing path in any text
        columns = [r for r in con.execute("select table_name, column_name, data_type from duckdb_columns() "
                                          "where database_name = 'w' and schema_name = 'bi'").fetchall()
                   if r[0] in bi.NAMES]
        assert not {c for _, c, _ in columns} & PRIVATE_COLUMNS
        landing = str(Path(baseline["landing"]).resolve())
        for dim in bi.NAMES:
            text = [c for t, c, ty in columns if t == dim and ty == "VARCHAR"]
            hits = con.execute(f"select count(*) from w.bi.{dim} where "
                               + " or ".join(f"contains({identifier(c)}, ?)" for c in text),
                               [landing] * len(text)).fetchone()[0]
            assert hits == 0, dim
    finally:
        con.close()


@pytest.fixture()
def engine(baseline):
    eng = sa.create_engine(f"duckdb:///{baseline['wh'] / 'kscore.duckdb'}", connect_args={"read_only": True})
    yield eng
    eng.dispose()


def test_sqlalchemy_duckdb_engine_lists_schemas_relations_comments_and_queries_a_latest_view(engine, baseline):
    """duckdb-engine is what Superset and most Python BI tools read DuckDB through."""
    published = baseline["wh"] / "kscore.duckdb"
    described = dbt_descriptions(baseline["wh"])
    insp = sa.inspect(engine)
    schemas = insp.get_schema_names()           # duckdb-engine names them <catalog>.<schema>
    assert {"kscore.marts", "kscore.bi", "kscore.ops"} <= set(schemas)
    marts = insp.get_view_names(schema="marts")
    assert sorted(marts) == sorted(described)
    assert insp.get_table_names(schema="marts") == []
    assert sorted(insp.get_table_names(schema="bi")) == sorted(bi.NAMES)
    assert sorted(insp.get_view_names(schema="bi")) == sorted(bi.latest_view(m) for m in dated_marts(published))
    for mart in marts:
        assert insp.get_table_comment(mart, schema="marts")["text"].strip() == described[mart][0]
    assert insp.get_table_comment("dim_shops", schema="bi")["text"].startswith("店铺")
    assert "newest as_of_date published" in insp.get_table_comment("latest_product_tier_daily", schema="bi")["text"]
    # column comments through the inspector (get_columns), as a BI tool's dataset editor reads them
    for mart, (_, cols) in described.items():
        reflected = {c["name"]: (c["comment"] or "").strip() for c in insp.get_columns(mart, schema="marts")}
        assert {col: reflected.get(col) for col in cols} == cols, mart
    with engine.connect() as con:
        days = con.execute(sa.text("select distinct as_of_date from bi.latest_product_tier_daily")).fetchall()
        assert days == [(BASE_TO,)]
        top = con.execute(sa.text("select d.shop_name, count(*) as products from bi.latest_product_tier_daily t "
                                  "join bi.dim_shops d using (shop_id) where t.tier_rank >= :r "
                                  "group by 1 order by 2 desc, 1 limit 3"), {"r": 2}).fetchall()
        assert top and all(name and n > 0 for name, n in top)
