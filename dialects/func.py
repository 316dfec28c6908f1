"""The func dialect: functions (`func.func`) and their terminator (`func.return`)."""
from __future__ import annotations

from rnc.ir.attributes import StringAttr, TypeAttr
from rnc.ir.core import Block, Operation, Region
from rnc.ir.dialect import Dialect
from rnc.ir.opdef import (HasParent, IsolatedFromAbove, IsTerminator, VerifyError, attribute, irdl_op, opt_attribute,
                          region, var_operand)
from rnc.ir.types import FunctionType


def _is_function_type(a) -> bool:
    """a function type"""
    return isinstance(a, TypeAttr) and isinstance(a.value, FunctionType)


@irdl_op("func.func", traits=[IsolatedFromAbove])
class FuncOp(Operation):
    """A function: a named region whose entry block arguments are the inputs; ends with `func.return`."""

    body = region("the function body; entry block arguments are the function inputs")
    sym_name = attribute(StringAttr, doc="the function's name")
    function_type = attribute(_is_function_type, doc="(inputs) -> results")
    arg_names = opt_attribute(doc="original names of the inputs (e.g. ONNX graph inputs)")
    result_names = opt_attribute(doc="original names of the outputs")

    @staticmethod
    def make(name: str, input_types, result_types, arg_names=None) -> "FuncOp":
        block = Block(input_types, arg_names)
        fn = FuncOp.create(regions=[Region([block])], attributes={
            "sym_name": StringAttr(name),
            "function_type": TypeAttr(FunctionType(tuple(input_types), tuple(result_types)))})
        return fn  # type: ignore[return-value]

    @property
    def type(self) -> FunctionType:
        return self.attributes["function_type"].value  # type: ignore[attr-defined]

    @property
    def entry(self) -> Block:
        return self.regions[0].blocks[0]

    def verify_(self) -> None:
        ftype = self.type
        if not self.regions[0].blocks:
            raise VerifyError("expects a non-empty body")
        entry = self.entry
        arg_types = tuple(a.type for a in entry.args)
        if arg_types != ftype.inputs:
            raise VerifyError(f"entry block arguments ({', '.join(map(str, arg_types))}) do not match the "
                              f"function inputs ({', '.join(map(str, ftype.inputs))})")
        for block in self.regions[0].blocks:
            term = block.terminator
            if term is None or not term.has_trait(IsTerminator):
                raise VerifyError("expects every block to end with a terminator such as 'func.return'")


@irdl_op("func.return", traits=[IsTerminator, HasParent("func.func")])
class ReturnOp(Operation):
    """Returns its operands from the enclosing function."""

    values = var_operand(doc="the function's results")

    def verify_(self) -> None:
        fn = self.parent_op
        got = tuple(v.type for v in self.operands)
        if got != fn.type.results:
            raise VerifyError(f"returns ({', '.join(map(str, got))}) but the function's results are "
                              f"({', '.join(map(str, fn.type.results))})")


class FunctionNotFoundError(ValueError):
    """The module has no function of the name asked for (one-line message)."""


def find_function(module: Operation, name: str = "main") -> Operation:
    """The `func.func` named `name`, or the module's only function."""
    functions = [op for op in module.regions[0].block.ops if op.name == "func.func"] if module.regions else []
    for fn in functions:
        if fn.attr_value("sym_name") == name:
            return fn
    if len(functions) == 1:
        return functions[0]
    names = ", ".join(str(fn.attr_value("sym_name")) for fn in functions) or "none"
    raise FunctionNotFoundError(f"no function '{name}' in the module (functions: {names})")


DIALECT = Dialect("func", [FuncOp, ReturnOp], doc="Functions and returns.")
