"""The width knapsack of nested subnetworks: MILP = DP, tiles from the real partitioner, nested levels."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnc.passes.xbar_algorithms.nested import (ChannelGroup, Limits, NestedBudgetError, WeightLayer, WidthNetwork,
                                               parse_budget, solve_dp, solve_levels, solve_milp)
from rnc.passes.xbar_algorithms.nested.budget import Budget
from rnc.passes.xbar_algorithms.nested.dp import ParetoFront
from rnc.passes.xbar_algorithms.nested.increments import increment_tiles
from rnc.passes.xbar_algorithms.nested.switching import program
from rnc.passes.xbar_algorithms.pack_types import PackOptions
from rnc.passes.xbar_algorithms.tiling import partition


def ds_cnn(channels: int = 64, blocks: int = 4, seed: int = 0, granularity: int = 8) -> WidthNetwork:
    """A DS-CNN-like chain: conv 3x3, `blocks` x (depthwise 3x3, pointwise), linear to 12 classes."""
    rng = np.random.default_rng(seed)

    def scores(n):
        return np.sort(rng.random(n))[::-1]

    groups = ([ChannelGroup("input", 1, fixed=True)] + [ChannelGroup(f"c{i}", channels) for i in range(blocks + 1)]
              + [ChannelGroup("classes", 12, fixed=True)])
    layers = [WeightLayer("conv0", "conv", 0, 1, 9, 125, scores(channels))]
    for i in range(blocks):
        layers.append(WeightLayer(f"dw{i}", "depthwise", 1 + i, 1 + i, 9, 125, scores(channels)))
        layers.append(WeightLayer(f"pw{i}", "conv", 1 + i, 2 + i, 1, 125, scores(channels)))
    layers.append(WeightLayer("fc", "linear", blocks + 1, blocks + 2, 1, 1, scores(12)))
    return WidthNetwork(groups, layers, granularity=granularity)


@st.composite
def chains(draw):
    """Small random chains with integer scores, so MILP and DP optima compare exactly."""
    n = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 3))] + [draw(st.integers(2, 24)) for _ in range(n)]
    groups = [ChannelGroup("g0", sizes[0], fixed=True)] + [ChannelGroup(f"g{i + 1}", s) for i, s in enumerate(sizes[1:])]
    layers, current = [], 0
    for i in range(n):
        if current > 0 and draw(st.booleans()):
            scores = np.array(draw(st.lists(st.integers(0, 9), min_size=sizes[current], max_size=sizes[current])))
            layers.append(WeightLayer(f"dw{i}", "depthwise", current, current, 9, 4, scores))
        scores = np.array(draw(st.lists(st.integers(0, 9), min_size=sizes[i + 1], max_size=sizes[i + 1])))
        kernel = draw(st.sampled_from([1, 9]))
        layers.append(WeightLayer(f"conv{i}", "conv", current, i + 1, kernel, draw(st.integers(1, 16)), scores))
        current = i + 1
    return WidthNetwork(groups, layers, granularity=draw(st.integers(1, 6)), xbar_rows=16, xbar_cols=8)


@settings(max_examples=40, deadline=None)
@given(network=chains(), fraction=st.floats(0.05, 1.0), resource=st.sampled_from(["cells", "tiles", "macs"]))
def test_milp_equals_dp_on_random_chains(network, fraction, resource):
    full = network.choice(network.full_widths)
    limits = Limits(**{resource: int(fraction * getattr(full, resource))})
    milp, dp = solve_milp(network, limits), solve_dp(network, limits)
    assert (milp is None) == (dp is None)
    if milp is not None:
        assert milp.value == pytest.approx(dp.value, abs=1e-6)
        assert getattr(milp, resource) <= limits.active()[0][1]
        assert getattr(dp, resource) <= limits.active()[0][1]


@st.composite
def residual_networks(draw):
    """Random chains with extra layers between earlier groups (shortcuts, squeeze-excite back edges)."""
    network = draw(chains())
    free = [i for i, g in enumerate(network.groups) if not g.fixed]
    extra = []
    for n in range(draw(st.integers(1, 3))):
        a, b = draw(st.sampled_from(free)), draw(st.sampled_from(free))
        scores = np.array(draw(st.lists(st.integers(0, 9), min_size=network.groups[b].channels,
                                        max_size=network.groups[b].channels)))
        extra.append(WeightLayer(f"extra{n}", "conv", a, b, 1, draw(st.integers(1, 8)), scores))
    return WidthNetwork(network.groups, network.layers + extra, granularity=network.granularity,
                        xbar_rows=network.xbar_rows, xbar_cols=network.xbar_cols)


@settings(max_examples=40, deadline=None)
@given(network=residual_networks(), fraction=st.floats(0.05, 1.0), floor=st.booleans(),
       peak=st.sampled_from([None, 0.5, 0.8]))
def test_milp_equals_dp_on_random_residual_networks(network, fraction, floor, peak):
    full = network.choice(network.full_widths)
    activation = None if peak is None else int(peak * network.peak_activation(network.full_widths))
    limits = Limits(cells=int(fraction * full.cells), macs=int((1.2 - fraction) * full.macs), activation=activation)
    floors = tuple(network.widths(g)[len(network.widths(g)) // 2] for g in range(len(network.groups))) if floor else None
    milp, dp = solve_milp(network, limits, floors), solve_dp(network, limits, floors)
    assert (milp is None) == (dp is None)
    if dp is not None:
        assert milp.value == pytest.approx(dp.value, abs=1e-6)
        assert dp.cells <= limits.cells and dp.macs <= limits.macs
        assert floors is None or all(w >= f for w, f in zip(dp.widths, floors))
        assert activation is None or network.peak_activation(dp.widths) <= activation


def test_one_pareto_front_answers_every_tighter_limit():
    network = ds_cnn(channels=96, granularity=16)
    full = network.choice(network.full_widths)
    front = ParetoFront(network, Limits(cells=full.cells // 2))
    for fraction in (0.1, 0.2, 0.3, 0.5):
        limits = Limits(cells=int(fraction * full.cells))
        assert front.best(limits).value == pytest.approx(solve_milp(network, limits).value)


def test_milp_equals_dp_on_ds_cnn_with_two_limits():
    network = ds_cnn()
    full = network.choice(network.full_widths)
    limits = Limits(cells=full.cells // 2, macs=full.macs // 3)
    milp, dp = solve_milp(network, limits), solve_dp(network, limits)
    assert milp.value == pytest.approx(dp.value)
    assert milp.cells <= limits.cells and milp.macs <= limits.macs


def test_arc_tiles_come_from_the_partitioner():
    network = ds_cnn(channels=200, granularity=16)
    for index, layer in enumerate(network.layers):
        for arc in network.arcs(index)[:20]:
            tiles = partition(layer.matrix(index, arc.a, arc.b), network.xbar_rows, network.xbar_cols)
            assert (arc.tiles, arc.cells) == (len(tiles), sum(t.area for t in tiles))


def test_widths_line_up_with_the_granularity():
    network = ds_cnn(channels=60, granularity=16)
    assert network.widths(1) == (16, 32, 48, 60)
    assert network.widths(0) == (1,)          # fixed input


def test_dp_equals_milp_on_a_residual_network():
    network = ds_cnn()
    shortcut = WeightLayer("shortcut", "conv", 1, 3, 1, 125, np.ones(64))
    gate = WeightLayer("gate", "conv", 4, 2, 1, 1, np.ones(64))      # squeeze-excite-like back edge
    network = WidthNetwork(network.groups, network.layers + [shortcut, gate])
    for cells in (3000, 5000, 9000):
        milp, dp = solve_milp(network, Limits(cells=cells)), solve_dp(network, Limits(cells=cells))
        assert milp.value == pytest.approx(dp.value) and dp.cells <= cells


def test_increments_cover_each_level_exactly_once():
    network = ds_cnn(channels=200, granularity=16)
    small = tuple(min(w, 48) if not g.fixed else w for w, g in zip(network.full_widths, network.groups))
    tiles = increment_tiles(network, None, small) + increment_tiles(network, small, network.full_widths)
    for index, layer in enumerate(network.layers):
        matrix = layer.matrix(index, *(network.full_widths[g] for g in (layer.in_group, layer.out_group)))
        cells = np.zeros((matrix.rows, matrix.cols), int)
        for t in tiles:
            if t.layer == index:
                assert t.height <= network.xbar_rows and t.width <= network.xbar_cols
                cells[t.row_begin:t.row_end, t.col_begin:t.col_end] += 1
        assert (cells == 1).all()


def test_levels_are_nested_and_within_budget():
    network = ds_cnn(channels=128, granularity=16)
    quick = PackOptions(effort=20_000)
    solution = solve_levels(network, [parse_budget(b) for b in ("100%", "25%", "75%", "50%")], options=quick)
    assert [l.budget.xbar_fraction for l in solution.levels] == [0.25, 0.5, 0.75, 1.0]
    program(solution, len(solution.levels) - 1)          # raises if two tiles share a cell
    previous = None
    for level in solution.levels:
        assert level.xbars <= level.xbar_budget
        assert all(p.xbar < level.xbars for p in level.placements.values())
        if previous is not None:
            assert all(w >= p for w, p in zip(level.choice.widths, previous.choice.widths))
            assert level.xbars >= previous.xbars
        previous = level
    assert solution.levels[-1].choice.value > solution.levels[0].choice.value


def test_levels_with_the_dp_match_the_milp():
    network = ds_cnn(channels=32, blocks=2)
    budgets = [parse_budget(b) for b in ("50%", "100%")]
    milp = solve_levels(network, budgets, "milp")
    dp = solve_levels(network, budgets, "dp")
    assert [l.choice.value for l in milp.levels] == pytest.approx([l.choice.value for l in dp.levels])


def test_mac_budget():
    network = ds_cnn()
    solution = solve_levels(network, [parse_budget("macs=30%"), parse_budget("macs=60%")])
    full = network.choice(network.full_widths).macs
    assert [l.choice.macs <= f * full for l, f in zip(solution.levels, (0.3, 0.6))] == [True, True]


def test_peak_activation_budget():
    network = ds_cnn()
    solution = solve_levels(network, [parse_budget("act=40%"), parse_budget("act=70%")])
    full = network.peak_activation(network.full_widths)
    assert [network.peak_activation(l.choice.widths) <= f * full for l, f in zip(solution.levels, (0.4, 0.7))] \
        == [True, True]
    with pytest.raises(NestedBudgetError, match=r"^budget act=1 is infeasible: .* holds \d+ activation elements"):
        solve_levels(network, [parse_budget("act=1")])


def test_infeasible_budget_is_one_line_with_the_bound():
    network = ds_cnn(channels=256, granularity=128)      # at least 4 full 128 x 128 pointwise tiles
    with pytest.raises(NestedBudgetError, match=r"^budget 1 is infeasible: .*needs at least \d+ crossbars, asked 1$"):
        solve_levels(network, [Budget(xbars=1)])


@pytest.mark.parametrize("text, budget", [
    ("60", Budget(xbars=60)), ("25%", Budget(xbar_fraction=0.25)), ("macs=1e6", Budget(macs=1_000_000)),
    ("50%+macs=40%", Budget(xbar_fraction=0.5, macs_fraction=0.4)),
    ("act=30%+macs=1000", Budget(activation_fraction=0.3, macs=1000))])
def test_parse_budget(text, budget):
    assert parse_budget(text) == budget


@pytest.mark.parametrize("text", ["0", "abc", "150%", "2.5"])
def test_parse_budget_errors(text):
    with pytest.raises(NestedBudgetError, match=repr(text)):
        parse_budget(text)


def _unit_dscnn(channels: int = 6, seed: int = 0) -> WidthNetwork:
    """A one-block DS-CNN with kernel scores, at unit granularity (REDS's formulation's shape)."""
    rng = np.random.default_rng(seed)
    groups = [ChannelGroup("in", 1, True), ChannelGroup("c0", channels), ChannelGroup("c1", channels),
              ChannelGroup("cls", 3, True)]
    layers = [WeightLayer("conv0", "conv", 0, 1, 9, 16, np.sort(rng.random(channels))[::-1], rng.random((channels, 1))),
              WeightLayer("dw0", "depthwise", 1, 1, 9, 16, np.sort(rng.random(channels))[::-1]),
              WeightLayer("pw0", "conv", 1, 2, 1, 16, np.sort(rng.random(channels))[::-1], rng.random((channels, channels))),
              WeightLayer("fc", "linear", 2, 3, 1, 1, rng.random(3), rng.random((3, channels)))]
    return WidthNetwork(groups, layers, granularity=1, max_choices=100)


def test_reds_unit_formulation_brackets_the_exact_width_knapsack():
    from rnc.passes.xbar_algorithms.nested.reds_units import solve_reds_units
    network = _unit_dscnn()
    full = network.choice(network.full_widths)
    budgets = [int(f * full.macs) for f in (0.3, 0.6, 1.0)]
    levels = solve_reds_units(network, budgets)
    first = solve_dp(network, Limits(macs=budgets[0]))
    # REDS keeps any x_in kernels of a filter (optimistic); what is deployed keeps prefixes
    assert levels[0].choice.value <= first.value + 1e-9 <= levels[0].optimistic + 1e-9
    for level, budget in zip(levels, budgets):
        assert level.choice.macs <= budget
    for small, large in zip(levels, levels[1:]):
        assert all(a <= b for a, b in zip(small.choice.widths, large.choice.widths))
    assert levels[-1].choice.value == pytest.approx(full.value) == pytest.approx(levels[-1].optimistic)
