"""Diagnostics in MLIR's shape: `file:line:col: error: message`, then the source line and a caret.

Everything user-facing that goes wrong in rnc is a `Diagnostic`; tools render it and exit with status 2
(or compare it against `expected-error` annotations under --verify-diagnostics). Nothing reaches the user
as a Python traceback.
"""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "note", "remark"]


@dataclass(frozen=True)
class SourceLoc:
    """A position in a source buffer (1-based line and column)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SourceManager:
    """Keeps the text of every buffer parsed, so diagnostics can quote the offending line."""

    def __init__(self) -> None:
        self._buffers: dict[str, list[str]] = {}

    def add(self, name: str, text: str, first_line: int = 1) -> None:
        """Registers `text` as lines `first_line..` of the buffer `name` (split-input-file keeps offsets)."""
        lines = self._buffers.setdefault(name, [])
        needed = first_line - 1 + text.count("\n") + 1
        if len(lines) < needed:
            lines.extend([""] * (needed - len(lines)))
        for i, line in enumerate(text.split("\n")):
            lines[first_line - 1 + i] = line

    def line(self, loc: SourceLoc) -> str | None:
        lines = self._buffers.get(loc.file)
        if lines is None or not 1 <= loc.line <= len(lines):
            return None
        return lines[loc.line - 1]


QUOTED_LINE_CHARS = 160   # of a source line quoted under a diagnostic (a resource line can be megabytes)
ELLIPSIS = "..."


def source_excerpt(text: str, col: int) -> tuple[str, int]:
    """The part of source line `text` quoted under a diagnostic at column `col`, and the caret's column in it.

    A line longer than QUOTED_LINE_CHARS is cut to that many characters around the column, with "..." where
    text was left out, so the caret still points at the same character.
    """
    if len(text) <= QUOTED_LINE_CHARS:
        return text, col
    start = max(0, min(col - 1 - QUOTED_LINE_CHARS // 2, len(text) - QUOTED_LINE_CHARS))
    end = start + QUOTED_LINE_CHARS
    head = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    return head + text[start:end] + tail, col - start + len(head)


@dataclass
class Diagnostic:
    severity: Severity
    message: str
    loc: SourceLoc | None = None
    where: str | None = None  # printed instead of file:line:col when there is no source position
    notes: list["Diagnostic"] = field(default_factory=list)

    def render(self, sources: SourceManager | None = None) -> str:
        head = str(self.loc) if self.loc else (self.where or "<unknown>")
        out = [f"{head}: {self.severity}: {self.message}"]
        if self.loc is not None and sources is not None:
            text = sources.line(self.loc)
            if text is not None:
                shown, col = source_excerpt(text, self.loc.col)
                out.append(shown)
                out.append(" " * max(col - 1, 0) + "^")
        for note in self.notes:
            out.append(note.render(sources))
        return "\n".join(out)


class DiagnosticError(Exception):
    """Raised to abort the current job with a user-facing diagnostic.

    A diagnostic that reports a crash (a bug in a pass or a verifier) is raised `from` the exception that
    caused it, so `--show-traceback` / `RNC_TRACEBACK=1` can print the whole chain; `internal` is then true.
    """

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic

    @property
    def internal(self) -> bool:
        """True when this diagnostic stands for a crash inside rnc rather than a problem with the input."""
        return self.__cause__ is not None and not isinstance(self.__cause__, DiagnosticError)


TRACEBACK_ENV = "RNC_TRACEBACK"


def traceback_requested(flag: bool = False) -> bool:
    """Whether to print tracebacks of crashes: the tool's `--show-traceback` flag or RNC_TRACEBACK=1."""
    return flag or os.environ.get(TRACEBACK_ENV, "") not in ("", "0")


def innermost_frame(error: BaseException) -> str:
    """`file.py:123` of the line that raised `error`: where a one-line crash report points."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "unknown location"
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"


def cause_traceback(error: BaseException) -> str:
    """The whole chained traceback behind `error` (its cause first, as Python prints it), or ''."""
    cause = error.__cause__ if isinstance(error, DiagnosticError) else error
    if cause is None:
        return ""
    return "".join(traceback.format_exception(cause)).rstrip("\n")


def error_at(loc: SourceLoc | None, message: str, where: str | None = None) -> DiagnosticError:
    return DiagnosticError(Diagnostic("error", message, loc, where))


class DiagnosticEngine:
    """Collects diagnostics emitted while a job runs (passes emit warnings and remarks through it)."""

    def __init__(self, sources: SourceManager | None = None) -> None:
        self.sources = sources or SourceManager()
        self.emitted: list[Diagnostic] = []

    def emit(self, diagnostic: Diagnostic) -> None:
        self.emitted.append(diagnostic)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.emitted)
