"""The table `rnc compile` prints: one row per budget, the baseline, and what the columns mean."""
from __future__ import annotations


def summary_table(result) -> str:
    """The table for a CompileResult (rnc.driver): one row per budget."""
    samples = result.baseline.samples
    simulated = any(r.isa for r in result.runs)
    head = (f"{'budget':>7} {'used':>5} {'bound':>5} {'util':>6} {'bottleneck':>10} {'latency(1) ms':>13} "
            f"{f'latency({samples}) ms':>13} {'speedup':>8}")
    lines = [head + (f" {'native':>8}  check" if simulated else "")]
    for r in result.runs:
        line = (f"{str(r.budget or 'min'):>7} {r.xbars_used:>5} {r.area_lower_bound_xbars:>5} "
                f"{100 * r.utilization_of_used:>5.1f}% {r.bottleneck_reduction:>9.2f}x "
                f"{r.latency_one_sample_ns / 1e6:>13.3f} {r.latency_ns / 1e6:>13.3f} "
                f"{r.speedup_vs_isaac:>7.2f}x")
        if r.isa:
            line += f" {r.isa.speedup:>7.2f}x  {'ok' if r.isa.check.passed else 'FAILED'}"
        lines.append(line)
    lines.append(f"ISAAC-like baseline: {result.baseline.xbars} crossbars, "
                 f"{result.baseline.latency_ns / 1e6:.3f} ms for {samples} samples")
    if simulated:
        check = result.last.isa.check
        lines.append("speedup: reference-compatible timing; native: docs/timing.md model of the .isa program; "
                     f"check: {check.describe()}")
    return "\n".join(lines)
