"""Pure algorithms of crossbar compilation, independent of the IR.

- tiling: `Tile`, `LayerMatrix`, `partition`, `depthwise_split`, `depthwise_block_diagonal`
- packing: `PackItem`, `PackOptions`, `pack`, `PackResult`, `PackingInfeasible` (+ `validate`, `bounds`)
- replication: `LayerCost`, `layer_costs`, `replicate`, `ReplicationResult`, and the reference's
  `reference_duplication` for comparison
- reference: `reference_layers`, `reference_table`, `reference_tile_totals` read the reference's tables and
  figures (data/, for benches and tests)
"""
from rnc.passes.xbar_algorithms.bounds import lower_bound, packing_lower_bound
from rnc.passes.xbar_algorithms.layer_cost import MVM_NS, LayerCost, layer_cost, layer_costs
from rnc.passes.xbar_algorithms.pack_types import (REFERENCE_CONSTRAINTS, PackingInfeasible, PackItem,
                                                   PackOptions, PackResult, Placement, items_from_tiles)
from rnc.passes.xbar_algorithms.packing import pack
from rnc.passes.xbar_algorithms.reference import reference_layers, reference_table, reference_tile_totals
from rnc.passes.xbar_algorithms.reference_duplication import reference_duplication
from rnc.passes.xbar_algorithms.replication import ReplicationResult, replicate
from rnc.passes.xbar_algorithms.tiling import (LayerMatrix, Tile, depthwise_block_diagonal, depthwise_split,
                                               partition)
from rnc.passes.xbar_algorithms.validate import packing_violations

__all__ = [
    "MVM_NS", "REFERENCE_CONSTRAINTS", "LayerCost", "LayerMatrix", "PackItem", "PackOptions", "PackResult",
    "PackingInfeasible", "Placement", "ReplicationResult", "Tile", "depthwise_block_diagonal",
    "depthwise_split", "items_from_tiles", "layer_cost", "layer_costs", "lower_bound", "pack",
    "packing_lower_bound", "packing_violations", "partition", "reference_duplication", "reference_layers",
    "reference_table", "reference_tile_totals", "replicate",
]
