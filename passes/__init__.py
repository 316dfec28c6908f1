"""Every pass of rnc, in one table: each pass name (and alias) -> the module that registers it.

Importing this package imports no pass, so rnc-opt loads only the passes its pipeline names (some passes
need scipy, which alone costs more than rnc-opt's whole start-up budget). `--list-passes` and
`rnc.ir.pass_manager.load_all_passes()` import every module listed here. To add a pass: write the module
(a `@register_pass` dataclass), add its name here, and add tests/lit/passes/<name>.rir.

A lowering to a machine lives with its backend (`convert-xbar-to-isa` in rnc.backends.isa, which owns the
opcode table and the quantization rules), as MLIR's conversions sit beside the dialects they target; the
table lists it too, so every pass is found by name in one place.
"""

PASS_MODULES: dict[str, str] = {
    "canonicalize": "rnc.passes.canonicalize",
    "dce": "rnc.passes.dce",
    "test-break-ir": "rnc.passes.test_break_ir",
    "test-crash": "rnc.passes.test_crash",
    "test-emit-diagnostics": "rnc.passes.test_emit_diagnostics",
    "fold-batch-norm": "rnc.passes.nn_fold_batch_norm",
    "fold-constants": "rnc.passes.nn_fold_constants",
    "remove-dropout-identity": "rnc.passes.nn_remove_dropout_identity",
    "depthwise-split": "rnc.passes.xbar.depthwise_split",
    "place": "rnc.passes.xbar.place",
    "pack": "rnc.passes.xbar.place",
    "replicate": "rnc.passes.xbar.replicate",
    "duplicate": "rnc.passes.xbar.replicate",
    "xbar-report": "rnc.passes.xbar.report",
    "set-target": "rnc.passes.xbar.set_target",
    "layer-peripherals": "rnc.passes.xbar.layer_peripherals",
    "target": "rnc.passes.xbar.set_target",
    "tile-partition": "rnc.passes.xbar.tile_partition",
    "partition": "rnc.passes.xbar.tile_partition",
    "convert-xbar-to-isa": "rnc.backends.isa.convert_xbar_to_isa",
}
