"""A tight LALR(1) driver over the parse table Lark computes from grammar.lark.

Lark's own loop costs several Python calls per token and per reduction (its parse-tree builder wraps each rule
callback in child filters and `v_args` adapters). Here the same table drives one loop that scans, shifts and
reduces inline, and each rule's reduction is a small generated function that picks the children the callback
wants, with Lark's tree-shaping rules precomputed:

- anonymous tokens (`"("`, `":"`, keywords) are dropped from the children;
- children produced by `_rule`s (Lark's `x*` helpers among them) are spliced into their parent;
- a `?rule` without an alias passes a single child through instead of calling a callback;
- the callback is the builder's method named after the alias (`-> name`) or else the rule.

The tables depend only on the grammar, so they are cached in `__pycache__` beside it (a pickle keyed by the
grammar's hash): a warm start does not import Lark at all.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .lexer import Scanner, TerminalSpec, Tok

END = "$END"
# Bump when the table format or the generated reducers change, so stale caches are rebuilt.
FORMAT_VERSION = 6


class ScanError(Exception):
    """No terminal matches at `pos`."""

    def __init__(self, pos: int) -> None:
        super().__init__(f"no token at offset {pos}")
        self.pos = pos


class UnexpectedTokenError(Exception):
    """The token at `token.pos` has no action in the current state; `expected` lists the terminals that do."""

    def __init__(self, token: Tok, expected: list[str]) -> None:
        super().__init__(f"unexpected {token.type}")
        self.token = token
        self.expected = expected


class CallbackError(Exception):
    """A rule callback raised something other than a diagnostic; `pos` is the last token read."""

    def __init__(self, pos: int, error: Exception) -> None:
        super().__init__(str(error))
        self.pos = pos
        self.error = error


@dataclass
class Tables:
    """Everything the driver needs, as plain picklable data."""

    terminals: list[TerminalSpec]
    ignore: list[str]
    identifier: str                          # the terminal keywords are scanned as
    actions: list[dict[str, int]]            # state -> terminal -> shift target (>= 0) or ~rule index
    gotos: list[dict[str, int]]              # state -> nonterminal -> state
    rule_sizes: list[int]
    rule_origins: list[str]
    rule_passthrough: list[bool]
    reducer_source: str                      # Python source of `make(builder) -> list of reducers`
    kept_terminals: frozenset[str]           # terminals some rule passes to a callback
    start_state: int
    end_state: int


# ---- building the tables from Lark ----------------------------------------------------------------------
def build_tables(grammar: str, start: str = "start") -> Tables:
    """Runs Lark's LALR analysis on `grammar` and turns the result into `Tables`."""
    from lark import Lark
    from lark.lexer import PatternStr

    lark = Lark(grammar, parser="lalr", lexer="basic", start=start, maybe_placeholders=False)
    table = lark.parser.parser.parser.parse_table
    rules: list[Any] = []
    rule_index: dict[Any, int] = {}
    for state_actions in table.states.values():
        for action, arg in state_actions.values():
            if action.name == "Reduce" and arg not in rule_index:
                rule_index[arg] = len(rules)
                rules.append(arg)
    states = sorted(table.states)
    if states != list(range(len(states))):
        raise ValueError("expected Lark's integer parse table")
    actions: list[dict[str, int]] = []
    gotos: list[dict[str, int]] = []
    for s in states:
        act: dict[str, int] = {}
        goto: dict[str, int] = {}
        for symbol, (action, arg) in table.states[s].items():
            symbol = str(symbol)  # plain str: Lark's Token would make the cache import Lark
            if action.name == "Shift":
                (act if symbol.isupper() or symbol == END else goto)[symbol] = arg
            else:
                act[symbol] = ~rule_index[arg]
        actions.append(act)
        gotos.append(goto)
    kept = frozenset(str(sym.name) for r in rules for sym in r.expansion
                     if sym.is_term and (r.options.keep_all_tokens or not sym.filter_out))
    ignore_names = set(lark.lexer_conf.ignore)
    terminals = [TerminalSpec(str(t.name), str(t.pattern.to_regexp()), int(t.priority),
                              str(t.pattern.value) if isinstance(t.pattern, PatternStr) else None)
                 for t in lark.terminals if t.name not in ignore_names]
    ignore = [str(t.pattern.to_regexp()) for t in lark.terminals if t.name in ignore_names]
    return Tables(terminals, ignore, "BARE_ID", actions, gotos, [len(r.expansion) for r in rules],
                  [str(r.origin.name) for r in rules], [_is_passthrough(r) for r in rules],
                  _reducer_source(rules), kept,
                  table.start_states[start], table.end_states[start])


