"""What `kscore run` prints (issue 16, points 2 and 3) and `kscore --version`.

- A daily run prints fewer than 45 lines at default verbosity: one line per phase (sense, raw gates,
  dbt build, mart gates, publish) with done/total and elapsed time, every failed gate in full, and the
  end-of-run summary; `--verbose` brings dbt's own lines back.
- A date the landing zone cannot build, or a date not written YYYY-MM-DD, is refused before any file is
  created, naming the landed range.

The runs are the ones test_bad_input builds anyway (shared through its cache): the clean baseline (a
passing run, in its own process), the next day's incremental run (every phase, failing at the mart
gates) and one raw-gate stop; the early refusals and the progress line itself cost seconds.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import duckdb
import pytest

from kscore import PROJECT_DIR, gates, progress
from kscore.gates import GateResult
from kscore.progress import Progress

from conftest import TINY_DAYS, TINY_START, last_as_of
from test_bad_input import KSCORE, clean_baseline, kscore, kscore_main, next_day_run, run_kind

MAX_LINES = 45  # phases, failures and a summary naming every mart (34, two to a line)
PHASE_LINES = {
    "sense": r"^sense\s+\d+/\d+ files, \d+ rejected, [\d,]+ rows( \([\d,]+ rows/s\))?, [\d.]+s$",
    "raw gates": r"^raw gates\s+(\d+)/\1 tables, dt \S+ … \S+: \d+ passed, \d+ failed, .*[\d.]+s$",
    "dbt build": r"^dbt build\s+(\d+)/\1 nodes, \d+ errors.*, [\dms.]+$",
    "mart gates": r"^mart gates\s+(\d+)/\1 marts, as_of_dates \S+ … \S+: \d+ passed, \d+ failed, .*[\d.]+s$",
    "publish": r"^publish\s+\d+ as_of_dates.*, [\d.]+s$",
}


def lines(out: subprocess.CompletedProcess) -> list[str]:
    return (out.stdout + out.stderr).splitlines()


def phase_line(out: subprocess.CompletedProcess, phase: str) -> str:
    found = [line for line in out.stdout.splitlines() if re.match(PHASE_LINES[phase], line)]
    assert len(found) == 1, f"one {phase} result line expected in:\n{out.stdout}"
    return found[0]


def failed_results(run_dir: Path) -> list[GateResult]:
    """The run's failed gate results, from its own report (gate_report.json)."""
    out = []
    for d in json.loads((run_dir / "gate_report.json").read_text()):
        if not d["success"]:
            out.append(GateResult(**{**d, "day": dt.date.fromisoformat(d["day"])}))
    return out


def assert_every_failure_in_full(out: subprocess.CompletedProcess, run_dir: Path) -> None:
    failed = failed_results(run_dir)
    assert failed, "the run was meant to fail a gate"
    shown = set(out.stdout.splitlines())
    for r in failed:
        assert "  " + r.describe() in shown, f"failure not printed in full: {r.describe()}\n{out.stdout}"


# --------------------------------------------------------------------------- default output of real runs

def test_a_daily_run_prints_each_phase_and_every_failure_in_under_45_lines(tmp_path_factory):
    """The next day's incremental run (one as_of_date on the tiny zone, test_bad_input): it goes through
    every phase and stops at the mart gates (quarantine share), and says so in fewer than 45 lines."""
    r = next_day_run(tmp_path_factory)
    out = r["out"]
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr, out.stderr[-3000:]
    assert len(lines(out)) < MAX_LINES, f"{len(lines(out))} lines:\n" + "\n".join(lines(out))
    for phase in PHASE_LINES:
        phase_line(out, phase)
    # no dbt node line at default verbosity (the run's dbt log has them all)
    assert not re.search(r"\b\d+ of \d+ (START|OK|PASS)\b", out.stdout), out.stdout
    log = (r["run_dir"] / "dbt_build.log").read_text()
    nodes = len(re.findall(r"\b\d+ of \d+ (?:OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b", log))
    assert nodes > 100 and f"{nodes}/{nodes} nodes" in phase_line(out, "dbt build")
    assert "0 as_of_dates, nothing published" in phase_line(out, "publish")
    assert_every_failure_in_full(out, r["run_dir"])
    # the headline names the first failure, as before
    assert "nothing published" in out.stderr and "quarantine_share_at_most" in out.stderr


def test_a_passing_run_prints_its_phases_and_the_summary_in_under_45_lines(tmp_path_factory):
    """The clean baseline (`kscore run` in its own process, output to a pipe: plain lines)."""
    out = clean_baseline(tmp_path_factory)["out"]
    assert out.returncode == 0, out.stderr[-3000:]
    assert len(lines(out)) < MAX_LINES, f"{len(lines(out))} lines:\n" + "\n".join(lines(out))
    assert "\r" not in out.stdout and "\x1b[" not in out.stdout  # a pipe gets plain lines
    for phase in PHASE_LINES:
        phase_line(out, phase)
    assert re.search(r" 0 failed", phase_line(out, "raw gates")) and " 0 errors" in phase_line(out, "dbt build")
    assert "3 as_of_dates" in phase_line(out, "publish")
    assert re.search(r"^run \S+ published in \d+s", out.stdout, re.M)
    assert "published file:" in out.stdout and "summary for as_of_date" in out.stdout
    assert not re.search(r"\b\d+ of \d+ (START|OK|PASS)\b", out.stdout)


