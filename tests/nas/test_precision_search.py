"""The co-search's accuracy is the compiled program's: the trained chained export is the subnet's export, the
fake quantization of sampled candidates equals the ISA simulator's outputs, and the search's target values
reach the evaluation, the hardware compiles and the compiled members."""
import random
from dataclasses import replace

import numpy as np
import pytest
import torch

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import module_layers
from rnc.frontends.onnx.importer import import_onnx
from rnc.frontends.torch import export_onnx
from rnc.backends.isa.layers import layer_bias, layer_matrix
from rnc.driver import compile_model
from rnc.nas.evaluate import CO_SEARCH_TARGET_VALUES, _context, evaluate, member_scoring, recalibrated_subnet
from rnc.nas.hardware import partition, with_peripherals
from rnc.nas.onnx_blocks import BlockExports
from rnc.nas.precision_accuracy import QuantizedNetwork
from rnc.nas.trained_blocks import trained_model
from rnc.sim.isa_sim.functional import run_functional

ACCURACY_SAMPLES = 12


@pytest.fixture(scope="module")
def co_settings(settings):
    return replace(settings, peripherals=True, accuracy_samples=ACCURACY_SAMPLES)


def _draws(space, count: int, seed: int = 7) -> list[tuple]:
    rng = random.Random(seed)
    return [space.canonical(tuple(rng.randint(0, hi) for hi in space.upper_bounds())) for _ in range(count)]


def test_the_trained_chained_export_is_the_subnets_export(co_settings):
    """Weights and biases of every partitioned layer equal, bit for bit, those of torch's whole export."""
    ctx = _context(co_settings)
    space = co_settings.search_space
    network, _ = space.split(_draws(space, 1)[0])
    subnet = recalibrated_subnet(ctx, network)
    ours = module_layers(partition(trained_model(BlockExports(16), subnet, network)))
    theirs = module_layers(partition(export_onnx(subnet, torch.zeros(1, 3, 16, 16))))
    assert len(ours) == len(theirs) > 10
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(layer_matrix(a), layer_matrix(b))
        np.testing.assert_array_equal(layer_bias(a), layer_bias(b))


def test_records_carry_both_accuracies_at_the_search_target(co_settings):
    space = co_settings.search_space
    records = [evaluate(co_settings, g) for g in _draws(space, 2)]
    for r in records:
        assert 0 <= r["accuracy"] <= 1 and 0 <= r["float_accuracy"] <= 1
    ctx = _context(co_settings)
    assert co_settings.target_overrides == CO_SEARCH_TARGET_VALUES
    assert ctx.hardware.target_values == CO_SEARCH_TARGET_VALUES
    network, _ = space.split(_draws(space, 1)[0])
    module = ctx.precision.partitioned(network, recalibrated_subnet(ctx, network))
    assert module_target(module).precision.adc_model == "quantized"


def test_periphery_that_changes_no_number_shares_the_accuracy(co_settings):
    """ADC type and columns per ADC change time and energy only: one accuracy evaluation for both."""
    space = co_settings.search_space
    genes = list(_draws(space, 1, seed=11)[0])
    first = space.network_genes_count               # the first group's ADC type gene, then columns per ADC
    other = genes.copy()
    other[first], other[first + 2] = 1 - genes[first], (genes[first + 2] + 1) % 6
    a, b = evaluate(co_settings, tuple(genes)), evaluate(co_settings, tuple(other))
    assert a["accuracy"] == b["accuracy"] and a["edap"] != b["edap"]


def test_sampled_candidates_compute_what_the_isa_simulator_computes(co_settings):
    """For sampled candidates, the compiled program (same peripherals, target values and calibration images)
    simulated on the validation samples gives the searched accuracy, and the fake quantization its outputs."""
    ctx = _context(co_settings)
    scoring = member_scoring(co_settings)
    space = co_settings.search_space
    for genes in _draws(space, 2, seed=3):
        record = evaluate(co_settings, genes)
        network, _ = space.split(genes)
        options = ctx.hardware.compile_options(genes, calibration=scoring.calibration)
        result = compile_model(import_onnx(scoring.model(ctx.hardware.blocks, network)), options)
        program = result.last.isa.program
        simulated = np.concatenate([run_functional(program, [x])[0] for x in scoring.inputs])
        module = ctx.precision.partitioned(network, recalibrated_subnet(ctx, network))
        quantized = QuantizedNetwork(with_peripherals(module, ctx.hardware.layer_peripherals(genes)),
                                     calibration=scoring.calibration)
        np.testing.assert_array_equal(quantized.outputs(scoring.inputs[:, 0]), simulated)
        assert record["accuracy"] == float(np.mean(simulated.argmax(1) == scoring.labels))
