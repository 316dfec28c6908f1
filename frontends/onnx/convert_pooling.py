"""Converters of pooling and reductions: MaxPool, AveragePool, GlobalAveragePool, ReduceMean/Sum/Max."""
from __future__ import annotations

from rnc.dialects.nn import AvgPoolOp, GlobalAvgPoolOp, MaxPoolOp, ReduceMaxOp, ReduceMeanOp, ReduceSumOp

from .context import NodeContext
from .registry import converter
from .spatial import as_2d, explicit_pads, lift_1d, lower_1d, pads_as_2d, spatial_rank, strides_and_dilations


@converter("MaxPool", "AveragePool")
def convert_pool(ctx: NodeContext):
    rank = spatial_rank(ctx, "pooling")
    kernel = list(ctx.attr("kernel_shape", []))
    if len(kernel) != rank:
        raise ctx.error(f"expects a kernel_shape of {rank} elements, got {kernel}")
    strides, dilations = strides_and_dilations(ctx, rank)
    pads = explicit_pads(ctx, ctx.type(0).shape[2:], kernel, strides, dilations)
    x = ctx.value(0)
    if rank == 1:
        x = lift_1d(ctx, x)
        kernel, strides, dilations, pads = as_2d(kernel, 1), as_2d(strides, 1), as_2d(dilations, 1), pads_as_2d(pads)
    ceil_mode = bool(ctx.attr("ceil_mode", 0))
    if ctx.node.op_type == "MaxPool":
        if ctx.attr("storage_order", 0):
            raise ctx.unsupported("column-major storage_order is not supported")
        y = ctx.emit(MaxPoolOp, input=x, kernel_shape=kernel, strides=strides, pads=pads, dilations=dilations,
                     ceil_mode=ceil_mode)
    else:
        if any(d != 1 for d in dilations):
            raise ctx.unsupported("dilated average pooling is not supported")
        y = ctx.emit(AvgPoolOp, input=x, kernel_shape=kernel, strides=strides, pads=pads, ceil_mode=ceil_mode,
                     count_include_pad=bool(ctx.attr("count_include_pad", 0)))
    return [lower_1d(ctx, y) if rank == 1 else y]


@converter("GlobalAveragePool")
def convert_global_average_pool(ctx: NodeContext):
    x = ctx.value(0)
    if x.type.rank == 4:
        return [ctx.emit(GlobalAvgPoolOp, input=x)]
    if x.type.rank < 3:
        raise ctx.error(f"expects an input of rank >= 3, got {x.type}")
    return [ctx.emit(ReduceMeanOp, input=x, axes=list(range(2, x.type.rank)), keepdims=True)]


# The opset since which each reduction takes its axes as an input instead of an attribute.
_AXES_INPUT_SINCE = {"ReduceMean": 18, "ReduceSum": 13, "ReduceMax": 18}
_REDUCTIONS = {"ReduceMean": ReduceMeanOp, "ReduceSum": ReduceSumOp, "ReduceMax": ReduceMaxOp}


@converter(*_REDUCTIONS)
def convert_reduction(ctx: NodeContext):
    """Axes are an attribute before the opset in `_AXES_INPUT_SINCE` and a (constant) input since; none means
    all axes, unless `noop_with_empty_axes` makes the node an identity."""
    x = ctx.value(0)
    op_type = ctx.node.op_type
    if ctx.opset < _AXES_INPUT_SINCE[op_type]:
        axes = ctx.attr("axes")
    else:
        axes = [int(a) for a in ctx.require_const(1, "axes").reshape(-1)] if ctx.has_input(1) else None
    if not axes:
        if ctx.attr("noop_with_empty_axes", 0):
            return [x]
        axes = list(range(x.type.rank))
    axes = sorted(ctx.axes(axes, x.type.rank))
    return [ctx.emit(_REDUCTIONS[op_type], input=x, axes=axes, keepdims=bool(ctx.attr("keepdims", 1)))]
