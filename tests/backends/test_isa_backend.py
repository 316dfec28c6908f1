"""ISA backend: round trip, bit-exact simulation against the quantized reference, CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest

from isa_models import partitioned_net, place_one_per_xbar, replicate_layer
from rnc.backends.isa import (IsaSyntaxError, LoweringError, isaac_baseline, lower_program, lower_to_isa, parse_isa,
                              print_program)
from rnc.backends.isa.lower import calibration_inputs
from rnc.backends.isa.reference import calibrate, run_float, run_quantized
from rnc.ir.printer import print_module
from rnc.ir.verifier import verify
from rnc.sim.isa_sim import simulate
from rnc.backends.isa.quantize import dequantize
from rnc.tools import rnc_cli


@pytest.fixture(scope="module")
def placed():
    m = partitioned_net()
    place_one_per_xbar(m)
    verify(m)
    return m


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(7).standard_normal((1, 16, 8, 8)).astype(np.float32)


def _reference(module, x):
    scales = calibrate(module, calibration_inputs(module))
    return run_quantized(module, scales, [x])[0]


def test_round_trip_is_identity(placed):
    text = lower_to_isa(placed)
    assert print_program(parse_isa(text)) == text
    assert "program xb0[0:128,0:128] <- @w0[0:128,0:128]" in text
    assert "isa_resources" in text


def test_syntax_error_is_one_line():
    with pytest.raises(IsaSyntaxError, match=r"prog.isa:2:[0-9]+: syntax error"):
        parse_isa("isa 1\nbogus line here\n", "prog.isa")


def test_unplaced_module_is_rejected():
    with pytest.raises(LoweringError, match="not placed"):
        lower_to_isa(partitioned_net())


@pytest.mark.parametrize("variant", ["plain", "reversed", "offset", "replicated", "block-diagonal", "split"])
def test_simulator_matches_quantized_reference_bit_for_bit(variant, x):
    passes = {"block-diagonal": "partition,depthwise-split{block-diagonal=4}",
              "split": "partition,depthwise-split{factor=3}"}.get(variant, "partition")
    m = partitioned_net(passes=passes)
    if variant == "replicated":
        replicate_layer(m, 0, 2)
        replicate_layer(m, 1, 3)
    place_one_per_xbar(m, reverse=variant == "reversed", offset=5 if variant == "offset" else 0)
    verify(m)
    program = lower_program(m)
    out = simulate(program, [x]).outputs[0]
    ref = _reference(m, x)
    assert np.array_equal(out, dequantize(ref, program.tensor("y").scale))


def test_placement_never_changes_numbers(x):
    outs = []
    for reverse in (False, True):
        m = partitioned_net()
        replicate_layer(m, 2, 2)
        place_one_per_xbar(m, reverse=reverse)
        outs.append(simulate(parse_isa(lower_to_isa(m)), [x]).outputs[0])
    assert np.array_equal(outs[0], outs[1])


def test_close_to_float(placed, x):
    out = simulate(parse_isa(lower_to_isa(placed)), [x]).outputs[0].ravel()
    ref = run_float(placed, [x])[0].ravel()
    assert np.dot(out, ref) / np.linalg.norm(out) / np.linalg.norm(ref) >= 0.99


def test_isaac_baseline_one_tile_per_xbar():
    m = partitioned_net()
    base = isaac_baseline(m)
    verify(base)
    program = lower_program(base)
    assert program.xbars == len(program.writes) == 8
    assert sorted(p.xbar for p in program.writes) == list(range(8))
    assert "xbar.array" not in print_module(m)  # the input is left alone


def test_cli_translate_and_sim(tmp_path, placed, x, capsys):
    rir = tmp_path / "placed.rir"
    rir.write_text(print_module(placed))
    isa = tmp_path / "prog.isa"
    assert rnc_cli.main(["translate", str(rir), "--to", "isa", "-o", str(isa)]) == 0
    np.save(tmp_path / "x.npy", x)
    y, trace = tmp_path / "y.npy", tmp_path / "trace.json"
    assert rnc_cli.main(["sim", str(isa), "--input", str(tmp_path / "x.npy"), "-o", str(y), "--samples", "2",
                         "--json", "--trace", str(trace)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["samples"] == 2 and summary["total_ns"] > summary["latency_ns"] > 0
    energy = summary["energy"]   # docs/timing.md section 1, "Reported"
    for key in ("energy_per_inference_pj", "average_power_mw", "peak_power_mw", "area_mm2", "tops", "tops_per_w",
                "tops_per_mm2", "edap_pj_ns_mm2", "xbar_utilization", "adc_utilization", "digital_utilization"):
        assert energy[key] > 0, key
    assert energy["component_pj"]["adc"] > 0 and energy["component_area_mm2"]["adc"] > 0
    assert sum(energy["layer_pj"].values()) + energy["leakage_pj"] == pytest.approx(energy["energy_per_inference_pj"])
    assert np.load(y).shape == (1, 10)
    events = json.loads(trace.read_text())["traceEvents"]
    assert {e["args"]["name"] for e in events if e["ph"] == "M"} >= {"xb0", "t0.digital", "bus"}
    assert rnc_cli.main(["sim", str(isa), "--timing-model", "rnc"]) == 0
    assert "rnc" in capsys.readouterr().out


def test_cli_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.isa"
    bad.write_text("isa 1\nnonsense\n")
    assert rnc_cli.main(["sim", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "syntax error" in err
    assert rnc_cli.main(["translate", str(tmp_path / "missing.rir")]) == 2


def test_a_program_without_stages_is_refused_not_timed_as_infinitely_fast(tmp_path, capsys):
    empty = tmp_path / "empty.isa"
    empty.write_text("isa 1\n")
    assert rnc_cli.main(["sim", str(empty)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "inf" not in captured.err
    assert captured.err == f"rnc sim: error: {empty}: the program has no stages: nothing to simulate (is it a whole .isa program?)\n"


def test_replicate_pass_program_is_exact_and_times_like_rnc_compile(x):
    from rnc.sim.reference_timing import simulate_reference
    from rnc.driver.timing import reference_layers
    m = partitioned_net(passes="partition,replicate{budget=16}")
    verify(m)
    program = lower_program(m)
    assert any(mv.copy > 0 for s in program.stages for mv in s.mvms)
    result = simulate(program, [x], samples=3, timing_model="rnc")
    assert result.total_ns == pytest.approx(simulate_reference(reference_layers(m), 3).latency_ns)
    assert np.array_equal(result.outputs[0], dequantize(_reference(m, x), program.tensor("y").scale))


def test_digital_op_with_a_constant_operand(x):
    from isa_models import NET
    from rnc.ir.attributes import dense
    from rnc.ir.parser import parse_module
    from rnc.ir.pass_manager import PassManager, parse_pipeline
    net = NET.replace('''    %a = "nn.add"(%h, %r)''', '''    %k = "nn.constant"() {value = dense<0.5> : tensor<1x200x1x1xf32>} : () -> tensor<1x200x1x1xf32>
    %hm = "nn.mul"(%h, %k) : (tensor<1x200x8x8xf32>, tensor<1x200x1x1xf32>) -> tensor<1x200x8x8xf32>
    %a = "nn.add"(%hm, %r)''')
    m = parse_module(net)
    rng = np.random.default_rng(1)
    for op in list(m.walk()):
        if op.name == "nn.constant":
            op.set_attr("value", dense((rng.standard_normal(op.results[0].type.shape) * 0.3).astype(np.float32)))
    PassManager(parse_pipeline("partition")).run(m)
    place_one_per_xbar(m)
    text = lower_to_isa(m)
    assert "const %c0 [1,200,1,1] = @c0" in text and "mul %hm <- %h, %c0 elems 12800" in text
    program = parse_isa(text)
    assert print_program(program) == text
    out = simulate(program, x).outputs[0]
    assert np.array_equal(out, dequantize(_reference(m, x), program.tensor("y").scale))


def test_parsed_program_is_the_lowered_one(placed):
    program = lower_program(placed)
    parsed = parse_isa(print_program(program))
    verify(parsed)
    assert print_module(parsed) == print_module(program)


HEAD = """isa 1
target ""
xbars 1 rows 128 cols 128
input %x [1,4] scale 1.0
tensor %y [1,4] scale 1.0
"""


@pytest.mark.parametrize("body, message", [
    ('stage 1 "L" after input\n', "stage 1 is out of order: expected stage 0"),
    ('stage 0 "L" after input\n  lstm %y <- %x elems 4\n', "unknown digital opcode 'lstm'"),
    ('stage 0 "L" after input\n  relu %y <- %x alpha=1.0 elems 4\n', "'relu' has no argument 'alpha'"),
    ('stage 0 "L" after input\n  max_pool %y <- %x kernel_shape=[1,1] ceil_mode=2 elems 4\n',
     "'max_pool' flag 'ceil_mode' is written ceil_mode=1, got 2"),
    ('stage 0 "L" after input\n  accum %y.acc <- %x.acc tiles=2 elems 4\n', "accum reads and writes one accumulator"),
    ('const %k [2] = @k\n{-#\n  isa_resources: {\n    k: "0x0400000000000000"\n  }\n#-}\n',
     "resource 'k' holds 4 bytes but tensor<2xf32> needs 8"),
])
def test_semantic_errors_are_one_line(body, message):
    with pytest.raises(IsaSyntaxError, match=f"^prog.isa: {message}"):
        parse_isa(HEAD + body, "prog.isa")
