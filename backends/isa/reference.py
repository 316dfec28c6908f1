"""Runs a (placed or not) module straight from the IR: in float32 (calibration) or quantized (the oracle).

`run_float` evaluates each `xbar.layer` as the nn op it came from and every other op with the nn kernels.
`run_quantized` applies the ISA's 8-bit scheme (`quantize.py`) to whole layers at once, each computed as its
crossbars compute it (the bit-true oracle `bit_true.crossbar_mvm` over its tiles' row blocks, with its
precision): the simulator must match it bit for bit, whatever the placement, replication and split.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from rnc.dialects.func import find_function
from rnc.dialects.nn.constant import constant_of
from rnc.dialects.nn.kernels import KERNELS, conv2d, run_kernel
from rnc.dialects.xbar import LayerOp
from rnc.hw.precision import LayerPrecision

from .bit_true import crossbar_mvm
from .layers import LoweringError, conv_params, layer_bias, layer_matrix, run_layer_float
from .quantize import dequantize, quantize, quantize_bias, quantize_weights, requantize, scale_for

SKIPPED = ("nn.constant", "func.return")


def _body(module):
    fn = find_function(module)
    return fn.regions[0].blocks[0]


def run_float(module, inputs: list[np.ndarray], observe: Callable | None = None) -> list[np.ndarray]:
    """Float32 outputs; `observe(value, array)` sees the inputs and every op result."""
    block = _body(module)
    env = {}
    for arg, x in zip(block.args, inputs):
        env[id(arg)] = np.asarray(x, dtype=np.float32)
        if observe:
            observe(arg, env[id(arg)])
    for op in block.ops:
        if op.name == "func.return":
            return [env[id(v)] for v in op.operands]
        if op.name == "nn.constant":
            env[id(op.results[0])] = constant_of(op.results[0])
            continue
        args = [env[id(v)] for v in op.operands]
        if isinstance(op, LayerOp):
            out = run_layer_float(op, args[0])
        else:
            if op.name not in KERNELS:
                raise LoweringError(f"no kernel for '{op.name}'")
            out = run_kernel(op.name, args, op.results[0].type.shape, op.attributes)
        out = np.asarray(out, dtype=np.float32).reshape(op.results[0].type.shape)
        env[id(op.results[0])] = out
        if observe:
            observe(op.results[0], out)
    raise LoweringError("the function has no 'func.return'")


def calibrate(module, samples: list[list[np.ndarray]]) -> dict[int, float]:
    """Per-value scales (keyed by id(value)): max |x| / 127 over the calibration samples."""
    peaks: dict[int, float] = {}

    def observe(value, array):
        peaks[id(value)] = max(peaks.get(id(value), 0.0), float(np.max(np.abs(array))) if array.size else 0.0)

    for inputs in samples:
        run_float(module, inputs, observe)
    return {k: scale_for(v) for k, v in peaks.items()}


def quantized_layer(layer: LayerOp, q_in: np.ndarray, s_in: float, s_out: float,
                    precision: LayerPrecision | None = None, mvm: Callable = crossbar_mvm) -> np.ndarray:
    """The whole layer at once: its integer accumulators (with `precision`, default the layer's own; `mvm`
    computes them where the precision is not exact), bias, requantization."""
    qw, sw = quantize_weights(layer_matrix(layer))
    acc = _accumulators(layer, q_in, qw, precision or layer.layer_precision(), mvm)
    bias = layer_bias(layer)
    if bias is not None:
        acc = acc + quantize_bias(bias, s_in, sw)
    out = requantize(acc, s_in, sw, s_out)
    return np.moveaxis(out, -1, 1) if layer.kind in ("conv", "depthwise") else out


def row_blocks(layer: LayerOp) -> list[tuple[int, int]]:
    """The [begin, end) matrix rows of the layer's tiles (each tile's columns are digitised on their own)."""
    return sorted({tuple(t.rows) for t in layer.tiles if t.replica == 0})


def _accumulators(layer: LayerOp, q_in: np.ndarray, qw: np.ndarray, precision: LayerPrecision,
                  mvm: Callable) -> np.ndarray:
    """x . w of the layer (columns last) as its crossbars compute it: the bit-true oracle over the row
    blocks of its tiles, or, where its precision is exact for every tile, the integer product itself."""
    blocks = row_blocks(layer)
    if all(precision.is_exact(r1 - r0) for r0, r1 in blocks):
        return _exact_accumulators(layer, q_in, qw)
    x = layer_inputs(layer, q_in)
    acc = mvm(x, qw, precision, blocks)
    return acc.reshape(*_output_lead(layer, q_in), qw.shape[1])


def _exact_accumulators(layer: LayerOp, q_in: np.ndarray, qw: np.ndarray) -> np.ndarray:
    """The int8 product of the whole layer (exact in float64)."""
    x = q_in.astype(np.float64)
    kind = layer.kind
    if kind in ("conv", "depthwise"):
        w = layer.operands[1].type.shape
        qw_oihw = qw.T.reshape(w).astype(np.float64)
        p = conv_params(layer)
        groups = w[0] if kind == "depthwise" else layer.groups or 1
        acc = conv2d(x, qw_oihw, None, p["s"], p["p"], p["d"], groups)
        acc = np.moveaxis(acc, 1, -1)  # columns last
    elif kind == "linear":
        acc = x @ qw.astype(np.float64)
    else:
        acc = np.matmul(x, qw.astype(np.float64))
    return np.rint(acc).astype(np.int64)


def layer_inputs(layer: LayerOp, q_in: np.ndarray) -> np.ndarray:
    """What the layer's matrix multiplies: (positions, rows) for conv, linear and matmul (im2col in (cin, kh,
    kw) order for conv), (positions, channels, k*k) for depthwise (each column reads its own channel)."""
    if layer.kind not in ("conv", "depthwise"):
        return q_in.reshape(-1, q_in.shape[-1])
    p = conv_params(layer)
    (kh, kw), (sh, sw), (pt, pl, pb, pr), (dh, dw) = p["k"], p["s"], p["p"], p["d"]
    x = np.pad(q_in.astype(np.int64), ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))[..., ::dh, ::dw]
    win = win[:, :, ::sh, ::sw]                                   # (N, C, Ho, Wo, kh, kw)
    n, c, ho, wo = win.shape[:4]
    win = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c, kh * kw)
    return win if layer.kind == "depthwise" else win.reshape(n * ho * wo, c * kh * kw)


def _output_lead(layer: LayerOp, q_in: np.ndarray) -> tuple[int, ...]:
    """The output's dimensions before its columns: (N, Ho, Wo) for a conv (N: the input's, a batch of samples
    included), the input's leading ones else."""
    if layer.kind not in ("conv", "depthwise"):
        return tuple(q_in.shape[:-1])
    shape = layer.results[0].type.shape
    return (q_in.shape[0], shape[2], shape[3])


