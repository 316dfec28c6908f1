"""`rnc nas train` then `rnc nas search`: checkpoints, CSVs, plot, Pareto ONNX; --resume; user errors."""
import csv
import os

from rnc.nas.checkpoint import CHECKPOINT_NAME
from rnc.tools.rnc_cli import main


def test_train_then_search(tmp_path, capsys):
    out = str(tmp_path)
    assert main(["nas", "train", "--steps", "1", "--batch-size", "8", "--data-limit", "64", "--out", out]) == 0
    assert (tmp_path / "supernet.pt").is_file() and (tmp_path / "baseline.pt").is_file()
    assert main(["nas", "search", "--pop", "2", "--gens", "1", "--xbars", "211", "--samples", "2",
                 "--hw-image-size", "16", "--data-limit", "64", "--out", out]) == 0
    rows = list(csv.DictReader(open(tmp_path / "candidates.csv")))
    assert len(rows) == 2 and set(rows[0]) >= {"genes", "accuracy", "speedup", "xbars_used", "feasible"}
    pareto = list(csv.DictReader(open(tmp_path / "pareto.csv")))
    assert pareto and all((tmp_path / "pareto" / f"{r['genes']}.onnx").is_file() for r in pareto)
    umask = os.umask(0)
    os.umask(umask)
    modes = {p.name: p.stat().st_mode & 0o777 for p in [*tmp_path.glob("*.*"), *tmp_path.glob("pareto/*")]}
    assert set(modes.values()) == {0o666 & ~umask}, modes   # issue #16: the Pareto ONNX files were 0600
    assert (tmp_path / "pareto.png").stat().st_size > 0
    # stdout is not a terminal here: no progress display.
    assert capsys.readouterr().out == ""


def test_resume_equals_an_uninterrupted_run(tmp_path, search_flags):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main(search_flags(whole) + ["--gens", "2"]) == 0
    assert main(search_flags(parts) + ["--gens", "1"]) == 0
    assert main(search_flags(parts) + ["--gens", "2", "--resume", "--quiet"]) == 0
    for name in ("candidates.csv", "pareto.csv"):
        assert (parts / name).read_bytes() == (whole / name).read_bytes()


def test_missing_or_corrupt_checkpoint_is_a_one_line_error(tmp_path, search_flags, capsys):
    assert main(search_flags(tmp_path) + ["--gens", "1", "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no search checkpoint" in err
    (tmp_path / CHECKPOINT_NAME).write_bytes(b"\x80\x05not a pickle")
    assert main(search_flags(tmp_path) + ["--gens", "1", "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unreadable" in err and "Traceback" not in err


def test_missing_cifar_folder_is_a_user_error(tmp_path, capsys):
    assert main(["nas", "train", "--data", "cifar10", "--data-dir", str(tmp_path / "none")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cell_bits_without_peripherals_is_a_one_line_error(tmp_path, search_flags, capsys):
    assert main(search_flags(tmp_path) + ["--gens", "1", "--cell-bits", "1"]) == 2
    err = capsys.readouterr().err
    assert "--cell-bits sets the co-search's cells: it needs --peripherals" in err and len(err.strip().splitlines()) == 1


def test_cell_bits_joins_the_co_search_target_values():
    from argparse import Namespace
    from rnc.nas.evaluate import CO_SEARCH_TARGET_VALUES, EvalSettings
    from rnc.tools.commands.nas import _co_search_values
    assert _co_search_values(Namespace(cell_bits=None)) is None
    settings = EvalSettings(None, peripherals=True, target_values=_co_search_values(Namespace(cell_bits=2)))
    assert settings.target_overrides == {**CO_SEARCH_TARGET_VALUES, "cell_bits": 2}
    assert settings.target_overrides["adc_range"] == "calibrated"
