"""The xbar dialect: weight layers as crossbar matrices, their tiles, and where each tile sits.

    %y = "xbar.layer"(%x, %w) ({
      "xbar.tile"() {replica = 0 : i64, rows = [0, 27], cols = [0, 16], cycles = 1024 : i64,
                     xbar = 3 : i64, offset = [0, 64]} : () -> ()
    }) {layer = 0 : i64, kind = "conv", rows = 27 : i64, cols = 16 : i64, cycles = 1024 : i64, copies = 1 : i64,
        strides = [2, 2], pads = [1, 1, 1, 1], dilations = [1, 1], groups = 1 : i64}
       : (tensor<1x3x64x64xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32> loc("Conv_0")

A layer's matrix has `rows` word lines (k*k*Cin for a conv in (cin, kh, kw) order, k*k for a depthwise conv,
in-features for a linear layer) and `cols` bit lines (out channels / features); it performs `cycles` MVMs per
sample with one copy. Its region lists the tiles of every copy (`replica`). A tile is placed once it has
`xbar` and `offset`; `xbar.array` (at module level) declares the crossbars of a placed program, and the
module's verifier checks the whole placement once (`verify_placement`). The digital rest of the network
stays in the nn dialect.

Accessors return Python values (`layer.copies` is an int, `tile.rows` a `Range`). Names say what they hold:
a layer's `rows`/`cols` are sizes (its matrix's word and bit lines); a tile's `rows`/`cols` are `Range`s of
that matrix, its `height`/`width` the cells it occupies on a crossbar, and its `placement` a position
(crossbar, `row0`, `col0`).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Iterator, NamedTuple

from rnc.hw import LAYER_PERIPHERAL_KEYS
from rnc.hw.precision import LayerPrecision
from rnc.hw.target import Target

from rnc.ir.core import Block, Operation, Region
from rnc.ir.dialect import Dialect
from rnc.ir.opdef import (HasParent, ModuleInvariant, NoTerminator, Pure, RegionHolds, VerifyError, attribute,
                          irdl_op, operand, opt_attribute, opt_operand, region, result)
from rnc.ir.typed_attributes import Int, Ints, OneOf, Pair, Range, RangeOf, Str
from rnc.ir.types import TensorType

from .rnc import module_target

LAYER_KINDS = ("conv", "depthwise", "linear", "matmul")


class Placement(NamedTuple):
    """Where a tile sits: its crossbar and the position (`row0`, `col0`) of its top-left cell there."""

    xbar: int
    row0: int
    col0: int


@irdl_op("xbar.tile", traits=[HasParent("xbar.layer")])
class TileOp(Operation):
    """One rectangle of its layer's matrix, destined for one crossbar.

    `rows` and `cols` are ranges of the layer's matrix; `height` and `width` are the cells the tile
    occupies on its crossbar, `placement` where (crossbar, row0, col0). A block-diagonal depthwise tile
    (`groups` = g > 1) computes g channels per MVM: its k*k rows are repeated g times down the diagonal,
    so its height is g times its rows.
    """

    replica = attribute(Int, doc="which copy of the layer this tile belongs to (0 = the original)")
    rows = attribute(RangeOf, doc="[begin, end) word lines of the layer's matrix")
    cols = attribute(RangeOf, doc="[begin, end) bit lines (output channels) of the layer's matrix")
    cycles = attribute(Int, doc="MVMs this tile performs per sample with one copy")
    groups = opt_attribute(Int, default=1, doc="channels per MVM of a block-diagonal depthwise tile")
    xbar = opt_attribute(Int, doc="crossbar index, once placed")
    offset = opt_attribute(Pair, doc="[row0, col0] of the tile's top-left cell in its crossbar, once placed")

    @property
    def height(self) -> int:
        """Word lines the tile occupies on its crossbar."""
        return self.rows.size * self.groups

    @property
    def width(self) -> int:
        """Weights per word line the tile occupies on its crossbar (bit lines at one bit line per weight)."""
        return self.cols.size

    def footprint(self, cols_per_weight: int | None = None) -> tuple[int, int]:
        """(height, width in cells): what the tile occupies on its crossbar, each weight taking its layer's
        `cols_per_weight` bit lines (or the given number; 1 for a tile outside a layer)."""
        if cols_per_weight is None:
            layer = self.parent_op
            cols_per_weight = layer.cols_per_weight if isinstance(layer, LayerOp) else 1
        return self.height, self.width * cols_per_weight

    @property
    def is_placed(self) -> bool:
        return "xbar" in self.attributes and "offset" in self.attributes

    @property
    def placement(self) -> Placement | None:
        xbar, offset = self.xbar, self.offset
        if xbar is None or offset is None:
            return None
        return Placement(xbar, *offset)

    def place(self, xbar: int, row0: int, col0: int) -> None:
        self.xbar = xbar
        self.offset = (row0, col0)

    def verify_(self) -> None:
        if self.cycles < 0:
            raise VerifyError(f"expects cycles >= 0, got {self.cycles}")
        if self.groups < 1:
            raise VerifyError(f"expects groups >= 1, got {self.groups}")
        if ("xbar" in self.attributes) != ("offset" in self.attributes):
            raise VerifyError("a placed tile needs both 'xbar' and 'offset'")


# The attributes of a layer's own periphery (absent: the target's value), on `xbar.layer` and `isa.weight`.
PERIPHERAL_ATTRIBUTES = {
    "adc_type": (Str, 'ADC type of the layer\'s crossbars, "sar" or "flash"'),
    "adc_bits": (Int, "ADC bits of the layer's crossbars"),
    "cols_per_adc": (Int, "columns sharing one ADC in the layer's crossbars"),
    "input_bits": (Int, "input bits of the layer's MVMs"),
    "dac_bits": (Int, "input bits its DACs apply per read"),
    "cell_bits": (Int, "bits one cell of the layer stores"),
}
assert tuple(PERIPHERAL_ATTRIBUTES) == LAYER_PERIPHERAL_KEYS
# The layer's calibrated ADC ranges (target key adc_range = "calibrated", docs/precision.md): not a target key,
# a fact of the compiled program, so it rides beside the periphery.
ADC_SHIFTS = Ints.where(lambda v: len(v) > 0 and min(v) >= 0, "a non-empty array of non-negative integers")


def with_peripheral_attributes(cls):
    """Declares the optional per-layer peripheral attributes (rnc.hw.LAYER_PERIPHERAL_KEYS) and the
    calibrated `adc_shifts` on an op class; apply below `irdl_op`, on a `PeripheralOverrides` subclass."""
    for key, (constraint, doc) in PERIPHERAL_ATTRIBUTES.items():
        setattr(cls, key, opt_attribute(constraint, doc=doc))
    cls.adc_shifts = opt_attribute(ADC_SHIFTS, default=(), doc="the layer's ADC shift per input read, calibrated "
                                                               "on data (absent: the worst case of each tile)")
    return cls


class PeripheralOverrides(Operation):
    """An op carrying a layer's own periphery as optional attributes (`with_peripheral_attributes`)."""

    @property
    def peripheral_overrides(self) -> dict[str, Any]:
        """The peripheral keys set on this op (absent keys take the target's value)."""
        return {k: getattr(self, k) for k in LAYER_PERIPHERAL_KEYS if k in self.attributes}

    def set_peripheral_overrides(self, overrides: Mapping[str, Any]) -> None:
        """Sets (or, for a value of None, removes) peripheral keys."""
        for key, value in overrides.items():
            if key not in LAYER_PERIPHERAL_KEYS:
                raise KeyError(f"'{key}' is not a per-layer peripheral key ({', '.join(LAYER_PERIPHERAL_KEYS)})")
            setattr(self, key, value)

    def layer_precision(self, target: Target) -> LayerPrecision:
        """The arithmetic of this layer on `target`: its periphery and its calibrated ADC shifts."""
        return target.layer_precision(self.peripheral_overrides, self.adc_shifts)

    def check_peripherals(self, target: Target) -> None:
        """VerifyError unless `target` accepts the overrides (key, value and what is allowed) and the ADC
        shifts fit the layer's input reads."""
        overrides = self.peripheral_overrides
        if overrides:
            try:
                target.for_layer(overrides)
            except ValueError as e:   # ParameterError
                raise VerifyError(f"peripheral attribute {e}") from None
        if self.adc_shifts:
            try:
                self.layer_precision(target)
            except ValueError as e:
                raise VerifyError(str(e)) from None


