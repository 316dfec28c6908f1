"""Checking a packing: the rules every placement of tiles on crossbars must obey.

`packing_violations` lists what is wrong (an empty list means valid), so both tests and the IR verifier
can report every problem at once: each item placed exactly once, inside its crossbar, crossbar numbers
in range, no two items overlapping, and the constraints of `PackOptions` (conflict distance, tiles per
crossbar) respected.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions, Placement


def _overlap(a: PackItem, pa: Placement, b: PackItem, pb: Placement) -> bool:
    return (pa.row0 < pb.row0 + b.height and pb.row0 < pa.row0 + a.height
            and pa.col0 < pb.col0 + b.width and pb.col0 < pa.col0 + a.width)


def _crossbar_violations(xbar: int, members: list[tuple[PackItem, Placement]], options: PackOptions) -> list[str]:
    problems = []
    cap = options.tile_cap
    if cap is not None and len(members) > cap:
        problems.append(f"crossbar {xbar} holds {len(members)} tiles, more than {cap}")
    distance = options.conflict_distance
    for first in range(len(members)):
        a, pa = members[first]
        for second in range(first + 1, len(members)):
            b, pb = members[second]
            if _overlap(a, pa, b, pb):
                problems.append(f"items {a.id!r} and {b.id!r} overlap on crossbar {xbar}")
            if distance is not None and abs(a.layer - b.layer) <= distance:
                problems.append(f"items {a.id!r} (layer {a.layer}) and {b.id!r} (layer {b.layer}) share "
                                f"crossbar {xbar} within conflict distance {distance}")
    return problems


def packing_violations(items: Sequence[PackItem], placements: Mapping[Hashable, Placement],
                       options: PackOptions = PackOptions(), xbars_used: int | None = None) -> list[str]:
    """Everything that makes `placements` an invalid packing of `items`; [] when it is valid."""
    problems = []
    known = {item.id for item in items}
    problems += [f"item {key!r} is placed but not packed" for key in placements if key not in known]
    per_xbar: dict[int, list[tuple[PackItem, Placement]]] = defaultdict(list)
    for item in items:
        placement = placements.get(item.id)
        if placement is None:
            problems.append(f"item {item.id!r} is not placed")
            continue
        xbar, row, col = placement
        if xbar < 0 or (xbars_used is not None and xbar >= xbars_used):
            problems.append(f"item {item.id!r} is on crossbar {xbar}, outside 0..{xbars_used}")
        if row < 0 or col < 0 or row + item.height > options.xbar_rows or col + item.width > options.xbar_cols:
            problems.append(f"item {item.id!r} ({item.height}x{item.width} at row {row}, col {col}) leaves "
                            f"its {options.xbar_rows}x{options.xbar_cols} crossbar")
        per_xbar[xbar].append((item, Placement(xbar, row, col)))
    for xbar, members in sorted(per_xbar.items()):
        problems += _crossbar_violations(xbar, members, options)
    return problems
