"""The ISA simulator computes what the crossbars compute (docs/precision.md): bit for bit the bit-true oracle,
for any precision setting (global and per layer), placement, replication and depthwise split; the ideal
case is today's int8 arithmetic."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnc.backends.isa import lower_program, print_program
from rnc.backends.isa.lower import calibration_inputs
from rnc.backends.isa.adc_calibration import calibrate_module
from rnc.backends.isa.reference import run_quantized
from rnc.dialects.rnc import module_target, set_module_target
from rnc.dialects.xbar import module_layers
from rnc.ir.pass_manager import PassManager, parse_pipeline
from rnc.passes.xbar.layer_peripherals import set_layer_overrides
from rnc.sim.isa_sim import simulate

from tests.backends.isa_models import partitioned_net, place_one_per_xbar, replicate_layer

X = np.random.default_rng(7).standard_normal((1, 16, 8, 8)).astype(np.float32)
LAYERS = 3   # NET: conv, depthwise, linear


@st.composite
def layer_overrides(draw, weight_bits: int) -> dict:
    """Some of a layer's peripheral keys (a layer's cell_bits stays within the target's weight_bits)."""
    keys = {"adc_bits": st.integers(1, 12), "input_bits": st.integers(1, 12), "dac_bits": st.integers(1, 8),
            "cell_bits": st.integers(1, min(8, weight_bits))}
    chosen = draw(st.lists(st.sampled_from(sorted(keys)), unique=True, max_size=3))
    return {k: draw(keys[k]) for k in chosen}


@st.composite
def settings_and_mapping(draw):
    weight_bits = draw(st.integers(1, 12))
    target = {"adc_model": draw(st.sampled_from(["ideal", "quantized"])),
              "adc_range": draw(st.sampled_from(["worst-case", "calibrated"])),
              "weight_sign": draw(st.sampled_from(["offset", "differential"])),
              "weight_bits": weight_bits, "cell_bits": draw(st.integers(1, min(8, weight_bits))),
              "adc_bits": draw(st.integers(1, 12)), "input_bits": draw(st.integers(1, 12)),
              "dac_bits": draw(st.integers(1, 4))}
    layers = {i: draw(layer_overrides(weight_bits)) for i in range(LAYERS) if draw(st.booleans())}
    split = draw(st.sampled_from(["", "depthwise-split{factor=3}", "depthwise-split{block-diagonal=4}"]))
    mapping = draw(st.sampled_from(["place", "one-per-xbar", "reversed", "replicated"]))
    return target, layers, split, mapping


def _placed(target_values: dict, layers: dict, split: str, mapping: str):
    module = partitioned_net(passes="canonicalize")
    set_module_target(module, module_target(module).with_values(**target_values))
    set_layer_overrides(module, layers)
    PassManager(parse_pipeline(",".join(filter(None, ["partition", split])))).run(module)
    if mapping == "place":
        PassManager(parse_pipeline("place{min-count}")).run(module)
    else:
        if mapping == "replicated":
            replicate_layer(module, 0, 3)
            replicate_layer(module, 2, 2)
        place_one_per_xbar(module, reverse=mapping == "reversed")
    return module


def _sim_and_oracle(module):
    """The simulated program's output and the oracle's, calibrated as `rnc compile` calibrates them."""
    scales = calibrate_module(module, calibration_inputs(module))   # calibrated ADC ranges, if any, too
    program = lower_program(module, scales=scales)
    ours = simulate(program, X).outputs[0]
    oracle = run_quantized(module, scales, [X])[0]
    scale = program.tensor(program.outputs[0]).scale
    return ours, oracle.astype(np.float32) * np.float32(scale), program


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(settings_and_mapping())
def test_simulator_equals_the_bit_true_oracle_for_any_setting_and_mapping(case):
    target_values, layers, split, mapping = case
    ours, oracle, _ = _sim_and_oracle(_placed(target_values, layers, split, mapping))
    assert np.array_equal(ours, oracle)


def test_the_ideal_adc_at_any_slicing_is_todays_int8_arithmetic():
    base, _, plain = _sim_and_oracle(_placed({}, {}, "", "place"))
    sliced, _, program = _sim_and_oracle(_placed({"cell_bits": 1, "dac_bits": 2}, {1: {"cell_bits": 2}}, "",
                                                 "place"))
    assert np.array_equal(base, sliced)
    assert "cell_bits = 1" in print_program(program) and "cell_bits=2" in print_program(program)


def test_a_quantized_adc_shows_the_error_and_more_bits_remove_it():
    exact, _, _ = _sim_and_oracle(_placed({}, {}, "", "place"))
    errors = []
    for bits in (3, 6, 12):
        ours, oracle, _ = _sim_and_oracle(_placed({"adc_model": "quantized", "cell_bits": 2, "adc_bits": bits},
                                                  {}, "", "place"))
        assert np.array_equal(ours, oracle)
        errors.append(float(np.abs(ours - exact).max()))
    assert errors[0] > errors[1] > 0 and errors[2] == 0   # 12 bits cover 128 rows x 1 x 3 (9 bits)


def test_column_sharing_changes_energy_not_numbers():
    shared = _placed({"adc_model": "quantized", "adc_bits": 6, "cell_bits": 2}, {0: {"cols_per_adc": 8}}, "",
                     "place")
    alone = _placed({"adc_model": "quantized", "adc_bits": 6, "cell_bits": 2}, {}, "", "place")
    a, _, pa = _sim_and_oracle(shared)
    b, _, pb = _sim_and_oracle(alone)
    assert np.array_equal(a, b)
    ea, eb = (simulate(p).energy.layer_pj for p in (pa, pb))
    assert ea != eb


def test_a_calibrated_adc_range_is_never_coarser_and_is_carried_by_the_program():
    """At 6 ADC bits on 2-bit cells, calibrated ranges step no coarser than the worst case (finer on these
    inputs), the program prints them, and its error to the exact result shrinks."""
    exact, _, _ = _sim_and_oracle(_placed({}, {}, "", "place"))
    worst_case = {"adc_model": "quantized", "cell_bits": 2, "adc_bits": 6}
    worst, _, _ = _sim_and_oracle(_placed(worst_case, {}, "", "place"))
    module = _placed({**worst_case, "adc_range": "calibrated"}, {}, "", "place")
    ours, oracle, program = _sim_and_oracle(module)
    assert np.array_equal(ours, oracle)
    finer = 0
    for layer in module_layers(module):
        geometry = layer.layer_target().precision     # no shifts: the worst case
        rows = max(t.rows.size for t in layer.tiles)
        steps = [geometry.adc_shift(rows, k) for k in range(geometry.input_slices)]
        assert all(t <= step for t, step in zip(layer.adc_shifts, steps))
        finer += sum(steps) - sum(layer.adc_shifts)
    assert finer > 0
    assert "adc_shifts=[" in print_program(program)
    assert np.abs(ours - exact).max() < np.abs(worst - exact).max()
