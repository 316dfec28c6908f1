"""The `replicate` pass without its wall-clock deadline, so that its result depends on its input only.

`rnc.passes.xbar.replicate.Replicate` calls the replication search with a fixed 0.7 s deadline: attempts
it has no time left for are skipped, so a loaded machine (or a cold process) gets fewer copies and another
latency. With packing given no search time (hardware.PACK_SECONDS) every attempt is a few constructive
passes, and running all of them makes the figures reproducible across workers, machines and resumes.

The body below is `Replicate.apply` with `time_limit_s=math.inf`; tests/nas/test_hardware.py checks that it
places exactly like the registered pass when the deadline is not reached. Drop this file when the pass
gets a deadline option. Not registered: it is an implementation detail of the NAS, not a user pass.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import module_layers
from rnc.ir.pass_manager import PassContext, PassError
from rnc.passes.xbar.cost import tile_mvm_ns
from rnc.passes.xbar.matrices import layer_matrix, layer_tiles, require_unplaced, tile_op
from rnc.passes.xbar.place import apply_packing, infeasible_message
from rnc.passes.xbar.replicate import Replicate
from rnc.passes.xbar_algorithms.layer_cost import LayerCost
from rnc.passes.xbar_algorithms.pack_types import PackingInfeasible
from rnc.passes.xbar_algorithms.replication import replicate


@dataclass
class UntimedReplicate(Replicate):
    def apply(self, module, ctx: PassContext) -> None:
        target = module_target(module)
        budget = self.budget if self.budget is not None else target.budget
        if budget is None:
            raise PassError("no crossbar budget")
        layers = module_layers(module)
        require_unplaced(layers, self.name)
        costs = [LayerCost(l.layer_index, tuple(layer_tiles(l)), l.max_tile_cycles(),
                           layer_matrix(l).parallelism, max(tile_mvm_ns(target, t) for t in l.tiles),
                           layer_matrix(l)) for l in layers]
        try:
            result = replicate(costs, budget, self.pack_options(target), spend_leftover=self.spend_leftover,
                               time_limit_s=math.inf)
        except PackingInfeasible as e:
            raise PassError(infeasible_message(e, sum(len(c.tiles) for c in costs))) from None
        tiles_by_layer = defaultdict(list)
        for t in result.tiles:
            tiles_by_layer[t.layer].append(t)
        by_id = {}
        for layer in layers:
            for op in list(layer.body.ops):
                op.erase()
            layer.set_attr("copies", result.copies.get(layer.layer_index, 1))
            for t in sorted(tiles_by_layer[layer.layer_index], key=lambda t: (t.replica, t.index)):
                by_id[(t.layer, t.replica, t.index)] = layer.body.append(tile_op(t))
        apply_packing(module, target, result.pack, by_id, budget)
