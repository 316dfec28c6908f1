"""`place` (alias `pack`): puts every tile on a crossbar, several layers per crossbar, in few crossbars."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import ArrayOp, TileOp, module_array, module_layers, module_tiles
from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.hw.target import Target
from rnc.ir.pass_manager import ModulePass, PassContext, PassError, register_pass
from rnc.passes.xbar_algorithms.pack_types import (DEFAULT_EFFORT, PackingInfeasible, PackItem, PackOptions,
                                                   PackResult)
from rnc.passes.xbar_algorithms.packing import pack


@dataclass
class PackingKnobs:
    """Packing options shared by `place` and `replicate` (same names, same defaults: the reference's rules)."""

    conflict_distance: int | None = REFERENCE_PACKING.conflict_distance
    max_tiles_per_xbar: int = REFERENCE_PACKING.max_tiles_per_xbar
    strategy: Literal["best", "maxrects", "skyline", "rnc"] = REFERENCE_PACKING.strategy
    seed: int = 0
    effort: int = DEFAULT_EFFORT
    time_limit: float | None = None

    def pack_options(self, target: Target) -> PackOptions:
        return PackOptions(conflict_distance=self.conflict_distance,
                           max_tiles_per_xbar=self.max_tiles_per_xbar or None, strategy=self.strategy,
                           seed=self.seed, effort=self.effort, time_limit_s=self.time_limit,
                           xbar_rows=target.xbar_rows, xbar_cols=target.xbar_cols)


def tile_items(module) -> tuple[list[PackItem], dict[tuple[int, int], TileOp]]:
    """Pack items for every tile of the module, keyed (layer, position in the layer's region)."""
    items, by_id = [], {}
    for layer in module_layers(module):
        cols_per_weight = layer.cols_per_weight
        for i, tile in enumerate(layer.tiles):
            key = (layer.layer, i)
            items.append(PackItem(key, layer.layer, *tile.footprint(cols_per_weight)))
            by_id[key] = tile
    return items, by_id


def apply_packing(module, target: Target, result: PackResult, by_id: dict, budget: int | None) -> None:
    """Writes the placements onto the tiles and (re)declares the module's `xbar.array`."""
    for key, p in result.placements.items():
        by_id[key].place(*p)
    old = module_array(module)
    if old is not None:
        old.erase()
    attrs = {"count": result.xbars_used, "rows": target.xbar_rows, "cols": target.xbar_cols}
    if budget is not None:
        attrs["budget"] = budget
    module.regions[0].block.insert(0, ArrayOp.create(attributes=attrs))


def infeasible_message(e: PackingInfeasible, tiles: int) -> str:
    best = f"best found {e.best_found}" if e.best_found is not None else "no packing tried (below the bound)"
    change = (f"the budget must be at least {e.lower_bound} crossbars" if e.best_found is None
              else f"raise the budget ({e.best_found} crossbars fit)")
    return (f"cannot place {tiles} tiles into {e.asked} crossbars: area lower bound {e.lower_bound}, {best}; "
            f"{change}, or place without a budget for the fewest crossbars")


@register_pass
@dataclass
class Place(PackingKnobs, ModulePass):
    """Places every tile on a crossbar (2-D packing, no rotation: rows are word lines).

    Budget mode (`budget`, default: the target's budget) or, without a budget or with `min-count`, the
    fewest crossbars found. `conflict-distance` D keeps tiles of layers fewer than D+1 positions apart in
    execution order off one crossbar (reference: 1; `off` disables); `max-tiles-per-xbar` caps tiles per
    crossbar (reference: 6; 0 disables). `strategy`: `best` (MaxRects/Skyline with sorted orders, bin
    filling and a ruin-and-recreate search), `maxrects`, `skyline`, or `rnc` (the reference's
    empty-maximal-space placement with random box order, for comparison). The search stops after `effort`
    probes (one tile tried on one crossbar; 0: the first constructive pass only), so the same module and
    `seed` give the same placement on any machine; `time-limit` (seconds, default off) is only a safety
    cap, and a placement that hits it depends on the machine. A module that `replicate` already placed
    keeps its placement unless `repack`. Declares the crossbars as `xbar.array`.
    """

    name = "place"
    aliases = ("pack",)
    budget: int | None = None
    min_count: bool = False
    repack: bool = False

    def apply(self, module, ctx: PassContext) -> None:
        target = module_target(module)
        tiles = list(module_tiles(module))
        if not tiles:
            raise PassError("no tiles to place; run 'tile-partition' first")
        if not self.repack and all(t.is_placed for t in tiles) and module_array(module) is not None:
            return
        budget = None if self.min_count else (self.budget if self.budget is not None else target.budget)
        items, by_id = tile_items(module)
        try:
            result = pack(items, budget, self.pack_options(target))
        except PackingInfeasible as e:
            raise PassError(infeasible_message(e, len(items))) from None
        except ValueError as e:
            raise PassError(str(e)) from None
        apply_packing(module, target, result, by_id, budget)
