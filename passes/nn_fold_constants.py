"""`fold-constants`: evaluates nn ops whose operands are all constants, replacing them by `nn.constant`.

Reshapes of constants re-type the same data (no copy, any size); other ops are evaluated with the
reference kernels when the result has at most `max_elements` elements.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rnc.dialects.nn import ConstantOp
from rnc.dialects.nn.canonicalization import ReshapeConstant
from rnc.dialects.nn.constant import ResourceNames, constant_attr, constant_of
from rnc.ir.core import Operation
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass
from rnc.ir.rewriting import RewritePattern, Rewriter, apply_patterns_greedily

DEFAULT_MAX_ELEMENTS = 1 << 16


class EvaluateConstantOp(RewritePattern):
    """Any nn op (other than nn.constant) with only constant operands and a small enough result."""

    op_name = None

    def __init__(self, names: ResourceNames, max_elements: int) -> None:
        self.names = names
        self.max_elements = max_elements

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        from rnc.dialects.nn.kernels import KERNELS, evaluate

        if not op.name.startswith("nn.") or isinstance(op, ConstantOp) or op.name not in KERNELS:
            return False
        if len(op.results) != 1 or not op.operands:
            return False
        result_type = op.results[0].type
        if not result_type.has_static_shape or result_type.num_elements > self.max_elements:
            return False
        arrays = [constant_of(v) for v in op.operands]
        if any(a is None for a in arrays):
            return False
        value = evaluate(op, arrays)
        hint = op.results[0].name_hint or op.name.replace("nn.", "folded_")
        attr = constant_attr(value, self.names, hint, result_type.element_type)
        rewriter.replace_op(op, ConstantOp.of(attr, name=op.results[0].name_hint, location=op.location))
        return True


@register_pass
@dataclass
class FoldConstants(ModulePass):
    """Evaluates nn ops whose operands are all constants (reshape, transpose, ... of weights) at compile time."""

    name = "fold-constants"
    max_elements: int = field(default=DEFAULT_MAX_ELEMENTS, metadata={"help": "largest result folded by evaluation"})

    def apply(self, module, ctx: PassContext) -> None:
        patterns = [ReshapeConstant("nn.reshape"), ReshapeConstant("nn.flatten"),
                    EvaluateConstantOp(ResourceNames(module), self.max_elements)]
        apply_patterns_greedily(module, patterns)
