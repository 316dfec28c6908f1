"""One crossbar's read path: cell array, DACs, sample-and-holds, column muxes, and what a read pass does.

The chip file gives the figures of its own array, DAC and sample-and-hold; these functions move them to
another configuration. The column mux is derived (NeuroSim `Mux.cpp`), since published tables such as
ISAAC's leave it out.
"""
from __future__ import annotations

from .components import ComponentSpec
from .params import PeripheralConfig
from .tech import VDD_V, min_gate_area_um2, min_gate_cap_ff


def scale_dac(measured: ComponentSpec, measured_at: PeripheralConfig, config: PeripheralConfig) -> ComponentSpec:
    """A DAC moved to another node and resolution.

    MNSIM's DAC table (Hardware_Model/DAC.py, choices 1-6, ISAAC's 1-bit DAC at the bottom) doubles area
    and power per bit: 0.166 x 2^(b-1) um^2 and 3.9 x 2^(b-1) uW; a conversion takes (b + 2) samples.
    """
    per_bit = 2.0 ** (config.dac_bits - measured_at.dac_bits)
    time = (config.dac_bits + 2) / (measured_at.dac_bits + 2)
    node = measured.at_node(measured_at.tech_node_nm, config.tech_node_nm)
    return node.scaled(area=per_bit, energy=per_bit * time, time=time, leakage=per_bit)


def scale_array(measured: ComponentSpec, measured_at: PeripheralConfig, config: PeripheralConfig) -> ComponentSpec:
    """A cell array (area per array, energy per cell read) moved to another size, cell or device.

    Area follows the number of cells times the cell footprint; the energy of a cell read follows
    V_read^2 x G (the cell's mean conductance, as MNSIM's Device.py V^2/R). The devices do not leak.
    """
    area = (config.rows * config.cols * config.cell_area_um2) / (
        measured_at.rows * measured_at.cols * measured_at.cell_area_um2)
    energy = (config.read_voltage_v ** 2 * config.mean_cell_siemens) / (
        measured_at.read_voltage_v ** 2 * measured_at.mean_cell_siemens)
    return measured.scaled(area=area, energy=energy)


def column_mux(config: PeripheralConfig, conversions_per_ns: float) -> ComponentSpec:
    """The column mux in front of shared ADCs, per column (none when each column has its own ADC).

    Area: one minimum-size transmission gate per column (2 A_min; NeuroSim Mux.cpp sizes them from the
    column resistance, rnc takes the minimum). Energy per routed column, NeuroSim Mux.cpp CalculatePower:
    C_g Vdd^2 (the selected gate turns on) + 2 C_d V_read^2 (its two drains), with C_d taken equal to C_g.
    A column is routed once per m conversions of its ADC. The decoder (log2 m address bits, shared) and
    the mux delay are left out.
    """
    if config.cols_per_adc == 1:
        return ComponentSpec()
    node = config.tech_node_nm
    energy_fj = min_gate_cap_ff(node) * (VDD_V[node] ** 2 + 2 * config.read_voltage_v ** 2)
    return ComponentSpec(area_um2=2 * min_gate_area_um2(node), energy_pj=energy_fj * 1e-3,
                         ops_per_ns=conversions_per_ns / config.cols_per_adc)


# The components each crossbar has (the rest are a core's or a tile's, whatever its crossbars are).
CROSSBAR_COMPONENTS = ("array", "dac", "sample_hold", "column_mux", "adc")


def crossbar_counts(config: PeripheralConfig) -> dict[str, int]:
    """How many of each `CROSSBAR_COMPONENTS` one crossbar configured as `config` has: its array, a DAC per
    row, a sample-and-hold per column, a mux gate per column when columns share an ADC, its ADCs."""
    return {"array": 1, "dac": config.rows, "sample_hold": config.cols,
            "column_mux": config.cols if config.cols_per_adc > 1 else 0, "adc": config.adcs}


def pass_ops(config: PeripheralConfig, rows: int, cols: int) -> dict[str, int]:
    """Operations of one read pass over `rows` x `cols` cells (one input bit-slice on every row)."""
    return {"array": rows * cols, "dac": rows, "sample_hold": cols,
            "column_mux": cols if config.cols_per_adc > 1 else 0, "adc": cols, "shift_add": cols,
            "input_register": rows, "output_register": cols}
