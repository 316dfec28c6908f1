"""Recognizes GELU written out in elementary ops and makes it one `nn.gelu` (a canonicalization of `nn.mul`).

torch's legacy exporter (opset < 20 has no Gelu) writes `x * (erf(x / sqrt 2) + 1) * 0.5` and, for
`approximate='tanh'`, `0.5 * (x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x*x*x))))`. One op computes it
exactly where the chain would round every intermediate to 8 bits on the crossbar chip, and runs in one
digital-unit pass.

Products are matched as multisets of factors (`nn.mul` trees, scalar constants multiplied out), so operand
order and association do not matter.
"""
from __future__ import annotations

import math

import numpy as np

from rnc.ir.core import Operation, Value
from rnc.ir.rewriting import RewritePattern, Rewriter

from .constant import constant_of

_TOLERANCE = 1e-5   # relative: exporters write the constants in float32


class FuseGelu(RewritePattern):
    """`0.5 * x * (1 + erf(x / sqrt 2))` -> `nn.gelu(x)`; the tanh form -> `nn.gelu(x) {approximate = "tanh"}`."""

    op_name = "nn.mul"

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        scale, factors = _product(op.results[0])
        if len(factors) != 2 or not _close(scale, 0.5):
            return False
        for x, other in (factors, factors[::-1]):
            approximate = _one_plus_phi(other, x)
            if approximate is not None:
                from .elementwise import GeluOp
                gelu = GeluOp.make(input=x, approximate=approximate, name=op.results[0].name_hint,
                                   location=op.location)
                if gelu.results[0].type != op.results[0].type:
                    return False  # the product broadcast x to a larger shape
                rewriter.replace_op(op, gelu)
                return True
        return False


def _product(value: Value) -> tuple[float, list[Value]]:
    """(product of scalar constant factors, the other factors) of `value` seen through `nn.mul`s."""
    scalar = _scalar(value)
    if scalar is not None:
        return scalar, []
    op = getattr(value, "op", None)
    if op is None or op.name != "nn.mul":
        return 1.0, [value]
    scale, factors = 1.0, []
    for operand in op.operands:
        s, f = _product(operand)
        scale, factors = scale * s, factors + f
    return scale, factors


def _one_plus_phi(value: Value, x: Value) -> str | None:
    """'none' if `value` is 1 + erf(x / sqrt 2), 'tanh' if 1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)), else None."""
    op = getattr(value, "op", None)
    if op is None or op.name != "nn.add":
        return None
    for one, term in (op.operands, op.operands[::-1]):
        if _scalar(one) is None or not _close(_scalar(one), 1.0):
            continue
        inner = getattr(term, "op", None)
        if inner is None or inner.name not in ("nn.erf", "nn.tanh"):
            continue
        if inner.name == "nn.erf" and _is_scaled(inner.operands[0], x, 1 / math.sqrt(2)):
            return "none"
        if inner.name == "nn.tanh" and _is_tanh_argument(inner.operands[0], x):
            return "tanh"
    return None


def _is_scaled(value: Value, x: Value, factor: float) -> bool:
    """`value` is `x * factor` (as a product, or `x / (1 / factor)`)."""
    op = getattr(value, "op", None)
    if op is not None and op.name == "nn.div" and op.operands[0] is x:
        divisor = _scalar(op.operands[1])
        return divisor is not None and _close(1 / divisor, factor)
    scale, factors = _product(value)
    return factors == [x] and _close(scale, factor)


def _is_tanh_argument(value: Value, x: Value) -> bool:
    """`value` is sqrt(2/pi) * (x + 0.044715 * x^3)."""
    scale, factors = _product(value)
    if len(factors) != 1 or not _close(scale, math.sqrt(2 / math.pi)):
        return False
    op = getattr(factors[0], "op", None)
    if op is None or op.name != "nn.add":
        return False
    for lone, cubic in (op.operands, op.operands[::-1]):
        if lone is not x:
            continue
        kappa, cube = _product(cubic)
        if _close(kappa, 0.044715) and (cube == [x, x, x] or _is_cube(cube, x)):
            return True
    return False


def _is_cube(factors: list[Value], x: Value) -> bool:
    """[x ** 3] as one `nn.pow` by a constant 3."""
    if len(factors) != 1:
        return False
    op = getattr(factors[0], "op", None)
    return op is not None and op.name == "nn.pow" and op.operands[0] is x and _scalar(op.operands[1]) == 3.0


def _scalar(value: Value) -> float | None:
    array = constant_of(value)
    if array is None or array.size != 1:
        return None
    return float(np.asarray(array).reshape(-1)[0])


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _TOLERANCE * abs(b)
