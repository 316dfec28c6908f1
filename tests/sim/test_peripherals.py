"""PE latency against the reference's figures (timing.md sections 1, 2 and 4) and SimConfig.ini reading."""
from pathlib import Path

import pytest

from rnc.sim.peripherals import (DEFAULT_SIM_CONFIG, ConfigError, PeripheralParams, pe_latency_breakdown,
                                 pe_latency_ns)
from rnc.passes.xbar_algorithms.reference import reference_table

DEFAULTS = PeripheralParams()
PE_ONE_XBAR_NS = 152.77319048

# Section 2, "Others": (input bits, rows, cols) -> ns.
OTHERS = [
    ((1, 1, 1), 22.596649), ((1, 128, 128), 22.596649), ((4, 1, 1), 78.386595), ((4, 128, 128), 78.386595),
    ((9, 128, 128), 171.369839), ((8, 256, 128), 152.773190), ((8, 257, 128), 303.546381),
    ((8, 128, 129), 305.546381), ((8, 576, 64), 454.319571), ((8, 128, 576), 763.865952),
    ((8, 1152, 512), 3023.463810), ((8, 128, 0), 0.0),
]



@pytest.mark.parametrize("rows", [1, 9, 16, 27, 64, 72, 128])
@pytest.mark.parametrize("cols", [1, 16, 64, 128])
def test_section2_table_every_read_within_one_crossbar(rows, cols):
    assert pe_latency_ns(DEFAULTS, rows, cols, 8) == pytest.approx(152.773190, rel=1e-5)


@pytest.mark.parametrize(("read", "expected"), OTHERS)
def test_section2_others(read, expected):
    bits, rows, cols = read
    assert pe_latency_ns(DEFAULTS, rows, cols, bits) == pytest.approx(expected, rel=1e-5, abs=1e-9)


def test_section2_steps_and_empty_reads():
    assert pe_latency_ns(DEFAULTS, 256, 128) == pytest.approx(PE_ONE_XBAR_NS, rel=1e-9)
    assert pe_latency_ns(DEFAULTS, 257, 128) > pe_latency_ns(DEFAULTS, 256, 128)
    assert pe_latency_ns(DEFAULTS, 128, 129) > pe_latency_ns(DEFAULTS, 128, 128)
    assert pe_latency_ns(DEFAULTS, 0, 128) == 0.0
    assert pe_latency_ns(DEFAULTS, 128, 0) == 0.0


