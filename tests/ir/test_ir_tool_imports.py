"""rnc-opt stays light: running it imports none of the heavy frameworks (lit starts it hundreds of times)."""
import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "onnxruntime", "pymoo")
SAMPLE = Path(__file__).resolve().parents[1] / "lit" / "tools" / "Inputs" / "small.rir"

PROBE = f"""
import sys
from rnc.tools import rnc_opt
status = rnc_opt.main([{str(SAMPLE)!r}, "--passes=canonicalize,dce", "-o", "/dev/null"])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print("status", status)
print("heavy", ",".join(heavy) or "-")
"""


def test_rnc_opt_imports_no_heavy_framework():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "status 0" in proc.stdout
    assert "heavy -" in proc.stdout, proc.stdout


def test_importtime_confirms_it():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "rnc.tools.rnc_opt", str(SAMPLE),
                           "--passes=dce"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert not imported & set(HEAVY), imported & set(HEAVY)
