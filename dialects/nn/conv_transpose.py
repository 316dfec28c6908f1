"""Transposed convolution: `nn.conv_transpose2d` and `nn.insert_zeros`, which makes it an ordinary convolution."""
from __future__ import annotations

from rnc.ir.opdef import (Pure, SameElementType, VerifyError, attribute, irdl_op, operand, opt_attribute, opt_operand,
                          result)
from rnc.ir.types import TensorType

from .base import NnOp, conv_operands, float_tensor, int_array, int_attr, int_list, require_rank


@irdl_op("nn.conv_transpose2d", traits=[Pure, SameElementType])
class ConvTranspose2dOp(NnOp):
    """2-d transposed convolution of an NCHW input with C x O/groups x KH x KW weights (ONNX ConvTranspose).

    Input pixel (h, w) adds its weighted kernel to the outputs from (h * stride, w * stride), taps `dilations`
    apart; the full result, `output_padding` longer at the end, loses `pads` at each border: H_out =
    (H - 1) * stride + dilation * (KH - 1) + 1 + output_padding - pad_top - pad_bottom. With a constant weight
    the canonicalization makes it an ordinary convolution (`nn.insert_zeros` then `nn.conv2d` with the
    kernel flipped), which crossbars compute.
    """

    input = operand(float_tensor, doc="N x C x H x W")
    weight = operand(float_tensor, doc="C x O/groups x KH x KW")
    bias = opt_operand(float_tensor, doc="O (optional)")
    output = result(float_tensor, doc="N x O x H_out x W_out")
    strides = opt_attribute(int_array, default=[1, 1], doc="[stride_h, stride_w]")
    pads = opt_attribute(int_array, default=[0, 0, 0, 0], doc="[top, left, bottom, right] removed from the result")
    dilations = opt_attribute(int_array, default=[1, 1], doc="[dilation_h, dilation_w]")
    output_padding = opt_attribute(int_array, default=[0, 0], doc="[h, w] added at the bottom and right")
    groups = opt_attribute(int_attr, default=1, doc="number of channel groups")

    def infer_type(self) -> TensorType:
        x, w, strides, dilations, pads = conv_operands(self)
        extra = int_list(self.output_padding, 2, "output_padding", minimum=0)
        groups = self.groups.value
        if groups < 1 or (w.shape[0] % groups):
            raise VerifyError(f"expects 'groups' >= 1 dividing the weight's {w.shape[0]} input channels, got "
                              f"{groups}")
        if x.shape[1] is not None and x.shape[1] != w.shape[0]:
            raise VerifyError(f"input has {x.shape[1]} channels but the weight expects {w.shape[0]}")
        if any(extra[i] >= max(strides[i], dilations[i]) for i in range(2)):
            raise VerifyError(f"expects output_padding smaller than the stride or dilation, got {list(extra)}")
        out_channels = w.shape[1] * groups
        if self.bias is not None:
            b = require_rank(self.bias.type, 1, "bias")
            if b.shape[0] != out_channels:
                raise VerifyError(f"expects a bias of {out_channels} elements, got {b}")
        sizes = []
        for i in range(2):
            size = x.shape[2 + i]
            span = dilations[i] * (w.shape[2 + i] - 1) + 1 + extra[i]
            full = None if size is None else (size - 1) * strides[i] + span
            if full is not None and full - pads[i] - pads[i + 2] < 1:
                raise VerifyError(f"pads {list(pads)} leave no output along dimension {2 + i}")
            sizes.append(None if full is None else full - pads[i] - pads[i + 2])
        return TensorType((x.shape[0], out_channels, *sizes), x.element_type)

    @classmethod
    def canonicalization_patterns(cls):
        from .canonicalization import ConvTransposeAsConv
        return [ConvTransposeAsConv()]


@irdl_op("nn.insert_zeros", traits=[Pure])
class InsertZerosOp(NnOp):
    """Puts `strides` - 1 zeros between neighbouring elements along H and W of an NCHW tensor: the input of
    a transposed convolution seen as an ordinary one (H_out = (H - 1) * stride_h + 1)."""

    input = operand(float_tensor, doc="N x C x H x W")
    output = result(float_tensor, doc="N x C x H_out x W_out")
    strides = attribute(int_array, doc="[stride_h, stride_w], each >= 1")

    def infer_type(self) -> TensorType:
        x = require_rank(self.input.type, 4, "input")
        s = int_list(self.strides, 2, "strides", minimum=1)
        spread = tuple(None if d is None else (d - 1) * k + 1 for d, k in zip(x.shape[2:], s))
        return TensorType(x.shape[:2] + spread, x.element_type)
