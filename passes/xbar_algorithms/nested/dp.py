"""An exact dynamic program for the width knapsack of a chain, without a solver.

Layers are taken in order; the state is the width of the group the chain has reached. Each state keeps its
Pareto labels (resources used, importance kept): a label is dropped when another one at the same state uses
no more of every resource and keeps at least as much. Resources only grow along the chain, so labels over
the limits are dropped at once. Exact for any number of resources; fast while the fronts stay small
(small networks, coarse granularity, or few resources), which is what it is for: checking the MILP.
"""
from __future__ import annotations

from rnc.passes.xbar_algorithms.nested.network import Limits, WidthChoice, WidthNetwork

Label = tuple[tuple[int, ...], float, tuple[int, ...]]   # (resources used, value, group widths so far)


def _pareto(labels: list[Label]) -> list[Label]:
    """The labels no other label dominates (ties keep the first)."""
    kept: list[Label] = []
    for label in sorted(labels, key=lambda l: (-l[1], l[0])):
        if not any(all(k <= u for k, u in zip(other[0], label[0])) for other in kept):
            kept.append(label)
    return kept


def solve_dp(network: WidthNetwork, limits: Limits, floors: tuple[int, ...] | None = None) -> WidthChoice | None:
    """The most valuable widths within `limits` for a chain network (see `WidthNetwork.is_chain`)."""
    if not network.is_chain:
        raise ValueError("the dynamic program needs a chain (each layer reading the previous layer's output); "
                         "use solve_milp")
    if not network.layers:
        return None
    active = limits.active()
    names = [name for name, _ in active]
    caps = [bound for _, bound in active]
    start = network.layers[0].in_group
    full = network.full_widths
    states: dict[int, list[Label]] = {}
    for w in network.widths(start):
        if floors is None or w >= floors[start]:
            widths = list(full)
            widths[start] = w
            states[w] = [(tuple(0 for _ in names), 0.0, tuple(widths))]
    for index, layer in enumerate(network.layers):
        grown: dict[int, list[Label]] = {}
        for arc in network.arcs(index, floors):
            for used, value, widths in states.get(arc.a, []):
                total = tuple(u + arc.resource(n) for u, n in zip(used, names))
                if any(t > c for t, c in zip(total, caps)):
                    continue
                new_widths = list(widths)
                new_widths[layer.out_group] = arc.b
                grown.setdefault(arc.b, []).append((total, value + arc.value, tuple(new_widths)))
        states = {w: _pareto(labels) for w, labels in grown.items()}
    best = max((label for labels in states.values() for label in labels), key=lambda l: l[1], default=None)
    return None if best is None else network.choice(best[2])
