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


class ReduceMeanToGlobalAvgPool(RewritePattern):
    """`nn.reduce_mean` of an NCHW tensor over axes [2, 3] -> `nn.global_avg_pool` (the dynamo exporter writes
    global average pooling so); without `keepdims`, followed by an `nn.reshape` to N x C."""

    op_name = "nn.reduce_mean"

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        x = op.operands[0].type
        if x.rank != 4 or sorted(a % 4 for a in op.axes.ints()) != [2, 3]:
            return False
        from .pooling import GlobalAvgPoolOp
        from .shape_ops import ReshapeOp
        name = op.results[0].name_hint
        pool = GlobalAvgPoolOp.make(input=op.operands[0], location=op.location,
                                    name=name if op.keepdims is not None else None)
        if op.keepdims is not None:
            rewriter.replace_op(op, pool)
        else:
            rewriter.replace_op(op, [pool, ReshapeOp.make(input=pool.results[0], shape=op.results[0].type.shape,
                                                          name=name, location=op.location)])
        return True


class ConvTransposeAsConv(RewritePattern):
    """`nn.conv_transpose2d` with a constant weight -> `nn.insert_zeros` (strides > 1) and `nn.conv2d`, which
    crossbars compute: stride 1, the same dilations and groups, the kernel flipped with its input and output
    channels swapped per group, and pads dilation * (k - 1) - pad at the start and that plus output_padding
    at the end. Left alone where a pad exceeds dilation * (k - 1) (the conv would need negative padding)."""

    op_name = "nn.conv_transpose2d"

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        import numpy as np

        from .constant import ConstantOp, ResourceNames, constant_attr, constant_of
        from .conv_transpose import InsertZerosOp
        from .linear_algebra import Conv2dOp
        w = constant_of(op.weight)
        if w is None:
            return False
        strides, pads, dilations = op.strides.ints(), op.pads.ints(), op.dilations.ints()
        extra, groups = op.output_padding.ints(), op.groups.value
        reach = [dilations[i] * (w.shape[2 + i] - 1) for i in range(2)]
        conv_pads = [reach[0] - pads[0], reach[1] - pads[1], reach[0] - pads[2] + extra[0],
                     reach[1] - pads[3] + extra[1]]
        if min(conv_pads) < 0:
            return False
        c, group_out, kh, kw = w.shape
        flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].reshape(groups, c // groups, group_out, kh, kw)
                                       .transpose(0, 2, 1, 3, 4).reshape(groups * group_out, c // groups, kh, kw))
        name = op.results[0].name_hint or "conv_transpose"
        module = op
        while module.parent_op is not None:
            module = module.parent_op
        weight = ConstantOp.of(constant_attr(flipped, ResourceNames(module), f"{name}_weight",
                                             op.weight.type.element_type), name=f"{name}_weight", location=op.location)
        new_ops = [weight]
        x = op.input
        if any(s > 1 for s in strides):
            spread = InsertZerosOp.make(input=x, strides=list(strides), location=op.location, name=f"{name}_zeros")
            new_ops.append(spread)
            x = spread.results[0]
        new_ops.append(Conv2dOp.make(input=x, weight=weight.results[0], bias=op.bias, pads=conv_pads,
                                     dilations=list(dilations), groups=groups, location=op.location, name=name))
        rewriter.replace_op(op, new_ops)
        return True
