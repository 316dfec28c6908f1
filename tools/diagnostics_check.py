"""`--verify-diagnostics`: checks emitted diagnostics against `// expected-error @+1 {{...}}` annotations.

MLIR's meaning: an annotation names a severity, an optional line designator (`@+N`, `@-N`, `@below`,
`@above`; none = the annotation's own line) and a message substring in `{{...}}`. Every annotation must be
matched by a diagnostic and every diagnostic by an annotation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rnc.ir.diagnostics import Diagnostic

_ANNOTATION = re.compile(
    r"//\s*expected-(error|warning|note|remark)\s*(@(?:[+-]\d+|below|above))?\s*\{\{(.*?)\}\}")


@dataclass
class Expectation:
    severity: str
    line: int            # the line the diagnostic must be on (for @below/@above: the annotation's line)
    where: str           # "" (exact line), "below" or "above"
    message: str
    annotation_line: int
    matched: bool = False

    def accepts(self, d: Diagnostic) -> bool:
        if d.severity != self.severity or d.loc is None or self.message not in d.message:
            return False
        if self.where == "below":
            return d.loc.line > self.line
        if self.where == "above":
            return d.loc.line < self.line
        return d.loc.line == self.line


def parse_expectations(text: str, first_line: int) -> list[Expectation]:
    out = []
    for i, line in enumerate(text.split("\n")):
        lineno = first_line + i
        for m in _ANNOTATION.finditer(line):
            severity, designator, message = m.group(1), m.group(2), m.group(3)
            where, target = "", lineno
            if designator:
                d = designator[1:]
                if d in ("below", "above"):
                    where = d
                else:
                    target = lineno + int(d)
            out.append(Expectation(severity, target, where, message, lineno))
    return out


def check(expectations: list[Expectation], emitted: list[Diagnostic], filename: str) -> list[str]:
    """Returns the mismatches as messages (empty: everything matched)."""
    problems = []
    for d in emitted:
        for e in expectations:
            if not e.matched and e.accepts(d):
                e.matched = True
                break
        else:
            where = str(d.loc) if d.loc else (d.where or filename)
            problems.append(f"{where}: error: unexpected {d.severity}: {d.message}")
    for e in expectations:
        if not e.matched:
            problems.append(f"{filename}:{e.annotation_line}: error: expected {e.severity} "
                            f"\"{e.message}\" was not produced")
    return problems
