"""A junction tree of the channel groups whose widths interact through layers.

Each layer couples the widths of its input and output groups. Eliminating groups one at a time (fewest
fill edges first) turns that interaction graph chordal; each elimination gives a clique (the group and its
remaining neighbours), whose parent is the clique of the first of those neighbours to go. Every layer's
groups lie together in the clique of whichever of them goes first, and neighbouring cliques share their
separator, so the cliques form a junction tree: marginals that agree on every separator come from one
joint choice. That is what makes the MILP over clique assignments tight (`milp`).

On mbv3_small the cliques are a squeeze-excite group with its expanded group, and an expanded group with
the two trunk groups its residual stage joins: at most three groups each. `clique_tables` lists each
clique's joint width choices with what its layers keep and cost.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from rnc.passes.xbar_algorithms.nested.network import WidthNetwork


@dataclass(frozen=True)
class Clique:
    """Groups decided together; `parent` (an index into the clique list, None at a root) shares
    `separator` with it; `layers` are the layers whose variable groups all lie here (they count here)."""

    groups: tuple[int, ...]
    parent: int | None
    separator: tuple[int, ...]
    layers: tuple[int, ...]


def _eliminate(neighbours: dict[int, set[int]], sizes: dict[int, int]) -> list[tuple[int, set[int]]]:
    """(group, its neighbours when eliminated) in min-fill order (ties: the smaller clique table, then the
    group index, so the order is deterministic)."""
    graph = {g: set(n) for g, n in neighbours.items()}
    steps = []
    while graph:
        def cost(g: int) -> tuple[int, int, int]:
            near = sorted(graph[g])
            fill = sum(1 for i, u in enumerate(near) for v in near[i + 1:] if v not in graph[u])
            table = sizes[g]
            for u in near:
                table *= sizes[u]
            return fill, table, g
        g = min(graph, key=cost)
        near = graph.pop(g)
        for u in near:
            graph[u] |= near - {u}
            graph[u].discard(g)
        steps.append((g, near))
    return steps


def junction_tree(scopes: list[tuple[int, ...]], sizes: dict[int, int]) -> list[Clique]:
    """The cliques over the groups in `sizes` (group -> number of widths), given each layer's `scopes`
    (its variable groups; an empty scope belongs to no clique)."""
    neighbours: dict[int, set[int]] = {g: set() for g in sizes}
    for scope in scopes:
        for u in scope:
            neighbours[u] |= set(scope) - {u}
    steps = _eliminate(neighbours, sizes)
    position = {g: i for i, (g, _) in enumerate(steps)}
    layers: list[list[int]] = [[] for _ in steps]
    for index, scope in enumerate(scopes):
        if scope:
            layers[min(position[g] for g in scope)].append(index)
    cliques = []
    for i, (g, near) in enumerate(steps):
        rest = tuple(sorted(near, key=position.get))
        parent = position[rest[0]] if rest else None
        cliques.append(Clique((g,) + rest, parent, rest, tuple(layers[i])))
    return cliques


@dataclass
class CliqueTables:
    """A network's width choice on its junction tree, for the MILP and the DP.

    `base` holds every group's width when it has a single admissible one (its smallest admissible width
    otherwise, overwritten by the cliques' choices). Per clique, `choices[c]` lists the joint widths of
    its groups, `value[c]` and `use[c]` (one column per resource) what each joint choice's layers keep
    and cost; `constant_value` and `constant_use` are the layers whose groups are all single-width.
    """

    cliques: list[Clique]
    base: list[int]
    choices: list[list[tuple[int, ...]]]
    value: list[np.ndarray]
    use: list[np.ndarray]
    constant_value: float
    constant_use: np.ndarray

    def widths(self, picks: list[int]) -> tuple[int, ...]:
        """Every group's width when clique c takes its choice `picks[c]`."""
        widths = list(self.base)
        for clique, table, pick in zip(self.cliques, self.choices, picks):
            for g, w in zip(clique.groups, table[pick]):
                widths[g] = w
        return tuple(widths)


def admissible_widths(network: WidthNetwork, floors: tuple[int, ...] | None) -> dict[int, tuple[int, ...]]:
    """The widths each group some layer touches may take: its grid, at least its floor."""
    used = sorted({g for layer in network.layers for g in (layer.in_group, layer.out_group)})
    return {g: tuple(w for w in network.widths(g) if floors is None or w >= floors[g]) for g in used}


def clique_tables(network: WidthNetwork, floors: tuple[int, ...] | None, resources: list[str],
                  activation: int | None = None) -> CliqueTables | None:
    """The junction tree of `network`'s groups with at least two admissible widths (at least `floors`),
    each clique's joint choices with their value and `resources`; a joint choice in which a layer holds
    more than `activation` elements is left out. None when nothing is admissible."""
    admissible = admissible_widths(network, floors)
    if any(not ws for ws in admissible.values()):
        return None
    base = list(network.full_widths)
    for g, ws in admissible.items():
        base[g] = ws[0]
    variable = {g: len(ws) for g, ws in admissible.items() if len(ws) > 1}
    scopes = [tuple(sorted({g for g in (l.in_group, l.out_group) if g in variable})) for l in network.layers]
    cliques = junction_tree(scopes, variable)

    def arcs_at(widths: list[int], layers) -> list:
        return [network.arc(i, widths[network.layers[i].in_group], widths[network.layers[i].out_group])
                for i in layers]

    def fits(widths: list[int], layers) -> bool:
        return activation is None or all(
            network.layers[i].activation(widths[network.layers[i].in_group], widths[network.layers[i].out_group])
            <= activation for i in layers)

    choices, values, uses = [], [], []
    for clique in cliques:
        table = list(itertools.product(*(admissible[g] for g in clique.groups)))
        value, use = [], []
        kept = []
        for joint in table:
            current = list(base)
            for g, w in zip(clique.groups, joint):
                current[g] = w
            if not fits(current, clique.layers):
                continue
            arcs = arcs_at(current, clique.layers)
            kept.append(joint)
            value.append(sum(a.value for a in arcs))
            use.append([sum(a.resource(r) for a in arcs) for r in resources])
        if not kept:
            return None
        table = kept
        choices.append(table)
        values.append(np.array(value, dtype=float))
        uses.append(np.array(use, dtype=np.int64).reshape(len(table), len(resources)))
    constant_layers = [i for i, scope in enumerate(scopes) if not scope]
    if not fits(base, constant_layers):
        return None
    constant = arcs_at(base, constant_layers)
    return CliqueTables(cliques, base, choices, values, uses, sum(a.value for a in constant),
                        np.array([sum(a.resource(r) for a in constant) for r in resources], dtype=np.int64))
