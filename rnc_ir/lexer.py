"""A fast lexer for the .rir grammar, plugged into Lark's LALR parser.

It is built from the grammar's own terminal definitions (so grammar.lark stays the single definition of the
syntax) but scans with one combined regular expression that also swallows the whitespace and comments
before each token: one `re` match per token instead of Lark's generic per-terminal loop. Words that the
grammar uses as keywords (`loc`, `true`, ...) are lexed as identifiers and then retyped, as Lark does.
"""
from __future__ import annotations

import re
from typing import Iterator

from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, PatternStr, Token

_SKIP = r"(?:[ \t\f\r\n]+|//[^\n]*)*"


class RirLexer(Lexer):
    __future_interface__ = 0

    def __init__(self, lexer_conf) -> None:
        terminals = [t for t in lexer_conf.terminals if t.name not in lexer_conf.ignore]
        words = {}
        ordered = []
        for t in terminals:
            if isinstance(t.pattern, PatternStr) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", t.pattern.value):
                words[t.pattern.value] = t.name  # keywords: matched as BARE_ID, then retyped
                continue
            ordered.append(t)
        # Alternation takes the first branch that matches: higher priority first, then longer literals.
        ordered.sort(key=lambda t: (-t.priority, not isinstance(t.pattern, PatternStr), -len(t.pattern.value)))
        self.names = [t.name for t in ordered]
        body = "|".join(f"(?P<t{i}>{t.pattern.to_regexp()})" for i, t in enumerate(ordered))
        self.regex = re.compile(f"{_SKIP}(?:{body})")
        self.skip = re.compile(_SKIP)
        self.keywords = words
        self.group_names = {f"t{i}": name for i, name in enumerate(self.names)}

    def lex(self, text: str) -> Iterator[Token]:
        match = self.regex.match
        group_names = self.group_names
        keywords = self.keywords
        count = text.count
        rfind = text.rfind
        pos, line, line_start = 0, 1, 0
        end = len(text)
        new = str.__new__
        while True:
            m = match(text, pos)
            if m is None:
                skipped = self.skip.match(text, pos).end()
                if skipped >= end:
                    return
                line += count("\n", pos, skipped)
                nl = rfind("\n", 0, skipped)
                col = skipped - nl
                raise UnexpectedCharacters(text, skipped, line, col)
            kind = group_names[m.lastgroup]
            start = m.start(m.lastgroup)
            if start != pos:
                newlines = count("\n", pos, start)
                if newlines:
                    line += newlines
                    line_start = rfind("\n", pos, start) + 1
            value = m.group(m.lastgroup)
            if kind == "BARE_ID" and value in keywords:
                kind = keywords[value]
            tok = new(Token, value)
            tok.type = kind
            tok.value = value
            tok.start_pos = start
            tok.line = line
            tok.column = start - line_start + 1
            tok.end_line = tok.end_column = tok.end_pos = None  # not tracked: diagnostics use the start
            yield tok
            pos = m.end()
