"""NeuroSim's ADC validation points and the SRAM sub-array they were measured on, so that the ADC models can
be compared with them (tests/hw/test_cost_adc.py, bench/energy.py).

Validation points: XPert's NeuroSim fork (github.com/Intelligent-Computing-Lab-Yale/XPert, XPertSim_Tool/
NeuroSIM), 32 nm LSTP, an SRAM 128 x 128 sub-array, 1 bit per cell, half the rows active (peripherals.md).
NeuroSim takes a level count L and uses log2(L) bits, and XPert passes L = 5 or 6 where it means bits: "SAR,
5" is a 2.32-bit SAR. NeuroSim's "ADC part" of a sub-array is the ADCs plus the SRAM bit-line precharger
(SubArray.cpp areaADC, readDynamicEnergyADC). An RRAM read path has no precharger, so rnc does not model
one; `adc_part` adds it back with NeuroSim's own Precharger.cpp formulas. The column resistance the ADC
senses is an SRAM term too: 64 active rows of access transistors in parallel, computed from NeuroSim's
transistor model, not fitted to the points.
"""
from __future__ import annotations

import math

from .adc import flash_adc, sar_adc

F_UM = 0.032
# (kind, levels L, columns per ADC m) -> (sub-array ADC part area um^2, energy per read pJ), peripherals.md
XPERT_POINTS = {
    ("flash", 6, 1): (9425, 10.35), ("flash", 6, 8): (1833, 22.24), ("flash", 32, 8): (9763, 32.97),
    ("sar", 5, 1): (20351, 33.12), ("sar", 5, 8): (2814, 45.01), ("sar", 32, 8): (4513, 72.66),
}
COLS = ROWS = 128
ACTIVE_ROWS = 64

# SRAM access transistor on-resistance, NeuroSim formula.cpp CalculateOnResistance: 1.77 (CACTI's effective
# resistance multiplier) x Vdd / (I_on x W), PTM 32 nm LP: Vdd 0.9 V, I_on 600.2 uA/um, W = F (Technology.cpp,
# Param.cpp widthAccessCMOS = 1). Column wire per cell: rho 3.70e-8 Ohm m, 56 nm wide, aspect ratio 1.8,
# 28F long (Param.cpp for wireWidth 56 nm and an SRAM cell 28F wide).
VDD_V = 0.9
R_ACCESS_OHM = 1.77 * VDD_V / (600.2 * F_UM * 1e-6)
R_WIRE_OHM = 3.70e-8 / (56e-9 ** 2 * 1.8) * 56e-9 * 28
SRAM_COLUMN_OHM = (R_ACCESS_OHM + R_WIRE_OHM) / ACTIVE_ROWS
SRAM_READ_VOLTAGE_V = 0.5          # XPert Param.cpp readVoltage
SRAM_ARRAY_WIDTH_UM = COLS * 28 * F_UM

# SRAM precharger (NeuroSim Precharger.cpp): one row of units 3 gates (84F) tall across the array;
# per mux step it charges both bit lines of every column, C_BL = rows x 10F (SRAM cell height) x 0.2 fF/um.
PRECHARGER_AREA_UM2 = 3 * 28 * F_UM * SRAM_ARRAY_WIDTH_UM
BITLINE_FF = ROWS * 10 * F_UM * 0.2
PRECHARGER_PJ_PER_STEP = 2 * COLS * BITLINE_FF * VDD_V ** 2 * 1e-3


def adc_model(kind: str, levels: int, m: int):
    adcs = COLS // m
    bits = math.log2(levels)
    if kind == "sar":
        return sar_adc(bits, 32, SRAM_COLUMN_OHM, SRAM_READ_VOLTAGE_V, adcs)
    return flash_adc(bits, 32, SRAM_COLUMN_OHM, SRAM_READ_VOLTAGE_V, adcs, SRAM_ARRAY_WIDTH_UM)




def adc_part(kind: str, levels: int, m: int) -> tuple[float, float]:
    """The model's (area um^2, energy per read pJ) of a sub-array's ADC part as NeuroSim counts it: the
    ADCs plus the precharger; every read converts all 128 columns, m at a time, the precharger running once
    per mux step."""
    figures = adc_model(kind, levels, m)
    return (figures.area_um2 + PRECHARGER_AREA_UM2,
            COLS * figures.energy_pj + m * PRECHARGER_PJ_PER_STEP)
