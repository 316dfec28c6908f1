"""The check cases of timing.md section 5 (data: `latency.csv`), built from the reference's layer tables.

Independent of the IR on purpose: tests and benches of the timing model use it to rebuild the reference's
tiles. The tables are read and tiled by the one reader and tiling of `rnc.passes.xbar_algorithms`
(`reference_layers`, `depthwise_split`: timing.md section 3); a depthwise tile reads one column per MVM.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rnc.hw.peripherals import PeripheralParams, pe_latency_ns
from rnc.passes.xbar_algorithms.reference import reference_layers, reference_table
from rnc.passes.xbar_algorithms.tiling import depthwise_split
from rnc.sim.reference_timing import RefLayer, RefTile

Placement = Literal["own", "layer"]
CHECK_SAMPLES = (1, 8)  # the sample counts latency.csv lists


def reference_network(model: str, copies: int = 1, split: int = 1, placement: Placement = "own",
                      params: PeripheralParams | None = None) -> list[RefLayer]:
    """A check case: every layer with `copies` copies, tiles placed by `placement`.

    "own" puts every tile of every copy alone on its own crossbar (ISAAC-like); "layer" puts all tiles of
    one copy of a layer on one crossbar.
    """
    params = params or PeripheralParams()
    network = []
    next_xbar = 0
    for layer in reference_layers(model):
        tiles = depthwise_split(layer, split, params.xbar_rows, params.xbar_cols)
        layer_copies = []
        for _ in range(copies):
            placed = []
            for tile in tiles:
                latency = pe_latency_ns(params, tile.height, 1 if layer.depthwise else tile.width)
                placed.append(RefTile(tile.cycles, latency, next_xbar))
                if placement == "own":
                    next_xbar += 1
            if placement == "layer":
                next_xbar += 1
            layer_copies.append(placed)
        network.append(RefLayer(f"{model}.{layer.layer}", layer_copies, layer.parallelism))
    return network


def crossbars_used(network: list[RefLayer]) -> int:
    """Distinct crossbars the tiles of `network` sit on."""
    return len({tile.xbar for layer in network for copy in layer.copies for tile in copy})


@dataclass(frozen=True)
class CheckCase:
    """One row of `latency.csv`: a network and the reference's makespans for 1 and 8 samples (ns)."""

    model: str
    copies: int
    split: int
    placement: Placement
    crossbars: int
    latency_ns: dict[int, float]  # samples -> makespan with crossbar requests
    ideal_ns: dict[int, float]  # samples -> makespan without them

    def network(self, params: PeripheralParams | None = None) -> list[RefLayer]:
        """The case's network, built by `reference_network`."""
        return reference_network(self.model, self.copies, self.split, self.placement, params)


def check_cases() -> list[CheckCase]:
    """The check cases of timing.md section 5, in the table's order."""
    return [CheckCase(row["model"], int(row["copies"]), int(row["depthwise_split"]), row["placement"],
                      int(row["crossbars"]),
                      {samples: float(row[f"latency_ns_{samples}"]) for samples in CHECK_SAMPLES},
                      {samples: float(row[f"ideal_ns_{samples}"]) for samples in CHECK_SAMPLES})
            for row in reference_table("latency")]
