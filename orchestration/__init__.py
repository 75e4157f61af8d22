"""Dagster orchestration of kscore (spec 07): the dbt project as assets, the gates as blocking
asset checks, a daily partition per as_of_date, a 06:00 Asia/Shanghai schedule and a landing sensor.

`definitions.py` is the code location (`dagster dev -m orchestration.definitions`); every step calls
the same functions as `kscore run` (kscore.pipeline).
"""
