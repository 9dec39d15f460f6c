"""SHA-256 digests of files and bytes, so every output can name exactly what it came from."""

from __future__ import annotations

import hashlib
import os

from greenscore.errors import InputFileError


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks so large files need little memory."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as e:
        raise InputFileError(f"cannot hash {os.fspath(path)}: {e.strerror or e}") from e
