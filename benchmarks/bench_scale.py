"""Scale benchmark (issue 15, point 1): a whole-zone backfill and a daily increment, in units of S.

    .venv/bin/python benchmarks/bench_scale.py --scale S [--landing DIR] [--work DIR] [--keep] [--json FILE]

S, the unit: the wall time of ONE DuckDB scan of every fact column the marts read, over the whole
zone: for each table of FACT_TABLES, `select count(*), sum(hash(col)) ...` over every column of the
raw contract (kscore.landing.contract()) from read_parquet('<landing>/<table>/**/*.parquet',
union_by_name=true) -- hashing forces reading and decoding every value. It runs in one DuckDB
connection with the dbt profile's settings (threads = $KSCORE_DUCKDB_THREADS or 2, memory_limit =
$KSCORE_DUCKDB_MEMORY_LIMIT or 12GB, preserve_insertion_order = false, as profiles.yml reads them),
twice; S is the second (warm cache) pass, the sum of the per-table query times: what "read the
data once" costs on this machine, so that "backfill = 14 S" compares across machines.

Then, on an empty warehouse folder under --work (default: a temp dir, removed unless --keep):
  backfill:  kscore.pipeline.run(start + 1 day, last - 1 day) in ONE run, where start = the zone's
             first dt (zone_days) and last = the newest dt + 1 day (every as_of_date but the last);
  increment: run(last, last) on top of it (what the daily schedule does).
Two floors beside the targets: the output floor O (after the backfill: one `create table as select *`
of every staging, intermediate and mart table it built, into a scratch file: writing its outputs once)
and the increment floor F (the same increment on a tiny zone: what an increment pays whatever the data).
For each: wall time (and x S), outcome, RunResult.phase_seconds (and x S), peak RSS, the published
size (the published DuckDB file plus every file under <warehouse folder>/published/), the build file
size and the 10 slowest dbt nodes of <warehouse folder>/dbt_target/run_results.json.

Peak RSS: each run is a fresh child interpreter (subprocess `python -c`, not a fork: none of this
process's pages), measured two ways; the larger is reported:
  - os.wait4() on that child: on Linux its ru_maxrss is the max of the child's own peak and that of
    every descendant it waited for, so it includes the dbt subprocess kscore.dbt_runner starts (own
    session, still the run's child). Every spike, but the peak of ONE process, not of the tree;
  - the RSS of the child plus all its descendants (ppid in /proc/*/stat), summed every 0.5 s: the
    tree's concurrent footprint (run process + dbt), blind to spikes shorter than 0.5 s.
Targets (TARGETS: "x_S" = wall / S, "rss_gib" = peak RSS) are printed beside the figures, never asserted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from kscore.publish import files_root
from kscore.generate import SCALES, generate
from kscore.gates import EXPECTED_DAILY_TABLES
from kscore.landing import DT_FOLDER, contract
from kscore.paths import warehouse_paths
from kscore.sqltext import identifier, literal

# the raw contract's fact tables the marts read: S scans every contract column of each
FACT_TABLES = ("orders", "logistics_events", "refunds", "reviews", "im_sessions", "live_sessions",
               "content_daily_stats", "product_traffic_daily")
TARGETS = {"medium": {"backfill_x_S": 20, "backfill_rss_gib": 12, "increment_x_S": 2}, "large": {"increment_x_S": 1}}
GIB = 1024 ** 3
PHASES = ("sense", "raw_gates", "dbt", "mart_gates", "publish")  # RunResult.phase_seconds
# the child entry: run(argv[1], argv[2], landing argv[3], folder argv[4]); its result as JSON into argv[5]
CHILD = """
import datetime as dt, json, sys
from kscore.pipeline import run
a, b = dt.date.fromisoformat(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
try:
    r = run(a, b, sys.argv[3], sys.argv[4] + '/kscore.duckdb', progress=lambda s: print('    | ' + s, flush=True))
    out = dict(outcome=r.outcome, message=r.message, phase_seconds=r.phase_seconds)
except Exception as exc:
    out = dict(outcome='error', message=f'{type(exc).__name__}: {exc}', phase_seconds={})
open(sys.argv[5], 'w').write(json.dumps(out))
"""


def duckdb_settings() -> dict[str, str]:
    """The dbt profile's DuckDB settings, read the way profiles.yml reads them."""
    return {"threads": os.environ.get("KSCORE_DUCKDB_THREADS", "2"),
            "memory_limit": os.environ.get("KSCORE_DUCKDB_MEMORY_LIMIT", "12GB"),
            "preserve_insertion_order": "false"}


def scan_once(landing: Path) -> tuple[dict[str, float], float]:
    """Wall seconds per fact table of one full scan (every contract column hashed), and the CPU seconds
    of the whole scan (time.process_time: DuckDB's threads run in this process)."""
    out, cpu0 = {}, time.process_time()
    with duckdb.connect(config=duckdb_settings()) as con:
        for table in FACT_TABLES:
            cols = ", ".join(f"sum(hash({identifier(c.name)}))" for c in contract()[table])
            glob = literal(str(landing / table / "**" / "*.parquet"))
            t0 = time.perf_counter()
            con.execute(f"select count(*), {cols} from read_parquet({glob}, union_by_name=true)").fetchall()
            out[table] = time.perf_counter() - t0
    return out, time.process_time() - cpu0


def write_once(landing: Path, scratch: Path) -> tuple[float, float, int]:
    """The floor of staging: (wall s, CPU s, rows) of ONE `create table as` of every fact table into a
    scratch DuckDB file, with the contract's casts, `dt`, the file name and the row number, as the
    staging models read them: what reading and writing the facts once costs. The file is removed."""
    db = scratch / "bench-write-floor.duckdb"
    rows, cpu0, t0 = 0, time.process_time(), time.perf_counter()
    with duckdb.connect(str(db), config=duckdb_settings()) as con:
        for table in FACT_TABLES:
            cols = ", ".join(f"cast({identifier(c.name)} as {c.data_type}) as {identifier(c.name)}"
                             for c in contract()[table])
            glob = literal(str(landing / table / "**" / "*.parquet"))
            con.execute(f"create table {identifier(table)} as select {cols}, cast(dt as date) as dt, "
                        f"filename as source_file, file_row_number as source_row from read_parquet({glob}, "
                        "union_by_name=true, hive_partitioning=true, filename=true, file_row_number=true)")
            rows += con.execute(f"select count(*) from {identifier(table)}").fetchone()[0]
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    for f in scratch.glob("bench-write-floor.duckdb*"):
        f.unlink()
    return wall, cpu, rows


def output_floor(build: Path, scratch: Path) -> dict:
    """The floor of a backfill's writing: (wall s, CPU s, rows, tables) of ONE `create table as select *`
    of every table the build holds in staging, intermediate and marts (views skipped), from the build
    file (attached read-only) into a scratch DuckDB file: what writing the run's outputs once costs,
    without computing any of them. The scratch file is removed."""
    db = scratch / "bench-output-floor.duckdb"
    rows, cpu0, t0 = 0, time.process_time(), time.perf_counter()
    with duckdb.connect(str(db), config=duckdb_settings()) as con:
        con.execute(f"attach {literal(str(build))} as b (read_only)")
        tables = con.execute("select schema_name, table_name from duckdb_tables() where database_name = 'b' "
                             "and schema_name in ('staging', 'intermediate', 'marts') order by all").fetchall()
        for schema, table in tables:
            name = identifier(f"{schema}__{table}")
            con.execute(f"create table {name} as select * from b.{identifier(schema)}.{identifier(table)}")
            rows += con.execute(f"select count(*) from {name}").fetchone()[0]
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    for f in scratch.glob("bench-output-floor.duckdb*"):
        f.unlink()
    return {"output_floor_s": wall, "output_floor_cpu_s": cpu, "output_floor_rows": rows,
            "output_floor_tables": len(tables)}


def fixed_cost_floor(work: Path) -> dict:
    """The floor of a daily increment: the same pipeline's increment on the `tiny` zone (50 shops, a few
    hundred rows a day), where the day's data costs next to nothing: one as_of_date built, then the next
    one as an increment on top of it; its wall time is what every increment pays whatever the data
    (dbt start-up and parse, ~700 nodes, the gates, publish)."""
    landing, folder = work / "floor-landing", work / "floor-wh"
    shutil.rmtree(landing, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    generate(landing, scale="tiny", start=dt.date(2023, 1, 1), days=40, seed=42)
    day = dt.date(2023, 2, 9)
    first = run_child(day, day, landing, folder)
    inc = run_child(day + dt.timedelta(days=1), day + dt.timedelta(days=1), landing, folder)
    inc["dbt_profile"] = dbt_profile(folder, 0, inc["phase_seconds"].get("dbt", 0.0))
    shutil.rmtree(landing, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    return {"first": {k: first[k] for k in ("outcome", "wall_s")},
            "increment": {k: inc[k] for k in ("outcome", "message", "wall_s", "cpu_s", "phase_seconds",
                                              "dbt_profile")}}


def zone_days(landing: Path) -> tuple[dt.date, dt.date, dt.date]:
    """(earliest dt, start, newest dt): start is the first dt every gates.EXPECTED_DAILY_TABLES has (the
    earliest dt can be a change table's snapshot of the day before: that as_of_date fails the raw gate)."""
    days = {t: [dt.date.fromisoformat(m.group(1)) for p in (landing / t).iterdir() if (m := DT_FOLDER.match(p.name))]
            for t in contract() if (landing / t).is_dir()}
    if not (every := [d for ds in days.values() for d in ds]):
        raise SystemExit(f"no dt=YYYY-MM-DD partitions under {landing}")
    return min(every), max(min(days.get(t) or every) for t in EXPECTED_DAILY_TABLES), max(every)


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants now (ppid links from /proc/*/stat)."""
    procs = {}  # pid -> (ppid, resident pages)
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
            procs[int(d)] = (int(stat[stat.rfind(")") + 2:].split()[1]),
                             int(Path(f"/proc/{d}/statm").read_text().split()[1]))
        except (OSError, IndexError, ValueError):  # a process that ended meanwhile
            continue
    tree, size = {root}, 0
    while len(tree) != size:  # add children until none is new
        size, tree = len(tree), tree | {p for p, (pp, _) in procs.items() if pp in tree}
    return sum(procs[p][1] for p in tree if p in procs) * os.sysconf("SC_PAGE_SIZE")


def track_peak_rss(pid: int):
    """Sample tree_rss(pid) every 0.5 s in a thread; returns stop(), which ends the sampling and gives the
    peak in bytes."""
    peak, done = [0], threading.Event()

    def sample():
        while not done.wait(0.5):
            peak[0] = max(peak[0], tree_rss(pid))
    (sampler := threading.Thread(target=sample, daemon=True)).start()

    def stop() -> int:
        done.set()
        sampler.join()
        return peak[0]
    return stop


def run_child(first: dt.date, last: dt.date, landing: Path, folder: Path) -> dict:
    """One pipeline run in a child interpreter; its result, wall time and peak RSS (docstring)."""
    result_file = folder.parent / f"bench-result-{first}.json"  # removed once read
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(first), str(last), str(landing), str(folder),
                             str(result_file)])
    stop = track_peak_rss(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    wall, proc.returncode = time.perf_counter() - t0, os.waitstatus_to_exitcode(status)
    peak = [stop()]
    out = json.loads(result_file.read_text()) if result_file.exists() else {
        "outcome": "crashed", "message": f"exit code {proc.returncode}", "phase_seconds": {}}
    result_file.unlink(missing_ok=True)
    return {**out, "from": str(first), "to": str(last), "as_of_dates": (last - first).days + 1, "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime, "rss_wait4_bytes": usage.ru_maxrss * 1024,
            "rss_tree_sampled_bytes": peak[0],
            "peak_rss_bytes": max(usage.ru_maxrss * 1024, peak[0])}


def sizes(folder: Path) -> dict[str, int]:
    paths = warehouse_paths(folder / "kscore.duckdb")
    size = lambda f: f.stat().st_size if f.is_file() else 0  # noqa: E731
    published = size(paths.published) + sum(size(f) for f in files_root(paths).rglob("*"))
    return {"published_bytes": published, "build_bytes": size(paths.build)}


def slowest_nodes(folder: Path, since: float, n: int = 10) -> list[tuple[float, str]]:
    """The n slowest nodes of the dbt build that ended after `since` (none: the run built nothing)."""
    path = warehouse_paths(folder / "kscore.duckdb").dbt_target / "run_results.json"
    fresh = path.exists() and path.stat().st_mtime >= since
    results = json.loads(path.read_text())["results"] if fresh else []
    rows = sorted(((r.get("execution_time") or 0.0, r["unique_id"]) for r in results), reverse=True)
    return [(round(s, 2), u) for s, u in rows[:n]]


def dbt_profile(folder: Path, since: float, dbt_wall: float) -> dict:
    """Where the dbt phase's time went: nodes and summed execution seconds per resource type (model,
    test, unit_test, seed), and the rest of the phase (parse, start-up, per-node bookkeeping) as
    `overhead_s` = the dbt phase's wall time - the sum of every node's execution time (one dbt thread:
    nodes never overlap)."""
    path = warehouse_paths(folder / "kscore.duckdb").dbt_target / "run_results.json"
    if not (path.exists() and path.stat().st_mtime >= since):
        return {}
    by_type: dict[str, list[float]] = {}
    for r in json.loads(path.read_text())["results"]:
        by_type.setdefault(r["unique_id"].split(".")[0], []).append(r.get("execution_time") or 0.0)
    nodes = {t: {"nodes": len(v), "exec_s": round(sum(v), 2)} for t, v in sorted(by_type.items())}
    total = sum(v["exec_s"] for v in nodes.values())
    return {"by_type": nodes, "exec_s": round(total, 2), "overhead_s": round(dbt_wall - total, 2)}


def target_note(scale: str, key: str, value: float) -> str:
    """`[target medium: <= 20 S: ok]`: the scale's own target, else every scale's (as a reference)."""
    scales = [scale] if scale in TARGETS else list(TARGETS)
    unit = "GiB" if key.endswith("gib") else "S"
    return "  ".join(f"[target {s}: <= {TARGETS[s][key]} {unit}: {'ok' if value <= TARGETS[s][key] else 'OVER'}]"
                     for s in scales if key in TARGETS[s])


def report(name: str, r: dict, S: float, S_cpu: float, scale: str) -> None:
    w = r["wall_s"]
    print(f"\n{name}: as_of_dates {r['from']} .. {r['to']} ({r['as_of_dates']} days): {r['outcome']}")
    if r["outcome"] != "published":
        print(f"  message: {r['message'][:1500]}")
    print(f"  wall {w:8.1f}s = {w / S:6.1f} S  {target_note(scale, name + '_x_S', w / S)}")
    for phase, secs in r["phase_seconds"].items():
        print(f"    {phase:11s} {secs:8.1f}s = {secs / S:6.1f} S  ({100 * secs / w:4.1f}% of wall)")
    print(f"  peak RSS {r['peak_rss_bytes'] / GIB:6.2f} GiB (wait4 max of one process "
          f"{r['rss_wait4_bytes'] / GIB:.2f}, sampled tree sum {r['rss_tree_sampled_bytes'] / GIB:.2f})  "
          f"{target_note(scale, name + '_rss_gib', r['peak_rss_bytes'] / GIB)}")
    print(f"  CPU {r['cpu_s']:8.1f}s = {r['cpu_s'] / S_cpu:6.1f} S(cpu)  (the run's and dbt's user+sys seconds over "
          "the scan's: a figure the other load of a shared machine inflates less than wall time)")
    if prof := r.get("dbt_profile"):
        print(f"  dbt phase: nodes executing {prof['exec_s']:.1f}s = {prof['exec_s'] / S:.1f} S, the rest (parse, "
              f"start-up, per-node bookkeeping) {prof['overhead_s']:.1f}s = {prof['overhead_s'] / S:.1f} S; "
              + ", ".join(f"{t} {v['nodes']} nodes {v['exec_s']:.1f}s" for t, v in prof["by_type"].items()))
    print(f"  published {r['published_bytes'] / 2**20:9.1f} MiB   build file {r['build_bytes'] / 2**20:9.1f} MiB")
    print("  slowest dbt nodes:" + "".join(f"\n    {secs:8.1f}s  {node}" for secs, node in r["slowest_nodes"])
          if r["slowest_nodes"] else "  slowest dbt nodes: none (this run built nothing)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small", choices=list(SCALES))
    ap.add_argument("--landing", default=None, help="an existing zone (read only; default: generate one)")
    ap.add_argument("--work", default=None, help="the work folder (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--json", default=None, help="also write every figure to this JSON file")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix=f"kscore-bench-scale-{args.scale}-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    folder = work / "wh"  # the warehouse folder
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} is not empty: the backfill needs an empty warehouse folder")
    made = [folder] if args.work else [work]  # what the end removes (never a given --landing)
    fig: dict = {"scale": args.scale, "duckdb": duckdb_settings(), "fact_tables": list(FACT_TABLES),
                 "targets": TARGETS, "cpus": os.cpu_count()}
    try:
        if args.landing:
            landing = Path(args.landing).resolve()
        else:
            landing = work / "landing"
            made.append(landing)
            t0 = time.perf_counter()
            generate(landing, scale=args.scale, start=dt.date(2023, 1, 1), seed=42)
            fig["generate_s"] = time.perf_counter() - t0
            print(f"generated {args.scale} into {landing} in {fig['generate_s']:.1f}s")
        (earliest, start, newest), fig["landing"] = zone_days(landing), str(landing)
        fig.update(zone_earliest_dt=str(earliest), zone_start=str(start), zone_newest_dt=str(newest))
        last = newest + dt.timedelta(days=1)
        print(f"zone {landing}: dt {earliest} .. {newest}, start {start}; duckdb {fig['duckdb']}\n"
              f"S scans every contract column of {', '.join(FACT_TABLES)}")
        scans = [scan_once(landing) for _ in range(2)]
        S, S_cpu = sum(scans[1][0].values()), scans[1][1]
        fig.update(scan_cold_s=sum(scans[0][0].values()), S=S, S_cpu=S_cpu, scan_warm_per_table_s=scans[1][0],
                   load_before=os.getloadavg())
        print(f"scan 1 (cold) {fig['scan_cold_s']:.2f}s, scan 2 (warm) {S:.2f}s  => S = {S:.2f}s, "
              f"{S_cpu:.2f} CPU s  (" + ", ".join(f"{t} {s:.2f}" for t, s in scans[1][0].items())
              + f"); load average {fig['load_before'][0]:.1f}")
        w_wall, w_cpu, w_rows = write_once(landing, work)
        fig.update(write_floor_s=w_wall, write_floor_cpu_s=w_cpu, write_floor_rows=w_rows)
        print(f"write floor W: create table of every fact table ({w_rows:,} rows, the contract's casts, dt, file, "
              f"row) into a scratch file: {w_wall:.1f}s = {w_wall / S:.1f} S, {w_cpu:.1f} CPU s")
        runs = {}
        for name, a, b in (("backfill", start + dt.timedelta(days=1), last - dt.timedelta(days=1)),
                           ("increment", last, last)):
            print(f"\n== {name}: run({a}, {b}) on {folder}")
            r, since = run_child(a, b, landing, folder), time.time()
            r.update(sizes(folder), slowest_nodes=slowest_nodes(folder, since - r["wall_s"], 15),
                     dbt_profile=dbt_profile(folder, since - r["wall_s"], r["phase_seconds"].get("dbt", 0.0)),
                     load_after=os.getloadavg())
            runs[name] = r
            report(name, r, S, S_cpu, args.scale)
            if name == "backfill" and r["outcome"] == "published":
                fig.update(output_floor(warehouse_paths(folder / "kscore.duckdb").build, work))
                o = fig["output_floor_s"]
                print(f"  output floor O: create table as select * of the backfill's {fig['output_floor_tables']} "
                      f"staging, intermediate and mart tables ({fig['output_floor_rows']:,} rows) into a scratch "
                      f"file: {o:.1f}s = {o / S:.1f} S, {fig['output_floor_cpu_s']:.1f} CPU s (writing the "
                      "outputs once, computing none)")
        fig["runs"] = runs
        fig["fixed_cost_floor"] = f = fixed_cost_floor(work)
        fi = f["increment"]
        print(f"\nincrement floor F: the same increment on a tiny zone (a few hundred rows a day): "
              f"{fi['outcome']}, {fi['wall_s']:.1f}s = {fi['wall_s'] / S:.1f} S of this zone, {fi['cpu_s']:.1f} CPU s; "
              + ", ".join(f"{p} {v:.1f}s" for p, v in fi["phase_seconds"].items())
              + (f"; dbt nodes executing {fi['dbt_profile']['exec_s']:.1f}s, the rest "
                 f"{fi['dbt_profile']['overhead_s']:.1f}s" if fi.get("dbt_profile") else ""))
        after = scan_once(landing)
        fig.update(S_after=sum(after[0].values()), S_cpu_after=after[1])
        print(f"\nS again after the runs: {fig['S_after']:.2f}s ({fig['S_cpu_after']:.2f} CPU s); load average "
              f"{os.getloadavg()[0]:.1f}. The figures below use S from before the runs.")
        print(f"\nscale {args.scale}, S = {S:.2f}s (threads {fig['duckdb']['threads']}, "
              f"memory_limit {fig['duckdb']['memory_limit']})")
        print(f"  {'run':10s} {'days':>4s} {'outcome':10s} {'wall s':>8s} {'x S':>6s} {'cpu xS':>6s} "
              + " ".join(f"{p + ' xS':>13s}" for p in PHASES) + f" {'RSS GiB':>8s} {'pub MiB':>8s} {'build MiB':>9s}")
        for name, r in runs.items():
            ph = " ".join(f"{r['phase_seconds'].get(p, 0) / S:13.1f}" for p in PHASES)
            print(f"  {name:10s} {r['as_of_dates']:4d} {r['outcome']:10s} {r['wall_s']:8.1f} "
                  f"{r['wall_s'] / S:6.1f} {r['cpu_s'] / S_cpu:6.1f} {ph} {r['peak_rss_bytes'] / GIB:8.2f} "
                  f"{r['published_bytes'] / 2**20:8.1f} {r['build_bytes'] / 2**20:9.1f}")
        if args.json:
            Path(args.json).write_text(json.dumps(fig, indent=1, default=str))
            print(f"figures written to {args.json}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            for p in made:
                shutil.rmtree(p, ignore_errors=True)


if __name__ == "__main__":
    main()
