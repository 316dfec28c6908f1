"""Canonicalization patterns of nn ops, which the generic `canonicalize` pass applies.

Each pattern is local and cheap: forwarding pass-through ops, collapsing reshape chains, and reshaping
constants by re-typing their data (no copy: a resource blob may back several constants).
"""
from __future__ import annotations

from rnc.ir.attributes import DenseAttr, DenseResourceAttr
from rnc.ir.core import Operation
from rnc.ir.rewriting import RewritePattern, Rewriter
from rnc.ir.types import TensorType


class ForwardOperand(RewritePattern):
    """`%y = nn.identity(%x)` (or nn.dropout): every use of %y uses %x instead."""

    def __init__(self, op_name: str) -> None:
        self.op_name = op_name

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        rewriter.replace_all_uses(op, [op.operands[0]])
        rewriter.erase_op(op)
        return True


class FoldReshapeChain(RewritePattern):
    """`nn.reshape(nn.reshape(%x))` or `nn.reshape(nn.flatten(%x))` -> one `nn.reshape(%x)`."""

    op_name = "nn.reshape"

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        producer = getattr(op.operands[0], "op", None)
        if producer is None or producer.name not in ("nn.reshape", "nn.flatten"):
            return False
        from .shape_ops import ReshapeOp
        new = ReshapeOp.make(input=producer.operands[0], shape=op.results[0].type.shape,
                             name=op.results[0].name_hint, location=op.location)
        rewriter.replace_op(op, new)
        return True


class RemoveNoOpReshape(RewritePattern):
    """A reshape (or cast) to the type it already has is its input."""

    def __init__(self, op_name: str = "nn.reshape") -> None:
        self.op_name = op_name

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        if op.operands[0].type != op.results[0].type:
            return False
        rewriter.replace_all_uses(op, [op.operands[0]])
        rewriter.erase_op(op)
        return True


class ReshapeConstant(RewritePattern):
    """`nn.reshape` / `nn.flatten` of an `nn.constant` -> a constant of the new type over the same data."""

    def __init__(self, op_name: str) -> None:
        self.op_name = op_name

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        from .constant import ConstantOp
        producer = getattr(op.operands[0], "op", None)
        if not isinstance(producer, ConstantOp) or not op.results[0].type.has_static_shape:
            return False
        new_type: TensorType = op.results[0].type
        value = producer.value
        if isinstance(value, DenseResourceAttr):
            retyped = DenseResourceAttr(value.blob, new_type)
        else:
            retyped = DenseAttr(value.array.reshape(new_type.shape), new_type)
        rewriter.replace_op(op, ConstantOp.of(retyped, name=op.results[0].name_hint, location=op.location))
        return True