@irdl_op("xbar.layer", traits=[Pure, NoTerminator, RegionHolds(TileOp)])
@with_peripheral_attributes
class LayerOp(PeripheralOverrides):
    """A weight layer mapped to crossbars: computes what its source nn op computed, tile by tile.

    Its `rows` and `cols` are sizes (the matrix's word lines and bit lines), unlike a tile's ranges. The
    optional `adc_type`, `adc_bits`, `cols_per_adc`, `input_bits`, `dac_bits` and `cell_bits` set the
    layer's own periphery (absent: the target's); `adc_shifts`, its calibrated ADC step per input read.
    """

    input = operand(TensorType, doc="the activations")
    weight = operand(TensorType, doc="the weights, in the source op's layout (OIHW or N x K)")
    bias = opt_operand(TensorType, doc="optional bias, added digitally")
    output = result(TensorType)
    tiles_region = region("the tiles of every copy, in (replica, row block, column block) order")
    layer = attribute(Int, doc="position among the weight layers in execution order")
    kind = attribute(OneOf(*LAYER_KINDS), doc='"conv", "depthwise", "linear" or "matmul"')
    rows = attribute(Int, doc="word lines of the matrix")
    cols = attribute(Int, doc="bit lines of the matrix")
    cycles = attribute(Int, doc="MVMs per sample with one copy (Hout*Wout; C*Hout*Wout for depthwise)")
    copies = opt_attribute(Int, default=1, doc="copies of the tiles that share the MVMs (replicate)")
    strides = opt_attribute(Ints, doc="conv strides")
    pads = opt_attribute(Ints, doc="conv pads [top, left, bottom, right]")
    dilations = opt_attribute(Ints, doc="conv dilations")
    groups = opt_attribute(Int, doc="conv groups")

    @staticmethod
    def make(input, weight, bias, output_type, **attributes) -> "LayerOp":
        operands = [input, weight] + ([bias] if bias is not None else [])
        block = Block()
        op = LayerOp.create(operands, [output_type], attributes, [Region([block])])
        return op  # type: ignore[return-value]

    @property
    def body(self) -> Block:
        return self.regions[0].blocks[0]

    @property
    def tiles(self) -> list[TileOp]:
        return [op for op in self.body.ops if isinstance(op, TileOp)]

    def layer_target(self) -> Target:
        """The module's target with this layer's peripheral overrides (what its MVMs cost and compute)."""
        return module_target(_enclosing_module(self)).for_layer(self.peripheral_overrides)

    def layer_precision(self, target: Target | None = None) -> LayerPrecision:
        """The arithmetic of this layer (on `target`, default its module's): periphery and ADC shifts."""
        return super().layer_precision(target or module_target(_enclosing_module(self)))

    @property
    def cols_per_weight(self) -> int:
        """Bit lines one weight of this layer occupies (its cells per weight, twice for differential pairs)."""
        return self.layer_target().cols_per_weight

    def max_tile_cycles(self) -> int:
        return max((t.cycles for t in self.tiles if t.replica == 0), default=0)

    def describe(self) -> str:
        """How errors name the layer: its index, the ONNX node it came from (the importer's location) and
        its kind, e.g. `layer 1 (ONNX node 'Conv_15', grouped conv)`."""
        return describe_layer(self.layer, self.kind, self.groups, self.location)

    def verify_(self) -> None:
        rows, cols, copies, cycles = self.rows, self.cols, self.copies, self.cycles
        if rows < 1 or cols < 1 or cycles < 0 or copies < 1:
            raise VerifyError(f"expects rows, cols, copies >= 1 and cycles >= 0, got {rows}, {cols}, {copies}, "
                              f"{cycles}")
        if len(self.regions[0].blocks) != 1:
            raise VerifyError("expects one block of tiles")
        self.check_peripherals(module_target(_enclosing_module(self)))
        by_replica: dict[int, list[TileOp]] = defaultdict(list)
        for t in self.tiles:
            r = t.replica
            if not 0 <= r < copies:
                raise VerifyError(f"has a tile of replica {r}, but only {copies} copies")
            (r0, r1), (c0, c1) = t.rows, t.cols
            if r1 > rows or c1 > cols:
                raise VerifyError(f"tile rows [{r0}, {r1}) x cols [{c0}, {c1}) exceed the {rows}x{cols} matrix")
            by_replica[r].append(t)
        for r in range(copies):
            tiles = by_replica.get(r, [])
            covered = sum(t.rows.size * t.cols.size for t in tiles)
            if covered != rows * cols or first_overlap([(*t.rows, *t.cols, t) for t in tiles]):
                raise VerifyError(f"tiles of replica {r} do not cover the {rows}x{cols} matrix exactly once")


