"""Building IR in Python: ops from their declarations, use lists, mutation, cloning, printing, verifying."""
import numpy as np
import pytest

from rnc.dialects.builtin import ModuleOp
from rnc.dialects.func import FuncOp, ReturnOp
from rnc.dialects import test as test_dialect
from rnc.ir.attributes import (ArrayAttr, BoolAttr, DenseAttr, DenseResourceAttr, DictAttr, FloatAttr, IntegerAttr,
                               ResourceBlob, StringAttr, UnitAttr, dense, to_attr)
from rnc.ir.core import Block, Operation, Region
from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.location import NameLoc
from rnc.ir.opdef import VerifyError
from rnc.ir.parser import parse_module
from rnc.ir.printer import print_module
from rnc.ir.types import FunctionType, IntegerType, f32, i32, i64, index, tensor
from rnc.ir.verifier import verify


# Aliases: pytest would try to collect classes named Test*.
AnyOp, EffectOp, AddOp = test_dialect.TestOp, test_dialect.TestEffectOp, test_dialect.TestI32Op


def function_adding(values: list[int]) -> tuple[ModuleOp, FuncOp]:
    """func @f(%x: i32) -> i32 that chains one test.i32 per value."""
    fn = FuncOp.make("f", [i32], [i32], arg_names=["x"])
    value = fn.entry.args[0]
    for v in values:
        op = AddOp.build(input=value, output=i32, value=IntegerAttr(v))
        fn.entry.append(op)
        value = op.result
    fn.entry.append(ReturnOp.build(values=[value]))
    return ModuleOp.empty([fn]), fn


def test_build_from_declarations_prints_and_verifies():
    module, fn = function_adding([1, 2])
    verify(module)
    text = print_module(module)
    assert '^bb0(%x: i32):' in text
    assert '%0 = "test.i32"(%x) {value = 1 : i64} : (i32) -> i32' in text
    assert '%1 = "test.i32"(%0) {value = 2 : i64} : (i32) -> i32' in text
    assert '"func.return"(%1) : (i32) -> ()' in text
    assert print_module(parse_module(text)) == text


def test_typed_accessors_follow_the_declaration():
    module, fn = function_adding([5])
    add = fn.entry.ops[0]
    assert isinstance(add, AddOp)
    assert add.input is fn.entry.args[0]
    assert add.output is add.results[0]
    assert add.value == IntegerAttr(5)
    assert fn.sym_name == StringAttr("f")
    assert fn.type == FunctionType((i32,), (i32,))
    ret = fn.entry.ops[-1]
    assert ret.values == (add.result,)


def test_build_rejects_missing_and_unknown_fields():
    with pytest.raises(TypeError, match="missing operand 'input'"):
        AddOp.build(output=i32, value=1)
    with pytest.raises(TypeError, match="unknown fields"):
        AddOp.build(input=FuncOp.make("g", [i32], []).entry.args[0], output=i32, value=1, colour="red")


def test_use_lists_follow_mutation():
    module, fn = function_adding([1, 2])
    first, second = fn.entry.ops[0], fn.entry.ops[1]
    x = fn.entry.args[0]
    assert first.result.users == [second]
    second.set_operand(0, x)
    assert not first.result.has_uses
    assert x.users == [first, second]
    first.erase()
    assert x.users == [second]
    verify(module)


def test_erase_refuses_an_op_still_in_use():
    module, fn = function_adding([1, 2])
    with pytest.raises(ValueError, match="still has uses"):
        fn.entry.ops[0].erase()


def test_replace_all_uses_with():
    module, fn = function_adding([1, 2])
    first, second = fn.entry.ops[0], fn.entry.ops[1]
    second.result.replace_all_uses_with(first.result)
    assert fn.entry.ops[-1].operands == (first.result,)
    second.erase()
    verify(module)


def test_verifier_reports_constraint_violations_with_the_op_name():
    module, fn = function_adding([1])
    fn.entry.ops[0].set_attr("value", -4)
    with pytest.raises(DiagnosticError, match="'test.i32' op expects a non-negative 'value', got -4"):
        verify(module)


def test_verifier_rejects_values_that_do_not_dominate():
    module, fn = function_adding([1, 2])
    first, second = fn.entry.ops[0], fn.entry.ops[1]
    first.set_operand(0, second.result)
    with pytest.raises(DiagnosticError, match="does not dominate"):
        verify(module)


def test_verifier_rejects_raw_python_attribute_values():
    op = AnyOp.create(attributes={})
    op.attributes["raw"] = 3  # not through to_attr
    with pytest.raises(DiagnosticError, match="attribute 'raw' is a int, not an Attribute"):
        verify(ModuleOp.empty([op]))


