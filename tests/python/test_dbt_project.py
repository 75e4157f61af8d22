"""The dbt project as a whole: every unit test (given/expect) of every rule passes, every model builds on
an empty landing zone, and every source, staging and mart column is described (issue 2: dbt docs)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kscore import PROJECT_DIR
from kscore.dbt_runner import dbt_vars, run_dbt
from kscore.paths import warehouse_paths

CONTRACT = PROJECT_DIR.parent / "shared" / "spec" / "contract.json"


@pytest.fixture(scope="module")
def empty_build(tmp_path_factory):
    """Every model built over an empty landing zone (the relations unit tests introspect), then the manifest."""
    root = tmp_path_factory.mktemp("dbt")
    landing = root / "landing"
    landing.mkdir()
    paths = warehouse_paths(root / "wh" / "kscore.duckdb")
    paths.folder.mkdir(parents=True, exist_ok=True)
    vars_ = dbt_vars(dt.date(2023, 1, 31), dt.date(2023, 1, 31), landing, "test-empty")
    summary = run_dbt(["build", "--exclude-resource-type", "unit_test"], paths, landing, vars_, root / "build.log",
                      lambda s: None)
    return paths, landing, vars_, root, summary


def test_every_model_builds_and_every_data_test_passes_on_an_empty_zone(empty_build):
    _, _, _, _, summary = empty_build
    assert summary["nodes"] > 100
    assert summary["errors"] == []


def test_every_dbt_unit_test_passes(empty_build):
    paths, landing, vars_, root, _ = empty_build
    summary = run_dbt(["test", "--select", "test_type:unit"], paths, landing, vars_, root / "unit.log", lambda s: None)
    results = json.loads((paths.dbt_target / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 127, "unit tests of the rules are missing (127 exist)"
    failed = [f"{r['unique_id']}: {r.get('message')}" for r in unit if r["status"] != "pass"]
    assert not failed, "\n".join(failed)
    assert summary["errors"] == []
    # every intermediate model holds a rule (a pre-aggregate's filter, a window, a score): each has a unit test
    manifest = json.loads((paths.dbt_target / "manifest.json").read_text())
    tested = {t["depends_on"]["nodes"][0] for t in manifest["unit_tests"].values()}
    untested = sorted(n["name"] for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"
                      and n["original_file_path"].startswith("models/intermediate/") and uid not in tested)
    assert not untested, f"intermediate models without a unit test: {untested}"


def test_every_source_staging_and_mart_column_is_described(empty_build):
    paths, *_ = empty_build
    manifest = json.loads((paths.dbt_target / "manifest.json").read_text())
    missing = []
    for node in manifest["sources"].values():
        missing += [f"{node['unique_id']}.{c}" for c, col in node["columns"].items() if not col.get("description")]
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        folder = node["original_file_path"].split("/")[1]
        if folder in ("staging", "marts"):
            if not node.get("description"):
                missing.append(node["unique_id"])
            missing += [f"{node['unique_id']}.{c}" for c, col in node["columns"].items() if not col.get("description")]
    assert not missing, missing[:20]


def test_every_contract_mart_column_is_documented(empty_build):
    paths, *_ = empty_build
    manifest = json.loads((paths.dbt_target / "manifest.json").read_text())
    documented = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/"):
            documented[f"marts.{node['alias'] or node['name']}"] = {c for c, col in node["columns"].items()
                                                                    if col.get("description")}
    path = CONTRACT if CONTRACT.exists() else Path(__file__).with_name("contract.json")
    contract = json.loads(path.read_text())
    spec = {t: list(cols) for t, cols in contract["tables"].items()}
    for t, cols in contract.get("pending_09", {}).items():  # spec 09's tables (issue 14) are built too
        spec.setdefault(t, []).extend(cols)
    marts = {t: cols for t, cols in spec.items() if t.startswith("marts.")}
    assert all(t in documented for t in marts), sorted(set(marts) - set(documented))
    gaps = [f"{t}.{c}" for t, cols in marts.items() for c in cols if c not in documented[t]]
    assert not gaps, gaps[:20]


def _compiled_sql(paths, resource_type: str, name: str) -> str:
    """The SQL dbt compiled for the test or model `name` in this build (run/ wraps a test in its count)."""
    manifest = json.loads((paths.dbt_target / "manifest.json").read_text())
    node = next(n for n in manifest["nodes"].values() if n["resource_type"] == resource_type and n["name"] == name)
    if node.get("compiled_code"):
        return node["compiled_code"]
    folder = "run" if resource_type == "test" else "compiled"
    return (paths.dbt_target / folder / node["package_name"] / node["original_file_path"]
            / (node["path"] if resource_type == "test" else "")).read_text()


def _compiled_test_sql(paths, test_name: str) -> str:
    return _compiled_sql(paths, "test", test_name)


def test_the_tier_flag_test_follows_the_seed_and_catches_a_wrong_flag(empty_build, tmp_path):
    """The data test behind 好货/好货标签/落后商品 (tier_flags_follow_params) judges the flags by the seed's cut
    points: a right row passes, a row whose flag disagrees with the seed fails, and a changed seed moves it."""
    import shutil

    import duckdb

    paths, *_ = empty_build
    sql = _compiled_test_sql(paths, "product_tier_daily_flags_follow_tier_rank")
    db = tmp_path / paths.build.name       # the same catalog name as the compiled SQL's
    shutil.copy(paths.build, db)
    con = duckdb.connect(str(db))
    seed = dict(con.execute("select param, value from rules.product_tier_params").fetchall())
    assert (seed["good_product_min_tier"], seed["good_badge_min_tier"], seed["laggard_max_tier"]) == (2, 3, 0)

    def failures(*rows):
        con.execute("delete from marts.product_tier_daily")
        for rank, good, badge, laggard in rows:
            con.execute("insert into marts.product_tier_daily (as_of_date, product_id, tier_rank, is_good_product, "
                        "has_good_badge, is_laggard) values (date '2023-01-31', 1, ?, ?, ?, ?)",
                        [rank, good, badge, laggard])
        result = con.execute(sql)
        # the executed test SQL (run/) is wrapped in dbt's `select count(*) as failures ...`; compiled_code is not
        return result.fetchone()[0] if result.description[0][0] == "failures" else len(result.fetchall())

    assert failures((0, False, False, True), (1, False, False, False), (2, True, False, False),
                    (3, True, True, False), (4, True, True, False)) == 0
    assert failures((2, False, False, False)) == 1          # a 好货 not flagged
    assert failures((3, True, False, False)) == 1           # 好货标签 missing
    assert failures((1, False, False, True)) == 1           # G1 flagged 落后商品
    assert failures((2, None, False, False)) == 1           # a NULL flag is a failure
    con.execute("update rules.product_tier_params set value = 3 where param = 'good_product_min_tier'")
    assert failures((2, False, False, False)) == 0          # the seed, not a literal, decides
    con.close()


def _compiled_model_sql(paths, model: str) -> str:
    return _compiled_sql(paths, "model", model)


def test_indicator_seeds_and_models_must_name_the_same_indicators(empty_build, tmp_path):
    """matches_indicator_set: the weight seeds list exactly the indicators the models compute (the macros
    shop_experience_indicators, creator_reputation_indicators, product_tier_indicators, product_extra_indicators),
    with the same dimension;
    a seed row no model computes, a computed indicator the seed lacks and a moved dimension each fail."""
    import shutil

    import duckdb

    paths, *_ = empty_build
    db = tmp_path / paths.build.name       # the same catalog name as the compiled SQL's
    shutil.copy(paths.build, db)
    con = duckdb.connect(str(db))

    def problems(test_name: str) -> int:
        result = con.execute(_compiled_test_sql(paths, test_name))
        return result.fetchone()[0] if result.description[0][0] == "failures" else len(result.fetchall())

    shop = "matches_indicator_set_shop_indicator_weights_indicator__dimension_key__shop_experience_indicators"
    product = "matches_indicator_set_dimension_weights_indicator__dimension__product_tier_indicators"
    creator = "matches_indicator_set_creator_indicator_weights_indicator__dimension_key__creator_reputation_indicators"
    extra = "matches_indicator_set_extra_dimension_weights_indicator__dimension__product_extra_indicators"
    assert (problems(shop), problems(product), problems(creator), problems(extra)) == (0, 0, 0, 0)
    con.execute("update rules.extra_dimension_weights set dimension = 'price' where indicator = 'live_gpm'")
    assert problems(extra) == 2                               # spec 09 §3: a moved dimension fails both ways
    con.execute("insert into rules.shop_indicator_weights (indicator, dimension_key) values ('made_up_rate', 'stability')")
    assert problems(shop) == 1                                # in the seed, computed by no model
    con.execute("delete from rules.shop_indicator_weights where indicator in ('made_up_rate', 'delivery_hours')")
    assert problems(shop) == 1                                # computed, but no weight in the seed
    con.execute("update rules.dimension_weights set dimension = 'heat' where indicator = 'dispute_rate'")
    assert problems(product) == 2                             # its dimension moved: both sides lack the pair
    con.execute("delete from rules.creator_indicator_weights")
    assert problems(creator) == 8
    con.close()


def test_a_parameter_missing_from_its_seed_stops_the_model_by_name(empty_build, tmp_path):
    """seed_params: a model reading a parameter its seed lacks fails with the seed's and the parameter's name
    (never a silent NULL that turns every comparison false); with the row present it reads the seed's value."""
    import shutil

    import duckdb

    paths, *_ = empty_build
    db = tmp_path / paths.build.name
    shutil.copy(paths.build, db)
    con = duckdb.connect(str(db))
    sql = _compiled_model_sql(paths, "int_shop_im_daily")
    start = sql.index("params as (") + len("params as (")
    depth, end = 1, start
    while depth:                                               # the CTE's body: up to its closing parenthesis
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        end += 1
    params = f"select * from ({sql[start:end - 1]}) as p"
    assert con.execute(params).fetchall() == [(180,)]          # present: the seed's value
    con.execute("delete from rules.core_params where param = 'im_reply_seconds'")
    with pytest.raises(duckdb.Error, match="seed core_params has no parameter im_reply_seconds"):
        con.execute(params).fetchall()
    con.close()


