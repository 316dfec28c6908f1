"""`rnc compile --power intermittent`: the per-layer table, intermittent.json, and one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

RNC = [sys.executable, "-m", "rnc.tools.rnc_cli"]


def rnc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RNC, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """conv 3 -> 8 (k3, stride 2), depthwise 8 (k3), conv 8 -> 16 (k1), global pooling, linear 16 -> 10."""
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.standard_normal(s).astype(np.float32), n)
             for n, s in (("w1", (8, 3, 3, 3)), ("wd", (8, 1, 3, 3)), ("w2", (16, 8, 1, 1)), ("wf", (16, 10)))]
    nodes = [helper.make_node("Conv", ["x", "w1"], ["a"], name="c1", pads=[1, 1, 1, 1], strides=[2, 2]),
             helper.make_node("Relu", ["a"], ["r"], name="relu"),
             helper.make_node("Conv", ["r", "wd"], ["d"], name="dw", pads=[1, 1, 1, 1], group=8),
             helper.make_node("Conv", ["d", "w2"], ["c"], name="c2"),
             helper.make_node("GlobalAveragePool", ["c"], ["g"], name="gap"),
             helper.make_node("Flatten", ["g"], ["f"], name="flat"),
             helper.make_node("MatMul", ["f", "wf"], ["y"], name="fc")]
    graph = helper.make_graph(nodes, "small", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    path = tmp_path_factory.mktemp("m") / "small.onnx"
    onnx.save(m, path)
    return path


def test_intermittent_table_and_json(small_model, tmp_path):
    r = rnc("compile", str(small_model), "--no-simulate", "--quiet", "--out", str(tmp_path),
            "--power", "intermittent", "--capacitor", "1mF", "--harvester", "52ohm")
    assert r.returncode == 0, r.stderr
    assert "intermittent power: 1 mF" in r.stdout and "end-to-end" in r.stdout
    plan = json.loads((tmp_path / "intermittent.json").read_text())
    assert plan["feasible"]
    assert [x["kind"] for x in plan["layers"]] == ["conv", "depthwise", "conv", "matmul"]
    assert plan["layers"][1]["shape"] == {"out_h": 8, "out_w": 8, "out_ch": 8, "in_ch": 1, "kernel_h": 3,
                                          "kernel_w": 3, "stride": 1, "depthwise": True}
    assert plan["layers"][3]["shape"]["out_ch"] == 10 and plan["layers"][3]["shape"]["in_ch"] == 16
    layer = plan["layers"][0]
    assert layer["cycle_energy_j"]["max"] <= plan["power"]["usable_energy_j"]
    assert set(layer["terms"]) == {"reboot", "fetch_min", "fetch_max", "index_restore", "compute", "preserve",
                                   "index_save"}
    totals = plan["totals"]
    assert totals["latency_s"] == pytest.approx(sum(x["latency_s"] for x in plan["layers"]))
    assert totals["continuous_latency_s"] < totals["latency_s"] <= totals["unaware_latency_s"]


def test_report_voltage_and_power_failure_safe_program(small_model, tmp_path):
    """report.html draws the capacitor voltage (inline SVG, nothing fetched); program.intermittent.isa is
    the program in power cycles, and runs through a power failure to the continuous program's outputs."""
    from rnc.backends.isa import parse_isa
    from rnc.driver.intermittent import power_options
    from rnc.backends.isa.checkpoint import plan_checkpoints
    from rnc.ir.verifier import verify
    from rnc.sim.isa_sim.functional import run_functional
    from rnc.sim.isa_sim.power import run_intermittent
    r = rnc("compile", str(small_model), "--quiet", "--out", str(tmp_path), "--power", "intermittent")
    assert r.returncode == 0, r.stderr
    assert "power-failure-safe program:" in r.stdout
    page = (tmp_path / "report.html").read_text()
    assert '<svg id="capacitor-voltage"' in page and "<polyline" in page and 'id="intermittent"' in page
    assert "http://" not in page and "https://" not in page
    plain = parse_isa((tmp_path / "program.isa").read_text())
    safe = parse_isa((tmp_path / "program.intermittent.isa").read_text())
    verify(safe)
    assert safe.power_cycles > 0 and plain.power_cycles == 0
    power = plan_checkpoints(plain, power_options("1mF")).power
    x = [np.random.default_rng(1).standard_normal(t.shape).astype(np.float32) for t in plain.inputs]
    run = run_intermittent(safe, x, power, failures={40, 41, 120})
    assert run.failures == 3
    assert all(np.array_equal(a, b) for a, b in zip(run.outputs, run_functional(plain, x)))