def _reducer_source(rules: list[Any]) -> str:
    """One function per rule: pops its children off the value stack and returns the rule's value."""
    lines = ["def make(builder):", "    reducers = []"]
    for i, rule in enumerate(rules):
        size = len(rule.expansion)
        kept = [(k, not sym.is_term and sym.name.startswith("_")) for k, sym in enumerate(rule.expansion)
                if not (sym.is_term and sym.filter_out and not rule.options.keep_all_tokens)]
        names = [f"c{k}" for k in range(size)]
        args = [("*" if splice else "") + names[k] for k, splice in kept]
        name = rule.alias or rule.origin.name
        lines.append(f"    def r{i}(vs):  # {rule.origin.name}: {' '.join(s.name for s in rule.expansion)}")
        if size == 1:
            lines.append("        c0 = vs.pop()")
        elif size == 2:
            lines.append("        c1 = vs.pop(); c0 = vs.pop()")
        elif size:
            lines.append(f"        {', '.join(names)} = vs[-{size}:]; del vs[-{size}:]")
        if rule.origin.name.startswith("_"):
            # An inlined helper (Lark's `x*` lists): a Python list that the parent splices. Left recursion
            # appends to the list it already has, so a list of n items costs O(n).
            if kept and kept[0][1]:
                lines.append(f"        l = {names[kept[0][0]]}")
                for k, splice in kept[1:]:
                    lines.append(f"        l.{'extend' if splice else 'append'}({names[k]})")
                lines.append("        return l")
            else:
                lines.append(f"        return [{', '.join(args)}]")
        elif rule.options.expand1 and not rule.alias:
            if len(kept) == 1 and not kept[0][1]:
                lines.append(f"        return {names[kept[0][0]]}")
            else:
                lines.append(f"        t = [{', '.join(args)}]")
                lines.append(f"        return t[0] if len(t) == 1 else builder.{name}(*t)")
        else:
            lines.append(f"        return cb{i}({', '.join(args)})")
            lines.insert(2, f"    cb{i} = builder.{name}")
        lines.append(f"    reducers.append(r{i})")
    lines.append("    return reducers")
    return "\n".join(lines) + "\n"


def _is_passthrough(rule: Any) -> bool:
    """A `?rule` of one child and no alias: its reduction leaves the value stack as it is."""
    if len(rule.expansion) != 1 or not rule.options.expand1 or rule.alias:
        return False
    child = rule.expansion[0]
    if child.is_term:
        return not child.filter_out or rule.options.keep_all_tokens
    return not child.name.startswith("_")