def describe_layer(index: int, kind: str, groups: int | None, location) -> str:
    """`layer 1 (ONNX node 'Conv_15', grouped conv)`: what errors call a weight layer (see `LayerOp.describe`);
    just `layer 1` when the layer has no name location."""
    what = "grouped conv" if kind == "conv" and groups is not None and groups > 1 else kind
    node = getattr(location, "name", None)
    return f"layer {index} (ONNX node '{node}', {what})" if node else f"layer {index}"


def _enclosing_module(op: Operation) -> Operation:
    """The outermost op above `op` (the module that carries the target)."""
    while op.parent_op is not None:
        op = op.parent_op
    return op


def first_overlap(boxes: list[tuple[int, int, int, int, Any]]) -> tuple[Any, Any] | None:
    """Two rectangles `(row0, row1, col0, col1, payload)` (half-open) that overlap, or None.

    Sorted by first row, a box can only overlap the boxes after it that start above its last row.
    """
    boxes = sorted(boxes, key=lambda b: b[:4])
    for i, (r0, r1, c0, c1, a) in enumerate(boxes):
        for s0, _, d0, d1, b in boxes[i + 1:]:
            if s0 >= r1:
                break
            if d0 < c1 and c0 < d1:
                return a, b
    return None


def verify_placement(array: "ArrayOp", module: Operation) -> None:
    """Every tile of the module placed, inside its crossbar, on a crossbar below `count`, overlapping no
    other tile. Errors are reported at the array and name the tile at fault."""
    count, rows, cols = array.count, array.rows, array.cols
    per_xbar: dict[int, list[tuple[int, int, int, int, TileOp]]] = defaultdict(list)
    for tile in module_tiles(module):
        placement = tile.placement
        if placement is None:
            raise DiagnosticOnTile(array, tile, "is not placed, but the module declares an 'xbar.array'")
        x, r, c = placement
        h, w = tile.footprint()
        if not 0 <= x < count:
            raise DiagnosticOnTile(array, tile, f"is placed on crossbar {x}, outside the array of {count}")
        if r + h > rows or c + w > cols:
            raise DiagnosticOnTile(array, tile, f"of {h}x{w} cells at [{r}, {c}] does not fit in a {rows}x{cols} "
                                                f"crossbar")
        per_xbar[x].append((r, r + h, c, c + w, tile))
    for x, boxes in per_xbar.items():
        pair = first_overlap(boxes)
        if pair:
            t, u = pair
            raise DiagnosticOnTile(array, u, f"overlaps another tile on crossbar {x} ({_cells(u)} vs {_cells(t)})")


