"""The per-layer time model the crossbar passes optimise: MVM latency x MVMs of the slowest tile.

Each tile runs its MVMs back to back on its own crossbar, all tiles of a layer in parallel, so one sample
spends `mvm_ns(tile) * ceil(cycles / copies)` in a layer (its slowest tile); the pipeline over samples is
as fast as the slowest layer (the bottleneck). The MVM latency comes from the target's peripherals
(`Target.mvm_ns`, MNSIM's PE latency: 152.77 ns for any read within a 128x128 crossbar by default).
"""
from __future__ import annotations

from rnc.dialects.xbar import LayerOp, TileOp
from rnc.hw.target import Target


def layer_tiles_mvm_ns(target: Target, layer: LayerOp) -> list[tuple[TileOp, float]]:
    """(tile, latency of one MVM on its cells) of every tile of `layer`, with the layer's own periphery
    (input, DAC and ADC bits), looked up once for all of its tiles."""
    own = target.for_layer(layer.peripheral_overrides)
    cols_per_weight = own.cols_per_weight
    return [(t, own.mvm_ns(*t.footprint(cols_per_weight))) for t in layer.tiles]


def layer_stage_ns(target: Target, layer: LayerOp, copies: int | None = None,
                   tiles_ns: list[tuple[TileOp, float]] | None = None) -> float:
    """Time one sample spends in `layer` with `copies` copies (default: the layer's own); `tiles_ns` is
    `layer_tiles_mvm_ns(target, layer)` when the caller has it."""
    n = copies or layer.copies
    tiles_ns = layer_tiles_mvm_ns(target, layer) if tiles_ns is None else tiles_ns
    return max((ns * -(-t.cycles // n) for t, ns in tiles_ns if t.replica == 0), default=0.0)


def layer_one_copy_ns(target: Target, layer: LayerOp) -> float:
    return layer_stage_ns(target, layer, 1)
