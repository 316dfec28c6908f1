"""report.html in a real browser: headless Chromium loads it, every figure renders, no console errors.

Skipped when Chromium is not installed (.ci/run installs Debian's `chromium`). The screenshot is kept in the
test's temporary folder.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from rnc.tools.rnc_cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["compile", "squeezenet", "--xbars", "60,80", "--duplicate", "--quiet", "--out", str(out)]) == 0
    return out / "report.html"


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
                           "--v=0", *args], capture_output=True, text=True, timeout=120)


def test_every_figure_renders(report, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    for figure in ("xbar-map", "utilization", "timeline", "sweep"):
        assert f'id="{figure}"' in dom
    assert dom.count('class="tile"') >= 80          # every tile drawn on the map
    assert dom.count('class="span"') > 0 and dom.count('class="speedup"') == 2
    assert 'id="functional-check"' in dom and "<b>passed</b>" in dom


def test_no_console_errors_and_a_screenshot(report, tmp_path):
    shot = tmp_path / "report.png"
    proc = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1300,1800", report.as_uri())
    console_errors = [line for line in proc.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    assert console_errors == []
    assert shot.exists() and shot.stat().st_size > 10_000
