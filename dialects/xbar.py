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
`xbar` and `offset`; `xbar.array` (at module level) declares the crossbars of a placed program, and its
verifier checks the whole placement. The digital rest of the network stays in the nn dialect.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterator

from rnc.ir.attributes import ArrayAttr, IntegerAttr, StringAttr
from rnc.ir.core import Block, Operation, Region
from rnc.ir.dialect import Dialect
from rnc.ir.opdef import (NoTerminator, Pure, VerifyError, attribute, irdl_op, operand, opt_attribute,
                          opt_operand, region, result)
from rnc.ir.types import TensorType

LAYER_KINDS = ("conv", "depthwise", "linear", "matmul")


def _int(a) -> bool:
    """an integer"""
    return isinstance(a, IntegerAttr)


def _range(a) -> bool:
    """a [begin, end) pair of integers"""
    return (isinstance(a, ArrayAttr) and len(a) == 2 and all(isinstance(x, IntegerAttr) for x in a.value)
            and 0 <= a.value[0].value < a.value[1].value)


def _pair(a) -> bool:
    """a pair of non-negative integers"""
    return (isinstance(a, ArrayAttr) and len(a) == 2 and all(isinstance(x, IntegerAttr) for x in a.value)
            and all(x.value >= 0 for x in a.value))


def _kind(a) -> bool:
    """one of "conv", "depthwise", "linear", "matmul" """
    return isinstance(a, StringAttr) and a.value in LAYER_KINDS


def _ints(a) -> bool:
    """an array of integers"""
    return isinstance(a, ArrayAttr) and all(isinstance(x, IntegerAttr) for x in a.value)


@irdl_op("xbar.tile")
class TileOp(Operation):
    """One rectangle of its layer's matrix, destined for one crossbar.

    A block-diagonal depthwise tile (`groups` = g > 1) computes g channels per MVM: its k*k rows are
    repeated g times down the diagonal, so it occupies g times the matrix rows.
    """

    replica = attribute(_int, doc="which copy of the layer this tile belongs to (0 = the original)")
    rows = attribute(_range, doc="[begin, end) word lines of the layer's matrix")
    cols = attribute(_range, doc="[begin, end) bit lines (output channels) of the layer's matrix")
    cycles = attribute(_int, doc="MVMs this tile performs per sample with one copy")
    groups = opt_attribute(_int, default=1, doc="channels per MVM of a block-diagonal depthwise tile")
    xbar = opt_attribute(_int, doc="crossbar index, once placed")
    offset = opt_attribute(_pair, doc="[row, col] of the tile's top-left cell in its crossbar, once placed")

    @property
    def row_range(self) -> tuple[int, int]:
        return self.rows.ints()  # type: ignore[return-value]

    @property
    def col_range(self) -> tuple[int, int]:
        return self.cols.ints()  # type: ignore[return-value]

    @property
    def group_count(self) -> int:
        return self.groups.value

    def footprint(self, cells_per_weight: int = 1) -> tuple[int, int]:
        """(word lines, bit lines) the tile occupies on its crossbar."""
        r0, r1 = self.row_range
        c0, c1 = self.col_range
        return (r1 - r0) * self.group_count, (c1 - c0) * cells_per_weight

    @property
    def is_placed(self) -> bool:
        return "xbar" in self.attributes and "offset" in self.attributes

    @property
    def placement(self) -> tuple[int, int, int] | None:
        if not self.is_placed:
            return None
        r, c = self.offset.ints()
        return self.xbar.value, r, c

    def place(self, xbar: int, row: int, col: int) -> None:
        self.set_attr("xbar", xbar)
        self.set_attr("offset", [row, col])

    def verify_(self) -> None:
        if not isinstance(self.parent_op, LayerOp):
            raise VerifyError("expects parent op 'xbar.layer'")
        if self.cycles.value < 0:
            raise VerifyError(f"expects cycles >= 0, got {self.cycles.value}")
        if self.group_count < 1:
            raise VerifyError(f"expects groups >= 1, got {self.group_count}")
        if ("xbar" in self.attributes) != ("offset" in self.attributes):
            raise VerifyError("a placed tile needs both 'xbar' and 'offset'")


