"""Parses .rir text into IR, building operations directly in the grammar's rule callbacks (no parse tree).

grammar.lark defines the syntax; rnc_ir/lalr.py drives its LALR table and calls the `_Builder` methods below,
one per rule (or alias), with the rule's kept children. Operands are bound by name afterwards, in a top-down
walk that knows the scoping rules (names are scoped per isolated-from-above op, e.g. per function), so forward
references and undefined names get precise errors. Every failure is a `DiagnosticError` at file:line:col.
"""
from __future__ import annotations

import gc
import os
from bisect import bisect_right
from functools import lru_cache
from typing import Any

from . import attributes as A
from .core import Block, Operation, Region, Value
from .diagnostics import Diagnostic, DiagnosticError, SourceLoc, SourceManager, error_at
from .dialect import DialectLoadError, get_dialect, lookup_op
from .lalr import CallbackError, LalrParser, ScanError, UnexpectedTokenError, load_tables
from .lexer import Tok
from .location import FileLineColLoc, NameLoc, UnknownLoc
from .types import FloatType, FunctionType, IndexType, IntegerType, OpaqueType, TensorType, Type, scalar_type, \
    tensor_type_from_text

_GRAMMAR = os.path.join(os.path.dirname(__file__), "grammar.lark")

# Longest integer literal accepted: wider than any integer type needs, short enough for int() to be cheap.
_MAX_INT_DIGITS = 200


class _Successors(tuple):
    """The `[^bb1, ...]` of a generic op (parsed so the error can point at it; rnc has no branch ops)."""


