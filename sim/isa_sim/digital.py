"""The ISA's digital opcodes: each is an nn-dialect op run with the nn kernels, on float32 values.

An opcode is the nn op's name without `nn.`; its arguments are the op attributes listed in `OPCODE_ATTRS`
(a unit attribute prints as `=1`). The simulator calls the same kernel the float interpreter uses, through a
small stand-in for the op, so a digital op's numbers match the reference exactly.
"""
from __future__ import annotations

import numpy as np

from rnc.sim.nn_kernels import KERNELS

# Attributes each opcode carries (those the kernel reads); opcodes not listed take none.
OPCODE_ATTRS: dict[str, tuple[str, ...]] = {
    "max_pool": ("kernel_shape", "strides", "pads", "dilations", "ceil_mode"),
    "avg_pool": ("kernel_shape", "strides", "pads", "ceil_mode", "count_include_pad"),
    "clip": ("min", "max"),
    "hard_sigmoid": ("alpha", "beta"),
    "softmax": ("axis",),
    "transpose": ("perm",),
    "concat": ("axis",),
    "pad": ("pads", "mode", "value"),
    "batch_norm": ("epsilon",),
    "lrn": ("size", "alpha", "beta", "bias"),
}
SUPPORTED = {"add", "sub", "mul", "div", "sum", "relu", "clip", "sigmoid", "hard_sigmoid", "hard_swish", "tanh",
             "softmax", "max_pool", "avg_pool", "global_avg_pool", "flatten", "reshape", "transpose", "concat",
             "pad", "batch_norm", "lrn", "dropout", "identity"}
# Pure data movement: no arithmetic, no time on the digital unit.
MOVES = {"flatten", "reshape", "dropout", "identity"}


class _Attr:
    def __init__(self, value) -> None:
        self.value = value

    def ints(self):
        return tuple(self.value)


class _Type:
    def __init__(self, shape) -> None:
        self.shape = tuple(shape)


class _Result:
    def __init__(self, shape) -> None:
        self.type = _Type(shape)


class _OpStandIn:
    """What a kernel reads from an op: attributes (None when absent) and the result shape."""

    def __init__(self, args: dict, out_shape) -> None:
        self._args = args
        self.results = [_Result(out_shape)]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        v = self._args.get(name)
        return None if v is None else _Attr(v)


def run_digital(opcode: str, args: dict, operands: list[np.ndarray], out_shape) -> np.ndarray:
    kernel = KERNELS.get("nn." + opcode)
    if kernel is None or opcode not in SUPPORTED:
        raise ValueError(f"unknown digital opcode '{opcode}'")
    out = np.asarray(kernel(_OpStandIn(args, out_shape), operands))
    return out.astype(np.float32, copy=False).reshape(out_shape)


def attr_args(op) -> dict:
    """The ISA arguments of an nn op (ints, floats, names, int lists)."""
    out = {}
    for name in OPCODE_ATTRS.get(op.name[3:], ()):
        a = getattr(op, name, None)
        if a is None:
            continue
        v = getattr(a, "value", None)
        if hasattr(a, "ints") and isinstance(v, (list, tuple)):
            out[name] = tuple(a.ints())
        elif isinstance(v, bool) or v is None:
            out[name] = 1  # a unit attribute: present
        elif isinstance(v, (int, float, str)):
            out[name] = v
        else:
            raise ValueError(f"'{op.name}': cannot encode attribute '{name}'")
    return out


def digital_elems(opcode: str, args: dict, in_shapes: list, out_shape) -> int:
    """Elementary operations the digital unit performs (what the timing model charges)."""
    out = int(np.prod(out_shape))
    if opcode in MOVES:
        return 0
    if opcode in ("max_pool", "avg_pool"):
        return out * int(np.prod(args["kernel_shape"]))
    if opcode == "global_avg_pool":
        return int(np.prod(in_shapes[0]))
    return out
