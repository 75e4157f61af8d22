"""Shared pytest fixtures: tiny landing zones and warehouses built from them.

Zones are generated once per session (deterministic for a seed) and copied
when a test needs to change one. Every build uses its own warehouse folder.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from kscore import PROJECT_DIR

os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
# Data Docs pages of passed validations: a few per run in the tests (every failed one is always rendered;
# the JSON results keep all); rendering hundreds per range build cost minutes of the suite
os.environ.setdefault("KSCORE_GX_DOCS_MAX_PASSED", "5")

TINY_START = dt.date(2023, 1, 1)
TINY_DAYS = 12  # enough for the 7-day gate history, small enough to be quick


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory) -> Path:
    """A clean tiny landing zone: TINY_DAYS days from TINY_START, seed 42."""
    from kscore.generate import generate

    landing = tmp_path_factory.mktemp("tiny") / "landing"
    generate(landing, scale="tiny", start=TINY_START, days=TINY_DAYS, seed=42)
    return landing


def copy_zone(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def last_as_of(days: int = TINY_DAYS, start: dt.date = TINY_START) -> dt.date:
    """The newest as_of_date a zone supports: the day after its last landed day."""
    return start + dt.timedelta(days=days)


# One published build of a 60-day tiny zone, shared READ-ONLY by every test module that only reads a
# published file (explain, what-if, the shop report, the distance marts): as_of_dates PUBLISHED_DAYS, the
# 快质造 first check inside the zone. Built once per test session, whatever the number of pytest-xdist
# workers: the first worker to ask builds it under a file lock in the session's shared temp folder, the
# others wait and reuse it. A test that changes a published file works on a copy.
PUBLISHED_ZONE_DAYS = 60
PUBLISHED_DAYS = (dt.date(2023, 2, 24), dt.date(2023, 2, 26))
PUBLISHED_VARS = {"kuaizhizao_first_check_date": "2023-02-06"}


@pytest.fixture(scope="session")
def published_tiny(tmp_path_factory, worker_id) -> Path:
    """The published file (kscore.duckdb) of that shared build; its landing zone is `<folder>/landing`."""
    from filelock import FileLock

    from kscore.generate import generate
    from kscore.pipeline import run

    # under xdist every worker's basetemp is <session folder>/popen-gw<N>: their parent is this session's
    # alone; without xdist ("master") the basetemp itself is
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    root = shared / "published_tiny"
    published = root / "wh" / "kscore.duckdb"
    with FileLock(str(shared / "published_tiny.lock")):
        if not (root / "ok").exists():
            shutil.rmtree(root, ignore_errors=True)
            generate(root / "landing", scale="tiny", start=TINY_START, days=PUBLISHED_ZONE_DAYS, seed=42)
            result = run(*PUBLISHED_DAYS, root / "landing", published, progress=lambda s: None,
                         extra_vars=PUBLISHED_VARS)
            assert result.ok, result.message
            (root / "ok").write_text(result.message or "published")
    return published


def pytest_collection_modifyitems(session, config, items):
    """The Spark equality test first: it is the suite's longest file (minutes of per-statement Spark
    overhead) and `--dist loadfile` hands files out in collection order, so starting it first on one
    worker lets the other worker run the rest beside it instead of after it."""
    items.sort(key=lambda item: 0 if item.path.name == "test_spark_equality.py" else 1)
