"""`rnc nas search --power intermittent`: accuracy against intermittent latency, with the crossbar budget,
the existence of an execution design and --max-latency as constraints; candidates without a design are
not fine-tuned; every Pareto member's design is saved and is what `rnc compile --power intermittent`
finds for its ONNX."""
import csv
import json

import pytest

from rnc.nas import evaluate as evaluation
from rnc.tools.rnc_cli import main

POWER = ["--power", "intermittent", "--capacitor", "1mF", "--harvester", "52ohm"]


def _rows(path):
    return list(csv.DictReader(open(path)))


def test_tiny_intermittent_search(tmp_path, search_flags, monkeypatch):
    out = tmp_path / "s"
    assert main(search_flags(out) + ["--gens", "2", "--quiet", *POWER]) == 0
    rows = _rows(out / "candidates.csv")
    assert len(rows) == 8 and {"intermittent_latency_s", "intermittent_feasible", "power_cycles"} <= set(rows[0])
    pareto = _rows(out / "pareto.csv")
    assert pareto and all(r["feasible"] == "True" for r in pareto)
    latencies = [float(r["intermittent_latency_s"]) for r in pareto]
    assert latencies == sorted(latencies)          # the front runs from fastest to most accurate
    for r in pareto:
        saved = json.loads((out / "pareto" / f"{r['genes']}.intermittent.json").read_text())
        assert saved["feasible"] and saved["totals"]["latency_s"] == pytest.approx(float(r["intermittent_latency_s"]))
        compiled = tmp_path / f"c-{r['genes']}"
        assert main(["compile", str(out / "pareto" / f"{r['genes']}.onnx"), "--no-simulate", "--quiet", "--json",
                     "--out", str(compiled), *POWER]) == 0
        plan = json.loads((compiled / "intermittent.json").read_text())
        assert [x["design"] for x in plan["layers"]] == [x["design"] for x in saved["layers"]]


def test_no_design_means_infeasible_and_not_fine_tuned(tmp_path, search_flags, monkeypatch):
    """A 10 uF capacitor cannot hold the 70 ms reboot: no candidate has a design, none is fine-tuned."""
    calls = []
    real = evaluation.candidate_accuracy
    monkeypatch.setattr(evaluation, "candidate_accuracy", lambda ctx, genes: calls.append(genes) or real(ctx, genes))
    out = tmp_path / "s"
    assert main(search_flags(out) + ["--gens", "1", "--quiet", "--power", "intermittent", "--capacitor", "10uF",
                                     "--harvester", "52ohm"]) == 0
    rows = _rows(out / "candidates.csv")
    assert rows and all(r["intermittent_feasible"] == "False" and r["feasible"] == "False" and r["accuracy"] == ""
                        for r in rows)
    assert calls == [] and _rows(out / "pareto.csv") == []


def test_max_latency_is_a_constraint(tmp_path, search_flags):
    out = tmp_path / "s"
    assert main(search_flags(out) + ["--gens", "1", "--quiet", *POWER, "--max-latency", "1ms"]) == 0
    rows = _rows(out / "candidates.csv")
    assert all(r["intermittent_feasible"] == "True" and r["feasible"] == "False" and r["accuracy"] != ""
               for r in rows)


def test_bad_power_option_is_one_line(tmp_path, search_flags, capsys):
    assert main(search_flags(tmp_path) + ["--gens", "1", "--power", "intermittent", "--capacitor", "lots"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--capacitor" in err


def test_intermittent_objectives_and_limits():
    """The intermittent search in rnc.nas.objectives' terms: a missing figure is the worst value, a design
    must exist, and --max-latency bounds the intermittent latency (not the continuous one)."""
    from rnc.nas.objectives import UNREACHABLE, Limits, ObjectiveError, minimised, parse_objectives
    assert parse_objectives(None, False, "energy") == ("accuracy", "intermittent_energy")
    with pytest.raises(ObjectiveError, match="--power intermittent"):
        parse_objectives("accuracy,intermittent_latency", False)
    none = {"accuracy": None, "intermittent_latency_s": None, "intermittent_feasible": False, "xbars_used": 5,
            "feasible": True, "latency_ns": 1.0}
    assert minimised(none, ("accuracy", "intermittent_latency")) == [0.0, UNREACHABLE]
    limits = Limits(max_latency_us=1000.0, intermittent=True)
    assert limits.excesses(none, 10) == {"xbars": -5.0, "design": 1.0, "latency": 1.0}
    assert limits.violations(none, 10) == "no intermittent design"
    slow = none | {"intermittent_feasible": True, "intermittent_latency_s": 0.002, "accuracy": 0.5}
    assert limits.excesses(slow, 10)["latency"] == pytest.approx(1.0)
    assert limits.violations(slow, 10) == "intermittent latency 2000 > 1000 us"


def test_max_latency_takes_a_unit():
    from rnc.tools.commands.nas import _latency_us
    assert _latency_us("1ms") == pytest.approx(1000.0) and _latency_us("250") == 250.0
    for bad in ("lots", "0", "-1s"):
        with pytest.raises(Exception, match="--max-latency|expects"):
            _latency_us(bad)
