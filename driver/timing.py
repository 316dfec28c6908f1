"""Timing of placed programs for `rnc compile`: the reference-compatible model and the ISAAC-like baseline.

The ISAAC-like mapping is the reference's baseline: every tile of the plain partition (no depthwise split,
no replication) alone on its own crossbar. `speedup = baseline time / our time` for the same samples.
"""
from __future__ import annotations

from collections import defaultdict

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import module_layers
from rnc.passes.xbar.cost import layer_tiles_mvm_ns
from rnc.passes.xbar.matrices import layer_matrix
from rnc.sim.reference_timing import RefLayer, RefTile, RefTimingResult, simulate_reference


def reference_layers(module) -> list[RefLayer]:
    """The placed module as the reference's simulator sees it: per layer, one tile list per copy."""
    target = module_target(module)
    out = []
    for layer in module_layers(module):
        copies = defaultdict(list)
        for i, (tile, ns) in enumerate(layer_tiles_mvm_ns(target, layer)):
            xbar = tile.xbar if tile.is_placed else -(layer.layer * 100_000 + i + 1)
            copies[tile.replica].append(RefTile(tile.cycles, ns, xbar))
        out.append(RefLayer(f"layer{layer.layer}", [copies[r] for r in sorted(copies)],
                            layer_matrix(layer).parallelism))
    return out


def isaac_layers(partitioned_module) -> list[RefLayer]:
    """The ISAAC-like baseline of a partitioned (unsplit, unreplicated) module: one crossbar per tile."""
    target = module_target(partitioned_module)
    out, xbar = [], 0
    for layer in module_layers(partitioned_module):
        tiles = []
        for tile, ns in layer_tiles_mvm_ns(target, layer):
            if tile.replica == 0:
                tiles.append(RefTile(tile.cycles, ns, xbar))
                xbar += 1
        out.append(RefLayer(f"layer{layer.layer}", [tiles], layer_matrix(layer).parallelism))
    return out


def simulate(layers: list[RefLayer], samples: int) -> RefTimingResult:
    return simulate_reference(layers, samples)
