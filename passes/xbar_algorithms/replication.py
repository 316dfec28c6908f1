"""Choosing how many copies of each layer to place, to shorten the pipeline's slowest stage.

Problem: minimise the bottleneck B = max_L stage_L(copies_L) (stage_L(n) = MVM time * ceil(cycles_L / n),
see `layer_cost`) over 1 <= copies_L <= useful_copies_L, subject to every tile of every copy packing into
`budget` crossbars under the packing constraints.

Method:
1. For a target bottleneck B the cheapest copies are copies_L(B) = ceil(cycles_L / floor(B / MVM_L)),
   and every packing constraint only gets harder with more copies. So the smallest B whose copies pass the
   necessary conditions of `CapacityModel` (area, big tiles, tiles per crossbar, conflict windows) is the
   exact optimum of the relaxed problem; it is found by binary search over the sorted distinct stage
   times (O(sqrt(cycles)) per layer).
2. Packing then decides, probed with a small work budget (`PROBE_EFFORT`: the packer's constructive
   passes). When a probe fails, the packer's count minus the bound is its overhead on that instance; the
   next target is the smallest B whose bound leaves room for that overhead (and lies above the failed
   one). So each retry is aimed, never a blind repeat; at one copy per layer a failure is final
   (PackingInfeasible).
3. The work left goes to packing attempts one candidate below the found B, while they succeed, each with
   half of what is left.
4. Leftover space (optional, on by default): with B fixed, copies are added where they shorten a stage the
   most per cell (stages below B still add to a sample's latency) while the bounds, plus the overhead seen,
   leave `LEFTOVER_SLACK_XBARS` free; one probe checks it, and the result falls back to step 3's on
   failure.

All packing attempts share one budget of probes (`work.WorkBudget`; the packer's `effort` times
`REPLICATION_EFFORT_FACTOR`), so the copies and placement are the same on any machine.
"""
from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rnc.passes.xbar_algorithms.capacity import CapacityModel
from rnc.passes.xbar_algorithms.layer_cost import LayerCost
from rnc.passes.xbar_algorithms.pack_types import (PackingInfeasible, PackItem, PackOptions, PackResult,
                                                   tile_item)
from rnc.passes.xbar_algorithms.packing import pack
from rnc.passes.xbar_algorithms.tiling import Tile
from rnc.passes.xbar_algorithms.work import SharedWork, WorkBudget

LEFTOVER_SLACK_XBARS = 1      # crossbars kept free when spending leftover space, so packing likely succeeds
PROBE_EFFORT = 50_000         # probes of a probing pack: its constructive passes, hardly any search
REPLICATION_EFFORT_FACTOR = 1.5   # all of replicate's packs together, in units of one pack's effort
TIME_TOLERANCE = 1e-9


@dataclass
class ReplicationResult:
    """Copies per layer, the bottleneck (ns) with one copy each and with these copies, and the packing
    of all copies' tiles (`tiles`, replica numbers set; packing ids are (layer, replica, index))."""

    copies: dict[int, int]
    bottleneck_before: float
    bottleneck_after: float
    pack: PackResult
    tiles: list[Tile] = field(default_factory=list)
    bottleneck_bound: float | None = None
    method: str = "bottleneck-search"
    pack_attempts: int = 0

    @property
    def factor(self) -> float:
        """Bottleneck reduction factor: bottleneck_before / bottleneck_after."""
        return self.bottleneck_before / self.bottleneck_after


def replicated_tiles(layers: Sequence[LayerCost], copies: dict[int, int]) -> list[Tile]:
    """Every copy's tiles, copy r of a layer's tile carrying replica = r."""
    return [replace(tile, replica=replica) for cost in layers
            for replica in range(copies[cost.layer]) for tile in cost.tiles]


def replicated_items(layers: Sequence[LayerCost], copies: dict[int, int]) -> list[PackItem]:
    """`items_from_tiles(replicated_tiles(...))` without building the tiles: replication packs many copy
    vectors and keeps the tiles of one."""
    return [tile_item(tile, replica) for cost in layers
            for replica in range(copies[cost.layer]) for tile in cost.tiles]


def pack_copies(layers: Sequence[LayerCost], copies: dict[int, int], budget: int,
                options: PackOptions, work: WorkBudget | None = None) -> PackResult:
    """Packs every copy's tiles into `budget` crossbars (raises PackingInfeasible)."""
    return pack(replicated_items(layers, copies), budget, options, work)


def bottleneck(layers: Sequence[LayerCost], copies: dict[int, int], rounding: str = "ceil") -> float:
    return max(cost.stage_ns(copies[cost.layer], rounding) for cost in layers)


