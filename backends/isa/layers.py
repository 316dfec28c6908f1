"""What the backend needs to know about an `xbar.layer`: its float matrix and its float computation."""
from __future__ import annotations

import numpy as np

from rnc.dialects.nn.constant import constant_of
from rnc.dialects.nn.kernels import conv2d
from rnc.dialects.xbar import LayerOp


class LoweringError(ValueError):
    """A module the ISA backend cannot lower (one-line message)."""


def _const(layer: LayerOp, index: int, what: str) -> np.ndarray:
    arr = constant_of(layer.operands[index])
    if arr is None:
        raise LoweringError(f"{layer.describe()}: the {what} is not a constant with data")
    return np.asarray(arr, dtype=np.float32)


def layer_weight(layer: LayerOp) -> np.ndarray:
    return _const(layer, 1, "weight")


def layer_bias(layer: LayerOp) -> np.ndarray | None:
    return _const(layer, 2, "bias") if len(layer.operands) > 2 else None


def layer_matrix(layer: LayerOp) -> np.ndarray:
    """The rows x cols crossbar matrix: conv (cin/groups, kh, kw) x cout; depthwise (kh, kw) x C; linear
    in x out."""
    w = layer_weight(layer)
    kind = layer.kind
    if kind in ("conv", "depthwise"):  # a grouped conv: one group's (cin, kh, kw) rows x every out channel
        return w.reshape(w.shape[0], -1).T
    if kind == "linear":
        return w.T
    return w  # matmul by a K x N constant


def conv_params(layer: LayerOp) -> dict:
    w = layer_weight(layer)
    return {"k": tuple(w.shape[2:]), "s": layer.strides if layer.strides is not None else (1, 1),
            "p": layer.pads if layer.pads is not None else (0, 0, 0, 0),
            "d": layer.dilations if layer.dilations is not None else (1, 1)}


def run_layer_float(layer: LayerOp, x: np.ndarray) -> np.ndarray:
    """The float32 result of the nn op the layer came from."""
    w, b = layer_weight(layer), layer_bias(layer)
    kind = layer.kind
    if kind in ("conv", "depthwise"):
        p = conv_params(layer)
        groups = layer.groups if layer.groups is not None else 1
        return conv2d(x, w, b, p["s"], p["p"], p["d"], groups)
    out = x @ w.T if kind == "linear" else np.matmul(x, w)
    return out + b if b is not None else out
