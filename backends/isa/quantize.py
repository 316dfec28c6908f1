"""8-bit quantization shared by the ISA backend, the simulator and the quantized reference.

Weights: per-output-column symmetric int8 (scale = max|w| / 127). Activations: per-tensor symmetric int8,
scale = max|x| / 127 over a calibration run. A weight layer accumulates int8 x int8 products in integers,
adds an int32 bias (scale s_in * s_w) and requantizes to the output tensor's scale; a digital op
dequantizes its inputs, computes in float32 with the nn kernels and quantizes its result.
"""
from __future__ import annotations

import numpy as np

QMAX = 127
_BLOCK_ELEMENTS = 1 << 22   # weights quantized at once (32 MB of float64)


def scale_for(max_abs: float) -> float:
    """The per-tensor scale of values up to `max_abs` in magnitude (1.0 for an all-zero tensor)."""
    return float(max_abs) / QMAX if max_abs > 0 and np.isfinite(max_abs) else 1.0


def quantize(x: np.ndarray, scale: float) -> np.ndarray:
    return np.clip(np.rint(np.asarray(x, dtype=np.float64) / scale), -QMAX, QMAX).astype(np.int8)


def dequantize(q: np.ndarray, scale: float) -> np.ndarray:
    return q.astype(np.float32) * np.float32(scale)


def quantize_weights(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 matrix, float32 per-column scales) of a rows x cols float matrix."""
    max_abs = np.maximum(matrix.max(axis=0), -matrix.min(axis=0)).astype(np.float32)   # no |matrix| copy
    scales = np.where(max_abs > 0, max_abs / np.float32(QMAX), np.float32(1)).astype(np.float32)
    divisors = scales.astype(np.float64)
    q = np.empty(matrix.shape, dtype=np.int8)
    # A block of rows at a time: a float64 temporary of a 100 M-weight layer would take 800 MB.
    step = max(1, _BLOCK_ELEMENTS // max(1, matrix.shape[1]))
    for r in range(0, matrix.shape[0], step):
        block = matrix[r:r + step].astype(np.float64)
        block /= divisors
        np.rint(block, out=block)
        np.clip(block, -QMAX, QMAX, out=block)
        q[r:r + step] = block
    return q, scales


def quantize_bias(bias: np.ndarray, in_scale: float, w_scales: np.ndarray) -> np.ndarray:
    return np.rint(bias.astype(np.float64) / (in_scale * w_scales.astype(np.float64))).astype(np.int32)


def requantize(acc: np.ndarray, in_scale: float, w_scales: np.ndarray, out_scale: float) -> np.ndarray:
    """int8 outputs of integer accumulators `acc` (columns last) at scale `out_scale`."""
    multiplier = (in_scale * w_scales.astype(np.float64)) / out_scale
    return np.clip(np.rint(acc.astype(np.float64) * multiplier), -QMAX, QMAX).astype(np.int8)
