"""Crossbar energy per inference of each nested level, from rnc's cost model (rnc.hw.cost).

A level runs the tiles of every level up to it. Each tile makes `cycles` MVMs per sample on its whole
footprint (height x width x cells per weight), each reading its input vector from the tile buffer: the
charges `sim/isa_sim/chip_map.ChipMap.mvm` makes in a timing run. Summed over the level's tiles this is
the dynamic energy of the level's crossbar work (arrays, DACs, ADCs, shift-add, registers, buffer
reads); the digital units and the network, which scale with the same widths, are left out, and so is the
leakage of the gated crossbars, which is what gating saves.
"""
from __future__ import annotations

from rnc.hw.cost.model import CostModel
from rnc.hw.target import Target
from rnc.passes.xbar_algorithms.nested.levels import NestedSolution


def level_mvm_energy_pj(solution: NestedSolution, target: Target) -> list[float]:
    """Per level (smallest first), the dynamic crossbar energy of one inference in picojoules."""
    model = CostModel(target.chip_model(), target.crossbar_config())
    cells = target.cells_per_weight
    per_level, total = [], 0.0
    for level in solution.levels:
        for tile in level.tiles:
            charge = model.mvm(tile.height, tile.width * cells).activity + model.buffer_access(tile.height).activity
            total += sum(model.energy_pj(charge).values()) * tile.cycles
        per_level.append(total)
    return per_level
