"""Parses .isa text (grammar `isa.lark`) into a Program; errors are one-line `IsaSyntaxError`s with line:col."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError

from rnc.ir.attributes import unquote

from .printer import BLOB_HEADER
from .program import ConstDecl, DigitalOp, Mvm, Program, ProgramXbar, Send, Stage, TensorDecl, WeightDecl


class IsaSyntaxError(ValueError):
    """A malformed .isa text (one-line message with the position)."""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "isa.lark").read_text()
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=False, maybe_placeholders=False)


def _blob(tok: Token) -> str:
    return str(tok)[1:]


@v_args(inline=True)
class _Build(Transformer):
    def __init__(self) -> None:
        super().__init__()
        self.p = Program()

    # values
    def shape(self, *ints):
        return tuple(int(i) for i in ints)

    def region(self, a, b, c, d):
        return (int(a), int(b), int(c), int(d))

    def number(self, tok):
        return float(tok)

    def integer(self, tok):
        return int(tok)

    def name(self, tok):
        return str(tok)

    def int_list(self, *ints):
        return tuple(int(i) for i in ints if i is not None)

    def arg(self, key, value):
        return (str(key), value)

    def no_deps(self):
        return ()

    def deps(self, *ints):
        return tuple(int(i) for i in ints)

    def bias(self, blob):
        return _blob(blob)

    # lines
    def version(self, v):
        self.p.version = int(v)

    def target(self, s):
        self.p.target = unquote(str(s))

    def xbars(self, n, r, c):
        self.p.xbar_count, self.p.xbar_rows, self.p.xbar_cols = int(n), int(r), int(c)

    def input(self, name, shape, scale):
        self.p.tensors.append(TensorDecl(str(name), shape, float(scale), is_input=True))

    def tensor(self, name, shape, scale):
        self.p.tensors.append(TensorDecl(str(name), shape, float(scale)))

    def const(self, name, shape, blob):
        self.p.consts.append(ConstDecl(str(name), shape, _blob(blob)))

    def output(self, name):
        self.p.outputs.append(str(name))

    def weight(self, blob, shape, kind, cycles, scale, bias=None):
        self.p.weights.append(WeightDecl(_blob(blob), shape[0], shape[1], str(kind), int(cycles), _blob(scale), bias))

    def program(self, xbar, xregion, blob, wregion):
        self.p.programs.append(ProgramXbar(int(str(xbar)[2:]), xregion, _blob(blob), wregion))

    def stage(self, index, label, deps):
        self.p.stages.append(Stage(int(index), unquote(str(label)), deps))

    def _stage(self) -> Stage:
        if not self.p.stages:
            raise IsaSyntaxError("instruction before the first 'stage'")
        return self.p.stages[-1]

    def mvm(self, xbar, xregion, dst, src, blob, wregion, mode, *rest):
        *args, copy, start, count = rest
        self._stage().instrs.append(Mvm(int(str(xbar)[2:]), xregion, str(dst), str(src), _blob(blob), wregion,
                                        str(mode), dict(args), int(copy), int(start), int(count)))

    def send(self, tensor, nbytes):
        self._stage().instrs.append(Send(str(tensor), int(nbytes)))

    def op(self, opcode, dst, *rest):
        *middle, elems = rest
        srcs = tuple(str(x) for x in middle if isinstance(x, Token))
        args = dict(x for x in middle if isinstance(x, tuple))
        self._stage().instrs.append(DigitalOp(str(opcode), str(dst), srcs, args, int(elems)))

    def blob_entry(self, key, hexdata):
        data = bytes.fromhex(str(hexdata)[3:-1])
        if data[:4] != BLOB_HEADER:
            raise IsaSyntaxError(f"resource '{key}': blob does not start with the alignment header")
        self.p.blobs[str(key)] = data[4:]


def parse_isa(text: str, filename: str = "<input>") -> Program:
    """The Program of a .isa text; raises IsaSyntaxError (one line, with file:line:col)."""
    try:
        tree = _parser().parse(text if text.endswith("\n") else text + "\n")
    except UnexpectedInput as e:
        line = text.splitlines()[e.line - 1] if 0 < e.line <= len(text.splitlines()) else ""
        raise IsaSyntaxError(f"{filename}:{e.line}:{e.column}: syntax error near '{line.strip()[:60]}'") from None
    build = _Build()
    try:
        build.transform(tree)
    except VisitError as e:
        raise IsaSyntaxError(f"{filename}: {e.orig_exc}") from None
    return build.p
