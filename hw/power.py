"""Harvested power: the capacitor that buffers it, the harvester that fills it, and what a reboot costs.

Plain data and formulas (no IR). A device on harvested energy runs in power cycles: the capacitor charges
to Von, the device boots and works until it has spent the usable energy, preserves its progress to
non-volatile memory and powers down; the harvester recharges the capacitor for the next cycle. The
formulas follow the iNAS cost model (Mendis et al., "Intermittent-aware neural architecture search",
ACM TECS 2021; `iNAS/CostModel/capacitor.py`), docs/intermittent.md explains them.

    model = PowerModel(Capacitor(1e-3), ResistiveHarvester(52.0))
    model.usable_energy_j                      # 0.30 mJ: 1/2 C (Von^2 - Voff^2) x margin
    model.recharge_s(energy_j=0.2e-3)          # the off time after a cycle that spent 0.2 mJ
"""
from __future__ import annotations

import bisect
import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .cost.checks import FieldError, check_real

# The MSP430FR5994 platform iNAS measured (iNAS/settings.py, iNAS/CostModel/plat_energy_costs.py).
INAS_VON_V = 2.99            # iNAS settings.py VON: the device boots at this voltage
INAS_VOFF_V = 2.8            # iNAS settings.py VOFF: the device browns out at this voltage
INAS_VSUP_V = 3.0            # iNAS settings.py VSUP: the harvester's open-circuit (supply) voltage
INAS_MARGIN = 0.55           # iNAS settings.py EAV_SAFE_MARGIN: share of the stored energy a cycle may spend
INAS_REBOOT_J = 77.88e-6     # iNAS plat_energy_costs.py E_RB (oscilloscope: 0.5 x 0.33 mF x (2.99^2 - 2.91^2))
INAS_REBOOT_S = 0.070        # iNAS plat_energy_costs.py L_RB (70 ms, oscilloscope)
INAS_VM_BYTES = 2048         # iNAS settings.py VM_CAPACITY (4096 - 2048 B of the FR5994's SRAM)
# The harvester resistance iNAS calibrated for its CIFAR runs, per capacitor (intermittent.md).
INAS_CIFAR_OHM = {1e-3: 52.0, 5e-3: 24.0, 10e-3: 22.0}


class PowerError(ValueError):
    """A power description that cannot be used: one line naming the file or option, key, value and range."""


@dataclass(frozen=True)
class Capacitor:
    """The energy buffer: capacitance, on/off thresholds and the share of its energy a cycle may spend."""

    farads: float
    von_v: float = INAS_VON_V
    voff_v: float = INAS_VOFF_V
    margin: float = INAS_MARGIN

    def __post_init__(self) -> None:
        check_real("farads", self.farads, 0.0, 100.0, lo_open=True)
        check_real("von_v", self.von_v, 0.0, 1000.0, lo_open=True)
        check_real("voff_v", self.voff_v, 0.0, 1000.0)
        check_real("margin", self.margin, 0.0, 1.0, lo_open=True)
        if self.voff_v >= self.von_v:
            raise FieldError("voff_v", self.voff_v, f"must be below von = {self.von_v:g} V")

    @property
    def stored_j(self) -> float:
        """Energy between Von and Voff: 1/2 C (Von^2 - Voff^2)."""
        return 0.5 * self.farads * (self.von_v ** 2 - self.voff_v ** 2)

    @property
    def usable_j(self) -> float:
        """What one power cycle may spend: the stored energy x the margin (iNAS's Eav)."""
        return self.stored_j * self.margin

    def voltage_after(self, energy_j: float, *, parity_inas: bool = False) -> float:
        """The voltage after a cycle that spent `energy_j`, starting from Von.

        With `parity_inas` it is iNAS's sqrt(2 (Eav - E) / C + Voff^2), which measures from the
        margin-reduced Eav instead of Von (a quirk of `cal_cap_recharge_time_custom`).
        """
        if parity_inas:
            return math.sqrt(2 * (self.usable_j - energy_j) / self.farads + self.voff_v ** 2)
        return math.sqrt(max(self.von_v ** 2 - 2 * energy_j / self.farads, 0.0))

    def refill_j(self, energy_j: float, *, parity_inas: bool = False) -> float:
        """Energy the harvester must put back to lift the capacitor from `voltage_after` to Von."""
        v = self.voltage_after(energy_j, parity_inas=parity_inas)
        return 0.5 * self.farads * (self.von_v ** 2 - v ** 2)


