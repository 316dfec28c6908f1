"""Ops that multiply by weights: `nn.conv2d`, `nn.linear`, `nn.matmul` (what crossbars compute)."""
from __future__ import annotations

from rnc.ir.opdef import (Pure, SameElementType, VerifyError, irdl_op, operand, opt_attribute, opt_operand,
                          result)
from rnc.ir.types import TensorType

from .base import (NnOp, broadcast_shapes, conv_operands, float_tensor, int_array, int_attr, require_rank,
                   spatial_window_shape)


@irdl_op("nn.conv2d", traits=[Pure, SameElementType])
class Conv2dOp(NnOp):
    """2-d convolution of an NCHW input with OIHW weights, grouped and dilated (ONNX Conv).

    Output channel `o` of group `g = o // (O / groups)` sees input channels `g*C/groups ..` only.
    """

    input = operand(float_tensor, doc="N x C x H x W")
    weight = operand(float_tensor, doc="O x C/groups x KH x KW")
    bias = opt_operand(float_tensor, doc="O (optional)")
    output = result(float_tensor, doc="N x O x H_out x W_out")
    strides = opt_attribute(int_array, default=[1, 1], doc="[stride_h, stride_w]")
    pads = opt_attribute(int_array, default=[0, 0, 0, 0], doc="[top, left, bottom, right] zero padding")
    dilations = opt_attribute(int_array, default=[1, 1], doc="[dilation_h, dilation_w]")
    groups = opt_attribute(int_attr, default=1, doc="number of channel groups (C for depthwise)")

    def infer_type(self) -> TensorType:
        x, w, strides, dilations, pads = conv_operands(self)
        groups = self.groups.value
        if groups < 1:
            raise VerifyError(f"expects 'groups' >= 1, got {groups}")
        out_channels, group_channels = w.shape[0], w.shape[1]
        if x.shape[1] is not None and x.shape[1] != group_channels * groups:
            raise VerifyError(f"input has {x.shape[1]} channels but the weight expects {group_channels} x "
                              f"{groups} groups = {group_channels * groups}")
        if out_channels % groups:
            raise VerifyError(f"{out_channels} output channels are not divisible by {groups} groups")
        if self.bias is not None:
            b = require_rank(self.bias.type, 1, "bias")
            if b.shape[0] != out_channels:
                raise VerifyError(f"expects a bias of {out_channels} elements, got {b}")
        h, wd = spatial_window_shape(x, w.shape[2:], strides, pads, dilations, ceil_mode=False)
        return TensorType((x.shape[0], out_channels, h, wd), x.element_type)


@irdl_op("nn.linear", traits=[Pure, SameElementType])
class LinearOp(NnOp):
    """Fully connected layer: `input @ weight^T + bias` (ONNX Gemm; the importer folds transA/transB,
    alpha and beta into the operands)."""

    input = operand(float_tensor, doc="M x K")
    weight = operand(float_tensor, doc="N x K (one row per output feature)")
    bias = opt_operand(float_tensor, doc="N (optional)")
    output = result(float_tensor, doc="M x N")

    def infer_type(self) -> TensorType:
        x = require_rank(self.input.type, 2, "input")
        w = require_rank(self.weight.type, 2, "weight")
        if x.shape[1] != w.shape[1]:
            raise VerifyError(f"input has {x.shape[1]} features but the weight expects {w.shape[1]}")
        if self.bias is not None:
            b = require_rank(self.bias.type, 1, "bias")
            if b.shape[0] != w.shape[0]:
                raise VerifyError(f"expects a bias of {w.shape[0]} elements, got {b}")
        return TensorType((x.shape[0], w.shape[0]), x.element_type)


@irdl_op("nn.matmul", traits=[Pure, SameElementType])
class MatMulOp(NnOp):
    """Matrix product with numpy semantics (ONNX MatMul): 1-d operands are promoted, batch dims broadcast."""

    lhs = operand(float_tensor, doc="... x M x K (or K)")
    rhs = operand(float_tensor, doc="... x K x N (or K)")
    output = result(float_tensor)

    def infer_type(self) -> TensorType:
        a, b = self.lhs.type, self.rhs.type
        if a.rank == 0 or b.rank == 0:
            raise VerifyError(f"expects operands of rank >= 1, got {a} and {b}")
        a_shape = (1,) + a.shape if a.rank == 1 else a.shape
        b_shape = b.shape + (1,) if b.rank == 1 else b.shape
        if a_shape[-1] is not None and b_shape[-2] is not None and a_shape[-1] != b_shape[-2]:
            raise VerifyError(f"contraction dimensions differ: {a} and {b}")
        batch = broadcast_shapes(TensorType(a_shape[:-2], a.element_type), TensorType(b_shape[:-2], b.element_type))
        shape = batch + (a_shape[-2], b_shape[-1])
        if a.rank == 1:
            shape = shape[:-2] + shape[-1:]
        if b.rank == 1:
            shape = shape[:-1]
        return TensorType(shape, a.element_type)
