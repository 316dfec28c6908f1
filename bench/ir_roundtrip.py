"""Parse, verify and print speed of the .rir format, and rnc-opt start-up. Prints its figures.

Targets (issue 2): parse + verify >= 5,000 ops/s on 10,000 conv-like ops with attributes; print >= 50,000
ops/s; a 10 MB resource section parsed at >= 50 MB/s; rnc-opt on a 20-line file under 0.4 s wall.
Each figure is the best of a few runs, by wall clock and by this process's CPU time: on a machine shared
with other jobs the CPU figure is the one that says how fast the code is.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rnc.ir.parser import parse_module
from rnc.ir.printer import print_module
from rnc.ir.verifier import verify


def conv_like_module(n_ops: int) -> str:
    lines = ['"func.func"() ({', "^bb0(%x: tensor<1x16x32x32xf32>):"]
    prev = "%x"
    for i in range(n_ops):
        lines.append(
            f'  %v{i} = "test.op"({prev}) {{dilations = [1, 1], group = 1 : i64, kernel_shape = [3, 3], '
            f'pads = [1, 1, 1, 1], strides = [1, 1], alpha = 0.5 : f32}} : (tensor<1x16x32x32xf32>) -> '
            f'tensor<1x16x32x32xf32> loc("Conv_{i}")')
        prev = f"%v{i}"
    lines.append(f'  "func.return"({prev}) : (tensor<1x16x32x32xf32>) -> ()')
    lines.append('}) {function_type = (tensor<1x16x32x32xf32>) -> tensor<1x16x32x32xf32>, sym_name = "main"} '
                 ": () -> ()")
    return "\n".join(lines) + "\n"


def resource_module(megabytes: int) -> str:
    n = megabytes * (1 << 20) // 4
    data = os.urandom(n * 4)
    return ('%w = "test.op"() {value = dense_resource<blob> : tensor<' + str(n) + 'xf32>} : () -> tensor<'
            + str(n) + 'xf32>\n{-#\n  dialect_resources: {\n    builtin: {\n      blob: "0x04000000'
            + data.hex().upper() + '"\n    }\n  }\n#-}\n')


def best_of(fn, repeat: int = 3) -> tuple[float, float]:
    """(best wall time, best CPU time) of `repeat` calls."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu


def main() -> None:
    n = 10_000
    text = conv_like_module(n)
    parse_module(text)  # warm the grammar cache
    module = None

    def parse_and_verify():
        nonlocal module
        module = parse_module(text)
        verify(module)

    t_parse, c_parse = best_of(parse_and_verify)
    t_print, c_print = best_of(lambda: print_module(module))
    print(f"parse + verify: {n / t_parse:10,.0f} ops/s wall, {n / c_parse:10,.0f} ops/s CPU   "
          f"({t_parse:.3f} s for {n:,} conv-like ops; target >= 5,000)")
    print(f"print:          {n / t_print:10,.0f} ops/s wall, {n / c_print:10,.0f} ops/s CPU   "
          f"({t_print:.3f} s; target >= 50,000)")

    mb = 10
    res_text = resource_module(mb)
    t_res, c_res = best_of(lambda: parse_module(res_text))
    size_mb = len(res_text) / (1 << 20)
    print(f"resource parse: {size_mb / t_res:10,.1f} MB/s wall,  {size_mb / c_res:10,.1f} MB/s CPU    "
          f"({size_mb:.1f} MB of text holding {mb} MB; target >= 50)")

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.rir"
        small.write_text(conv_like_module(16))  # 20 lines
        exe = Path(sys.executable).with_name("rnc-opt")
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([str(exe), str(small), "--passes=dce"], check=True, capture_output=True)
            runs.append(time.perf_counter() - t)
        print(f"rnc-opt start-up + 20-line file: {min(runs):.3f} s best, {sorted(runs)[2]:.3f} s median "
              f"(target < 0.4 s)")


if __name__ == "__main__":
    main()
