"""An RRAM crossbar chip under intermittent power, as a `Platform` for the iNAS-PMod formulas.

The weights live in the crossbars' RRAM cells, which keep them without power: a power cycle never fetches
weights. The atomic job is one tile of the layer, Tr x Tc output pixels of Tm output channels over Tn
input channels: per pixel, one MVM on each resident crossbar region that holds those Kh Kw Tn rows and
Tm columns (regions run in parallel, a region is at most one crossbar), then the tile's accumulators add
the row-split results and the running partial sum. Activations and partial sums sit in the tile buffer,
which is volatile, so a cycle fetches its input (and partial sums) from non-volatile memory and preserves
its outputs (or partial sums) there. Energies come from `rnc.hw.cost.CostModel` (dynamic energy of every
MVM, accumulation and buffer access, plus the leakage of the tiles a job powers); NVM and reboot costs
from the `PowerModel`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from ..cost import Activity, CostModel
from ..power import PowerModel
from .pmod import Cost, Design, LayerShape

ACTIVATION_BYTES = 1     # 8-bit activations (RNC reference, Target.input_bits = 8)
PSUM_BYTES = 4           # 32-bit partial sums: an 8 x 8-bit dot product over 4096 rows needs 28 bits
INDEX_BYTES = 2          # 16-bit loop indices (as iNAS's Q15 words)


@dataclass(frozen=True)
class CrossbarPlatform:
    """Costs of `model`'s chip (MVMs, accumulators, buffer, leakage) with `power`'s NVM and reboot."""

    model: CostModel
    power: PowerModel
    input_bits: int | None = None
    _pixel: dict = field(default_factory=dict, repr=False, compare=False)   # memo: pixel and buffer costs

    def reboot(self) -> Cost:
        return Cost(self.power.reboot_j, self.power.reboot_s)

    def element_bytes(self, kind: str) -> int:
        return {"input": ACTIVATION_BYTES, "output": ACTIVATION_BYTES, "psum": PSUM_BYTES, "index": INDEX_BYTES}[kind]

    def _bytes(self, kind: str, elements: int) -> int:
        return elements * self.element_bytes(kind)

    def read(self, kind: str, elements: int) -> Cost:
        if kind == "weight":          # resident in the crossbars
            return Cost()
        nbytes = self._bytes(kind, elements)
        return Cost(*self.power.nvm.read(nbytes)) + self._buffer(nbytes)

    def write(self, kind: str, elements: int, order: str) -> Cost:
        nbytes = self._bytes(kind, elements)
        return Cost(*self.power.nvm.write(nbytes)) + self._buffer(nbytes)

    def fetch_overhead(self, kind: str, order: str) -> Cost:
        """Addressing is the DMA engine's (part of the NVM transfer cost); nothing extra."""
        return Cost()

    def _buffer(self, nbytes: int) -> Cost:
        """A stream of `nbytes` through the tile buffer: its energy, and nbytes at the buffer's bandwidth
        (no rounding to whole bus words, so a cycle's cost stays affine in S; see explore.py)."""
        return self._per_buffer_byte.times(nbytes)

    @property
    def _per_buffer_byte(self) -> Cost:
        if "buffer" not in self._pixel:
            charge = self.model.buffer_access(1)
            rate = self.model.specs["buffer"].ops_per_ns          # bytes per ns
            self._pixel["buffer"] = Cost(sum(self.model.energy_pj(charge.activity).values()) * 1e-12,
                                         1 / rate * 1e-9 if rate else 0.0)
        return self._pixel["buffer"]

    def compute(self, shape: LayerShape, d: Design) -> Cost:
        """One tile: Tr Tc pixels, each a parallel set of MVMs plus accumulation."""
        return self.pixel(shape.kernel_h * shape.kernel_w, d.tm, d.tn, shape.depthwise).times(d.tr * d.tc)

    def pixel(self, kernel: int, tm: int, tn: int, depthwise: bool) -> Cost:
        key = (kernel, tm, tn, depthwise)
        if key not in self._pixel:
            self._pixel[key] = self._pixel_cost(*key)
        return self._pixel[key]

    def _pixel_cost(self, kernel: int, tm: int, tn: int, depthwise: bool) -> Cost:
        cfg = self.model.config
        rows = kernel * (tm if depthwise else tn)          # a depthwise tile is block-diagonal
        cols = tm * cfg.cells_per_weight
        row_parts, col_parts = _split(rows, cfg.rows), _split(cols, cfg.cols)
        activity, time_ns = Activity(), 0.0
        for r in row_parts:
            for c in col_parts:
                charge = self.model.mvm(r, c, self.input_bits)
                activity, time_ns = activity + charge.activity, max(time_ns, charge.time_ns)
        adds = self.model.digital("accumulator", tm * len(row_parts))   # row-split results + running sum
        activity, time_ns = activity + adds.activity, time_ns + adds.time_ns
        regions = len(row_parts) * len(col_parts)
        crossbars_per_tile = self.model.chip.tile.cores * self.model.chip.core.crossbars
        leak_mw = math.ceil(regions / crossbars_per_tile) * _tile_leakage_mw(self.model)
        energy_pj = sum(self.model.energy_pj(activity).values()) + leak_mw * time_ns
        return Cost(energy_pj * 1e-12, time_ns * 1e-9)

    def buffer_bytes(self, shape: LayerShape, d: Design) -> int:
        """The input tile (activations) and the output tile (partial sums), S' of them; no weights."""
        tri, tci = shape.input_tile(d.tr, d.tc)
        channels = d.tm if shape.depthwise else d.tn
        outputs = d.tr * d.tc * d.tm * (1 if d.order == "output" else d.batch)
        return tri * tci * channels * ACTIVATION_BYTES + outputs * PSUM_BYTES

    def preserved_kind(self, shape: LayerShape, d: Design) -> str:
        return "partial sums" if d.tn < shape.in_ch else "outputs"


def _split(n: int, size: int) -> list[int]:
    """`n` rows (or columns) cut into crossbar-sized parts."""
    return [size] * (n // size) + ([n % size] if n % size else [])


@lru_cache(maxsize=None)
def _tile_leakage_mw(model: CostModel) -> float:
    return sum(count * model.specs[name].leakage_mw for name, count in model.tile_counts().items())
