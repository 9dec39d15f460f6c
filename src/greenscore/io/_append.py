"""Tables written a chunk at a time, for results too big to hold: CSV appended to one file and
Parquet as numbered parts of a folder, with the provenance record written when they are done."""

from __future__ import annotations

import codecs
import importlib.util
import json
from pathlib import Path

import pandas as pd

from greenscore.io._csv_write import csv_chunks, supported
from greenscore.io._deps import require
from greenscore.io._escape import escape_frame
from greenscore.io._hash import sha256_file
from greenscore.io._provenance import Provenance
from greenscore.io._write import PROVENANCE_KEY, _dump_json, _flatten


class ChunkedTable:
    """One table, written chunk by chunk into a folder being built (see ``atomic_folder``):
    ``<name>.csv`` and/or ``<name>/part-00000.parquet``…; ``close`` adds the provenance."""

    def __init__(self, folder: Path, name: str, formats: tuple[str, ...]) -> None:
        self.folder = folder
        self.name = name
        self.csv = folder / f"{name}.csv" if "csv" in formats else None
        self.parts = folder / name if "parquet" in formats else None
        self.count = 0
        if self.csv is not None:
            self.csv.write_bytes(codecs.BOM_UTF8)
        if self.parts is not None:
            self.parts.mkdir()

    def add(self, frame: pd.DataFrame) -> None:
        """Append one chunk (the first one's columns are the header)."""
        flat = _flatten(frame)
        if self.csv is not None:
            with self.csv.open("ab") as out:
                out.write(_csv_bytes(flat, header=self.count == 0))
        if self.parts is not None:
            pq = require("pyarrow.parquet", "writing .parquet files")
            pa = require("pyarrow", "writing .parquet files")
            table = pa.Table.from_pandas(flat, preserve_index=False)
            pq.write_table(table, self.parts / f"part-{self.count:05d}.parquet")
        self.count += 1

    def close(self, provenance: Provenance) -> list[Path]:
        """The files written, each CSV with its provenance sidecar and each Parquet folder with
        ``_provenance.json`` (the record each part's schema would otherwise repeat)."""
        written: list[Path] = []
        record = provenance.as_dict()
        if self.csv is not None:
            sidecar = self.csv.with_name(self.csv.name + ".provenance.json")
            found = {"output_file": self.csv.name, "output_sha256": sha256_file(self.csv)}
            sidecar.write_text(_dump_json({**record, **found}), encoding="utf-8")
            written += [self.csv, sidecar]
        if self.parts is not None:
            key = PROVENANCE_KEY.decode()
            (self.parts / "_provenance.json").write_text(
                json.dumps({key: record}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            written.append(self.parts)
        return written


def _csv_bytes(flat: pd.DataFrame, *, header: bool) -> bytes:
    """The CSV text of a chunk as write_csv writes a whole table (less the byte-order mark)."""
    if importlib.util.find_spec("pyarrow") is not None and supported(flat):
        pieces = list(csv_chunks(flat))
        return b"".join(bytes(p) for p in (pieces if header else pieces[1:]))
    text = escape_frame(flat).to_csv(None, index=False, header=header, lineterminator="\r\n")
    return str(text).encode("utf-8")
