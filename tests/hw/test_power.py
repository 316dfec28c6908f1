"""The power model (rnc.hw.power): capacitor, harvesters, quantities and power traces."""
import math

import pytest

from rnc.hw.cost import FieldError
from rnc.hw.power import (Capacitor, ConstantHarvester, PowerError, ResistiveHarvester, TraceHarvester,
                          load_power_trace, parse_quantity)


def test_voltage_after_a_cycle_starts_from_von():
    cap = Capacitor(1e-3)
    assert cap.voltage_after(0.0) == pytest.approx(cap.von_v)
    # spending all the stored energy reaches Voff
    assert cap.voltage_after(cap.stored_j) == pytest.approx(cap.voff_v)
    assert cap.refill_j(1e-4) == pytest.approx(1e-4)


def test_constant_and_trace_harvesters_agree_on_a_flat_trace():
    cap = Capacitor(1e-3)
    flat = TraceHarvester((0.0, 1.0, 2.0), (0.01, 0.01, 0.01))
    assert flat.recharge_s(cap, 1e-4, start_s=0.3) == pytest.approx(ConstantHarvester(0.01).recharge_s(cap, 1e-4))


def test_trace_skips_dark_stretches_and_repeats():
    trace = TraceHarvester((0.0, 1.0, 2.0), (0.0, 1.0, 0.0))      # dark for 1 s, then 1 W for 1 s
    assert trace.mean_watts == pytest.approx(0.5)
    assert trace.time_of_energy(0.5) == pytest.approx(1.5)
    assert trace.time_of_energy(1.5) == pytest.approx(3.5)        # second period
    assert trace.harvested_j(3.5) == pytest.approx(1.5)


def test_resistive_recharge_grows_with_the_energy_spent():
    cap, h = Capacitor(5e-3), ResistiveHarvester(24.0)
    assert 0 < h.recharge_s(cap, 1e-4) < h.recharge_s(cap, 1e-3)


@pytest.mark.parametrize("text,unit,value", [("1mF", "F", 1e-3), ("22ohm", "ohm", 22.0), ("22", "ohm", 22.0),
                                             ("4.7uF", "F", 4.7e-6), ("5mW", "W", 5e-3), ("2kOhm", "ohm", 2e3)])
def test_parse_quantity(text, unit, value):
    assert parse_quantity(text, unit, "--x") == pytest.approx(value)


def test_bad_values_are_one_line_errors(tmp_path):
    with pytest.raises(PowerError, match="--capacitor expects"):
        parse_quantity("lots", "F", "--capacitor")
    with pytest.raises(FieldError, match=r"farads = -1.0: must be a finite number in \(0"):
        Capacitor(-1.0)
    with pytest.raises(FieldError, match="voff_v"):
        Capacitor(1e-3, von_v=2.0, voff_v=2.5)
    bad = tmp_path / "t.csv"
    bad.write_text("time_s,power_w\n0,0.01\n1,nan\n")
    with pytest.raises(PowerError, match=r"t.csv: row 3: power_w = nan"):
        load_power_trace(bad)
    bad.write_text("0,0.01\n0,0.02\n")
    with pytest.raises(PowerError, match="must increase"):
        load_power_trace(bad)


def test_trace_from_csv(tmp_path):
    path = tmp_path / "solar.csv"
    path.write_text("time_s,power_w\n0,0.002\n10,0.004\n20,0.002\n")
    trace = load_power_trace(path)
    assert trace.period_s == 20 and math.isclose(trace.mean_watts, 0.003)
