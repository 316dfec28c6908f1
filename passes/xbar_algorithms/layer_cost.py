"""What a layer costs in time and crossbars, for duplication (replication) decisions.

Timing follows the reference (timing.md sections 2, 3, 5): every tile of at most 128 x 128 takes
`MVM_NS` per matrix-vector product; a layer with n copies takes MVM_NS * ceil(cycles / n) per sample,
cycles being the most MVMs any of its tiles performs. Copies beyond the layer's parallelism (n_cap: the
output positions one sample offers) are never used, and with ceil rounding copies beyond `cycles` gain
nothing, so `useful_copies` = min(parallelism, cycles). The reference's own simulator rounds down
(floor(cycles / n), quirk (a) of timing.md section 5); `stage_ns(..., rounding="floor")` reproduces it for
comparisons.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rnc.hw.target import DEFAULT_TARGET
from rnc.passes.xbar_algorithms.tiling import LayerMatrix, Tile, depthwise_split, partition

MVM_NS = DEFAULT_TARGET.mvm_ns(DEFAULT_TARGET.xbar_rows, DEFAULT_TARGET.xbar_cols)
"""PE latency of one MVM on a tile of at most 128 x 128 with 8-bit inputs (MNSIM defaults, timing.md 2):
152.77319047999998 ns, the float the `replicate` pass computes for the same tiles."""

ROUNDINGS = ("ceil", "floor")


@dataclass(frozen=True)
class LayerCost:
    """One layer's tiles (one copy) and timing. `matrix` (the raw layer) is kept for the reference's
    duplication method, which ranks layers by their untiled size."""

    layer: int
    tiles: tuple[Tile, ...]
    cycles: int
    parallelism: int
    mvm_ns: float = MVM_NS
    matrix: LayerMatrix | None = None

    @property
    def useful_copies(self) -> int:
        return max(1, min(self.parallelism, self.cycles))

    @property
    def area(self) -> int:
        """Cells one copy occupies."""
        return sum(tile.area for tile in self.tiles)

    def stage_ns(self, copies: int, rounding: str = "ceil") -> float:
        """Per-sample time of the layer with `copies` copies."""
        used = max(1, min(copies, self.parallelism))
        if rounding == "ceil":
            return self.mvm_ns * -(-self.cycles // used)
        if rounding == "floor":
            return self.mvm_ns * (self.cycles // used)
        raise ValueError(f"unknown rounding {rounding!r}; expected one of {ROUNDINGS}")


def layer_cost(matrix: LayerMatrix, tiles: Sequence[Tile], mvm_ns: float = MVM_NS) -> LayerCost:
    return LayerCost(matrix.layer, tuple(tiles), max(tile.cycles for tile in tiles), matrix.parallelism,
                     mvm_ns, matrix)


def layer_costs(matrices: Sequence[LayerMatrix], depthwise_factor: int = 1,
                tiler: Callable[[LayerMatrix], list[Tile]] | None = None) -> list[LayerCost]:
    """Costs of every layer, tiled by `tiler` (default: the reference's tiling with `depthwise_factor`)."""
    if tiler is None:
        def tiler(matrix: LayerMatrix) -> list[Tile]:
            return depthwise_split(matrix, depthwise_factor) if depthwise_factor > 1 else partition(matrix)
    return [layer_cost(matrix, tiler(matrix)) for matrix in matrices]


def stage_times(layers: Sequence[LayerCost], copies: dict[int, int], rounding: str = "ceil") -> dict[int, float]:
    return {cost.layer: cost.stage_ns(copies.get(cost.layer, 1), rounding) for cost in layers}


def pipeline_ns(times: dict[int, float], samples: int) -> float:
    """Makespan of `samples` samples through the layer pipeline with no shared crossbars (timing.md 5):
    sum of stage times + (samples - 1) * the largest."""
    return sum(times.values()) + (samples - 1) * max(times.values())
