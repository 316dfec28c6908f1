"""A sweep over crossbar sizes: the same model compiled once per ROWSxCOLS, compared side by side.

    sweep = compile_sizes("squeezenet", CompileOptions(), ["64x64", "128x128", "256x256"])
    for row in sweep.rows(): print(row["xbar_size"], row["xbars_used"], row["utilization_of_used"])
    write_size_sweep("out/squeezenet", sweep)

The model is imported and canonicalized once per size from one import (a module is compiled as given).
Each size is a whole `CompileResult` (its own partition, baseline and budget runs); `write_size_sweep` writes
each size's usual outputs into a subfolder named by the size, plus `sizes.json` (one row per size and budget)
and `sizes.html` (the plot and the table), all in one atomic folder write.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from rnc.driver.atomic import write_folder_atomic
from rnc.driver.outputs import OUTPUT_FILES, output_files
from rnc.driver.pipeline import CompileError, CompileOptions, compile_model, compile_steps, load_model
from rnc.driver.result import CompileResult
from rnc.hw.target_files import TargetError, parse_xbar_size

SWEEP_FILES = frozenset({"sizes.json", "sizes.html"})
_SIZE_FOLDER = re.compile(r"\d+x\d+")


def parse_sizes(text: str) -> list[str]:
    """'64x64,128x128' -> ['64x64', '128x128'], each checked; CompileError names the bad item."""
    sizes = [s.strip().lower() for s in text.split(",")]
    try:
        for s in sizes:
            parse_xbar_size(s)
    except TargetError as e:
        raise CompileError(f"--xbar-size: {e}") from None
    if len(set(sizes)) != len(sizes):
        raise CompileError(f"--xbar-size lists a size twice: '{text}'")
    return sizes


@dataclass
class SizeSweep:
    """One CompileResult per crossbar size, in the order asked."""

    model_name: str
    results: dict[str, CompileResult] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """sizes.json: per size and budget the run's summary, with `xbar_size` first."""
        return [{"xbar_size": size, **result.summary(run)}
                for size, result in self.results.items() for run in result.runs]


def sweep_steps(model, options: CompileOptions, sizes: list[str]) -> int:
    """How many progress steps `compile_sizes` reports (the import once, then each size's compile)."""
    imports = 0 if not isinstance(model, (str, os.PathLike)) else 1
    return imports + len(sizes) * compile_steps(None, options)


def compile_sizes(model, options: CompileOptions, sizes: list[str], *, name: str | None = None,
                  progress: Callable[[str], None] = lambda s: None) -> SizeSweep:
    """Compiles `model` (a built-in name, an .onnx path or an nn module) once per crossbar size."""
    if isinstance(model, (str, os.PathLike)):
        progress("import")
        name = name or Path(model).stem
        model = load_model(str(model), options.input_shape)
    sweep = SizeSweep(name or "model")
    for size in sizes:
        sweep.results[size] = compile_model(model, replace(options, xbar_size=size), name=sweep.model_name,
                                            progress=lambda step, s=size: progress(f"{s}: {step}"))
    return sweep


def _owned(name: str) -> bool:
    return name in OUTPUT_FILES or name in SWEEP_FILES or bool(_SIZE_FOLDER.fullmatch(name))


def write_size_sweep(out_dir: str | os.PathLike, sweep: SizeSweep, emit: frozenset[str] | None = None) -> None:
    """Each size's outputs in `out_dir/<size>/` (`emit` as for rnc.driver.outputs.output_files), and sizes.json
    and sizes.html, whole or not at all."""
    from rnc.driver.sizes_html import render_sizes
    files: dict[str, str] = {}
    for size, result in sweep.results.items():
        files.update({f"{size}/{name}": text for name, text in output_files(result, emit).items()})
    rows = sweep.rows()
    files["sizes.json"] = json.dumps(rows, indent=2, allow_nan=False)
    files["sizes.html"] = render_sizes(sweep.model_name, rows)
    write_folder_atomic(out_dir, files, _owned)
