"""`rnc nas train` then `rnc nas search`: checkpoints, CSVs, plot and Pareto ONNX files."""
import csv

from rnc.tools.rnc_cli import main


def test_train_then_search(tmp_path):
    out = str(tmp_path)
    assert main(["nas", "train", "--steps", "1", "--batch-size", "8", "--out", out]) == 0
    assert (tmp_path / "supernet.pt").is_file() and (tmp_path / "baseline.pt").is_file()
    assert main(["nas", "search", "--pop", "2", "--gens", "1", "--xbars", "211", "--samples", "2",
                 "--hw-image-size", "16", "--out", out]) == 0
    rows = list(csv.DictReader(open(tmp_path / "candidates.csv")))
    assert len(rows) == 2 and set(rows[0]) >= {"genes", "accuracy", "speedup", "xbars_used", "feasible"}
    pareto = list(csv.DictReader(open(tmp_path / "pareto.csv")))
    assert pareto and all((tmp_path / "pareto" / f"{r['genes']}.onnx").is_file() for r in pareto)
    assert (tmp_path / "pareto.png").stat().st_size > 0


def test_missing_cifar_folder_is_a_user_error(tmp_path, capsys):
    assert main(["nas", "train", "--data", "cifar10", "--data-dir", str(tmp_path / "none")]) == 2
    assert "does not exist" in capsys.readouterr().err
