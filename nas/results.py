"""The search's outputs: candidate rows, the Pareto front, and their CSV files."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from rnc.driver.atomic import write_text_atomic
from rnc.driver.result import check_figures
from rnc.nas.objectives import DEFAULT, better_or_equal, minimised

# Cost columns are empty when the search computed no costs; `peripherals` when it searched none.
FIELDS = ("generation", "genes", "architecture", "accuracy", "latency_ns", "speedup", "xbars_used",
          "utilization", "feasible", "violations", "energy_pj", "area_mm2", "edap", "tops_per_w", "tops_per_mm2",
          "native_latency_ns", "peripherals")


def design(c: dict) -> tuple:
    """What makes two rows the same design: the network and, when searched, its periphery."""
    return c["architecture"], c.get("peripherals", "")


def pareto_front(candidates: list[dict], objectives: tuple[str, ...] = DEFAULT) -> list[dict]:
    """Feasible candidates (one per design) that no other feasible one beats in every objective, sorted by
    the last objective (best first)."""
    unique = {}
    for c in candidates:
        if c["feasible"]:
            unique.setdefault(design(c), c)
    rows = list(unique.values())
    values = {id(c): minimised(c, objectives) for c in rows}
    front = [c for c in rows if not any(
        better_or_equal(o, c, objectives) and values[id(o)] != values[id(c)] for o in rows)]
    return sorted(front, key=lambda c: (values[id(c)][-1], c["genes"]))


def best_feasible(candidates: list[dict]) -> tuple[float | None, float | None]:
    """(best accuracy, best speedup) over the feasible candidates, None when there is none."""
    ok = [c for c in candidates if c["feasible"]]
    accuracies = [c["accuracy"] for c in ok if c["accuracy"] is not None]
    return (max(accuracies) if accuracies else None), (max(c["speedup"] for c in ok) if ok else None)


# Co-search rows: the float accuracy beside the precision one (`accuracy`), and for compiled Pareto members the
# ISA simulator's top-1 on the searched validation samples.
FLOAT_ACCURACY = "float_accuracy"
CHECK_FIELDS = ("simulated_accuracy",)


def write_csv(path: str | Path, rows: list[dict]) -> None:
    """The whole file at once (temp file, then rename): readers never see half a generation. Rows of an
    intermittent search have its columns too, compiled co-search members theirs."""
    from rnc.nas.intermittent import POWER_FIELDS
    path = Path(path)
    fields = FIELDS + POWER_FIELDS if any(POWER_FIELDS[0] in row for row in rows) else FIELDS
    fields += CHECK_FIELDS if any(CHECK_FIELDS[0] in row for row in rows) else ()
    if any(FLOAT_ACCURACY in row for row in rows):
        at = fields.index("accuracy") + 1
        fields = fields[:at] + (FLOAT_ACCURACY,) + fields[at:]
    check_figures([{k: row.get(k) for k in fields} for row in rows], str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(path, text.getvalue())
