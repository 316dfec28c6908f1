"""The search's outputs: candidate rows, the Pareto front, and their CSV files."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from rnc.driver.atomic import write_text_atomic
from rnc.driver.result import check_figures

FIELDS = ("generation", "genes", "architecture", "accuracy", "latency_ns", "speedup", "xbars_used",
          "utilization", "feasible")


def pareto_front(candidates: list[dict], intermittent: str | None = None) -> list[dict]:
    """Feasible candidates (one per architecture) that no other feasible one beats in accuracy and speedup,
    or (with `intermittent` = "latency" or "energy") in accuracy and that intermittent figure."""
    unique = {}
    for c in candidates:
        if c["feasible"]:
            unique.setdefault(c["architecture"], c)
    rows = list(unique.values())
    if intermittent is None:
        def score(c):
            return (c["accuracy"], c["speedup"])
    else:
        key = "intermittent_latency_s" if intermittent == "latency" else "intermittent_energy_j"

        def score(c):
            return (c["accuracy"], -c[key])
    front = [c for c in rows if not any(
        all(a >= b for a, b in zip(score(o), score(c))) and score(o) != score(c) for o in rows)]
    return sorted(front, key=lambda c: (-score(c)[1], c["genes"]))


def best_feasible(candidates: list[dict]) -> tuple[float | None, float | None]:
    """(best accuracy, best speedup) over the feasible candidates, None when there is none."""
    ok = [c for c in candidates if c["feasible"]]
    if not ok:
        return None, None
    return max(c["accuracy"] for c in ok), max(c["speedup"] for c in ok)


def write_csv(path: str | Path, rows: list[dict]) -> None:
    """The whole file at once (temp file, then rename): readers never see half a generation. Rows of an
    intermittent search have its columns too."""
    from rnc.nas.intermittent import POWER_FIELDS
    path = Path(path)
    fields = FIELDS + POWER_FIELDS if any(POWER_FIELDS[0] in row for row in rows) else FIELDS
    check_figures([{k: row.get(k) for k in fields} for row in rows], str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(path, text.getvalue())
