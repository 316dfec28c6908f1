"""`remove-dropout-identity`: inference needs neither `nn.dropout` nor `nn.identity`; uses take their input."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.dialects.nn.canonicalization import ForwardOperand
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass
from rnc.ir.rewriting import apply_patterns_greedily


@register_pass
@dataclass
class RemoveDropoutIdentity(ModulePass):
    """Removes nn.dropout and nn.identity, forwarding their input to their users."""

    name = "remove-dropout-identity"

    def apply(self, module, ctx: PassContext) -> None:
        apply_patterns_greedily(module, [ForwardOperand("nn.dropout"), ForwardOperand("nn.identity")])
