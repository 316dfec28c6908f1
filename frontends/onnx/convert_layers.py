"""Converters of weighted and normalizing layers: Conv, ConvTranspose, Gemm, MatMul, BatchNormalization,
LayerNormalization, LRN, Softmax."""
from __future__ import annotations

import math

import numpy as np

from rnc.dialects.nn import (AddOp, BatchNormOp, Conv2dOp, ConvTranspose2dOp, LayerNormOp, LinearOp, LrnOp, MatMulOp,
                             MulOp, ReshapeOp, SoftmaxOp, TransposeOp)

from .context import NodeContext, f32_attr
from .registry import converter
from .spatial import as_2d, explicit_pads, lift_1d, lower_1d, pads_as_2d, spatial_rank, strides_and_dilations


def _window(ctx: NodeContext, what: str) -> tuple[int, list[int], list[int], list[int]]:
    """(spatial rank, kernel, strides, dilations) of a Conv or ConvTranspose node; `kernel_shape`, when given,
    must be the weight's."""
    rank = spatial_rank(ctx, what)
    x_type, w_type = ctx.type(0), ctx.type(1)
    kernel = list(ctx.attr("kernel_shape", w_type.shape[2:]))
    if list(w_type.shape[2:]) != kernel or len(kernel) != rank:
        raise ctx.error(f"kernel_shape {kernel} does not match the weight {w_type} and the input {x_type}")
    return (rank, kernel, *strides_and_dilations(ctx, rank))


@converter("Conv")
def convert_conv(ctx: NodeContext):
    rank, kernel, strides, dilations = _window(ctx, "convolution")
    pads = explicit_pads(ctx, ctx.type(0).shape[2:], kernel, strides, dilations)
    x, w, b = ctx.value(0), ctx.value(1), ctx.optional_value(2)
    if rank == 1:
        x, w = lift_1d(ctx, x), lift_1d(ctx, w)
        strides, dilations, pads = as_2d(strides, 1), as_2d(dilations, 1), pads_as_2d(pads)
    y = ctx.emit(Conv2dOp, input=x, weight=w, bias=b, strides=strides, pads=pads, dilations=dilations,
                 groups=ctx.attr("group", 1))
    return [lower_1d(ctx, y) if rank == 1 else y]