@irdl_op("xbar.array", traits=[HasParent("builtin.module"), ModuleInvariant(verify_placement)])
class ArrayOp(Operation):
    """The crossbars of a placed program, at module level.

    Every tile in the module must be placed, inside its crossbar, on a crossbar index below `count`,
    without overlapping another tile (`verify_placement`, which the module's verifier runs once as this
    op's `ModuleInvariant`); `count` may not exceed `budget` when one is given.
    """

    count = attribute(Int, doc="crossbars used")
    rows = attribute(Int, doc="word lines per crossbar")
    cols = attribute(Int, doc="bit lines per crossbar")
    budget = opt_attribute(Int, doc="crossbars available")

    def verify_(self) -> None:
        if self.budget is not None and self.count > self.budget:
            raise VerifyError(f"uses {self.count} crossbars but the budget is {self.budget}")


def _cells(tile: TileOp) -> str:
    x, r, c = tile.placement  # type: ignore[misc]
    h, w = tile.footprint()
    return f"rows {r}-{r + h} x cols {c}-{c + w}"


class DiagnosticOnTile(VerifyError):
    """A placement error found by `verify_placement`: reported at the `xbar.array`, naming the tile."""

    def __init__(self, array: ArrayOp, tile: TileOp, message: str) -> None:
        layer = tile.parent_op
        where = f"tile (replica {tile.replica}, rows {list(tile.rows)}, cols {list(tile.cols)})"
        if isinstance(layer, LayerOp):
            where += f" of {layer.describe()}"
        super().__init__(f"{where} {message}", op=array)
        self.tile = tile


def module_layers(module: Operation) -> list[LayerOp]:
    """The module's xbar layers in execution (layer index) order."""
    return sorted((op for op in module.walk() if isinstance(op, LayerOp)), key=lambda l: l.layer)


def module_tiles(module: Operation) -> Iterator[TileOp]:
    for op in module.walk():
        if isinstance(op, TileOp):
            yield op


def module_array(module: Operation) -> ArrayOp | None:
    for op in module.regions[0].blocks[0].ops:
        if isinstance(op, ArrayOp):
            return op
    return None


DIALECT = Dialect("xbar", [LayerOp, TileOp, ArrayOp], doc="Crossbar layers, tiles and placement.")
