"""What the search optimises and what it must respect: objectives and constraints from candidate records.

Objectives (`--objectives`, any of `OBJECTIVES`) are minimised by pymoo as `minimised(record)`: accuracy and
the efficiency figures are negated. Latency is minimised through the speedup over the space's ISAAC-like
baseline (the same order, since the baseline's latency is one constant), which keeps the default search's
crowding distances, and so its results, what they were. Constraints are pymoo's `G <= 0` rows: the crossbar
budget always, and `--max-area`, `--max-latency`, `--max-energy` when given, the area limit loosened by
`--area-tolerance` percent (XPert's area tolerance). A candidate that breaks one is kept and marked
(`feasible` False, `violations` naming each limit it breaks).

Under harvested power (`rnc nas search --power intermittent`, rnc.nas.intermittent) the objectives
`intermittent_latency` and `intermittent_energy` minimise the end-to-end figures of the per-layer execution
designs, a design existing for every layer is one more constraint, and `--max-latency` bounds the
intermittent latency instead of the continuous one. A figure that was not computed (no accuracy for a
candidate that was not fine-tuned, no latency without a design) counts as the worst value.
"""
from __future__ import annotations

from dataclasses import dataclass

OBJECTIVES = ("accuracy", "latency", "energy", "area", "edap", "intermittent_latency", "intermittent_energy")
DEFAULT = ("accuracy", "latency")
DEFAULT_PERIPHERALS = ("accuracy", "edap")
INTERMITTENT = ("intermittent_latency", "intermittent_energy")     # need --power intermittent
# Record key whose value each objective minimises, and the sign applied.
_KEYS = {"accuracy": ("accuracy", -1.0), "latency": ("speedup", -1.0), "energy": ("energy_pj", 1.0),
         "area": ("area_mm2", 1.0), "edap": ("edap", 1.0),
         "intermittent_latency": ("intermittent_latency_s", 1.0), "intermittent_energy": ("intermittent_energy_j", 1.0)}
UNREACHABLE = 1e30          # a minimised cost that was not computed (pymoo needs a finite number)
COST_OBJECTIVES = ("energy", "area", "edap")


class ObjectiveError(ValueError):
    """A bad --objectives list or limit: one line for the user."""


def parse_objectives(text: str | None, peripherals: bool, power_objective: str | None = None) -> tuple[str, ...]:
    """'accuracy,edap' -> ('accuracy', 'edap'); None -> the default for the mode (under --power intermittent,
    accuracy and the intermittent `power_objective`, latency or energy)."""
    if text is None:
        if power_objective is not None:
            return ("accuracy", f"intermittent_{power_objective}")
        return DEFAULT_PERIPHERALS if peripherals else DEFAULT
    names = tuple(n.strip().lower() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in OBJECTIVES]
    if unknown:
        raise ObjectiveError(f"unknown objective '{unknown[0]}' (choose from {', '.join(OBJECTIVES)})")
    if len(set(names)) != len(names):
        raise ObjectiveError(f"--objectives names an objective twice: {text}")
    if not names:
        raise ObjectiveError("--objectives needs at least one objective")
    if power_objective is None and any(n in INTERMITTENT for n in names):
        raise ObjectiveError(f"the objective '{next(n for n in names if n in INTERMITTENT)}' needs --power intermittent")
    return names


def minimised(record: dict, objectives: tuple[str, ...]) -> list[float]:
    """The record's objective values as pymoo minimises them (a missing figure as the worst value)."""
    return [_minimised(record.get(_KEYS[name][0]), _KEYS[name][1]) for name in objectives]


def _minimised(value, sign: float) -> float:
    if value is None:       # not computed: no accuracy (maximised, so 0 is the worst), no intermittent design
        return 0.0 if sign < 0 else UNREACHABLE
    return sign * value


def better_or_equal(a: dict, b: dict, objectives: tuple[str, ...]) -> bool:
    return all(x <= y for x, y in zip(minimised(a, objectives), minimised(b, objectives)))


@dataclass(frozen=True)
class Limits:
    """The constraints besides the crossbar budget (None: no limit). `intermittent` (--power intermittent):
    a design must exist for every layer, and `max_latency_us` bounds the intermittent latency."""
    max_area_mm2: float | None = None
    max_latency_us: float | None = None
    max_energy_uj: float | None = None
    area_tolerance_pct: float = 0.0
    intermittent: bool = False

    @property
    def needs_costs(self) -> bool:
        return self.max_area_mm2 is not None or self.max_energy_uj is not None

    @property
    def area_limit_mm2(self) -> float | None:
        return None if self.max_area_mm2 is None else self.max_area_mm2 * (1 + self.area_tolerance_pct / 100)

    def excesses(self, record: dict, xbars: int | None) -> dict[str, float]:
        """Each constraint as pymoo's G (<= 0 when met), relative to its limit so that they weigh alike
        (`xbars` None: no crossbar budget, every candidate on its fewest crossbars)."""
        # the search's original constraint, as it was
        out = {"xbars": 0.0 if xbars is None else float(record["xbars_used"] - xbars)}
        if self.area_limit_mm2 is not None:
            out["area"] = record["area_mm2"] / self.area_limit_mm2 - 1
        if self.intermittent:
            out["design"] = 0.0 if record["intermittent_feasible"] else 1.0
        if self.max_latency_us is not None:
            latency = self._latency_us(record)
            out["latency"] = 1.0 if latency is None else latency / self.max_latency_us - 1
        if self.max_energy_uj is not None:
            out["energy"] = record["energy_pj"] * 1e-6 / self.max_energy_uj - 1
        return out

    def violations(self, record: dict, xbars: int | None) -> str:
        """The limits `record` breaks, e.g. 'xbars 230 > 211; area 6.1 > 5.25 mm2' ('' when none); `record`'s
        own `feasible` says whether it packed into the budget."""
        g = self.excesses(record, xbars)
        text = []
        if xbars is not None and (g["xbars"] > 0 or not record["feasible"]):
            text.append(f"xbars {record['xbars_used']} > {xbars}")
        if g.get("area", 0) > 0:
            text.append(f"area {record['area_mm2']:.4g} > {self.area_limit_mm2:.4g} mm2")
        if g.get("design", 0) > 0:
            text.append("no intermittent design")
        latency = self._latency_us(record) if "latency" in g else None
        if g.get("latency", 0) > 0 and latency is not None:
            what = "intermittent latency" if self.intermittent else "latency"
            text.append(f"{what} {latency:.4g} > {self.max_latency_us:.4g} us")
        if g.get("energy", 0) > 0:
            text.append(f"energy {record['energy_pj'] * 1e-6:.4g} > {self.max_energy_uj:.4g} uJ")
        return "; ".join(text)

    def _latency_us(self, record: dict) -> float | None:
        """The latency --max-latency bounds: the intermittent one under harvested power (None: no design)."""
        if self.intermittent:
            seconds = record["intermittent_latency_s"]
            return None if seconds is None else seconds * 1e6
        return record["latency_ns"] * 1e-3
