"""Tables too big to hold, read as a sequence of row chunks that keep the file's row numbers.

Each chunk is a TableSource whose ``row_numbers`` are the rows as the whole file numbers them,
so a message about a row of chunk 40 names the same row a whole-file read would. A folder is read
file by file in name order; each file keeps its own row numbers and its own path in messages.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from collections.abc import Collection, Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from greenscore.errors import InputFileError
from greenscore.io._csv import decode_text, parse_delimited, text_encoding
from greenscore.io._csv_fast import parse_plain
from greenscore.io._deps import require
from greenscore.io._numbers import plain_numbers
from greenscore.io._read import INPUT_SUFFIXES, TableSource
from greenscore.io._table import check_duplicates, error, fail

CHUNKED_FORMATS = ("csv", "parquet")
_SAMPLE = 4 << 20
"""Bytes of a CSV file whose evidence tells its encoding (the whole file for a smaller one)."""
_BLOCK = 1 << 20


def chunk_files(path: str | os.PathLike[str]) -> list[str]:
    """The files a chunked read covers: the file itself, or a folder's .csv/.tsv/.parquet files
    in name order (refusing a folder with none, or mixing text and Parquet)."""
    shown = os.fspath(path)
    p = Path(shown)
    if p.is_dir():
        files = sorted(
            str(f)
            for f in p.iterdir()
            if f.is_file() and INPUT_SUFFIXES.get(f.suffix.lower()) in CHUNKED_FORMATS
        )
        if not files:
            fail(shown, "the folder holds no .csv, .tsv or .parquet file")
        kinds = {INPUT_SUFFIXES[Path(f).suffix.lower()] for f in files}
        if len(kinds) > 1:
            fail(shown, "the folder mixes CSV and Parquet files; keep one kind per folder")
        return files
    if not p.exists():
        fail(shown, "file not found")
    if INPUT_SUFFIXES.get(p.suffix.lower()) not in CHUNKED_FORMATS:
        fail(shown, "only .csv, .tsv and .parquet files (or folders of them) are read in chunks")
    return [shown]


def file_sha256(path: str) -> str:
    """sha256 of a file's bytes, read a block at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def read_chunks(
    path: str,
    rows: int,
    *,
    columns: Collection[str] | None = None,
    optional: Collection[str] = (),
    encoding: str | None = None,
) -> Iterator[TableSource]:
    """The file's rows, at most ``rows`` per chunk, each chunk numbered as in the whole file.

    ``columns``/``optional`` project a Parquet file as :func:`read_table` does; ``encoding`` names
    a CSV file's (default: told by the evidence of its first megabytes).
    """
    if rows <= 0:
        raise ValueError(f"rows must be positive, got {rows}")
    kind = INPUT_SUFFIXES.get(Path(path).suffix.lower())
    if kind == "parquet":
        yield from _parquet_chunks(path, rows, columns, optional)
    else:
        sep = "\t" if Path(path).suffix.lower() == ".tsv" else ","
        yield from _text_chunks(path, rows, sep, encoding)


def _parquet_chunks(
    path: str, rows: int, columns: Collection[str] | None, optional: Collection[str]
) -> Iterator[TableSource]:
    pq = require("pyarrow.parquet", "reading .parquet files")
    try:
        parquet = pq.ParquetFile(path)
        names = [n for n in parquet.schema_arrow.names if not n.startswith("__index_level_")]
    except Exception as e:
        raise error(path, f"the Parquet file is damaged ({type(e).__name__}: {e})") from e
    check_duplicates([n.strip() for n in names], path)
    if columns is not None:
        stripped = {n.strip(): n for n in names}
        if all(c in stripped for c in columns):
            keep = {*columns, *(c for c in optional if c in stripped)}
            names = [n for n in names if n.strip() in keep]
    start = 1
    with parquet:
        try:
            batches = parquet.iter_batches(batch_size=rows, columns=names)
            for batch in batches:
                frame = batch.to_pandas(ignore_metadata=True)
                frame.columns = pd.Index([n.strip() for n in names])
                numbers = np.arange(start, start + len(frame), dtype=np.int64)
                start += len(frame)
                yield TableSource(plain_numbers(frame), numbers, path, None, "parquet")
        except Exception as e:
            raise error(path, f"the Parquet file is damaged ({type(e).__name__}: {e})") from e


def _text_encoding(path: str, named: str | None) -> str:
    with open(path, "rb") as f:
        sample = f.read(_SAMPLE)
    if not sample:
        fail(path, "file is empty")
    if named is not None:
        return text_encoding(named)
    cut = sample.rfind(b"\n") + 1 if len(sample) == _SAMPLE else len(sample)
    return decode_text(sample[: cut or len(sample)], path)[1]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _records(path: str, codec: str) -> Iterator[str]:
    """Each record's text (one line, or several when a quoted cell holds line breaks): RFC 4180
    text ends a record at a line break only where the quotes so far are even."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    pending, carry = "", ""
    quotes = 0
    with open(path, "rb") as f:
        blocks = iter(lambda: f.read(_BLOCK), b"")
        final = False
        while not final:
            block = next(blocks, b"")
            final = not block
            try:
                text = carry + decoder.decode(block, final=final)
            except UnicodeDecodeError as e:
                raise error(
                    path,
                    f"text is not valid {codec} past its first megabytes, which told the "
                    "encoding; name it with --encoding NAME (encoding= in Python)",
                ) from e
            carry = ""
            if not final and text.endswith("\r"):
                text, carry = text[:-1], "\r"
            for match in _LINE.finditer(text):
                piece = match.group()
                pending += piece
                quotes += piece.count('"')
                if piece.endswith(("\n", "\r")) and quotes % 2 == 0:
                    yield pending
                    pending, quotes = "", 0
    if pending:
        yield pending


def _text_chunks(path: str, rows: int, sep: str, named: str | None) -> Iterator[TableSource]:
    codec = _text_encoding(path, named)
    reading = "utf-8-sig" if codec == "utf-8" else codec
    header: str | None = None
    taken: list[str] = []
    first = count = 0
    done = False
    for record in _records(path, reading):
        count += 1
        if header is None:
            if record.strip():
                header, first = record, count + 1
            continue
        taken.append(record)
        if len(taken) >= rows:
            yield _text_chunk(path, header, taken, first, sep, codec, reading)
            first, taken, done = first + len(taken), [], True
    if header is None:
        fail(path, "it contains no header row (every line is blank)")
    if taken or not done:
        yield _text_chunk(path, header, taken, first, sep, codec, reading)


def _text_chunk(
    path: str, header: str, records: list[str], first: int, sep: str, codec: str, reading: str
) -> TableSource:
    """One chunk parsed after the header, its numbers moved to where its records sit; a chunk
    the reader refuses is read again from the start of the file, so that its message names the
    line and column as a whole-file read would."""
    text = header + "".join(records)
    if not header.endswith(("\n", "\r")):
        text = header
    try:
        parsed = parse_plain(text, sep, path)
        frame, numbers = parsed if parsed is not None else parse_delimited(text, sep, path)
    except InputFileError:
        whole = "".join(islice(_records(path, reading), first - 1 + len(records)))
        parse_delimited(whole, sep, path)
        raise
    shifted = np.asarray(numbers, dtype=np.int64) + (first - 2)
    return TableSource(frame, shifted, path, None, "csv", codec)
