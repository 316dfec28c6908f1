"""Parses .rir text into IR, building operations directly in the LALR rule callbacks (no parse tree).

Operands are bound by name in a second, top-down walk that knows the scoping rules (names are scoped per
isolated-from-above op, e.g. per function), so forward references and undefined names get precise errors.
Every failure is a `DiagnosticError` pointing at file:line:col; Lark's own exceptions never escape.
"""
from __future__ import annotations

import gc
import struct
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import attributes as A
from .core import Block, Operation, Region, Value
from .diagnostics import DiagnosticError, SourceLoc, SourceManager, error_at
from .dialect import get_dialect, lookup_op
from .lexer import RirLexer
from .location import FileLineColLoc, NameLoc, UnknownLoc
from .types import FloatType, FunctionType, IntegerType, OpaqueType, TensorType, Type, scalar_type, \
    tensor_type_from_text

_GRAMMAR = Path(__file__).with_name("grammar.lark")


@v_args(inline=True)
class _Builder(Transformer):
    """Rule callbacks: each returns the IR object (or plain Python value) for its rule."""

    def __init__(self) -> None:
        super().__init__()
        self.reset("<input>", 0, False)

    def reset(self, filename: str, line_offset: int, allow_unregistered: bool) -> None:
        self.filename = filename
        self.line_offset = line_offset
        self.allow_unregistered = allow_unregistered
        self.blobs: dict[str, A.ResourceBlob] = {}
        self.block_arg_tokens: dict[int, list[Token]] = {}

    def loc(self, tok: Token) -> SourceLoc:
        return SourceLoc(self.filename, tok.line + self.line_offset, tok.column)

    # ---- operations ----------------------------------------------------------------------------------
    def start(self, *items):
        return list(items)

    def op_with_results(self, groups, op, location=None):
        names: list[str | None] = []
        for tok, count in groups:
            if "#" in tok:
                raise error_at(self.loc(tok), f"result name '{tok}' cannot contain '#'")
            name = tok[1:]
            names.extend([name] * count if count > 1 else [name])
        if len(names) != len(op.results):
            raise error_at(self.loc(groups[0][0]), f"operation defines {len(op.results)} results but was "
                                                   f"provided {len(names)} to bind")
        for result, name in zip(op.results, names):
            result.name_hint = name
        op._result_groups = [(tok[1:], count) for tok, count in groups]
        op.span = self.loc(groups[0][0])
        if location is not None:
            op.location = location
        return op

    def op_without_results(self, op, location=None):
        if op.results:
            raise error_at(op.span, f"operation defines {len(op.results)} results but was provided 0 to bind")
        if location is not None:
            op.location = location
        return op

    def result_list(self, *groups):
        return list(groups)

    def result_single(self, tok):
        return (tok, 1)

    def result_pack(self, tok, count):
        n = int(count)
        if n < 1:
            raise error_at(self.loc(count), "expected a result count of at least 1")
        return (tok, n)

    def generic_op(self, name_tok, *rest):
        operands: list[Token] = []
        regions: list[Region] = []
        attrs: dict[str, A.Attribute] = {}
        ftype = rest[-1]
        for item in rest[:-1]:
            if isinstance(item, list) and (not item or isinstance(item[0], Token)):
                operands = item
            elif isinstance(item, tuple) and item and item[0] == "successors":
                raise error_at(self.loc(name_tok), "block successors are not supported")
            elif isinstance(item, list):
                regions = item
            elif isinstance(item, dict):
                attrs = item
        name = A.unquote(name_tok)
        span = self.loc(name_tok)
        if not isinstance(ftype, FunctionType):
            raise error_at(span, f"expected a function type for the op signature, got {ftype}")
        if len(ftype.inputs) != len(operands):
            raise error_at(span, f"'{name}' has {len(operands)} operands but its type lists "
                                 f"{len(ftype.inputs)}")
        cls = self._op_class(name, span)
        op = cls(name, (), ftype.results, attrs, regions, None, span)
        op._pending = operands  # operand tokens, bound to values by _bind once every name is known
        op._signature = ftype.inputs
        return op

    def _op_class(self, name: str, span: SourceLoc) -> type[Operation]:
        cls = lookup_op(name)
        if cls is not None:
            return cls
        dialect_name = name.split(".", 1)[0]
        if "." not in name:
            raise error_at(span, f"'{name}' is not a valid op name (expected 'dialect.op')")
        if get_dialect(dialect_name) is not None:
            raise error_at(span, f"unknown op '{name}' in dialect '{dialect_name}'")
        if not self.allow_unregistered:
            raise error_at(span, f"'{name}' belongs to the unregistered dialect '{dialect_name}' "
                                 f"(pass --allow-unregistered-dialect to keep it as is)")
        return Operation

    def value_list(self, *toks):
        return list(toks)

    def successors(self, *toks):
        return ("successors",) + toks

    def region_list(self, *regions):
        return list(regions)

    def region(self, *items):
        region = Region()
        entry_ops = [x for x in items if isinstance(x, Operation)]
        blocks = [x for x in items if isinstance(x, Block)]
        if entry_ops or not blocks:
            entry = Block()
            for op in entry_ops:
                entry.append(op)
            region.add_block(entry)
        for b in blocks:
            region.add_block(b)
        return region

    def block(self, label, *items):
        args = items[0] if items and isinstance(items[0], list) else []
        ops = items[1:] if args or (items and isinstance(items[0], list)) else items
        block = Block([t for _, t, _ in args], [tok[1:] for tok, _, _ in args])
        block.label = label[1:]
        self.block_arg_tokens[id(block)] = [tok for tok, _, _ in args]
        for op in ops:
            block.append(op)
        return block

    def block_args(self, *args):
        return list(args)

    def block_arg(self, tok, type_, location=None):
        if "#" in tok:
            raise error_at(self.loc(tok), f"block argument name '{tok}' cannot contain '#'")
        return (tok, type_, location)

    # ---- locations -----------------------------------------------------------------------------------
    def location(self, body):
        return body

    def name_loc_token(self, tok):
        return NameLoc(A.unquote(str(tok)[4:-1]))

    def name_loc(self, s):
        return NameLoc(A.unquote(s))

    def file_loc(self, s, line, col):
        return FileLineColLoc(A.unquote(s), int(line), int(col))

    def unknown_loc(self):
        return UnknownLoc()

    # ---- types ---------------------------------------------------------------------------------------
    def tensor_type(self, tok):
        try:
            return tensor_type_from_text(str(tok))
        except ValueError as e:
            raise error_at(self.loc(tok), str(e)) from None

    def scalar_type(self, tok):
        try:
            return scalar_type(str(tok))
        except ValueError as e:
            raise error_at(self.loc(tok), str(e)) from None

    def dialect_type(self, tok):
        dialect, mnemonic, body = _split_dialect_token(str(tok))
        d = get_dialect(dialect)
        if d is not None:
            cls = d.type_table.get(mnemonic)
            if cls is None:
                raise error_at(self.loc(tok), f"unknown type '!{dialect}.{mnemonic}' in dialect '{dialect}'")
            try:
                return cls.parse_body(body)
            except (ValueError, DiagnosticError) as e:
                raise error_at(self.loc(tok), f"invalid '!{dialect}.{mnemonic}' type: {_msg(e)}") from None
        if not self.allow_unregistered:
            raise error_at(self.loc(tok), f"type '!{dialect}.{mnemonic}' belongs to the unregistered dialect "
                                          f"'{dialect}'")
        return OpaqueType(dialect, mnemonic, body)

    def function_type(self, *parts):
        inputs = parts[0] if len(parts) == 2 else []
        return FunctionType(tuple(inputs), tuple(parts[-1]))

    def single_result(self, t):
        return [t]

    def result_types(self, types=None):
        return types or []

    def type_list(self, *types):
        return list(types)

    # ---- attributes ----------------------------------------------------------------------------------
    def attr_dict(self, *entries):
        out: dict[str, A.Attribute] = {}
        for key, value in entries:
            out[key] = value
        return out

    def keyed_entry(self, key_eq, value):
        return (str(key_eq)[:-1].rstrip(), value)

    def entry(self, key, value):
        return (self._key(key), value)

    def unit_entry(self, key):
        return (self._key(key), A.UnitAttr())

    def _key(self, tok):
        return A.unquote(tok) if tok.type == "STRING" else str(tok)

    def typed_int_attr(self, tok):
        return _typed_number(str(tok))

    def typed_float_attr(self, tok):
        return _typed_number(str(tok))

    def int_list_attr(self, tok):
        return _int_list_attr(str(tok))

    def int_attr(self, tok, type_=None):
        if type_ is None:
            return A.IntegerAttr(int(tok))
        if isinstance(type_, FloatType):
            return A.FloatAttr(float(int(tok)), type_)
        if isinstance(type_, IntegerType) and type_.width == 1:
            return A.BoolAttr(bool(int(tok)))
        return A.IntegerAttr(int(tok), type_)

    def float_attr(self, tok, type_=None):
        return A.FloatAttr(float(tok), type_ or A.f64)

    def hex_float_attr(self, tok, type_):
        bits = int(str(tok), 16)
        if isinstance(type_, FloatType) and type_.width == 32:
            return A.FloatAttr(struct.unpack("<f", struct.pack("<I", bits))[0], type_)
        if isinstance(type_, FloatType) and type_.width == 64:
            return A.FloatAttr(struct.unpack("<d", struct.pack("<Q", bits))[0], type_)
        if isinstance(type_, IntegerType):
            return A.IntegerAttr(bits, type_)
        raise error_at(self.loc(tok), f"hexadecimal literal needs an f32, f64 or integer type, got {type_}")

    def true_attr(self):
        return A.BoolAttr(True)

    def false_attr(self):
        return A.BoolAttr(False)

    def unit_attr(self):
        return A.UnitAttr()

    def string_attr(self, tok):
        return A.StringAttr(A.unquote(tok))

    def symbol_attr(self, tok):
        body = str(tok)[1:]
        return A.SymbolRefAttr(A.unquote(body) if body.startswith('"') else body)

    def array_attr(self, *items):
        return A.ArrayAttr(tuple(items))

    def dict_attr(self, entries):
        return A.DictAttr.of(entries)

    def type_attr(self, t):
        return A.TypeAttr(t)

    def dense_attr(self, *parts):
        type_ = parts[-1]
        value = parts[0] if len(parts) == 2 else []
        if not isinstance(type_, TensorType) or not type_.has_static_shape:
            raise error_at(None, f"dense attribute needs a static tensor type, got {type_}")
        dtype = type_.numpy_dtype
        try:
            if isinstance(value, bytes):
                arr = np.frombuffer(value, dtype=dtype).copy()
                if arr.size == 1 and type_.num_elements != 1:
                    arr = np.full(type_.shape, arr[0], dtype)
                return A.DenseAttr(arr.reshape(type_.shape), type_)
            arr = np.array(value, dtype=dtype)
            if arr.ndim == 0 and type_.rank > 0:
                arr = np.full(type_.shape, arr, dtype)
            if arr.shape != type_.shape:
                raise ValueError(f"dense literal has shape {list(arr.shape)} but the type is {type_}")
        except (ValueError, OverflowError) as e:
            raise error_at(None, f"invalid dense attribute: {e}") from None
        return A.DenseAttr(arr, type_)

    def dense_int(self, tok):
        return int(tok)

    def dense_int_list(self, tok):
        return _int_list(tok)

    def dense_float(self, tok):
        return float(tok)

    def dense_true(self):
        return True

    def dense_false(self):
        return False

    def dense_hex(self, tok):
        return bytes.fromhex(str(tok)[3:-1])

    def dense_list(self, *items):
        return list(items)

    def dense_resource_attr(self, tok, type_):
        name = str(tok)[len("dense_resource<"):-1]
        if not isinstance(type_, TensorType) or not type_.has_static_shape:
            raise error_at(self.loc(tok), f"dense_resource needs a static tensor type, got {type_}")
        blob = self.blobs.get(name)
        if blob is None:
            blob = self.blobs[name] = A.ResourceBlob(name)
            blob.first_use = self.loc(tok)
        return A.DenseResourceAttr(blob, type_)

    def dialect_attr(self, tok):
        dialect, mnemonic, body = _split_dialect_token(str(tok))
        d = get_dialect(dialect)
        if d is not None:
            cls = d.attr_table.get(mnemonic)
            if cls is None:
                raise error_at(self.loc(tok), f"unknown attribute '#{dialect}.{mnemonic}' in dialect '{dialect}'")
            try:
                return cls.parse_body(body)
            except (ValueError, DiagnosticError, KeyError) as e:
                raise error_at(self.loc(tok), f"invalid '#{dialect}.{mnemonic}' attribute: {_msg(e)}") from None
        if not self.allow_unregistered:
            raise error_at(self.loc(tok), f"attribute '#{dialect}.{mnemonic}' belongs to the unregistered "
                                          f"dialect '{dialect}'")
        return A.OpaqueAttr(dialect, mnemonic, body)

    # ---- resources -----------------------------------------------------------------------------------
    def resource_section(self, *groups):
        return ("resources", groups)

    def resource_group(self, key, *dialects):
        if str(key) != "dialect_resources":
            raise error_at(self.loc(key), f"unsupported resource group '{key}' (expected 'dialect_resources')")
        for entries in dialects:
            for name_tok, data in entries:
                name = str(name_tok)
                blob = self.blobs.get(name)
                if blob is None:
                    continue  # an entry nothing refers to is dropped, as MLIR does when printing
                if len(data) < 4:
                    raise error_at(self.loc(name_tok), f"resource '{name}' is shorter than its alignment header")
                blob.data = data[4:]  # MLIR blobs start with a 4-byte little-endian alignment
        return None

    def resource_dialect(self, name, *entries):
        return list(entries)

    def resource_hex(self, name, tok):
        return (name, bytes.fromhex(str(tok)[3:-1]))

    def resource_string(self, name, tok):
        text = A.unquote(tok)
        if text == A.ResourceBlob.ELIDED:
            return (name, b"")
        raise error_at(self.loc(tok), f"resource '{name}' must be a hex string \"0x...\"")


