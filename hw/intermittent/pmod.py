"""The iNAS-PMod model: what one power cycle and one layer cost under intermittent power.

A layer is tiled (Tr x Tc output pixels, Tm output channels, Tn input channels). A power cycle reboots,
restores the loop indices, runs S tiles (the preservation batch), preserves outputs or partial sums and the
indices to non-volatile memory, and powers down:

    E_pc = E_reboot + E_fetch + E_index_restore + E_compute + E_preserve + E_index_save

(latency has the same form). Cycles whose tiles start a new output (input-channel index n = 0) fetch no
partial sums ("min"); the others do ("max"). A layer takes npc = tiles / S cycles, each followed by a
recharge; its end-to-end latency is n0 (L_min + t_rc(E_min)) + n>0 (L_max + t_rc(E_max)). The formulas
follow iNAS's `CostModel/conv_tiled.py`, `common.py` and `cnn.py`; a `Platform` supplies the unit costs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from ..power import PowerModel

ORDERS = ("input", "weight", "output")   # which operand stays in the buffer across the S tiles of a cycle
INDEX_WORDS = 4                          # loop indices saved and restored each cycle (iNAS: r(4) + w(4))


@dataclass(frozen=True, slots=True)
class Cost:
    """Energy (J) and latency (s) of a piece of work."""

    energy_j: float = 0.0
    time_s: float = 0.0

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(self.energy_j + other.energy_j, self.time_s + other.time_s)

    def times(self, k: float) -> "Cost":
        return Cost(self.energy_j * k, self.time_s * k)


@dataclass(frozen=True)
class LayerShape:
    """A convolution (or a linear layer: 1 x 1 pixels, 1 x 1 kernel) as the tiling sees it.

    `depthwise`: every output channel reads only its own input channel (N counts channels per group, 1).
    """

    out_h: int                # R
    out_w: int                # C
    out_ch: int               # M
    in_ch: int                # N (per group)
    kernel_h: int = 1
    kernel_w: int = 1
    stride: int = 1
    depthwise: bool = False

    def input_tile(self, tr: int, tc: int) -> tuple[int, int]:
        """(Tri, Tci): the input rows and columns a Tr x Tc output tile reads."""
        s = self.stride
        return s * tr + self.kernel_h - s, s * tc + self.kernel_w - s

    @property
    def macs(self) -> int:
        return self.out_h * self.out_w * self.out_ch * self.in_ch * self.kernel_h * self.kernel_w


@dataclass(frozen=True)
class Design:
    """An execution and preservation design: tile sizes, loop order and tiles per power cycle (S)."""

    tr: int
    tc: int
    tm: int
    tn: int
    order: str
    batch: int = 1

    def tiles(self, shape: LayerShape) -> int:
        return (math.ceil(shape.out_h / self.tr) * math.ceil(shape.out_w / self.tc)
                * math.ceil(shape.out_ch / self.tm) * math.ceil(shape.in_ch / self.tn))

    def describe(self) -> str:
        return f"Tr={self.tr} Tc={self.tc} Tm={self.tm} Tn={self.tn} {self.order}-reuse S={self.batch}"


def job_order(shape: LayerShape, d: Design) -> list[tuple[int, int, int, int]]:
    """The design's tiles (r, c, m, n) in execution order: the loop the batch runs along is innermost, so
    the S tiles of a power cycle are consecutive."""
    rs, cs = range(0, shape.out_h, d.tr), range(0, shape.out_w, d.tc)
    ms, ns = range(0, shape.out_ch, d.tm), range(0, shape.in_ch, d.tn)
    if d.order == "output":       # the output tile stays: input channels innermost
        return [(r, c, m, n) for r in rs for c in cs for m in ms for n in ns]
    if d.order == "input":        # the input tile stays: output channels innermost
        return [(r, c, m, n) for n in ns for r in rs for c in cs for m in ms]
    return [(r, c, m, n) for n in ns for m in ms for r in rs for c in cs]   # weights stay: pixels innermost


class Platform(Protocol):
    """Unit costs of a device: the terms of the cycle formula are built from these."""

    def reboot(self) -> Cost: ...
    def read(self, kind: str, elements: int) -> Cost: ...            # one NVM -> buffer transfer
    def write(self, kind: str, elements: int, order: str) -> Cost: ...  # one buffer -> NVM transfer
    def fetch_overhead(self, kind: str, order: str) -> Cost: ...     # addressing per transfer
    def compute(self, shape: LayerShape, design: Design) -> Cost: ...  # one tile
    def buffer_bytes(self, shape: LayerShape, design: Design) -> int: ...
    def preserved_kind(self, shape: LayerShape, design: Design) -> str: ...   # "outputs" or "partial sums"
    def element_bytes(self, kind: str) -> int: ...                    # "input", "output", "psum", "index"


@dataclass(frozen=True)
class CycleTerms:
    """The iNAS-PMod terms of one power cycle; fetch has a "min" (n = 0) and a "max" (n > 0) variant."""

    reboot: Cost
    fetch_min: Cost
    fetch_max: Cost
    index_restore: Cost
    compute: Cost
    preserve: Cost
    index_save: Cost
    preserved_bytes: int          # outputs or partial sums written per cycle (indices not counted)

    def total(self, worst: bool) -> Cost:
        fetch = self.fetch_max if worst else self.fetch_min
        return self.reboot + fetch + self.index_restore + self.compute + self.preserve + self.index_save

    def as_dict(self) -> dict[str, dict[str, float]]:
        names = ("reboot", "fetch_min", "fetch_max", "index_restore", "compute", "preserve", "index_save")
        return {n: {"energy_j": getattr(self, n).energy_j, "time_s": getattr(self, n).time_s} for n in names}


def cycle_terms(platform: Platform, shape: LayerShape, d: Design) -> CycleTerms:
    """The terms of one power cycle of design `d` (iNAS est_cost_CONV_powcycle_intpow)."""
    tri, tci = shape.input_tile(d.tr, d.tc)
    n_in, n_w, n_out = tri * tci, shape.kernel_h * shape.kernel_w * d.tm, d.tr * d.tc   # transfers per tile
    s = d.batch
    in_block = d.tm if shape.depthwise else d.tn      # a depthwise tile reads its own Tm channels
    fetch_in = (platform.read("input", in_block) + platform.fetch_overhead("input", d.order)).times(n_in)
    fetch_w = (platform.read("weight", d.tn) + platform.fetch_overhead("weight", d.order)).times(n_w)
    fetch_psum = (platform.read("psum", d.tm) + platform.fetch_overhead("psum", d.order)).times(n_out)
    if d.order == "input":        # the input tile stays; S weight tiles (and partial sums) stream through
        fetch_min, fetch_max = fetch_w.times(s) + fetch_in, (fetch_w + fetch_psum).times(s) + fetch_in
    elif d.order == "weight":     # the weight tile stays; S input tiles (and partial sums) stream through
        fetch_min, fetch_max = fetch_in.times(s) + fetch_w, (fetch_in + fetch_psum).times(s) + fetch_w
    elif d.order == "output":     # the output tile stays; S input and weight tiles accumulate into it
        fetch_min = (fetch_in + fetch_w).times(s)
        fetch_max = fetch_min + fetch_psum
    else:
        raise ValueError(f"unknown loop order {d.order!r} (known: {', '.join(ORDERS)})")
    kind = "psum" if platform.preserved_kind(shape, d) == "partial sums" else "output"
    if d.order == "input":        # S output tiles side by side: one transfer of S Tm per pixel
        preserve, preserved = platform.write(kind, s * d.tm, d.order).times(n_out), n_out * s * d.tm
    elif d.order == "weight":
        preserve, preserved = platform.write(kind, d.tm, d.order).times(s * n_out), s * n_out * d.tm
    else:
        preserve, preserved = platform.write(kind, d.tm, d.order).times(n_out), n_out * d.tm
    return CycleTerms(platform.reboot(), fetch_min, fetch_max, platform.read("index", INDEX_WORDS),
                      platform.compute(shape, d).times(s), preserve, platform.write("index", INDEX_WORDS, "index"),
                      preserved * platform.element_bytes(kind))


def power_cycles(shape: LayerShape, d: Design) -> tuple[float, float]:
    """(cycles with n = 0, cycles with n > 0) of the layer (iNAS common._num_pow_cycles)."""
    tiles = d.tiles(shape)
    outputs = math.ceil(shape.out_h / d.tr) * math.ceil(shape.out_w / d.tc) * math.ceil(shape.out_ch / d.tm)
    n0 = outputs if d.order == "output" else outputs / d.batch
    return n0, tiles / d.batch - n0


@dataclass(frozen=True)
class LayerCost:
    """A design's figures on one layer: per-cycle terms, cycle counts, recharge and end-to-end latency."""

    design: Design
    terms: CycleTerms
    cycles_min: float             # power cycles with n = 0
    cycles_max: float             # power cycles with n > 0
    energy_min_j: float
    energy_max_j: float
    time_min_s: float
    time_max_s: float
    recharge_min_s: float
    recharge_max_s: float
    buffer_bytes: int
    preserved: str                # "outputs" or "partial sums"

    @property
    def cycles(self) -> float:
        return self.cycles_min + self.cycles_max

    @property
    def worst_energy_j(self) -> float:
        return max(self.energy_min_j, self.energy_max_j) if self.cycles_max else self.energy_min_j

    @property
    def latency_s(self) -> float:
        return (self.cycles_min * (self.time_min_s + self.recharge_min_s)
                + self.cycles_max * (self.time_max_s + self.recharge_max_s))

    @property
    def energy_j(self) -> float:
        return self.cycles_min * self.energy_min_j + self.cycles_max * self.energy_max_j

    @property
    def recharge_s(self) -> float:
        return self.cycles_min * self.recharge_min_s + self.cycles_max * self.recharge_max_s

    @property
    def preserved_bytes(self) -> float:
        """Bytes written to NVM over the layer (progress and indices), for endurance and the report."""
        return self.cycles * self.terms.preserved_bytes


