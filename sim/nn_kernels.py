"""numpy kernels of the nn dialect, in float32: the reference semantics the crossbar simulator is held to.

`KERNELS` maps an op name to `kernel(op, operand_arrays) -> array`. Convolution is im2col + one BLAS
matmul (grouped: a batched matmul; depthwise: shift-and-multiply over the kernel taps), so resnet18 at
64x64 runs in a fraction of a second.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided

from rnc.dialects.nn.base import window_output_size
from rnc.dialects.nn.constant import constant_array

Kernel = Callable[[object, list[np.ndarray]], np.ndarray]


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


def softmax(x, axis) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


# ---- adapters from ops to kernels ------------------------------------------------------------------------
def _ints(op, name) -> tuple[int, ...]:
    return getattr(op, name).ints()


def _float(op, name) -> np.float32:
    return np.float32(getattr(op, name).value)


def _conv2d(op, a):
    return conv2d(a[0], a[1], a[2] if len(a) > 2 else None, _ints(op, "strides"), _ints(op, "pads"),
                  _ints(op, "dilations"), op.groups.value)


def _linear(op, a):
    out = a[0] @ a[1].T
    return out + a[2] if len(a) > 2 else out


def _max_pool(op, a):
    return pool2d(a[0], "max", _ints(op, "kernel_shape"), _ints(op, "strides"), _ints(op, "pads"),
                  _ints(op, "dilations"), op.ceil_mode is not None)


def _avg_pool(op, a):
    return pool2d(a[0], "avg", _ints(op, "kernel_shape"), _ints(op, "strides"), _ints(op, "pads"),
                  (1, 1), op.ceil_mode is not None, op.count_include_pad is not None)


def _clip(op, a):
    lo = -np.inf if op.min is None else _float(op, "min")
    hi = np.inf if op.max is None else _float(op, "max")
    return np.clip(a[0], lo, hi)


def _hard_sigmoid(op, a):
    return np.clip(_float(op, "alpha") * a[0] + _float(op, "beta"), 0, 1)


def _hard_swish(op, a):
    x = a[0]
    return x * np.clip(x / np.float32(6) + np.float32(0.5), 0, 1)


def _sigmoid(op, a):
    x = a[0]
    # exp of -|x| never overflows; both branches are the same function.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _pad(op, a):
    pads = _ints(op, "pads")
    rank = a[0].ndim
    widths = [(pads[i], pads[i + rank]) for i in range(rank)]
    mode = op.mode.value
    if mode == "constant":
        return np.pad(a[0], widths, constant_values=_float(op, "value"))
    return np.pad(a[0], widths, mode="reflect" if mode == "reflect" else "edge")


def _reduce_mean(op, a):
    return a[0].mean(axis=op.reduced_axes(), keepdims=op.keepdims is not None)


def _sum(op, a):
    out = a[0]
    for x in a[1:]:
        out = out + x
    return out


KERNELS: dict[str, Kernel] = {
    "nn.constant": lambda op, a: constant_array(op.value),
    "nn.conv2d": _conv2d,
    "nn.linear": _linear,
    "nn.matmul": lambda op, a: np.matmul(a[0], a[1]),
    "nn.add": lambda op, a: a[0] + a[1],
    "nn.sub": lambda op, a: a[0] - a[1],
    "nn.mul": lambda op, a: a[0] * a[1],
    "nn.div": lambda op, a: a[0] / a[1],
    "nn.sum": _sum,
    "nn.relu": lambda op, a: np.maximum(a[0], 0),
    "nn.clip": _clip,
    "nn.sigmoid": _sigmoid,
    "nn.hard_sigmoid": _hard_sigmoid,
    "nn.hard_swish": _hard_swish,
    "nn.tanh": lambda op, a: np.tanh(a[0]),
    "nn.softmax": lambda op, a: softmax(a[0], op.axis.value),
    "nn.max_pool": _max_pool,
    "nn.avg_pool": _avg_pool,
    "nn.global_avg_pool": lambda op, a: a[0].mean(axis=(2, 3), keepdims=True),
    "nn.reduce_mean": _reduce_mean,
    "nn.flatten": lambda op, a: a[0].reshape(op.results[0].type.shape),
    "nn.reshape": lambda op, a: a[0].reshape(op.results[0].type.shape),
    "nn.transpose": lambda op, a: np.transpose(a[0], _ints(op, "perm")),
    "nn.concat": lambda op, a: np.concatenate(a, axis=op.axis.value),
    "nn.pad": _pad,
    "nn.batch_norm": lambda op, a: batch_norm(*a, _float(op, "epsilon")),
    "nn.lrn": lambda op, a: lrn(a[0], op.size.value, _float(op, "alpha"), _float(op, "beta"), _float(op, "bias")),
    "nn.dropout": lambda op, a: a[0],
    "nn.identity": lambda op, a: a[0],
}


def evaluate(op, operands: list[np.ndarray]) -> np.ndarray:
    """Runs one nn op on numpy arrays; the result has the op's result type (shape and dtype)."""
    result_type = op.results[0].type
    out = KERNELS[op.name](op, operands)
    return np.asarray(out, dtype=result_type.numpy_dtype).reshape(result_type.shape)
