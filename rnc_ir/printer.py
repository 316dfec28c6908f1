"""Prints IR in the generic form the parser reads: deterministic, keeping the source's value names.

Names are chosen per isolated-from-above scope (e.g. per function): a value keeps its `name_hint` unless
another value of the scope already took it; unnamed values get the smallest free number (%0, %1, ...).
"""
from __future__ import annotations

import io
import re
import struct
from functools import lru_cache
from typing import Iterable

from .attributes import ArrayAttr, Attribute, DenseResourceAttr, DictAttr, ResourceBlob, UnitAttr, format_entry, \
    is_bare_identifier, quote
from .core import Block, OpResult, Operation, Region, Value
from .opdef import IsolatedFromAbove
from .types import FunctionType


class Printer:
    """Prints ops in the generic form. One instance prints one module (it remembers the names it gave)."""

    def __init__(self, *, elide_resources: bool = False, print_locations: bool = True,
                 indent: str = "  ") -> None:
        self.elide_resources = elide_resources
        self.print_locations = print_locations
        self.indent_unit = indent
        self.names: dict[int, str] = {}
        # Attributes are immutable and often shared: print each object once (kept alive, so ids stay unique).
        self._attr_text: dict[int, tuple[Attribute, str]] = {}
        self.blobs: dict[str, ResourceBlob] = {}

    # ---- naming --------------------------------------------------------------------------------------
    def _assign_names(self, root: Operation) -> None:
        """Names every value under `root`, one namespace per isolated op."""
        self._name_scope(root, include_root_results=True)

    def _name_scope(self, scope_op: Operation, include_root_results: bool) -> None:
        values: list[Value] = []
        nested_isolated: list[Operation] = []
        if include_root_results:
            values.extend(scope_op.results)

        def collect(region: Region) -> None:
            for block in region.blocks:
                values.extend(block.args)
                for op in block.ops:
                    values.extend(op.results)
                    if IsolatedFromAbove in op.TRAITS:
                        nested_isolated.append(op)
                    else:
                        for r in op.regions:
                            collect(r)

        for r in scope_op.regions:
            collect(r)
        taken: set[str] = set()
        wanted = [_clean_name(v.name_hint) for v in values]
        hinted = {h for h in wanted if h}
        counter = 0
        for v, hint in zip(values, wanted):
            if isinstance(v, OpResult) and v.index > 0 and _same_group(v):
                self.names[id(v)] = self.names[id(v.op.results[0])]
                continue
            name = hint if hint and hint not in taken else None
            if name is None and hint:
                k = 1
                while f"{hint}_{k}" in taken or f"{hint}_{k}" in hinted:
                    k += 1
                name = f"{hint}_{k}"
            if name is None:
                while str(counter) in taken or str(counter) in hinted:
                    counter += 1
                name = str(counter)
                counter += 1
            taken.add(name)
            self.names[id(v)] = name
        for op in nested_isolated:
            self._name_scope(op, include_root_results=False)

    def value_name(self, v: Value) -> str:
        name = self.names.get(id(v))
        if name is None:
            return "%<<unknown value>>"
        if isinstance(v, OpResult) and _same_group(v):
            return f"%{name}#{v.index}"
        return f"%{name}"

    # ---- ops -----------------------------------------------------------------------------------------
    def print_module(self, module: Operation) -> str:
        out = io.StringIO()
        self._assign_names(module)
        self._print_op(module, out, 0)
        out.write("\n")
        self._print_resources(out)
        return out.getvalue()

    def print_op_to_string(self, op: Operation) -> str:
        out = io.StringIO()
        self._assign_names(op)
        self._print_op(op, out, 0)
        return out.getvalue()

    def _print_op(self, op: Operation, out: io.StringIO, depth: int) -> None:
        out.write(self.indent_unit * depth)
        if op.results:
            out.write(self._results_text(op))
            out.write(" = ")
        out.write(quote(op.name))
        out.write("(")
        out.write(", ".join(self.value_name(v) for v in op.operands))
        out.write(")")
        if op.regions:
            out.write(" (")
            for i, region in enumerate(op.regions):
                if i:
                    out.write(", ")
                self._print_region(region, out, depth)
            out.write(")")
        if op.attributes:
            out.write(" ")
            out.write(self.attr_dict_text(op.attributes))
        out.write(" : (")
        out.write(", ".join(str(v.type) for v in op.operands))
        out.write(") -> ")
        results = op.results
        if len(results) == 1 and not _is_function(results[0].type):
            out.write(str(results[0].type))
        else:
            out.write("(" + ", ".join(str(r.type) for r in results) + ")")
        if self.print_locations and op.location is not None:
            out.write(" ")
            out.write(str(op.location))

    def _results_text(self, op: Operation) -> str:
        results = op.results
        if len(results) == 1 or not _same_group(results[-1]):
            return ", ".join(self.value_name(r) for r in results)
        return f"%{self.names[id(results[0])]}:{len(results)}"

    def _print_region(self, region: Region, out: io.StringIO, depth: int) -> None:
        out.write("{\n")
        labels = _block_labels(region.blocks)
        for i, block in enumerate(region.blocks):
            # The entry block needs its label when it has arguments, or when it is empty but not alone
            # (unlabeled, it would be read back as no block at all).
            if i > 0 or block.args or (not block.ops and len(region.blocks) > 1):
                self._print_block_header(block, labels[i], out, depth)
            for op in block.ops:
                self._print_op(op, out, depth + 1)
                out.write("\n")
        out.write(self.indent_unit * depth + "}")

    def _print_block_header(self, block: Block, label: str, out: io.StringIO, depth: int) -> None:
        out.write(self.indent_unit * depth + "^" + label)
        if block.args:
            out.write("(" + ", ".join(self._block_arg_text(a) for a in block.args) + ")")
        out.write(":\n")

    def _block_arg_text(self, arg) -> str:
        text = f"{self.value_name(arg)}: {arg.type}"
        if self.print_locations and arg.location is not None:
            text += f" {arg.location}"
        return text

    # ---- attributes and resources ----------------------------------------------------------------------
    def attr_dict_text(self, attrs: dict[str, Attribute]) -> str:
        parts = []
        memo = self._attr_text
        for key in sorted(attrs):
            value = attrs[key]
            cached = memo.get(id(value))
            if cached is None or cached[0] is not value:
                self._note_resources(value)
                cached = memo[id(value)] = (value, "" if isinstance(value, UnitAttr) else " = " + str(value))
            parts.append(_key_text(key) + cached[1])
        text = "{" + ", ".join(parts) + "}"
        if self.elide_resources and "dense_resource<" in text:
            text = _elide(text, self.blobs)
        return text

    def _note_resources(self, value: Attribute) -> None:
        if isinstance(value, DenseResourceAttr):
            known = self.blobs.setdefault(value.blob.name, value.blob)
            if known is not value.blob and known.data != value.blob.data:
                raise ValueError(f"two different resources are named '{value.blob.name}': give each blob its "
                                 f"own name")
        elif isinstance(value, ArrayAttr):
            for item in value.value:
                self._note_resources(item)
        elif isinstance(value, DictAttr):
            for _, item in value.value:
                self._note_resources(item)

    def _print_resources(self, out: io.StringIO) -> None:
        blobs = [b for b in self.blobs.values() if b.data is not None]
        if self.elide_resources or not blobs:
            return
        out.write("\n{-#\n  dialect_resources: {\n    builtin: {\n")
        for i, blob in enumerate(sorted(blobs, key=lambda b: b.name)):
            out.write(f"      {blob.name if is_bare_identifier(blob.name) else quote(blob.name)}: \"0x")
            out.write(struct.pack("<I", 4).hex().upper())
            out.write(blob.data.hex().upper())
            out.write('"')
            out.write(",\n" if i + 1 < len(blobs) else "\n")
        out.write("    }\n  }\n#-}\n")


