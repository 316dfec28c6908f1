"""Consistency checks of a Program before it runs: what every MVM reads must have been programmed there."""
from __future__ import annotations

from rnc.backends.isa.program import Mvm, Program

from .functional import SimError


def check_program(program: Program) -> None:
    """Raises SimError (one line) on a region outside its crossbar, overlapping programs, an MVM on a region
    not programmed with the weights it names, an undeclared tensor or a missing blob."""
    regions: dict[int, list] = {}
    weights = {w.blob: w for w in program.weights}
    for g in program.programs:
        r0, r1, c0, c1 = g.xregion
        if not (0 <= g.xbar < program.xbar_count and 0 <= r0 < r1 <= program.xbar_rows
                and 0 <= c0 < c1 <= program.xbar_cols):
            raise SimError(f"program xb{g.xbar}[{r0}:{r1},{c0}:{c1}] is outside the {program.xbar_count} crossbars "
                           f"of {program.xbar_rows}x{program.xbar_cols}")
        if g.blob not in weights:
            raise SimError(f"program xb{g.xbar}: unknown weight @{g.blob}")
        for s0, s1, d0, d1, _, _ in regions.get(g.xbar, []):
            if s0 < r1 and r0 < s1 and d0 < c1 and c0 < d1:
                raise SimError(f"program xb{g.xbar}[{r0}:{r1},{c0}:{c1}] overlaps [{s0}:{s1},{d0}:{d1}]")
        regions.setdefault(g.xbar, []).append((r0, r1, c0, c1, g.blob, g.wregion))
    tensors = {t.name for t in program.tensors} | {c.name for c in program.consts}
    for stage in program.stages:
        for d in stage.deps:
            if not 0 <= d < stage.index:
                raise SimError(f"stage {stage.index} depends on stage {d}, which does not come before it")
        for ins in stage.instrs:
            if isinstance(ins, Mvm):
                if (*ins.xregion, ins.blob, ins.wregion) not in regions.get(ins.xbar, []):
                    r = ins.xregion
                    raise SimError(f"stage {stage.index}: mvm on xb{ins.xbar}[{r[0]}:{r[1]},{r[2]}:{r[3]}], which is "
                                   f"not programmed with @{ins.blob}{list(ins.wregion)}")
                if ins.src not in tensors:
                    raise SimError(f"stage {stage.index}: mvm reads undeclared tensor {ins.src}")
    for name in program.outputs:
        if name not in tensors:
            raise SimError(f"output {name} is not declared")
