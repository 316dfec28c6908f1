"""The per-layer explorer and the crossbar platform (rnc.hw.intermittent)."""
import pytest

from rnc.hw.chip import load_chip
from rnc.hw.cost import CostModel
from rnc.hw.intermittent.crossbar import CrossbarPlatform
from rnc.hw.intermittent.explore import batch_choices, divisors, explore
from rnc.hw.intermittent.msp430 import Msp430Platform
from rnc.hw.intermittent.pmod import Design, LayerShape, cycle_terms, layer_cost
from rnc.hw.power import Capacitor, PowerModel, ResistiveHarvester

PARITY_SHAPE = LayerShape(out_h=28, out_w=28, out_ch=4, in_ch=3, kernel_h=5, kernel_w=5)


def _crossbar(farads=1e-3, ohms=52.0, chip="rnc-reference"):
    c = load_chip(chip)
    power = PowerModel(Capacitor(farads), ResistiveHarvester(ohms), vm_bytes=c.tile.buffer_bytes)
    return CrossbarPlatform(CostModel(c), power), power


def test_divisors_and_parity_rule():
    assert divisors(12) == [1, 2, 3, 4, 6, 12]
    assert divisors(12, even_only=True) == [1, 2, 4, 6, 12]
    assert batch_choices(PARITY_SHAPE, Design(4, 14, 4, 1, "output"), parity_inas=True) == [1]


def test_explorer_finds_the_parity_design_or_better():
    power = PowerModel(Capacitor(10e-3), ResistiveHarvester(22.0))
    found = explore(Msp430Platform(power, parity="inas"), power, PARITY_SHAPE, parity_inas=True)
    assert found.best.latency_s <= 49.82
    assert found.best.worst_energy_j <= power.usable_energy_j
    assert found.best.buffer_bytes <= power.vm_bytes


def test_explored_design_satisfies_every_constraint_and_beats_unaware():
    platform, power = _crossbar()
    shape = LayerShape(out_h=28, out_w=28, out_ch=72, in_ch=16)
    found = explore(platform, power, shape)
    best = found.best
    assert best.worst_energy_j <= power.usable_energy_j
    assert best.buffer_bytes <= power.vm_bytes
    assert best.latency_s <= found.unaware.latency_s
    assert best.latency_s > found.continuous_s          # intermittent power is never faster


def test_affine_batch_costs_match_direct_evaluation():
    platform, power = _crossbar()
    shape = LayerShape(out_h=14, out_w=14, out_ch=24, in_ch=16, kernel_h=3, kernel_w=3)
    found = explore(platform, power, shape)
    direct = layer_cost(platform, power, shape, found.best.design)
    assert direct.latency_s == pytest.approx(found.best.latency_s)


def test_crossbar_weights_are_never_fetched():
    platform, _ = _crossbar()
    shape = LayerShape(out_h=8, out_w=8, out_ch=16, in_ch=16, kernel_h=3, kernel_w=3)
    # input- and output-reuse cycles without partial sums differ only in what stays; weights cost nothing
    assert platform.read("weight", 1000).energy_j == 0
    terms = cycle_terms(platform, shape, Design(2, 2, 16, 16, "weight", 1))
    assert terms.fetch_min.energy_j > 0 and terms.preserve.energy_j > 0


def test_infeasible_when_even_the_smallest_cycle_exceeds_the_budget():
    platform, power = _crossbar(farads=1e-6, ohms=52.0)      # 0.3 uJ usable: less than a reboot
    found = explore(platform, power, LayerShape(out_h=4, out_w=4, out_ch=8, in_ch=8))
    assert not found.feasible
    assert found.min_cycle_energy_j > power.usable_energy_j


def test_depthwise_tiles_read_their_own_channels():
    platform, power = _crossbar(farads=5e-3, ohms=24.0)
    shape = LayerShape(out_h=14, out_w=14, out_ch=32, in_ch=1, kernel_h=3, kernel_w=3, depthwise=True)
    found = explore(platform, power, shape)
    assert found.feasible and found.best.design.tn == 1
