"""`PeripheralConfig`: one crossbar and the circuits around it, the knobs that set the cost of a read.

A frozen dataclass, so a per-layer variant is `dataclasses.replace(config, adc_bits=6)`; every field is
checked on construction (finite, in range) and a bad one raises `FieldError` naming it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .checks import check_choice, check_fields
from .tech import check_node, feature_um

CELL_TYPES = ("1T1R", "0T1R")
ADC_TYPES = ("sar", "flash")
MAX_ARRAY_SIDE = 4096
MAX_ADC_BITS = 12       # NeuroSim's SAR and flash fits were made for up to 6-8 bits; 12 bounds extrapolation
# Cell footprint in F (width, height): NeuroSim `Param.cpp` (1T1R 12F x 4F, cross-point 0T1R 2F x 2F).
CELL_SIZE_F = {"1T1R": (12.0, 4.0), "0T1R": (2.0, 2.0)}
# Access transistor of a 1T1R cell, in series with the device: 0.25 R_on (NeuroSim IR_DROP_TOLERANCE).
ACCESS_RESISTANCE_RATIO = 0.25
# Fraction of rows whose input bit is 1 in a read: NeuroSim's validation runs drive half the rows.
ROW_ACTIVITY = 0.5


@dataclass(frozen=True)
class PeripheralConfig:
    """The periphery of one crossbar (NeuroSim `Param.cpp`'s knobs, MNSIM's [Crossbar]/[Interface]).

    Defaults are NeuroSim V1.4's Param.cpp (RRAM 1T1R, 128 x 128, flash ADC of 32 levels shared by 8
    columns, 1 GHz) at 32 nm, where its read voltage is 0.51 V; chip files set every field.
    """

    rows: int = 128
    cols: int = 128
    tech_node_nm: int = 32          # CMOS node of the periphery
    cell_type: str = "1T1R"         # 1T1R (access transistor) or 0T1R (cross-point)
    bits_per_cell: int = 1
    weight_bits: int = 8
    input_bits: int = 8
    dac_bits: int = 1               # input bits applied per read; inputs take ceil(input/dac) reads
    adc_type: str = "flash"         # "sar" or "flash" (NeuroSim's multi-level sense amplifier)
    adc_bits: int = 5
    cols_per_adc: int = 8           # columns time-multiplexed onto one ADC through a column mux
    read_voltage_v: float = 0.51
    r_on_ohm: float = 100e3
    r_off_ohm: float = 1.7e6
    clock_mhz: float = 1000.0       # digital periphery (input register, shift-add, output register)

    def __post_init__(self) -> None:
        check_fields(self, ints=dict(rows=(1, MAX_ARRAY_SIDE), cols=(1, MAX_ARRAY_SIDE), bits_per_cell=(1, 8),
                                     weight_bits=(1, 32), input_bits=(1, 32), dac_bits=(1, 8),
                                     adc_bits=(1, MAX_ADC_BITS)),
                     reals=dict(read_voltage_v=(0.0, 5.0), r_on_ohm=(0.0, 1e12), clock_mhz=(0.0, 1e5)),
                     positive=True)
        check_fields(self, ints=dict(cols_per_adc=(1, self.cols)), reals=dict(r_off_ohm=(self.r_on_ohm, 1e12)))
        object.__setattr__(self, "tech_node_nm", check_node("tech_node_nm", self.tech_node_nm))
        check_choice("cell_type", self.cell_type, CELL_TYPES)
        check_choice("adc_type", self.adc_type, ADC_TYPES)

    @property
    def cells_per_weight(self) -> int:
        """Columns one weight occupies: ceil(weight bits / bits per cell)."""
        return math.ceil(self.weight_bits / self.bits_per_cell)

    def input_passes(self, input_bits: int | None = None) -> int:
        """Reads of the crossbar per input vector: ceil(input bits / DAC bits) (bit-serial inputs)."""
        return math.ceil((self.input_bits if input_bits is None else input_bits) / self.dac_bits)

    @property
    def adcs(self) -> int:
        """ADCs of one crossbar: ceil(columns / columns per ADC)."""
        return math.ceil(self.cols / self.cols_per_adc)

    def conversions_in_series(self, cols: int) -> int:
        """Conversions the busiest ADC makes in one read of `cols` columns (the read's ADC time)."""
        return min(cols, self.cols_per_adc)

    @property
    def digital_period_ns(self) -> float:
        return 1e3 / self.clock_mhz

    @property
    def array_width_um(self) -> float:
        """Width of the cell array, where column circuits (ADCs, encoders) are laid out below it."""
        return self.cols * CELL_SIZE_F[self.cell_type][0] * feature_um(self.tech_node_nm)

    @property
    def column_ohm(self) -> float:
        """Resistance of a column in a full-height read, the R of NeuroSim's ADC power fits.

        Half the rows are driven (ROW_ACTIVITY) and the average cell conducts midway between its on and
        off conductance (weights spread evenly over the levels); a 1T1R cell adds its access transistor.
        """
        return 1 / (ROW_ACTIVITY * self.rows * self.mean_cell_siemens)

    @property
    def mean_cell_siemens(self) -> float:
        """Conductance of the average cell: midway between on and off, access transistor in series."""
        access = ACCESS_RESISTANCE_RATIO * self.r_on_ohm if self.cell_type == "1T1R" else 0.0
        return (1 / (self.r_on_ohm + access) + 1 / (self.r_off_ohm + access)) / 2

    @property
    def cell_area_um2(self) -> float:
        """Footprint of one cell (NeuroSim's cell size in F^2)."""
        width_f, height_f = CELL_SIZE_F[self.cell_type]
        return width_f * height_f * feature_um(self.tech_node_nm) ** 2
