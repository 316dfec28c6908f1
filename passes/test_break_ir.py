"""`test-break-ir`: makes valid IR invalid on purpose, so tests can watch `--verify-each` catch a bad pass."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.ir.attributes import IntegerAttr
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass


@register_pass
@dataclass
class TestBreakIR(ModulePass):
    """Negates the `value` of every test.i32 (a negative value fails test.i32's verifier)."""

    name = "test-break-ir"

    def apply(self, module, ctx: PassContext) -> None:
        for op in module.walk():
            if op.name == "test.i32":
                old = op.attributes["value"]
                op.attributes["value"] = IntegerAttr(-old.value, old.type)
