"""`--verify-diagnostics`: checks emitted diagnostics against `// expected-error @+1 {{...}}` annotations.

MLIR's meaning: an annotation names a severity (error, warning, note, remark), an optional line designator
and a message substring in `{{...}}`. Without a designator the diagnostic is expected on the annotation's own
line; `@+N`/`@-N` shift that line; `@below`/`@above` mean the next/previous line that holds no annotation.
Every annotation must be matched by a diagnostic, and every diagnostic (notes included) by an annotation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rnc.ir.diagnostics import Diagnostic

_ANNOTATION = re.compile(
    r"expected-(error|warning|note|remark)\s*(@(?:[+-]\d+|below|above))?\s*\{\{(.*?)\}\}")


@dataclass
class Expectation:
    severity: str
    line: int             # the line the diagnostic must be on
    message: str
    annotation_line: int
    matched: bool = False

    def accepts(self, d: Diagnostic, filename: str) -> bool:
        return (not self.matched and d.severity == self.severity and d.loc is not None
                and d.loc.file == filename and d.loc.line == self.line and self.message in d.message)


def parse_expectations(text: str, first_line: int) -> list[Expectation]:
    """The annotations of `text`, whose first line is numbered `first_line`."""
    lines = text.split("\n")
    annotated = {i for i, line in enumerate(lines) if "//" in line and _ANNOTATION.search(line)}
    out = []
    for i in sorted(annotated):
        comment = lines[i][lines[i].index("//"):]
        for m in _ANNOTATION.finditer(comment):
            severity, designator, message = m.group(1), m.group(2), m.group(3)
            target = i
            if designator == "@below":
                target = next((k for k in range(i + 1, len(lines)) if k not in annotated), len(lines))
            elif designator == "@above":
                target = next((k for k in range(i - 1, -1, -1) if k not in annotated), -1)
            elif designator:
                target = i + int(designator[1:])
            out.append(Expectation(severity, first_line + target, message, first_line + i))
    return out


def _flatten(emitted: list[Diagnostic]) -> list[Diagnostic]:
    out = []
    for d in emitted:
        out.append(d)
        out.extend(_flatten(d.notes))
    return out


def check(expectations: list[Expectation], emitted: list[Diagnostic], filename: str) -> list[str]:
    """Returns the mismatches as messages in MLIR's words (empty: everything matched)."""
    problems = []
    for d in _flatten(emitted):
        match = next((e for e in expectations if e.accepts(d, filename)), None)
        if match is not None:
            match.matched = True
            continue
        where = str(d.loc) if d.loc else (d.where or filename)
        problems.append(f"{where}: error: unexpected {d.severity}: {d.message}")
    for e in expectations:
        if not e.matched:
            problems.append(f"{filename}:{e.annotation_line}: error: expected {e.severity} "
                            f"\"{e.message}\" was not produced")
    return problems
