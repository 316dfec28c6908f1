"""The reference's network (`reference_timing`) on simpy, as the reference runs it: the oracle for
`reference_events`, which replays the same events faster.

The process nesting mirrors the reference's because every nested process adds simpy steps at the same
instant, and those steps decide who queues first for a crossbar.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

import simpy

from rnc.sim.reference_timing import RefLayer, RefTile, wave_duration_ns, waves


class _Network:
    """One simpy run: the layers' copy pools, the shared crossbars and the stage processes."""

    def __init__(self, layers: list[RefLayer], contended: bool) -> None:
        self.env = simpy.Environment()
        self.layers = layers
        self.contended = contended
        self.pools = []
        for layer in layers:
            pool = simpy.Store(self.env, capacity=layer.multiply)
            for copy in layer.copies:
                pool.put(copy)
            self.pools.append(pool)
        self.crossbars: dict[Hashable, simpy.Resource] = {}
        self.wave_plans: dict[tuple[int, ...], list[list[RefTile]]] = {}

    def crossbar(self, xbar: Hashable) -> simpy.Resource:
        resource = self.crossbars.get(xbar)
        if resource is None:
            resource = self.crossbars[xbar] = simpy.Resource(self.env, capacity=1)
        return resource

    def stage(self, layer: RefLayer, pool: simpy.Store, previous: simpy.Process | None):
        """Stage of one sample in one layer: waits for `previous`, then uses the layer's copies."""
        if previous is not None:
            yield previous
        yield self.env.process(self.use_copies(layer, pool))

    def use_copies(self, layer: RefLayer, pool: simpy.Store):
        n = layer.copies_per_sample
        gets = [pool.get() for _ in range(n)]
        taken = yield simpy.AllOf(self.env, gets)
        copies = [taken[get] for get in gets]
        tiles = [tile for copy in copies for tile in copy]
        if self.contended:
            yield self.env.process(self.run_waves(copies, tiles, n))
        else:
            yield self.env.process(self.compute(tiles, n))
        for copy in copies:
            yield pool.put(copy)

    def run_waves(self, copies: list[tuple[RefTile, ...]], tiles: list[RefTile], n: int):
        # Which copies a sample gets varies with the pool's rotation; plan waves once per combination.
        key = tuple(id(copy) for copy in copies)
        plan = self.wave_plans.get(key)
        if plan is None:
            plan = self.wave_plans[key] = waves(tiles)
        for wave in plan:
            resources = [self.crossbar(tile.xbar) for tile in wave]
            requests = [resource.request() for resource in resources]
            yield simpy.AllOf(self.env, requests)
            yield self.env.process(self.compute(wave, n))
            for resource, request in zip(resources, requests):
                resource.release(request)

    def compute(self, tiles: Sequence[RefTile], n: int):
        yield self.env.timeout(wave_duration_ns(tiles, n))

    def launch(self, samples: int) -> None:
        """Creates every stage process at t = 0, sample by sample, layer by layer (the reference's order)."""
        first_stage_of_previous_sample = None
        for _ in range(samples):
            previous = first_stage_of_previous_sample
            for position, (layer, pool) in enumerate(zip(self.layers, self.pools)):
                previous = self.env.process(self.stage(layer, pool, previous))
                if position == 0:
                    first_stage_of_previous_sample = previous


def makespan_simpy(layers: list[RefLayer], samples: int, contended: bool) -> float:
    network = _Network(layers, contended)
    network.launch(samples)
    network.env.run()
    return float(network.env.now)
