"""Nested subnetworks on crossbars (REDS-style): pure algorithms, no IR.

- network: channel groups, weight layers, width choices and the arcs (input width, output width) of a layer
  with their crossbar tiles, cells, MACs and kept importance
- junction_tree: the cliques of groups whose widths interact, with each clique's joint choices
- solve_dp / solve_milp: the width-level knapsack on that tree (an exact Pareto DP, the default; HiGHS MILP)
- reds_units: REDS's own unit-level MILP (MACs budgets), for parity
- energy: the crossbar energy per inference of each level (rnc's cost model)
- increments: the tiles a level adds to the previous one, cut on crossbar boundaries
- levels: budgets solved bottom-up, each level containing the previous, verified by the packer
"""
from rnc.passes.xbar_algorithms.nested.budget import Budget, NestedBudgetError, parse_budget
from rnc.passes.xbar_algorithms.nested.dp import solve_dp
from rnc.passes.xbar_algorithms.nested.levels import Level, NestedSolution, solve_levels
from rnc.passes.xbar_algorithms.nested.milp import solve_milp
from rnc.passes.xbar_algorithms.nested.network import (ChannelGroup, Limits, WeightLayer, WidthArc,
                                                       WidthChoice, WidthNetwork)

__all__ = ["Budget", "ChannelGroup", "Level", "Limits", "NestedBudgetError", "NestedSolution", "WeightLayer",
           "WidthArc", "WidthChoice", "WidthNetwork", "parse_budget", "solve_dp", "solve_levels", "solve_milp"]