class _Builder:
    """Rule callbacks: each returns the IR object (or plain Python value) for its rule."""

    def __init__(self) -> None:
        self.reset("", "<input>", 0, False)

    def reset(self, text: str, filename: str, line_offset: int, allow_unregistered: bool) -> None:
        self.filename = filename
        self.line_offset = line_offset
        self.allow_unregistered = allow_unregistered
        self.blobs: dict[str, A.ResourceBlob] = {}
        self.resource_uses: list[tuple[A.DenseResourceAttr, SourceLoc]] = []
        self.resources_seen = False
        self.block_arg_tokens: dict[int, list[Tok]] = {}
        self.block_label_tokens: dict[int, Tok] = {}
        # Offsets of the newlines: a token's line and column come from its offset, only when needed.
        newlines, find, i = [], text.find, text.find("\n")
        while i >= 0:
            newlines.append(i)
            i = find("\n", i + 1)
        self.newlines = newlines

    def loc_at(self, pos: int) -> SourceLoc:
        k = bisect_right(self.newlines, pos - 1)  # newlines before pos
        col = pos - (self.newlines[k - 1] + 1 if k else 0) + 1
        return SourceLoc(self.filename, k + 1 + self.line_offset, col)

    def loc(self, tok: Tok) -> SourceLoc:
        return self.loc_at(tok.pos)

    # ---- operations ----------------------------------------------------------------------------------
    def start(self, *items):
        return list(items)

    def op_with_results(self, groups, op, location=None):
        names: list[str] = []
        for tok, count in groups:
            names.extend([tok[1:]] * count)
        if len(names) != len(op.results):
            raise error_at(self.loc(groups[0][0]), f"operation defines {len(op.results)} results but was "
                                                   f"provided {len(names)} to bind")
        for result, name in zip(op.results, names):
            result.name_hint = name
        op._result_groups = groups
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
        return groups

    def result_single(self, tok):
        if "#" in tok:
            raise error_at(self.loc(tok), f"result name '{tok}' cannot contain '#'")
        return (tok, 1)

    def result_pack(self, tok, count):
        if "#" in tok:
            raise error_at(self.loc(tok), f"result name '{tok}' cannot contain '#'")
        n = self.integer(count)
        if n < 1:
            raise error_at(self.loc(count), "expected a result count of at least 1")
        return (tok, n)

    def generic_op(self, name_tok, *rest):
        operands: tuple[Tok, ...] = ()
        regions: list[Region] = []
        attrs: dict[str, A.Attribute] = {}
        ftype = rest[-1]
        for item in rest[:-1]:
            if isinstance(item, dict):
                attrs = item
            elif isinstance(item, _Successors):
                raise error_at(self.loc(item[0]), "block successors are not supported (rnc has no branch ops)")
            elif isinstance(item, tuple):
                operands = item
            else:
                regions = item
        name = self.string(name_tok)
        span = self.loc(name_tok)
        if len(ftype.inputs) != len(operands):
            raise error_at(span, f"'{name}' has {len(operands)} operands but its type lists "
                                 f"{len(ftype.inputs)}")
        cls = self._op_class(name, span)
        op = cls(name, (), ftype.results, attrs, regions, None, span)
        op._pending = operands  # operand tokens, bound to values by _bind once every name is known
        op._signature = ftype.inputs
        return op

    def _op_class(self, name: str, span: SourceLoc) -> type[Operation]:
        if "." not in name:
            raise error_at(span, f"'{name}' is not a valid op name (expected 'dialect.op')")
        cls = lookup_op(name)
        if cls is not None:
            return cls
        dialect_name = name.split(".", 1)[0]
        if get_dialect(dialect_name) is not None:
            raise error_at(span, f"unknown op '{name}' in dialect '{dialect_name}'")
        if not self.allow_unregistered:
            raise error_at(span, f"'{name}' belongs to the unregistered dialect '{dialect_name}' "
                                 f"(pass --allow-unregistered-dialect to keep it as is)")
        return Operation

    def value_list(self, *toks):
        return toks

    def successors(self, *toks):
        return _Successors(toks)

    def region_list(self, *regions):
        return list(regions)

    def region(self, *items):
        region = Region()
        blocks = [x for x in items if isinstance(x, Block)]
        if len(blocks) != len(items) or not blocks:
            entry = Block()
            for op in items[:len(items) - len(blocks)]:
                entry.append(op)
            region.add_block(entry)
        labels: dict[str, Tok] = {}
        for b in blocks:
            tok = self.block_label_tokens.pop(id(b))
            if b.label in labels:
                raise DiagnosticError(Diagnostic("error", f"redefinition of block '^{b.label}'", self.loc(tok),
                                                 notes=[Diagnostic("note", "previously defined here",
                                                                   self.loc(labels[b.label]))]))
            labels[b.label] = tok
            region.add_block(b)
        return region

    def block(self, label, *items):
        args = items[0] if items and isinstance(items[0], list) else []
        ops = items[1:] if items and isinstance(items[0], list) else items
        block = Block([t for _, t, _ in args], [tok[1:] for tok, _, _ in args])
        for arg, (_, _, location) in zip(block.args, args):
            arg.location = location
        block.label = label[1:]
        self.block_arg_tokens[id(block)] = [tok for tok, _, _ in args]
        self.block_label_tokens[id(block)] = label
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
        return NameLoc(_unquote_at(tok[4:-1], self, tok))

    def name_loc(self, s):
        return NameLoc(self.string(s))

    def file_loc(self, s, line, col):
        return FileLineColLoc(self.string(s), self.integer(line), self.integer(col))

    def unknown_loc(self):
        return UnknownLoc()

    # ---- types ---------------------------------------------------------------------------------------
    def tensor_type(self, tok):
        try:
            return tensor_type_from_text(tok)
        except ValueError as e:
            raise error_at(self.loc(tok), str(e)) from None

    def scalar_type(self, tok):
        try:
            return scalar_type(tok)
        except ValueError as e:
            raise error_at(self.loc(tok), str(e)) from None

    def dialect_type(self, tok):
        return self._dialect_entity(tok, "!", "type", "type_table", OpaqueType)

    def _dialect(self, name: str, tok: Tok):
        try:
            return get_dialect(name)
        except DialectLoadError as e:
            raise error_at(self.loc(tok), str(e)) from None

    def function_type(self, *parts):
        inputs = parts[0] if len(parts) == 2 else ()
        return FunctionType(tuple(inputs), tuple(parts[-1]))

    def single_result(self, t):
        return (t,)

    def result_types(self, types=()):
        return types

    def type_list(self, *types):
        return types

    # ---- attributes ----------------------------------------------------------------------------------
    def attr_dict(self, *entries):
        out: dict[str, A.Attribute] = {}
        for key, value, tok in entries:
            if key in out:
                raise error_at(self.loc(tok), f"duplicate key '{key}' in dictionary attribute")
            out[key] = value
        return out

    def keyed_entry(self, key_eq, value):
        return (key_eq[:-1].rstrip(), value, key_eq)

    def entry(self, key, value):
        return (self._key(key), value, key)

    def unit_entry(self, key):
        return (self._key(key), A.UnitAttr(), key)

    def _key(self, tok):
        return self.string(tok) if tok.type == "STRING" else str(tok)

    def typed_int_attr(self, tok):
        try:
            return _typed_number(tok)
        except ValueError as e:
            raise error_at(self.loc(tok), str(e)) from None

    typed_float_attr = typed_int_attr

    def int_list_attr(self, tok):
        if len(tok) > 64 * _MAX_INT_DIGITS:
            return A.ArrayAttr(tuple(A.IntegerAttr(v) for v in self._int_list(tok)))
        return _int_list_attr(tok)

    def int_attr(self, tok, type_=None):
        value = self.integer(tok)
        if type_ is None:
            type_ = A.i64
        if isinstance(type_, FloatType):
            return self._float(float(value), type_, tok)
        if not isinstance(type_, (IntegerType, IndexType)):
            raise error_at(self.loc(tok), f"an integer literal needs an integer, index or float type, got {type_}")
        if not A.integer_in_range(value, type_):
            raise error_at(self.loc(tok), f"integer constant {value} is out of range for {type_}")
        return A.IntegerAttr(value, type_)

    def float_attr(self, tok, type_=None):
        if type_ is not None and not isinstance(type_, FloatType):
            raise error_at(self.loc(tok), f"a float literal needs a float type, got {type_}")
        return self._float(float(tok), type_ or A.f64, tok)

    def _float(self, value: float, type_: FloatType, tok: Tok) -> A.FloatAttr:
        try:
            return A.FloatAttr(value, type_)
        except ValueError as e:
            raise error_at(self.loc(tok), str(e)) from None

    def hex_float_attr(self, tok, type_):
        from .floats import from_bits
        bits = int(tok, 16) if len(tok) <= 2 + 32 else -1
        try:
            if isinstance(type_, FloatType):
                return A.FloatAttr(from_bits(bits, type_.name), type_)
            if isinstance(type_, IntegerType) and 0 <= bits and A.integer_in_range(bits, type_):
                return A.IntegerAttr(bits, type_)
        except ValueError as e:
            raise error_at(self.loc(tok), str(e)) from None
        raise error_at(self.loc(tok), f"hexadecimal literal {tok} does not fit {type_}")

    def true_attr(self):
        return A.BoolAttr(True)

    def false_attr(self):
        return A.BoolAttr(False)

    def unit_attr(self):
        return A.UnitAttr()

    def string_attr(self, tok):
        return A.StringAttr(self.string(tok))

    def symbol_attr(self, tok):
        body = tok[1:]
        return A.SymbolRefAttr(_unquote_at(body, self, tok) if body.startswith('"') else body)

    def array_attr(self, *items):
        return A.ArrayAttr(items)

    def dict_attr(self, entries):
        return A.DictAttr.of(entries)

    def type_attr(self, t):
        return A.TypeAttr(t)

    def dense_attr(self, dense_tok, *parts):
        import numpy as np
        type_ = parts[-1]
        value = parts[0] if len(parts) == 2 else []
        where = self.loc(dense_tok)
        if not isinstance(type_, TensorType) or not type_.has_static_shape:
            raise error_at(where, f"dense attribute needs a static tensor type, got {type_}")
        try:
            dtype = type_.numpy_dtype
            if isinstance(value, bytes):
                arr = np.frombuffer(value, dtype=dtype.newbyteorder("<")).astype(dtype)
                if arr.size == 1 and type_.num_elements != 1:
                    arr = np.full(type_.shape, arr[0], dtype)
                return A.DenseAttr(arr.reshape(type_.shape), type_)
            raw = np.array(value)
            if raw.dtype.kind == "O":
                raise ValueError("nested lists of unequal lengths")
            if raw.dtype.kind in "iu" and dtype.kind in "iu" and raw.size:
                lo, hi = int(raw.min()), int(raw.max())
                for v in (lo, hi):
                    if not A.integer_in_range(v, type_.element_type):
                        raise ValueError(f"integer {v} is out of range for {type_.element_type}")
            if raw.dtype.kind == "f" and dtype.kind in "iub" and raw.size:
                raise ValueError(f"float values for the integer type {type_.element_type}")
            with np.errstate(over="ignore", invalid="ignore"):
                arr = raw.astype(dtype)
            if arr.dtype.kind == "f" and np.isinf(arr).any():
                raise ValueError(f"a value is out of range for {type_.element_type}")
            if arr.ndim == 0 and type_.rank > 0:
                arr = np.full(type_.shape, arr, dtype)
            if arr.size == 0 and type_.num_elements == 0:
                arr = arr.reshape(type_.shape)  # `[]` stands for any empty shape (tensor<0x3xf32>)
            if arr.shape != type_.shape:
                raise ValueError(f"literal has shape {list(arr.shape)} but the type is {type_}")
        except (ValueError, OverflowError, TypeError) as e:
            raise error_at(where, f"invalid dense attribute: {e}") from None
        return A.DenseAttr(arr, type_)

    def dense_int(self, tok):
        return self.integer(tok)

    def dense_int_list(self, tok):
        return self._int_list(tok)

    def dense_float(self, tok):
        return float(tok)

    def dense_true(self):
        return True

    def dense_false(self):
        return False

    def dense_hex(self, tok):
        return self.hex_bytes(tok)

    def dense_list(self, *items):
        return list(items)

    def dense_resource_attr(self, tok, type_):
        name = tok[len("dense_resource<"):-1]
        if not isinstance(type_, TensorType) or not type_.has_static_shape:
            raise error_at(self.loc(tok), f"dense_resource needs a static tensor type, got {type_}")
        blob = self.blobs.get(name)
        if blob is None:
            blob = self.blobs[name] = A.ResourceBlob(name)
            blob.first_use = self.loc(tok)
        attr = A.DenseResourceAttr(blob, type_)
        self.resource_uses.append((attr, self.loc(tok)))
        return attr

    def dialect_attr(self, tok):
        return self._dialect_entity(tok, "#", "attribute", "attr_table", A.OpaqueAttr)

    def _dialect_entity(self, tok, sigil: str, what: str, table: str, opaque):
        """`!dialect.mnemonic<...>` / `#dialect.mnemonic<...>`: parsed by the dialect's class for it, kept
        opaque for an unregistered dialect when that is allowed."""
        dialect, mnemonic, body = _split_dialect_token(tok)
        name = f"{sigil}{dialect}.{mnemonic}"
        d = self._dialect(dialect, tok)
        if d is not None:
            cls = getattr(d, table).get(mnemonic)
            if cls is None:
                raise error_at(self.loc(tok), f"unknown {what} '{name}' in dialect '{dialect}'")
            try:
                return cls.parse_body(body)
            except (ValueError, KeyError, TypeError, DiagnosticError) as e:
                raise error_at(self.loc(tok), f"invalid '{name}' {what}: {_msg(e)}") from None
        if not self.allow_unregistered:
            raise error_at(self.loc(tok), f"{what} '{name}' belongs to the unregistered dialect '{dialect}'")
        return opaque(dialect, mnemonic, body)

    # ---- resources -----------------------------------------------------------------------------------
    def resource_section(self, *groups):
        self.resources_seen = True
        return None

    def resource_group(self, key, *dialects):
        if key != "dialect_resources":
            raise error_at(self.loc(key), f"unsupported resource group '{key}' (expected 'dialect_resources')")
        seen: dict[str, Tok] = {}
        for entries in dialects:
            for name_tok, data in entries:
                name = self._key(name_tok)
                if name in seen:
                    raise error_at(self.loc(name_tok), f"resource '{name}' is defined twice")
                seen[name] = name_tok
                blob = self.blobs.get(name)
                if blob is None:
                    continue  # an entry nothing refers to is dropped, as MLIR does when printing
                if data is None:
                    continue  # `__elided__`: the handle stays without data
                if len(data) < 4:
                    raise error_at(self.loc(name_tok), f"resource '{name}' is shorter than its 4-byte "
                                                       f"alignment header")
                blob.data = data[4:]  # MLIR blobs start with a 4-byte little-endian alignment
        return None

    def resource_dialect(self, name, *entries):
        return entries

    def resource_entry(self, name, tok):
        if self.string(tok) == A.ResourceBlob.ELIDED:
            return (name, None)
        if not tok.startswith('"0x'):
            raise error_at(self.loc(tok), f"resource '{self._key(name)}' must be a hex string \"0x...\"")
        return (name, self.hex_bytes(tok))

    # ---- token values --------------------------------------------------------------------------------
    def string(self, tok: Tok) -> str:
        return _unquote_at(tok, self, tok)

    def integer(self, tok: Tok) -> int:
        if len(tok) > _MAX_INT_DIGITS:
            raise error_at(self.loc(tok), f"integer literal is too long ({len(tok)} digits)")
        return int(tok)

    def _int_list(self, tok: Tok) -> list[int]:
        body = tok[1:-1].strip()
        values = body.split(",") if body else []
        if any(len(v) > _MAX_INT_DIGITS for v in values):
            raise error_at(self.loc(tok), "integer literal is too long")
        return [int(v) for v in values]

    def hex_bytes(self, tok: Tok) -> bytes:
        """The bytes of a `"0x..."` string."""
        if not tok.startswith('"0x'):
            raise error_at(self.loc(tok), 'expected a hex string "0x..."')
        digits = tok[3:-1]
        if len(digits) % 2:
            raise error_at(self.loc(tok), f"hex string has an odd number of digits ({len(digits)})")
        try:
            return bytes.fromhex(digits)
        except ValueError:
            # point at the offending character (the string may be megabytes long): after '"0x', on the same line
            bad = next((i for i, c in enumerate(digits) if c not in _HEX_DIGITS), 0)
            raise error_at(self.loc_at(tok.pos + 3 + bad),
                           f"hex string has a character that is not a hex digit ({digits[bad]!r})") from None


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _unquote_at(text: str, builder: _Builder, tok: Tok) -> str:
    try:
        return A.unquote(text)
    except ValueError as e:
        raise error_at(builder.loc(tok), str(e)) from None


