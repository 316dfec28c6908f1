"""The table `rnc compile` prints: one row per budget, the baseline, and what the columns mean.

With a simulated .isa program (the default) the row leads with rnc's own model (native latency, speedup,
energy, power, area, efficiency on the target's chip); the reference-compatible speedup follows as a labelled
column, for comparing with the RNC paper.
"""
from __future__ import annotations

from rnc.tools.compile.units import duration, energy


def summary_table(result) -> str:
    """The table for a CompileResult (rnc.driver): one row per budget."""
    if any(r.isa for r in result.runs):
        return _native_table(result)
    samples = result.baseline.samples
    head = (f"{'budget':>7} {'used':>5} {'bound':>5} {'util':>6} {'bottleneck':>10} {'latency(1)':>11} "
            f"{f'latency({samples})':>11} {'speedup':>8}")
    lines = [head]
    for r in result.runs:
        lines.append(f"{str(r.budget or 'min'):>7} {r.xbars_used:>5} {r.area_lower_bound_xbars:>5} "
                     f"{100 * r.utilization_of_used:>5.1f}% {r.bottleneck_reduction:>9.2f}x "
                     f"{duration(r.latency_one_sample_ns):>11} {duration(r.latency_ns):>11} "
                     f"{r.speedup_vs_isaac:>7.2f}x")
    lines.append(f"ISAAC-like baseline: {result.baseline.xbars} crossbars, "
                 f"{duration(result.baseline.latency_ns)} for {samples} samples")
    return "\n".join(lines)


def _native_table(result) -> str:
    head = (f"{'budget':>7} {'used':>5} {'latency':>10} {'speedup':>8} {'energy':>10} {'vs base':>8} "
            f"{'power mW':>9} {'area mm2':>9} {'TOPS/W':>7} {'TOPS/mm2':>9} {'ref speedup':>11}  check")
    lines = [head]
    for r in result.runs:
        n = r.native()
        line = (f"{str(r.budget or 'min'):>7} {r.xbars_used:>5} {duration(n['native_latency_one_sample_ns']):>10} "
                f"{n['native_speedup_vs_isaac']:>7.2f}x {energy(n['energy_per_inference_pj']):>10} "
                f"{n['energy_vs_isaac']:>7.2f}x {n['average_power_mw']:>9.1f} {n['area_mm2']:>9.3f} "
                f"{n['tops_per_w']:>7.3f} {n['tops_per_mm2']:>9.4f} {r.speedup_vs_isaac:>10.2f}x  "
                f"{'ok' if r.isa.check.passed else 'FAILED'}")
        lines.append(line)
    b = result.baseline
    be = b.native_energy
    lines.append(f"ISAAC-like baseline on the same chip ({be['chip']}): {b.xbars} crossbars, "
                 f"{duration(b.native_latency_ns)} for {b.samples} samples, "
                 f"{energy(be['energy_per_inference_pj'])}, {be['area_mm2']:.3f} mm2")
    for r in result.runs:
        line = r.native()["verdict"]
        if line:
            lines.append(f"budget {r.budget or 'min'}: {line}")
    if result.accuracy is not None:
        lines.append(result.accuracy.describe())
    check = result.last.isa.check
    lines.append("latency: one sample, rnc-native model (docs/timing.md); speedup and vs base: ISAAC-like "
                 f"{b.samples}-sample time / ours, energy per inference; ref speedup: reference-compatible "
                 f"timing (RNC paper); check: {check.describe()}")
    return "\n".join(lines)


def size_table(sweep) -> str:
    """The table of a crossbar-size sweep (rnc.driver.size_sweep): one row per size and budget."""
    rows = sweep.rows()
    native = all(r["native_speedup_vs_isaac"] is not None for r in rows)
    head = (f"{'size':>9} {'budget':>7} {'tiles':>6} {'used':>5} {'util':>6} "
            f"{'latency':>10} {'speedup':>8}" + (f" {'energy':>10} {'area mm2':>9}  check" if native else ""))
    lines = [head]
    for r in rows:
        latency = r["native_latency_one_sample_ns"] if native else r["latency_one_sample_ns"]
        speedup = r["native_speedup_vs_isaac"] if native else r["speedup_vs_isaac"]
        line = (f"{r['xbar_size']:>9} {str(r['budget_xbars'] or 'min'):>7} {r['tiles']:>6} {r['xbars_used']:>5} "
                f"{100 * r['utilization_of_used']:>5.1f}% {duration(latency):>10} {speedup:>7.2f}x")
        if native:
            line += (f" {energy(r['energy_per_inference_pj']):>10} {r['area_mm2']:>9.3f}  "
                     f"{'ok' if r['isa']['functional_check']['passed'] else 'FAILED'}")
        lines.append(line)
    model = "rnc-native" if native else "reference-compatible"
    lines.append(f"latency: one sample ({model} timing); speedup: over the ISAAC-like mapping on crossbars of the "
                 f"same size; util: share of the used crossbars' cells holding weights")
    return "\n".join(lines)
