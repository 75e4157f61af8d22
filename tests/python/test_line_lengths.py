"""Fast checks of the code habits of issue 11, point 5: no build, no dbt.

- every line of the dbt YAML (models/**/*.yml, seeds/**/*.yml, dbt_project.yml) is at most 100
  characters, except the rows of a literal block scalar (`rows: |`, a CSV fixture of a unit test): a
  literal block keeps its line breaks, so such a row cannot be folded without changing the fixture.
  Long descriptions are folded scalars (`description: >-`), long flow lists break after a comma;
- the checker itself fails on a long line, also one inside a folded description.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINE = 100
LITERAL_BLOCK = re.compile(r"(?:^\s*- |:\s+)\|[-+]?\d*\s*(?:#.*)?$")


def yaml_files() -> list[Path]:
    return sorted([*ROOT.glob("models/**/*.yml"), *ROOT.glob("seeds/**/*.yml"), ROOT / "dbt_project.yml"])


def long_lines(text: str, limit: int = MAX_LINE) -> list[int]:
    """Line numbers (1-based) longer than `limit` characters, outside literal block scalars."""
    out: list[int] = []
    literal_indent: int | None = None  # the indent of the key whose value is the literal block
    for n, line in enumerate(text.split("\n"), 1):
        indent = len(line) - len(line.lstrip(" "))
        if literal_indent is not None:
            if not line.strip() or indent > literal_indent:
                continue
            literal_indent = None
        if LITERAL_BLOCK.search(line):
            literal_indent = indent
        if len(line) > limit:
            out.append(n)
    return out


def test_the_checker_finds_long_lines_and_skips_csv_fixture_rows():
    text = "\n".join([
        "models:",
        "  - name: m",
        "    description: >-",
        "      " + "word " * 30,
        "unit_tests:",
        "  - name: t",
        "    given:",
        "      - input: ref('s')",
        "        format: csv",
        "        rows: |",
        "          a,b",
        "          " + "x," * 60,
        "    description: " + "y" * 100,
    ])
    assert long_lines(text) == [4, 13]


def test_dbt_yaml_lines_are_at_most_100_characters():
    found = {str(p.relative_to(ROOT)): lines for p in yaml_files()
             if (lines := long_lines(p.read_text(encoding="utf-8")))}
    assert len(yaml_files()) > 30
    assert not found, f"YAML lines over {MAX_LINE} characters (fold them: `description: >-`): {found}"