# Attributes are immutable, so equal spellings can share one object: models repeat the same few
# strides/pads/typed integers thousands of times.
@lru_cache(maxsize=4096)
def _typed_number(text: str) -> A.Attribute:
    number, _, type_text = text.partition(":")
    t = scalar_type(type_text.strip())
    return A.FloatAttr(float(number), t) if isinstance(t, FloatType) else A.IntegerAttr(int(number), t)


@lru_cache(maxsize=4096)
def _int_list_attr(text: str) -> A.ArrayAttr:
    return A.ArrayAttr(tuple(A.IntegerAttr(v) for v in _int_list(text)))


def _int_list(tok: str) -> list[int]:
    body = str(tok)[1:-1].strip()
    return [int(x) for x in body.split(",")] if body else []


def _msg(e: Exception) -> str:
    return e.diagnostic.message if isinstance(e, DiagnosticError) else str(e)


def _split_dialect_token(text: str) -> tuple[str, str, str | None]:
    head, sep, body = text[1:].partition("<")
    dialect, _, mnemonic = head.partition(".")
    return dialect, mnemonic, (body[:-1] if sep else None)


_builder = _Builder()
_lark: Lark | None = None


def _parser() -> Lark:
    global _lark
    if _lark is None:
        _lark = Lark(_GRAMMAR.read_text(), parser="lalr", lexer=RirLexer, transformer=_builder,
                     maybe_placeholders=False, cache=True)
    return _lark


