"""The per-layer time model the crossbar passes optimise: MVM latency x MVMs of the slowest tile.

Each tile runs its MVMs back to back on its own crossbar, all tiles of a layer in parallel, so one sample
spends `mvm_ns(tile) * ceil(cycles / copies)` in a layer (its slowest tile); the pipeline over samples is
as fast as the slowest layer (the bottleneck). The MVM latency comes from the target's peripherals
(`Target.mvm_ns`, MNSIM's PE latency: 152.77 ns for any read within a 128x128 crossbar by default).
"""
from __future__ import annotations

from rnc.dialects.xbar import LayerOp, TileOp
from rnc.hw.target import Target


def tile_mvm_ns(target: Target, tile: TileOp) -> float:
    """Latency of one MVM on `tile`'s cells, with its layer's own periphery (input, DAC and ADC bits)."""
    layer = tile.parent_op
    own = target.for_layer(layer.peripheral_overrides) if isinstance(layer, LayerOp) else target
    return own.mvm_ns(*tile.footprint(own.cols_per_weight))


def layer_stage_ns(target: Target, layer: LayerOp, copies: int | None = None) -> float:
    """Time one sample spends in `layer` with `copies` copies (default: the layer's own)."""
    n = copies or layer.copies
    return max((tile_mvm_ns(target, t) * -(-t.cycles // n) for t in layer.tiles if t.replica == 0),
               default=0.0)


def layer_one_copy_ns(target: Target, layer: LayerOp) -> float:
    return layer_stage_ns(target, layer, 1)