def test_a_raw_gate_stop_prints_the_failures_in_full_and_no_dbt_phase(tmp_path_factory):
    base = clean_baseline(tmp_path_factory)
    r = run_kind(tmp_path_factory.mktemp("output_missing_column"), base["wh"], ["missing_column"])
    out = r["out"]
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert len(lines(out)) < MAX_LINES
    for phase in ("sense", "raw gates", "publish"):
        phase_line(out, phase)
    assert not re.search(r"^(dbt build|mart gates) ", out.stdout, re.M)
    assert_every_failure_in_full(out, r["run_dir"])
    assert any("file_readable_with_contract_schema" in line and "missing_column" in line
               for line in out.stdout.splitlines())


# --------------------------------------------------------------------------- dbt's own lines

def test_run_dbt_default_counts_nodes_and_verbose_prints_dbts_lines(tiny_landing, tmp_path):
    """A real one-seed dbt build: at default verbosity the nodes are counted (tick) and no routine dbt
    line is printed; verbose prints dbt's own lines."""
    from kscore.dbt_runner import dbt_vars, run_dbt
    from kscore.paths import warehouse_paths

    paths = warehouse_paths(tmp_path / "wh" / "kscore.duckdb")
    paths.folder.mkdir(parents=True)
    day = last_as_of()
    vars_ = dbt_vars(day, day, tiny_landing, "test-output")
    args = ["seed", "--select", "core_params"]

    quiet, ticks = [], []
    res = run_dbt(args, paths, tiny_landing, vars_, tmp_path / "quiet.log", quiet.append,
                  tick=lambda done, total, **kw: ticks.append((done, total, kw.get("unit"))))
    assert res["nodes"] == 1 and res["errors"] == [] and res["skipped"] == 0
    assert ticks[-1] == (1, 1, "nodes")
    # no routine line (dbt's banner, START/OK lines, its closing counts)
    assert not any(re.search(r"Running with dbt=|\b1 of 1 (START|OK)\b|Done\. PASS=", q) for q in quiet), quiet
    assert re.search(r"1 of 1 OK loaded seed file rules\.core_params", (tmp_path / "quiet.log").read_text())

    loud = []
    run_dbt(args, paths, tiny_landing, vars_, tmp_path / "loud.log", loud.append, tick=lambda *a, **k: None,
            verbose=True)
    text = "\n".join(loud)
    assert "Running with dbt=" in text and re.search(r"1 of 1 OK loaded seed file rules\.core_params", text)
    assert "Done. PASS=1" in text


def test_run_accepts_verbose():
    from kscore.cli import build_parser

    args = build_parser().parse_args(["run", "--from", "2023-01-13", "--verbose"])
    assert args.verbose is True
    assert build_parser().parse_args(["run", "--from", "2023-01-13"]).verbose is False


# --------------------------------------------------------------------------- dates, before any file

def test_a_date_the_zone_cannot_build_is_refused_before_any_file(tiny_landing, tmp_path):
    first, last = TINY_START, TINY_START + dt.timedelta(days=TINY_DAYS - 1)
    landed = f"the landing zone holds dt {first} … {last}"
    buildable = f"as_of_dates {first + dt.timedelta(days=1)} … {last_as_of()} can be built"
    wh = tmp_path / "wh"
    common = ["--landing", str(tiny_landing), "--warehouse", str(wh / "kscore.duckdb")]
    for span in (["--from", str(last_as_of() + dt.timedelta(days=1))],          # after the newest landed day + 1
                 ["--from", str(TINY_START)],                                   # reads dt TINY_START - 1
                 ["--from", str(last_as_of()), "--to", "2023-03-01"]):          # a range running past the end
        out = kscore_main("run", *span, *common)
        assert out.returncode == 1, out.stdout + out.stderr
        assert "Traceback" not in out.stdout + out.stderr
        assert landed in out.stderr and buildable in out.stderr, out.stderr
        assert not wh.exists(), sorted(p.name for p in wh.rglob("*"))
    # an existing, empty warehouse folder stays empty (no build file, run folder or lock file)
    wh.mkdir()
    out = kscore_main("run", "--from", "2024-06-01", "--landing", str(tiny_landing), "--warehouse", str(wh / "k.duckdb"))
    assert out.returncode == 1 and landed in out.stderr
    assert list(wh.iterdir()) == []


def test_a_zone_without_daily_partitions_is_refused_before_any_file(tmp_path):
    empty = tmp_path / "landing"
    (empty / "orders").mkdir(parents=True)
    wh = tmp_path / "wh"
    out = kscore_main("run", "--from", "2023-01-02", "--landing", str(empty), "--warehouse", str(wh / "kscore.duckdb"))
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert "holds no dt=YYYY-MM-DD partition" in out.stderr and "orders" in out.stderr, out.stderr
    out = kscore_main("run", "--from", "2023-01-02", "--landing", str(tmp_path / "nowhere"),
                      "--warehouse", str(wh / "kscore.duckdb"))
    assert out.returncode == 1 and "does not exist" in out.stderr
    assert not wh.exists()


