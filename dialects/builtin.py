"""The builtin dialect: `builtin.module`, the top-level container of every program."""
from __future__ import annotations

from rnc.ir.attributes import StringAttr
from rnc.ir.core import Block, Operation, Region
from rnc.ir.dialect import Dialect
from rnc.ir.opdef import (IsolatedFromAbove, NoTerminator, VerifyError, irdl_op, opt_attribute, region,
                          verify_module_invariants)


@irdl_op("builtin.module", traits=[IsolatedFromAbove, NoTerminator])
class ModuleOp(Operation):
    """A container of ops (functions, globals) with one single-block region and no terminator."""

    body = region("the module's ops")
    sym_name = opt_attribute(StringAttr, doc="optional module name")

    @staticmethod
    def empty(ops=()) -> "ModuleOp":
        block = Block()
        for op in ops:
            block.append(op)
        return ModuleOp.create(regions=[Region([block])])  # type: ignore[return-value]

    @property
    def block(self) -> Block:
        return self.regions[0].block

    def verify_(self) -> None:
        if len(self.regions[0].blocks) != 1:
            raise VerifyError("expects one block in its region")
        if self.regions[0].block.args:
            raise VerifyError("its block takes no arguments")
        # A module is a symbol table: the ops it holds are named by their `sym_name`, uniquely.
        symbols: dict[str, Operation] = {}
        for op in self.regions[0].block.ops:
            name = op.attributes.get("sym_name")
            if not isinstance(name, StringAttr):
                continue
            if name.value in symbols:
                raise VerifyError(f"redefinition of symbol named '{name.value}'", op=op,
                                  notes=[(symbols[name.value], "see existing symbol definition here")])
            symbols[name.value] = op
        # Invariants that span the module (the placement an `xbar.array` declares) are checked here, once.
        verify_module_invariants(self)


DIALECT = Dialect("builtin", [ModuleOp], doc="Builtin container ops.")
