"""The reference's network (`reference_timing`) on a small event engine that replays simpy's event order.

simpy runs events by (time, priority, event id). Here every event is scheduled at the current instant except
timeouts, and an event scheduled now gets a larger id than any pending one, so an instant runs as a FIFO
queue, started with that instant's timeouts in the order simpy scheduled them. URGENT events (process
starts) are only ever scheduled by the event being handled (or by the launch, before anything else runs),
and run right after it, in order: the handler runs them itself at its end. Each handler below stands for one
simpy event and does what that event's callbacks do, in the same order; `reference_timing_simpy` is the
simpy original, and the tests hold the two equal bit for bit.

Events of the simpy run left out, because handling them changes nothing and dropping an entry from a FIFO
keeps the others' order:
- the initial puts into the pools: when they run, every get made so far has been served;
- a copy's or a crossbar's grant, except the last one its process waits for (the others only count);
- a release no request waits on (a later request takes the crossbar itself);
- a timeout's own step when it comes off the heap: the timeouts of an instant run one after the other
  before anything else, and each only queues the end of its compute process.
"""
from __future__ import annotations

import math
from collections import deque
from heapq import heappop, heappush
from itertools import count

from rnc.sim.reference_timing import RefLayer, wave_duration_ns, waves


class _Pool:
    """A layer's FIFO pool of copies (simpy Store) and the wave plans of the copy combinations drawn."""

    __slots__ = ("layer", "n", "items", "waiting", "plans")

    def __init__(self, layer: RefLayer) -> None:
        self.layer = layer
        self.n = layer.copies_per_sample
        self.items = deque(range(layer.multiply))   # copies in the pool, by index
        self.waiting = deque()                        # one entry per unserved get: the stage that asked
        self.plans: dict[tuple[int, ...], object] = {}


class _Stage:
    """Stage L of sample s: the simpy processes stage, use_copies, run_waves and compute in one record."""

    __slots__ = ("pool", "successors", "copies", "pending", "plan", "wave", "returned")

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool
        self.successors: list[_Stage] = []   # stages whose start waits for this one, in simpy's callback order
        self.copies: list[int] = []
        self.pending = 0                     # grants still missing (copies, then each wave's crossbars)
        self.plan = None                     # contended: [(crossbar ids, duration)] per wave; ideal: duration
        self.wave = 0
        self.returned = 0


def _first_stage(pools: list[_Pool], samples: int) -> _Stage:
    """Creates and links every stage in the order `_Network.launch` does; returns sample 0's first stage."""
    first_stages = []
    for _ in range(samples):
        previous = first_stages[-1] if first_stages else None
        for position, pool in enumerate(pools):
            stage = _Stage(pool)
            if previous is not None:
                # Stage (s, L+1) was created, and so waited on (s, L), before stage (s+1, 0).
                previous.successors.append(stage)
            if position == 0:
                first_stages.append(stage)
            previous = stage
    return first_stages[0]


def _plan(pool: _Pool, copies: tuple[int, ...], xbar_ids: dict | None):
    """Contended: each wave's crossbar ids and duration; ideal (no `xbar_ids`): the one wave's duration."""
    tiles = [tile for index in copies for tile in pool.layer.copies[index]]
    if xbar_ids is None:
        return wave_duration_ns(tiles, pool.n)
    return [(tuple(xbar_ids[tile.xbar] for tile in wave), wave_duration_ns(wave, pool.n)) for wave in waves(tiles)]


