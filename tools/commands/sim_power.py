"""`rnc sim prog.isa --power intermittent ...`: a power-failure-safe program run on a capacitor."""
from __future__ import annotations

import io
import json
import sys

from rnc.tools.commands.sim import _fail


def run_power(args, program, inputs) -> int:
    """Runs `program` under the power options of `args` (seeded normal inputs when none are given); prints
    power cycles, failures, latency and energy, writes -o; 2 on a bad option or program."""
    import numpy as np

    from rnc.driver.atomic import write_bytes_atomic
    from rnc.hw.chip import load_chip
    from rnc.hw.power import PowerError
    from rnc.hw.power_options import power_options
    from rnc.sim.isa_sim import SimError
    from rnc.sim.isa_sim.power import run_intermittent
    try:
        failures = {int(n) for n in args.fail_at.split(",") if n.strip()}
    except ValueError:
        return _fail(f"--fail-at expects instruction numbers like 3,17, got '{args.fail_at}'")
    try:
        options = power_options(args.capacitor, args.harvester, args.power_trace, power_file=args.power_file)
        chip = program.target.target.chip_model() if options.chip is None else load_chip(options.chip)
        power = options.power_model(options.harvester, chip.tile.buffer_bytes)
        if inputs is None:
            rng = np.random.default_rng(0)
            inputs = [rng.standard_normal(t.shape).astype(np.float32) for t in program.inputs]
        run = run_intermittent(program, inputs, power, failures=failures)
    except (PowerError, SimError, ValueError, KeyError) as e:
        return _fail(f"{args.program}: {e}")
    if args.output:
        buf = io.BytesIO()
        np.save(buf, run.outputs[0])
        try:
            write_bytes_atomic(args.output, buf.getvalue())
        except OSError as e:
            return _fail(f"cannot write: {e.strerror}")
    summary = {"power_cycles": run.cycles, "failures": run.failures, "instructions": run.executed,
               "latency_s": run.latency_s, "energy_j": run.energy_j,
               "usable_energy_per_cycle_j": power.usable_energy_j}
    if args.json:
        sys.stdout.write(json.dumps(summary, indent=1) + "\n")
    else:
        sys.stdout.write(f"power cycles     {run.cycles} ({run.failures} failures)\n"
                         f"instructions     {run.executed}\n"
                         f"latency          {run.latency_s:.6g} s (end to end, recharges included)\n"
                         f"energy           {run.energy_j:.6g} J\n")
    return 0

