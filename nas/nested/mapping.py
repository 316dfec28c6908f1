"""Level widths on the torch model: the knapsack's groups (read from the exported IR) matched to the torch
model's groups (read by tracing) through the weight layers, which both list in execution order."""
from __future__ import annotations

from torch import fx, nn

from rnc.nas.nested.channels import ChannelGroup
from rnc.passes.xbar_algorithms.nested import NestedSolution


def weight_layer_names(model: nn.Module) -> list[str]:
    """The model's conv and linear modules in execution order (as the ONNX export and the IR list them)."""
    traced = fx.symbolic_trace(model)
    modules = dict(traced.named_modules())
    return [n.target for n in traced.graph.nodes
            if n.op == "call_module" and isinstance(modules[n.target], (nn.Conv2d, nn.Linear))]


def torch_level_widths(model: nn.Module, groups: list[ChannelGroup], solution: NestedSolution) -> list[list[int]]:
    """Per level, the width of every torch group (fixed and unmatched groups at full width).

    Raises ValueError when the layers do not line up (a model whose export reorders or fuses layers).
    """
    names = weight_layer_names(model)
    network = solution.network
    if len(names) != len(network.layers):
        raise ValueError(f"the model has {len(names)} conv/linear layers but its export {len(network.layers)}")
    where = {(slot.name, slot.role): index for index, group in enumerate(groups) for slot in group.slots}
    match: dict[int, int] = {}                      # knapsack group -> torch group
    for name, layer in zip(names, network.layers):
        for ir_group, role in ((layer.out_group, "out"), (layer.in_group, "in")):
            t = where.get((name, role))
            if t is None or network.groups[ir_group].fixed:
                continue
            if groups[t].channels != network.groups[ir_group].channels or match.get(ir_group, t) != t:
                raise ValueError(f"layer {name}: its channel groups do not match the exported model's")
            match[ir_group] = t
    levels = []
    for level in solution.levels:
        widths = [g.channels for g in groups]
        for ir_group, t in match.items():
            widths[t] = level.choice.widths[ir_group]
        levels.append(widths)
    return levels


def parameter_fractions(solution: NestedSolution) -> list[float]:
    """Each level's crossbar weights (cells) as a fraction of the full model's: REDS's parameter fraction."""
    full = solution.network.choice(solution.network.full_widths).cells
    return [level.choice.cells / full for level in solution.levels]
