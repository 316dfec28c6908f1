"""Per-instruction charges, energy reports and their metrics, on the built-in chips."""
import math

import pytest

from rnc.hw.chip import load_chip
from rnc.hw.cost import Activity, CostModel
from rnc.hw.cost.components import ComponentSpec

# MNSIM's PE latency of any read within one 128 x 128 crossbar at 8 input bits, as the RNC reference runs
# it (reference notes, timing.md section 2): 18.59664881 x 8 + 2 + 2 ns.
MNSIM_PE_LATENCY_NS = 152.77319048


@pytest.fixture(scope="module")
def reference() -> CostModel:
    return CostModel(load_chip("rnc-reference"))


@pytest.fixture(scope="module")
def isaac() -> CostModel:
    return CostModel(load_chip("isaac"))


@pytest.mark.parametrize(("rows", "cols"), [(1, 1), (27, 16), (128, 128), (72, 18)])
def test_reference_mvm_time_is_mnsims_pe_latency(reference, rows, cols):
    assert reference.mvm(rows, cols).time_ns == pytest.approx(MNSIM_PE_LATENCY_NS, rel=1e-9)


def test_reference_mvm_at_other_input_widths(reference):
    # timing.md section 2, "Others": p = 1 -> 22.596649 ns, p = 4 -> 78.386595 ns.
    assert reference.mvm(128, 128, input_bits=1).time_ns == pytest.approx(22.596649, rel=1e-7)
    assert reference.mvm(1, 1, input_bits=4).time_ns == pytest.approx(78.386595, rel=1e-7)


def test_mvm_counts_every_component_per_pass(isaac):
    charge = isaac.mvm(100, 40, input_bits=4)
    ops = charge.activity.ops
    assert ops == {"array": 4 * 100 * 40, "dac": 400, "sample_hold": 160, "column_mux": 160, "adc": 160,
                   "shift_add": 160, "input_register": 400, "output_register": 160}
    assert charge.activity.macs == 100 * 5           # 40 columns of 8 cells per 16-bit weight
    energy = isaac.energy_pj(charge.activity)
    assert energy["adc"] == pytest.approx(160 * 2.0 / 1.28)    # ISAAC: 2 mW per ADC at 1.28 GS/s


def test_empty_and_out_of_range_reads(isaac):
    assert isaac.mvm(0, 128).time_ns == 0 and not isaac.mvm(0, 128).activity.ops
    for rows, cols in [(129, 1), (1, 129), (-1, 1), (1.5, 1)]:
        with pytest.raises(ValueError, match="must be an integer >= 0 <= 128"):
            isaac.mvm(rows, cols)
    for bits in (math.nan, 0, 33):
        with pytest.raises(ValueError, match=r"input_bits = .*: must be an integer in \[1, 32\]"):
            isaac.mvm(1, 1, input_bits=bits)


def test_digital_units(isaac, reference):
    charge = isaac.digital("activation", 5)          # 2 sigmoid units at 1.2 GHz
    assert charge.time_ns == pytest.approx(3 / 1.2)
    assert isaac.energy_pj(charge.activity)["activation"] == pytest.approx(5 * 0.26 / 1.2)
    free = reference.digital("activation", 1000)     # MNSIM has no activation unit
    assert free.time_ns == 0 and not free.activity.ops
    assert reference.digital("pooling", 64 * 9).time_ns == pytest.approx(100.0)   # MNSIM: 64 windows / 100 ns
    with pytest.raises(ValueError, match="unknown digital unit 'relu'"):
        isaac.digital("relu", 1)


def test_buffer_access_moves_whole_bus_words(isaac, reference):
    assert isaac.buffer_access(33).time_ns == pytest.approx(2 / 1.2)        # two 256-bit words at 1.2 GHz
    assert isaac.buffer_access(33).activity.ops == {"buffer": 33, "tile_bus": 33}
    assert reference.buffer_access(8).time_ns == pytest.approx(20.0)         # MNSIM: 64 bits per 20 ns


def test_send_over_hops(isaac):
    charge = isaac.send(16, hops=3)
    assert charge.time_ns == pytest.approx(3 / 1.2 + 4 / 1.2)               # 3 hops, 128 bits in 4 flits
    assert charge.activity.ops == {"router": 128 * 3, "tile_output_register": 16}
    assert isaac.send(16, hops=0).time_ns == 0
    assert isaac.energy_pj(charge.activity)["router"] == pytest.approx(384 * 42 / 307.2)


