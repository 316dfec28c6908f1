"""ADC cost: NeuroSim's SAR and flash (multi-level sense amplifier) models, and scaling a measured ADC.

NeuroSim's formulas (`SarADC.cpp`, `MultilevelSenseAmp.cpp`, `CurrentSenseAmp.cpp`, `MultilevelSAEncoder.cpp`,
DNN_NeuroSim V1.3/V1.4 and XPert's fork; LP/LSTP devices, 300 K) give area, conversion time and energy
per conversion from the bits n, the node and the column resistance R the ADC senses:

- SAR: area A_min[(269 + 109(n-1)) + (209 + 73(n-1))]; time (n+1) ns;
  energy (n+1) ns x [(a n + b) uW + c exp(-d log10 R')] with R' = R x 0.5 V / V_read.
- flash: L - 1 = 2^n - 1 comparators of 58 A_min each plus an encoder (L-1 gates tall) per ADC, laid out in
  rows under the array; time T = clamp(T_max(R'), 1, 10) ns; energy T x [k (L-1) uW + c' exp(-d log10 R')].

`bits` may be fractional: NeuroSim takes a level count L and uses log2(L) bits (XPert passes L = 5 or 6
where it means 5 or 6 bits, so its "5-bit" SAR is a 2.32-bit one).

A chip file gives its ADC's measured figures (ISAAC's 8-bit 1.28 GS/s SAR) at the chip's own
configuration; `scale_adc` moves them to other bits, ADC types, nodes or arrays by NeuroSim's ratios.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .components import ComponentSpec
from .params import PeripheralConfig
from .tech import STANDARD_CELL_HEIGHT_F, feature_um, min_gate_area_um2

# NeuroSim's power fits were made with V_read = 0.5 V; other read voltages rescale R (SarADC.cpp).
FIT_READ_VOLTAGE_V = 0.5

# SAR power per column: (a n + b) uW + c exp(-d log10 R) W, LP nodes (SarADC.cpp GetColumnPower).
SAR_POWER_FIT = {130: (8.4483, 65.243, 0.169380, 2.303), 90: (5.9869, 37.462, 0.144323, 2.303),
                 65: (3.7506, 25.844, 0.121272, 2.303), 45: (2.1691, 16.693, 0.100225, 2.303),
                 32: (1.1294, 8.8998, 0.079449, 2.297), 22: (0.538, 4.3753, 0.072341, 2.303)}
# SAR gate counts: (NMOS, PMOS) minimum gates = base + per_bit (n - 1) (SarADC.cpp CalculateUnitArea).
SAR_GATES_BASE = 269 + 209
SAR_GATES_PER_BIT = 109 + 73

# Flash (current-mode multi-level sense amp) power per column: k (L-1) uW + c' exp(-d log10 R) W, LP.
FLASH_POWER_FIT = {130: (18.09, 0.1380, 2.303), 90: (12.612, 0.1023, 2.303), 65: (8.4147, 0.0972, 2.303),
                   45: (6.3162, 0.075, 2.303), 32: (3.0875, 0.0649, 2.297), 22: (1.7, 0.0631, 2.303)}
# Column sensing time T_max = (p ln(R / 1 kOhm) + q) ns, LP (MultilevelSenseAmp.cpp GetColumnLatency);
# NeuroSim multiplies it by a polynomial in R_ref/R near 1 that rnc leaves out, then clamps to 1..10 ns.
# At 22 nm and below NeuroSim uses 1 ns.
FLASH_TIME_FIT = {130: (0.2679, 0.0478), 90: (0.0586, 1.41), 65: (0.1239, 0.6642), 45: (0.0714, 0.7651),
                  32: (0.0714, 0.7651)}
FLASH_TIME_RANGE_NS = (1.0, 10.0)
# One comparator: current sense amp 40 A_p + 9 A_n + 9 A_p (MultilevelSenseAmp.cpp). NeuroSim's source also
# writes 48 A_n for the sense amp, but multiplies an uninitialised variable (CurrentSenseAmp.cpp
# CalculateUnitArea uses hNmos*wNmos after filling hNmosS, wNmosS); the areas NeuroSim reports, which
# rnc is validated against, count 0 for it.
FLASH_COMPARATOR_GATES = 40 + 9 + 9
# Encoder widths in F for planar nodes (formula.cpp CalculateGateArea, no folding): an inverter 7.6F,
# an N-input NAND 3.8F (N + 1); the encoder is 2 inverters, a NAND2 and an (L // 2)-input NAND.
INVERTER_WIDTH_F = 7.6
NAND_WIDTH_F_PER_INPUT = 3.8


@dataclass(frozen=True)
class AdcFigures:
    """NeuroSim's figures for a group of identical ADCs under one array."""

    area_um2: float         # all ADCs of the group, with their layout
    energy_pj: float        # one conversion
    conversion_ns: float    # one conversion


