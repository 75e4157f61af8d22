"""Dagster orchestration of kscore (spec 07): the dbt project as assets, the gates as blocking
asset checks, a daily partition per buildable as_of_date, a 06:00 Asia/Shanghai schedule, a landing
sensor and a sensor that records the days `kscore run` published.

`definitions.py` is the code location `kscore` (`dagster dev` from the repository root: pyproject.toml's
[tool.dagster], or workspace.yaml); every step calls the same functions as `kscore run` (kscore.pipeline).
"""
