"""Cutting a layer's weight matrix into crossbar-sized tiles.

A layer is a matrix of `rows` word lines (inputs) by `cols` bit lines (outputs) that performs `cycles`
matrix-vector products (MVMs) per sample. A crossbar holds at most `xbar_rows` x `xbar_cols` cells, so the
matrix is cut into tiles. Three layouts exist:

- `partition`: the reference's layout. A conv or linear matrix is cut into blocks of at most 128 x 128,
  in the reference's order: full blocks row by row, the corner remainder, the bottom remainders, the
  right remainders. A depthwise matrix (k*k rows, one column per
  channel, one channel per MVM) keeps its k*k rows and is cut along the channels in chunks of 128; a chunk
  of c channels performs c * Hout * Wout MVMs.
- `depthwise_split`: the reference's `depth_split_factor` s: chunks of floor(C / s) channels (1 if C < s),
  plus a remainder tile. Checked against the reference: mbv3_small with s = 5 gives 249 tiles and the
  stage cycles listed in timing.md section 4 (ceil(C / s) would give 4096 instead of 3072 for layer 2).
- `depthwise_block_diagonal`: several channels per MVM (see that function for the trade-off).
"""
from __future__ import annotations

from dataclasses import dataclass

from rnc.hw.target import DEFAULT_TARGET
from rnc.ir.typed_attributes import Range


@dataclass(frozen=True)
class Tile:
    """One rectangle of a layer's weight matrix, destined for one crossbar: the packers' view of an
    `xbar.tile` op, with the same names.

    `row_begin:row_end` and `col_begin:col_end` select the block of the layer's matrix (`rows` and `cols`
    give them as `Range`s); `height` x `width` are the cells it occupies on a crossbar. `groups` > 1 marks
    a block-diagonal depthwise tile: its `groups` channels sit on the diagonal, so the tile occupies
    `groups` times the matrix rows on the crossbar. `replica` numbers the copies made by duplication.
    `cols_per_weight` bit lines hold one weight (bit-sliced weights, differential pairs).
    """

    layer: int
    index: int
    row_begin: int
    row_end: int
    col_begin: int
    col_end: int
    cycles: int
    replica: int = 0
    groups: int = 1
    cols_per_weight: int = 1      # bit lines per weight (its layer's cells, twice for differential pairs)

    @property
    def rows(self) -> Range:
        """[begin, end) word lines of the layer's matrix."""
        return Range(self.row_begin, self.row_end)

    @property
    def cols(self) -> Range:
        """[begin, end) bit lines of the layer's matrix."""
        return Range(self.col_begin, self.col_end)

    @property
    def height(self) -> int:
        """Word lines the tile occupies on its crossbar."""
        return (self.row_end - self.row_begin) * self.groups

    @property
    def width(self) -> int:
        """Bit lines the tile occupies on its crossbar."""
        return (self.col_end - self.col_begin) * self.cols_per_weight

    @property
    def area(self) -> int:
        return self.height * self.width


@dataclass(frozen=True)
class LayerMatrix:
    """A weight layer as the crossbar sees it: `rows` x `cols`, `cycles` MVMs per sample.

    For a depthwise conv `rows` = k*k, `cols` = channels and `cycles` = channels * Hout * Wout (one channel
    per MVM); `positions` gives Hout * Wout. `linear` marks a fully connected layer (1 cycle).
    """

    layer: int
    rows: int
    cols: int
    cycles: int
    depthwise: bool = False
    linear: bool = False

    @property
    def parallelism(self) -> int:
        """The reference's cap on copies one sample can use (timing.md section 5, n_cap).

        Hout*Wout*groups for a conv (= `cycles`, also for a depthwise conv), out-features for a linear
        layer. Copies beyond it are never taken from the pool.
        """
        return self.cols if self.linear else self.cycles

    @property
    def positions(self) -> int:
        """Output positions (Hout * Wout) one sample needs; 1 for a linear layer."""
        return self.cycles // self.cols if self.depthwise else self.cycles


def _blocks(size: int, block: int) -> list[tuple[int, int]]:
    """[begin, end) ranges of `size` cut into pieces of `block` (the last one may be shorter)."""
    return [(begin, min(begin + block, size)) for begin in range(0, size, block)]