def cycle_energies(platform: Platform, shape: LayerShape, d: Design) -> tuple[CycleTerms, Cost, Cost]:
    """The terms and the (min, max) cost of one cycle; max = min when no cycle has n > 0."""
    terms = cycle_terms(platform, shape, d)
    lo, hi = terms.total(worst=False), terms.total(worst=True)
    return terms, lo, (hi if power_cycles(shape, d)[1] else lo)


def layer_cost(platform: Platform, power: PowerModel, shape: LayerShape, d: Design, *,
               parity_inas: bool = False) -> LayerCost | None:
    """Figures of `d` on `shape` under `power`; None when a cycle does not fit in the usable energy."""
    terms, lo, hi = cycle_energies(platform, shape, d)
    eav = power.usable_energy_j
    worst = hi.energy_j if parity_inas else max(lo.energy_j, hi.energy_j)   # iNAS checks only E_max
    if worst > eav or lo.energy_j >= eav:
        return None
    n0, n_gt0 = power_cycles(shape, d)
    return LayerCost(d, terms, n0, n_gt0, lo.energy_j, hi.energy_j, lo.time_s, hi.time_s,
                     power.recharge_s(lo.energy_j, parity_inas=parity_inas),
                     power.recharge_s(hi.energy_j, parity_inas=parity_inas),
                     platform.buffer_bytes(shape, d), platform.preserved_kind(shape, d))