@converter("ConvTranspose")
def convert_conv_transpose(ctx: NodeContext):
    """Explicit pads, or pads derived from `output_shape` / `auto_pad` SAME_* as the ONNX spec says (the
    total trimmed is split evenly, the odd one at the end for SAME_UPPER, at the start otherwise)."""
    rank, kernel, strides, dilations = _window(ctx, "transposed convolution")
    x_type = ctx.type(0)
    extra = [int(v) for v in ctx.attr("output_padding", [0] * rank)]
    if len(extra) != rank:
        raise ctx.error(f"expects output_padding of {rank} integers, got {extra}")
    sizes = x_type.shape[2:]
    full = [(n - 1) * s + d * (k - 1) + 1 + e for n, s, d, k, e in zip(sizes, strides, dilations, kernel, extra)]
    auto = ctx.attr("auto_pad", "NOTSET")
    wanted = ctx.attr("output_shape", [])
    if wanted or auto in ("SAME_UPPER", "SAME_LOWER"):
        wanted = [int(v) for v in wanted[-rank:]] if wanted else [n * s for n, s in zip(sizes, strides)]
        totals = [f - o for f, o in zip(full, wanted)]
        if len(wanted) != rank or any(t < 0 for t in totals):
            raise ctx.error(f"output_shape {wanted} is not reachable from the input {x_type}")
        upper = auto == "SAME_UPPER"
        pads = [t // 2 if upper else t - t // 2 for t in totals] + [t - t // 2 if upper else t // 2 for t in totals]
    elif auto == "VALID":
        pads = [0] * 2 * rank
    else:
        pads = [int(v) for v in ctx.attr("pads", [0] * 2 * rank)]
        if len(pads) != 2 * rank:
            raise ctx.error(f"expects {2 * rank} pads, got {len(pads)}")
    x, w, b = ctx.value(0), ctx.value(1), ctx.optional_value(2)
    if rank == 1:
        x, w = lift_1d(ctx, x), lift_1d(ctx, w)
        strides, dilations, pads, extra = as_2d(strides, 1), as_2d(dilations, 1), pads_as_2d(pads), as_2d(extra, 0)
    y = ctx.emit(ConvTranspose2dOp, input=x, weight=w, bias=b, strides=strides, pads=pads, dilations=dilations,
                 output_padding=extra, groups=ctx.attr("group", 1))
    return [lower_1d(ctx, y) if rank == 1 else y]


@converter("Gemm")
def convert_gemm(ctx: NodeContext):
    """`alpha * A' @ B' + beta * C` as nn.linear: B' becomes an N x K weight, alpha and beta are folded into
    the constant operands (or applied with nn.mul when they are not constants)."""
    alpha, beta = float(ctx.attr("alpha", 1.0)), float(ctx.attr("beta", 1.0))
    trans_a, trans_b = ctx.attr("transA", 0), ctx.attr("transB", 0)
    if ctx.type(0).rank != 2 or ctx.type(1).rank != 2:
        raise ctx.error(f"expects 2-d A and B, got {ctx.type(0)} and {ctx.type(1)}")
    a = ctx.value(0)
    if trans_a:
        a = ctx.emit(TransposeOp, input=a, perm=[1, 0])
    weight = _gemm_weight(ctx, alpha, trans_b)
    out_features = weight.type.shape[0]
    bias, full_c = None, None
    if ctx.has_input(2):
        c_const, c_type = ctx.const(2), ctx.type(2)
        if beta == 1.0 and c_type.shape == (out_features,):
            bias = ctx.value(2)  # torch's nn.Linear bias, used as it is
        elif c_const is not None and c_type.num_elements in (1, out_features) and \
                (c_type.rank <= 1 or c_type.shape[-1] == c_type.num_elements):
            bias = ctx.constant(np.broadcast_to(beta * c_const.reshape(-1), (out_features,)), "bias", a.type)
        else:
            full_c = ctx.value(2) if beta == 1.0 else _scaled(ctx, ctx.value(2), beta)
    y = ctx.emit(LinearOp, input=a, weight=weight, bias=bias)
    if full_c is not None:
        y = ctx.emit(AddOp, lhs=y, rhs=full_c)
    return [y]


def _gemm_weight(ctx: NodeContext, alpha: float, trans_b: int):
    b_const = ctx.const(1)
    if b_const is not None and (alpha != 1.0 or not trans_b):
        w = b_const if trans_b else b_const.T
        return ctx.constant(w * alpha if alpha != 1.0 else w, "weight", ctx.type(1))
    w = ctx.value(1)  # an N x K initializer is used as it is, without a copy
    if not trans_b:
        w = ctx.emit(TransposeOp, input=w, perm=[1, 0])
    return _scaled(ctx, w, alpha) if alpha != 1.0 else w


def _scaled(ctx: NodeContext, value, factor: float):
    return ctx.emit(MulOp, lhs=value, rhs=ctx.constant(np.array(factor), "scale", value.type))


@converter("MatMul")
def convert_matmul(ctx: NodeContext):
    return [ctx.emit(MatMulOp, lhs=ctx.value(0), rhs=ctx.value(1))]


@converter("BatchNormalization")
def convert_batch_norm(ctx: NodeContext):
    if ctx.attr("training_mode", 0):
        raise ctx.unsupported("training mode is not supported (inference only)")
    if ctx.opset < 9 and ctx.attr("spatial", 1) == 0:
        raise ctx.unsupported("non-spatial batch normalization (spatial=0) is not supported")
    y = ctx.emit(BatchNormOp, input=ctx.value(0), scale=ctx.value(1), bias=ctx.value(2), mean=ctx.value(3),
                 variance=ctx.value(4), epsilon=f32_attr(ctx.attr("epsilon", 1e-5)))
    return [y]


@converter("LayerNormalization")
def convert_layer_norm(ctx: NodeContext):
    """Y only: the optional Mean and InvStdDev outputs (training) are not computed."""
    x = ctx.value(0)
    axis = ctx.axes([ctx.attr("axis", -1)], x.type.rank, "axis")[0]
    return [ctx.emit(LayerNormOp, input=x, scale=ctx.value(1), bias=ctx.optional_value(2), axis=axis,
                     epsilon=f32_attr(ctx.attr("epsilon", 1e-5)))]


@converter("LRN")
def convert_lrn(ctx: NodeContext):
    return [ctx.emit(LrnOp, input=ctx.value(0), size=ctx.attr("size"), alpha=f32_attr(ctx.attr("alpha", 1e-4)),
                     beta=f32_attr(ctx.attr("beta", 0.75)), bias=f32_attr(ctx.attr("bias", 1.0)))]


@converter("Softmax")
def convert_softmax(ctx: NodeContext):
    """Before opset 13 Softmax normalizes the input flattened to 2-d at `axis` (default 1); since, one axis
    (default -1). The old form becomes reshape -> softmax -> reshape unless `axis` is the last one."""
    x = ctx.value(0)
    rank = x.type.rank
    axis = ctx.axes([ctx.attr("axis", -1 if ctx.opset >= 13 else 1)], rank, "axis")[0]
    if ctx.opset >= 13 or axis == rank - 1:
        return [ctx.emit(SoftmaxOp, input=x, axis=axis)]
    shape = x.type.shape
    rows = ctx.emit(ReshapeOp, input=x, shape=(math.prod(shape[:axis]), math.prod(shape[axis:])))
    y = ctx.emit(SoftmaxOp, input=rows, axis=1)
    return [ctx.emit(ReshapeOp, input=y, shape=shape)]
