"""Where things live: landing zone, published file, build file, run artifacts (spec 07)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kscore import PROJECT_DIR


def default_landing() -> Path:
    return Path(os.environ.get("KSCORE_LANDING_DIR") or PROJECT_DIR / "data" / "landing")


def default_warehouse() -> Path:
    return Path(os.environ.get("KSCORE_WAREHOUSE") or PROJECT_DIR / "warehouse" / "kscore.duckdb")


@dataclass(frozen=True)
class WarehousePaths:
    """The published file and, beside it, the build file and the run artifacts."""

    published: Path

    @property
    def folder(self) -> Path:
        return self.published.parent

    @property
    def build(self) -> Path:
        return self.folder / (self.published.stem + "_build.duckdb")

    @property
    def runs(self) -> Path:
        return self.folder / "runs"

    def run_dir(self, run_id: str) -> Path:
        return self.runs / run_id

    @property
    def dbt_target(self) -> Path:
        return self.folder / "dbt_target"


def warehouse_paths(warehouse: Path | str | None = None) -> WarehousePaths:
    return WarehousePaths(Path(warehouse).resolve() if warehouse else default_warehouse().resolve())