# ---- binding operands: scoping and use-before-def ------------------------------------------------------
class _Scopes:
    """Name scopes: one stack per isolated-from-above op; nested regions push a level."""

    def __init__(self) -> None:
        self.stack: list[dict[str, list[Value]]] = [{}]

    def define(self, name: str, values: list[Value], loc: SourceLoc | None) -> None:
        for level in self.stack:
            if name in level:
                raise error_at(loc, f"redefinition of SSA value '%{name}'")
        self.stack[-1][name] = values

    def lookup(self, name: str) -> list[Value] | None:
        for level in reversed(self.stack):
            if name in level:
                return level[name]
        return None


def _bind(ops: list[Operation]) -> None:
    scopes = _Scopes()
    later_names: set[str] = set()
    for op in ops:
        for o in op.walk():
            later_names.update(r.name_hint for r in o.results if r.name_hint)
    for op in ops:
        _bind_op(op, scopes, later_names)


def _bind_op(op: Operation, scopes: _Scopes, all_names: set[str]) -> None:
    pending = op.__dict__.pop("_pending", None)
    signature = op.__dict__.pop("_signature", ())
    if pending is not None:
        values: list[Value] = []
        for i, tok in enumerate(pending):
            base, _, idx = str(tok)[1:].partition("#")
            group = scopes.lookup(base)
            loc = _tok_loc(tok)
            if group is None:
                what = "before its definition" if base in all_names else "that was never defined"
                raise error_at(loc, f"use of value '%{base}' {what}")
            k = int(idx) if idx else 0
            if k >= len(group) or (not idx and len(group) > 1):
                raise error_at(loc, f"'%{base}' has {len(group)} results; refer to one as '%{base}#N'"
                               if not idx else f"result #{k} of '%{base}' does not exist ({len(group)} results)")
            v = group[k]
            if v.type != signature[i]:
                raise error_at(loc, f"'%{base}' has type {v.type} but the op's signature says {signature[i]}")
            values.append(v)
        op.set_operands(values)
    isolated = _is_isolated(op)
    for region in op.regions:
        saved = scopes.stack
        if isolated:
            scopes.stack = [{}]
        else:
            scopes.stack = saved + [{}]
        for block in region.blocks:
            for arg, tok in zip(block.args, _builder.block_arg_tokens.get(id(block), ())):
                scopes.define(arg.name_hint, [arg], _tok_loc(tok))
            for inner in block.ops:
                _bind_op(inner, scopes, all_names)
        scopes.stack = saved
    groups = op.__dict__.pop("_result_groups", None)
    if groups:
        i = 0
        for name, count in groups:
            scopes.define(name, op.results[i:i + count], op.span)
            i += count


