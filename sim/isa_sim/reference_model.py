"""`--timing-model rnc`: an `isa.program` as the reference's RefLayers, timed by sim.reference_timing."""
from __future__ import annotations

from collections import defaultdict

from rnc.dialects.isa import ProgramOp
from rnc.sim.reference_timing import RefLayer, RefTile, simulate_reference, RefTimingResult

from .timing import mvm_ns, program_target


def ref_layers(program: ProgramOp) -> list[RefLayer]:
    """One RefLayer per weight stage: per copy, its tiles with their full cycles and crossbars.

    A tile's cycles are the sum of its copies' MVM counts (the reference divides by the copies itself);
    n_cap is the layer's columns for linear and its cycles otherwise (timing.md section 5).
    """
    target = program_target(program)
    layers = []
    for stage in program.stages:
        mvms = stage.mvms
        if not mvms:
            continue
        weight = program.weight(mvms[0].weight)
        layer_target = target.for_layer(weight.peripheral_overrides)
        full = defaultdict(int)
        for m in mvms:
            full[m.block] += m.count
        copies = defaultdict(list)
        for m in mvms:
            copies[m.copy].append(RefTile(full[m.block], mvm_ns(layer_target, m), m.xbar))
        n_cap = weight.cols if weight.kind == "linear" else weight.cycles
        layers.append(RefLayer(stage.label, tuple(tuple(copies[c]) for c in sorted(copies)), max(1, n_cap)))
    return layers


def simulate_rnc(program: ProgramOp, samples: int) -> RefTimingResult:
    return simulate_reference(ref_layers(program), samples)