def load_tables(grammar_path: Path) -> Tables:
    """The tables for `grammar_path`, from the cache in `__pycache__` when it matches the grammar."""
    grammar = grammar_path.read_text()
    key = hashlib.sha256(f"{FORMAT_VERSION}\n{grammar}".encode()).hexdigest()[:16]
    cache = grammar_path.parent / "__pycache__" / f"{grammar_path.stem}-tables-{key}.pickle"
    try:
        with open(cache, "rb") as f:
            tables = pickle.load(f)
        if isinstance(tables, Tables):
            return tables
    except Exception:  # noqa: BLE001 - missing, truncated or stale: rebuild it
        pass
    tables = build_tables(grammar)
    try:  # a read-only install just rebuilds the tables at each start
        cache.parent.mkdir(exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(tables, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
        for old in cache.parent.glob(f"{grammar_path.stem}-tables-*.pickle"):
            if old != cache:
                old.unlink(missing_ok=True)  # tables of earlier versions of the grammar
    except OSError:
        pass
    return tables


# ---- the driver -----------------------------------------------------------------------------------------
class LalrParser:
    """Parses text with `tables`, calling `builder`'s rule callbacks; returns the start rule's value."""

    def __init__(self, tables: Tables, builder: Any) -> None:
        # One string object per symbol name, so the loop's dict lookups compare by identity.
        tables.actions = [{sys.intern(k): v for k, v in a.items()} for a in tables.actions]
        tables.gotos = [{sys.intern(k): v for k, v in g.items()} for g in tables.gotos]
        tables.rule_origins = [sys.intern(o) for o in tables.rule_origins]
        tables.kept_terminals = frozenset(sys.intern(k) for k in tables.kept_terminals)
        self.tables = tables
        self.scanner = Scanner(tables.terminals, tables.ignore, tables.identifier)
        namespace: dict[str, Any] = {}
        exec(compile(tables.reducer_source, "<rir-reducers>", "exec"), namespace)
        reducers: list[Callable[[list], Any]] = namespace["make"](builder)
        self.rules = list(zip(tables.rule_sizes, tables.rule_origins, reducers, tables.rule_passthrough))

    def parse(self, text: str) -> Any:
        t = self.tables
        scanner = self.scanner
        match = scanner.regex.match
        kinds = scanner.kinds
        keywords = scanner.keywords
        identifier = scanner.identifier
        kept = t.kept_terminals
        actions = t.actions
        gotos = t.gotos
        rules = self.rules
        new = str.__new__
        state = t.start_state
        row = actions[state]
        states = [state]
        values: list[Any] = []
        append = values.append
        pos = 0
        m = None  # the token being handled: errors raised by callbacks are placed at its start
        g = 0
        try:
            while True:
                m = match(text, pos)
                if m is None:
                    break
                g = m.lastindex
                kind = kinds[g]
                if kind is identifier:
                    kind = keywords.get(m.group(g), identifier)
                pos = m.end()
                act = row.get(kind)
                while act is not None and act < 0:
                    size, origin, reduce, passthrough = rules[~act]
                    if passthrough:
                        state = gotos[states[-2]][origin]
                        states[-1] = state
                    else:
                        value = reduce(values)
                        if size:
                            del states[-size:]
                        state = gotos[states[-1]][origin]
                        states.append(state)
                        append(value)
                    row = actions[state]
                    act = row.get(kind)
                if act is None:
                    tok = new(Tok, m.group(g))
                    tok.type, tok.pos = kind, m.start(g)
                    raise UnexpectedTokenError(tok, sorted(row))
                state = act
                states.append(state)
                row = actions[state]
                if kind in kept:
                    tok = new(Tok, m.group(g))
                    tok.type = kind
                    tok.pos = m.start(g)
                    append(tok)
                else:
                    append(None)
            # End of input: reduce until the start rule is complete. Errors point just after the last token.
            rest = scanner.skip.match(text, pos).end()
            if rest < len(text):
                raise ScanError(rest)
            m = None
            end_state = t.end_state
            while True:
                act = row.get(END)
                if act is None or act >= 0:
                    tok = new(Tok, "")
                    tok.type, tok.pos = END, pos
                    raise UnexpectedTokenError(tok, sorted(row))
                size, origin, reduce, passthrough = rules[~act]
                value = reduce(values)
                if size:
                    del states[-size:]
                state = gotos[states[-1]][origin]
                if state == end_state:
                    return value
                states.append(state)
                append(value)
                row = actions[state]
        except (ScanError, UnexpectedTokenError):
            raise
        except Exception as e:  # noqa: BLE001 - the caller turns it into a diagnostic at the token
            raise CallbackError(m.start(g) if m is not None else pos, e) from e
