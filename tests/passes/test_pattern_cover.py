"""Tests of the pattern-model lower bound (pattern_cover): its DFFs, a hand-checked instance where it beats
the bounds of `bounds`, and soundness against packings found.

The mbv3_small proof (104 crossbars, issue #4) takes about 5 minutes on one core; it runs only with
RNC_SLOW_TESTS=1."""
from __future__ import annotations

import os
import random
from itertools import combinations_with_replacement

import numpy as np
import pytest

from rnc.passes.xbar_algorithms import PackItem, PackOptions, lower_bound, pack, packing_lower_bound
from rnc.passes.xbar_algorithms.pattern_cover import dff_table, packing_patterns, pattern_bound

SMALL = PackOptions(xbar_rows=10, xbar_cols=10)


def items_of(shapes):
    return [PackItem(index, 0, rows, cols) for index, (rows, cols) in enumerate(shapes)]


def test_every_dff_keeps_a_full_side_within_one():
    capacity = 10
    table = dff_table(np.arange(1, capacity + 1), capacity)
    for count in range(1, capacity + 1):
        for sizes in combinations_with_replacement(range(1, capacity + 1), count):
            if sum(sizes) <= capacity:
                assert (table[:, [size - 1 for size in sizes]].sum(axis=1) <= 1 + 1e-9).all(), sizes


def test_the_pattern_bound_proves_an_optimum_the_dff_bounds_miss():
    # 10x10 crossbar. The items wider than 5 stack: 8x7 shares with none of them, 6x7 only with 3x8, so
    # they need 3 crossbars. 8x4 shares with no item wider than 5 (rows or columns overflow), so a 4th.
    # Four suffice: {8x7}, {6x7, 3x8}, {5x8, 5x5}, {8x4}.
    items = items_of([(3, 8), (5, 8), (8, 7), (6, 7), (8, 4), (5, 5)])
    assert lower_bound(items, SMALL) == 3
    result = pattern_bound(items, SMALL)
    assert result.bound == 4
    assert result.lp == pytest.approx(3.5)
    assert pack(items, None, SMALL).xbars_used == 4


def test_the_pattern_bound_stops_at_the_target():
    # Untargeted, column generation converges (lp set) at 4. A target stops it early, unconverged (lp None):
    # as soon as the target is proven, or once the LP value shows it cannot be reached.
    items = items_of([(3, 8), (5, 8), (8, 7), (6, 7), (8, 4), (5, 5)])
    full = pattern_bound(items, SMALL)
    assert (full.bound, full.lp) == (4, pytest.approx(3.5))
    reached = pattern_bound(items, SMALL, target=3)
    assert (reached.bound, reached.lp, reached.rounds) == (3, None, 1)      # area proves 3 in round 1
    proven = pattern_bound(items, SMALL, target=4)
    assert (proven.bound, proven.lp) == (4, None) and proven.rounds < full.rounds
    unreachable = pattern_bound(items, SMALL, target=5)
    assert (unreachable.bound, unreachable.lp) == (3, None) and unreachable.rounds < full.rounds


@pytest.mark.parametrize("seed", range(6))
def test_the_pattern_bound_never_exceeds_a_packing(seed):
    rng = random.Random(seed)
    items = items_of([(rng.randint(2, 9), rng.randint(2, 9)) for _ in range(rng.randint(5, 10))])
    found = pack(items, None, SMALL).xbars_used
    assert lower_bound(items, SMALL) <= pattern_bound(items, SMALL).bound <= found


def test_packing_patterns_are_the_crossbars_of_real_packings():
    items = items_of([(3, 8), (5, 8), (8, 7), (6, 7), (8, 4), (5, 5), (2, 2), (4, 3)])
    patterns = packing_patterns(items, SMALL, packs=3, effort=1000)
    assert sum(len(contents) for contents in patterns) == 3 * len(items)   # every item once per packing
    assert all(sum(item.area for item in contents) <= 100 for contents in patterns)
    seeded = pattern_bound(items, SMALL, seeds=patterns)
    assert seeded.bound == pattern_bound(items, SMALL).bound == 4       # seeds speed it up, never change it


@pytest.mark.skipif(os.environ.get("RNC_SLOW_TESTS") != "1", reason="about 5 minutes; set RNC_SLOW_TESTS=1")
def test_mbv3_small_needs_104_crossbars():
    from rnc.passes.xbar_algorithms import depthwise_split, items_from_tiles, reference_layers
    from rnc.passes.xbar_algorithms.pack_types import split_full
    items = items_from_tiles([tile for matrix in reference_layers("mbv3_small")
                              for tile in depthwise_split(matrix, 1)])
    options = PackOptions()
    full, rest = split_full(items, options)
    found = pack(items, None, options)
    assert packing_lower_bound(items, options) == 103 and found.xbars_used == 104
    proof = pattern_bound(rest, options, target=found.xbars_used - len(full),
                          seeds=packing_patterns(rest, options))
    assert len(full) + proof.bound == 104