# Attributes are immutable, so equal spellings can share one object: models repeat the same few
# strides/pads/typed integers thousands of times.
@lru_cache(maxsize=4096)
def _typed_number(text: str) -> A.Attribute:
    number, _, type_text = text.partition(":")
    number = number.strip()
    t = scalar_type(type_text.strip())
    if isinstance(t, FloatType):
        return A.FloatAttr(float(number), t)
    if len(number) > _MAX_INT_DIGITS:
        raise ValueError(f"integer literal is too long ({len(number)} digits)")
    value = int(number)
    if not A.integer_in_range(value, t):
        raise ValueError(f"integer constant {value} is out of range for {t}")
    return A.IntegerAttr(value, t)


@lru_cache(maxsize=4096)
def _int_list_attr(text: str) -> A.ArrayAttr:
    body = text[1:-1].strip()
    return A.ArrayAttr(tuple(A.IntegerAttr(int(v)) for v in body.split(","))) if body else A.ArrayAttr(())


def _msg(e: Exception) -> str:
    return e.diagnostic.message if isinstance(e, DiagnosticError) else str(e)


def _split_dialect_token(text: str) -> tuple[str, str, str | None]:
    head, sep, body = text[1:].partition("<")
    dialect, _, mnemonic = head.partition(".")
    return dialect, mnemonic, (body[:-1] if sep else None)


