"""`rnc sim prog.isa [--input x.npy -o y.npy] [--samples S] [--json] [--trace t.json] [--timing-model M]`."""
from __future__ import annotations

import argparse
import io
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("program", help=".isa file")
    parser.add_argument("--input", action="append", default=[], help=".npy input (repeat for several inputs)")
    parser.add_argument("-o", "--output", help=".npy file for the (first) output")
    parser.add_argument("--samples", type=int, default=1, help="samples pipelined through the program (default 1)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--trace", help="write a Chrome trace-event JSON file")
    parser.add_argument("--timing-model", choices=("rnc-native", "rnc"), default="rnc-native",
                        help="rnc-native: docs/timing.md; rnc: the reference's model (default rnc-native)")


def _fail(message: str) -> int:
    sys.stderr.write(f"rnc sim: error: {message}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from rnc.backends.isa import IsaSyntaxError, parse_isa
    from rnc.sim.isa_sim import SimError, simulate
    from rnc.driver.atomic import write_bytes_atomic, write_text_atomic
    from rnc.tools.text_files import TextFileError, read_text_file

    try:
        text = read_text_file(args.program)
    except TextFileError as e:
        return _fail(str(e))
    try:
        program = parse_isa(text, args.program)
        inputs = [np.load(path) for path in args.input] if args.input else None
    except IsaSyntaxError as e:
        return _fail(str(e))
    except (OSError, ValueError) as e:
        return _fail(f"cannot read an input: {e}")
    if args.output and inputs is None:
        return _fail("-o needs --input")
    if args.samples < 1:  # an option problem, not the program's
        return _fail(f"samples must be >= 1, got {args.samples}")
    try:
        result = simulate(program, inputs, samples=args.samples, timing_model=args.timing_model,
                          trace=bool(args.trace))
    except (SimError, ValueError, KeyError) as e:
        return _fail(f"{args.program}: {e}")
    try:
        if args.output:
            buf = io.BytesIO()
            np.save(buf, result.outputs[0])
            write_bytes_atomic(args.output, buf.getvalue())
        if args.trace:
            write_text_atomic(args.trace, json.dumps({"traceEvents": result.trace_events}))
    except OSError as e:
        return _fail(f"cannot write: {e.strerror}")
    summary = result.summary_dict()
    if args.json:
        sys.stdout.write(json.dumps(summary, indent=1) + "\n")
    else:
        sys.stdout.write(_text(summary))
    return 0


def _text(s: dict) -> str:
    lines = [f"timing model     {s['timing_model']}",
             f"latency          {s['latency_ns']:.3f} ns (one sample)",
             f"total            {s['total_ns']:.3f} ns ({s['samples']} samples)",
             f"throughput       {s['throughput_per_s']:.3f} samples/s"]
    busy = s["xbar_busy"]
    if busy:
        lines.append("crossbar busy    " + " ".join(f"{k}={v:.3f}" for k, v in busy.items()))
    if s.get("unit_busy"):
        lines.append("unit busy        " + " ".join(f"{k}={v:.3f}" for k, v in s["unit_busy"].items()))
    e = s.get("energy")
    if e:
        lines += [f"chip             {e['chip']}, {e['tiles']} tiles, {e['area_mm2']:.4f} mm^2",
                  f"energy           {e['energy_per_inference_pj'] / 1e6:.4f} uJ per inference "
                  f"(leakage {e['leakage_pj'] / 1e6:.4f} uJ)",
                  f"power            {e['average_power_mw']:.2f} mW average, {e['peak_power_mw']:.2f} mW peak",
                  f"efficiency       {e['tops']:.4f} TOPS, {e['tops_per_w']:.3f} TOPS/W, "
                  f"{e['tops_per_mm2']:.4f} TOPS/mm^2, EDAP {e['edap_pj_ns_mm2']:.4g} pJ ns mm^2",
                  f"bottleneck       {e['bottleneck']} ({100 * e['bottleneck_busy']:.0f}% busy)"]
    lines.append("per layer (first sample, ns):")
    lines += [f"  {k:<32} {v:.3f}" for k, v in s["per_layer_ns"].items()]
    return "\n".join(lines) + "\n"
