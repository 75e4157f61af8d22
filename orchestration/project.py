"""The dbt project as Dagster sees it, and its manifest.

`@dbt_assets` reads the manifest when the code location loads. Under `dagster dev`
`prepare_if_dev()` parses the project on every load; any other process (dagster-webserver,
the daemon, a run worker, pytest, a deployed code server) parses it here when the manifest is
missing or older than a project file, so a fresh checkout loads without a build step.
The manifest has its own target folder (never the one `dbt build` runs use):
`$KSCORE_DAGSTER_TARGET`, else `target/dagster`.
"""
from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtProject

from kscore import PROJECT_DIR
from kscore.dbt_runner import dbt_executable

# what dbt parses: a change to any of these makes the manifest stale
PROJECT_INPUTS = ("models", "macros", "seeds", "dbt_project.yml", "profiles.yml")


def put_dbt_on_path() -> str:
    """dagster-dbt looks `dbt` up on PATH: use the one installed beside this Python (the project venv)."""
    exe = dbt_executable()
    folder = str(Path(exe).parent)
    if Path(exe).is_absolute() and folder not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = folder + os.pathsep + os.environ.get("PATH", "")
    return exe


def manifest_target() -> Path:
    return Path(os.environ.get("KSCORE_DAGSTER_TARGET") or PROJECT_DIR / "target" / "dagster").resolve()


def newest_project_file() -> float:
    newest = 0.0
    for name in PROJECT_INPUTS:
        path = PROJECT_DIR / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for f in path.rglob("*"):
                if f.is_file() and f.suffix in (".sql", ".yml", ".yaml", ".csv", ".md"):
                    newest = max(newest, f.stat().st_mtime)
    return newest


def manifest_is_stale(project: DbtProject) -> bool:
    path = project.manifest_path
    return not path.exists() or path.stat().st_mtime < newest_project_file()


def prepare(project: DbtProject) -> DbtProject:
    """Make sure `project.manifest_path` is a current manifest (dev or not)."""
    put_dbt_on_path()
    project.prepare_if_dev()
    if manifest_is_stale(project):
        os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
        project.preparer.prepare(project)
    return project


def kscore_project() -> DbtProject:
    return prepare(DbtProject(project_dir=PROJECT_DIR, target_path=manifest_target(), profiles_dir=PROJECT_DIR))
