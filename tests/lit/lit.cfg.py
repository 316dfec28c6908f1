# lit configuration for rnc's FileCheck tests. Run with `lit tests/lit` (make test does).
import os
import shutil
import sys

import lit.formats

config.name = "rnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".rir", ".py", ".isa"]
config.excludes = ["lit.cfg.py", "Inputs", "Output"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "Output")

# Tools come from the environment running lit (the project's .venv): rnc-opt, rnc, filecheck.
bindir = os.path.dirname(sys.executable)
config.environment["PATH"] = bindir + os.pathsep + config.environment.get("PATH", os.environ.get("PATH", ""))
for var in ("HOME", "TMPDIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

# Macros come before the names they expand to (lit substitutes in list order).
config.substitutions.append(
    ("%roundtrip", "rnc-opt %s | rnc-opt | rnc-opt --print-op-generic | filecheck %s"))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("FileCheck", "filecheck"))
if shutil.which("filecheck", path=config.environment["PATH"]) is None:
    lit_config.fatal("filecheck not found: run `make install`")
