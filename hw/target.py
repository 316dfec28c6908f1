"""The hardware target: everything the compiler, the simulators and the NAS know about the accelerator.

`Target` is plain data: crossbar geometry and budget, weight/cell/input bit widths, the MNSIM-style
peripheral parameters that set the reference-compatible MVM latency (`PeripheralParams`), the digital
throughput rnc's own timing model uses, and the chip (`chip`: a name in rnc/hw/targets or a chip file) whose
hierarchy, network and component figures the cost model and the native simulator read. The crossbar the
chip's cost model sees (`crossbar_config()`) derives from the Target: its size and bit widths are the
Target's, its other knobs the chip's unless overridden here (`cols_per_adc`, `adc_type`, ...). Every key, its default, unit and source is listed by `Target.parameters()` (and in
docs/hardware.md). The IR carries a target as `#rnc.target<...>` (rnc.dialects.rnc); files and options
become one through `rnc.hw.target_files`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from functools import cached_property, lru_cache

from rnc.hw.chip import Chip, load_chip
from rnc.hw.cost.checks import FieldError
from rnc.hw.cost.params import PeripheralConfig
from rnc.hw.parameters import (ParameterError, ParameterInfo, check_parameters, described, integers, of_kind,
                               parameter)
from rnc.hw.peripherals import MAX_BITS, MAX_CELL_BITS, PeripheralParams, pe_latency_ns
from rnc.hw.precision import ADC_MODELS, ADC_RANGES, WEIGHT_SIGNS, LayerPrecision

_TIMING_MD = "rnc's own timing model (docs/timing.md section 1)"
_CHIP = "the chip's [crossbar] (none: the chip's value)"
DEFAULT_CHIP = "rnc-reference"
# Crossbar knobs only the chip describes; a Target key of the same name overrides the chip's value.
CHIP_CROSSBAR_KEYS = ("tech_node_nm", "cell_type", "adc_type", "cols_per_adc", "read_voltage_v")
# Sanity limits (rnc's, like those in rnc.hw.peripherals): a budget far beyond any chip's crossbar count, and
# a lane or buffer width far beyond any digital unit's.
MAX_BUDGET = 1_000_000
MAX_WIDTH = 65536
# The peripheral keys a layer may set for itself (attributes of `xbar.layer`, `isa.weight` and the
# `[layer.N]` tables of `rnc compile --layer-config`): the same names as the Target keys they override.
LAYER_PERIPHERAL_KEYS = ("adc_type", "adc_bits", "cols_per_adc", "input_bits", "dac_bits", "cell_bits")


@dataclass(frozen=True)
class Target:
    """Everything the compiler and simulator know about the accelerator.

    Defaults reproduce the RNC reference: 128 x 128 crossbars, 8-bit weights with one weight per cell in the
    packing area, 8-bit inputs, MNSIM's ISAAC-like peripherals (152.77 ns per MVM).
    """

    budget: int | None = parameter(None, unit="crossbars", source="the user (--xbars, set-target budget)",
                                   doc="crossbars available; none = as many as the packing needs",
                                   allowed=integers(1, MAX_BUDGET))
    weight_bits: int = parameter(8, unit="bits", source="RNC reference (8-bit weights)", doc="bits per weight",
                                 allowed=integers(1, MAX_BITS))
    cell_bits: int = parameter(8, unit="bits", source="RNC reference (one weight per cell in the packing area)",
                               doc="bits one cell stores; a weight takes ceil(weight_bits / cell_bits) cells",
                               allowed=integers(1, MAX_CELL_BITS))
    weight_sign: str = parameter("offset", unit="-",
                                 source="ISAAC, ISCA 2016 sec. 5 (weights stored biased, the bias removed digitally)",
                                 doc='signed weights: "offset" (w + 2^(weight_bits-1), a digital correction) or '
                                     '"differential" (a column pair per cell slice)', allowed=of_kind(str))
    adc_model: str = parameter("ideal", unit="-", source="rnc (docs/precision.md): ideal keeps today's int8 figures",
                               doc='"ideal" (column sums exact) or "quantized" (adc_bits round and clip them)',
                               allowed=of_kind(str))
    adc_range: str = parameter("worst-case", unit="-",
                               source="rnc (docs/precision.md): worst-case keeps today's figures; calibrated as "
                                      "XPert (DAC 2023) and real designs set the ADC range from observed sums",
                               doc='a quantized ADC\'s full scale: "worst-case" (the tile\'s largest possible '
                                   'column sum) or "calibrated" (the largest the calibration inputs produce)',
                               allowed=of_kind(str))
    digital_lanes: int = parameter(32, unit="results/cycle", source=_TIMING_MD,
                                   doc="elementwise results each tile's digital unit produces per cycle",
                                   allowed=integers(1, MAX_WIDTH))
    chip: str = parameter(DEFAULT_CHIP, unit="-", source="rnc/hw/targets/*.toml (isaac, rnc-reference) or a file",
                          doc="the chip: tiles, network, component figures (docs/hardware.md)",
                          allowed=of_kind(str))
    tech_node_nm: int | None = parameter(None, unit="nm", source=_CHIP, doc="CMOS node of the periphery",
                                         allowed=of_kind(int))
    cell_type: str | None = parameter(None, unit="-", source=_CHIP, doc='"1T1R" or "0T1R"',
                                      allowed=of_kind(str))
    adc_type: str | None = parameter(None, unit="-", source=_CHIP, doc='"sar" or "flash"',
                                     allowed=of_kind(str))
    cols_per_adc: int | None = parameter(None, unit="columns", source=_CHIP,
                                         doc="columns time-multiplexed onto one ADC",
                                         allowed=of_kind(int))
    read_voltage_v: float | None = parameter(None, unit="V", source=_CHIP, doc="read voltage",
                                             allowed=of_kind(float))
    peripherals: PeripheralParams = field(default_factory=PeripheralParams)

    def __post_init__(self) -> None:
        check_parameters(self)
        if self.cell_bits > self.weight_bits:
            raise ParameterError("cell_bits", f"must be at most weight_bits {self.weight_bits}, got {self.cell_bits}")
        for key, choices in (("weight_sign", WEIGHT_SIGNS), ("adc_model", ADC_MODELS), ("adc_range", ADC_RANGES)):
            if getattr(self, key) not in choices:
                raise ParameterError(key, f"must be one of {', '.join(choices)}, got {getattr(self, key)!r}")
        if self.cols_per_weight > self.xbar_cols:
            raise ParameterError("cell_bits", f"gives {self.cols_per_weight} bit lines per weight, more than the "
                                              f"{self.xbar_cols} of a crossbar, got {self.cell_bits}")
        self.crossbar_config()   # the chip loads and the crossbar it derives is valid (ValueError otherwise)

    # ---- the chip ----------------------------------------------------------------------------------------
    def chip_model(self) -> Chip:
        """The chip this target names (loaded once per name or path)."""
        return _chip(self.chip)

    def crossbar_config(self) -> PeripheralConfig:
        """The crossbar the cost model charges: the chip's, with the Target's size, bit widths and overrides.

        One source per fact: rows, columns, ADC/DAC/input bits are PeripheralParams', weight and cell bits
        the Target's; the chip's own [crossbar] values are only where its component figures were measured.
        """
        p = self.peripherals
        values = dict(rows=p.xbar_rows, cols=p.xbar_cols, adc_bits=p.adc_bits, dac_bits=p.dac_bits,
                      input_bits=p.input_bits, weight_bits=self.weight_bits, bits_per_cell=self.cell_bits)
        chip = self.chip_model().crossbar
        values["cols_per_adc"] = min(chip.cols_per_adc, p.xbar_cols)   # a narrower array: one ADC for all columns
        values.update({k: getattr(self, k) for k in CHIP_CROSSBAR_KEYS if getattr(self, k) is not None})
        return _crossbar(chip, tuple(sorted(values.items())))

    # ---- one layer's periphery ---------------------------------------------------------------------------
    def for_layer(self, overrides: Mapping[str, Any]) -> "Target":
        """This target with a layer's peripheral `overrides` (keys of LAYER_PERIPHERAL_KEYS) applied.

        Raises ParameterError naming the key, the value and what is allowed (an unknown key, a value out of
        range, cell_bits above weight_bits, cols_per_adc above the crossbar's columns, an unknown ADC type).
        """
        if not overrides:
            return self
        for key in overrides:
            if key not in LAYER_PERIPHERAL_KEYS:
                raise ParameterError(key, f"is not a per-layer peripheral key (allowed: "
                                          f"{', '.join(LAYER_PERIPHERAL_KEYS)})")
        try:
            return _for_layer(self, tuple(sorted(overrides.items())))
        except ParameterError:
            raise
        except FieldError as e:   # the crossbar's own checks (cols_per_adc, adc_type)
            raise ParameterError(e.key, f"{e.allowed}, got {e.value!r}") from None

    def layer_config(self, overrides: Mapping[str, Any]) -> PeripheralConfig:
        """The crossbar a layer with peripheral `overrides` computes on: `crossbar_config()` with them applied
        (validated as `for_layer` does)."""
        return self.for_layer(overrides).crossbar_config()

    # ---- derived ---------------------------------------------------------------------------------------
    @property
    def xbar_rows(self) -> int:
        return self.peripherals.xbar_rows

    @property
    def xbar_cols(self) -> int:
        return self.peripherals.xbar_cols

    @property
    def input_bits(self) -> int:
        return self.peripherals.input_bits

    @property
    def cells_per_weight(self) -> int:
        """Cells of one weight's value: ceil(weight_bits / cell_bits)."""
        return self.precision.cells_per_weight

    @property
    def cols_per_weight(self) -> int:
        """Bit lines one weight occupies: its cells, twice for differential pairs."""
        return self.precision.cols_per_weight

    @property
    def weight_cols_per_xbar(self) -> int:
        """Matrix columns one crossbar holds (bit-sliced weights take several bit lines each)."""
        return self.xbar_cols // self.cols_per_weight

    @cached_property   # a frozen dataclass: computed once per Target
    def precision(self) -> LayerPrecision:
        """The arithmetic of this target's crossbars (docs/precision.md)."""
        p = self.peripherals
        return LayerPrecision(input_bits=p.input_bits, dac_bits=p.dac_bits, weight_bits=self.weight_bits,
                              cell_bits=self.cell_bits, adc_bits=p.adc_bits, adc_model=self.adc_model,
                              weight_sign=self.weight_sign)

    def layer_precision(self, overrides: Mapping[str, Any], adc_shifts: Sequence[int] = ()) -> LayerPrecision:
        """The arithmetic of a layer with peripheral `overrides` (validated as `for_layer` does) and its
        calibrated ADC shifts, one per input read (the `adc_shifts` attribute; empty: the worst case).
        ValueError when the shifts do not fit the layer's reads."""
        precision = self.for_layer(overrides).precision
        return replace(precision, adc_shifts=tuple(adc_shifts)) if adc_shifts else precision

    @property
    def calibrates_adc(self) -> bool:
        """True when the compile calibrates ADC ranges: adc_range "calibrated" with a quantized ADC (an ideal
        one converts every sum exactly, whatever its range)."""
        return self.adc_range == "calibrated" and self.adc_model == "quantized"

    @property
    def xbar_area(self) -> int:
        return self.xbar_rows * self.xbar_cols

    def mvm_ns(self, rows: int, cols: int) -> float:
        """Latency of one MVM reading `rows` x `cols` cells at the target's input bits (MNSIM's PE latency)."""
        return pe_latency_ns(self.peripherals, rows, cols, self.input_bits)

    # ---- flat key view, shared by the attribute syntax, TOML files and command-line options ---------------
    @staticmethod
    def parameters() -> list[ParameterInfo]:
        """Every settable key with its default, unit, source and meaning (own keys, then the peripherals')."""
        return described(Target) + described(PeripheralParams)

    @staticmethod
    def parameter(key: str) -> ParameterInfo:
        """The documented parameter `key` (KeyError for an unknown key)."""
        return {p.key: p for p in Target.parameters()}[key]

    @staticmethod
    def keys() -> dict[str, Any]:
        """Every settable key with its default."""
        return {p.key: p.default for p in Target.parameters()}

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "peripherals"}
        out.update(dataclasses.asdict(self.peripherals))
        return out

    def with_values(self, **values: Any) -> "Target":
        """A copy with some keys changed (ValueError on unknown keys or invalid values)."""
        own = {f.name for f in fields(Target)} - {"peripherals"}
        periph_keys = {f.name for f in fields(PeripheralParams)}
        unknown = sorted(set(values) - own - periph_keys)
        if unknown:
            raise ValueError(f"unknown target key '{unknown[0]}'; allowed: {', '.join(sorted(self.keys()))}")
        periph = {k: v for k, v in values.items() if k in periph_keys}
        return replace(self, peripherals=replace(self.peripherals, **periph),
                       **{k: v for k, v in values.items() if k in own})


@lru_cache(maxsize=None)
def _chip(name_or_path: str) -> Chip:
    return load_chip(name_or_path)


@lru_cache(maxsize=256)
def _for_layer(target: Target, overrides: tuple) -> Target:
    return target.with_values(**dict(overrides))


@lru_cache(maxsize=256)
def _crossbar(base: PeripheralConfig, values: tuple) -> PeripheralConfig:
    return replace(base, **dict(values))


DEFAULT_TARGET = Target()
"""The RNC reference's hardware: where code without a module's target (tables, benches) reads its defaults."""