@irdl_op("xbar.layer", traits=[Pure, NoTerminator])
class LayerOp(Operation):
    """A weight layer mapped to crossbars: computes what its source nn op computed, tile by tile."""

    input = operand(TensorType, doc="the activations")
    weight = operand(TensorType, doc="the weights, in the source op's layout (OIHW or N x K)")
    bias = opt_operand(TensorType, doc="optional bias, added digitally")
    output = result(TensorType)
    tiles_region = region("the tiles of every copy, in (replica, row block, column block) order")
    layer = attribute(_int, doc="position among the weight layers in execution order")
    kind = attribute(_kind, doc='"conv", "depthwise", "linear" or "matmul"')
    rows = attribute(_int, doc="word lines of the matrix")
    cols = attribute(_int, doc="bit lines of the matrix")
    cycles = attribute(_int, doc="MVMs per sample with one copy (Hout*Wout; C*Hout*Wout for depthwise)")
    copies = opt_attribute(_int, default=1, doc="copies of the tiles that share the MVMs (replicate)")
    strides = opt_attribute(_ints, doc="conv strides")
    pads = opt_attribute(_ints, doc="conv pads [top, left, bottom, right]")
    dilations = opt_attribute(_ints, doc="conv dilations")
    groups = opt_attribute(_int, doc="conv groups")

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

    @property
    def layer_index(self) -> int:
        return self.layer.value

    @property
    def copy_count(self) -> int:
        return self.copies.value

    @property
    def kind_name(self) -> str:
        return self.kind.value

    def max_tile_cycles(self) -> int:
        return max((t.cycles.value for t in self.tiles if t.replica.value == 0), default=0)

    def verify_(self) -> None:
        rows, cols, copies = self.rows.value, self.cols.value, self.copy_count
        if rows < 1 or cols < 1 or self.cycles.value < 0 or copies < 1:
            raise VerifyError(f"expects rows, cols, copies >= 1 and cycles >= 0, got {rows}, {cols}, {copies}, "
                              f"{self.cycles.value}")
        if len(self.regions[0].blocks) != 1:
            raise VerifyError("expects one block of tiles")
        for op in self.body.ops:
            if not isinstance(op, TileOp):
                raise VerifyError(f"may only contain 'xbar.tile' ops, found '{op.name}'")
        by_replica: dict[int, list[TileOp]] = defaultdict(list)
        for t in self.tiles:
            r = t.replica.value
            if not 0 <= r < copies:
                raise VerifyError(f"has a tile of replica {r}, but only {copies} copies")
            r0, r1 = t.row_range
            c0, c1 = t.col_range
            if r1 > rows or c1 > cols:
                raise VerifyError(f"tile rows [{r0}, {r1}) x cols [{c0}, {c1}) exceed the {rows}x{cols} matrix")
            by_replica[r].append(t)
        for r in range(copies):
            covered = sum((t.row_range[1] - t.row_range[0]) * (t.col_range[1] - t.col_range[0])
                          for t in by_replica.get(r, []))
            tiles = by_replica.get(r, [])
            if covered != rows * cols or first_overlap([(*t.row_range, *t.col_range, t) for t in tiles]):
                raise VerifyError(f"tiles of replica {r} do not cover the {rows}x{cols} matrix exactly once")


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


@irdl_op("xbar.array")
class ArrayOp(Operation):
    """The crossbars of a placed program; its verifier checks the placement of every tile in the module.

    Every tile must be placed, inside its crossbar, on a crossbar index below `count`, without overlapping
    another tile; `count` may not exceed `budget` when one is given.
    """

    count = attribute(_int, doc="crossbars used")
    rows = attribute(_int, doc="word lines per crossbar")
    cols = attribute(_int, doc="bit lines per crossbar")
    budget = opt_attribute(_int, doc="crossbars available")
    cells_per_weight = opt_attribute(_int, default=1, doc="cells (bit lines) one weight takes")

    def verify_(self) -> None:
        count, rows, cols = self.count.value, self.rows.value, self.cols.value
        if self.budget is not None and count > self.budget.value:
            raise VerifyError(f"uses {count} crossbars but the budget is {self.budget.value}")
        module = self.parent_op
        if module is None:
            raise VerifyError("expects to be at module level")
        per_xbar: dict[int, list[tuple[int, int, int, int, TileOp]]] = defaultdict(list)
        for tile in module_tiles(module):
            if not tile.is_placed:
                raise DiagnosticOnTile(tile, "is not placed, but the module declares an 'xbar.array'")
            x, r, c = tile.placement  # type: ignore[misc]
            h, w = tile.footprint(self.cells_per_weight.value)
            if not 0 <= x < count:
                raise DiagnosticOnTile(tile, f"is placed on crossbar {x}, outside the array of {count}")
            if r + h > rows or c + w > cols:
                raise DiagnosticOnTile(tile, f"of {h}x{w} cells at [{r}, {c}] does not fit in a {rows}x{cols} "
                                             f"crossbar")
            per_xbar[x].append((r, r + h, c, c + w, tile))
        for x, boxes in per_xbar.items():
            pair = first_overlap(boxes)
            if pair:
                t, u = pair
                raise DiagnosticOnTile(u, f"overlaps another tile on crossbar {x} ({_cells(u, self)} vs "
                                          f"{_cells(t, self)})")


def _cells(tile: TileOp, array: ArrayOp) -> str:
    x, r, c = tile.placement  # type: ignore[misc]
    h, w = tile.footprint(array.cells_per_weight.value)
    return f"rows {r}-{r + h} x cols {c}-{c + w}"


class DiagnosticOnTile(VerifyError):
    """A placement error, reported on the tile at fault (`xbar.array` checks the whole module)."""

    def __init__(self, tile: TileOp, message: str) -> None:
        layer = tile.parent_op
        where = f"tile (replica {tile.replica.value}, rows {list(tile.row_range)}, cols {list(tile.col_range)})"
        if isinstance(layer, LayerOp):
            where += f" of layer {layer.layer_index}"
        super().__init__(f"{where} {message}")
        self.tile = tile


def module_layers(module: Operation) -> list[LayerOp]:
    """The module's xbar layers in execution (layer index) order."""
    return sorted((op for op in module.walk() if isinstance(op, LayerOp)), key=lambda l: l.layer_index)


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
