"""Write files and whole folders atomically, so a crash, an error or a concurrent run never
leaves a half-written, mixed or clobbered output."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import re
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from greenscore.errors import InputFileError, OutputError

_STALE_FILE = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp(\.[^.]*)?$")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a fresh file beside ``path``, fsync it, then rename it onto ``path``.

    The temporary name keeps the target's suffix, so writers that infer the format from it work.
    On any exception the temporary file is removed and an existing ``path`` is left untouched.
    """
    check_output_path(path, folder=False)
    target = Path(path)
    directory = target.parent
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


def check_output_path(
    path: str | os.PathLike[str], *, folder: bool, expected: str | None = None
) -> None:
    """Raise OutputError naming the path and what is expected (``expected`` overrides the
    advice) unless it can be written as a folder (``folder=True``; missing parents are made) or
    as a file in an existing folder, so a wrong -o is refused before any work."""
    shown = os.fspath(path)
    target = Path(path)
    if folder and target.exists() and not target.is_dir():
        advice = expected or "name a folder to write into"
        raise OutputError(f"{shown} is a file, not a folder; {advice}")
    if not folder and target.is_dir():
        advice = expected or "name the file to write"
        raise OutputError(f"{shown} is a folder, not a file; {advice}")
    parent = target.parent
    existing = next(p for p in (parent, *parent.parents) if p.exists() or p == p.parent)
    if existing.exists() and not existing.is_dir():
        raise OutputError(f"cannot write {shown}: {existing} is a file, not a folder")
    if not folder and existing != parent:
        raise OutputError(f"cannot write {shown}: the folder {parent} does not exist")


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


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str], *, replaces: Iterable[str] = ()) -> Iterator[Path]:
    """Yield an empty folder beside ``path`` to build its new contents in, then swap it into place.

    A reader sees the old folder or the new one, never a mix. Files of the old folder that the
    new one lacks are carried over (hard-linked), so nothing is lost that was not replaced,
    except the names in ``replaces``: the set the new folder replaces as a whole, even where this
    run writes fewer of its files. A lock file beside ``path`` refuses a second run into the same
    folder (OutputError); debris of earlier killed runs is removed first. On any exception the
    old folder is left untouched.
    """
    check_output_path(path, folder=True)
    target = Path(os.path.realpath(path))
    parent = target.parent
    if target == parent or _holds_cwd(target):
        raise OutputError(
            f"cannot replace {os.fspath(path)}: it is the current folder or one above it; "
            "write the results into a folder of their own"
        )
    parent.mkdir(parents=True, exist_ok=True)
    with _folder_lock(parent / f".{target.name}.greenscore.lock", path):
        _remove_debris(target)
        staging = _make_dir(parent, f".{target.name}.greenscore-tmp-")
        try:
            yield staging
            _carry_over(target, staging, frozenset(replaces))
            _swap_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _holds_cwd(folder: Path) -> bool:
    try:
        return Path.cwd().is_relative_to(folder)
    except OSError:
        return False


def _make_dir(parent: Path, prefix: str) -> Path:
    for _ in range(100):
        candidate = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(errno.EEXIST, "cannot create a temporary folder", str(parent))


def _remove_debris(target: Path) -> None:
    """Delete what killed runs left: temporary folders beside ``target``, temp files inside it.

    A run killed between the two renames of a swap without an atomic exchange leaves the old
    folder set aside and none at ``target``: it is put back first.
    """
    set_aside = sorted(target.parent.glob(f"{glob.escape(f'.{target.name}.greenscore-old-')}*"))
    if set_aside and not os.path.lexists(target):
        os.rename(set_aside[0], target)
    for prefix in (f".{target.name}.greenscore-tmp-", f".{target.name}.greenscore-old-"):
        for entry in target.parent.glob(f"{glob.escape(prefix)}*"):
            shutil.rmtree(entry, ignore_errors=True)
    if target.is_dir():
        for entry in target.iterdir():
            if _STALE_FILE.match(entry.name) and entry.is_file():
                with contextlib.suppress(OSError):
                    entry.unlink()


def _carry_over(target: Path, staging: Path, replaced: frozenset[str]) -> None:
    """Hard-link (or copy) into ``staging`` every entry of ``target`` it does not have, but for
    the ``replaced`` names."""
    if not target.is_dir():
        return
    for entry in target.iterdir():
        dest = staging / entry.name
        if entry.name in replaced or os.path.lexists(dest):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, dest, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry, dest)
    with contextlib.suppress(OSError):
        shutil.copymode(target, staging)


def _link_or_copy(source: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
    try:
        os.link(source, dest, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, dest, follow_symlinks=False)


def _swap_into_place(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target`` in one step (an atomic exchange where the system has one)."""
    _fsync_directory(staging)
    if not target.exists():
        os.rename(staging, target)
    elif _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)
    else:
        old = _make_dir(target.parent, f".{target.name}.greenscore-old-")
        old.rmdir()
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_directory(target.parent)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(done == 0)


@contextlib.contextmanager
def _folder_lock(lock: Path, shown: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on ``lock`` (released by the system even if the process is killed),
    or raise OutputError when another run holds it; the lock file is removed on exit."""
    while True:
        handle = lock.open("a+b")
        try:
            _try_lock(handle)
        except OSError:
            handle.close()
            raise OutputError(
                f"another greenscore run is writing into {os.fspath(shown)} (lock file {lock}); "
                "wait for it to finish and try again"
            ) from None
        try:
            same = os.path.samestat(os.fstat(handle.fileno()), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        handle.close()


def _try_lock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
