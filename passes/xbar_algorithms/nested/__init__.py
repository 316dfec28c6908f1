"""Nested subnetworks on crossbars (REDS-style): pure algorithms, no IR.

- network: channel groups, weight layers, width choices and the arcs (input width, output width) of a layer
  with their crossbar tiles, cells, MACs and kept importance
- solve_milp / solve_dp: the width-level knapsack (HiGHS MILP; an exact label-setting DP for chains)
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
