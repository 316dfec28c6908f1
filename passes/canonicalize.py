"""`canonicalize`: applies every registered op's canonicalization patterns, and removes dead pure ops."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.ir.dialect import all_dialects
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass
from rnc.ir.rewriting import RewritePattern, apply_patterns_greedily


def canonicalization_patterns() -> list[RewritePattern]:
    """Patterns that ops declare through a `canonicalization_patterns()` classmethod."""
    patterns: list[RewritePattern] = []
    for dialect in all_dialects():
        for op_cls in dialect.ops:
            getter = getattr(op_cls, "canonicalization_patterns", None)
            if getter is not None:
                patterns.extend(getter())
    return patterns


@register_pass
@dataclass
class Canonicalize(ModulePass):
    """Simplifies the IR with every op's canonicalization patterns, then removes unused pure ops."""

    name = "canonicalize"
    max_iterations: int = 10

    def apply(self, module, ctx: PassContext) -> None:
        apply_patterns_greedily(module, canonicalization_patterns(), max_iterations=self.max_iterations)
