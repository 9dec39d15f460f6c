"""Write files atomically, so a crash or error never leaves a half-written or clobbered output."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from greenscore.errors import InputFileError


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a fresh file beside ``path``, fsync it, then rename it onto ``path``.

    The temporary name keeps the target's suffix, so writers that infer the format from it work.
    On any exception the temporary file is removed and an existing ``path`` is left untouched.
    """
    target = Path(path)
    directory = target.parent
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "output path is a directory", str(target))
    if not directory.is_dir():
        raise FileNotFoundError(errno.ENOENT, "output directory does not exist", str(directory))
    tmp = _create_temp(target)
    try:
        write(tmp)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(directory)
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Atomically write ``text`` (newlines written as given, on every platform)."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding=encoding, newline="") as f:
            f.write(text)

    return atomic_write(path, write)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Atomically write ``data``."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(path, write)


def ensure_not_input(
    out_path: str | os.PathLike[str], *input_paths: str | os.PathLike[str] | None
) -> None:
    """Raise InputFileError if writing ``out_path`` would overwrite one of ``input_paths``.

    Compares by file identity when both exist (catching hard links, symlinks and case-insensitive
    file systems) and by resolved path otherwise; ``None`` inputs are ignored.
    """
    out = Path(out_path)
    for given in input_paths:
        if given is None:
            continue
        if _same_file(out, Path(given)):
            raise InputFileError(
                f"refusing to write {os.fspath(out_path)}: it is the input file "
                f"{os.fspath(given)}; choose another output path"
            )


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _create_temp(target: Path) -> Path:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp{target.suffix}")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(errno.EEXIST, "cannot create a temporary file", str(target.parent))


def _fsync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
