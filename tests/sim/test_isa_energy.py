"""Energy accounting of the native simulator (docs/timing.md section 1, "Energy") on hand-written programs."""
from __future__ import annotations

import math

import pytest

from rnc.backends.isa import parse_isa
from rnc.hw.chip import load_chip
from rnc.sim.isa_sim import simulate
from rnc.sim.isa_sim.chip_map import ChipMap

from test_isa_timing import HEAD, TWO_LAYERS   # the hand-checked timing cases' program (same folder)


def program(target: str = "", xbars: int = 2, xb1: str = "xb1"):
    """Two layers of 100 and 50 MVMs on 4 x 4 regions of crossbars 0 and `xb1`."""
    head = HEAD.replace('target ""', f'target "{target}"').replace("xbars 2", f"xbars {xbars}")
    return parse_isa(head.replace("xb1[", f"{xb1}[") + TWO_LAYERS.format(xbar=xb1))


def energy_pj(chip, name: str) -> float:
    """Energy of one operation, straight from the chip file: power / rate (mW / (1/ns) = pJ)."""
    spec = chip.components.get(name)
    return spec.energy_pj if spec else 0.0


def test_two_layers_by_hand_on_the_reference_chip():
    """rnc-reference (its chip file): 150 MVMs of 4 x 4 cells at 8 input bits through 1-bit DACs = 8 read
    passes each; per pass 16 cell reads, 4 DAC conversions, 4 ADC conversions, 4 shift-adds, 4 input- and 4
    output-register accesses; each MVM reads its 4-byte input from the buffer. Requant (activation) and the
    bus have no figures on this chip, so cost nothing. The one tile's buffer leaks 8.86342 mW all along."""
    r = simulate(program())
    chip = load_chip("rnc-reference")
    mvms, passes = 150, 8
    counts = {"array": mvms * passes * 16, "dac": mvms * passes * 4, "adc": mvms * passes * 4,
              "shift_add": mvms * passes * 4, "input_register": mvms * passes * 4,
              "output_register": mvms * passes * 4, "buffer": mvms * 4}
    dynamic = sum(n * energy_pj(chip, name) for name, n in counts.items())
    leakage = 8.86342 * r.total_ns       # MNSIM Buffer.py leakage of the 16 KB SRAM, one tile
    e = r.energy
    assert e.tiles == 1
    assert e.leakage_pj == pytest.approx(leakage, rel=1e-12)
    assert e.energy_per_inference_pj == pytest.approx(dynamic + leakage, rel=1e-12)
    assert e.component_pj["adc"] == pytest.approx(4800 * 2.0 / 0.128, rel=1e-12)   # 15.625 pJ a conversion
    assert sum(e.layer_pj.values()) == pytest.approx(dynamic, rel=1e-12)
    assert e.layer_pj["0:L0"] == pytest.approx(2 * e.layer_pj["1:L1"], rel=1e-12)   # 100 vs 50 MVMs
    ops = 2 * 150 * 16            # MACs: 4 rows x 4 weight columns (one cell a weight)
    assert e.tops_per_w == pytest.approx(ops / (dynamic + leakage), rel=1e-12)
    assert e.average_power_mw == pytest.approx((dynamic + leakage) / r.total_ns, rel=1e-12)
    assert e.peak_power_mw >= e.average_power_mw
    assert e.edap_pj_ns_mm2 == pytest.approx(e.energy_per_inference_pj * r.latency_ns * e.area_mm2, rel=1e-12)


def test_samples_share_the_leakage_and_repeat_the_dynamic_energy():
    one, many = simulate(program()), simulate(program(), samples=4)
    dynamic = one.energy.energy_per_inference_pj - one.energy.leakage_pj
    assert many.energy.energy_per_inference_pj - many.energy.leakage_pj == pytest.approx(dynamic, rel=1e-12)
    assert many.energy.leakage_pj == pytest.approx(8.86342 * many.total_ns / 4, rel=1e-12)


def test_isaac_tiles_and_network():
    """ISAAC: 96 crossbars a tile (12 IMAs x 8 arrays), 4 tiles a router. Placed in index order, crossbar 100
    is in tile 1 on the same router as tile 0: one hop; the send of L0 crosses it, L1's (the output) one hop
    too."""
    p = program('chip = \\"isaac\\"', xbars=101, xb1="xb100")
    chip = ChipMap(p, placement="index")
    assert (chip.xbars_per_tile, chip.tiles, chip.tile_of(95), chip.tile_of(100)) == (96, 2, 0, 1)
    assert chip.hops(0, 0) == 0 and chip.hops(0, 1) == 1 and chip.hops(0, 4) == 2   # a router holds tiles 0-3
    r = simulate(p, trace=True, placement="index")
    names = {e["args"]["name"] for e in r.trace_events if e["ph"] == "M"}
    assert names == {"xb0", "xb100", "t0.digital", "t1.digital", "t0.net", "t1.net"}
    send = chip.send(32, 1)
    assert send.ops == {"router": 256, "tile_output_register": 32}
    assert r.energy.component_pj["router"] == pytest.approx(2 * send.pj["router"], rel=1e-12)
    assert r.energy.tiles == 2 and math.isfinite(r.energy.edap_pj_ns_mm2)


def test_layer_placement_keeps_consecutive_layers_in_one_tile():
    """Placed by layers, L1's crossbar (100) joins L0's in tile 0: L0's send is a write to that tile's buffer
    (no router), only the output leaves the tile; the tiles charged for stay ceil(101 / 96) = 2."""
    p = program('chip = \\"isaac\\"', xbars=101, xb1="xb100")
    chip = ChipMap(p)
    assert (chip.tiles, chip.tile_of(0), chip.tile_of(100)) == (2, 0, 0)
    assert sorted(chip.tile_of(x) for x in range(101)).count(0) == 96      # tile 0 full, the rest in tile 1
    r, before = simulate(p), simulate(p, placement="index")
    assert r.energy.component_pj["router"] == pytest.approx(chip.send(32, 1).pj["router"], rel=1e-12)
    assert r.energy.component_pj["router"] == pytest.approx(before.energy.component_pj["router"] / 2, rel=1e-12)
    assert r.energy.tiles == before.energy.tiles == 2 and r.energy.area_mm2 == before.energy.area_mm2


def test_a_layer_on_two_tiles_sends_its_input_to_both():
    """L1 split over crossbars 0 (tile 0) and 100 (tile 1, index placement): L0's output goes to both tiles,
    a buffer write on its own and one hop to the other."""
    p = parse_isa(HEAD.replace('target ""', 'target "chip = \\"isaac\\""').replace("xbars 2", "xbars 101")
                  .replace("xb1[", "xb100[") + """stage 0 "L0" after input
  mvm xb0[0:4,0:4] %y.acc <- %x @w0[0:4,0:4] row copy 0 mvms 0+100
  requant %y <- %y.acc w=w0 elems 32
  send %y bytes 32
stage 1 "L1" after 0
  mvm xb0[0:4,4:8] %z.acc <- %y @w1[0:4,0:4] row copy 0 mvms 0+25
  mvm xb100[0:4,4:8] %z.acc <- %y @w1[0:4,0:4] row copy 1 mvms 25+25
  requant %z <- %z.acc w=w1 elems 32
  send %z bytes 32
""")
    chip = ChipMap(p, placement="index")
    send = chip.multicast(32, [0, 1])
    assert send.time_ns == chip.send(32, 1).time_ns
    assert send.ops == {"router": 256, "tile_output_register": 32, "buffer": 32, "tile_bus": 32}
