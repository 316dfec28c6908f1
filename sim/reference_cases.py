"""The check cases of timing.md section 5, built from the reference's layer tables (`<model>.layers.csv`).

Independent of the IR on purpose: tests and benches of the timing model use it to rebuild the reference's
tiles. Tiling follows timing.md section 3: a conv or linear matrix of R x C is cut into 128 x 128 blocks
(full blocks first), every block doing the layer's cycles; a depthwise matrix (k*k rows, one column per
channel) is cut along channels into chunks of 128, or of floor(C / s) (1 if C < s) for a depthwise split
factor s > 1, plus a remainder tile; a chunk of c channels does c * Hout*Wout MVMs and is read as one
column (`grouped`).
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rnc.hw.peripherals import PeripheralParams, pe_latency_ns
from rnc.sim.reference_timing import RefLayer, RefTile

DEPTHWISE_KERNELS = (3, 5, 7)
STRIDES = (1, 2)
Placement = Literal["own", "layer"]


def default_reference_dir() -> Path:
    """$RNC_SHARED/reference, else the shared/reference folder beside the checkout."""
    override = os.environ.get("RNC_SHARED")
    if override:
        return Path(override) / "reference"
    return Path(__file__).resolve().parents[2] / "shared" / "reference"


@dataclass(frozen=True)
class TableLayer:
    """One row of a layer table: `rows` x `cols` weights doing `cycles` MVMs per sample."""

    name: str
    rows: int
    cols: int
    cycles: int
    depthwise: bool
    linear: bool

    @property
    def n_cap(self) -> int:
        """Copies one sample can use: out-features for a linear layer, Hout*Wout*groups (= cycles) for a conv."""
        return self.cols if self.linear else self.cycles


@dataclass(frozen=True)
class TileShape:
    rows: int
    cols: int
    cycles: int
    grouped: bool  # depthwise tile: the reference reads one column per MVM


def _is_depthwise(row: dict, previous: dict | None) -> bool:
    # The tables do not mark depthwise convs: k*k rows fed by the expansion conv just before, with one
    # MVM per channel and position (a k*k-row conv with one input channel must not match).
    if row["module"] != "Conv2d" or previous is None:
        return False
    rows, cols, cycles = int(row["rows"]), int(row["cols"]), int(row["cycles"])
    if rows not in {k * k for k in DEPTHWISE_KERNELS} or int(previous["cols"]) != cols:
        return False
    return any(cycles * stride * stride == cols * int(previous["cycles"]) for stride in STRIDES)


def read_layer_table(model: str, reference_dir: str | Path | None = None) -> list[TableLayer]:
    """The weight layers of `<reference_dir>/<model>.layers.csv`, in execution order."""
    folder = Path(reference_dir) if reference_dir is not None else default_reference_dir()
    with open(folder / f"{model}.layers.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    return [TableLayer(name=f"{model}.{row['layer']}", rows=int(row["rows"]), cols=int(row["cols"]),
                       cycles=int(row["cycles"]), depthwise=_is_depthwise(row, table[i - 1] if i else None),
                       linear=row["module"] == "Linear")
            for i, row in enumerate(table)]


def _blocks(size: int, block: int) -> list[int]:
    return [min(block, size - start) for start in range(0, size, block)]


def tile_shapes(layer: TableLayer, split: int = 1, xbar_rows: int = 128, xbar_cols: int = 128) -> list[TileShape]:
    """The reference's tiles of one layer (section 3), with depthwise split factor `split`."""
    if not layer.depthwise:
        return [TileShape(r, c, layer.cycles, grouped=False)
                for r in _blocks(layer.rows, xbar_rows) for c in _blocks(layer.cols, xbar_cols)]
    positions = layer.cycles // layer.cols
    chunk = xbar_cols if split <= 1 else min(max(layer.cols // split, 1), xbar_cols)
    return [TileShape(layer.rows, channels, channels * positions, grouped=True)
            for channels in _blocks(layer.cols, chunk)]


def reference_network(model: str, copies: int = 1, split: int = 1, placement: Placement = "own",
                      params: PeripheralParams | None = None,
                      reference_dir: str | Path | None = None) -> list[RefLayer]:
    """A check case: every layer with `copies` copies, tiles placed by `placement`.

    "own" puts every tile of every copy alone on its own crossbar (ISAAC-like); "layer" puts all tiles of
    one copy of a layer on one crossbar.
    """
    params = params or PeripheralParams()
    network = []
    next_xbar = 0
    for layer in read_layer_table(model, reference_dir):
        shapes = tile_shapes(layer, split, params.xbar_rows, params.xbar_cols)
        layer_copies = []
        for _ in range(copies):
            tiles = []
            for shape in shapes:
                latency = pe_latency_ns(params, shape.rows, 1 if shape.grouped else shape.cols)
                tiles.append(RefTile(shape.cycles, latency, next_xbar))
                if placement == "own":
                    next_xbar += 1
            if placement == "layer":
                next_xbar += 1
            layer_copies.append(tiles)
        network.append(RefLayer(layer.name, layer_copies, layer.n_cap))
    return network


def crossbars_used(network: list[RefLayer]) -> int:
    return len({tile.xbar for layer in network for copy in layer.copies for tile in copy})
