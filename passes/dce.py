"""`dce`: dead code elimination of ops without side effects whose results are unused."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.ir.pass_manager import ModulePass, PassContext, register_pass
from rnc.ir.rewriting import apply_patterns_greedily


@register_pass
@dataclass
class DeadCodeElimination(ModulePass):
    """Erases pure ops (no side effects) whose results nobody uses, repeatedly, until none is left."""

    name = "dce"

    def apply(self, module, ctx: PassContext) -> None:
        apply_patterns_greedily(module, [], remove_dead=True)
