"""Functional execution of one layer under an execution design, with power failures injected.

A loop-level model of what a power-failure-safe program does (not the ISA: its commit/restore
instructions are not written yet). The layer runs as `Design` says: tiles of Tr x Tc pixels, Tm output and
Tn input channels, S tiles per power cycle, the innermost loop being the one the batch runs along. Every
step (fetch a tile, compute a tile, preserve a tile, commit) is a point where the power may fail: the
volatile buffer is lost and the next cycle restarts from what non-volatile memory holds.

Three preservation protocols:
- `double-buffer` (the default): every output tile has two slots in NVM. The schedule is static, so how
  often a tile has been preserved before cycle k follows from k: a cycle reads the slot of the current
  version and writes the other, and the one atomic write of the loop index commits it. No extra NVM writes
  (the analytic model's preservation cost holds); twice the NVM space for the outputs.
- `commit` (a redo log with a commit flag): a cycle writes its tiles to a staging area, then one atomic
  write sets the loop index and the commit flag; applying the staging area to the outputs is idempotent,
  and a restore that finds the flag set applies it again. No failure point can add a partial sum twice.
- `in-place`: tiles are written straight into the outputs, then the index. A failure between the two
  re-runs the cycle on top of its own partial sums: the outputs are wrong. Kept to show why a commit
  point is needed.

    out, stats = run_layer(x, w, shape, design, failures={3, 17})
    assert (out == reference_conv(x, w, shape)).all()
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rnc.hw.intermittent.pmod import Design, LayerShape
from rnc.hw.intermittent.pmod import job_order as jobs

PROTOCOLS = ("double-buffer", "commit", "in-place")


@dataclass
class RunStats:
    """What happened: steps executed (including re-executed ones), power cycles begun, failures."""

    steps: int = 0
    cycles: int = 0
    failures: int = 0


@dataclass
class _Nvm:
    """Non-volatile state: the outputs (partial sums), the committed index, the staging area and its flag."""

    out: np.ndarray
    index: int = 0
    staged: dict = field(default_factory=dict)
    committed: bool = False


class PowerFailure(Exception):
    """The capacitor reached Voff: the volatile buffer is gone."""


def reference_conv(x: np.ndarray, w: np.ndarray, shape: LayerShape) -> np.ndarray:
    """The layer under continuous power: int64 outputs (M, R, C) of a valid convolution of x (N, H, W)."""
    out = np.zeros((shape.out_ch, shape.out_h, shape.out_w), dtype=np.int64)
    s = shape.stride
    for i in range(shape.kernel_h):
        for j in range(shape.kernel_w):
            patch = x[:, i:i + s * shape.out_h:s, j:j + s * shape.out_w:s].astype(np.int64)
            if shape.depthwise:
                out += w[:, 0, i, j, None, None].astype(np.int64) * patch
            else:
                out += np.einsum("mn,nrc->mrc", w[:, :, i, j].astype(np.int64), patch)
    return out


def _tile(x, w, shape: LayerShape, d: Design, job) -> np.ndarray:
    """One tile's contribution (Tm, Tr, Tc) from its Tn input channels."""
    r, c, m, n = job
    sub = LayerShape(min(d.tr, shape.out_h - r), min(d.tc, shape.out_w - c), min(d.tm, shape.out_ch - m),
                     1 if shape.depthwise else min(d.tn, shape.in_ch - n), shape.kernel_h, shape.kernel_w,
                     shape.stride, shape.depthwise)
    s = shape.stride
    rows, cols = s * sub.out_h + shape.kernel_h - s, s * sub.out_w + shape.kernel_w - s
    channels = slice(m, m + sub.out_ch) if shape.depthwise else slice(n, n + sub.in_ch)
    xin = x[channels, s * r:s * r + rows, s * c:s * c + cols]
    win = w[m:m + sub.out_ch, :, :, :] if shape.depthwise else w[m:m + sub.out_ch, n:n + sub.in_ch]
    return reference_conv(xin, win, sub)


