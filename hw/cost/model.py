"""`CostModel`: a chip's costs, per instruction (time and activity) and rolled up (area, power, energy).

    model = CostModel(load_chip("isaac"))                      # or CostModel(chip, replace(chip.crossbar, ...))
    charge = model.mvm(rows=128, cols=64)                      # one MVM on a 128 x 64 region
    total = charge.activity + model.send(256, hops=2).activity
    report = model.report(total, time_ns=...)                  # energy by component, TOPS/W, ...

A simulator charges each instruction to the components it uses and adds the charges' activities; the
model turns activity into energy. Figures in the chip file hold at the chip's own crossbar
configuration; a different `PeripheralConfig` (say a layer with a 6-bit ADC) scales them (adc.py,
crossbar.py, tech.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .activity import Activity, Charge, EnergyReport
from .adc import scale_adc
from .checks import check_int
from .components import COMPONENT_OPS, ComponentSpec
from .crossbar import column_mux, crossbar_counts, pass_ops, scale_array, scale_dac
from .params import PeripheralConfig

if TYPE_CHECKING:
    from ..chip import Chip

DIGITAL_UNITS = {"activation": "activation_units", "pooling": "pooling_units", "accumulator": "accumulators"}
# MNSIM PE_latency: per read pass, one digital period to read the input register and one to shift-add;
# per MVM, one to write the input register and one to write the output register.
PERIODS_PER_PASS = 2
PERIODS_PER_MVM = 2


@dataclass(frozen=True)
class Rollup:
    """One component's share of a tile or chip: how many, their area and their power at full activity."""

    count: float
    area_mm2: float
    power_mw: float