def test_continuous_compile_writes_no_intermittent_program(small_model, tmp_path):
    r = rnc("compile", str(small_model), "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "program.intermittent.isa").exists()
    assert "capacitor-voltage" not in (tmp_path / "report.html").read_text()


def test_power_trace(small_model, tmp_path):
    trace = tmp_path / "trace.csv"
    trace.write_text("time_s,power_w\n0,0.002\n5,0.0\n10,0.004\n20,0.002\n")
    r = rnc("compile", str(small_model), "--no-simulate", "--quiet", "--out", str(tmp_path / "o"),
            "--power", "intermittent", "--power-trace", str(trace), "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads((tmp_path / "o" / "intermittent.json").read_text())
    assert plan["power"]["harvester"].startswith("trace trace.csv") and plan["totals"]["latency_s"] > 0


def test_infeasible_budget_is_one_line_with_the_lower_bound(small_model, tmp_path):
    r = rnc("compile", str(small_model), "--no-simulate", "--quiet", "--out", str(tmp_path),
            "--power", "intermittent", "--capacitor", "10uF", "--harvester", "100ohm")
    assert r.returncode == 2
    err = r.stderr.strip()
    assert "\n" not in err and "no execution design fits" in err and "needs C >=" in err


@pytest.mark.parametrize("args,message", [
    (["--capacitor", "big"], "--capacitor expects a number"),
    (["--capacitor", "2mF"], "--harvester is needed"),
    (["--harvester", "fast"], "--harvester expects a resistance"),
    (["--power-trace", "missing.csv"], "missing.csv: cannot read power trace"),
])
def test_bad_power_options_fail_before_compiling(small_model, tmp_path, args, message):
    r = rnc("compile", str(small_model), "--quiet", "--out", str(tmp_path), "--power", "intermittent", *args)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_latency_requirement_is_checked(small_model, tmp_path):
    r = rnc("compile", str(small_model), "--no-simulate", "--quiet", "--out", str(tmp_path),
            "--power", "intermittent", "--capacitor", "5mF", "--max-latency", "1ms")
    assert r.returncode == 2 and "exceeds --max-latency 0.001 s" in r.stderr
    totals = json.loads((tmp_path / "intermittent.json").read_text())["totals"]
    assert totals["inferences_to_nvm_wear_out"] == pytest.approx(1e15 / totals["power_cycles"])



def test_power_file_with_an_rram_nvm(small_model, tmp_path):
    fields = dict(read_j=1e-9, read_j_per_byte=1e-12, read_s=1e-8, read_s_per_byte=1e-9, write_j=1e-9,
                  write_j_per_byte=1e-11, write_s=1e-8, write_s_per_byte=1e-8, endurance_writes=1e6)
    nvm = "\n".join(f"{k} = {v!r}" for k, v in fields.items())
    path = tmp_path / "power.toml"
    path.write_text(f'[capacitor]\nfarads = 1e-3\n[harvester]\nwatts = 0.01\n[nvm]\nname = "rram"\n{nvm}\n')
    r = rnc("compile", str(small_model), "--no-simulate", "--quiet", "--out", str(tmp_path / "o"),
            "--power", "intermittent", "--power-file", str(path), "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads((tmp_path / "o" / "intermittent.json").read_text())
    assert plan["power"]["preserved_to"] == "rram" and plan["power"]["harvester"] == "0.01 W constant"
    assert plan["totals"]["inferences_to_nvm_wear_out"] == pytest.approx(1e6 / plan["totals"]["power_cycles"])


def test_a_buffer_too_small_for_any_tile_is_named(small_model, tmp_path):
    path = tmp_path / "power.toml"
    path.write_text("[capacitor]\nfarads = 1e-3\n[device]\nbuffer_bytes = 8\n")
    r = rnc("compile", str(small_model), "--no-simulate", "--quiet", "--out", str(tmp_path / "o"),
            "--power", "intermittent", "--power-file", str(path))
    assert r.returncode == 2 and "fits the 8-byte volatile buffer" in r.stderr