def test_diagnostic_without_source_position_names_the_location():
    module, fn = function_adding([1])
    fn.entry.ops[0].set_attr("value", -1)
    fn.entry.ops[0].location = NameLoc("Add_3")
    with pytest.raises(DiagnosticError) as e:
        verify(module)
    assert e.value.diagnostic.render() == "loc(\"Add_3\"): error: 'test.i32' op expects a non-negative 'value', got -1"


def test_verify_error_can_point_at_another_op_with_notes():
    a, b = FuncOp.make("same", [], []), FuncOp.make("same", [], [])
    for fn in (a, b):
        fn.entry.append(ReturnOp.build(values=[]))
    with pytest.raises(DiagnosticError) as e:
        verify(ModuleOp.empty([a, b]))
    d = e.value.diagnostic
    assert d.message == "'func.func' op redefinition of symbol named 'same'"
    assert [n.message for n in d.notes] == ["see existing symbol definition here"]
    with pytest.raises(VerifyError):
        raise VerifyError("x", op=a, notes=[(b, "here")])


def test_to_attr_converts_python_and_numpy_values():
    assert to_attr(3) == IntegerAttr(3, i64)
    assert to_attr(2.5) == FloatAttr(2.5)
    assert to_attr(True) == BoolAttr(True)
    assert to_attr("s") == StringAttr("s")
    assert to_attr([1, "a"]) == ArrayAttr((IntegerAttr(1), StringAttr("a")))
    assert to_attr({"b": 1, "a": 2}) == DictAttr((("a", IntegerAttr(2)), ("b", IntegerAttr(1))))
    assert to_attr(np.int32(4)) == IntegerAttr(4)
    assert to_attr(np.float32(0.5)) == FloatAttr(0.5)
    assert to_attr(np.bool_(False)) == BoolAttr(False)
    assert isinstance(to_attr(np.zeros((2, 2), np.float32)), DenseAttr)
    with pytest.raises(TypeError):
        to_attr(object())


def test_float_attributes_hold_their_types_precision():
    assert FloatAttr(0.1, f32).value == float(np.float32(0.1))
    assert str(FloatAttr(0.1, f32)) == "0.1 : f32"
    with pytest.raises(ValueError, match="out of range for f32"):
        FloatAttr(1e39, f32)


def test_dense_and_resource_attributes_round_trip():
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    blob = ResourceBlob("w0", weights.tobytes())
    op = AnyOp.create(result_types=[tensor((2, 3))], attributes={
        "inline": dense(np.array([1, 2], np.int8)), "res": DenseResourceAttr(blob, tensor((2, 3)))})
    module = ModuleOp.empty([op])
    text = print_module(module)
    assert "inline = dense<[1, 2]> : tensor<2xi8>" in text
    assert 'w0: "0x0400000000000000' in text
    again = parse_module(text)
    np.testing.assert_array_equal(again.block.ops[0].attributes["res"].to_numpy(), weights)
    assert print_module(again) == text


def test_resource_names_are_checked():
    with pytest.raises(ValueError, match="may only use"):
        ResourceBlob("conv/weight")


def test_clone_copies_regions_and_remaps_inner_values():
    module, fn = function_adding([1, 2])
    copy = fn.clone()
    copy.set_attr("sym_name", "g")
    module.block.append(copy)
    verify(module)
    assert copy.entry.ops[0].operands[0] is copy.entry.args[0]
    assert copy.entry.ops[1].operands[0] is copy.entry.ops[0].result
    assert print_module(module).count('"test.i32"') == 4


def test_unregistered_ops_are_plain_operations():
    op = Operation("acme.thing", result_types=[index], attributes={"u": UnitAttr()})
    assert op.result.type == index
    assert str(op) == '%0 = "acme.thing"() {u} : () -> index'


def test_printer_makes_python_names_printable_and_unique():
    fn = FuncOp.make("f", [i32, i32], [], arg_names=["in/put", "in/put"])
    fn.entry.append(ReturnOp.build(values=[]))
    text = print_module(ModuleOp.empty([fn]))
    assert "^bb0(%in_put: i32, %in_put_1: i32):" in text
    parse_module(text)


def test_block_labels_are_made_unique():
    region = Region([Block(), Block(), Block()])
    region.blocks[1].label = "same"
    region.blocks[2].label = "same"
    op = EffectOp.create(regions=[region])
    text = str(op)
    assert "^same:" in text and "^bb2:" in text
    print_module(parse_module(text))


def test_module_empty_and_attr_value_helpers():
    op = AnyOp.create(attributes={"pads": [1, 2], "flag": UnitAttr(), "n": 3})
    assert op.attr_value("pads") == (1, 2)
    assert op.attr_value("flag") is True
    assert op.attr_value("n") == 3
    assert op.attr_value("missing", "d") == "d"
    assert ModuleOp.empty().block.ops == []
    assert IntegerType(8, "u").numpy_dtype == np.uint8
