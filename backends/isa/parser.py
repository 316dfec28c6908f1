"""Parses .isa text (grammar `isa.lark`) into an `isa.program`; errors are one-line `IsaSyntaxError`s."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError

from rnc.dialects.isa import (MVM_WINDOW_ARGS, AccumOp, CommitOp, ConstOp, DigitalOp, LoadOp, MvmOp, OutputOp,
                              PreserveOp, ProgramOp, RequantOp, RestoreOp, ResumeOp, SendOp, StageOp, StoreOp,
                              TensorOp, WeightOp, WriteOp)
from rnc.dialects.rnc import TargetAttr
from rnc.ir.attributes import (ArrayAttr, DenseResourceAttr, DictAttr, FloatAttr, ResourceBlob, SymbolRefAttr,
                               UnitAttr, unquote)
from rnc.ir.core import Block, Operation, Region
from rnc.ir.types import TensorType, f32, i8, i32
from rnc.hw import LAYER_PERIPHERAL_KEYS
from rnc.hw.target import DEFAULT_TARGET

from .opcodes import SUPPORTED, argument_attribute
from .printer import BLOB_HEADER, ISA_VERSION


class IsaSyntaxError(ValueError):
    """A malformed .isa text (one-line message with the position)."""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "isa.lark").read_text()
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=False, maybe_placeholders=False)


@v_args(inline=True)
class _Build(Transformer):
    """Builds the ops of each line; `program_op()` assembles them in print order."""

    def __init__(self) -> None:
        super().__init__()
        # A program without an `xbars` line has no crossbars; its size defaults to the default target's.
        self.header: dict = {"version": ISA_VERSION, "target": TargetAttr(), "xbars": 0,
                             "rows": DEFAULT_TARGET.xbar_rows, "cols": DEFAULT_TARGET.xbar_cols}
        self.tensors: list[Operation] = []
        self.consts: list[Operation] = []
        self.outputs: list[Operation] = []
        self.weights: list[Operation] = []
        self.writes: list[Operation] = []
        self.stages: list[StageOp] = []
        self.blobs: dict[str, ResourceBlob] = {}
        self.resource_uses: list[DenseResourceAttr] = []

    def resource(self, tok: Token, shape: tuple[int, ...], element) -> DenseResourceAttr:
        """A dense resource over blob `tok` (its data arrives with the resource section)."""
        name = str(tok)[1:]
        blob = self.blobs.setdefault(name, ResourceBlob(name))
        attr = DenseResourceAttr(blob, TensorType(shape, element))
        self.resource_uses.append(attr)
        return attr

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

    def float_list(self, *numbers):
        return tuple(float(n) for n in numbers)

    def arg(self, key, value):
        return (str(key), value)

    def no_deps(self):
        return ()

    def deps(self, *ints):
        return tuple(int(i) for i in ints)

    def bias(self, blob):
        return blob

    # lines
    def version(self, v):
        self.header["version"] = int(v)

    def target(self, s):
        try:
            self.header["target"] = TargetAttr.parse_body(unquote(str(s)))
        except ValueError as e:
            raise IsaSyntaxError(f"bad target: {e}") from None

    def xbars(self, n, r, c):
        self.header.update(xbars=int(n), rows=int(r), cols=int(c))

    def input(self, name, shape, scale):
        self.tensors.append(TensorOp.build(sym_name=_name(name), shape=shape, scale=FloatAttr(float(scale)),
                                           input=UnitAttr()))

    def tensor(self, name, shape, scale):
        self.tensors.append(TensorOp.build(sym_name=_name(name), shape=shape, scale=FloatAttr(float(scale))))

    def const(self, name, shape, blob):
        self.consts.append(ConstOp.build(sym_name=_name(name), value=self.resource(blob, shape, f32)))

    def output(self, name):
        self.outputs.append(OutputOp.build(tensor=_sym(name)))

    def weight(self, blob, shape, kind, cycles, scale, *rest):
        if len(shape) != 2:
            raise IsaSyntaxError(f"weight {blob}: expected a [rows,cols] matrix, got {list(shape)}")
        bias = next((r for r in rest if not isinstance(r, tuple)), None)
        peripherals = dict(r for r in rest if isinstance(r, tuple))   # the layer's own periphery, its ADC shifts
        allowed = (*LAYER_PERIPHERAL_KEYS, "adc_shifts")
        unknown = sorted(set(peripherals) - set(allowed))
        if unknown:
            raise IsaSyntaxError(f"weight {blob}: unknown argument '{unknown[0]}' (allowed: {', '.join(allowed)})")
        cols = (shape[1],)
        self.weights.append(WeightOp.build(
            sym_name=_name(blob), kind=str(kind), cycles=int(cycles), matrix=self.resource(blob, shape, i8),
            scales=self.resource(scale, cols, f32), bias=self.resource(bias, cols, i32) if bias else None,
            **peripherals))

    def program(self, xbar, xregion, blob, wregion):
        self.writes.append(WriteOp.build(xbar=_xbar(xbar), cells=xregion, weight=_sym(blob), block=wregion))

    def stage(self, index, label, deps):
        if int(index) != len(self.stages):
            raise IsaSyntaxError(f"stage {index} is out of order: expected stage {len(self.stages)}")
        self.stages.append(StageOp.build(label=unquote(str(label)), deps=deps,  # type: ignore[arg-type]
                                         regions=[Region([Block()])]))

    def _emit(self, op: Operation) -> None:
        if not self.stages:
            raise IsaSyntaxError("instruction before the first 'stage'")
        self.stages[-1].regions[0].blocks[0].append(op)

    def mvm(self, xbar, xregion, dst, src, blob, wregion, mode, *rest):
        *args, copy, start, count = rest
        unknown = sorted({k for k, _ in args} - {*MVM_WINDOW_ARGS, "g"})
        if unknown:
            raise IsaSyntaxError(f"mvm has no argument '{unknown[0]}'")
        self._emit(MvmOp.build(xbar=_xbar(xbar), cells=xregion, acc=_sym(dst), src=_sym(src), weight=_sym(blob),
                               block=wregion, mode=str(mode), **dict(args), copy=int(copy), start=int(start),
                               count=int(count)))

    def send(self, tensor, nbytes):
        self._emit(SendOp.build(tensor=_sym(tensor), bytes=int(nbytes)))

    def resume(self, cycle):
        self._emit(ResumeOp.build(cycle=int(cycle)))

    def commit(self, cycle):
        self._emit(CommitOp.build(cycle=int(cycle)))

    def load(self, tensor, transfers, elems):
        self._emit(LoadOp.build(tensor=_sym(tensor), transfers=int(transfers), elems=int(elems)))

    def tile(self, start, count, c0, c1):
        return {"start": int(start), "count": int(count), "cols": (int(c0), int(c1))}

    def restore(self, acc, slot, tile):
        self._emit(RestoreOp.build(acc=_sym(acc), slot=int(slot), **tile))

    def preserve(self, acc, slot, tile):
        self._emit(PreserveOp.build(acc=_sym(acc), slot=int(slot), **tile))

    def store(self, dst, acc, weight, tile):
        self._emit(StoreOp.build(dst=_sym(dst), acc=_sym(acc), weight=SymbolRefAttr(str(weight)), **tile))

    def op(self, opcode, dst, *rest):
        *middle, elems = rest
        opcode, elems = str(opcode), int(elems)
        srcs = [_sym(x) for x in middle if isinstance(x, Token)]
        args = dict(x for x in middle if isinstance(x, tuple))
        if opcode in ("accum", "requant"):
            self._emit(_accumulator_op(opcode, _sym(dst), srcs, args, elems))
            return
        if opcode not in SUPPORTED:
            raise IsaSyntaxError(f"unknown digital opcode '{opcode}'")
        try:
            attrs = {k: argument_attribute(opcode, k, v) for k, v in args.items()}
        except ValueError as e:
            raise IsaSyntaxError(str(e)) from None
        self._emit(DigitalOp.build(opcode=opcode, dst=_sym(dst), srcs=ArrayAttr(tuple(srcs)),
                                   args=DictAttr.of(attrs) if attrs else None, elems=elems))

    def blob_entry(self, key, hexdata):
        data = bytes.fromhex(str(hexdata)[3:-1])
        if data[:4] != BLOB_HEADER:
            raise IsaSyntaxError(f"resource '{key}': blob does not start with the alignment header")
        self.blobs.setdefault(str(key), ResourceBlob(str(key))).data = data[4:]

    def program_op(self) -> ProgramOp:
        for attr in self.resource_uses:
            data = attr.blob.data
            need = attr.type.num_elements * attr.type.numpy_dtype.itemsize
            if data is not None and len(data) != need:
                raise IsaSyntaxError(f"resource '{attr.name}' holds {len(data)} bytes but {attr.type} needs {need}")
        body = Block()
        for op in [*self.tensors, *self.consts, *self.outputs, *self.weights, *self.writes, *self.stages]:
            body.append(op)
        return ProgramOp.build(regions=[Region([body])], **self.header)  # type: ignore[return-value]


def _name(tok: Token) -> str:
    """A tensor's or blob's name without its sigil (`%x`, `@w0`)."""
    return str(tok)[1:]


def _sym(tok: Token) -> SymbolRefAttr:
    return SymbolRefAttr(_name(tok))


def _xbar(tok: Token) -> int:
    return int(str(tok)[2:])


def _accumulator_op(opcode: str, dst: SymbolRefAttr, srcs: list[SymbolRefAttr], args: dict, elems: int):
    """`accum %a <- %a tiles=N` or `requant %y <- %a w=W`."""
    if len(srcs) != 1:
        raise IsaSyntaxError(f"{opcode} reads one accumulator, got {len(srcs)} operands")
    expected = {"accum": "tiles", "requant": "w"}[opcode]
    if set(args) != {expected}:
        raise IsaSyntaxError(f"{opcode} takes the one argument '{expected}', got {sorted(args) or 'none'}")
    if opcode == "accum":
        if dst != srcs[0]:
            raise IsaSyntaxError("accum reads and writes one accumulator")
        return AccumOp.build(acc=dst, tiles=args["tiles"], elems=elems)
    return RequantOp.build(dst=dst, acc=srcs[0], weight=SymbolRefAttr(str(args["w"])), elems=elems)


def parse_isa(text: str, filename: str = "<input>") -> ProgramOp:
    """The `isa.program` of a .isa text (not yet verified); raises IsaSyntaxError (one line, with
    file:line:col for syntax errors)."""
    try:
        tree = _parser().parse(text if text.endswith("\n") else text + "\n")
    except UnexpectedInput as e:
        line = text.splitlines()[e.line - 1] if 0 < e.line <= len(text.splitlines()) else ""
        raise IsaSyntaxError(f"{filename}:{e.line}:{e.column}: syntax error near '{line.strip()[:60]}'") from None
    build = _Build()
    try:
        build.transform(tree)
        return build.program_op()
    except VisitError as e:
        raise IsaSyntaxError(f"{filename}: {e.orig_exc}") from None
    except IsaSyntaxError as e:
        raise IsaSyntaxError(f"{filename}: {e}") from None
