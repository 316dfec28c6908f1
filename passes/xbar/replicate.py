"""`replicate` (alias `duplicate`): copies bottleneck layers so the pipeline runs faster in the budget."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import module_layers
from rnc.ir.pass_manager import ModulePass, PassContext, PassError, register_pass
from rnc.passes.xbar.cost import layer_tiles_mvm_ns
from rnc.passes.xbar.matrices import layer_matrix, layer_tiles, require_unplaced, tile_op
from rnc.passes.xbar.place import PackingKnobs, apply_packing, infeasible_message
from rnc.passes.xbar_algorithms.layer_cost import LayerCost
from rnc.passes.xbar_algorithms.pack_types import PackingInfeasible
from rnc.passes.xbar_algorithms.replication import replicate


@register_pass
@dataclass
class Replicate(PackingKnobs, ModulePass):
    """Chooses a copy count per layer minimising the pipeline bottleneck (slowest layer's MVMs x MVM latency
    / copies) such that all copies still pack into `budget` crossbars (default: the target's budget).

    Solves the area-bounded problem exactly (search over the candidate bottleneck values), then tightens
    the area bound until the packer, with the same constraints as `place`, succeeds; leftover space then goes
    to the next-slowest layers (`spend-leftover`). Copies beyond a layer's parallelism (its MVMs per sample)
    are never made. Leaves the module placed, as the packing found proves the copies fit. Its packs share
    1.5 x `effort` probes (see `place`), so the copies and placement are the same on any machine;
    `time-limit` caps each pack only as a safety net.
    """

    name = "replicate"
    aliases = ("duplicate",)
    budget: int | None = None
    spend_leftover: bool = True

    def apply(self, module, ctx: PassContext) -> None:
        target = module_target(module)
        budget = self.budget if self.budget is not None else target.budget
        if budget is None:
            raise PassError("no crossbar budget: give 'replicate{budget=N}' or set one in the target")
        layers = module_layers(module)
        if not layers:
            raise PassError("no crossbar layers; run 'tile-partition' first")
        require_unplaced(layers, self.name)
        costs = [LayerCost(l.layer, tuple(layer_tiles(l)), l.max_tile_cycles(),
                           layer_matrix(l).parallelism, max(ns for _, ns in layer_tiles_mvm_ns(target, l)),
                           layer_matrix(l)) for l in layers]
        try:
            result = replicate(costs, budget, self.pack_options(target), spend_leftover=self.spend_leftover)
        except PackingInfeasible as e:
            raise PassError(infeasible_message(e, sum(len(c.tiles) for c in costs))) from None
        tiles_by_layer = defaultdict(list)
        for t in result.tiles:
            tiles_by_layer[t.layer].append(t)
        by_id = {}
        for layer in layers:
            for op in list(layer.body.ops):
                op.erase()
            layer.copies = result.copies.get(layer.layer, 1)
            for t in sorted(tiles_by_layer[layer.layer], key=lambda t: (t.replica, t.index)):
                op = layer.body.append(tile_op(t))
                by_id[(t.layer, t.replica, t.index)] = op
        apply_packing(module, target, result.pack, by_id, budget)