def _same_group(v: Value) -> bool:
    """True if `v` is a result of a multi-result op whose results all share one name (`%x:2`)."""
    op = getattr(v, "op", None)
    if op is None or len(op.results) < 2:
        return False
    first = op.results[0].name_hint
    return all(r.name_hint == first for r in op.results)


def _is_function(t) -> bool:
    return isinstance(t, FunctionType)


_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_$.\-]")


@lru_cache(maxsize=65536)
def _clean_name(hint: str | None) -> str | None:
    """A name hint made printable as `%name` (`conv/1` -> `conv_1`); None if nothing is left of it."""
    if not hint:
        return None
    return _NOT_IN_NAME.sub("_", hint)


def _block_labels(blocks: list[Block]) -> list[str]:
    """A distinct label per block: its own (made printable) if free, else `bbN`."""
    labels: list[str | None] = []
    taken: set[str] = set()
    for block in blocks:
        label = _clean_name(block.label)
        if label is None or label in taken:
            labels.append(None)
        else:
            labels.append(label)
            taken.add(label)
    out = []
    counter = 0
    for i, label in enumerate(labels):
        if label is None:
            counter = max(counter, i)
            while f"bb{counter}" in taken:
                counter += 1
            label = f"bb{counter}"
            taken.add(label)
        out.append(label)
    return out


@lru_cache(maxsize=1024)
def _key_text(key: str) -> str:
    return format_entry(key, UnitAttr())


def _elide(text: str, blobs: dict[str, ResourceBlob]) -> str:
    for name in blobs:
        text = text.replace(f"dense_resource<{name}>", f"dense_resource<{ResourceBlob.ELIDED}>")
    return text


def print_module(module: Operation, **kw) -> str:
    return Printer(**kw).print_module(module)


def print_ops(ops: Iterable[Operation], **kw) -> str:
    return "\n".join(Printer(**kw).print_op_to_string(op) for op in ops)
