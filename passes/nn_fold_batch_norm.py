"""`fold-batch-norm`: folds an inference `nn.batch_norm` into the `nn.conv2d` or `nn.linear` feeding it.

    y = bn(conv(x, w, b))  ->  y = conv(x, w * s, (b - mean) * s + beta),  s = scale / sqrt(var + eps)

Only when the conv/linear result has no other user and every weight and statistic is a constant; any
other batch norm is left as it is.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnc.dialects.nn import BatchNormOp, ConstantOp, Conv2dOp, LinearOp
from rnc.dialects.nn.constant import ResourceNames, constant_attr, constant_of
from rnc.ir.core import Operation
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass
from rnc.ir.rewriting import RewritePattern, Rewriter, apply_patterns_greedily


class FoldBatchNormIntoProducer(RewritePattern):
    op_name = "nn.batch_norm"

    def __init__(self, names: ResourceNames) -> None:
        self.names = names

    def match_and_rewrite(self, bn: Operation, rewriter: Rewriter) -> bool:
        if not isinstance(bn, BatchNormOp):
            return False
        producer = getattr(bn.input, "op", None)
        if not isinstance(producer, (Conv2dOp, LinearOp)) or len(producer.results[0].uses) != 1:
            return False
        stats = [constant_of(v) for v in (bn.scale, bn.bias, bn.mean, bn.variance)]
        weight = constant_of(producer.weight)
        bias = constant_of(producer.bias) if producer.bias is not None else None
        if any(s is None for s in stats) or weight is None or (producer.bias is not None and bias is None):
            return False
        scale, shift, mean, var = (s.astype(np.float64) for s in stats)
        factor = scale / np.sqrt(var + bn.epsilon.value)
        dtype = weight.dtype
        new_weight = (weight * factor.reshape((-1,) + (1,) * (weight.ndim - 1))).astype(dtype)
        old_bias = bias.astype(np.float64) if bias is not None else np.zeros_like(mean)
        new_bias = ((old_bias - mean) * factor + shift).astype(dtype)
        base = producer.results[0].name_hint or "folded"
        w_op = ConstantOp.of(constant_attr(new_weight, self.names, f"{base}_weight"), name=f"{base}_weight",
                             location=producer.location)
        b_op = ConstantOp.of(constant_attr(new_bias, self.names, f"{base}_bias"), name=f"{base}_bias",
                             location=producer.location)
        fields = {name: a for name, a in producer.attributes.items()}
        folded = type(producer).make(input=producer.input, weight=w_op.results[0], bias=b_op.results[0],
                                     location=producer.location, name=producer.results[0].name_hint,
                                     **fields)
        rewriter.insert_before(producer, w_op)
        rewriter.insert_before(producer, b_op)
        rewriter.insert_before(producer, folded)
        rewriter.replace_all_uses(bn, folded.results)
        rewriter.erase_op(bn)
        rewriter.erase_op(producer)
        return True


@register_pass
@dataclass
class FoldBatchNorm(ModulePass):
    """Folds nn.batch_norm into the nn.conv2d / nn.linear before it when that is its only user."""

    name = "fold-batch-norm"

    def apply(self, module, ctx: PassContext) -> None:
        apply_patterns_greedily(module, [FoldBatchNormIntoProducer(ResourceNames(module))])
