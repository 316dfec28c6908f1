"""Deep copies of IR: an op with its regions, operands remapped through a value map."""
from __future__ import annotations

from .core import Block, Operation, Region, Value


def clone_op(op: Operation, value_map: dict[int, Value] | None = None) -> Operation:
    """A deep copy of `op`; operands defined outside it are looked up in `value_map` (id -> value) or kept.

    Attributes are immutable and shared, so resource blobs (weights) are not copied.
    """
    vmap = {} if value_map is None else value_map
    operands = [vmap.get(id(v), v) for v in op.operands]
    new = type(op)(op.name, operands, op.result_types, dict(op.attributes), (), op.location, op.span,
                   [r.name_hint for r in op.results])
    for old_r, new_r in zip(op.results, new.results):
        vmap[id(old_r)] = new_r
    for region in op.regions:
        new_region = Region()
        for block in region.blocks:
            nb = Block([a.type for a in block.args], [a.name_hint for a in block.args])
            nb.label = block.label
            for a, b in zip(block.args, nb.args):
                vmap[id(a)] = b
            new_region.add_block(nb)
        for block, nb in zip(region.blocks, new_region.blocks):
            for inner in block.ops:
                nb.append(clone_op(inner, vmap))
        new.add_region(new_region)
    return new
