"""Atomic writes (rnc.driver.atomic): files are written whole or not at all, with the mode open() gives."""
from __future__ import annotations

import os

import pytest

from rnc.driver.atomic import write_bytes_atomic, write_text_atomic


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