def run_layer(x: np.ndarray, w: np.ndarray, shape: LayerShape, d: Design, *, failures=frozenset(),
              protocol: str = "double-buffer", max_steps: int = 10_000_000) -> tuple[np.ndarray, RunStats]:
    """Runs the layer cycle by cycle; the power fails just before each step number in `failures`."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
    order = jobs(shape, d)
    nvm, stats = _Nvm(np.zeros((shape.out_ch, shape.out_h, shape.out_w), dtype=np.int64)), RunStats()
    if protocol == "double-buffer":
        return _run_double_buffered(x, w, shape, d, order, failures, max_steps)

    def step() -> None:
        _fail_or_step(stats, failures, max_steps)

    while nvm.index < len(order) or nvm.committed:
        stats.cycles += 1
        try:
            _cycle(x, w, shape, d, order, nvm, protocol, step)
        except PowerFailure:
            stats.steps += 1                          # the failed step is not retried at the same number
            stats.failures += 1
    return nvm.out, stats


def _cycle(x, w, shape, d, order, nvm: _Nvm, protocol: str, step) -> None:
    """One power cycle: restore, run S tiles in the volatile buffer, preserve, commit."""
    step()                                             # reboot and restore the index
    if nvm.committed:                                  # a commit whose apply was cut short: redo it
        _apply(nvm, step)
    start = nvm.index
    batch = order[start:start + d.batch]
    vm: dict = {}
    for job in batch:
        r, c, m, _ = job
        key = (r, c, m)
        if key not in vm:
            step()                                     # fetch the partial sums (all zero while n = 0)
            t = nvm.out[m:m + d.tm, r:r + d.tr, c:c + d.tc].copy()
            vm[key] = t
        step()                                         # fetch the input tile and compute on the crossbars
        vm[key] += _tile(x, w, shape, d, job)
    if protocol == "in-place":
        for (r, c, m), t in vm.items():
            step()
            nvm.out[m:m + d.tm, r:r + d.tr, c:c + d.tc] = t
        step()
        nvm.index = start + len(batch)
        return
    nvm.staged = {}
    for key, t in vm.items():
        step()                                         # preserve a tile into the staging area
        nvm.staged[key] = t
    step()                                             # one atomic write: the index and the commit flag
    nvm.index, nvm.committed = start + len(batch), True
    _apply(nvm, step)


def _apply(nvm: _Nvm, step) -> None:
    """Copies the staging area into the outputs (idempotent), then clears the commit flag."""
    for (r, c, m), t in nvm.staged.items():
        step()
        tm, tr, tc = t.shape
        nvm.out[m:m + tm, r:r + tr, c:c + tc] = t
    step()
    nvm.committed = False


def _run_double_buffered(x, w, shape: LayerShape, d: Design, order, failures, max_steps: int):
    """`run_layer` with two NVM slots per output tile; committing is writing the loop index."""
    cycles = [order[k:k + d.batch] for k in range(0, len(order), d.batch)]
    versions, seen = [], {}                       # per cycle: tile -> times preserved before it
    for batch in cycles:
        keys = list(dict.fromkeys((r, c, m) for r, c, m, _ in batch))
        versions.append({k: seen.get(k, 0) for k in keys})
        for k in keys:
            seen[k] = seen.get(k, 0) + 1
    slots = np.zeros((2, shape.out_ch, shape.out_h, shape.out_w), dtype=np.int64)
    index, stats = 0, RunStats()                  # index: the committed cycle (non-volatile)
    while index < len(cycles):
        stats.cycles += 1
        try:
            _fail_or_step(stats, failures, max_steps)           # reboot and restore the index
            vm = {}
            for job in cycles[index]:
                r, c, m, _ = job
                key = (r, c, m)
                if key not in vm:
                    _fail_or_step(stats, failures, max_steps)   # fetch the tile's current version
                    vm[key] = slots[versions[index][key] % 2, m:m + d.tm, r:r + d.tr, c:c + d.tc].copy()
                _fail_or_step(stats, failures, max_steps)       # fetch the input tile and compute
                vm[key] += _tile(x, w, shape, d, job)
            for (r, c, m), t in vm.items():
                _fail_or_step(stats, failures, max_steps)       # preserve into the other slot
                slots[(versions[index][(r, c, m)] + 1) % 2, m:m + d.tm, r:r + d.tr, c:c + d.tc] = t
            _fail_or_step(stats, failures, max_steps)           # commit: one atomic write of the index
            index += 1
        except PowerFailure:
            stats.steps += 1
            stats.failures += 1
    out = np.zeros_like(slots[0])
    for (r, c, m), n in seen.items():
        out[m:m + d.tm, r:r + d.tr, c:c + d.tc] = slots[n % 2, m:m + d.tm, r:r + d.tr, c:c + d.tc]
    return out, stats


def _fail_or_step(stats: RunStats, failures, max_steps: int) -> None:
    """One step: the power fails before it when its number is in `failures`."""
    if stats.steps in failures:
        raise PowerFailure
    stats.steps += 1
    if stats.steps > max_steps:
        raise RuntimeError("the layer makes no progress")


def steps_without_failure(x, w, shape: LayerShape, d: Design, protocol: str = "double-buffer") -> int:
    """How many step boundaries a failure-free run has (the points a failure can be injected at)."""
    return run_layer(x, w, shape, d, protocol=protocol)[1].steps


def cycles_expected(shape: LayerShape, d: Design) -> int:
    """Power cycles of a failure-free run: the jobs in batches of S."""
    return math.ceil(len(jobs(shape, d)) / d.batch)
