"""Typed attribute accessors return and take Python values; declared traits become verifier checks."""
import pytest

from rnc.dialects.builtin import ModuleOp
from rnc.dialects.xbar import Placement, TileOp
from rnc.ir.attributes import ArrayAttr, IntegerAttr, SymbolRefAttr, UnitAttr
from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.opdef import ModuleInvariant, irdl_op, opt_attribute
from rnc.ir.core import Operation
from rnc.ir.parser import parse_module
from rnc.ir.printer import print_module
from rnc.ir.typed_attributes import Flag, Int, Range, Symbol
from rnc.ir.verifier import verify


def test_accessors_read_python_values_and_the_op_keeps_attributes():
    tile = TileOp.create(attributes={"replica": 0, "rows": [0, 27], "cols": [16, 32], "cycles": 1024})
    assert (tile.replica, tile.cycles, tile.groups) == (0, 1024, 1)      # groups: its declared default
    assert tile.rows == Range(0, 27) and tile.rows.size == 27 and tile.cols == (16, 32)
    assert (tile.height, tile.width, tile.footprint(2)) == (27, 16, (27, 32))
    assert tile.placement is None
    tile.place(3, 0, 64)
    assert tile.placement == Placement(3, 0, 64) and tile.placement.row0 == 0
    assert tile.attributes["xbar"] == IntegerAttr(3) and isinstance(tile.attributes["offset"], ArrayAttr)


def test_assigning_stores_an_attribute_and_none_removes_it():
    tile = TileOp.create(attributes={"replica": 0, "rows": [0, 9], "cols": [0, 8], "cycles": 1, "xbar": 2})
    tile.cycles = 7
    assert tile.attributes["cycles"] == IntegerAttr(7)
    tile.xbar = None
    assert "xbar" not in tile.attributes


@irdl_op("test.typed_probe")
class _Probe(Operation):
    """A probe op with a flag and a symbol."""

    flag = opt_attribute(Flag)
    target = opt_attribute(Symbol)
    count = opt_attribute(Int, default=4)


def test_flags_and_symbols_round_trip_through_the_accessor():
    op = _Probe.build(flag=True, target="w0")
    assert op.attributes == {"flag": UnitAttr(), "target": SymbolRefAttr("w0")}
    assert (op.flag, op.target, op.count) == (True, "w0", 4)
    op.flag = False
    assert "flag" not in op.attributes and op.flag is None


def test_a_module_invariant_runs_once_per_verification_of_the_module():
    calls = []

    @irdl_op("test.module_checked", traits=[ModuleInvariant(lambda op, module: calls.append(module))])
    class _Checked(Operation):
        """Counts how often its module invariant runs."""

    module = ModuleOp.empty([_Checked.create()])
    verify(module)
    assert calls == [module]


def test_printing_is_unchanged_by_typed_accessors():
    text = ('"func.func"() ({\n^bb0(%x: tensor<1x16x8x8xf32>, %w: tensor<16x1x3x3xf32>):\n'
            '  %d = "xbar.layer"(%x, %w) ({\n'
            '    "xbar.tile"() {cols = [0, 16], cycles = 1024 : i64, replica = 0 : i64, rows = [0, 9]} : () -> ()\n'
            '  }) {cols = 16 : i64, cycles = 1024 : i64, kind = "depthwise", layer = 0 : i64, rows = 9 : i64} : '
            '(tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x8x8xf32>\n'
            '  "func.return"(%d) : (tensor<1x16x8x8xf32>) -> ()\n'
            '}) {function_type = (tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x8x8xf32>, '
            'sym_name = "main"} : () -> ()\n')
    module = parse_module(text)
    verify(module)
    layer = next(op for op in module.walk() if op.name == "xbar.layer")
    assert (layer.layer, layer.kind, layer.copies) == (0, "depthwise", 1)
    assert print_module(parse_module(print_module(module))) == print_module(module)


def test_has_parent_is_checked_from_the_declaration():
    module = ModuleOp.empty([TileOp.create(attributes={"replica": 0, "rows": [0, 9], "cols": [0, 8],
                                                       "cycles": 1})])
    with pytest.raises(DiagnosticError, match="expects parent op 'xbar.layer'"):
        verify(module)
