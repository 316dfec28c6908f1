"""`test-emit-diagnostics`: turns `warn`/`remark` attributes into diagnostics, to test how tools report them."""
from __future__ import annotations

from dataclasses import dataclass, field

from rnc.ir.attributes import StringAttr
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass
from rnc.ir.rewriting import RewritePattern, Rewriter, apply_patterns_greedily


class _WarnFromAttributes(RewritePattern):
    """Reports an op's `warn`/`remark` through the rewriter, then marks the op changed so the driver visits it
    again: the diagnostics must still come out once."""

    def __init__(self) -> None:
        self.revisited: set[int] = set()

    def match_and_rewrite(self, op, rewriter: Rewriter) -> bool:
        warn, remark = op.attributes.get("warn"), op.attributes.get("remark")
        if isinstance(warn, StringAttr):
            rewriter.warn(op, warn.value)
        if isinstance(remark, StringAttr):
            rewriter.remark(op, remark.value)
        if (warn or remark) and id(op) not in self.revisited:
            self.revisited.add(id(op))
            rewriter.modify_op(op)
            return True
        return False


@register_pass
@dataclass
class TestEmitDiagnostics(ModulePass):
    """Emits a warning for each op with a `warn = "..."` attribute and a remark for `remark = "..."`."""

    name = "test-emit-diagnostics"
    through_patterns: bool = field(default=False, metadata={
        "help": "report from a rewrite pattern that the greedy driver applies twice to each op"})

    def apply(self, module, ctx: PassContext) -> None:
        if self.through_patterns:
            apply_patterns_greedily(module, [_WarnFromAttributes()], remove_dead=False,
                                    diagnostics=ctx.diagnostics)
            return
        for op in module.walk():
            warn, remark = op.attributes.get("warn"), op.attributes.get("remark")
            if isinstance(warn, StringAttr):
                ctx.warn(op, warn.value)
            if isinstance(remark, StringAttr):
                ctx.remark(op, remark.value)
