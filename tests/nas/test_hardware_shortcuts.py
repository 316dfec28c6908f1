"""The hardware evaluation's shortcuts give exactly what the plain route gives: the fewest-crossbars placement
made once per network and then given each candidate's periphery, and native costs lowered without
calibration."""
import random

import pytest

from rnc.backends.isa import lower_program
from rnc.backends.isa.lower import calibration_inputs
from rnc.ir.printer import print_module
from rnc.nas.hardware import Costs, HardwareEvaluator, native_costs, place
from rnc.nas.spaces import make_space
from rnc.sim.isa_sim.energy import energy_result
from rnc.sim.isa_sim.timing import simulate_timing

SAMPLES = 2


def one_network(space, count: int, seed: int) -> list[tuple[int, ...]]:
    """`count` random candidates of one random network, each with its own peripheral genes."""
    rng = random.Random(seed)
    draw = lambda: tuple(rng.randint(0, hi) for hi in space.upper_bounds())   # noqa: E731
    n = space.network_genes_count
    network = draw()[:n]
    return [space.canonical(network + draw()[n:]) for _ in range(count)]


@pytest.mark.parametrize("xbars", [None, 20])   # the fewest crossbars; a budget the candidates miss
def test_reused_fewest_crossbars_placement_is_the_fresh_one(xbars):
    space = make_space("mbv3", True)
    hw = HardwareEvaluator(xbars, SAMPLES, 16, space=space, cost=True)
    for genes in one_network(space, 3, seed=5):
        placed, feasible = hw.placed(genes)
        assert feasible == (xbars is None)
        fresh = place(hw._partitioned(genes), None, hw.seed, hw.layer_peripherals(genes))
        assert print_module(placed) == print_module(fresh)


def test_native_costs_do_not_depend_on_the_calibration():
    space = make_space("mbv3", True)
    hw = HardwareEvaluator(211, SAMPLES, 16, space=space, cost=True)
    for genes in one_network(space, 2, seed=6):
        placed, _ = hw.placed(genes)
        program = lower_program(placed, calibration_inputs(placed, hw.seed, count=1))
        timing = simulate_timing(program, SAMPLES)
        assert native_costs(placed, SAMPLES, hw.seed) == Costs.of(timing, energy_result(program, timing))