def _channel_tiles(matrix: LayerMatrix, chunk: int, groups: int = 1) -> list[Tile]:
    """Depthwise tiles of `chunk` channels each, `groups` channels per MVM."""
    tiles = []
    for index, (begin, end) in enumerate(_blocks(matrix.cols, chunk)):
        channels = end - begin
        mvms_per_position = -(-channels // groups)
        # A short last tile needs only as many row blocks as it has channels.
        tiles.append(Tile(matrix.layer, index, 0, matrix.rows, begin, end,
                          cycles=mvms_per_position * matrix.positions, groups=min(groups, channels)))
    return tiles


def _reference_blocks(rows: int, cols: int, xbar_rows: int, xbar_cols: int):
    """The reference's block order: full blocks row-major, the corner remainder, the bottom remainders
    (one per block column), the right remainders (one per block row). Yields (row range, col range)."""
    block_rows, block_cols = min(rows, xbar_rows), min(cols, xbar_cols)
    full_rows, full_cols = rows // block_rows, cols // block_cols
    left_rows, left_cols = rows % block_rows, cols % block_cols
    bottom = (full_rows * block_rows, rows)
    right = (full_cols * block_cols, cols)

    def span(index: int, size: int) -> tuple[int, int]:
        return index * size, (index + 1) * size

    for row_block in range(full_rows):
        for col_block in range(full_cols):
            yield span(row_block, block_rows), span(col_block, block_cols)
    if left_rows and left_cols:
        yield bottom, right
    if left_rows:
        for col_block in range(full_cols):
            yield bottom, span(col_block, block_cols)
    if left_cols:
        for row_block in range(full_rows):
            yield span(row_block, block_rows), right


def partition(matrix: LayerMatrix, xbar_rows: int = DEFAULT_TARGET.xbar_rows,
              xbar_cols: int = DEFAULT_TARGET.xbar_cols) -> list[Tile]:
    """The reference's tiles of one layer, in the reference's order."""
    if matrix.rows > xbar_rows and matrix.depthwise:
        raise ValueError(f"layer {matrix.layer}: depthwise kernel of {matrix.rows} rows exceeds "
                         f"the crossbar's {xbar_rows}")
    if matrix.depthwise:
        return _channel_tiles(matrix, xbar_cols)
    return [Tile(matrix.layer, index, row_range[0], row_range[1], col_range[0], col_range[1], matrix.cycles)
            for index, (row_range, col_range) in
            enumerate(_reference_blocks(matrix.rows, matrix.cols, xbar_rows, xbar_cols))]


def depthwise_split(matrix: LayerMatrix, factor: int, xbar_rows: int = DEFAULT_TARGET.xbar_rows,
                    xbar_cols: int = DEFAULT_TARGET.xbar_cols) -> list[Tile]:
    """The reference's depthwise split: chunks of floor(C / factor) channels (1 if C < factor).

    Non-depthwise layers and factor <= 1 fall back to `partition`. The chunk is capped at the crossbar's
    columns (the reference never meets C > 128 * factor; without the cap such a tile would not fit).
    """
    if not matrix.depthwise or factor <= 1:
        return partition(matrix, xbar_rows, xbar_cols)
    chunk = min(max(matrix.cols // factor, 1), xbar_cols)
    return _channel_tiles(matrix, chunk)


def depthwise_block_diagonal(matrix: LayerMatrix, groups: int, channels_per_tile: int | None = None,
                             xbar_rows: int = DEFAULT_TARGET.xbar_rows,
                             xbar_cols: int = DEFAULT_TARGET.xbar_cols) -> list[Tile]:
    """Depthwise tiles that compute `groups` channels per MVM, their kernels on a block diagonal.

    A tile of m = `channels_per_tile` channels (default `groups`) has k*k*g word lines in g row blocks and
    m bit lines; channel j sits in column j and row block j mod g. One MVM feeds each row block the patch
    of one of its channels and reads the g matching columns, so a tile needs ceil(m/g) MVMs per output
    position. Trade-off against the reference (g = 1): per tile, cycles drop from m*Hout*Wout to
    ceil(m/g)*Hout*Wout (g times fewer) while the area grows from k*k*m to k*k*g*m (g times more, the
    off-diagonal cells stay unused). With m = g (the default) every tile runs in Hout*Wout cycles, as fast
    as a dense conv of the same resolution, at the price of g times the reference's area and
    ceil(C/g) tiles. g is limited by the crossbar rows: g <= floor(128 / (k*k)), i.e. 14, 5, 2 for
    k = 3, 5, 7.
    """
    if not matrix.depthwise:
        raise ValueError(f"layer {matrix.layer} is not depthwise")
    channels_per_tile = groups if channels_per_tile is None else channels_per_tile
    if groups < 1 or matrix.rows * groups > xbar_rows:
        raise ValueError(f"layer {matrix.layer}: {groups} groups of {matrix.rows} rows do not fit "
                         f"{xbar_rows} crossbar rows")
    if not groups <= channels_per_tile <= xbar_cols:
        raise ValueError(f"layer {matrix.layer}: channels_per_tile must lie in [{groups}, {xbar_cols}]")
    return _channel_tiles(matrix, channels_per_tile, groups)
