"""Kernel taps that only ever multiply zero padding, cropped away: the same convolution, computed faster.

At the NAS's small image sizes the last stages run on 1x1 or 2x2 feature maps, where most of a 5x5 or 7x7
depthwise kernel only ever sees padding; torch's CPU kernels are slow there (a 7x7 depthwise conv on 1x1
inputs costs more than the rest of the network). Cropping k x k to the live (k - 2c) x (k - 2c) centre with
padding p - c gives the same outputs and gradients (dead taps get zero gradient either way).

Only for computing accuracy and training: an exported model keeps its full kernels, which the hardware maps.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn


def dead_border(size: int, kernel: int, stride: int, padding: int) -> int:
    """How many taps on each side of a kernel dimension never touch the input (the same count both sides)."""
    outputs = (size + 2 * padding - kernel) // stride + 1
    low = padding - (outputs - 1) * stride       # taps left of this one see only the leading padding
    high = kernel - size - padding               # the last `high` taps see only the trailing padding
    return max(0, min(low, high))


def live_conv2d(x: torch.Tensor, weight: torch.Tensor, bias, stride: int, padding: int, groups: int):
    """`F.conv2d` with square `stride`/`padding`, skipping the kernel's dead border for `x`'s size."""
    ch = dead_border(x.shape[-2], weight.shape[-2], stride, padding)
    cw = dead_border(x.shape[-1], weight.shape[-1], stride, padding)
    if ch or cw:
        weight = weight[:, :, ch:weight.shape[-2] - ch, cw:weight.shape[-1] - cw]
    return F.conv2d(x, weight, bias, stride, (padding - ch, padding - cw), 1, groups)


def _is_croppable(conv: nn.Module) -> bool:
    return (isinstance(conv, nn.Conv2d) and conv.padding_mode == "zeros" and conv.dilation == (1, 1)
            and not isinstance(conv.padding, str) and conv.stride[0] == conv.stride[1]
            and conv.padding[0] == conv.padding[1] and max(conv.kernel_size) > 1)


@contextmanager
def live_taps_only(module: nn.Module):
    """Within the block, the module's zero-padded square-stride Conv2d layers skip their dead taps.

    The original `forward` methods come back on exit, so training updates the real (full) weights and a
    later export sees the full kernels."""
    convs = [m for m in module.modules() if _is_croppable(m)]
    for conv in convs:
        conv.forward = lambda x, conv=conv: live_conv2d(x, conv.weight, conv.bias, conv.stride[0],
                                                        conv.padding[0], conv.groups)
    try:
        yield module
    finally:
        for conv in convs:
            del conv.forward