def _column_power_exponent(column_ohm: float, read_voltage_v: float, c: float, d: float) -> float:
    """The R-dependent power term c exp(-d log10 R') in uW."""
    r = column_ohm * FIT_READ_VOLTAGE_V / read_voltage_v
    return c * math.exp(-d * math.log10(r)) * 1e6


def sar_adc(bits: float, node_nm: int, column_ohm: float, read_voltage_v: float, adcs: int) -> AdcFigures:
    """NeuroSim's SAR ADC: `adcs` converters of `bits` bits sensing columns of `column_ohm`."""
    a, b, c, d = SAR_POWER_FIT[node_nm]
    area = min_gate_area_um2(node_nm) * (SAR_GATES_BASE + SAR_GATES_PER_BIT * (bits - 1)) * adcs
    conversion_ns = bits + 1
    power_uw = a * bits + b + _column_power_exponent(column_ohm, read_voltage_v, c, d)
    return AdcFigures(area, power_uw * conversion_ns * 1e-3, conversion_ns)


def flash_conversion_ns(node_nm: int, column_ohm: float, read_voltage_v: float) -> float:
    """Column sensing time of NeuroSim's multi-level sense amplifier."""
    lo, hi = FLASH_TIME_RANGE_NS
    if node_nm not in FLASH_TIME_FIT:
        return lo
    p, q = FLASH_TIME_FIT[node_nm]
    r = column_ohm * FIT_READ_VOLTAGE_V / read_voltage_v
    return min(max(p * math.log(r / 1e3) + q, lo), hi)


def flash_encoder_area_um2(levels: float, node_nm: int, adcs: int, array_width_um: float) -> float:
    """NeuroSim's encoders: one per ADC, (L-1) gates tall, packed in rows as wide as the array."""
    f = feature_um(node_nm)
    nand_inputs = int(round(levels)) // 2
    width = (2 * INVERTER_WIDTH_F + NAND_WIDTH_F_PER_INPUT * 3 + NAND_WIDTH_F_PER_INPUT * (nand_inputs + 1)) * f
    per_row = min(adcs, math.ceil(array_width_um / width))
    rows = math.ceil(adcs / per_row)
    return rows * (levels - 1) * STANDARD_CELL_HEIGHT_F * f * max(array_width_um, width)


def flash_adc(bits: float, node_nm: int, column_ohm: float, read_voltage_v: float, adcs: int,
              array_width_um: float) -> AdcFigures:
    """NeuroSim's flash ADC (multi-level current sense amplifier plus encoder)."""
    levels = 2.0 ** bits
    k, c, d = FLASH_POWER_FIT[node_nm]
    comparators = (levels - 1) * FLASH_COMPARATOR_GATES * min_gate_area_um2(node_nm) * adcs
    area = comparators + flash_encoder_area_um2(levels, node_nm, adcs, array_width_um)
    conversion_ns = flash_conversion_ns(node_nm, column_ohm, read_voltage_v)
    power_uw = k * (levels - 1) + _column_power_exponent(column_ohm, read_voltage_v, c, d)
    return AdcFigures(area, power_uw * conversion_ns * 1e-3, conversion_ns)


def neurosim_adc(config: PeripheralConfig) -> AdcFigures:
    """NeuroSim's figures for the ADCs of one crossbar configured as `config`."""
    if config.adc_type == "sar":
        return sar_adc(config.adc_bits, config.tech_node_nm, config.column_ohm, config.read_voltage_v,
                       config.adcs)
    return flash_adc(config.adc_bits, config.tech_node_nm, config.column_ohm, config.read_voltage_v,
                     config.adcs, config.array_width_um)


def scale_adc(measured: ComponentSpec, measured_at: PeripheralConfig, config: PeripheralConfig) -> ComponentSpec:
    """A measured ADC (figures per ADC at `measured_at`) moved to `config` by NeuroSim's ratios.

    Area per ADC, energy per conversion and conversion time each change by the factor NeuroSim predicts
    between the two configurations; leakage follows area. Identity when nothing ADC-related changed.
    """
    ref, new = neurosim_adc(measured_at), neurosim_adc(config)
    area = (new.area_um2 / config.adcs) / (ref.area_um2 / measured_at.adcs)
    return measured.scaled(area=area, energy=new.energy_pj / ref.energy_pj,
                           time=new.conversion_ns / ref.conversion_ns, leakage=area)
