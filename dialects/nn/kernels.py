"""numpy kernels of the nn dialect, in float32: the ops' semantics, which the crossbar simulator is held to.

`KERNELS` maps an op name to `kernel(operands, shape, **attributes) -> array`: plain arrays and Python values,
no op object, so the float interpreter, constant folding and the ISA simulator's digital units call the same
code (`run_kernel`, `evaluate`). Convolution is im2col + one BLAS matmul (grouped: a batched matmul;
depthwise: shift-and-multiply over the kernel taps), so resnet18 at 64x64 runs in a fraction of a second.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np
from numpy.lib.stride_tricks import as_strided
from scipy import special

from rnc.ir.attributes import Attribute, python_value, to_attr
from rnc.ir.core import Operation

from . import OPS
from .base import window_output_size
from .constant import constant_array

Kernel = Callable[..., np.ndarray]


# ---- convolution and pooling -----------------------------------------------------------------------------
def _windows(x: np.ndarray, kernel, strides, dilations, out_hw) -> np.ndarray:
    """A read-only view of every window: shape (N, C, KH, KW, H_out, W_out), no copy."""
    n, c, _, _ = x.shape
    sn, sc, sh, sw = x.strides
    return as_strided(x, shape=(n, c, kernel[0], kernel[1], out_hw[0], out_hw[1]),
                      strides=(sn, sc, sh * dilations[0], sw * dilations[1], sh * strides[0], sw * strides[1]),
                      writeable=False)


def conv2d(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None, strides=(1, 1), pads=(0, 0, 0, 0),
           dilations=(1, 1), groups: int = 1) -> np.ndarray:
    """ONNX Conv over NCHW with OIHW weights; `pads` is [top, left, bottom, right]."""
    n = x.shape[0]
    out_ch, group_ch, kh, kw = w.shape
    if any(pads):
        x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    ho = (x.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    wo = (x.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    win = _windows(x, (kh, kw), strides, dilations, (ho, wo))
    if groups == 1:
        cols = win.reshape(n, group_ch * kh * kw, ho * wo)  # im2col (the one copy)
        out = np.matmul(w.reshape(out_ch, -1), cols)
    elif group_ch == 1:
        out = _depthwise(win, w, out_ch // groups).reshape(n, out_ch, ho * wo)
    else:
        cols = win.reshape(n, groups, group_ch * kh * kw, ho * wo)
        out = np.matmul(w.reshape(groups, out_ch // groups, -1), cols)
    out = out.reshape(n, out_ch, ho, wo)
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


def conv_transpose2d(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None, strides=(1, 1),
                     pads=(0, 0, 0, 0), dilations=(1, 1), output_padding=(0, 0), groups: int = 1) -> np.ndarray:
    """ONNX ConvTranspose over NCHW with C x O/groups x KH x KW weights, by its definition: every input pixel
    scatters its weighted kernel into the output, which then loses `pads` at its borders."""
    n, c, h, wd = x.shape
    _, group_out, kh, kw = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    full = ((h - 1) * sh + dh * (kh - 1) + 1 + output_padding[0], (wd - 1) * sw + dw * (kw - 1) + 1 + output_padding[1])
    out = np.zeros((n, groups * group_out) + full, dtype=np.result_type(x, w))
    xg = x.reshape(n, groups, c // groups, h, wd)
    wg = w.reshape(groups, c // groups, group_out, kh, kw)
    for i in range(kh):
        for j in range(kw):
            taps = np.einsum("ngchw,gcm->ngmhw", xg, wg[:, :, :, i, j]).reshape(n, -1, h, wd)
            out[:, :, i * dh:i * dh + (h - 1) * sh + 1:sh, j * dw:j * dw + (wd - 1) * sw + 1:sw] += taps
    out = out[:, :, pads[0]:full[0] - pads[2], pads[1]:full[1] - pads[3]]
    return out + bias.reshape(1, -1, 1, 1) if bias is not None else out


def insert_zeros(x: np.ndarray, strides) -> np.ndarray:
    """`strides` - 1 zeros between neighbouring elements along H and W."""
    n, c, h, w = x.shape
    out = np.zeros((n, c, (h - 1) * strides[0] + 1, (w - 1) * strides[1] + 1), dtype=x.dtype)
    out[:, :, ::strides[0], ::strides[1]] = x
    return out


def _depthwise(win: np.ndarray, w: np.ndarray, multiplier: int) -> np.ndarray:
    """Each output channel sees one input channel: sum over the kernel taps of shifted input x weight."""
    channels = np.arange(w.shape[0]) // multiplier if multiplier > 1 else slice(None)
    acc = None
    for i in range(w.shape[2]):
        for j in range(w.shape[3]):
            term = win[:, channels, i, j] * w[:, 0, i, j].reshape(1, -1, 1, 1)
            acc = term if acc is None else acc + term
    return acc


def pool2d(x: np.ndarray, kind: str, kernel, strides, pads, dilations=(1, 1), ceil_mode=False,
           count_include_pad=False) -> np.ndarray:
    """Max or average pooling (ONNX MaxPool / AveragePool) over NCHW."""
    h, w = x.shape[2:]
    out_hw = tuple(window_output_size(x.shape[2 + i], kernel[i], strides[i], pads[i], pads[i + 2],
                                      dilations[i], ceil_mode) for i in range(2))
    # Ceil mode can make the last window run past the end padding: pad that overhang too.
    overhang = [max(0, (out_hw[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1
                    - (x.shape[2 + i] + pads[i] + pads[i + 2])) for i in range(2)]
    spatial = ((pads[0], pads[2] + overhang[0]), (pads[1], pads[3] + overhang[1]))
    if kind == "max":
        fill = -np.inf
        padded = np.pad(x, ((0, 0), (0, 0)) + spatial, constant_values=fill) if any(pads) or any(overhang) else x
        return _reduce_windows(padded, kernel, strides, dilations, out_hw, np.maximum)
    padded = np.pad(x, ((0, 0), (0, 0)) + spatial) if any(pads) or any(overhang) else x
    total = _reduce_windows(padded, kernel, strides, dilations, out_hw, np.add)
    # The divisor of each window: how many of its cells count (input, plus explicit padding if asked).
    mask = np.ones((1, 1, h, w), dtype=x.dtype)
    explicit = ((pads[0], pads[2]), (pads[1], pads[3]))
    mask = np.pad(mask, ((0, 0), (0, 0)) + explicit, constant_values=1.0 if count_include_pad else 0.0)
    mask = np.pad(mask, ((0, 0), (0, 0), (0, overhang[0]), (0, overhang[1])))
    counts = _reduce_windows(mask, kernel, strides, dilations, out_hw, np.add)
    return total / counts


def _reduce_windows(x: np.ndarray, kernel, strides, dilations, out_hw, combine) -> np.ndarray:
    win = _windows(x, kernel, strides, dilations, out_hw)
    acc = np.array(win[:, :, 0, 0])
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            if i or j:
                combine(acc, win[:, :, i, j], out=acc)
    return acc


# ---- normalization -------------------------------------------------------------------------------------
def batch_norm(x, scale, bias, mean, var, epsilon) -> np.ndarray:
    shape = (1, -1) + (1,) * (x.ndim - 2)
    factor = (scale / np.sqrt(var + np.float32(epsilon))).reshape(shape)
    return (x - mean.reshape(shape)) * factor + bias.reshape(shape)


def lrn(x, size, alpha, beta, bias) -> np.ndarray:
    """ONNX LRN: the sum of squares runs over channels c - floor((size-1)/2) .. c + ceil((size-1)/2)."""
    squares = x * x
    before, after = (size - 1) // 2, size - 1 - (size - 1) // 2
    padded = np.pad(squares, ((0, 0), (before, after)) + ((0, 0),) * (x.ndim - 2))
    window_sum = np.zeros_like(x)
    for k in range(size):
        window_sum += padded[:, k:k + x.shape[1]]
    return x / (np.float32(bias) + np.float32(alpha / size) * window_sum) ** np.float32(beta)


def layer_norm(x, scale, bias, axis, epsilon) -> np.ndarray:
    """ONNX LayerNormalization: mean and biased variance over the dimensions from `axis` on."""
    axes = tuple(range(axis % x.ndim, x.ndim))
    centred = x - x.mean(axis=axes, keepdims=True)
    variance = (centred * centred).mean(axis=axes, keepdims=True)
    out = centred / np.sqrt(variance + np.float32(epsilon)) * scale
    return out + bias if bias is not None else out


def softmax(x, axis) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


# ---- elementwise functions -------------------------------------------------------------------------------
def gelu(x, approximate: str) -> np.ndarray:
    """`x * Phi(x)`: exact (with erf) or the tanh approximation."""
    half = np.float32(0.5)
    if approximate == "tanh":
        inner = np.float32(math.sqrt(2 / math.pi)) * (x + np.float32(0.044715) * x * x * x)
        return half * x * (1 + np.tanh(inner))
    return half * x * (1 + erf(x * np.float32(1 / math.sqrt(2))))


def erf(x) -> np.ndarray:
    return special.erf(x).astype(x.dtype, copy=False)


# ---- resampling and indexing ---------------------------------------------------------------------------
def resize(x, shape, scales, mode, coordinate_transformation_mode, nearest_mode) -> np.ndarray:
    """ONNX Resize, one axis at a time (multilinear interpolation is separable); coordinates in float32 as
    onnxruntime computes them."""
    for axis, (size, scale) in enumerate(zip(shape, scales)):
        if size == x.shape[axis] and scale == 1:
            continue
        coords = _input_coordinates(x.shape[axis], size, np.float32(scale), coordinate_transformation_mode)
        if mode == "nearest":
            x = np.take(x, _nearest(coords, nearest_mode, x.shape[axis]), axis=axis)
            continue
        coords = np.clip(coords, 0, x.shape[axis] - 1)
        low = np.floor(coords).astype(np.int64)
        high = np.minimum(low + 1, x.shape[axis] - 1)
        weight = (coords - low).astype(x.dtype).reshape((-1,) + (1,) * (x.ndim - axis - 1))
        x = np.take(x, low, axis=axis) * (1 - weight) + np.take(x, high, axis=axis) * weight
    return x


def _input_coordinates(size_in: int, size_out: int, scale: np.float32, mode: str) -> np.ndarray:
    """The input coordinate of each output index along one axis (ONNX Resize's coordinate_transformation_mode)."""
    out = np.arange(size_out, dtype=np.float32)
    half = np.float32(0.5)
    if mode == "asymmetric":
        return out / scale
    if mode == "align_corners":
        return out * np.float32((size_in - 1) / (size_out - 1)) if size_out > 1 else np.zeros_like(out)
    if mode == "pytorch_half_pixel" and size_out == 1:
        return np.zeros_like(out)
    if mode == "half_pixel_symmetric":  # onnxruntime's order of float32 operations, which rounding follows
        adjustment = np.float32(size_out) / (scale * np.float32(size_in))
        offset = np.float32(size_in) / np.float32(2) * (np.float32(1) - adjustment)
        return offset + (out + half) / scale - half
    return (out + half) / scale - half


def _nearest(coords: np.ndarray, mode: str, size: int) -> np.ndarray:
    if mode == "floor":
        index = np.floor(coords)
    elif mode == "ceil":
        index = np.ceil(coords)
    else:
        ties = coords - np.floor(coords) == 0.5
        index = np.where(ties, np.floor(coords) if mode == "round_prefer_floor" else np.ceil(coords), np.round(coords))
    return np.clip(index, 0, size - 1).astype(np.int64)


def slice_axes(x, shape, starts, steps) -> np.ndarray:
    """`shape[i]` elements along each axis i from `starts[i]` by `steps[i]`."""
    index = []
    for count, start, step in zip(shape, starts, steps):
        stop = start + step * count
        index.append(slice(start, None if stop < 0 else stop, step) if count else slice(0, 0))
    return x[tuple(index)]


def gather(x, shape, axis, indices) -> np.ndarray:
    index_rank = len(shape) - x.ndim + 1
    return np.take(x, np.asarray(indices, dtype=np.int64).reshape(shape[axis:axis + index_rank]), axis=axis)


# ---- the kernel of every nn op -----------------------------------------------------------------------------
# `kernel(operands, shape, **attributes)`: the operand arrays, the result shape, and every attribute the op
# declares by its name, as a plain Python value (see `kernel_arguments`).
def _conv2d(a, shape, *, strides, pads, dilations, groups):
    return conv2d(a[0], a[1], a[2] if len(a) > 2 else None, strides, pads, dilations, groups)


def _conv_transpose2d(a, shape, *, strides, pads, dilations, output_padding, groups):
    return conv_transpose2d(a[0], a[1], a[2] if len(a) > 2 else None, strides, pads, dilations, output_padding,
                            groups)


def _linear(a, shape):
    out = a[0] @ a[1].T
    return out + a[2] if len(a) > 2 else out


def _max_pool(a, shape, *, kernel_shape, strides, pads, dilations, ceil_mode):
    return pool2d(a[0], "max", kernel_shape, strides, pads, dilations, bool(ceil_mode))


def _avg_pool(a, shape, *, kernel_shape, strides, pads, ceil_mode, count_include_pad):
    return pool2d(a[0], "avg", kernel_shape, strides, pads, (1, 1), bool(ceil_mode), bool(count_include_pad))


def _clip(a, shape, **bounds):
    lo = -np.inf if bounds["min"] is None else np.float32(bounds["min"])
    hi = np.inf if bounds["max"] is None else np.float32(bounds["max"])
    return np.clip(a[0], lo, hi)


def _hard_sigmoid(a, shape, *, alpha, beta):
    return np.clip(np.float32(alpha) * a[0] + np.float32(beta), 0, 1)


def _hard_swish(a, shape):
    x = a[0]
    return x * np.clip(x / np.float32(6) + np.float32(0.5), 0, 1)


def _sigmoid(a, shape):
    x = a[0]
    # exp of -|x| never overflows; both branches are the same function.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _pad(a, shape, *, pads, mode, value):
    rank = a[0].ndim
    widths = [(pads[i], pads[i + rank]) for i in range(rank)]
    if mode == "constant":
        return np.pad(a[0], widths, constant_values=np.float32(value))
    return np.pad(a[0], widths, mode="reflect" if mode == "reflect" else "edge")


def _reduction(reduce: Callable) -> Kernel:
    """The kernel of a reduction op: `reduce(array, axis=..., keepdims=...)` over the op's `axes`."""
    def kernel(a, shape, *, axes, keepdims):
        rank = a[0].ndim
        return reduce(a[0], axis=tuple(x + rank if x < 0 else x for x in axes), keepdims=bool(keepdims))
    return kernel


def _sum(a, shape):
    out = a[0]
    for x in a[1:]:
        out = out + x
    return out


KERNELS: dict[str, Kernel] = {
    "nn.constant": lambda a, shape, value: constant_array(value),
    "nn.conv2d": _conv2d,
    "nn.conv_transpose2d": _conv_transpose2d,
    "nn.insert_zeros": lambda a, shape, strides: insert_zeros(a[0], strides),
    "nn.linear": _linear,
    "nn.matmul": lambda a, shape: np.matmul(a[0], a[1]),
    "nn.add": lambda a, shape: a[0] + a[1],
    "nn.sub": lambda a, shape: a[0] - a[1],
    "nn.mul": lambda a, shape: a[0] * a[1],
    "nn.div": lambda a, shape: a[0] / a[1],
    "nn.pow": lambda a, shape: np.power(a[0], a[1]),
    "nn.sum": _sum,
    "nn.where": lambda a, shape: np.where(a[0] != 0, a[1], a[2]),
    "nn.relu": lambda a, shape: np.maximum(a[0], 0),
    "nn.clip": _clip,
    "nn.sigmoid": _sigmoid,
    "nn.hard_sigmoid": _hard_sigmoid,
    "nn.hard_swish": _hard_swish,
    "nn.tanh": lambda a, shape: np.tanh(a[0]),
    "nn.gelu": lambda a, shape, approximate: gelu(a[0], approximate),
    "nn.erf": lambda a, shape: erf(a[0]),
    "nn.sqrt": lambda a, shape: np.sqrt(a[0]),
    "nn.exp": lambda a, shape: np.exp(a[0]),
    "nn.softmax": lambda a, shape, axis: softmax(a[0], axis),
    "nn.max_pool": _max_pool,
    "nn.avg_pool": _avg_pool,
    "nn.global_avg_pool": lambda a, shape: a[0].mean(axis=(2, 3), keepdims=True),
    "nn.reduce_mean": _reduction(np.mean),
    "nn.reduce_sum": _reduction(np.sum),
    "nn.reduce_max": _reduction(np.max),
    "nn.resize": lambda a, shape, **modes: resize(a[0], shape, **modes),
    "nn.flatten": lambda a, shape, axis: a[0].reshape(shape),
    "nn.reshape": lambda a, shape: a[0].reshape(shape),
    "nn.transpose": lambda a, shape, perm: np.transpose(a[0], perm),
    "nn.concat": lambda a, shape, axis: np.concatenate(a, axis=axis),
    "nn.pad": _pad,
    "nn.slice": lambda a, shape, starts, steps: slice_axes(a[0], shape, starts, steps),
    "nn.gather": lambda a, shape, axis, indices: gather(a[0], shape, axis, indices),
    "nn.expand": lambda a, shape: np.broadcast_to(a[0], shape),
    "nn.cast": lambda a, shape: a[0],  # `evaluate` and the interpreter give it the result's element type
    "nn.batch_norm": lambda a, shape, epsilon: batch_norm(*a, np.float32(epsilon)),
    "nn.layer_norm": lambda a, shape, axis, epsilon: layer_norm(a[0], a[1], a[2] if len(a) > 2 else None, axis,
                                                                epsilon),
    "nn.lrn": lambda a, shape, size, alpha, beta, bias: lrn(a[0], size, np.float32(alpha), np.float32(beta),
                                                            np.float32(bias)),
    "nn.dropout": lambda a, shape, ratio: a[0],
    "nn.identity": lambda a, shape: a[0],
}
_OP_CLASSES: dict[str, type[Operation]] = {op.OP_NAME: op for op in OPS}


def kernel_arguments(op_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `op_name`'s kernel: every attribute the op declares, as a Python value (its
    declared default when absent from `attributes`, else None). `attributes` holds attributes or Python values."""
    out = {}
    for d in _OP_CLASSES[op_name].DEFINITION.attributes:
        value = attributes.get(d.name)
        if value is None and d.default is not None:
            value = to_attr(d.default)
        out[d.name] = python_value(value) if isinstance(value, Attribute) else value
    return out


def run_kernel(op_name: str, operands: list[np.ndarray], shape: tuple[int, ...],
               attributes: Mapping[str, Any]) -> np.ndarray:
    """Runs nn op `op_name` on arrays: `attributes` as for `kernel_arguments`, `shape` the result's shape."""
    return KERNELS[op_name](operands, shape, **kernel_arguments(op_name, attributes))


def evaluate(op: Operation, operands: list[np.ndarray]) -> np.ndarray:
    """Runs one nn op on numpy arrays; the result has the op's result type (shape and dtype)."""
    result_type = op.results[0].type
    out = run_kernel(op.name, operands, result_type.shape, op.attributes)
    return np.asarray(out, dtype=result_type.numpy_dtype).reshape(result_type.shape)
