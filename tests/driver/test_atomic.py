"""Atomic writes (rnc.driver.atomic): files and folders are written whole or not at all, with normal modes."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from rnc.driver.atomic import _umask, write_bytes_atomic, write_folder_atomic, write_text_atomic


def test_atomic_write_gives_the_mode_open_would(tmp_path):
    mask = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "a.txt", "x")
    finally:
        os.umask(mask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640


def test_atomic_write_leaves_nothing_when_it_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(TypeError):  # fails while writing the temporary file: text into a binary file
        write_bytes_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_folder_write_replaces_its_own_folder_whole(tmp_path):
    out = tmp_path / "out"
    write_folder_atomic(out, {"a.txt": "1", "stale.txt": "1"}, {"a.txt", "stale.txt"})
    write_folder_atomic(out, {"a.txt": "2"}, {"a.txt", "stale.txt"})
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"] and (out / "a.txt").read_text() == "2"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]   # no staging folder left behind
    assert out.stat().st_mode & 0o777 == 0o777 & ~_umask()


def test_folder_write_keeps_a_users_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    write_folder_atomic(out, {"a.txt": "1"}, {"a.txt"})
    assert (out / "notes.md").read_text() == "mine" and (out / "a.txt").read_text() == "1"


# A writer that replaces the folder with generation after generation, each file naming its generation.
_WRITER = """
import sys
from rnc.driver.atomic import write_folder_atomic
names = [f"f{i}.txt" for i in range(8)]
generation = 0
while True:
    generation += 1
    write_folder_atomic(sys.argv[1], {n: f"{generation}\\n" * 2000 for n in names}, set(names))
    print(generation, flush=True)
"""


def test_kill_9_leaves_the_previous_folder_or_the_new_one(tmp_path):
    """SIGKILL at random moments of a folder write: the folder is always one generation, whole."""
    out = tmp_path / "out"
    rng = random.Random(0)
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(out)], stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()                     # at least one whole folder exists
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        contents = {p.name: p.read_text() for p in out.iterdir()}
        assert sorted(contents) == [f"f{i}.txt" for i in range(8)]
        assert len(set(contents.values())) == 1, "files of different generations in one folder"


def test_folder_write_without_an_atomic_exchange_still_replaces_the_folder(tmp_path, monkeypatch):
    """Where renameat2 is missing, the old folder is renamed away first and removed after."""
    import rnc.driver.atomic as atomic
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_folder_atomic(out, {"a.txt": "1", "b.txt": "1"}, {"a.txt", "b.txt"})
    write_folder_atomic(out, {"a.txt": "2"}, {"a.txt", "b.txt"})
    assert [p.name for p in out.iterdir()] == ["a.txt"] and (out / "a.txt").read_text() == "2"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