@dataclass(frozen=True)
class ResistiveHarvester:
    """A source of `supply_v` behind `ohms` (iNAS's calibrated model of its energy-harvesting unit)."""

    ohms: float
    supply_v: float = INAS_VSUP_V

    def __post_init__(self) -> None:
        check_real("ohms", self.ohms, 0.0, 1e9, lo_open=True)
        check_real("supply_v", self.supply_v, 0.0, 1000.0, lo_open=True)

    def recharge_s(self, cap: Capacitor, energy_j: float, start_s: float = 0.0, *,
                   parity_inas: bool = False) -> float:
        """RC charging from the post-cycle voltage V to Von: -R C ln((Von - Vsup) / (V - Vsup))."""
        if self.supply_v <= cap.von_v:
            raise FieldError("supply_v", self.supply_v, f"must exceed von = {cap.von_v:g} V to recharge")
        v = cap.voltage_after(energy_j, parity_inas=parity_inas)
        return -self.ohms * cap.farads * math.log((cap.von_v - self.supply_v) / (v - self.supply_v))

    def describe(self) -> str:
        return f"{self.ohms:g} Ohm from {self.supply_v:g} V"


@dataclass(frozen=True)
class ConstantHarvester:
    """A harvester delivering `watts` into the capacitor whatever its voltage."""

    watts: float

    def __post_init__(self) -> None:
        check_real("watts", self.watts, 0.0, 1e6, lo_open=True)

    def recharge_s(self, cap: Capacitor, energy_j: float, start_s: float = 0.0, *,
                   parity_inas: bool = False) -> float:
        return cap.refill_j(energy_j, parity_inas=parity_inas) / self.watts

    def describe(self) -> str:
        return f"{self.watts:g} W constant"


@dataclass(frozen=True)
class TraceHarvester:
    """Harvested power over time, piecewise constant between samples, repeated after the last one."""

    times_s: tuple[float, ...]
    watts: tuple[float, ...]
    source: str = "trace"
    _cumulative_j: tuple[float, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.times_s) < 2 or len(self.times_s) != len(self.watts):
            raise PowerError(f"{self.source}: a power trace needs at least two rows of time and power")
        cum = [0.0]
        for i in range(1, len(self.times_s)):
            step = self.times_s[i] - self.times_s[i - 1]
            if not step > 0:
                raise PowerError(f"{self.source}: row {i + 1}: time = {self.times_s[i]!r}: must increase")
            cum.append(cum[-1] + self.watts[i - 1] * step)
        if not cum[-1] > 0:
            raise PowerError(f"{self.source}: the trace harvests no energy (all power is 0)")
        object.__setattr__(self, "_cumulative_j", tuple(cum))

    @property
    def period_s(self) -> float:
        return self.times_s[-1] - self.times_s[0]

    @property
    def mean_watts(self) -> float:
        return self._cumulative_j[-1] / self.period_s

    def harvested_j(self, t_s: float) -> float:
        """Energy harvested from the trace's start up to `t_s` (the trace repeats)."""
        periods, rest = divmod(t_s, self.period_s)
        t = self.times_s[0] + rest
        i = max(bisect.bisect_right(self.times_s, t) - 1, 0)
        return periods * self._cumulative_j[-1] + self._cumulative_j[i] + self.watts[i] * (t - self.times_s[i])

    def time_of_energy(self, energy_j: float) -> float:
        """The first time at which `energy_j` has been harvested (the inverse of `harvested_j`)."""
        periods, rest = divmod(energy_j, self._cumulative_j[-1])
        i = min(bisect.bisect_right(self._cumulative_j, rest) - 1, len(self.times_s) - 2)
        while self.watts[i] == 0:          # a flat stretch of the cumulative curve: skip it
            i += 1
        t = self.times_s[i] + (rest - self._cumulative_j[i]) / self.watts[i]
        return periods * self.period_s + t - self.times_s[0]

    def recharge_s(self, cap: Capacitor, energy_j: float, start_s: float = 0.0, *,
                   parity_inas: bool = False) -> float:
        """Time from `start_s` until the trace has refilled what the cycle spent."""
        need = cap.refill_j(energy_j, parity_inas=parity_inas)
        return self.time_of_energy(self.harvested_j(start_s) + need) - start_s

    def describe(self) -> str:
        return f"trace {self.source} (mean {self.mean_watts:g} W over {self.period_s:g} s)"


Harvester = ResistiveHarvester | ConstantHarvester | TraceHarvester


