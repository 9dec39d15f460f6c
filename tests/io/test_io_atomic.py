"""atomic_write and friends: all-or-nothing output, never clobbering an input."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from greenscore.errors import InputFileError, OutputError
from greenscore.io import (
    atomic_folder,
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    ensure_not_input,
    sha256_bytes,
    sha256_file,
)


def test_atomic_write_replaces_target(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    seen: list[Path] = []

    def write(tmp: Path) -> None:
        seen.append(tmp)
        assert tmp.parent == tmp_path
        assert tmp.suffix == ".csv"
        tmp.write_text("new", encoding="utf-8")

    assert atomic_write(target, write) == target
    assert target.read_text(encoding="utf-8") == "new"
    assert os.listdir(tmp_path) == ["out.csv"]
    assert not seen[0].exists()


def test_failed_write_leaves_original_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("original", encoding="utf-8")

    def write(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(target, write)
    assert target.read_text(encoding="utf-8") == "original"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_failed_write_creates_nothing_when_target_is_new(tmp_path: Path) -> None:
    def write(tmp: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "new.csv", write)
    assert os.listdir(tmp_path) == []


def test_text_and_bytes(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.txt", "园区\r\nline\n")
    assert (tmp_path / "a.txt").read_bytes() == "园区\r\nline\n".encode()
    atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_missing_output_directory(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "out.txt"
    with pytest.raises(OutputError) as info:
        atomic_write_text(target, "x")
    assert (
        str(info.value) == f"cannot write {target}: the folder {tmp_path / 'nope'} does not exist"
    )


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_existing_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_ensure_not_input_refuses_the_same_file(tmp_path: Path) -> None:
    source = tmp_path / "parks.csv"
    source.write_text("id\n", encoding="utf-8")
    for out in (source, tmp_path / "." / "parks.csv", str(source)):
        with pytest.raises(InputFileError, match=r"refusing to write .*parks\.csv"):
            ensure_not_input(out, tmp_path / "other.csv", source)


@pytest.mark.skipif(os.name != "posix", reason="symlinks and hard links")
def test_ensure_not_input_sees_through_links(tmp_path: Path) -> None:
    source = tmp_path / "parks.csv"
    source.write_text("id\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(source)
    os.link(source, tmp_path / "hard.csv")
    for name in ("link.csv", "hard.csv"):
        with pytest.raises(InputFileError):
            ensure_not_input(tmp_path / name, source)


def test_ensure_not_input_allows_other_paths(tmp_path: Path) -> None:
    source = tmp_path / "parks.csv"
    source.write_text("id\n", encoding="utf-8")
    ensure_not_input(tmp_path / "results.csv", source, None)
    ensure_not_input(tmp_path / "results.csv")


def test_sha256(tmp_path: Path) -> None:
    data = b"x" * 3_000_000
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_file(path) == expected
    assert sha256_bytes(data) == expected


def test_sha256_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.bin"
    with pytest.raises(InputFileError, match=r"gone\.bin"):
        sha256_file(path)


def test_atomic_folder_carries_over_only_what_it_does_not_replace(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("results.csv", "old.xlsx", "notes.txt"):
        (out / name).write_text("old", encoding="utf-8")
    with atomic_folder(out, replaces=["results.csv", "old.xlsx"]) as staging:
        (staging / "results.csv").write_text("new", encoding="utf-8")
    assert sorted(os.listdir(out)) == ["notes.txt", "results.csv"]
    assert (out / "results.csv").read_text(encoding="utf-8") == "new"
    assert os.listdir(tmp_path) == ["out"]
