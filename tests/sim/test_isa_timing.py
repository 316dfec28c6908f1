"""rnc-native timing (docs/timing.md) on hand-written programs: exact figures."""
from __future__ import annotations

import pytest

from rnc.backends.isa import parse_isa
from rnc.sim.isa_sim import simulate
from rnc.sim.isa_sim.reference_model import ref_layers
from rnc.sim.reference_timing import closed_form_latency_ns

M = 152.77319048  # one MVM within a 128 x 128 crossbar, 8-bit inputs (timing.md section 2)
CYCLE = 2.0       # 500 MHz digital clock

HEAD = """isa 1
target ""
xbars 2 rows 128 cols 128
input %x [1,4] scale 1.0
tensor %y [1,4] scale 1.0
tensor %z [1,4] scale 1.0
output %z
weight @w0 [4,4] kind linear cycles 1 scale @w0.s
weight @w1 [4,4] kind linear cycles 1 scale @w1.s
program xb0[0:4,0:4] <- @w0[0:4,0:4]
program xb1[0:4,0:4] <- @w0[0:4,0:4]
program xb0[0:4,4:8] <- @w1[0:4,0:4]
program xb1[0:4,4:8] <- @w1[0:4,0:4]
"""


def program(body: str):
    return parse_isa(HEAD + body)


def test_one_layer():
    p = program("""stage 0 "L0" after input
  mvm xb0[0:4,0:4] %z.acc <- %x @w0[0:4,0:4] row copy 0 mvms 0+10
  requant %z <- %z.acc w=w0 elems 64
  send %z bytes 65
""")
    r = simulate(p)
    # 10 MVMs, then ceil(64 / 32 lanes) = 2 digital cycles, then ceil(65 / 32 bytes) = 3 bus cycles.
    assert r.latency_ns == pytest.approx(10 * M + 2 * CYCLE + 3 * CYCLE, abs=1e-9)
    assert r.xbar_busy["xb0"] == pytest.approx(10 * M / r.total_ns)
    assert r.xbar_busy["xb1"] == 0


TWO_LAYERS = """stage 0 "L0" after input
  mvm xb0[0:4,0:4] %y.acc <- %x @w0[0:4,0:4] row copy 0 mvms 0+100
  requant %y <- %y.acc w=w0 elems 32
  send %y bytes 32
stage 1 "L1" after 0
  mvm {xbar}[0:4,4:8] %z.acc <- %y @w1[0:4,0:4] row copy 0 mvms 0+50
  requant %z <- %z.acc w=w1 elems 32
  send %z bytes 32
"""


def test_two_layers_sharing_a_crossbar_pipeline_in_arrival_order():
    r = simulate(program(TWO_LAYERS.format(xbar="xb0")), samples=2)
    # Sample 0: L0 [0, 100M], then 1 digital and 1 bus cycle; sample 1's L0 asked for xb0 at t = 0, so it
    # runs first [100M, 200M]; sample 0's L1 waits for xb0 until 200M, then 50M + 2 cycles. Sample 1's L1
    # asks at 200M + 2 cycles and gets xb0 at 250M.
    assert r.latency_ns == pytest.approx(250 * M + 2 * CYCLE, abs=1e-9)
    assert r.total_ns == pytest.approx(300 * M + 2 * CYCLE, abs=1e-9)
    assert r.xbar_busy["xb0"] == pytest.approx(300 * M / r.total_ns)


def test_two_samples_pipelined_on_separate_crossbars():
    r = simulate(program(TWO_LAYERS.format(xbar="xb1")), samples=2)
    assert r.latency_ns == pytest.approx(150 * M + 4 * CYCLE, abs=1e-9)
    # Sample 1's L0 runs [100M, 200M] (+4 cycles), its L1 then 50M + 4 cycles.
    assert r.total_ns == pytest.approx(250 * M + 4 * CYCLE, abs=1e-9)
    assert r.throughput == pytest.approx(2 / r.total_ns * 1e9)
    assert r.per_layer_ns["0:L0"] == pytest.approx(100 * M + 2 * CYCLE)


def test_replicated_layer_shares_its_mvms():
    p = program("""stage 0 "L0" after input
  mvm xb0[0:4,0:4] %z.acc <- %x @w0[0:4,0:4] row copy 0 mvms 0+51
  mvm xb1[0:4,0:4] %z.acc <- %x @w0[0:4,0:4] row copy 1 mvms 51+50
  requant %z <- %z.acc w=w0 elems 0
""")
    r = simulate(p)
    assert r.latency_ns == pytest.approx(51 * M, abs=1e-9)
    layers = ref_layers(p)
    assert [t.cycles for copy in layers[0].copies for t in copy] == [101, 101]


def test_rnc_timing_model_matches_the_reference_closed_form():
    p = program(TWO_LAYERS.format(xbar="xb1"))
    expected = closed_form_latency_ns(ref_layers(p), 3)
    r = simulate(p, samples=3, timing_model="rnc")
    assert r.total_ns == pytest.approx(expected) == pytest.approx(150 * M + 2 * 100 * M)
    assert r.latency_ns == pytest.approx(150 * M)


def test_trace_has_one_track_per_resource():
    r = simulate(program(TWO_LAYERS.format(xbar="xb1")), samples=2, trace=True)
    names = {e["args"]["name"] for e in r.trace_events if e["ph"] == "M"}
    assert names == {"xb0", "xb1", "t0.digital", "bus"}   # tile 0 holds both crossbars
    assert sum(1 for e in r.trace_events if e["ph"] == "X") == 2 * 2 * 3


def test_mvm_on_an_unprogrammed_region_is_an_error():
    from rnc.sim.isa_sim import SimError
    p = program("""stage 0 "L0" after input
  mvm xb1[4:8,0:4] %z.acc <- %x @w0[0:4,0:4] row copy 0 mvms 0+1
  requant %z <- %z.acc w=w0 elems 0
""")
    with pytest.raises(SimError, match=r"mvm on xb1\[4:8,0:4\], which is not programmed with @w0"):
        simulate(p)
