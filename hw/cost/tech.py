"""CMOS technology nodes: supply voltage, minimum gate area and how costs scale between nodes.

The nodes are NeuroSim's planar low-power (LP/LSTP) nodes, 130 to 22 nm: there NeuroSim's gate-area
formula is exactly proportional to F^2 and it has fitted ADC coefficients (FinFET nodes below 22 nm
use a different layout model, so rnc stops at 22 nm).

Scaling rules (used for every CMOS component whose figures were measured at another node):
- area ~ F^2 (the layout of the same gates, NeuroSim `formula.cpp` CalculateGateArea);
- dynamic energy ~ C V^2 with C ~ F (gate capacitance per micron of width is roughly constant across
  these nodes: 1.5-2.8 fF/um in NeuroSim's PTM LP tables), so energy ~ F Vdd^2;
- leakage power ~ Vdd (as NeuroSim: leakage current x Vdd; the current per gate is taken constant).
"""
from __future__ import annotations

from .checks import check_choice

# Supply voltage of each LP node in V: NeuroSim `Technology.cpp` (PTM LP models, http://ptm.asu.edu/).
VDD_V = {130: 1.3, 90: 1.2, 65: 1.1, 45: 1.0, 32: 0.9, 22: 0.85}
NODES_NM = tuple(VDD_V)

# A minimum inverter of one transistor type is 28F tall (MAX_TRANSISTOR_HEIGHT) and 2*(1 + 2.8)F wide
# (POLY_WIDTH + MIN_GAP_BET_GATE_POLY per side): NeuroSim `constant.h`, `formula.cpp` CalculateGateArea.
# At 32 nm that is 0.218 um^2, the A_n = A_p of NeuroSim's ADC area formulas.
MIN_GATE_AREA_F2 = 28 * 7.6
STANDARD_CELL_HEIGHT_F = 28.0
# Gate plus fringe capacitance per micron of gate width, PTM 32 nm LP (capIdealGate 0.8375 + capFringe
# 0.6857 fF/um, NeuroSim `Technology.cpp`); taken constant across nodes (see the module docstring).
GATE_CAP_FF_PER_UM = 1.5232


def check_node(key: str, nm: object) -> int:
    """`nm` if it is a supported node."""
    return int(check_choice(key, nm, NODES_NM))


def feature_um(nm: int) -> float:
    """Feature size F in um."""
    return nm * 1e-3


def min_gate_area_um2(nm: int) -> float:
    """Area of a minimum-size single-type inverter at node `nm` (NeuroSim's A_n = A_p)."""
    return MIN_GATE_AREA_F2 * feature_um(nm) ** 2


def min_gate_cap_ff(nm: int) -> float:
    """Gate capacitance of a minimum NMOS (width 2F, NeuroSim MIN_NMOS_SIZE) at node `nm`."""
    return GATE_CAP_FF_PER_UM * 2 * feature_um(nm)


def area_scale(from_nm: int, to_nm: int) -> float:
    """Factor on an area measured at `from_nm` to get it at `to_nm`."""
    return (to_nm / from_nm) ** 2


def energy_scale(from_nm: int, to_nm: int) -> float:
    """Factor on a dynamic energy measured at `from_nm` to get it at `to_nm` (C V^2, C ~ F)."""
    return (to_nm / from_nm) * (VDD_V[to_nm] / VDD_V[from_nm]) ** 2


def leakage_scale(from_nm: int, to_nm: int) -> float:
    """Factor on a leakage power measured at `from_nm` to get it at `to_nm` (I_leak x Vdd)."""
    return VDD_V[to_nm] / VDD_V[from_nm]
