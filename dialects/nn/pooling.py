"""Pooling and reductions: `nn.max_pool`, `nn.avg_pool`, `nn.global_avg_pool` over NCHW tensors,
`nn.reduce_mean`, `nn.reduce_sum`, `nn.reduce_max` over any axes."""
from __future__ import annotations

from rnc.ir.opdef import Pure, VerifyError, attribute, irdl_op, operand, opt_attribute, result
from rnc.ir.types import TensorType

from .base import (NnOp, float_tensor, int_array, int_list, normalize_axis, require_min_rank, require_rank,
                   spatial_window_shape, unit_attr)


def _pool_type(op, dilations) -> TensorType:
    x = require_rank(op.input.type, 4, "input")
    kernel = int_list(op.kernel_shape, 2, "kernel_shape", minimum=1)
    strides = int_list(op.strides, 2, "strides", minimum=1)
    pads = int_list(op.pads, 4, "pads", minimum=0)
    for i in range(2):
        if pads[i] >= kernel[i] or pads[i + 2] >= kernel[i]:
            raise VerifyError(f"expects pads smaller than the kernel, got pads {list(pads)} for kernel "
                              f"{list(kernel)}")
    h, w = spatial_window_shape(x, kernel, strides, pads, dilations, op.ceil_mode is not None)
    return TensorType((x.shape[0], x.shape[1], h, w), x.element_type)


@irdl_op("nn.max_pool", traits=[Pure])
class MaxPoolOp(NnOp):
    """2-d max pooling of an NCHW tensor; padding never wins (it counts as -inf)."""

    input = operand(float_tensor, doc="N x C x H x W")
    output = result(float_tensor)
    kernel_shape = attribute(int_array, doc="[KH, KW]")
    strides = opt_attribute(int_array, default=[1, 1], doc="[stride_h, stride_w]")
    pads = opt_attribute(int_array, default=[0, 0, 0, 0], doc="[top, left, bottom, right]")
    dilations = opt_attribute(int_array, default=[1, 1], doc="[dilation_h, dilation_w]")
    ceil_mode = opt_attribute(unit_attr, doc="present: round the output size up (partial last windows)")

    def infer_type(self) -> TensorType:
        return _pool_type(self, int_list(self.dilations, 2, "dilations", minimum=1))


@irdl_op("nn.avg_pool", traits=[Pure])
class AvgPoolOp(NnOp):
    """2-d average pooling of an NCHW tensor."""

    input = operand(float_tensor, doc="N x C x H x W")
    output = result(float_tensor)
    kernel_shape = attribute(int_array, doc="[KH, KW]")
    strides = opt_attribute(int_array, default=[1, 1], doc="[stride_h, stride_w]")
    pads = opt_attribute(int_array, default=[0, 0, 0, 0], doc="[top, left, bottom, right]")
    ceil_mode = opt_attribute(unit_attr, doc="present: round the output size up (partial last windows)")
    count_include_pad = opt_attribute(unit_attr, doc="present: padded zeros count in each window's divisor")

    def infer_type(self) -> TensorType:
        return _pool_type(self, (1, 1))


@irdl_op("nn.global_avg_pool", traits=[Pure])
class GlobalAvgPoolOp(NnOp):
    """Mean over the spatial dimensions of an NCHW tensor, keeping them as 1 x 1."""

    input = operand(float_tensor, doc="N x C x H x W")
    output = result(float_tensor, doc="N x C x 1 x 1")

    def infer_type(self) -> TensorType:
        x = require_rank(self.input.type, 4, "input")
        return TensorType((x.shape[0], x.shape[1], 1, 1), x.element_type)


class _Reduction(NnOp):
    """What the reductions share: `axes` (distinct, non-empty) and `keepdims` decide the result shape."""

    def reduced_axes(self) -> tuple[int, ...]:
        x = self.input.type
        axes = tuple(normalize_axis(a, x.rank, "axes") for a in self.axes.ints())
        if not axes or len(set(axes)) != len(axes):
            raise VerifyError(f"expects distinct, non-empty 'axes', got {list(self.axes.ints())}")
        return axes

    def infer_type(self) -> TensorType:
        x = require_min_rank(self.input.type, 1)
        axes = self.reduced_axes()
        if self.keepdims is not None:
            shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
        else:
            shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
        return TensorType(shape, x.element_type)


def _reduction_op(op_name: str, class_name: str, doc: str, **members) -> type[_Reduction]:
    """A reduction op class: one input, one result, `axes` and `keepdims` (the same declaration for each)."""
    fields = {"__doc__": doc, "__module__": __name__, "input": operand(float_tensor), "output": result(float_tensor),
              "axes": attribute(int_array, doc="axes to reduce, non-empty, each in [-rank, rank)"),
              "keepdims": opt_attribute(unit_attr, doc="present: reduced axes stay as size 1"), **members}
    return irdl_op(op_name, traits=[Pure])(type(class_name, (_Reduction,), fields))


def _mean_patterns(cls):
    from .canonicalization import ReduceMeanToGlobalAvgPool
    return [ReduceMeanToGlobalAvgPool()]


ReduceMeanOp = _reduction_op(
    "nn.reduce_mean", "ReduceMeanOp", """Mean over the given axes (ONNX ReduceMean).

    Models use it over the spatial axes [2, 3], where the canonicalization makes it an `nn.global_avg_pool`.""",
    canonicalization_patterns=classmethod(_mean_patterns))
ReduceSumOp = _reduction_op("nn.reduce_sum", "ReduceSumOp", """Sum over the given axes (ONNX ReduceSum).""")
ReduceMaxOp = _reduction_op("nn.reduce_max", "ReduceMaxOp", """Maximum over the given axes (ONNX ReduceMax).""")
