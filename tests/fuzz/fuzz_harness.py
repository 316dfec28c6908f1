"""Running `rnc` in-process under a time limit, and the contract every hostile input must meet.

The contract (issue #16): exit status 2 with one line `rnc CMD: error: ...` naming the file (and, where the
test knows it, the node or key); or exit status 0 with no NaN or infinite figure. Never a traceback, an
internal error (3), another status, or a run past the time limit.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import signal
from dataclasses import dataclass
from pathlib import Path

from rnc.driver.result import non_finite_figures
from rnc.tools.rnc_cli import main

TIME_LIMIT_S = 10.0   # per case; the slowest legitimate case takes well under a second
# A NaN or infinite figure as Python formats one: "nan", "inf", "-inf", "nanx", "inf%".
NON_FINITE_TEXT = re.compile(r"(?<![\w.])[-+]?(?:nan|inf)(?![a-wyz0-9_])", re.IGNORECASE)


class _TimeLimit(BaseException):
    """Raised by the alarm; a BaseException so rnc's own `except Exception` cannot swallow it."""


def _alarm(signum, frame):
    raise _TimeLimit()


@dataclass
class Outcome:
    """What one `rnc` run ended with (status None: stopped at the time limit)."""

    argv: list[str]
    status: int | None
    stdout: str
    stderr: str

    def problem(self, *names: str, report: Path | None = None) -> str | None:
        """Why the run breaks the contract (None when it keeps it). An error must name each of `names`;
        a success must leave `report` (a report.json, when given) and stdout free of non-finite figures.
        `rnc compile` may also exit 1 with its one-line "functional check failed" (the 8-bit program of a
        damaged model can be bit-exact and still too far from float): that is its documented answer."""
        where = " ".join(self.argv)
        if self.status is None:
            return f"{where}: no answer within {TIME_LIMIT_S} s"
        if self.status == 1 and re.fullmatch(r"rnc compile: error: functional check failed at budget \S+: "
                                             r"bit-exact vs the quantized oracle, [^\n]*\n", self.stderr):
            return None
        if self.status == 0:
            bad = [line for line in self.stdout.splitlines() if not line.startswith("report:")
                   and NON_FINITE_TEXT.search(line)]
            if report is not None and report.is_file():
                bad += non_finite_figures(json.loads(report.read_text()))
            return f"{where}: exit 0 with non-finite figures: {bad[:3]}" if bad else None
        lines = self.stderr.strip().splitlines()
        if self.status != 2:
            return f"{where}: exit status {self.status}: {self.stderr.strip()[-600:]}"
        if len(lines) != 1 or not re.match(r"rnc [\w ]+: error: ", lines[0]):
            return f"{where}: not a one-line error: {self.stderr[:600]}"
        if "internal error" in lines[0] or "Traceback" in self.stderr:
            return f"{where}: {lines[0]}"
        missing = [name for name in names if name not in lines[0]]
        return f"{where}: the message does not name {missing}: {lines[0]}" if missing else None


def run_rnc(argv: list[str], time_limit: float = TIME_LIMIT_S) -> Outcome:
    """`rnc ARGV` in this process, its output captured, stopped after `time_limit` seconds."""
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as e:   # argparse's own errors
                status = e.code
    except _TimeLimit:
        status = None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return Outcome(list(argv), status, out.getvalue(), err.getvalue())


def failures_report(problems: list[str], limit: int = 8) -> str:
    """The first few broken cases, one per line, for an assertion message."""
    head = "\n".join(problems[:limit])
    return f"{len(problems)} case(s) broke the contract:\n{head}"
