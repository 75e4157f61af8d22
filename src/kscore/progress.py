"""What a run prints (issue 16, point 2): one progress line per phase, every failure in full.

A run has five phases: sense, raw gates, dbt build, mart gates, publish. Each reports how far it
is (dbt nodes done of total, gate tables done of total), rows per second where it reads rows, and
its elapsed time:

- on a terminal, one line per phase that updates in place (``\\r``) and stays as the phase's
  result line when the phase ends;
- in a log or a pipe, plain lines: the phase's result line, and while it runs a line at most
  every LOG_EVERY_SECONDS *and* LOG_EVERY_SHARE of its work (a long dbt build reads as a few
  lines, never one per node).

Everything else that goes through the reporter (``progress(text)``: failures, warnings, notes)
is printed whole, on its own line. ``verbose`` (``kscore run --verbose``) adds dbt's own lines
and prints plain lines even on a terminal.
"""
from __future__ import annotations

import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, TextIO

# the phase names of RunContext.phase and the label each prints
PHASES = {"sense": "sense", "raw_gates": "raw gates", "dbt": "dbt build", "mart_gates": "mart gates",
          "publish": "publish"}
LABEL_WIDTH = 10
LOG_EVERY_SECONDS = 10.0
LOG_EVERY_SHARE = 0.10
TTY_EVERY_SECONDS = 0.1
TTY_REFRESH_SECONDS = 1.0  # a terminal's line shows the elapsed time even while nothing is counted
BAR_WIDTH = 20


def seconds(s: float) -> str:
    """Elapsed time for a person: 0.8s, 42.3s, 3m05s, 1h02m."""
    if s < 60:
        return f"{s:.1f}s"
    if s < 3600:
        return f"{int(s // 60)}m{int(s % 60):02d}s"
    return f"{int(s // 3600)}h{int(s % 3600 // 60):02d}m"


@dataclass
class _Phase:
    label: str
    unit: str = ""
    done: int = 0
    total: int | None = None
    rows: int | None = None
    t0: float = field(default_factory=time.monotonic)
    logged_t: float = field(default_factory=time.monotonic)
    logged_share: float = 0.0
    drawn_t: float = 0.0


class Progress:
    """The run's reporter. Callable with one text (a whole line, as a plain ``progress`` callback);
    ``start`` / ``update`` / ``finish`` drive the current phase's progress line.

    Lines go to ``stream`` (default sys.stdout), or to ``emit`` when given (one call per line,
    never a terminal)."""

    def __init__(self, stream: TextIO | None = None, *, emit: Callable[[str], None] | None = None,
                 tty: bool | None = None, verbose: bool = False):
        self.stream = stream if stream is not None else sys.stdout
        self.emit = emit
        if tty is None:
            try:
                tty = emit is None and self.stream.isatty()
            except (AttributeError, ValueError):
                tty = False
        self.verbose = verbose
        self.tty = bool(tty) and not verbose
        self._phase: _Phase | None = None
        self._shown = False  # a \r line is on the terminal
        self._lock = threading.RLock()  # the terminal's refresher thread and the run write the same line
        self._refresher: threading.Thread | None = None

    # ------------------------------------------------------------------ whole lines

    def __call__(self, text: str) -> None:
        with self._lock:
            self._clear()
            self._line(text)
            self._draw()

    def _line(self, text: str) -> None:
        if self.emit is not None:
            self.emit(text)
        else:
            print(text, file=self.stream, flush=True)

    # ------------------------------------------------------------------ the phase line

    def start(self, name: str, unit: str = "", total: int | None = None) -> None:
        with self._lock:
            if self._phase is not None:
                self.end()
            self._phase = _Phase(PHASES.get(name, name), unit, total=total)
            self._draw()
        if self.tty and self._refresher is None:
            self._refresher = threading.Thread(target=self._refresh, name="kscore-progress", daemon=True)
            self._refresher.start()

    def _refresh(self) -> None:
        """On a terminal: redraw the current phase's line every TTY_REFRESH_SECONDS (its elapsed time)."""
        while True:
            time.sleep(TTY_REFRESH_SECONDS)
            with self._lock:
                if self._phase is None:
                    self._refresher = None
                    return
                if time.monotonic() - self._phase.drawn_t >= TTY_REFRESH_SECONDS:
                    self._draw()

    def update(self, done: int, total: int | None = None, *, unit: str | None = None,
               rows: int | None = None) -> None:
        """The current phase has done `done` of `total` units (and read `rows` rows so far)."""
        with self._lock:
            self._update(done, total, unit, rows)

    def _update(self, done: int, total: int | None, unit: str | None, rows: int | None) -> None:
        p = self._phase
        if p is None:
            return
        p.done = done
        if total is not None:
            p.total = total
        if unit:
            p.unit = unit
        if rows is not None:
            p.rows = rows
        now = time.monotonic()
        if self.tty:
            if now - p.drawn_t >= TTY_EVERY_SECONDS or (p.total and done >= p.total):
                self._draw()
            return
        if not p.total or done >= p.total:
            return
        share = done / p.total
        if now - p.logged_t >= LOG_EVERY_SECONDS and share - p.logged_share >= LOG_EVERY_SHARE:
            p.logged_t, p.logged_share = now, share
            self._line(self._text(p, bar=False))

    def finish(self, summary: str = "") -> None:
        """End the current phase with its result line: counter, `summary`, rows per second, time."""
        with self._lock:
            p = self._phase
            if p is None:
                if summary:
                    self(summary)
                return
            self._phase = None
            self._clear()
            self._line(self._text(p, bar=False, summary=summary))

    def end(self) -> None:
        """A phase left without its result line (an error ended it): say how far it got."""
        if self._phase is not None:
            self.finish("stopped")

    # ------------------------------------------------------------------ text

    def _text(self, p: _Phase, bar: bool, summary: str = "") -> str:
        elapsed = time.monotonic() - p.t0
        parts = []
        if p.total:
            count = f"{p.done}/{p.total} {p.unit}".rstrip()
            if bar:
                filled = int(BAR_WIDTH * min(p.done, p.total) / p.total)
                count = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {count}"
            elif p.done < p.total and not summary:
                count += f" ({100 * p.done // p.total}%)"
            parts.append(count)
        elif bar:
            parts.append("…")
        if summary:
            parts.append(summary)
        if p.rows:
            rate = f" ({p.rows / elapsed:,.0f} rows/s)" if elapsed > 0.05 else ""
            parts.append(f"{p.rows:,} rows{rate}")
        parts.append(seconds(elapsed))
        return f"{p.label:<{LABEL_WIDTH}s} " + ", ".join(parts)

    def _draw(self) -> None:
        if not self.tty or self._phase is None:
            return
        width = max(20, shutil.get_terminal_size((100, 24)).columns - 1)
        text = self._text(self._phase, bar=True)[:width]
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self._shown = True
        self._phase.drawn_t = time.monotonic()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def reporter(progress) -> Progress | None:
    """The Progress behind a progress callback, or None for a plain callable (Dagster's log)."""
    return progress if isinstance(progress, Progress) else None