_builder = _Builder()
_parser: LalrParser | None = None


def _get_parser() -> LalrParser:
    global _parser
    if _parser is None:
        from pathlib import Path
        _parser = LalrParser(load_tables(Path(_GRAMMAR)), _builder)
    return _parser


# ---- binding operands: scoping and use-before-def ------------------------------------------------------
class _Scopes:
    """Name scopes: one stack per isolated-from-above op; nested regions push a level."""

    def __init__(self) -> None:
        self.stack: list[dict[str, tuple[list[Value], SourceLoc | None]]] = [{}]

    def define(self, name: str, values: list[Value], loc: SourceLoc | None) -> None:
        for level in self.stack:
            if name in level:
                previous = level[name][1]
                notes = [Diagnostic("note", "previously defined here", previous)] if previous else []
                raise DiagnosticError(Diagnostic("error", f"redefinition of SSA value '%{name}'", loc,
                                                 notes=notes))
        self.stack[-1][name] = (values, loc)

    def lookup(self, name: str) -> list[Value] | None:
        for level in reversed(self.stack):
            if name in level:
                return level[name][0]
        return None


def _bind(ops: list[Operation]) -> None:
    scopes = _Scopes()
    for op in ops:
        _bind_op(op, scopes, ops)


def _bind_op(op: Operation, scopes: _Scopes, top_level: list[Operation]) -> None:
    pending = op.__dict__.pop("_pending", None)
    signature = op.__dict__.pop("_signature", ())
    if pending:
        values: list[Value] = []
        for i, tok in enumerate(pending):
            base, _, idx = tok[1:].partition("#")
            group = scopes.lookup(base)
            if group is None:
                raise error_at(_builder.loc(tok), f"use of value '%{base}' "
                               + ("before its definition" if _defined_anywhere(base, top_level)
                                  else "that was never defined"))
            k = int(idx) if idx and len(idx) < 10 else (0 if not idx else 1 << 40)
            if k >= len(group):
                raise error_at(_builder.loc(tok), f"result #{k} of '%{base}' does not exist "
                                                  f"({len(group)} result{'s' if len(group) != 1 else ''})")
            if not idx and len(group) > 1:
                raise error_at(_builder.loc(tok), f"'%{base}' has {len(group)} results; refer to one as "
                                                  f"'%{base}#N'")
            v = group[k]
            if v.type != signature[i]:
                raise error_at(_builder.loc(tok), f"use of value '%{base}' expects different type than prior "
                                                  f"uses: '{signature[i]}' vs '{v.type}'")
            values.append(v)
        op.set_operands(values)
    isolated = _is_isolated(op)
    for region in op.regions:
        saved = scopes.stack
        scopes.stack = [{}] if isolated else saved + [{}]
        for block in region.blocks:
            for arg, tok in zip(block.args, _builder.block_arg_tokens.pop(id(block), ())):
                scopes.define(arg.name_hint, [arg], _builder.loc(tok))
            for inner in block.ops:
                _bind_op(inner, scopes, top_level)
        scopes.stack = saved
    groups = op.__dict__.pop("_result_groups", None)
    if groups:
        i = 0
        for tok, count in groups:
            scopes.define(tok[1:], op.results[i:i + count], _builder.loc(tok))
            i += count


