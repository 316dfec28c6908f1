"""Import speed and memory of the frontends. Prints its figures.

1. Each built-in model: torch export + ONNX import (target < 2 s together), and one interpreter run.
2. A generated 50 MB ONNX file of large linear layers: import time and peak memory, measured in a fresh
   process from the RSS high-water mark (reset just before the import; Linux), in units of the weights'
   size. Target: at most two copies of the weights at any time.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WEIGHTS_MB = 50
LAYER_WIDTH = 1792  # 4 layers of 1792 x 1792 float32 = 4 x 12.25 MiB
MAX_WEIGHT_COPIES = 2.0


def builtin_models() -> None:
    import torch

    from rnc.frontends.onnx import import_onnx
    from rnc.frontends.torch import export_onnx
    from rnc.frontends.zoo import BUILTIN_MODELS, build_model, model_names
    from rnc.sim.interpreter import run_module

    print("built-in models (build excluded; export + import target < 2 s):")
    export_onnx(torch.nn.Linear(2, 2), torch.zeros(1, 2))  # warm-up: the first export loads the exporter
    for name in model_names():
        shape = BUILTIN_MODELS[name].input_shape
        model = build_model(name)
        t0 = time.perf_counter()
        proto = export_onnx(model, torch.zeros(shape))
        t1 = time.perf_counter()
        module = import_onnx(proto)
        t2 = time.perf_counter()
        run_module(module, [np.zeros(shape, np.float32)])
        t3 = time.perf_counter()
        ops = sum(1 for op in module.walk() if op.name.startswith("nn."))
        print(f"  {name:11s} export {t1 - t0:6.3f} s  import {t2 - t1:6.3f} s  total {t2 - t0:6.3f} s  "
              f"({ops} nn ops; interpreter {t3 - t2:.3f} s)")


def write_large_model(path: Path) -> int:
    """A chain of Gemm layers whose weights total about WEIGHTS_MB; returns the weight bytes."""
    from onnx import TensorProto, helper, numpy_helper, save_model

    rng = np.random.default_rng(0)
    layers = max(1, WEIGHTS_MB * (1 << 20) // (LAYER_WIDTH * LAYER_WIDTH * 4))
    nodes, init, prev = [], [], "x"
    for i in range(layers):
        w = (rng.standard_normal((LAYER_WIDTH, LAYER_WIDTH)) / np.sqrt(LAYER_WIDTH)).astype(np.float32)
        init.append(numpy_helper.from_array(w, f"fc{i}.weight"))
        init.append(numpy_helper.from_array(np.zeros(LAYER_WIDTH, np.float32), f"fc{i}.bias"))
        nodes.append(helper.make_node("Gemm", [prev, f"fc{i}.weight", f"fc{i}.bias"], [f"h{i}"], name=f"fc{i}",
                                      transB=1))
        prev = f"h{i}"
    nodes.append(helper.make_node("Relu", [prev], ["y"], name="relu"))
    graph = helper.make_graph(nodes, "large", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, LAYER_WIDTH])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], init)
    save_model(helper.make_model(graph), str(path))
    return sum(t.ByteSize() for t in init)


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_child(path: str) -> None:
    """Runs in a fresh process: import the model, report time and RSS peak over the pre-import RSS."""
    from rnc.frontends.onnx import import_onnx
    import onnx.reference  # noqa: F401  (what an import may load, loaded before the baseline)

    Path("/proc/self/clear_refs").write_text("5")  # reset the RSS high-water mark to the current RSS
    before = _rss_kib("VmRSS")
    t = time.perf_counter()
    module = import_onnx(path)
    elapsed = time.perf_counter() - t
    peak = _rss_kib("VmHWM")
    after = _rss_kib("VmRSS")
    del module
    print(f"{elapsed} {before} {peak} {after}")


def large_model() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.onnx"
        weight_bytes = write_large_model(path)
        out = subprocess.run([sys.executable, __file__, "--memory-child", str(path)], check=True,
                             capture_output=True, text=True).stdout.split()
        elapsed, before, peak, after = float(out[0]), *(int(v) * 1024 for v in out[1:])
        copies = (peak - before) / weight_bytes
        mb = 1 << 20
        print(f"generated ONNX file: {path.stat().st_size / mb:.1f} MiB ({weight_bytes / mb:.1f} MiB of weights)")
        print(f"  import: {elapsed:.3f} s; RSS peak +{(peak - before) / mb:.1f} MiB = {copies:.2f} copies of the "
              f"weights (target <= {MAX_WEIGHT_COPIES:.0f}); after import +{(after - before) / mb:.1f} MiB")


def main() -> None:
    builtin_models()
    if sys.platform.startswith("linux"):
        large_model()
    else:
        print("large-model memory measurement needs Linux (/proc/self/status)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-child":
        memory_child(sys.argv[2])
    else:
        main()
