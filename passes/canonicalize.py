"""`canonicalize`: applies the canonicalization patterns of the ops in the module, and removes dead pure ops."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.ir.core import Operation
from rnc.ir.dialect import get_dialect
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass
from rnc.ir.rewriting import RewritePattern, apply_patterns_greedily


def canonicalization_patterns(module: Operation) -> list[RewritePattern]:
    """Patterns that the ops of the module's dialects declare through a `canonicalization_patterns()`
    classmethod. Only dialects the module uses are asked (loading every dialect would cost start-up time)."""
    dialect_names = sorted({op.name.split(".", 1)[0] for op in module.walk()})
    patterns: list[RewritePattern] = []
    for name in dialect_names:
        dialect = get_dialect(name)
        if dialect is None:
            continue  # an unregistered dialect (--allow-unregistered-dialect) has no patterns
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
        apply_patterns_greedily(module, canonicalization_patterns(module), max_iterations=self.max_iterations)