def _defined_anywhere(name: str, ops: list[Operation]) -> bool:
    """Whether some op of the buffer defines `%name` (to tell 'before its definition' from 'never')."""
    for top in ops:
        for op in top.walk():
            if any(r.name_hint == name for r in op.results):
                return True
            for region in op.regions:
                for block in region.blocks:
                    if any(a.name_hint == name for a in block.args):
                        return True
    return False


def _is_isolated(op: Operation) -> bool:
    from .opdef import IsolatedFromAbove
    return IsolatedFromAbove in op.TRAITS


# ---- entry points ----------------------------------------------------------------------------------------
def parse_module(text: str, filename: str = "<input>", *, allow_unregistered: bool = False,
                 sources: SourceManager | None = None, first_line: int = 1) -> Operation:
    """Parses a whole .rir buffer; returns its `builtin.module` (top-level ops get wrapped in one).

    `first_line` numbers the buffer's first line (a chunk of a --split-input-file run); `sources`, if given,
    keeps the text so diagnostics can quote it. Raises DiagnosticError.
    """
    if sources is not None:
        sources.add(filename, text, first_line)
    parser = _get_parser()
    _builder.reset(text, filename, first_line - 1, allow_unregistered)
    # Parsing allocates many small objects and frees none: the cyclic GC would only rescan them over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        items = parser.parse(text)
        ops = [x for x in items if isinstance(x, Operation)]
        _bind(ops)
        _check_resources()
    except ScanError as e:
        raise _scan_error(text, e.pos) from None
    except UnexpectedTokenError as e:
        raise _syntax_error(e) from None
    except CallbackError as e:
        raise _callback_error(e) from None
    except RecursionError:
        raise error_at(_builder.loc_at(0), "the input nests too deeply") from None
    finally:
        _builder.block_arg_tokens.clear()
        _builder.block_label_tokens.clear()
        if gc_was_enabled:
            gc.enable()
    from rnc.dialects.builtin import ModuleOp
    if len(ops) == 1 and isinstance(ops[0], ModuleOp):
        return ops[0]
    module = ModuleOp.empty(ops)
    module.span = SourceLoc(filename, first_line, 1)  # an implicit module starts where its buffer does
    return module