def quantized_digital_op(op, env: dict, scales: dict[int, float], shape: tuple[int, ...] | None = None):
    """An nn op as the program's digital units run it: its int8 operands in `env` (keyed by id(value))
    dequantized, constants (None in `env`) as they are, the nn kernel in float32, the result quantized at its
    scale. `shape` is the result's (default its type's; a batch of samples changes the first dimension)."""
    res = op.results[0]
    shape = tuple(shape or res.type.shape)
    args = [dequantize(env[id(v)], scales[id(v)]) if env.get(id(v)) is not None
            else np.asarray(constant_of(v), dtype=np.float32) for v in op.operands]
    f = np.asarray(run_kernel(op.name, args, shape, op.attributes), dtype=np.float32).reshape(shape)
    return quantize(f, scales[id(res)])


def run_quantized(module, scales: dict[int, float], inputs: list[np.ndarray], run_layer: Callable | None = None,
                  batch: int | None = None) -> list[np.ndarray]:
    """int8 outputs of the module under the ISA's quantization (scales from `calibrate`).

    `run_layer(layer, q_in, s_in, s_out)` computes an xbar.layer (default: this oracle's); with `batch`, the
    inputs hold that many samples in their first dimension (the module's is 1) and so does every value."""
    run_layer = run_layer or quantized_layer
    block = _body(module)
    env, scale = {}, {}
    for arg, x in zip(block.args, inputs):
        scale[id(arg)] = scales[id(arg)]
        env[id(arg)] = quantize(x, scales[id(arg)])
    for op in block.ops:
        if op.name == "func.return":
            return [env[id(v)] for v in op.operands]
        res = op.results[0]
        if op.name == "nn.constant":
            env[id(res)] = None
            continue
        if isinstance(op, LayerOp):
            v = op.operands[0]
            out = run_layer(op, env[id(v)], scale[id(v)], scales[id(res)])
        else:
            out = quantized_digital_op(op, env, scales, batch and (batch,) + tuple(res.type.shape)[1:])
        env[id(res)] = out
        scale[id(res)] = scales[id(res)]
    raise LoweringError("the function has no 'func.return'")