def _tok_loc(tok: Token) -> SourceLoc:
    return SourceLoc(_builder.filename, tok.line + _builder.line_offset, tok.column)


def _is_isolated(op: Operation) -> bool:
    from .opdef import IsolatedFromAbove
    return IsolatedFromAbove in op.TRAITS


# ---- entry points ----------------------------------------------------------------------------------------
def parse_module(text: str, filename: str = "<input>", *, allow_unregistered: bool = False,
                 sources: SourceManager | None = None, first_line: int = 1) -> Operation:
    """Parses a whole .rir buffer; returns its `builtin.module` (top-level ops get wrapped in one)."""
    if sources is not None:
        sources.add(filename, text, first_line)
    _builder.reset(filename, first_line - 1, allow_unregistered)
    # Parsing allocates many small objects and frees none: the cyclic GC would only rescan them over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        items = _parser().parse(text)
    except UnexpectedInput as e:
        raise _syntax_error(e, text, filename, first_line) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    resources_seen = any(isinstance(x, tuple) and x and x[0] == "resources" for x in items)
    ops = [x for x in items if isinstance(x, Operation)]
    _bind(ops)
    for blob in _builder.blobs.values():
        if blob.data is None and blob.name != A.ResourceBlob.ELIDED:
            raise error_at(blob.first_use,
                           f"resource '{blob.name}' is not defined in the resource section"
                           + ("" if resources_seen else " (the file has none)"))
        if blob.name == A.ResourceBlob.ELIDED:
            blob.data = None
    from rnc.dialects.builtin import ModuleOp
    if len(ops) == 1 and isinstance(ops[0], ModuleOp):
        return ops[0]
    module = ModuleOp.empty()
    for op in ops:
        module.block.append(op)
    return module