def _check_resources() -> None:
    for blob in _builder.blobs.values():
        if blob.name == A.ResourceBlob.ELIDED:
            blob.data = None
        elif blob.data is None and not _builder.resources_seen:
            raise error_at(blob.first_use, f"resource '{blob.name}' is not defined (the file has no resource "
                                           f"section; was it printed with --elide-resources?)")
        elif blob.data is None:
            raise error_at(blob.first_use, f"resource '{blob.name}' is not defined in the resource section")
    for attr, loc in _builder.resource_uses:
        data = attr.blob.data
        if data is None:
            continue
        try:
            needed = attr.type.num_elements * attr.type.numpy_dtype.itemsize
        except ValueError as e:
            raise error_at(loc, str(e)) from None
        if len(data) != needed:
            raise error_at(loc, f"resource '{attr.blob.name}' holds {len(data)} bytes but {attr.type} needs "
                                f"{needed}")


def parse_file(path, **kw: Any) -> Operation:
    """Parses the file at `path` (diagnostics name it as given)."""
    with open(path, encoding="utf-8") as f:
        return parse_module(f.read(), str(path), **kw)


def _scan_error(text: str, pos: int) -> DiagnosticError:
    ch = text[pos]
    if ch == '"':
        return error_at(_builder.loc_at(pos), "unterminated string literal")
    shown = repr(ch)[1:-1] if not ch.isprintable() else ch
    return error_at(_builder.loc_at(pos), f"unexpected character '{shown}'")