@dataclass(frozen=True)
class NvmSpec:
    """Non-volatile memory that holds preserved progress: cost of a transfer of n bytes, and endurance.

    A transfer costs fixed + per_byte x n (energy in J, time in s), the linear fits iNAS measured.
    `endurance_writes` is how often one cell may be written (None: unlimited for the purpose).
    """

    name: str
    read_j: float
    read_j_per_byte: float
    read_s: float
    read_s_per_byte: float
    write_j: float
    write_j_per_byte: float
    write_s: float
    write_s_per_byte: float
    endurance_writes: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        for key in ("read_j", "read_j_per_byte", "read_s", "read_s_per_byte", "write_j", "write_j_per_byte",
                    "write_s", "write_s_per_byte"):
            check_real(key, getattr(self, key), 0.0, 1.0)
        if self.endurance_writes is not None:
            check_real("endurance_writes", self.endurance_writes, 1.0, 1e20)

    def read(self, nbytes: float) -> tuple[float, float]:
        """(energy J, time s) of one transfer of `nbytes` from NVM to the volatile buffer."""
        return self.read_j + self.read_j_per_byte * nbytes, self.read_s + self.read_s_per_byte * nbytes

    def write(self, nbytes: float) -> tuple[float, float]:
        """(energy J, time s) of one transfer of `nbytes` from the volatile buffer to NVM."""
        return self.write_j + self.write_j_per_byte * nbytes, self.write_s + self.write_s_per_byte * nbytes


_MSP430_HZ = 16e6   # MSP430FR5994 clock, iNAS plat_energy_costs.py CPU_CLOCK_MSP430
# The FR5994's DMA between SPI FRAM and SRAM, linear fits per 16-bit word (iNAS microbench_measurements.py
# PARAM_EN_* / PARAM_LAT_*), here per byte (half a word). FRAM endurance 1e15 writes (TI MSP430FR5994
# datasheet, SLASE54, "FRAM: 10^15 write cycles").
FRAM_MSP430 = NvmSpec(
    "fram", read_j=2.0e-7, read_j_per_byte=2.7e-8 / 2, read_s=424 / _MSP430_HZ,
    read_s_per_byte=64 / 2 / _MSP430_HZ, write_j=1.9336e-7, write_j_per_byte=2.6815e-8 / 2,
    write_s=422.22773129921234 / _MSP430_HZ, write_s_per_byte=64.00082974729904 / 2 / _MSP430_HZ,
    endurance_writes=1e15,
    source="iNAS microbench_measurements.py (MSP430FR5994 DMA, per 16-bit word / 2); TI SLASE54 endurance")


@dataclass(frozen=True)
class PowerModel:
    """Everything about the power supply an intermittent execution design must respect.

    `vm_bytes` is the volatile buffer that holds a job's data; `nvm` where progress is preserved.
    """

    capacitor: Capacitor
    harvester: Harvester
    reboot_j: float = INAS_REBOOT_J
    reboot_s: float = INAS_REBOOT_S
    vm_bytes: int = INAS_VM_BYTES
    nvm: NvmSpec = FRAM_MSP430

    def __post_init__(self) -> None:
        check_real("reboot_j", self.reboot_j, 0.0, 1.0)
        check_real("reboot_s", self.reboot_s, 0.0, 1e3)
        check_real("vm_bytes", self.vm_bytes, 1.0, 1e12)

    @property
    def usable_energy_j(self) -> float:
        return self.capacitor.usable_j

    def recharge_s(self, energy_j: float, start_s: float = 0.0, *, parity_inas: bool = False) -> float:
        """Off time after a power cycle that spent `energy_j` (begun at `start_s` for a trace)."""
        return self.harvester.recharge_s(self.capacitor, energy_j, start_s, parity_inas=parity_inas)


# --- Quantities as the command line spells them ("1mF", "22ohm", "5mW") ----------------------------------
_PREFIX = {"": 1.0, "p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6}


def parse_quantity(text: str, unit: str, option: str) -> float:
    """'1mF' -> 0.001 for unit 'F'; a bare number is in the base unit. PowerError names the option."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([pnuµmkM]?)\s*(" + unit + r")?\s*",
                     str(text), flags=re.IGNORECASE if unit.lower() == "ohm" else 0)
    if not m or not math.isfinite(float(m.group(1))):
        raise PowerError(f"{option} expects a number with an optional unit like 1m{unit}, got '{text}'")
    return float(m.group(1)) * _PREFIX[m.group(2)]


def load_power_trace(path: str | Path) -> TraceHarvester:
    """A CSV of `time_s,power_w` rows (a header row is allowed) as a harvester."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise PowerError(f"{path}: cannot read power trace ({e.__class__.__name__})") from None
    times, watts = [], []
    for n, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip():
            continue
        try:
            t, p = float(row[0]), float(row[1])
        except (ValueError, IndexError):
            if n == 1:
                continue          # a header
            raise PowerError(f"{path}: row {n}: expects time_s,power_w, got {','.join(row)!r}") from None
        for key, value in (("time_s", t), ("power_w", p)):
            if not math.isfinite(value) or value < 0:
                raise PowerError(f"{path}: row {n}: {key} = {value!r}: must be a finite number >= 0")
        times.append(t)
        watts.append(p)
    return TraceHarvester(tuple(times), tuple(watts), source=path.name)