class CostModel:
    """Costs of `chip` with its crossbars configured as `peripherals` (default: the chip's own)."""

    def __init__(self, chip: "Chip", peripherals: PeripheralConfig | None = None):
        self.chip = chip
        self.config = chip.crossbar if peripherals is None else peripherals
        self.specs = _scaled_specs(chip, self.config)

    # Per-instruction charges ---------------------------------------------------------------------
    def mvm(self, rows: int, cols: int, input_bits: int | None = None, cols_per_weight: int | None = None) -> Charge:
        """One matrix-vector product on `rows` x `cols` cells of one crossbar (bit-serial inputs); a weight
        takes `cols_per_weight` of the columns (default: its cells, ceil(weight_bits / bits_per_cell))."""
        cfg = self.config
        rows, cols = _count("rows", rows, cfg.rows), _count("cols", cols, cfg.cols)
        if input_bits is not None:
            input_bits = check_int("input_bits", input_bits, 1, 32)
        if rows == 0 or cols == 0:
            return Charge(0.0, Activity())
        passes = cfg.input_passes(input_bits)
        ops = {name: count * passes for name, count in pass_ops(cfg, rows, cols).items()}
        macs = rows * math.ceil(cols / (cols_per_weight or cfg.cells_per_weight))
        return Charge(passes * self.pass_ns(cols) + PERIODS_PER_MVM * cfg.digital_period_ns, Activity(ops, macs))

    def pass_ns(self, cols: int) -> float:
        """One read pass over `cols` columns: DACs, array, the busiest ADC's conversions, digital periphery."""
        s = self.specs
        adc_ns = self.config.conversions_in_series(cols) * s["adc"].latency_ns
        return (s["dac"].latency_ns + s["array"].latency_ns + adc_ns
                + PERIODS_PER_PASS * self.config.digital_period_ns)

    def digital(self, unit: str, elements: int) -> Charge:
        """`elements` operations on a tile's activation, pooling or accumulator units (all in parallel).

        A chip without such units (count 0 or no figures) does the operation for free, as the reference
        simulator does.
        """
        if unit not in DIGITAL_UNITS:
            raise ValueError(f"unknown digital unit {unit!r} (known: {', '.join(DIGITAL_UNITS)})")
        elements = _count("elements", elements)
        units, spec = getattr(self.chip.tile, DIGITAL_UNITS[unit]), self.specs[unit]
        if elements == 0 or units == 0 or spec.ops_per_ns == 0:
            return Charge(0.0, Activity())
        return Charge(math.ceil(elements / units) / spec.ops_per_ns, Activity({unit: elements}))

    def buffer_access(self, nbytes: int) -> Charge:
        """`nbytes` read from or written to the tile buffer, moved over the tile bus to or from a core."""
        nbytes = _count("nbytes", nbytes)
        spec, width_bytes = self.specs["buffer"], self.chip.tile.buffer_width_bits / 8
        time = math.ceil(nbytes / width_bytes) * width_bytes / spec.ops_per_ns if spec.ops_per_ns else 0.0
        return Charge(time, Activity({"buffer": nbytes, "tile_bus": nbytes}))

    def send(self, nbytes: int, hops: int) -> Charge:
        """`nbytes` from one tile to another `hops` routers away (a bus counts as one hop)."""
        nbytes, hops = _count("nbytes", nbytes), _count("hops", hops)
        if nbytes == 0 or hops == 0:
            return Charge(0.0, Activity())
        net = self.chip.network
        hops = 1 if net.topology == "bus" else hops
        bits = 8 * nbytes
        time = hops * net.hop_latency_ns + math.ceil(bits / net.width_bits) * net.cycle_ns
        return Charge(time, Activity({"router": bits * hops, "tile_output_register": nbytes}))

    def offchip(self, nbytes: int) -> Charge:
        """`nbytes` in or out of the chip over all its off-chip links."""
        nbytes = _count("nbytes", nbytes)
        rate = self.specs["offchip_link"].ops_per_ns * self.chip.offchip_links
        return Charge(8 * nbytes / rate if rate else 0.0, Activity({"offchip_link": 8 * nbytes}))

    # Roll-ups ---------------------------------------------------------------------------------------
    def tile_breakdown(self) -> dict[str, Rollup]:
        """Every component of one tile: count, area and power at full activity."""
        return {name: _rollup(count, self.specs[name]) for name, count in self.tile_counts().items()}

    def tile_counts(self) -> dict[str, float]:
        """How many of each component one tile has (a router shared by k tiles counts 1/k)."""
        core, tile = self.chip.core, self.chip.tile
        xbars = self.xbars_per_tile
        return {**{name: xbars * n for name, n in crossbar_counts(self.config).items()},
                "shift_add": tile.cores * core.shift_adders, "input_register": tile.cores,
                "output_register": tile.cores, "buffer": 1, "tile_bus": 1,
                "activation": tile.activation_units, "pooling": tile.pooling_units,
                "accumulator": tile.accumulators, "tile_output_register": 1,
                "router": 1 / self.chip.network.tiles_per_router}

    @property
    def xbars_per_tile(self) -> int:
        """Crossbars of one tile: cores per tile x crossbars per core."""
        return self.chip.tile.cores * self.chip.core.crossbars

    def chip_counts(self) -> dict[str, float]:
        """How many of each component the chip has."""
        counts = {name: n * self.chip.tiles for name, n in self.tile_counts().items()}
        counts["offchip_link"] = self.chip.offchip_links
        return counts

    @property
    def tile_area_mm2(self) -> float:
        return sum(r.area_mm2 for r in self.tile_breakdown().values())

    @property
    def tile_power_mw(self) -> float:
        return sum(r.power_mw for r in self.tile_breakdown().values())

    @property
    def chip_area_mm2(self) -> float:
        return sum(_rollup(n, self.specs[name]).area_mm2 for name, n in self.chip_counts().items())

    @property
    def chip_power_mw(self) -> float:
        return sum(_rollup(n, self.specs[name]).power_mw for name, n in self.chip_counts().items())

    @property
    def chip_leakage_mw(self) -> float:
        return sum(n * self.specs[name].leakage_mw for name, n in self.chip_counts().items())

    # Energy -----------------------------------------------------------------------------------------
    def energy_pj(self, activity: Activity) -> dict[str, float]:
        """Dynamic energy of `activity`, by component."""
        return {name: count * self.specs[name].energy_pj for name, count in activity.ops.items()}

    def report(self, activity: Activity, time_ns: float) -> EnergyReport:
        """Energy of `activity` over a run of `time_ns`, with the whole chip leaking all along."""
        time_ns = _count("time_ns", time_ns, integer=False)
        return EnergyReport(self.energy_pj(activity), self.chip_leakage_mw * time_ns, time_ns,
                            2 * activity.macs, self.chip_area_mm2)


def _scaled_specs(chip: "Chip", config: PeripheralConfig) -> dict[str, ComponentSpec]:
    """Every component's figures moved from the chip's own configuration to `config`."""
    at, given = chip.crossbar, chip.components
    specs = {name: given.get(name, ComponentSpec()) for name in COMPONENT_OPS}
    for name, spec in specs.items():
        if name in ("array", "dac", "adc", "offchip_link"):
            continue
        specs[name] = spec.at_node(at.tech_node_nm, config.tech_node_nm)
    specs["array"] = scale_array(specs["array"], at, config)
    specs["dac"] = scale_dac(specs["dac"], at, config)
    specs["adc"] = scale_adc(specs["adc"], at, config)
    specs["column_mux"] = column_mux(config, specs["adc"].ops_per_ns)
    return specs


def _rollup(count: float, spec: ComponentSpec) -> Rollup:
    return Rollup(count, count * spec.area_um2 * 1e-6, count * spec.peak_power_mw)


def _count(what: str, value: object, limit: float = math.inf, *, integer: bool = True) -> float:
    """A non-negative finite count (an int unless `integer` is False), at most `limit`."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or value > limit or (integer and value != int(value)):
        kind = "an integer" if integer else "a finite number"
        bound = f" <= {limit:g}" if math.isfinite(limit) else ""
        raise ValueError(f"{what} must be {kind} >= 0{bound}, got {value!r}")
    return int(value) if integer else float(value)
