"""The documentation a clone carries is self-contained and names every rule (issue 16, point 6).

Fast, no build: reads README.md, CONTRIBUTING.md and docs/*.md as text.
- every relative link resolves to a file or folder inside the repository;
- no link, and no mention in the text, leads outside it (`../shared`, the build machine's `/work/`) and no
  link is an absolute machine path (`/work`, `/tmp`, `/home`, `file:`);
- docs/rules.md names every mart of the contract (tables of schema `marts`) and every seed file;
- the README links the rule reference, and docs/README.md indexes every page of docs/.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = Path(__file__).with_name("contract.json")
RULES = ROOT / "docs" / "rules.md"

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.I)
EXTERNAL = re.compile(r"^(https?:|mailto:)", re.I)
MACHINE_PATH = re.compile(r"^(/work|/tmp|/home|/root|/Users|file:|~)", re.I)
# mentions in the text (code included) that point out of the repository
OUTSIDE_MENTIONS = ("../shared", "/work/")


def doc_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [f for f in files if f.exists()]


def links(text: str) -> list[str]:
    """Link targets of a Markdown text, outside fenced code blocks and code spans."""
    prose = CODE_SPAN.sub("", FENCE.sub("", text))
    return INLINE_LINK.findall(prose) + REFERENCE_LINK.findall(prose) + HTML_LINK.findall(prose)


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for target in links(path.read_text(encoding="utf-8")):
        if EXTERNAL.match(target):
            continue
        if MACHINE_PATH.match(target) or target.startswith("/"):
            problems.append(f"{target}: an absolute path, not a file of the repository")
            continue
        local = target.split("#", 1)[0]
        if not local:  # an anchor in the same page
            continue
        resolved = (path.parent / local).resolve()
        if resolved != root and root not in resolved.parents:
            problems.append(f"{target}: leaves the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file in the repository")
    return problems


def test_the_link_checker_catches_what_it_must(tmp_path):
    """The checks below would pass vacuously if the parser found no links: prove it finds each kind."""
    page = tmp_path / "page.md"
    page.write_text(
        "[spec](../shared/spec/) [abs](/work/shared/spec/README.md) [gone](missing.md) [ok](page.md#top)\n"
        "[ref]: /tmp/x.md\n"
        "`[code](nowhere.md)` [web](https://example.com)\n"
        "```\n[fenced](nowhere.md)\n```\n",
        encoding="utf-8")
    assert sorted(links(page.read_text())) == sorted(["../shared/spec/", "/work/shared/spec/README.md", "missing.md",
                                                      "page.md#top", "/tmp/x.md", "https://example.com"])
    problems = broken_links(page, root=tmp_path.resolve())
    assert [p.split(":")[0] for p in problems] == ["../shared/spec/", "/work/shared/spec/README.md", "missing.md", "/tmp/x.md"]


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve_inside_the_repository(path):
    assert links(path.read_text(encoding="utf-8")) or path.name != "README.md", f"{path}: no links found"
    problems = broken_links(path)
    assert not problems, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_mention_leads_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    found = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
             for needle in OUTSIDE_MENTIONS if needle in line]
    assert not found, f"{path.relative_to(ROOT)} points outside the repository: {found}"


def test_contributing_has_no_machine_paths():
    assert not (ROOT / "docs" / "CONTRIBUTING-helpers.md").exists()
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert not re.search(r"(^|[\s`(=])/(work|tmp|home)/", text, re.M)


def test_rules_names_every_mart_of_the_contract():
    tables = json.loads(CONTRACT.read_text(encoding="utf-8"))["tables"]
    marts = [t for t in tables if t.startswith("marts.")]
    assert len(marts) >= 13
    rules = RULES.read_text(encoding="utf-8")
    missing = [t for t in marts if f"`{t}`" not in rules]
    assert not missing, f"docs/rules.md does not describe: {missing}"


def test_rules_names_every_seed():
    seeds = sorted((ROOT / "seeds").rglob("*.csv"))
    assert seeds
    rules = RULES.read_text(encoding="utf-8")
    missing = [str(s.relative_to(ROOT)) for s in seeds if s.name not in rules]
    assert not missing, f"docs/rules.md does not name the seeds: {missing}"


def test_readme_links_the_rule_reference_and_the_docs_index_lists_every_page():
    readme_links = links((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "docs/rules.md" in [t.split("#", 1)[0] for t in readme_links]
    index = ROOT / "docs" / "README.md"
    indexed = {(index.parent / t.split("#", 1)[0]).resolve() for t in links(index.read_text(encoding="utf-8"))}
    pages = {p.resolve() for p in (ROOT / "docs").glob("*.md") if p.name != "README.md"}
    assert not pages - indexed, f"docs/README.md does not list: {sorted(p.name for p in pages - indexed)}"


def test_the_vendored_contract_is_the_spec_s():
    """tests/python/contract.json is the spec's contract.json, copied so that a clone without the spec still
    checks its published file; beside the spec, a stale copy fails. Alone, it must still hold the marts."""
    vendored = json.loads(CONTRACT.read_text(encoding="utf-8"))
    spec = ROOT.parent / "shared" / "spec" / "contract.json"
    if spec.exists():
        assert vendored == json.loads(spec.read_text(encoding="utf-8")), f"copy {spec.name} again"
    assert sum(t.startswith("marts.") for t in vendored["tables"]) >= 13
