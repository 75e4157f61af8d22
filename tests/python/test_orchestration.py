"""Dagster orchestration (issue 7): the definitions load and match the committed graph snapshot; one
partition materialised in-process equals `kscore run` for that day; a three-day backfill is one run that
publishes the day before a failed gate; `dagster dev` serves the asset list over GraphQL.

Update the snapshot after an intended graph change:
    KSCORE_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/python/test_orchestration.py -k snapshot
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import duckdb
import pytest

from kscore import PROJECT_DIR

from conftest import TINY_DAYS, TINY_START, copy_zone, last_as_of

warnings.filterwarnings("ignore", module="dagster")

SNAPSHOT = Path(__file__).parent / "snapshots" / "orchestration_graph.json"
ASSET_LIST_QUERY = "{ assetNodes { assetKey { path } } }"
LOCATION_QUERY = "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"


@pytest.fixture(scope="module")
def cli_reference(tmp_path_factory, tiny_landing):
    """`kscore run` for the newest as_of_date of the tiny zone, started first and left running in the
    background while the cheaper tests go (the Dagster run is compared with it)."""
    day = last_as_of()
    wh = tmp_path_factory.mktemp("cli") / "kscore.duckdb"
    log = wh.with_name("kscore_run.log")
    with open(log, "w") as out:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("kscore")), "run", "--from", str(day), "--to",
                                 str(day), "--landing", str(tiny_landing), "--warehouse", str(wh)],
                                stdout=out, stderr=subprocess.STDOUT)
    yield proc, wh
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def dagster_env(tmp_path_factory, tiny_landing, cli_reference):
    """DAGSTER_HOME, the manifest target and the landing zone the code location loads with (all temporary)."""
    root = tmp_path_factory.mktemp("dagster")
    home = root / "home"
    home.mkdir()
    shutil.copy(PROJECT_DIR / "orchestration" / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {"DAGSTER_HOME": str(home), "KSCORE_DAGSTER_TARGET": str(root / "manifest_target"),
           "KSCORE_LANDING_DIR": str(tiny_landing), "KSCORE_WAREHOUSE": str(root / "unused" / "kscore.duckdb")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    sys.path.insert(0, str(PROJECT_DIR))
    yield env
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="module")
def defs_module(dagster_env):
    """orchestration.definitions, imported with no manifest in its target: it parses the project itself."""
    manifest = Path(dagster_env["KSCORE_DAGSTER_TARGET"]) / "manifest.json"
    assert not manifest.exists()
    import orchestration.definitions as module

    assert manifest.exists(), "loading the definitions outside `dagster dev` must prepare the manifest"
    return module


def graph_snapshot(defs) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        policy = node.backfill_policy
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "kind": "materializable" if node.is_materializable else "external",
            "partitioned": node.partitions_def is not None,
            "backfill": policy.policy_type.name.lower() if policy else None,
            "pool": sorted(node.pools)[0] if node.pools else None,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
        }
    checks = {}
    for check_key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        spec = graph.get_check_spec(check_key)
        checks[f"{check_key.asset_key.to_user_string()}:{check_key.name}"] = {"blocking": bool(spec.blocking)}
    jobs = {}
    for job in sorted(defs.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue
        jobs[job.name] = {"tags": dict(job.tags), "partitioned": job.partitions_def is not None,
                          "assets": len(job.asset_layer.executable_asset_keys)}
    schedules = {s.name: {"cron": s.cron_schedule, "timezone": s.execution_timezone, "job": s.job_name}
                 for s in defs.schedules}
    sensors = {s.name: {"job": s.job_name if s.targets else None, "minimum_interval_seconds": s.minimum_interval_seconds}
               for s in defs.sensors}
    return {"assets": assets, "checks": checks, "jobs": jobs, "schedules": schedules, "sensors": sensors}


def test_definitions_match_the_graph_snapshot(defs_module):
    snap = graph_snapshot(defs_module.defs)
    if os.environ.get("KSCORE_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(snap, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    for part in ("assets", "checks", "jobs", "schedules", "sensors"):
        added = sorted(set(snap[part]) - set(expected[part]))
        removed = sorted(set(expected[part]) - set(snap[part]))
        assert not added and not removed, f"{part}: added {added[:10]}, removed {removed[:10]} (update the snapshot)"
        for name in snap[part]:
            assert snap[part][name] == expected[part][name], f"{part} {name} changed (update the snapshot)"


def test_graph_shape(defs_module):
    """What the snapshot must say: layers as groups, gates blocking, every step single-run and in the pool."""
    snap = graph_snapshot(defs_module.defs)
    assets, checks = snap["assets"], snap["checks"]
    groups = {a["group"] for a in assets.values()}
    assert {"landing", "raw_gates", "staging", "intermediate", "marts", "mart_gates", "publish", "seeds"} <= groups
    # one group per gate stage, so that the lineage reads left to right (issue 16, point 4)
    assert assets["raw_gates"]["group"] == "raw_gates" and assets["mart_gates"]["group"] == "mart_gates"
    assert "gates" not in groups
    landing = [k for k, a in assets.items() if a["group"] == "landing"]
    assert len(landing) == 13 and all(assets[k]["kind"] == "external" for k in landing)
    assert set(assets["raw_gates"]["deps"]) == set(landing)
    assert set(assets["published"]["deps"]) == {"raw_gates", "mart_gates"}
    marts = {k for k, a in assets.items() if a["group"] == "marts"}
    assert marts and marts <= set(assets["mart_gates"]["deps"])
    staging = [k for k, a in assets.items() if a["group"] == "staging"]
    assert staging and all("raw_gates" in assets[k]["deps"] for k in staging if not any(
        assets.get(d, {}).get("group") == "staging" for d in assets[k]["deps"]))
    for key, a in assets.items():
        if a["kind"] == "materializable":
            assert a["partitioned"] and a["backfill"] == "single_run", key
    for name in ("raw_gates:gx_raw_gates", "mart_gates:gx_mart_gates", "published:all_days_published"):
        assert checks[name]["blocking"], name
    dbt_checks = [c for c in checks if c.split(":")[0] not in ("raw_gates", "mart_gates", "published")]
    assert len(dbt_checks) > 100  # the dbt data tests
    assert snap["schedules"]["kscore_daily_0600"] == {"cron": "0 6 * * *", "timezone": "Asia/Shanghai",
                                                       "job": "kscore_daily"}
    assert snap["jobs"]["kscore_daily"]["tags"] == {"kscore/writer": "build_file"}
    job = defs_module.defs.resolve_job_def("kscore_daily")
    pools = {n.definition.pool for n in job.graph.nodes}
    assert pools == {"kscore_build_file"}


def test_partitions_span_the_buildable_as_of_dates(defs_module, tiny_landing):
    """First partition: the first landed day + 1; last: the newest landed day + 1 (the newest buildable
    as_of_date), not today (issue 16, point 4); a live feed follows the clock."""
    from orchestration.partitions import daily_partitions, last_as_of_date

    parts = defs_module.defs.resolve_job_def("kscore_daily").partitions_def
    keys = parts.get_partition_keys()
    assert keys[0] == (TINY_START + dt.timedelta(days=1)).isoformat()
    assert keys[-1] == last_as_of().isoformat() == last_as_of_date(tiny_landing).isoformat()
    assert len(keys) == TINY_DAYS
    assert parts.timezone == "Asia/Shanghai"
    # as if the zone were current: loaded on its newest buildable day at 07:00, then a day later
    last = last_as_of()
    for day in (last, last + dt.timedelta(days=1)):
        now = dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        live = daily_partitions(tiny_landing, now=now)
        assert live.get_partition_keys(current_time=now)[-1] == day.isoformat()
    far = dt.datetime(last.year + 2, 1, 1, tzinfo=dt.timezone.utc)
    assert daily_partitions(tiny_landing, now=far).get_partition_keys(current_time=far)[-1] == last.isoformat()


def test_concurrency_pool_of_one(dagster_env):
    from dagster import DagsterInstance

    config = DagsterInstance.get().get_concurrency_config()
    assert config.pool_config.default_pool_limit == 1
    assert {"key": "kscore/writer", "limit": 1} in config.run_queue_config.tag_concurrency_limits


def test_schedule_and_sensor_wait_for_the_landing(defs_module, tiny_landing):
    from zoneinfo import ZoneInfo

    from dagster import DagsterInstance, RunRequest, SkipReason, build_schedule_context

    from orchestration.resources import KscoreResource
    from orchestration.sensors import landing_request

    shanghai = ZoneInfo("Asia/Shanghai")
    schedule = defs_module.defs.resolve_schedule_def("kscore_daily_0600")
    ready, late = last_as_of(), last_as_of() + dt.timedelta(days=1)
    with DagsterInstance.ephemeral() as instance:
        for day, expect in ((ready, RunRequest), (late, SkipReason)):
            ctx = build_schedule_context(instance=instance, repository_def=defs_module.defs.get_repository_def(),
                                         resources={"kscore": KscoreResource(
                landing_dir=str(tiny_landing))}, scheduled_execution_time=dt.datetime(
                day.year, day.month, day.day, 6, 0, tzinfo=shanghai))
            data = schedule.evaluate_tick(ctx)
            if expect is RunRequest:
                assert [r.partition_key for r in data.run_requests] == [day.isoformat()]
            else:
                assert not data.run_requests and "waiting for the landing" in data.skip_message
        def at(d, h):
            return dt.datetime(d.year, d.month, d.day, h, 5, tzinfo=shanghai)

        assert isinstance(landing_request(instance, tiny_landing, at(ready, 5)), SkipReason)  # before 06:00
        request = landing_request(instance, tiny_landing, at(ready, 9))
        assert isinstance(request, RunRequest) and request.partition_key == ready.isoformat()
        assert isinstance(landing_request(instance, tiny_landing, at(late, 9)), SkipReason)
        # landed, but beyond the partitions of the loaded code location: skip and say to reload
        from dagster import DailyPartitionsDefinition

        parts = defs_module.defs.resolve_job_def("kscore_daily").partitions_def
        shorter = DailyPartitionsDefinition(start_date=(TINY_START + dt.timedelta(days=1)).isoformat(),
                                            end_date=ready.isoformat(), timezone="Asia/Shanghai", fmt="%Y-%m-%d")
        skip = landing_request(instance, tiny_landing, at(ready, 9), shorter)
        assert isinstance(skip, SkipReason) and "reload the code location" in skip.skip_message
        assert isinstance(landing_request(instance, tiny_landing, at(ready, 9), parts), RunRequest)


def test_publish_alone_publishes_nothing(defs_module, tiny_landing, tmp_path):
    """`published` without the gates in the same run refuses: nothing reaches the published file ungated."""
    from dagster import AssetKey, DagsterInstance

    from orchestration.resources import KscoreResource

    wh = tmp_path / "wh" / "kscore.duckdb"
    defs = defs_module.build_definitions(KscoreResource(landing_dir=str(tiny_landing), warehouse=str(wh)))
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("kscore_daily").execute_in_process(
            instance=instance, partition_key=last_as_of().isoformat(), asset_selection=[AssetKey("published")],
            raise_on_error=False)
        assert not result.success
        assert not instance.get_materialized_partitions(AssetKey("published"))
    failure = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "did not run in this run" in str(failure[0].event_specific_data)
    assert not wh.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def test_dagster_dev_serves_code_location_kscore(defs_module, dagster_env):
    """`dagster dev` from the repository root, as docs/dagster.md says (pyproject [tool.dagster]), on a loopback
    port: its GraphQL API lists every asset, in one code location named `kscore` (issue 16, point 4)."""
    import yaml

    workspace = yaml.safe_load((PROJECT_DIR / "workspace.yaml").read_text())["load_from"]
    assert workspace == [{"python_module": {"module_name": "orchestration.definitions", "location_name": "kscore",
                                            "working_directory": "."}}]
    port = _free_port()
    env = {**os.environ, **dagster_env, "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR), str(PROJECT_DIR / "src")])}
    log = Path(dagster_env["DAGSTER_HOME"]) / "dagster_dev.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("dagster")), "dev", "-h", "127.0.0.1", "-p", str(port)],
                                cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, data = time.monotonic() + 180, None
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                data = _graphql(port, ASSET_LIST_QUERY)
                if data.get("data", {}).get("assetNodes"):
                    break
            except OSError:
                pass
            time.sleep(2)
        assert data and data.get("data", {}).get("assetNodes"), (data, log.read_text()[-3000:])
        served = {"/".join(n["assetKey"]["path"]) for n in data["data"]["assetNodes"]}
        expected = set(json.loads(SNAPSHOT.read_text())["assets"])
        assert served == expected
        locations = _graphql(port, LOCATION_QUERY)["data"]["workspaceOrError"]["locationEntries"]
        assert [e["name"] for e in locations] == ["kscore"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _published_marts(path: Path, day: dt.date) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        assert tables, f"no marts in {path}"
        out = {}
        for t in tables:
            cols = [r[0] for r in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                "order by column_index", [t]).fetchall()]
            where = "where as_of_date = ?" if "as_of_date" in cols else ""
            rows = con.execute(f"select * from marts.{t} {where}", [day] if where else []).fetchall()
            out[t] = sorted(rows, key=lambda r: (repr(tuple(v for v in r if not isinstance(v, float))), repr(r)))
        return out
    finally:
        con.close()


def _decimals(x: float) -> int:
    text = repr(x)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 99


def _differences(ours: list[tuple], theirs: list[tuple]) -> tuple[list, int]:
    """(values that differ, rounding flips): a float rounded to k decimals may land one unit of the last
    place apart when the double sum under it adds in another order (DuckDB's parallel aggregation)."""
    diffs, flips = [], 0
    assert len(ours) == len(theirs)
    for a_row, b_row in zip(ours, theirs, strict=True):
        for a, b in zip(a_row, b_row, strict=True):
            if a == b:
                continue
            if isinstance(a, float) and isinstance(b, float):
                if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                    continue
                unit = 10.0 ** -min(_decimals(a), _decimals(b))
                if min(_decimals(a), _decimals(b)) <= 6 and abs(a - b) <= unit * 1.000001:
                    flips += 1
                    continue
            diffs.append((a_row, b_row, a, b))
    return diffs, flips


def _checks(result) -> dict:
    return {(e.event_specific_data.asset_key.to_user_string(), e.event_specific_data.check_name): e.event_specific_data
            for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}


def test_one_partition_equals_kscore_run(defs_module, tiny_landing, cli_reference, tmp_path):
    """The whole graph for one as_of_date, in-process, publishes the same marts as `kscore run`."""
    from dagster import AssetKey, DagsterInstance

    from orchestration.resources import KscoreResource

    day = last_as_of()
    cli, cli_wh = cli_reference
    dagster_wh = tmp_path / "dagster" / "kscore.duckdb"
    defs = defs_module.build_definitions(KscoreResource(landing_dir=str(tiny_landing), warehouse=str(dagster_wh)))
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("kscore_daily").execute_in_process(
            instance=instance, partition_key=day.isoformat(), raise_on_error=False)
        assert cli.wait(timeout=600) == 0, cli_wh.with_name("kscore_run.log").read_text()[-3000:]
        assert result.success, [str(e.event_specific_data)[:500] for e in result.all_events
                                if e.event_type_value == "STEP_FAILURE"]
        published = instance.get_materialized_partitions(AssetKey("published"))
        assert published == {day.isoformat()}
        # the published sensor leaves the days of this instance's own runs alone: they materialised them
        from dagster import build_sensor_context

        tick = defs.resolve_sensor_def("kscore_published_sensor").evaluate_tick(build_sensor_context(
            instance=instance, resources={"kscore": KscoreResource(landing_dir=str(tiny_landing),
                                                                   warehouse=str(dagster_wh))}))
        assert not tick.asset_events and result.run_id in (tick.cursor or "")
    checks = _checks(result)
    assert checks[("raw_gates", "gx_raw_gates")].passed and checks[("mart_gates", "gx_mart_gates")].passed
    dbt_checks = [c for k, c in checks.items() if k[0] not in ("raw_gates", "mart_gates", "published")]
    assert len(dbt_checks) > 100 and all(c.passed for c in dbt_checks)
    ours, theirs = _published_marts(dagster_wh, day), _published_marts(cli_wh, day)
    assert set(ours) == set(theirs) and len(ours) >= 10
    assert sum(len(v) for v in ours.values()) > 1000
    for table in theirs:
        assert len(ours[table]) == len(theirs[table]), f"marts.{table}: row counts differ"
        diffs, flips = _differences(ours[table], theirs[table])
        assert not diffs, f"marts.{table} differs between Dagster and kscore run: {diffs[:3]}"
        assert not flips, (f"marts.{table}: {flips} values one unit of the last decimal apart between two builds of "
                           f"the same input: a rounded double sum/average (make it exact, e.g. a decimal average)")
    con = duckdb.connect(str(dagster_wh), read_only=True)
    log = con.execute("select run_id, outcome, published_dates from ops.run_log").fetchall()
    assert log == [(result.run_id, "published", day.isoformat())]


def test_cli_published_day_is_materialized_in_dagster(defs_module, tiny_landing, cli_reference):
    """A day `kscore run` published is a materialization of `published` in the Dagster instance once the
    published sensor has ticked, with the CLI's run id; a second tick reports nothing (issue 16, point 4)."""
    from dagster import AssetKey, DagsterInstance, build_sensor_context

    from orchestration.resources import KscoreResource

    day = last_as_of()
    cli, cli_wh = cli_reference
    assert cli.wait(timeout=600) == 0, cli_wh.with_name("kscore_run.log").read_text()[-3000:]
    con = duckdb.connect(str(cli_wh), read_only=True)
    (run_id,), = con.execute("select run_id from ops.run_log where outcome = 'published'").fetchall()
    con.close()
    sensor = defs_module.defs.resolve_sensor_def("kscore_published_sensor")
    kscore = KscoreResource(landing_dir=str(tiny_landing), warehouse=str(cli_wh))
    with DagsterInstance.ephemeral() as instance:
        assert not instance.get_materialized_partitions(AssetKey("published"))
        data = sensor.evaluate_tick(build_sensor_context(instance=instance, resources={"kscore": kscore}))
        assert [e.partition for e in data.asset_events] == [day.isoformat()]
        for event in data.asset_events:  # what the sensor daemon does with a tick's asset events
            instance.report_runless_asset_event(event)
        assert instance.get_materialized_partitions(AssetKey("published")) == {day.isoformat()}
        latest = instance.get_latest_materialization_event(AssetKey("published")).asset_materialization
        assert latest.partition == day.isoformat() and latest.metadata["run_id"].value == run_id
        again = sensor.evaluate_tick(build_sensor_context(instance=instance, resources={"kscore": kscore},
                                                          cursor=data.cursor))
        assert not again.asset_events and again.cursor == data.cursor


@pytest.fixture(scope="module")
def bad_second_day(tmp_path_factory, tiny_landing):
    """The tiny zone with the orders file of its second newest dt lacking pay_amount (what `kscore generate
    --inject missing_column` writes into a day), copied instead of generated again to save time."""
    import pyarrow.parquet as pq

    landing = copy_zone(tiny_landing, tmp_path_factory.mktemp("bad_second_day") / "landing")
    bad = TINY_START + dt.timedelta(days=TINY_DAYS - 2)
    files = sorted((landing / "orders" / f"dt={bad.isoformat()}").glob("*.parquet"))
    assert files
    for path in files:
        pq.write_table(pq.read_table(path).drop_columns(["pay_amount"]), path, compression="zstd")
    return landing


def test_backfill_is_one_run_and_stops_at_the_failed_gate(defs_module, bad_second_day, tmp_path):
    """Three as_of_dates, one run: the raw gate of the second day's data fails; only the first is published."""
    from dagster import AssetCheckSeverity, AssetKey, DagsterInstance

    from orchestration.resources import KscoreResource

    # the zone's last three buildable as_of_dates (its partitions end at the newest landed dt + 1)
    first = last_as_of() - dt.timedelta(days=2)  # reads dt <= TINY_START+9: clean
    days = [first + dt.timedelta(days=i) for i in range(3)]  # the second reads the bad dt TINY_START+10
    wh = tmp_path / "wh" / "kscore.duckdb"
    defs = defs_module.build_definitions(KscoreResource(landing_dir=str(bad_second_day), warehouse=str(wh)))
    job = defs.resolve_job_def("kscore_daily")
    with DagsterInstance.ephemeral() as instance:
        # what a single-run backfill launches: one run tagged with the partition range
        result = job.execute_in_process(instance=instance, raise_on_error=False, tags={
            "dagster/asset_partition_range_start": days[0].isoformat(),
            "dagster/asset_partition_range_end": days[-1].isoformat(), "dagster/backfill": "test"})
        assert not result.success
        assert len(instance.get_runs()) == 1

        assert instance.get_materialized_partitions(AssetKey("published")) == {days[0].isoformat()}
        # the range was built once: every dbt model materialised for all three days in this run
        assert instance.get_materialized_partitions(AssetKey("raw_gates")) == {d.isoformat() for d in days}
        messages = [r.user_message or "" for r in instance.all_logs(result.run_id)]
    # one dbt invocation for the whole range (its dates reach dbt in the environment, macro run_var)
    dbt_commands = [m for m in messages if "Finished dbt command" in m]
    assert len(dbt_commands) == 1 and "--vars" not in dbt_commands[0], dbt_commands
    assert any(f"dbt build for as_of_dates {days[0]} … {days[-1]} ({len(days)} days, one invocation)" in m
               for m in messages), [m for m in messages if "dbt build" in m]
    checks = _checks(result)
    raw = checks[("raw_gates", "gx_raw_gates")]
    assert not raw.passed and raw.blocking
    report = raw.metadata["gate_report"].data
    bad_dt = (days[1] - dt.timedelta(days=1)).isoformat()
    assert any(r["suite"] == "orders" and r["day"] == bad_dt and not r["success"] for r in report), report
    assert raw.metadata["publishable_as_of_dates"].text == days[0].isoformat()
    final = checks[("published", "all_days_published")]
    assert not final.passed and final.blocking and final.severity == AssetCheckSeverity.ERROR
    assert any(r["suite"] == "orders" and r["day"] == bad_dt for r in final.metadata["gate_report"].data)
    # the published file holds the first day only; the run log row says so (as `kscore run` writes it)
    con = duckdb.connect(str(wh), read_only=True)
    published_days = {r[0] for r in con.execute("select distinct as_of_date from marts.product_tier_daily").fetchall()}
    assert published_days == {days[0]}
    con.close()
    con = duckdb.connect(str(wh.with_name("kscore_build.duckdb")), read_only=True)
    log = con.execute("select run_id, outcome, published_dates, is_backfill from ops.run_log").fetchall()
    assert log == [(result.run_id, "partial", days[0].isoformat(), True)]
