"""Channel groups of a partitioned module and the nested placement: verified levels, no weight writes."""
from __future__ import annotations

from pathlib import Path

import pytest

from rnc.ir.parser import parse_module
from rnc.ir.pass_manager import PassManager, parse_pipeline
from rnc.ir.diagnostics import DiagnosticError
from rnc.passes.xbar.nested_placement import level_module
from rnc.passes.xbar.width_groups import width_network
from rnc.passes.xbar_algorithms.nested import parse_budget, solve_levels
from rnc.passes.xbar_algorithms.nested.levels import Level
from rnc.passes.xbar_algorithms.nested.switching import gated_xbars, program, weight_writes
from rnc.passes.xbar_algorithms.pack_types import PackOptions

SMALL_NET = Path(__file__).parents[1] / "lit" / "passes" / "Inputs" / "small_net.rir"

RESIDUAL = """
"builtin.module"() ({
  "func.func"() ({
  ^bb0(%x: tensor<1x8x4x4xf32>):
    %w0 = "nn.constant"() {value = dense<0.5> : tensor<48x8x1x1xf32>} : () -> tensor<48x8x1x1xf32>
    %a = "nn.conv2d"(%x, %w0) : (tensor<1x8x4x4xf32>, tensor<48x8x1x1xf32>) -> tensor<1x48x4x4xf32>
    %r = "nn.relu"(%a) : (tensor<1x48x4x4xf32>) -> tensor<1x48x4x4xf32>
    %w1 = "nn.constant"() {value = dense<0.25> : tensor<48x48x3x3xf32>} : () -> tensor<48x48x3x3xf32>
    %b = "nn.conv2d"(%r, %w1) {pads = [1, 1, 1, 1]} : (tensor<1x48x4x4xf32>, tensor<48x48x3x3xf32>) -> tensor<1x48x4x4xf32>
    %s = "nn.add"(%a, %b) : (tensor<1x48x4x4xf32>, tensor<1x48x4x4xf32>) -> tensor<1x48x4x4xf32>
    %g = "nn.global_avg_pool"(%s) : (tensor<1x48x4x4xf32>) -> tensor<1x48x1x1xf32>
    %f = "nn.flatten"(%g) : (tensor<1x48x1x1xf32>) -> tensor<1x48xf32>
    %w2 = "nn.constant"() {value = dense<1.0> : tensor<10x48xf32>} : () -> tensor<10x48xf32>
    %y = "nn.linear"(%f, %w2) : (tensor<1x48xf32>, tensor<10x48xf32>) -> tensor<1x10xf32>
    "func.return"(%y) : (tensor<1x10xf32>) -> ()
  }) {function_type = (tensor<1x8x4x4xf32>) -> tensor<1x10xf32>, sym_name = "main"} : () -> ()
}) : () -> ()
"""

QUICK = PackOptions(effort=20_000)


def partitioned(text: str):
    module = parse_module(text)
    PassManager(parse_pipeline("tile-partition")).run(module)
    return module


def test_groups_of_a_chain_with_depthwise_and_flatten():
    network, layers = width_network(partitioned(SMALL_NET.read_text()))
    assert [(g.channels, g.fixed) for g in network.groups] == [(16, True), (200, False), (10, True)]
    assert [(l.kind, l.in_group, l.out_group, l.kernel_area, l.positions) for l in network.layers] == [
        ("conv", 0, 1, 9, 64), ("depthwise", 1, 1, 9, 16), ("linear", 1, 2, 1, 1)]
    assert len(layers) == 3 and network.is_chain


def test_a_residual_add_joins_the_groups_of_both_branches():
    network, _ = width_network(partitioned(RESIDUAL))
    assert [l.out_group for l in network.layers] == [1, 1, 2]
    milp = solve_levels(network, [parse_budget("macs=40%")], options=QUICK)
    dp = solve_levels(network, [parse_budget("macs=40%")], "dp", options=QUICK)   # x + conv(x) is a chain step
    assert milp.levels[0].choice.widths[1] == dp.levels[0].choice.widths[1] < 48


@pytest.fixture(scope="module")
def nested():
    module = partitioned(SMALL_NET.read_text())
    network, _ = width_network(module, granularity=16)
    return module, solve_levels(network, [parse_budget(b) for b in ("25%", "50%", "75%", "100%")], options=QUICK)


def test_every_level_verifies_on_a_prefix_of_the_crossbars(nested):
    module, solution = nested
    for k, level in enumerate(solution.levels):
        placed = level_module(module, solution, k)          # runs the xbar verifier
        tiles = [op for op in placed.walk() if op.name == "xbar.tile"]
        assert {op.xbar for op in tiles} <= set(range(level.xbars))


def test_switching_levels_writes_no_weight_and_gates_the_rest(nested):
    _, solution = nested
    top = len(solution.levels) - 1
    image = program(solution, top)
    assert [weight_writes(solution, k, image) for k in range(top + 1)] == [0] * (top + 1)
    assert [gated_xbars(solution, k) for k in range(top + 1)] == \
        [solution.levels[-1].xbars - l.xbars for l in solution.levels]
    # a chip programmed with the smallest level only must be written to grow
    small = program(solution, 0)
    assert weight_writes(solution, top, small) > 0


def test_a_tile_moved_onto_another_costs_writes_and_fails_the_verifier(nested):
    module, solution = nested
    image = program(solution, len(solution.levels) - 1)
    first: Level = solution.levels[0]
    (moved, _), (_, target) = list(first.placements.items())[:2]
    level = Level(**{**first.__dict__, "placements": {**first.placements, moved: target}})
    broken = type(solution)(solution.network, [level] + solution.levels[1:], solution.full_xbars)
    assert weight_writes(broken, 0, image) > 0
    with pytest.raises(DiagnosticError, match="overlaps"):
        level_module(module, broken, 0)
