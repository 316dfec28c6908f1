"""A deterministic limit on search work, so that the same inputs and seed give the same packing anywhere.

Work is counted in probes: one probe is one crossbar whose constraints are checked for a tile, or one of
its free rectangles (or skyline segments) examined, to fit a tile or to cut them around a placed one.
Counted so, a probe costs about the same on every instance, so a probe budget bounds the run time too,
without making the result depend on the machine's speed or load.
"""
from __future__ import annotations

import time


class WorkBudget:
    """Probes left for a search. `deadline` (a time.perf_counter() value) is only a safety cap: once it
    passes the budget counts as spent, and results then depend on the machine (tests never set one)."""

    __slots__ = ("limit", "spent", "deadline")

    def __init__(self, limit: int, deadline: float | None = None):
        self.limit = limit
        self.spent = 0
        self.deadline = deadline

    def spend(self, probes: int = 1) -> None:
        self.spent += probes

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.limit or (self.deadline is not None and time.perf_counter() >= self.deadline)


def spend(work: WorkBudget | None, probes: int) -> None:
    """Count `probes` on `work` when there is one (constructive passes may run uncounted)."""
    if work is not None:
        work.spend(probes)


def _deadline(seconds: float | None) -> float | None:
    return None if seconds is None else time.perf_counter() + seconds


class SharedWork:
    """One budget of probes shared by successive searches; each gets a slice of what is left and is charged
    what it spent. Safety caps, if any: `total_seconds` on them all, `each_seconds` on each search."""

    def __init__(self, probes: int, each_seconds: float | None = None, total_seconds: float | None = None):
        self.left = probes
        self.each_seconds = each_seconds
        self.deadline = _deadline(total_seconds)

    def slice(self, most: int) -> WorkBudget:
        caps = [cap for cap in (self.deadline, _deadline(self.each_seconds)) if cap is not None]
        return WorkBudget(max(0, min(most, self.left)), min(caps, default=None))

    def charge(self, work: WorkBudget) -> None:
        self.left -= work.spent

    @property
    def exhausted(self) -> bool:
        return self.left <= 0 or (self.deadline is not None and time.perf_counter() >= self.deadline)
