"""Dialects: named groups of ops, types and attributes, looked up through one registry table.

The table (`rnc.dialects.registry.DIALECT_MODULES`) maps a dialect name to the module declaring it; a dialect
is imported the first time one of its names is parsed or asked for, which keeps tool start-up fast.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Sequence

from .attributes import DialectAttr
from .core import Operation
from .types import DialectType


@dataclass
class Dialect:
    """`Dialect("nn", [Conv2dOp, ...], types=[...], attributes=[...], doc="...")`."""

    name: str
    ops: Sequence[type[Operation]] = ()
    types: Sequence[type[DialectType]] = ()
    attributes: Sequence[type[DialectAttr]] = ()
    doc: str = ""
    op_table: dict[str, type[Operation]] = field(init=False)

    def __post_init__(self) -> None:
        self.op_table = {}
        for op in self.ops:
            if not op.OP_NAME or not op.OP_NAME.startswith(self.name + "."):
                raise ValueError(f"op {op.OP_NAME!r} does not belong to dialect '{self.name}'")
            if op.OP_NAME in self.op_table:
                raise ValueError(f"op {op.OP_NAME!r} registered twice")
            self.op_table[op.OP_NAME] = op
        self.type_table = {t.mnemonic: t for t in self.types}
        self.attr_table = {a.mnemonic: a for a in self.attributes}


class DialectLoadError(Exception):
    """A registered dialect's module failed to import (a bug in it): reported as a diagnostic, not a crash."""


_loaded: dict[str, Dialect | None] = {}


def get_dialect(name: str) -> Dialect | None:
    """The registered dialect `name`, imported on first use; None if no such dialect is registered."""
    if name in _loaded:
        return _loaded[name]
    from rnc.dialects.registry import DIALECT_MODULES
    module = DIALECT_MODULES.get(name)
    dialect = None
    if module is not None:
        try:
            dialect = getattr(importlib.import_module(module), "DIALECT")
        except Exception as e:  # noqa: BLE001 - whatever broke, the user gets one line, not a traceback
            raise DialectLoadError(f"dialect '{name}' ({module}) failed to load: {type(e).__name__}: {e}") from e
    _loaded[name] = dialect
    return dialect


def lookup_op(name: str) -> type[Operation] | None:
    dialect_name = name.split(".", 1)[0]
    dialect = get_dialect(dialect_name)
    return dialect.op_table.get(name) if dialect else None


def all_dialects() -> list[Dialect]:
    from rnc.dialects.registry import DIALECT_MODULES
    return [d for d in (get_dialect(n) for n in DIALECT_MODULES) if d is not None]
