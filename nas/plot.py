"""The accuracy picture of a search against speedup or EDAP: every candidate, the Pareto front, the baseline."""
from __future__ import annotations

import io
from pathlib import Path

from rnc.driver.atomic import write_bytes_atomic

# x axis -> (record key, label, log scale)
AXES = {"speedup": ("speedup", "speedup vs ISAAC-like mbv3_small", False),
        "edap": ("edap", "EDAP (pJ x ns x mm^2, native run)", True),
        "intermittent_latency": ("intermittent_latency_s", "intermittent end-to-end latency (s)", True),
        "intermittent_energy": ("intermittent_energy_j", "intermittent end-to-end energy (J)", True)}


def plot_search(path: str | Path, candidates: list[dict], pareto: list[dict], xbars: int,
                baseline_accuracy: float | None, x: str = "speedup") -> None:
    """Accuracy against `x` (an `AXES` key); candidates without an accuracy (vgg16's, or not fine-tuned for
    want of an intermittent design) are left out."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    key, label, log = AXES[x]
    candidates = [c for c in candidates if c.get("accuracy") is not None and c.get(key) is not None]
    pareto = [c for c in pareto if c.get("accuracy") is not None and c.get(key) is not None]
    fig, ax = plt.subplots(figsize=(6, 4))
    ok = [c for c in candidates if c["feasible"]]
    bad = [c for c in candidates if not c["feasible"]]
    ax.scatter([c[key] for c in ok], [c["accuracy"] for c in ok], s=10, c="grey", label="feasible")
    ax.scatter([c[key] for c in bad], [c["accuracy"] for c in bad], s=10, c="red", marker="x",
               label=f"infeasible (> {xbars} crossbars)" if x == "speedup" else "infeasible")
    ax.plot([c[key] for c in pareto], [c["accuracy"] for c in pareto], "o-", c="C0", label="Pareto front")
    if baseline_accuracy is not None and x == "speedup":
        ax.scatter([1.0], [baseline_accuracy], marker="*", s=150, c="black", label="mbv3_small, ISAAC-like")
    if log and candidates:      # no point to draw: a log axis has no range
        ax.set_xscale("log")
    ax.set_xlabel(label)
    ax.set_ylabel("validation accuracy")
    ax.legend(fontsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=120, format="png")
    plt.close(fig)
    write_bytes_atomic(path, buffer.getvalue())   # whole or not at all
