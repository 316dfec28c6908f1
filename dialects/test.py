"""The test dialect: ops for writing IR tests without any real dialect.

`test.op` takes and produces values of any type, holds any attributes and regions, and has no side effects
(so `dce` removes it when unused); `test.effect` is the same with a side effect (never removed);
`test.i32` adds its `value` attribute (a non-negative integer) to an i32, to exercise constraint
diagnostics and rewrites (`canonicalize` removes the ones that add 0).
"""
from __future__ import annotations

from rnc.ir.attributes import IntegerAttr
from rnc.ir.core import Operation
from rnc.ir.dialect import Dialect
from rnc.ir.opdef import Pure, VerifyError, attribute, irdl_op, operand, result, var_operand, var_region, \
    var_result
from rnc.ir.rewriting import RewritePattern, Rewriter
from rnc.ir.types import IntegerType


@irdl_op("test.op", traits=[Pure])
class TestOp(Operation):
    """Any operands, results, attributes and regions; no side effects."""

    inputs = var_operand()
    outputs = var_result()
    bodies = var_region()


@irdl_op("test.effect")
class TestEffectOp(Operation):
    """Like test.op, but with a side effect, so it is never removed as dead."""

    inputs = var_operand()
    outputs = var_result()
    bodies = var_region()


def _is_i32(t) -> bool:
    """i32"""
    return isinstance(t, IntegerType) and t.width == 32 and not t.signedness


class AddZeroIsIdentity(RewritePattern):
    """`test.i32 {value = 0}` returns its input unchanged: its users take the input instead."""

    op_name = "test.i32"

    def match_and_rewrite(self, op: Operation, rewriter: Rewriter) -> bool:
        if op.attributes["value"].value != 0:
            return False
        rewriter.replace_op(op, [], new_results=[op.operands[0]])
        return True


@irdl_op("test.i32", traits=[Pure])
class TestI32Op(Operation):
    """Adds `value` to an i32; `value` must be a non-negative integer attribute."""

    input = operand(_is_i32)
    output = result(_is_i32)
    value = attribute(IntegerAttr)

    def verify_(self) -> None:
        if self.value.value < 0:
            raise VerifyError(f"expects a non-negative 'value', got {self.value.value}")

    @classmethod
    def canonicalization_patterns(cls) -> list[RewritePattern]:
        return [AddZeroIsIdentity()]


DIALECT = Dialect("test", [TestOp, TestEffectOp, TestI32Op], doc="Ops for tests.")