def test_offchip(isaac, reference):
    assert isaac.offchip(1024).time_ns == pytest.approx(8192 / (4 * 51.2))   # 4 HyperTransport links
    assert reference.offchip(1024).time_ns == 0


def test_report_adds_leakage_and_derives_the_metrics(reference):
    charge = reference.mvm(128, 128)
    report = reference.report(charge.activity, 1000.0)
    dynamic = sum(reference.energy_pj(charge.activity).values())
    leakage = 64 * 8.86342 * 1000.0                 # 64 tiles' SRAM buffers leak for 1000 ns
    assert report.leakage_pj == pytest.approx(leakage)
    assert report.total_pj == pytest.approx(dynamic + leakage)
    assert report.ops == 2 * 128 * 128
    assert report.tops == pytest.approx(report.ops / 1000.0 / 1e3)
    assert report.tops_per_w == pytest.approx(report.ops / report.total_pj)
    assert report.tops_per_mm2 == pytest.approx(report.tops / reference.chip_area_mm2)
    assert report.edap == pytest.approx(report.total_pj * 1000.0 * reference.chip_area_mm2)
    assert report.share("adc") == pytest.approx(16000.0 / report.total_pj)


def test_metrics_of_nothing_are_errors_not_infinities(isaac):
    report = isaac.report(Activity(), 0.0)
    for metric in ("tops", "tops_per_w", "tops_per_mm2"):
        with pytest.raises(ValueError, match="needs it > 0"):
            getattr(report, metric)
    with pytest.raises(ValueError, match="time_ns"):
        isaac.report(Activity(), -1.0)


def test_activity_arithmetic_and_checks():
    a = Activity({"adc": 2, "dac": 3}, macs=4)
    total = a + Activity({"adc": 1}, macs=1)
    assert dict(total.ops) == {"adc": 3, "dac": 3} and total.macs == 5
    assert dict(a.times(2).ops) == {"adc": 4, "dac": 6}
    with pytest.raises(ValueError, match="unknown component 'laser'"):
        Activity({"laser": 1})
    with pytest.raises(ValueError, match="operations of adc must be a finite number >= 0"):
        Activity({"adc": math.inf})
    with pytest.raises(ValueError, match="macs"):
        Activity(macs=-1)


def test_component_spec_from_power():
    spec = ComponentSpec.from_power(power_mw=2.0, ops_per_ns=1.28, area_um2=1200.0)
    assert spec.energy_pj == pytest.approx(1.5625) and spec.peak_power_mw == pytest.approx(2.0)
    with pytest.raises(ValueError, match="ops_per_ns = 0.0: must be a finite number in \\(0"):
        ComponentSpec.from_power(power_mw=2.0, ops_per_ns=0.0, area_um2=1.0)


def test_isaac_has_no_leakage_figures(isaac):
    """ISAAC's Table 6 gives each component's power at full activity; rnc (as Accelergy's ISAAC library,
    hwcomponents-library library/isaac.py: leak_power=0.0 on every component) turns it into energy per
    operation and charges no separate leakage (docs/hardware.md, "Leakage")."""
    assert isaac.chip_leakage_mw == 0
    assert all(spec.leakage_mw == 0 for spec in isaac.specs.values())


def test_reference_adc_is_isaacs_as_peripherals_md_lists_it(reference):
    """peripherals.md: MNSIM's ADC choice 2 models ISAAC's ADC, 8 ADCs an IMA at 16 mW and 0.0096 mm^2, i.e.
    per ADC 2 mW and 1200 um^2, at 1.28 GS/s. rnc-reference keeps that area and power; as MNSIM does, a
    conversion lasts (8 + 2) sample periods, 7.8125 ns, so it costs 2 mW x 7.8125 ns = 15.625 pJ (ISAAC's own
    accounting, one conversion per sample period, gives 1.5625 pJ: docs/hardware.md, "What is validated")."""
    adc = reference.specs["adc"]
    assert adc.area_um2 == 0.0096e6 / 8
    assert adc.peak_power_mw == pytest.approx(16 / 8, rel=1e-12)
    assert adc.energy_pj == pytest.approx(16 / 8 * (8 + 2) / 1.28, rel=1e-12)
