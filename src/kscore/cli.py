"""The `kscore` command line (spec 07): generate, run, validate, runs, explain, report."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from pathlib import Path

from kscore.paths import default_landing, default_warehouse


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _var(s: str) -> tuple[str, str]:
    """NAME=VALUE of `kscore run --var` (a dbt project var)."""
    name, sep, value = s.partition("=")
    if not sep or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise argparse.ArgumentTypeError(f"not NAME=VALUE with a lowercase var name: {s!r}")
    return name, value


def _date(s: str) -> dt.date:
    """A date written YYYY-MM-DD exactly (Python's fromisoformat also takes 20230301 and 2023-W09-3)."""
    if not ISO_DATE.fullmatch(s):
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {s!r}")
    try:
        return dt.date.fromisoformat(s)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {s!r} ({exc})") from None


def version_text() -> str:
    """`kscore --version`: the package's version and those of dbt-core, dbt-duckdb and DuckDB."""
    from importlib import metadata

    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    own = v("kscore")  # "not installed": run from a source tree without `pip install -e .`
    return (f"kscore {own} (dbt-core {v('dbt-core')}, dbt-duckdb {v('dbt-duckdb')}, duckdb {v('duckdb')}, "
            f"great-expectations {v('great_expectations')}, Python {sys.version.split()[0]})")


class _Version(argparse.Action):
    """--version printed as one line (argparse's own action wraps it to the terminal's width)."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit(0)


def _positive_int(s: str) -> int:
    try:
        n = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {s!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _int(s: str) -> int:
    try:
        return int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {s!r}") from None


def cmd_generate(args) -> int:
    from kscore.generate import INJECT_KINDS, SCALES, generate

    if args.inject and "help" in args.inject:
        print("kinds of bad input --inject can add to the newest day's delivery:")
        for kind, text in INJECT_KINDS.items():
            print(f"  {kind:26s} {text}")
        return 0
    unknown = [k for k in (args.inject or []) if k not in INJECT_KINDS]
    if unknown:
        print(f"kscore generate: unknown --inject kind(s) {', '.join(unknown)}; see --inject help", file=sys.stderr)
        return 2
    if args.scale not in SCALES:
        print(f"kscore generate: unknown scale {args.scale!r}; one of {', '.join(SCALES)}", file=sys.stderr)
        return 2
    report = generate(Path(args.landing), scale=args.scale, start=args.start, days=args.days, seed=args.seed,
                      inject=list(args.inject or []), progress=print, variation=args.variation)
    rows = sum(t["rows"] for t in report["tables"].values())
    print(f"generated {rows:,} rows in {report['seconds']:.1f}s ({report['rows_per_second']:,.0f} rows/s) "
          f"into {report['landing']}")
    for table, t in report["tables"].items():
        print(f"  {table:24s} {t['rows']:>12,} rows {t['files']:>5} files {t['seconds']:7.1f}s")
    for kind, detail in (report.get("injected") or {}).items():
        print(f"  injected {kind}: {detail}")
    for key, detail in (report.get("variation") or {}).items():
        print(f"  variation {key}: {detail}")
    return 0


def cmd_run(args) -> int:
    from kscore.pipeline import RunError, run
    from kscore.progress import Progress

    to_date = args.to_date or args.from_date
    try:
        result = run(args.from_date, to_date, Path(args.landing), Path(args.warehouse), is_backfill=args.backfill,
                     progress=Progress(sys.stdout, verbose=args.verbose), full_refresh=args.full_refresh,
                     extra_vars=dict(args.dbt_vars), engine=args.engine)
    except RunError as exc:
        print(f"kscore run: {exc}", file=sys.stderr)
        return 1
    if result.ok:
        print(f"published file: {result.published_file}")
        from kscore.summary import print_summary
        print_summary(result.published_file, result.published_dates[-1])
        return 0
    print(f"kscore run: {result.message}", file=sys.stderr)
    if result.published_dates:
        print(f"published file: {result.published_file} (as_of_dates {result.published_dates[0]} … {result.published_dates[-1]})")
    return 1


def cmd_validate(args) -> int:
    """The raw gates of one landed day (file level and the GX batch suites), without building."""
    from kscore import gates, landing
    from kscore.pipeline import RunError, check_glob_free

    land = Path(args.landing)
    if not land.is_dir():
        print(f"kscore validate: landing zone {land} does not exist", file=sys.stderr)
        return 1
    try:
        check_glob_free(land.resolve(), "landing zone")
    except RunError as exc:
        print(f"kscore validate: {exc}", file=sys.stderr)
        return 1
    files = landing.sense(land)
    days = sorted({f.dt for f in files if f.dt is not None})
    if args.day:
        days = [args.day]
    elif days:
        days = [days[-1]]
    if not days:
        print(f"kscore validate: no landed day under {land}", file=sys.stderr)
        return 1
    try:
        results = gates.raw_gates(files, days, None)
    except Exception as exc:  # report, never a stack trace
        print(f"kscore validate: the raw gates could not run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"raw gates for dt {', '.join(map(str, days))} of {land.resolve()} (no build; the quarantine share "
          f"is judged by `kscore run` once staging has run)")
    for r in results:
        print("  " + r.describe())
    failed = [r for r in results if not r.success]
    if failed:
        print()
        print(gates.failure_report(results), end="")
    print(f"raw gates for {', '.join(map(str, days))}: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def cmd_runs(args) -> int:
    from kscore import runlog
    from kscore.paths import warehouse_paths

    paths = warehouse_paths(args.warehouse)
    rows = runlog.read(paths.build, paths.published)
    if not rows:
        print(f"no runs recorded for {paths.published}")
        return 0
    print(f"{'run_id':22s} {'started_at':19s} {'finished_at':19s} {'outcome':9s} as_of_dates / published / message")
    for run_id, started, finished, as_of, published, outcome, message in rows:
        span = as_of.split(",")
        pub = published.split(",") if published else []
        print(f"{run_id:22s} {str(started):19s} {str(finished):19s} {outcome:9s} "
              f"{span[0]}…{span[-1]} ({len(span)}) / {len(pub)} published / {message}")
    return 0


def cmd_explain(args) -> int:
    from kscore.explain import ExplainError, explain, render_text, to_json

    try:
        doc = explain(args.kind, args.entity_id, args.as_of, args.warehouse)
        if getattr(args, "what_if", None):  # issue 13 point 2: src/kscore/whatif
            from kscore import whatif

            doc["what_if"] = whatif.what_if(args.kind, args.entity_id, args.as_of,
                                            whatif.parse_changes(args.what_if), args.warehouse)
    except ExplainError as exc:
        print(f"kscore explain: {exc}", file=sys.stderr)
        return 2
    text = to_json(doc) if args.json else render_text(doc)
    if "what_if" in doc and not args.json:
        from kscore.whatif import render_text as render_what_if

        text += render_what_if(doc["what_if"])
    print(text, end="\n" if args.json else "")
    return 0


def cmd_report(args) -> int:
    from kscore.shop_report import ShopReportError, write_report

    try:
        out = write_report(args.shop, args.as_of, args.out, args.warehouse)
    except ShopReportError as exc:
        print(f"kscore report: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kscore", description="The merchant and creator scoring warehouse.")
    p.add_argument("--version", action=_Version, nargs=0,
                   help="print the version of kscore and of dbt-core, dbt-duckdb, DuckDB and GX, and exit")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write a demo landing zone",
                       description="Write a deterministic demo landing zone in the raw contract (spec 01).")
    g.add_argument("--scale", default="tiny", help="tiny | small | medium | large (default tiny)")
    g.add_argument("--start", type=_date, default=dt.date(2023, 1, 1), help="first day, YYYY-MM-DD (default 2023-01-01)")
    g.add_argument("--days", type=_positive_int, default=None, metavar="N",
                   help="number of days, at least 1 (default: the scale's)")
    g.add_argument("--seed", type=_int, default=42,
                   help="random seed, any whole number (default 42)")
    g.add_argument("--inject", nargs="+", metavar="KIND",
                   help="add bad input to the newest day's delivery; `--inject help` lists the kinds")
    g.add_argument("--landing", default=str(default_landing()),
                   help="landing folder (default $KSCORE_LANDING_DIR or data/landing)")
    g.add_argument("--variation", action="store_true",
                   help="legitimate variation: a promotion week, weekly content and three-day "
                        "live rhythms, a moving channel mix, a shop that stops selling "
                        "(docs/generator.md)")
    g.set_defaults(func=cmd_generate)

    r = sub.add_parser("run", help="build, gate and publish a range of as_of_dates",
                       description="Build, gate and publish as_of_dates FROM … TO in one dbt build; publishes only "
                                   "the days before the first failed gate. Prints one progress line per phase "
                                   "(sense, raw gates, dbt build, mart gates, publish) and every failure in full.")
    r.add_argument("--from", dest="from_date", type=_date, required=True,
                   help="first as_of_date, YYYY-MM-DD; as_of_date D reads the data up to D-1, so the first "
                        "buildable one is the first landed day + 1")
    r.add_argument("--to", dest="to_date", type=_date,
                   help="last as_of_date, YYYY-MM-DD (default: --from); at most the newest landed day + 1")
    r.add_argument("--landing", default=str(default_landing()),
                   help="landing folder (default $KSCORE_LANDING_DIR or data/landing)")
    r.add_argument("--warehouse", default=str(default_warehouse()),
                   help="published file (default $KSCORE_WAREHOUSE or warehouse/kscore.duckdb)")
    r.add_argument("--backfill", action="store_true",
                   help="record the run as an explicit backfill (recomputes published days)")
    r.add_argument("--full-refresh", action="store_true",
                   help="rebuild every incremental model from the landed files (needed once after a model's "
                        "columns changed: an incremental model whose table no longer matches stops with "
                        "'out of sync'); published days stay as they are")
    r.add_argument("--var", dest="dbt_vars", action="append", default=[], type=_var, metavar="NAME=VALUE",
                   help="a dbt project var for this build (repeatable), e.g. "
                        "kuaizhizao_first_check_date=2023-02-06 (the demo's first 快质造 check)")
    r.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                   help="the engine of the dbt build (default duckdb); spark: Apache Spark in session mode, "
                        "always a full refresh, marts as Parquet under <warehouse folder>/spark/marts/, "
                        "copied into the build file for the gates and publish (docs/spark.md)")
    r.add_argument("--verbose", "-v", action="store_true",
                   help="print dbt's own lines too (by default one progress line per phase, and every "
                        "failure and warning in full)")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="run the raw gates only and print the report",
                       description="Run the raw gates on the landing zone (no build) and print the report.")
    v.add_argument("--landing", default=str(default_landing()), help="landing folder")
    v.add_argument("--day", type=_date, help="the dt to judge (default: the newest landed day)")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("runs", help="print the run log", description="Print ops.run_log, newest first.")
    s.add_argument("--warehouse", default=str(default_warehouse()), help="published file")
    s.set_defaults(func=cmd_runs)

    e = sub.add_parser("explain", help="why one product, shop or creator has its tier or score on a day",
                       description="Print the chain behind one entity's tier or score on one as_of_date, from the "
                                   "published file (and the build file beside it): window, counts, indicator "
                                   "values, peer group, percentiles and levels, dimension scores, caps and tier "
                                   "or total, stage and five-point score (docs/explain.md).")
    e.add_argument("kind", choices=["product", "shop", "creator"], help="the kind of entity")
    e.add_argument("entity_id", type=_int, metavar="ID", help="product_id, shop_id or creator_id")
    e.add_argument("--as-of", dest="as_of", type=_date, required=True, help="the as_of_date, YYYY-MM-DD")
    e.add_argument("--json", action="store_true", help="print one JSON document (schema: docs/explain.md)")
    e.add_argument("--warehouse", default=str(default_warehouse()), help="published file")
    e.add_argument("--what-if", dest="what_if", action="append", metavar="INDICATOR=VALUE",
                   help="recompute with this indicator value, the peers fixed (repeatable; docs/explain.md)")
    e.set_defaults(func=cmd_explain)

    rp = sub.add_parser("report", help="one shop's page: scores, 30-day history, tiers, gaps, alerts",
                        description="Write one static HTML page (works offline, charts inline) for one shop "
                                    "and as_of_date from the published file (docs/report.md).")
    rp.add_argument("--shop", type=_int, required=True, metavar="ID", help="shop_id")
    rp.add_argument("--as-of", dest="as_of", type=_date, required=True, help="the as_of_date, YYYY-MM-DD")
    rp.add_argument("--out", required=True, metavar="FILE.html", help="the page to write")
    rp.add_argument("--warehouse", default=str(default_warehouse()), help="published file")
    rp.set_defaults(func=cmd_report)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`kscore runs | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
