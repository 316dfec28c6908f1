"""The MSP430FR5994 platform iNAS ships (Q15 data, LEA vector MACs, DMA to an SPI FRAM), as a `Platform`.

Every constant is iNAS's (`iNAS/CostModel/microbench_measurements.py`, `plat_energy_costs.py`): linear
fits of measured energy and clock cycles at 16 MHz, and per-transfer addressing overheads counted from
the compiled assembly as CPU adds and multiplies. With `parity="inas"` the platform keeps the shipped
model's quirk that the latencies of the partial-sum fetch and of the preservation overheads use the
*energy* constants (J where seconds are meant); otherwise they use the latency constants.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..power import PowerModel
from .pmod import Cost, Design, LayerShape

CLOCK_HZ = 16e6                            # plat_energy_costs.py CPU_CLOCK_MSP430
WORD_BYTES = 2                             # settings.py DATA_SZ (Q15)
ADD = Cost(3.935538461538471e-09, 12 / CLOCK_HZ)        # microbench PARAM_EN_ADD_ENERGY, PARAM_LAT_ADD_LATENCY
MUL = Cost(1.9253346153846146e-08, 44 / CLOCK_HZ)       # PARAM_EN_MULTIPLY_ENERGY, PARAM_LAT_MULTIPLY_LATENCY
VMAC_J = (5.27308646249e-10, 2.04412689725e-07)          # LEA vector MAC of length x: slope, intercept (J)
VMAC_CYCLES = (1.4999999999999978, 616.0000000000002)    # the same in clock cycles

# (adds, muls) of addressing per transfer, from plat_energy_costs.py ("according to asm"); a latency entry
# differs where iNAS's latency table counts differently from its energy table.
FETCH_OVERHEAD = {"input": (7, 5), "weight": (8, 9)}
FETCH_OVERHEAD_TIME = {"input": (7, 5), "weight": (8, 10)}
PSUM_FETCH_OVERHEAD = {"input": (7, 5), "weight": (7, 4), "output": (7, 4)}      # E/L_FD_O_RU*_OVHD
BACKUP_OVERHEAD = {"input": (9, 8), "weight": (11, 9), "output": (7, 5)}         # E/L_BD_O_RU*_OVHD
COMPUTE_OVERHEAD = (7 + 3, 5 + 3)          # E_OP_PSUM_OVHD + E_OP_ACUM_OVHD per vector MAC
COMPUTE_OVERHEAD_TIME = (7 + 3, 10 + 3)    # L_OP_PSUM_OVHD + L_OP_ACUM_OVHD


def _ops(adds: int, muls: int, *, energy_as_time: bool = False) -> Cost:
    """Cost of `adds` adds and `muls` multiplies; `energy_as_time` is iNAS's quirk (J used as seconds)."""
    e = adds * ADD.energy_j + muls * MUL.energy_j
    return Cost(e, e if energy_as_time else adds * ADD.time_s + muls * MUL.time_s)


@dataclass(frozen=True)
class Msp430Platform:
    """iNAS's MSP430FR5994 costs; DMA costs come from `power.nvm` (the FRAM), reboot from `power`."""

    power: PowerModel
    parity: str | None = None            # "inas": the shipped model's quirks

    @property
    def parity_inas(self) -> bool:
        return self.parity == "inas"

    def reboot(self) -> Cost:
        return Cost(self.power.reboot_j, self.power.reboot_s)

    def read(self, kind: str, elements: int) -> Cost:
        return Cost(*self.power.nvm.read(elements * WORD_BYTES))

    def write(self, kind: str, elements: int, order: str) -> Cost:
        if kind == "index":
            return Cost(*self.power.nvm.write(elements * WORD_BYTES))
        return Cost(*self.power.nvm.write(elements * WORD_BYTES)) + _ops(
            *BACKUP_OVERHEAD[order], energy_as_time=self.parity_inas)

    def fetch_overhead(self, kind: str, order: str) -> Cost:
        if kind == "psum":
            return _ops(*PSUM_FETCH_OVERHEAD[order], energy_as_time=self.parity_inas)
        e = _ops(*FETCH_OVERHEAD[kind])
        return Cost(e.energy_j, _ops(*FETCH_OVERHEAD_TIME[kind]).time_s)

    def compute(self, shape: LayerShape, d: Design) -> Cost:
        """One tile: Kh Kw Tr Tc Tm vector MACs of length Tn, each with an add and its addressing."""
        vmacs = shape.kernel_h * shape.kernel_w * d.tr * d.tc * d.tm
        vmac = Cost(VMAC_J[0] * d.tn + VMAC_J[1], (VMAC_CYCLES[0] * d.tn + VMAC_CYCLES[1]) / CLOCK_HZ)
        overhead = Cost(_ops(*COMPUTE_OVERHEAD).energy_j, _ops(*COMPUTE_OVERHEAD_TIME).time_s)
        return (vmac + ADD + overhead).times(vmacs)

    def buffer_bytes(self, shape: LayerShape, d: Design) -> int:
        """(Tri Tci Tn + Kh Kw Tm Tn + Tr Tc Tm S') words, S' = S unless the output tile stays."""
        tri, tci = shape.input_tile(d.tr, d.tc)
        outputs = d.tr * d.tc * d.tm * (1 if d.order == "output" else d.batch)
        return (tri * tci * d.tn + shape.kernel_h * shape.kernel_w * d.tm * d.tn + outputs) * WORD_BYTES

    def element_bytes(self, kind: str) -> int:
        return WORD_BYTES

    def preserved_kind(self, shape: LayerShape, d: Design) -> str:
        return "partial sums" if d.tn < shape.in_ch else "outputs"
