"""`test-emit-diagnostics`: turns `warn`/`remark` attributes into diagnostics, to test how tools report them."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.ir.attributes import StringAttr
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass


@register_pass
@dataclass
class TestEmitDiagnostics(ModulePass):
    """Emits a warning for each op with a `warn = "..."` attribute and a remark for `remark = "..."`."""

    name = "test-emit-diagnostics"

    def apply(self, module, ctx: PassContext) -> None:
        for op in module.walk():
            warn, remark = op.attributes.get("warn"), op.attributes.get("remark")
            if isinstance(warn, StringAttr):
                ctx.warn(op, warn.value)
            if isinstance(remark, StringAttr):
                ctx.remark(op, remark.value)
