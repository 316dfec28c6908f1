"""Converters of resampling: Resize (opset 10 on) and the older Upsample, as `nn.resize`.

The exporters write scales (torch's `scale_factor`, the legacy exporter) or sizes (the dynamo exporter, or a
`size=` argument); sizes computed from the input's shape fold to constants at import, since shapes are
static there. A size becomes the scale `size / input` in float32, as onnxruntime computes it.
"""
from __future__ import annotations

import numpy as np

from rnc.dialects.nn import ResizeOp
from rnc.dialects.nn.resize import COORDINATE_MODES, NEAREST_MODES

from .context import NodeContext
from .registry import converter


@converter("Resize")
def convert_resize(ctx: NodeContext):
    x = ctx.value(0)
    rank = x.type.rank
    mode = ctx.attr("mode", "nearest")
    if ctx.opset < 11:  # Resize-10: (X, scales), asymmetric coordinates, nearest rounds like Upsample
        scales = [float(s) for s in ctx.require_const(1, "scales").reshape(-1)]
        return [_resize(ctx, x, scales, None, mode, "asymmetric", _legacy_nearest(ctx, scales))]
    coordinates = ctx.attr("coordinate_transformation_mode", "half_pixel")
    if coordinates not in COORDINATE_MODES:
        raise ctx.unsupported(f"coordinate_transformation_mode '{coordinates}' is not supported "
                              f"({', '.join(COORDINATE_MODES)})")
    nearest = ctx.attr("nearest_mode", "round_prefer_floor")
    if nearest not in NEAREST_MODES:
        raise ctx.error(f"unknown nearest_mode '{nearest}'")
    axes = ctx.axes(ctx.attr("axes", list(range(rank))), rank)
    given_scales = ctx.const(2) if ctx.has_input(2) else None
    given_sizes = ctx.const(3) if ctx.has_input(3) else None
    if ctx.has_input(3) and given_sizes is None:
        raise ctx.unsupported("the sizes input must be a constant")
    if ctx.has_input(2) and given_scales is None:
        raise ctx.unsupported("the scales input must be a constant")
    scales, sizes = [1.0] * rank, list(x.type.shape)
    if given_sizes is not None and given_sizes.size:
        for axis, scale, size in zip(axes, *_scales_of_sizes(ctx, x.type.shape, axes, given_sizes)):
            scales[axis], sizes[axis] = scale, size
    elif given_scales is not None and given_scales.size:
        values = [float(s) for s in given_scales.reshape(-1)]
        if len(values) != len(axes):
            raise ctx.error(f"expects {len(axes)} scales, got {len(values)}")
        for axis, scale in zip(axes, values):
            scales[axis] = scale
        sizes = None
    else:
        raise ctx.error("expects scales or sizes")
    if ctx.attr("antialias", 0) and any(s < 1 for s in scales):
        raise ctx.unsupported("antialiased downsampling is not supported")
    return [_resize(ctx, x, scales, sizes, mode, coordinates, nearest)]


def _scales_of_sizes(ctx: NodeContext, shape, axes, sizes) -> tuple[list[float], list[int]]:
    """(scales, sizes) of the resized axes for the given sizes and `keep_aspect_ratio_policy`."""
    sizes = [int(s) for s in np.asarray(sizes).reshape(-1)]
    if len(sizes) != len(axes):
        raise ctx.error(f"expects {len(axes)} sizes, got {len(sizes)}")
    scales = [float(np.float32(size) / np.float32(shape[a])) for a, size in zip(axes, sizes)]
    policy = ctx.attr("keep_aspect_ratio_policy", "stretch")
    if policy == "stretch":
        return scales, sizes
    if policy not in ("not_larger", "not_smaller"):
        raise ctx.error(f"unknown keep_aspect_ratio_policy '{policy}'")
    scale = min(scales) if policy == "not_larger" else max(scales)
    return [scale] * len(axes), [int(np.round(np.float32(scale) * shape[a])) for a in axes]


def _legacy_nearest(ctx: NodeContext, scales: list[float]) -> str:
    """Upsample and Resize-10 take the input element at floor(x / scale) when enlarging (onnxruntime's
    'simple' rounding) and at ceil when shrinking."""
    if all(s >= 1 for s in scales):
        return "floor"
    if all(s <= 1 for s in scales):
        return "ceil"
    raise ctx.unsupported(f"scales {scales} both enlarge and shrink, which this opset's nearest mode rounds "
                          "per axis")


def _resize(ctx: NodeContext, x, scales, sizes, mode: str, coordinates: str, nearest: str):
    if mode not in ("nearest", "linear", "bilinear"):
        raise ctx.unsupported(f"mode '{mode}' is not supported (nearest, linear)")
    if sizes is None:
        sizes = [int(np.floor(np.float32(n) * np.float32(s))) for n, s in zip(x.type.shape, scales)]
    if any(s < 1 for s in sizes):
        raise ctx.error(f"resizing {x.type} by {scales} leaves an empty dimension")
    scales = [float(str(np.float32(s))) for s in scales]
    return ctx.emit(ResizeOp, input=x, shape=sizes, scales=scales, mode="nearest" if mode == "nearest" else "linear",
                    coordinate_transformation_mode=coordinates, nearest_mode=nearest)


@converter("Upsample")
def convert_upsample(ctx: NodeContext):
    """Upsample (opsets 7-9): scales an attribute (7) or a constant input (9); asymmetric coordinates."""
    x = ctx.value(0)
    if ctx.opset < 9:
        scales = [float(s) for s in ctx.attr("scales", [])]
    else:
        scales = [float(s) for s in ctx.require_const(1, "scales").reshape(-1)]
    if len(scales) != x.type.rank:
        raise ctx.error(f"expects {x.type.rank} scales, got {len(scales)}")
    return [_resize(ctx, x, scales, None, ctx.attr("mode", "nearest"), "asymmetric", _legacy_nearest(ctx, scales))]
