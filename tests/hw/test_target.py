"""The target: one documented default per key, the flat key view, validation, and docs/hardware.md's table."""
from pathlib import Path

import pytest

from rnc.hw.peripherals import PeripheralParams, pe_latency_ns
from rnc.hw.target import DEFAULT_TARGET, Target

HARDWARE_MD = Path(__file__).resolve().parents[2] / "docs" / "hardware.md"


def parameter_rows() -> list[str]:
    """docs/hardware.md's "Target parameters" table, as the dataclasses describe it."""
    def shown(value):
        return "none" if value is None else repr(value)
    return [f"| `{p.key}` | {shown(p.default)} | {p.unit} | {p.allowed.describe()} | {p.source} | {p.doc} |"
            for p in Target.parameters()]


def test_every_key_is_documented_once():
    keys = [p.key for p in Target.parameters()]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(Target().as_dict())
    assert Target.keys() == {p.key: p.default for p in Target.parameters()}


def test_docs_table_matches_the_dataclasses():
    text = HARDWARE_MD.read_text()
    missing = [row for row in parameter_rows() if row not in text]
    assert not missing, "docs/hardware.md is out of date; expected rows:\n" + "\n".join(parameter_rows())


def test_reference_defaults():
    assert (DEFAULT_TARGET.xbar_rows, DEFAULT_TARGET.xbar_cols, DEFAULT_TARGET.xbar_area) == (128, 128, 16384)
    assert DEFAULT_TARGET.cells_per_weight == 1 and DEFAULT_TARGET.budget is None
    assert DEFAULT_TARGET.mvm_ns(128, 128) == pe_latency_ns(PeripheralParams(), 128, 128, 8)
    assert DEFAULT_TARGET.mvm_ns(128, 128) == pytest.approx(152.77319048, rel=1e-12)


def test_with_values_and_validation():
    target = Target().with_values(budget=64, xbar_rows=256, subarray_size=256, cell_bits=2)
    assert (target.budget, target.xbar_rows, target.cells_per_weight, target.weight_cols_per_xbar) == (64, 256, 4, 32)
    assert target.as_dict()["xbar_rows"] == 256
    with pytest.raises(ValueError, match="unknown target key 'xbar_size'"):
        Target().with_values(xbar_size=3)
    with pytest.raises(ValueError, match="cell_bits"):
        Target(cell_bits=9)
    with pytest.raises(ValueError, match="budget"):
        Target(budget=0)


def test_adc_range_key_and_a_layers_calibrated_shifts():
    assert Target().adc_range == "worst-case" and not Target().calibrates_adc
    assert not Target(adc_range="calibrated").calibrates_adc            # an ideal ADC: nothing to calibrate
    target = Target(adc_range="calibrated", adc_model="quantized")
    assert target.calibrates_adc and target.layer_precision({}) == target.precision
    layer = target.layer_precision({"input_bits": 4, "dac_bits": 2}, [3, 5])
    assert layer.adc_shifts == (3, 5) and layer.input_slices == 2
    with pytest.raises(ValueError, match="adc_range must be one of worst-case, calibrated, got 'percentile'"):
        Target(adc_range="percentile")
    with pytest.raises(ValueError, match="one shift per input read"):
        target.layer_precision({}, [1, 2])
