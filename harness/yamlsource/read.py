"""Read an input file as text, refusing what would hang or garble the loaders.

Only regular files are opened: a FIFO or a device would block the read forever (or
never end). Text must be UTF-8; a byte that is not gets its line and column, not only
its offset. A NUL byte marks a binary file, which no YAML or JSON input is.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from harness.errors import InputError

MAX_BYTES = 16 * 1024 * 1024  # far above any rule file, scenario or dashboard


def read_text(path: Path | str, error: type[InputError] = InputError, what: str = "file") -> str:
    """The UTF-8 text of the regular file at ``path``; ``error`` (exit 2) when it is not one."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise error(f"{what.capitalize()} not found", path=path) from None
    except OSError as exc:
        raise error(f"Cannot read the {what}: {exc.strerror or exc}", path=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"Is a directory, not a {what}: give the files in it", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise error(f"Not a regular file ({_kind(info.st_mode)}): give a {what} on disk",
                    path=path)
    if info.st_size > MAX_BYTES:
        raise error(f"The {what} is {info.st_size} bytes, over the limit of {MAX_BYTES}",
                    path=path)
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO after stat, open does not block.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise error(f"Cannot read the {what}: {exc.strerror or exc}", path=path) from None
    return decode(data, path, error, what)


def decode(data: bytes, path: Path | str, error: type[InputError], what: str = "file") -> str:
    """``data`` as UTF-8 text; a NUL byte or invalid UTF-8 is ``error`` at its line."""
    nul = data.find(b"\0")
    if nul >= 0:
        line, column = _position(data, nul)
        raise error(f"A binary file, not text: a NUL byte at column {column}", path=path,
                    line=line, hint=f"give the {what} as YAML or JSON text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise error(f"Not UTF-8 text: byte 0x{data[exc.start]:02x} at column {column} "
                    f"({exc.reason})", path=path, line=line,
                    hint="save the file as UTF-8") from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "an unusual file type"
