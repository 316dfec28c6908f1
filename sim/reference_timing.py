"""The RNC reference's network latency ("--timing-model rnc"), timing.md section 5.

A network is a strict chain of `RefLayer`s (the DAG is ignored, as in the reference). Each layer owns a FIFO
pool of `multiply` copies of its tiles; each tile sits on a crossbar. S samples are launched at t = 0.
Stage L of sample s starts when stage L-1 of sample s is done (stage 0: when stage 0 of sample s-1 is
done), then

1. takes n_L = min(multiply, n_cap) copies from the pool (FIFO),
2. cuts their tiles into waves (a tile joins the first wave not yet using its crossbar),
3. runs the waves in turn: a wave requests all its crossbars (capacity-1 FIFO resources shared by every
   layer and sample), holds those granted until it has all, lasts PE_latency(top) * floor(cycles(top) / n_L)
   for its top tile (largest PE_latency * cycles, first on ties), then releases them,
4. returns the copies.

`latency_ns` is the makespan; `ideal_ns` the same run without crossbar requests and with all tiles in one
wave. The reference simulates this on simpy, and simpy's FIFO grants and order of simultaneous events decide
who queues first for a crossbar, so they are part of the model: `reference_timing_simpy` is that simpy
network, and `reference_events` replays its events in the same order, bit for bit, several times faster.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class RefTile:
    """One tile: `cycles` MVMs per sample, each taking `pe_latency_ns`, on crossbar `xbar`."""

    cycles: int
    pe_latency_ns: float
    xbar: Hashable

    @property
    def busy_ns(self) -> float:
        """The time the reference ranks tiles by (PE latency times cycles)."""
        return self.pe_latency_ns * self.cycles


@dataclass(frozen=True)
class RefLayer:
    """A weight layer: the tiles of each of its copies (one entry per copy) and its cap on copies.

    `n_cap` is the most copies one sample can use: Hout*Wout*groups for a conv, out-features for a linear
    layer. The number of copies is the reference's `multiply`.
    """

    name: str
    copies: tuple[tuple[RefTile, ...], ...]
    n_cap: int

    def __post_init__(self) -> None:
        copies = tuple(tuple(copy) for copy in self.copies)
        object.__setattr__(self, "copies", copies)
        if not copies or any(not copy for copy in copies):
            raise ValueError(f"layer {self.name!r}: needs at least one copy, each with at least one tile")
        if self.n_cap < 1:
            raise ValueError(f"layer {self.name!r}: n_cap must be >= 1, got {self.n_cap}")

    @property
    def multiply(self) -> int:
        return len(self.copies)

    @property
    def copies_per_sample(self) -> int:
        """n_L: copies one sample takes from the pool."""
        return min(self.multiply, self.n_cap)


@dataclass(frozen=True)
class RefTimingResult:
    """Makespans of `samples` samples, and each layer's contention-free time for one sample.

    The contention-free run (`ideal_ns`) happens on first use: most callers (the compile sweep, the NAS)
    need only `latency_ns`, and the second run would double their timing cost.
    """

    latency_ns: float
    samples: int
    stage_ns: tuple[float, ...]         # waves run in turn, no other layer on the crossbars
    ideal_stage_ns: tuple[float, ...]   # one wave
    layers: tuple["RefLayer", ...] = field(repr=False, compare=False, default=())

    @cached_property
    def ideal_ns(self) -> float:
        """The same samples with no crossbar requests and all of a layer's tiles in one wave."""
        return _makespan(list(self.layers), self.samples, contended=False)

    @property
    def ratio(self) -> float:
        """The reference's `ratio`: ideal latency over latency (1 when nothing waits for a crossbar)."""
        return self.ideal_ns / self.latency_ns


def waves(tiles: Sequence[RefTile]) -> list[list[RefTile]]:
    """Cuts tiles into waves: each tile joins the first wave not yet using its crossbar."""
    result: list[list[RefTile]] = []
    crossbars_in_wave: list[set] = []
    for tile in tiles:
        for wave, used in zip(result, crossbars_in_wave):
            if tile.xbar not in used:
                wave.append(tile)
                used.add(tile.xbar)
                break
        else:
            result.append([tile])
            crossbars_in_wave.append({tile.xbar})
    return result


def wave_duration_ns(wave: Sequence[RefTile], copies_used: int) -> float:
    """PE_latency(top) * floor(cycles(top) / n): only the top tile counts, and the division floors."""
    top = max(wave, key=lambda tile: tile.busy_ns)  # first of equals, like the reference's stable sort
    return top.pe_latency_ns * (top.cycles // copies_used)


def _tiles_of_first_copies(layer: RefLayer) -> list[RefTile]:
    return [tile for copy in layer.copies[:layer.copies_per_sample] for tile in copy]


def stage_ns(layer: RefLayer) -> float:
    """A layer's time for one sample with its first n_L copies when no other layer uses its crossbars."""
    n = layer.copies_per_sample
    return sum(wave_duration_ns(wave, n) for wave in waves(_tiles_of_first_copies(layer)))


def ideal_stage_ns(layer: RefLayer) -> float:
    """A layer's time for one sample without crossbar requests: all tiles in one wave."""
    return wave_duration_ns(_tiles_of_first_copies(layer), layer.copies_per_sample)


def pipeline_makespan_ns(stage_times: Sequence[float], samples: int) -> float:
    """sum_L t_L + (S - 1) * max_L t_L: a chain of one-sample-at-a-time stages fed S samples at once."""
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    if not stage_times:
        return 0.0
    return sum(stage_times) + (samples - 1) * max(stage_times)


def closed_form_latency_ns(layers: Sequence[RefLayer], samples: int, ideal: bool = False) -> float:
    """The makespan without simulation, valid when no crossbar is shared between layers and n_L = m_L.

    Then a layer holds one sample at a time and never waits for another layer's crossbar, so the chain is a
    flow shop with stage times `stage_ns` (`ideal_stage_ns` for `ideal`). Raises ValueError otherwise.
    """
    for layer in layers:
        if layer.copies_per_sample != layer.multiply:
            raise ValueError(f"layer {layer.name!r}: n_cap {layer.n_cap} < {layer.multiply} copies lets "
                             "several samples in at once; no closed form")
    if not ideal:
        owner: dict[Hashable, str] = {}
        for layer in layers:
            for copy in layer.copies:
                for tile in copy:
                    if owner.setdefault(tile.xbar, layer.name) != layer.name:
                        raise ValueError(f"crossbar {tile.xbar!r} is shared by layers {owner[tile.xbar]!r} and "
                                         f"{layer.name!r}; no closed form")
    stage = ideal_stage_ns if ideal else stage_ns
    return pipeline_makespan_ns([stage(layer) for layer in layers], samples)


def simulate_reference(layers: Sequence[RefLayer], samples: int) -> RefTimingResult:
    """Runs the reference's simulation of `samples` samples (the ideal run waits until `ideal_ns` is read)."""
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    layers = list(layers)
    return RefTimingResult(
        latency_ns=_makespan(layers, samples, contended=True),
        samples=samples,
        stage_ns=tuple(stage_ns(layer) for layer in layers),
        ideal_stage_ns=tuple(ideal_stage_ns(layer) for layer in layers),
        layers=tuple(layers),
    )


def _makespan(layers: list[RefLayer], samples: int, contended: bool) -> float:
    # Imported here: reference_events builds on this module's RefLayer and waves.
    from rnc.sim.reference_events import makespan
    return makespan(layers, samples, contended)
