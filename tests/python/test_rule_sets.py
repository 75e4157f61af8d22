"""Fast checks that each rule set written in a seed is the set the models and gates use (issue 11, point 1).

The indicator lists are checked by the dbt data test matches_indicator_set (seed rows = the indicator
list macro). These are the sets that remain written beside their seed, because a contract or a dbt
test needs a literal list:

- the tiers G0…G4: the tier caps of seed tier_caps are the summary marts' g<t>_products columns (the
  enforced contract then holds macro tier_summary to them), the mart gate's tier set and label|rank
  pairs (expectations/thresholds.yml) and product_tier_daily's tier_rank values;
- the dimension and 信息力 levels: the labels and ranks of seeds dimension_levels and info_levels are
  the accepted values of product_tier_daily's *_level / *_rank columns, and tier_caps holds one cap per
  level of every dimension.
No build: seeds and YAML are read as files.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def seed(path: str) -> list[dict]:
    with (ROOT / "seeds" / path).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def product_marts() -> dict[str, dict]:
    doc = yaml.safe_load((ROOT / "models/marts/product/_product__models.yml").read_text(encoding="utf-8"))
    return {m["name"]: m for m in doc["models"]}


def accepted(model: dict, column: str) -> list:
    col = next(c for c in model["columns"] if c["name"] == column)
    for t in col.get("data_tests", []):
        if isinstance(t, dict) and "accepted_values" in t:
            return t["accepted_values"]["arguments"]["values"]
    raise AssertionError(f"{model['name']}.{column} has no accepted_values test")


def tiers() -> list[int]:
    return sorted({int(r["tier_cap"]) for r in seed("product/tier_caps.csv")})


def test_the_tier_caps_are_the_tiers_of_the_summary_marts_and_gates():
    assert tiers() == [0, 1, 2, 3, 4]
    marts = product_marts()
    for name in ("shop_product_tier_summary_daily", "category_tier_distribution_daily"):
        counted = sorted(int(m.group(1)) for c in marts[name]["columns"]
                         if (m := re.fullmatch(r"g(\d+)_products", c["name"])))
        assert counted == tiers(), name
    assert accepted(marts["product_tier_daily"], "tier_rank") == tiers()
    gate = yaml.safe_load((ROOT / "expectations/thresholds.yml").read_text(encoding="utf-8"))
    gate = gate["marts"]["product_tier_daily"]
    assert gate["in_set"]["tier"] == [f"G{t}" for t in tiers()]
    assert gate["label_rank"]["tier"]["pairs"] == [[f"G{t}", t] for t in tiers()]


@pytest.mark.parametrize("dimension,levels_seed", [("info", "product/info_levels.csv"),
                                                   ("heat", "product/dimension_levels.csv"),
                                                   ("quality", "product/dimension_levels.csv"),
                                                   ("service", "product/dimension_levels.csv")])
def test_the_level_seeds_are_the_levels_of_product_tier_daily(dimension, levels_seed):
    levels = sorted(seed(levels_seed), key=lambda r: int(r["level_rank"]))
    mart = product_marts()["product_tier_daily"]
    assert accepted(mart, f"{dimension}_level") == [r["level"] for r in levels]
    assert accepted(mart, f"{dimension}_rank") == [int(r["level_rank"]) for r in levels]
    caps = [(int(r["level_rank"]), r["level"]) for r in seed("product/tier_caps.csv") if r["dimension"] == dimension]
    assert sorted(caps) == [(int(r["level_rank"]), r["level"]) for r in levels]
