"""Writing files whole or not at all: write a temporary file beside the target, then rename it over."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        # mkstemp creates 0600 files; give the result the mode an ordinary open() would (0666 & ~umask).
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


# Linux renameat2(2) flag: swap two paths in one step (no moment where neither exists).
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swaps the directory entries `a` and `b`; False where the system cannot."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def write_folder_atomic(folder: str | os.PathLike, files: dict[str, str | bytes],
                        owned: Collection[str] | Callable[[str], bool]) -> None:
    """Writes `files` (name -> content; a name may hold `/`: a file in a subfolder) as the folder `folder`,
    whole or not at all.

    The files are written into a hidden sibling folder, which then takes `folder`'s place in one rename
    (an exchange with the previous folder where it exists), so a crash or kill -9 at any moment leaves the
    previous folder or the new one, never a mix. A previous folder holding anything but names in `owned`
    (what this writer may produce; or a test on a name) is the user's: then each file is replaced on its own (whole, but not
    all at once) and nothing else there is touched. A kill may leave a hidden `.NAME.*.new` sibling behind.
    """
    import shutil
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    is_owned = owned if callable(owned) else owned.__contains__
    if target.is_dir() and not all(is_owned(entry.name) for entry in target.iterdir()):
        for name, content in files.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target / name, content.encode("utf-8") if isinstance(content, str) else content)
        return
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent))
    try:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            with open(staging / name, "wb") as f:
                f.write(data)
        os.chmod(staging, 0o777 & ~_umask())   # mkdtemp makes 0700 folders; give mkdir's mode
        if not target.exists():
            os.rename(staging, target)
            return
        if not _exchange(staging, target):   # no renameat2: a short moment with the old folder renamed away
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.rename(target, old / target.name)
            os.rename(staging, target)
            staging = old
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)   # now the previous folder