def _syntax_error(e: UnexpectedTokenError) -> DiagnosticError:
    tok = e.token
    got = "end of input" if tok.type == "$END" else f"'{_shorten(tok)}'"
    expected = sorted({describe_terminal(t) for t in e.expected})
    if len(expected) > 8:
        listed = ", ".join(expected[:8]) + f" or one of {len(expected) - 8} more"
    else:
        listed = " or ".join([", ".join(expected[:-1]), expected[-1]] if len(expected) > 1 else expected)
    return error_at(_builder.loc_at(tok.pos), f"unexpected {got}; expected {listed}")


def _callback_error(e: CallbackError) -> DiagnosticError:
    inner = e.error
    if isinstance(inner, DiagnosticError):
        if inner.diagnostic.loc is None and inner.diagnostic.where is None:
            inner.diagnostic.loc = _builder.loc_at(e.pos)
        return inner
    return error_at(_builder.loc_at(e.pos), f"invalid input here: {inner}")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


_TERMINAL_NAMES = {"VALUE": "an SSA value (%name)", "STRING": "a string", "BARE_ID": "an identifier",
                   "INT": "an integer", "FLOAT": "a float", "TENSOR_TYPE": "a tensor type",
                   "SCALAR_TYPE": "a scalar type", "BLOCK_ID": "a block label (^bb0)",
                   "ATTR_KEY": "an attribute name", "TYPED_INT": "an integer", "TYPED_FLOAT": "a float",
                   "INT_LIST": "an integer list", "NAME_LOC": "a location", "SYMBOL": "a symbol (@name)",
                   "HEX_STRING": "a hex string", "HEX_INT": "a hexadecimal literal",
                   "DIALECT_TYPE": "a dialect type (!dialect.name)",
                   "DIALECT_ATTR": "a dialect attribute (#dialect.name)",
                   "DENSE_RESOURCE": "dense_resource<...>", "$END": "end of input"}


@lru_cache(maxsize=None)
def describe_terminal(name: str) -> str:
    """How an error message names a terminal: its literal text if it has one (`'->'`), else a phrase."""
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    for t in _get_parser().tables.terminals:
        if t.name == name and t.literal is not None:
            return f"'{t.literal}'"
    return name.lower().replace("_", " ")
