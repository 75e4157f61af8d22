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