def _distinct_stage_times(cost: LayerCost) -> list[float]:
    """stage_ns(n) for every n at which it changes, n = 1 .. useful copies (O(sqrt(cycles)) values)."""
    times, copies = [], 1
    while copies <= cost.useful_copies:
        per_copy = -(-cost.cycles // copies)
        times.append(cost.mvm_ns * per_copy)
        if per_copy <= 1:
            break
        copies = -(-cost.cycles // (per_copy - 1))
    return times


def copies_for(layers: Sequence[LayerCost], target_ns: float) -> dict[int, int] | None:
    """The fewest copies giving every stage at most `target_ns`; None if a layer cannot get there."""
    copies = {}
    for cost in layers:
        allowed_cycles = math.floor(target_ns / cost.mvm_ns + TIME_TOLERANCE)
        if allowed_cycles < 1:
            return None
        needed = -(-cost.cycles // allowed_cycles)
        if needed > cost.useful_copies:
            return None
        copies[cost.layer] = needed
    return copies


class _TargetSearch:
    """Candidate bottlenecks (ascending) and the copies and bound of each."""

    def __init__(self, layers: list[LayerCost], model: CapacityModel):
        self.layers = layers
        self.model = model
        floor_ns = max(cost.stage_ns(cost.useful_copies) for cost in layers)
        times = {time for cost in layers for time in _distinct_stage_times(cost)}
        self.targets = sorted(time for time in times if time >= floor_ns - TIME_TOLERANCE)

    def copies(self, index: int) -> dict[int, int]:
        return copies_for(self.layers, self.targets[index])

    def smallest(self, start: int, capacity: int) -> int | None:
        """The first index >= start whose copies pass the bounds at `capacity` (binary search)."""
        low, high, found = start, len(self.targets) - 1, None
        while low <= high:
            middle = (low + high) // 2
            if self.model.lower_bound(self.copies(middle)) <= capacity:
                found, high = middle, middle - 1
            else:
                low = middle + 1
        return found


def _next_step(cost: LayerCost, current: int) -> tuple[float, int] | None:
    """(time saved per added cell, new copies) of the next copy count that shortens the stage."""
    per_copy = -(-cost.cycles // current)
    if per_copy <= 1 or current >= cost.useful_copies:
        return None
    more = min(-(-cost.cycles // (per_copy - 1)), cost.useful_copies)
    saved = cost.stage_ns(current) - cost.stage_ns(more)
    return saved / ((more - current) * max(cost.area, 1)), more


def _spend_leftover(layers, model: CapacityModel, copies: dict[int, int], capacity: int) -> dict[int, int]:
    """Add copies where they cut a stage time most per cell while the bounds stay within `capacity`.

    A step that does not fit is dropped for good: the bounds only grow as copies are added."""
    copies = dict(copies)
    by_layer = {cost.layer: cost for cost in layers}
    heap = []
    for cost in layers:
        step = _next_step(cost, copies[cost.layer])
        if step is not None:
            heapq.heappush(heap, (-step[0], cost.layer, step[1]))
    while heap:
        _gain, layer, more = heapq.heappop(heap)
        trial = dict(copies)
        trial[layer] = more
        if model.lower_bound(trial) > capacity:
            continue
        copies = trial
        step = _next_step(by_layer[layer], more)
        if step is not None:
            heapq.heappush(heap, (-step[0], layer, step[1]))
    return copies


def _try_pack(layers, copies, budget, options, shared: SharedWork, most: int):
    """Packs the copies' tiles within a slice of the shared work (charged also when packing fails)."""
    work = shared.slice(most)
    try:
        return pack_copies(layers, copies, budget, options, work)
    finally:
        shared.charge(work)


def replicate(layers: Sequence[LayerCost], budget: int, pack_options: PackOptions = PackOptions(),
              spend_leftover: bool = True, time_limit_s: float | None = None) -> ReplicationResult:
    """Copies per layer minimising the bottleneck stage within `budget` crossbars (see module doc).

    Probing packs get `PROBE_EFFORT` probes; what is left of the shared budget goes to attempts one step
    below the best bottleneck found, then to the leftover step. `time_limit_s` is only a safety cap (None:
    none); a result that hits it depends on the machine."""
    layers = list(layers)
    model = CapacityModel(layers, pack_options)
    search = _TargetSearch(layers, model)
    last = len(search.targets) - 1          # its copies are all ones
    shared = SharedWork(int(pack_options.effort * REPLICATION_EFFORT_FACTOR), pack_options.time_limit_s,
                        time_limit_s)
    relaxed = search.smallest(0, budget)
    if relaxed is None:
        raise PackingInfeasible(model.lower_bound(search.copies(last)), budget, None)
    failed_below, capacity, attempts = relaxed, budget, 0
    while True:   # aimed probing: shrink the capacity by the overhead the packer showed
        index = search.smallest(failed_below, capacity)
        index = last if index is None else index
        attempts += 1
        try:
            packing = _try_pack(layers, search.copies(index), budget, pack_options, shared, PROBE_EFFORT)
            break
        except PackingInfeasible as failure:
            if index == last:
                raise
            overhead = (failure.best_found or budget + 1) - model.lower_bound(search.copies(index))
            failed_below, capacity = index + 1, min(capacity - 1, budget - max(overhead, 1))
    while index > failed_below and not shared.exhausted:   # longer tries one step lower
        attempts += 1
        try:
            packing = _try_pack(layers, search.copies(index - 1), budget, pack_options, shared,
                                shared.left // 2)
            index -= 1
        except PackingInfeasible:
            break
    copies = search.copies(index)
    if spend_leftover and not shared.exhausted:
        spare = budget - packing.xbars_used - LEFTOVER_SLACK_XBARS
        richer = _spend_leftover(layers, model, copies, model.lower_bound(copies) + spare)
        if richer != copies:
            attempts += 1
            try:
                packing = _try_pack(layers, richer, budget, pack_options, shared, PROBE_EFFORT)
                copies = richer
            except PackingInfeasible:
                pass
    return ReplicationResult(copies, bottleneck(layers, search.copies(last)), bottleneck(layers, copies),
                             packing, replicated_tiles(layers, copies), search.targets[relaxed],
                             "bottleneck-search", attempts)
