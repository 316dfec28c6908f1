"""The .rir scanner: one combined regular expression built from the grammar's own terminal definitions.

grammar.lark stays the single definition of the syntax: the parser tables (rnc_ir/lalr.py) hand this module
each terminal's name, regular expression and priority. The scanner tries them in one alternation that also
swallows the whitespace and comments (the grammar's `%ignore`s) before each token, so a token costs one
`re` match. Words the grammar uses as keywords (`loc`, `true`, ...) are scanned as identifiers and retyped,
as Lark's own lexer does.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass


class Tok(str):
    """A token: its text (it is a `str`), its terminal name and its offset in the buffer.

    Line and column are computed from the offset only when a diagnostic or an op's span needs them.
    """

    __slots__ = ("type", "pos")

    def __repr__(self) -> str:
        return f"Tok({self.type}, {str(self)!r}, @{self.pos})"


@dataclass(frozen=True)
class TerminalSpec:
    """What the scanner needs to know about one terminal of the grammar."""

    name: str
    regexp: str
    priority: int
    literal: str | None  # the text of a string terminal ("->", "loc"), None for a regular expression


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Scanner:
    """Finds the next token at a position: `match(text, pos)`; `kinds[m.lastindex]` is its terminal."""

    def __init__(self, terminals: list[TerminalSpec], ignore: list[str], identifier: str) -> None:
        self.keywords: dict[str, str] = {}
        ordered: list[TerminalSpec] = []
        for t in terminals:
            if t.literal is not None and _WORD.fullmatch(t.literal):
                self.keywords[t.literal] = t.name  # scanned as an identifier, then retyped
            else:
                ordered.append(t)
        # An alternation takes the first branch that matches, not the longest: higher priority first, then
        # string literals before regular expressions, longer literals before their prefixes ('{-#' before '{').
        ordered.sort(key=lambda t: (-t.priority, t.literal is None, -len(t.literal or "")))
        # Possessive: once skipped, a comment is never given back, so a failed match cannot find a token
        # inside it by backtracking (`// {{x}}` before the end of the input must not yield `}`).
        skip = "(?:" + "|".join(f"(?:{r})" for r in ignore) + ")*+" if ignore else ""
        body = "|".join(f"(?P<t{i}>{t.regexp})" for i, t in enumerate(ordered))
        self.regex = re.compile(f"{skip}(?:{body})")
        self.skip = re.compile(skip)
        self.identifier = identifier
        # m.lastindex is the number of the outermost group that matched: map it to the terminal's name.
        self.kinds: list[str | None] = [None] * (self.regex.groups + 1)
        for group_name, number in self.regex.groupindex.items():
            self.kinds[number] = sys.intern(ordered[int(group_name[1:])].name)
        self.keywords = {word: sys.intern(name) for word, name in self.keywords.items()}
        self.identifier = sys.intern(identifier)