def test_the_summary_flag_counts_follow_the_seed(empty_build, tmp_path):
    """expression_is_true_given_params on the tier summaries: 好货 / 好货标签 / 落后商品 counts are judged by the
    seed's cut points (not g2 + g3 + g4 written in the test): a right row passes, a wrong count fails, and a
    changed seed moves the verdict."""
    import shutil

    import duckdb

    paths, *_ = empty_build
    sql = _compiled_test_sql(paths, "shop_product_tier_summary_daily_flag_counts_follow_params")
    db = tmp_path / paths.build.name
    shutil.copy(paths.build, db)
    con = duckdb.connect(str(db))

    def failures(good: int, badge: int, laggard: int) -> int:
        con.execute("delete from marts.shop_product_tier_summary_daily")
        # G0..G4 = 1, 2, 3, 4, 5 products
        con.execute("insert into marts.shop_product_tier_summary_daily (as_of_date, shop_id, on_sale_products, "
                    "g0_products, g1_products, g2_products, g3_products, g4_products, good_products, "
                    "good_badge_products, laggard_products) values (date '2023-01-31', 1, 15, 1, 2, 3, 4, 5, ?, ?, ?)",
                    [good, badge, laggard])
        result = con.execute(sql)
        return result.fetchone()[0] if result.description[0][0] == "failures" else len(result.fetchall())

    assert failures(3 + 4 + 5, 4 + 5, 1) == 0                  # the seed: 好货 >= G2, 好货标签 >= G3, 落后 <= G0
    assert failures(4 + 5, 4 + 5, 1) == 1                      # G2 left out of 好货
    assert failures(12, 5, 1) == 1                             # 好货标签 counted from G4 only
    assert failures(12, 9, 3) == 1                             # G1 counted as 落后商品
    con.execute("update rules.product_tier_params set value = 1 where param = 'laggard_max_tier'")
    assert failures(12, 9, 3) == 0                             # the seed, not a literal, decides
    con.close()


def test_every_mart_has_an_enforced_contract(empty_build):
    """Every mart is built under an enforced dbt contract (each column's data_type declared and checked at
    build), so a changed column type stops the build instead of reaching the published file."""
    paths, *_ = empty_build
    manifest = json.loads((paths.dbt_target / "manifest.json").read_text())
    marts = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/")]
    assert len(marts) >= 13
    loose = [n["name"] for n in marts if not n["config"]["contract"]["enforced"]]
    untyped = [f"{n['name']}.{c}" for n in marts for c, col in n["columns"].items() if not col.get("data_type")]
    assert not loose and not untyped, (loose, untyped[:10])


def test_every_seed_is_reloaded_whole(empty_build):
    """Seeds are full-refreshed every run: a seed that gains a column (as dimension_weights gained
    higher_is_better) replaces its table on an existing build file instead of failing the increment."""
    paths, *_ = empty_build
    manifest = json.loads((paths.dbt_target / "manifest.json").read_text())
    seeds = [n for n in manifest["nodes"].values() if n["resource_type"] == "seed"]
    assert seeds and all(n["config"].get("full_refresh") is True for n in seeds), [
        n["name"] for n in seeds if n["config"].get("full_refresh") is not True]
