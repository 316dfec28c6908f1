"""Reading an MNSIM/RNC SimConfig.ini: the sample reproduces the defaults, values change the latency,
invalid values are one clean error naming the file and key."""
from pathlib import Path

import pytest

from rnc.hw.peripherals import PeripheralParams, pe_latency_breakdown, pe_latency_ns
from rnc.hw.sim_config import DEFAULT_SIM_CONFIG, ConfigError, read_sim_config

DEFAULTS = PeripheralParams()


def test_sample_ini_reproduces_the_defaults():
    params, ignored = read_sim_config(DEFAULT_SIM_CONFIG)
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
    params, _ = read_sim_config(_ini(tmp_path, {"Digital_Frequency": "1000"}))
    assert params.digital_period_ns == 1
    assert pe_latency_ns(params, 128, 128, 8) == pytest.approx(16.59664881 * 8 + 2, rel=1e-9)


def test_ini_user_defined_and_table_converters(tmp_path):
    user, ignored = read_sim_config(_ini(tmp_path, {"ADC_Choice": "-1", "ADC_Precision": "6",
                                                              "ADC_Sample_Rate": "2"}))
    assert (user.adc_bits, user.adc_rate_gsps, user.adc_latency_ns) == (6, 2.0, 4.0)
    assert "Interface level/ADC_Precision" not in ignored
    sense_amp, _ = read_sim_config(_ini(tmp_path, {"ADC_Choice": "8"}))
    assert sense_amp.adc_latency_ns == 1.0
    ramp, _ = read_sim_config(_ini(tmp_path, {"ADC_Choice": "9"}))
    assert ramp.adc_latency_ns == pytest.approx(256 / 6)
    dac8, _ = read_sim_config(_ini(tmp_path, {"DAC_Choice": "6"}))
    assert (dac8.dac_bits, dac8.dac_latency_ns) == (8, 10)
    # One pass: DAC, crossbar, ADC, iReg write + read, shift register, demux, mux, oReg.
    one_pass = 10 + 3.16000081 + 7.8125 + (2 + 2) + 2 + 0.55866 + 0.065488 + 2
    assert pe_latency_ns(dac8, 128, 128, 8) == pytest.approx(one_pass, rel=1e-9)


def test_ini_crossbar_geometry(tmp_path):
    params, _ = read_sim_config(_ini(tmp_path, {"Xbar_Size": "256, 256", "Group_Num": "4"}))
    assert (params.xbar_rows, params.xbar_cols, params.subarray_num, params.dacs_per_group) == (256, 256, 2, 512)
    assert pe_latency_breakdown(params, 256, 256, 8).adder == 2 * 2 * 2  # 2 column rounds, 2 adder levels


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("DAC_Choice", "9", "allowed: -1 (user defined), 1..7"),
    ("ADC_Choice", "ten", "is not an integer"),
    ("Xbar_Size", "128", "'rows, cols'"),
    ("Subarray_Size", "100", "a divisor of 128"),
    ("DAC_Num", "0", "not supported"),
    ("Digital_Frequency", "0", "must be a number in 0.001..1e+06 (MHz), got 0.0"),
])
def test_ini_invalid_values(tmp_path, key, value, fragment):
    path = _ini(tmp_path, {key: value})
    with pytest.raises(ConfigError) as caught:
        read_sim_config(path)
    assert caught.value.key == key
    assert caught.value.file == str(path)
    assert fragment in caught.value.message


def test_ini_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        read_sim_config(tmp_path / "absent.ini")
