"""The accuracy-vs-speedup picture of a search: every candidate, the Pareto front, the baseline."""
from __future__ import annotations

import io
from pathlib import Path

from rnc.driver.atomic import write_bytes_atomic


def plot_search(path: str | Path, candidates: list[dict], pareto: list[dict], xbars: int,
                baseline_accuracy: float | None) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    ok = [c for c in candidates if c["feasible"]]
    bad = [c for c in candidates if not c["feasible"] and c["accuracy"] is not None]   # None: not fine-tuned
    ax.scatter([c["speedup"] for c in ok], [c["accuracy"] for c in ok], s=10, c="grey", label="feasible")
    ax.scatter([c["speedup"] for c in bad], [c["accuracy"] for c in bad], s=10, c="red", marker="x",
               label=f"infeasible (> {xbars} crossbars)")
    ax.plot([c["speedup"] for c in pareto], [c["accuracy"] for c in pareto], "o-", c="C0", label="Pareto front")
    if baseline_accuracy is not None:
        ax.scatter([1.0], [baseline_accuracy], marker="*", s=150, c="black", label="mbv3_small, ISAAC-like")
    ax.set_xlabel("speedup vs ISAAC-like mbv3_small")
    ax.set_ylabel("validation accuracy")
    ax.legend(fontsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=120, format="png")
    plt.close(fig)
    write_bytes_atomic(path, buffer.getvalue())   # whole or not at all