def test_section2_closed_form():
    for bits, rows, cols in [(8, 300, 300), (3, 1000, 17), (8, 4608, 512)]:
        p, r, c = bits, -(-rows // 256), -(-cols // 128)
        expected = 18.59664881 * p * r * c + 2 * r * c + 2 * c
        assert pe_latency_ns(DEFAULTS, rows, cols, bits) == pytest.approx(expected, rel=1e-9)


def test_section2_intermediates():
    parts = pe_latency_breakdown(DEFAULTS, 128, 128, 8)
    expected = dict(crossbar=25.28000648, dac=24, adc=62.5, ireg=18, shift_reg=16, demux=4.46928, adder=0,
                    mux=0.523904, oreg=2, buffer_write=0, buffer_read=0)
    for name, value in expected.items():
        assert getattr(parts, name) == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert parts.computing == pytest.approx(111.78000648, rel=1e-9)
    assert parts.digital == pytest.approx(40.993184, rel=1e-9)
    assert parts.total == pytest.approx(PE_ONE_XBAR_NS, rel=1e-9)


def test_section1_constants():
    assert DEFAULTS.dac_latency_ns == 3
    assert DEFAULTS.adc_latency_ns == pytest.approx(7.8125)
    assert DEFAULTS.xbar_read_latency_ns == pytest.approx(3.16000081, rel=1e-12)
    assert DEFAULTS.decoder_latency_ns == pytest.approx(0.55866)
    assert DEFAULTS.mux_latency_ns == pytest.approx(0.065488)
    assert DEFAULTS.digital_period_ns == 2


def test_input_buffer_costs_one_cycle_per_bus_word():
    parts = pe_latency_breakdown(DEFAULTS, 128, 128, 8, input_bytes=8, read_bytes=9)
    assert (parts.buffer_write, parts.buffer_read) == (20, 40)


@pytest.mark.parametrize("model", ["mbv3_small", "resnet18", "squeezenet"])
def test_section4_raw_mvm_ns(model):
    # Section 4, raw_mvm_ns of every layer (rows and cols come from the layer tables, c = cols).
    for row in reference_table(f"{model}.timing"):
        assert pe_latency_ns(DEFAULTS, int(row["rows"]), int(row["cols"]), 8) == \
            pytest.approx(float(row["raw_mvm_ns"]), rel=1e-5), row["layer"]


def test_sample_ini_reproduces_the_defaults():
    params, ignored = PeripheralParams.from_ini(DEFAULT_SIM_CONFIG)
    assert params == DEFAULTS
    assert "Process element level/Xbar_Polarity" in ignored
    assert "Device level/Device_Level" in ignored
    assert "Interface level/DAC_Precision" in ignored  # fixed by DAC_Choice 1
    assert "Crossbar level/Xbar_Size" not in ignored


def _ini(tmp_path: Path, replacements: dict[str, str]) -> Path:
    lines = []
    for line in DEFAULT_SIM_CONFIG.read_text().splitlines():
        key = line.split("=")[0].strip()
        lines.append(f"{key} = {replacements[key]}" if "=" in line and key in replacements else line)
    path = tmp_path / "SimConfig.ini"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_ini_values_change_the_latency(tmp_path):
    params, _ = PeripheralParams.from_ini(_ini(tmp_path, {"Digital_Frequency": "1000"}))
    assert params.digital_period_ns == 1
    assert pe_latency_ns(params, 128, 128, 8) == pytest.approx(16.59664881 * 8 + 2, rel=1e-9)


def test_ini_user_defined_and_table_converters(tmp_path):
    user, ignored = PeripheralParams.from_ini(_ini(tmp_path, {"ADC_Choice": "-1", "ADC_Precision": "6",
                                                              "ADC_Sample_Rate": "2"}))
    assert (user.adc_bits, user.adc_rate_gsps, user.adc_latency_ns) == (6, 2.0, 4.0)
    assert "Interface level/ADC_Precision" not in ignored
    sense_amp, _ = PeripheralParams.from_ini(_ini(tmp_path, {"ADC_Choice": "8"}))
    assert sense_amp.adc_latency_ns == 1.0
    ramp, _ = PeripheralParams.from_ini(_ini(tmp_path, {"ADC_Choice": "9"}))
    assert ramp.adc_latency_ns == pytest.approx(256 / 6)
    dac8, _ = PeripheralParams.from_ini(_ini(tmp_path, {"DAC_Choice": "6"}))
    assert (dac8.dac_bits, dac8.dac_latency_ns) == (8, 10)
    # One pass: DAC, crossbar, ADC, iReg write + read, shift register, demux, mux, oReg.
    one_pass = 10 + 3.16000081 + 7.8125 + (2 + 2) + 2 + 0.55866 + 0.065488 + 2
    assert pe_latency_ns(dac8, 128, 128, 8) == pytest.approx(one_pass, rel=1e-9)


def test_ini_crossbar_geometry(tmp_path):
    params, _ = PeripheralParams.from_ini(_ini(tmp_path, {"Xbar_Size": "256, 256", "Group_Num": "4"}))
    assert (params.xbar_rows, params.xbar_cols, params.subarray_num, params.dacs_per_group) == (256, 256, 2, 512)
    assert pe_latency_breakdown(params, 256, 256, 8).adder == 2 * 2 * 2  # 2 column rounds, 2 adder levels


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("DAC_Choice", "9", "allowed: -1 (user defined), 1..7"),
    ("ADC_Choice", "ten", "is not an integer"),
    ("Xbar_Size", "128", "'rows, cols'"),
    ("Subarray_Size", "100", "a divisor of 128"),
    ("DAC_Num", "0", "not supported"),
    ("Digital_Frequency", "0", "> 0"),
])
def test_ini_invalid_values(tmp_path, key, value, fragment):
    path = _ini(tmp_path, {key: value})
    with pytest.raises(ConfigError) as caught:
        PeripheralParams.from_ini(path)
    assert caught.value.key == key
    assert caught.value.file == str(path)
    assert fragment in caught.value.message


def test_ini_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        PeripheralParams.from_ini(tmp_path / "absent.ini")


def test_params_reject_impossible_values():
    with pytest.raises(ValueError, match="subarray_size"):
        PeripheralParams(xbar_rows=128, subarray_size=96)
    with pytest.raises(ValueError, match="dac_bits"):
        PeripheralParams(dac_bits=0)
