"""The search's outputs: candidate rows, the Pareto front, and their CSV files."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from rnc.driver.atomic import write_text_atomic
from rnc.driver.result import check_figures

FIELDS = ("generation", "genes", "architecture", "accuracy", "latency_ns", "speedup", "xbars_used",
          "utilization", "feasible")


def pareto_front(candidates: list[dict]) -> list[dict]:
    """Feasible candidates (one per architecture) that no other feasible one beats in accuracy and speedup."""
    unique = {}
    for c in candidates:
        if c["feasible"]:
            unique.setdefault(c["architecture"], c)
    rows = list(unique.values())
    front = [c for c in rows if not any(
        o["accuracy"] >= c["accuracy"] and o["speedup"] >= c["speedup"]
        and (o["accuracy"] > c["accuracy"] or o["speedup"] > c["speedup"]) for o in rows)]
    return sorted(front, key=lambda c: (-c["speedup"], c["genes"]))


def best_feasible(candidates: list[dict]) -> tuple[float | None, float | None]:
    """(best accuracy, best speedup) over the feasible candidates, None when there is none."""
    ok = [c for c in candidates if c["feasible"]]
    if not ok:
        return None, None
    return max(c["accuracy"] for c in ok), max(c["speedup"] for c in ok)


def write_csv(path: str | Path, rows: list[dict]) -> None:
    """The whole file at once (temp file, then rename): readers never see half a generation."""
    path = Path(path)
    check_figures([{k: row.get(k) for k in FIELDS} for row in rows], str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(path, text.getvalue())
