"""Scale (issue 15), the parts that are not timings (the timings live in benchmarks/bench_scale.py):

- a zone made by `kscore generate` passes its own raw gates on every day from its first one, at the
  default `tiny` (60 days) and `small` (120 days) scales;
- the DuckDB profile sets what the scale needs (threads, memory_limit, preserve_insertion_order), and a
  build whose memory_limit is far below its working set spills to disk and finishes with the same marts.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import duckdb
import pytest
import yaml

from kscore import PROJECT_DIR, gates, landing
from kscore.generate import SCALES, generate


@pytest.mark.parametrize("scale", ["tiny", "small"])
def test_a_generated_zone_passes_its_own_raw_gates_on_every_day(scale, tmp_path):
    zone = tmp_path / scale
    generate(zone, scale=scale, start=dt.date(2023, 1, 1), seed=42)
    files = landing.sense(zone)
    assert files and not [f for f in files if f.status == "rejected"]
    # the zone's first day: the first dt of the expected daily tables (the day before holds only the
    # entity snapshots the first orders refer to)
    first = min(f.dt for f in files if f.dt is not None and f.table_name in gates.EXPECTED_DAILY_TABLES)
    days = [first + dt.timedelta(days=i) for i in range(SCALES[scale].days)]
    results = gates.raw_gates(files, days, None)
    judged = {r.day for r in results}
    assert set(days) <= judged, f"days without a raw gate verdict: {sorted(set(days) - judged)[:5]}"
    failed = [r.describe() for r in results if not r.success]
    assert not failed, f"{len(failed)} raw gates failed on the generator's own {scale} zone:\n" + "\n".join(failed[:10])


def test_the_profile_sets_threads_memory_and_insertion_order():
    """temp_directory stays DuckDB's default beside the build file: dbt-duckdb sets every setting on each
    new cursor, and DuckDB refuses to switch temp_directory once a query has spilled."""
    settings = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())["kscore"]["outputs"]["duckdb"]["settings"]
    assert {"threads", "memory_limit", "preserve_insertion_order"} <= set(settings)
    assert "temp_directory" not in settings
    assert settings["preserve_insertion_order"] is False


def test_a_build_below_its_working_set_spills_and_finishes(tiny_landing, tmp_path):
    """memory_limit of 128 MB (the product-tier models alone hold more; at 64 MB the distance
    exactness test ran out of memory in an operator that does not spill): DuckDB spills to the temp
    directory and the build ends with the marts of an ordinary build."""
    from kscore.pipeline import run

    day = dt.date(2023, 1, 13)
    ordinary = run(day, day, tiny_landing, tmp_path / "ordinary" / "kscore.duckdb", progress=lambda s: None)
    assert ordinary.ok, ordinary.message
    env = {**os.environ, "KSCORE_DUCKDB_MEMORY_LIMIT": "128MB", "KSCORE_DUCKDB_THREADS": "1"}
    low = tmp_path / "low" / "kscore.duckdb"
    proc = subprocess.run([sys.executable, "-m", "kscore.cli", "run", "--from", str(day), "--landing",
                           str(tiny_landing), "--warehouse", str(low)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    con = duckdb.connect()
    con.execute(f"attach '{ordinary.published_file}' as a (read_only)")
    con.execute(f"attach '{low}' as b (read_only)")
    marts = [t for (t,) in con.execute("select table_name from duckdb_tables() where database_name = 'a' "
                                       "and schema_name = 'marts'").fetchall()] + [
             t for (t,) in con.execute("select view_name from duckdb_views() where database_name = 'a' "
                                       "and schema_name = 'marts'").fetchall()]
    assert len(marts) >= 10
    for t in marts:
        cols = [c for (c,) in con.execute(
            "select column_name from duckdb_columns() where database_name = 'a' and schema_name = 'marts' "
            "and table_name = ? and data_type <> 'DOUBLE' order by column_index", [t]).fetchall()]
        sel = ", ".join(f'"{c}"' for c in cols)
        diff = con.execute(f"select count(*) from ((select {sel} from a.marts.{t} except all select {sel} "
                           f"from b.marts.{t}) union all (select {sel} from b.marts.{t} except all "
                           f"select {sel} from a.marts.{t}))").fetchone()[0]
        assert diff == 0, f"marts.{t} differs when built under a low memory_limit"
    # the benchmark's output floor O over the same ordinary build: every staging, intermediate and mart
    # table copied once, all rows, the scratch file removed
    sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
    import bench_scale

    build = ordinary.published_file.with_name("kscore_build.duckdb")
    floor = bench_scale.output_floor(build, tmp_path)
    with duckdb.connect(str(build), read_only=True) as b:
        tables = b.execute("select schema_name, table_name from duckdb_tables() where schema_name in "
                           "('staging', 'intermediate', 'marts')").fetchall()
        rows = sum(b.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables)
    assert floor["output_floor_tables"] == len(tables) >= 50 and floor["output_floor_rows"] == rows > 0
    assert not list(tmp_path.glob("bench-output-floor.duckdb*"))