@pytest.mark.parametrize("bad", ["20230301", "2023-3-1", "2023-02-30", "2023-W09-3", "2023-03-01T00:00"])
def test_a_date_not_written_yyyy_mm_dd_is_rejected(bad, tiny_landing, tmp_path):
    wh = tmp_path / "wh"
    out = kscore("run", "--from", bad, "--landing", str(tiny_landing), "--warehouse", str(wh / "kscore.duckdb"),
                 timeout=120)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert "argument --from: not a date YYYY-MM-DD" in out.stderr and repr(bad) in out.stderr, out.stderr
    assert not wh.exists()


def test_the_date_rule_is_the_same_for_every_subcommand():
    from kscore.cli import build_parser

    for argv in (["generate", "--start", "20230101"], ["validate", "--day", "20230101"],
                 ["run", "--from", "2023-01-13", "--to", "20230114"]):
        with pytest.raises(SystemExit) as exc:
            build_parser().parse_args(argv)
        assert exc.value.code == 2
    assert build_parser().parse_args(["validate", "--day", "2023-01-01"]).day == dt.date(2023, 1, 1)


# --------------------------------------------------------------------------- --version

def test_version_names_kscore_dbt_and_duckdb():
    out = subprocess.run([KSCORE, "--version"], capture_output=True, text=True, timeout=60, cwd=PROJECT_DIR)
    assert out.returncode == 0, out.stderr
    text = out.stdout.strip()
    assert len(text.splitlines()) == 1, text
    assert text.startswith(f"kscore {metadata.version('kscore')} ")
    assert f"dbt-core {metadata.version('dbt-core')}" in text
    assert f"dbt-duckdb {metadata.version('dbt-duckdb')}" in text
    assert f"duckdb {duckdb.__version__}" in text
    # `python -m kscore.cli --version` too
    again = subprocess.run([sys.executable, "-m", "kscore.cli", "--version"], capture_output=True, text=True,
                           timeout=60, cwd=PROJECT_DIR)
    assert again.returncode == 0 and again.stdout.strip() == text


# --------------------------------------------------------------------------- the progress line itself

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_phase_is_one_line_updated_in_place():
    term = Terminal()
    rep = Progress(term)
    assert rep.tty
    rep.start("dbt")
    for done in range(1, 201):
        rep.update(done, 200, unit="nodes")
    rep("  dbt 7 of 200 FAIL 3 not_null_orders_order_id")   # a failure mid-phase: a whole line of its own
    rep.finish("1 errors")
    text = term.getvalue()
    # what the terminal shows: each \r returns to the line start, \x1b[K clears it
    screen = [re.split(r"\r", raw)[-1].replace("\x1b[K", "") for raw in text.split("\n")]
    screen = [s for s in screen if s]
    assert screen[0] == "  dbt 7 of 200 FAIL 3 not_null_orders_order_id"
    assert re.fullmatch(r"dbt build  200/200 nodes, 1 errors, [\d.]+s", screen[1]), screen
    assert len(screen) == 2
    assert "[####################] 200/200 nodes" in text  # the bar, drawn in place


def test_in_a_log_a_long_phase_prints_a_few_plain_lines(monkeypatch):
    out = io.StringIO()
    rep = Progress(out)
    assert not rep.tty
    monkeypatch.setattr(progress, "LOG_EVERY_SECONDS", 0.0)  # as if every update came 10 s after the last
    rep.start("raw_gates")
    for done in range(1, 1001):
        rep.update(done, 1000, unit="tables", rows=done * 10)
    rep.finish("51 passed, 0 failed")
    got = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert 2 <= len(got) <= 10, got   # at most one line per tenth of the work, plus the result line
    assert re.fullmatch(r"raw gates  1000/1000 tables, 51 passed, 0 failed, 10,000 rows( \([\d,]+ rows/s\))?, [\d.]+s",
                        got[-1]), got[-1]
    assert all(re.match(r"raw gates  \d+/1000 tables \(\d+%\)", line) for line in got[:-1]), got


def test_a_phase_an_error_ends_says_how_far_it_got():
    out = io.StringIO()
    rep = Progress(out)
    rep.start("mart_gates")
    rep.update(3, 13, unit="marts")
    rep.end()
    assert re.fullmatch(r"mart gates 3/13 marts, stopped, [\d.]+s\n", out.getvalue())


def test_a_plain_callable_gets_one_line_per_call():
    got = []
    rep = Progress(emit=got.append)
    assert not rep.tty
    rep.start("sense")
    rep("a note")
    rep.update(5, 5, unit="files", rows=100)
    rep.finish("0 rejected")
    assert got[0] == "a note" and got[1].startswith("sense      5/5 files, 0 rejected, 100 rows")
    assert progress.reporter(rep) is rep and progress.reporter(print) is None
    assert isinstance(gates.EXPECTED_DAILY_TABLES, tuple) and "orders" in gates.EXPECTED_DAILY_TABLES
