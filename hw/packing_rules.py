"""Rules for sharing a crossbar between layers, and the RNC reference's as the one named preset.

The reference tool packs several layers' tiles onto one crossbar but keeps layers next to each other in
execution order apart (conflict distance 1) and puts at most 6 tiles on a crossbar (the reference's
README.md, "constraints on"; docs/xbar.md). `REFERENCE_PACKING` states those numbers once; the pass
options (`place`, `replicate`), the compile options, the NAS and the packers' `REFERENCE_CONSTRAINTS` all
take their defaults from it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PackingRules:
    """How tiles may share a crossbar, and which packing strategy enforces it.

    `conflict_distance` d keeps tiles of layers whose positions in execution order differ by at most d off
    one crossbar (None: no rule); `max_tiles_per_xbar` caps the tiles on one crossbar (None or 0: no cap);
    `strategy` names the packer (rnc's `best`, or `rnc`, the reproduction of the reference's packer).
    """

    conflict_distance: int | None
    max_tiles_per_xbar: int | None
    strategy: str


REFERENCE_PACKING = PackingRules(conflict_distance=1, max_tiles_per_xbar=6, strategy="best")
"""The reference's two rules (distance 1, 6 tiles a crossbar), packed by rnc's best strategy."""
