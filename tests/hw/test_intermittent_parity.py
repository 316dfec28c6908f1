"""The iNAS-PMod model against the iNAS cost model's single-layer point (shared/reference/intermittent.md).

Source of the expected figures: iNAS (EMCLab-Sinica/Intermittent-aware-NAS, `iNAS/CostModel`) run as
shipped on a 32x32x3 -> 28x28x4 conv, kernel 5, Tr/Tc/Tm/Tn = 4/14/4/1, output-reuse, S = 1, 10 mF, 22 Ohm:
E_pc 2.472 / 2.449 mJ (max/min), L_pc 0.5509 / 0.5485 s, 42 power cycles (14 with n = 0), recharge about
0.635 s, end-to-end 49.81 s; S = 3 fails atomicity (7.14 mJ > 3.03 mJ).
"""
import pytest

from rnc.hw.intermittent.msp430 import Msp430Platform
from rnc.hw.intermittent.pmod import Design, LayerShape, cycle_energies, layer_cost
from rnc.hw.power import Capacitor, PowerModel, ResistiveHarvester

SHAPE = LayerShape(out_h=28, out_w=28, out_ch=4, in_ch=3, kernel_h=5, kernel_w=5)
POWER = PowerModel(Capacitor(10e-3), ResistiveHarvester(22.0))
PLATFORM = Msp430Platform(POWER, parity="inas")
TOL = 0.005


def test_parity_point_per_cycle():
    _, lo, hi = cycle_energies(PLATFORM, SHAPE, Design(4, 14, 4, 1, "output", 1))
    assert hi.energy_j == pytest.approx(2.472e-3, rel=TOL)
    assert lo.energy_j == pytest.approx(2.449e-3, rel=TOL)
    assert hi.time_s == pytest.approx(0.5509, rel=TOL)
    assert lo.time_s == pytest.approx(0.5485, rel=TOL)


def test_parity_point_layer():
    cost = layer_cost(PLATFORM, POWER, SHAPE, Design(4, 14, 4, 1, "output", 1), parity_inas=True)
    assert (cost.cycles, cost.cycles_min, cost.cycles_max) == (42, 14, 28)
    assert cost.recharge_max_s == pytest.approx(0.635, rel=TOL)
    assert cost.latency_s == pytest.approx(49.81, rel=TOL)


def test_parity_batch_of_three_fails_atomicity():
    design = Design(4, 14, 4, 1, "output", 3)
    _, _, hi = cycle_energies(PLATFORM, SHAPE, design)
    assert hi.energy_j == pytest.approx(7.14e-3, rel=TOL)
    assert POWER.usable_energy_j == pytest.approx(3.03e-3, rel=TOL)
    assert layer_cost(PLATFORM, POWER, SHAPE, design, parity_inas=True) is None


def test_usable_energy_per_capacitor():
    # intermittent.md: about 0.30 / 1.51 / 3.03 mJ for 1 / 5 / 10 mF
    for farads, mj in ((1e-3, 0.30), (5e-3, 1.51), (10e-3, 3.03)):
        assert Capacitor(farads).usable_j * 1e3 == pytest.approx(mj, abs=0.006)


def test_without_parity_latencies_use_latency_constants():
    design = Design(4, 14, 4, 1, "output", 1)
    _, _, quirky = cycle_energies(PLATFORM, SHAPE, design)
    _, _, plain = cycle_energies(Msp430Platform(POWER), SHAPE, design)
    assert plain.energy_j == quirky.energy_j
    assert plain.time_s != quirky.time_s