def parse_file(path: str | Path, **kw: Any) -> Operation:
    p = Path(path)
    return parse_module(p.read_text(), str(path), **kw)


def _syntax_error(e: UnexpectedInput, text: str, filename: str, first_line: int) -> DiagnosticError:
    line = getattr(e, "line", None)
    col = getattr(e, "column", None)
    if isinstance(e, UnexpectedEOF) or line is None or line < 1:
        lines = text.split("\n")
        line, col = len(lines), len(lines[-1]) + 1
    loc = SourceLoc(filename, line + first_line - 1, col or 1)
    if isinstance(e, UnexpectedToken):
        tok = e.token
        got = "end of input" if tok.type == "$END" else f"'{tok}'"
        expected = sorted(_describe_terminal(t) for t in e.expected)[:8]
        return error_at(loc, f"unexpected {got}; expected {', '.join(expected)}")
    if isinstance(e, UnexpectedCharacters):
        ch = text.splitlines()[line - 1][col - 1:col] if line - 1 < len(text.splitlines()) else ""
        return error_at(loc, f"unexpected character '{ch}'")
    return error_at(loc, "unexpected end of input")


_TERMINAL_NAMES = {"VALUE": "an SSA value (%name)", "STRING": "a string", "BARE_ID": "an identifier",
                   "INT": "an integer", "FLOAT": "a float", "TENSOR_TYPE": "a tensor type",
                   "SCALAR_TYPE": "a scalar type", "BLOCK_ID": "a block label (^bb0)",
                   "LPAR": "'('", "RPAR": "')'", "LBRACE": "'{'", "RBRACE": "'}'", "LSQB": "'['", "RSQB": "']'",
                   "COLON": "':'", "COMMA": "','", "EQUAL": "'='", "__ANON_0": "'->'", "MORETHAN": "'>'",
                   "LESSTHAN": "'<'", "$END": "end of input"}


def _describe_terminal(name: str) -> str:
    return _TERMINAL_NAMES.get(name, name.lower().replace("_", " "))