def makespan(layers: list[RefLayer], samples: int, contended: bool) -> float:
    """The time the last event of `_Network(layers, contended)` runs at, for `samples` samples.

    Raises ValueError for a NaN, infinite or negative PE latency or cycle count: a NaN time never equals
    itself, so the event loop would never leave its instant.
    """
    if not layers:
        return 0.0
    pools = [_Pool(layer) for layer in layers]
    xbar_ids: dict = {}
    for layer in layers:
        for copy in layer.copies:
            for tile in copy:
                if not (0 <= tile.pe_latency_ns < math.inf and 0 <= tile.cycles < math.inf):
                    raise ValueError(f"layer {layer.name!r}: a tile's PE latency ({tile.pe_latency_ns} ns) and "
                                     f"cycles ({tile.cycles}) must be finite and >= 0")
                xbar_ids.setdefault(tile.xbar, len(xbar_ids))
    busy = [False] * len(xbar_ids)
    queue = [deque() for _ in xbar_ids]   # requests not yet granted, per crossbar (simpy put_queue)

    events, timeouts = deque(), []        # this instant's FIFO; (time, order scheduled, stage) ahead
    schedule = events.append
    sequence = count()
    now = 0

    def grant_copy(pool: _Pool) -> None:
        # Store._trigger_get: the oldest get takes the oldest copy.
        stage = pool.waiting.popleft()
        stage.copies.append(pool.items.popleft())
        stage.pending -= 1
        if not stage.pending:
            schedule((copies_granted, stage))

    def grant_crossbar(xbar: int) -> None:
        # Resource._trigger_put: the oldest request gets the free crossbar.
        busy[xbar] = True
        stage = queue[xbar].popleft()
        stage.pending -= 1
        if not stage.pending:
            schedule((crossbars_granted, stage))

    def take_copies(stage: _Stage) -> None:
        # use_copies starts: n gets, each serving the oldest get if the pool holds a copy.
        pool = stage.pool
        stage.pending = pool.n
        for _ in range(pool.n):
            pool.waiting.append(stage)
            if pool.items:
                grant_copy(pool)

    def copies_granted(stage: _Stage) -> None:
        # The last get's event: the AllOf over the gets triggers.
        schedule((copies_ready, stage))

    def copies_ready(stage: _Stage) -> None:
        # The AllOf's event resumes use_copies, which starts run_waves, or compute in the ideal run.
        pool = stage.pool
        key = tuple(stage.copies)
        plan = pool.plans.get(key)
        if plan is None:
            plan = pool.plans[key] = _plan(pool, key, xbar_ids if contended else None)
        stage.plan = plan
        if contended:
            stage.wave = 0
            request_wave(stage)
        else:
            start_compute(stage, plan)

    def request_wave(stage: _Stage) -> None:
        # run_waves asks for every crossbar of its wave; each request tries the head of its queue.
        xbars = stage.plan[stage.wave][0]
        stage.pending = len(xbars)
        for xbar in xbars:
            queue[xbar].append(stage)
            if not busy[xbar]:
                grant_crossbar(xbar)

    def crossbars_granted(stage: _Stage) -> None:
        # The last request's event: the AllOf over the requests triggers.
        schedule((crossbars_ready, stage))

    def crossbars_ready(stage: _Stage) -> None:
        # The AllOf's event resumes run_waves, which starts compute.
        start_compute(stage, stage.plan[stage.wave][1])

    def start_compute(stage: _Stage, duration: float) -> None:
        end = now + duration
        if end == now:
            schedule((timeout_done, stage))   # also when the duration is too small to move `now`
        else:
            heappush(timeouts, (end, next(sequence), stage))

    def timeout_done(stage: _Stage) -> None:
        # compute returns; its process event resumes the caller.
        schedule((compute_done, stage))

    def compute_done(stage: _Stage) -> None:
        if not contended:
            put_back(stage)
            return
        # run_waves releases the wave's crossbars and asks for the next wave's.
        for xbar in stage.plan[stage.wave][0]:
            busy[xbar] = False
            if queue[xbar]:
                schedule((released, xbar))
        stage.wave += 1
        if stage.wave < len(stage.plan):
            request_wave(stage)
        else:
            schedule((waves_done, stage))

    def released(xbar: int) -> None:
        # The Release event: the head request gets the crossbar unless a newer request handed it over.
        if not busy[xbar] and queue[xbar]:
            grant_crossbar(xbar)

    def waves_done(stage: _Stage) -> None:
        # run_waves' process event resumes use_copies, which puts its first copy back.
        put_back(stage)

    def put_back(stage: _Stage) -> None:
        # A put never waits (the pool has room for every copy); its event is what serves a waiting get.
        stage.pool.items.append(stage.copies[stage.returned])
        stage.returned += 1
        schedule((copy_returned, stage))

    def copy_returned(stage: _Stage) -> None:
        pool = stage.pool
        if pool.waiting and pool.items:
            grant_copy(pool)
        if stage.returned < len(stage.copies):
            put_back(stage)
        else:
            schedule((copies_returned, stage))

    def copies_returned(stage: _Stage) -> None:
        # use_copies' process event resumes the stage process, which ends.
        schedule((stage_done, stage))

    def stage_done(stage: _Stage) -> None:
        # The stage's process event resumes the stages waiting on it; each starts its use_copies.
        for successor in stage.successors:
            take_copies(successor)

    take_copies(_first_stage(pools, samples))
    next_event = events.popleft
    while True:
        while events:
            handler, argument = next_event()
            handler(argument)
        if not timeouts:
            return float(now)
        now = timeouts[0][0]
        while timeouts and timeouts[0][0] == now:
            schedule((compute_done, heappop(timeouts)[2]))
