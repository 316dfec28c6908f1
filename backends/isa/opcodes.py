"""The ISA's digital opcodes: which nn ops the digital unit runs, their arguments and what they cost.

An opcode is an nn op's name without `nn.`; its arguments are that op's attributes, defaults included (the
nn op's declaration is their one definition), except that pure data movement carries none: the
destination's shape says it all. The simulator runs an opcode with the nn op's kernel
(`rnc.dialects.nn.kernels`), so a digital op's numbers match the float reference exactly.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from rnc.dialects.nn.base import float_attr, unit_attr
from rnc.ir.attributes import Attribute, FloatAttr, UnitAttr, to_attr
from rnc.ir.core import Operation
from rnc.ir.dialect import lookup_op

SUPPORTED = {"add", "sub", "mul", "div", "pow", "sum", "where", "relu", "clip", "sigmoid", "hard_sigmoid",
             "hard_swish", "tanh", "gelu", "erf", "sqrt", "exp", "softmax", "max_pool", "avg_pool", "global_avg_pool",
             "resize", "flatten", "reshape", "transpose", "concat", "pad", "slice", "gather", "expand", "cast",
             "batch_norm", "layer_norm", "lrn", "dropout", "identity"}
# Reductions: one operation per input element, like global_avg_pool.
REDUCTIONS = {"reduce_mean", "reduce_sum", "reduce_max"}
SUPPORTED |= REDUCTIONS
# Products of two activations (attention's Q K^T and P V, a Gemm whose B is computed) on the digital unit:
# each multiply-add counts as a multiplication and an addition, as `mul` followed by `add` would.
# Products by constant weights never get here: they are crossbar layers.
PRODUCTS = {"matmul", "linear"}
SUPPORTED |= PRODUCTS
# The zeros between a transposed conv's input pixels (the conv itself runs on crossbars): a write per output.
SUPPORTED.add("insert_zeros")
# Pure data movement: no arithmetic, no time on the digital unit, no arguments.
MOVES = {"flatten", "reshape", "dropout", "identity"}


def opcode_of(op: Operation) -> str | None:
    """The opcode that runs nn op `op`, or None if the digital unit cannot run it."""
    opcode = op.name[3:] if op.name.startswith("nn.") else None
    return opcode if opcode in SUPPORTED else None


def _declared(opcode: str):
    return lookup_op("nn." + opcode).DEFINITION.attributes


def opcode_arguments(op: Operation) -> dict[str, Attribute]:
    """The ISA arguments of nn op `op`: its declared attributes present or defaulted, in declaration order."""
    if op.name[3:] in MOVES:
        return {}
    values = {d.name: getattr(op, d.name) for d in type(op).DEFINITION.attributes}
    return {name: value for name, value in values.items() if value is not None}


def ordered_arguments(opcode: str, args: dict[str, Any]) -> list[tuple[str, Any]]:
    """`args` in the nn op's declaration order (the order the `.isa` text prints them in)."""
    return [(d.name, args[d.name]) for d in _declared(opcode) if d.name in args]


def argument_text(value: Any) -> str:
    """A Python-valued argument as `.isa` text: `[1,2]`, a float's shortest repr, a name, 1 for a unit flag."""
    if value is True:
        return "1"
    if isinstance(value, tuple):
        return "[" + ",".join(str(x) for x in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def argument_attribute(opcode: str, key: str, value: Any) -> Attribute:
    """The attribute of argument `key=value` of `opcode`, as read from `.isa` text (ValueError if it has none)."""
    decl = next((d for d in _declared(opcode) if d.name == key), None)
    if decl is None or opcode in MOVES:
        raise ValueError(f"'{opcode}' has no argument '{key}'")
    if decl.constraint is unit_attr:
        if value != 1:
            raise ValueError(f"'{opcode}' flag '{key}' is written {key}=1, got {value}")
        return UnitAttr()
    if decl.constraint is float_attr and isinstance(value, int):
        return FloatAttr(float(value))
    return to_attr(value)


def digital_elems(opcode: str, args: dict[str, Any], in_shapes: list, out_shape) -> int:
    """Elementary operations the digital unit performs (what the timing model charges); `args` as Python
    values."""
    out = int(np.prod(out_shape))
    if opcode in MOVES:
        return 0
    if opcode in ("max_pool", "avg_pool"):
        return out * int(np.prod(args["kernel_shape"]))
    if opcode == "global_avg_pool" or opcode in REDUCTIONS:
        return int(np.prod(in_shapes[0]))
    if opcode == "layer_norm":  # a pass for the mean, one for the variance, one to normalize
        return 3 * int(np.prod(in_shapes[0]))
    if opcode == "resize" and args.get("mode") == "linear":  # two taps and a weight per resized axis
        return out * 2 ** sum(s != 1 for s in args["scales"])
    if opcode in PRODUCTS:
        return 2 * out * int(in_shapes[0][-1])  # a multiply and an add per output and contracted element
    return out
