"""Reading a user's text file (.rir, .isa) for a tool: one home for "cannot read" and "not UTF-8" errors."""
from __future__ import annotations


class TextFileError(ValueError):
    """A file the tool cannot read as UTF-8 text; the message names the file (and the bad byte's place)."""


def read_text_file(path: str) -> str:
    """The file's text, newlines normalised as text-mode open() gives them (a leading BOM dropped)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise TextFileError(f"cannot read '{path}': {e.strerror}") from None
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise TextFileError(f"{path}:{line}:{col}: not UTF-8 text (byte 0x{data[e.start]:02X})") from None
