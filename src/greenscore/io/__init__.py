"""File I/O for assessment batches: safe reading of strangers' tables, atomic writing of results
with provenance, and the escaping that keeps text we write inert."""

from greenscore.io._atomic import (
    atomic_folder,
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    check_output_path,
    ensure_not_input,
)
from greenscore.io._csv import text_encoding
from greenscore.io._escape import (
    escape_frame,
    escape_html,
    escape_markdown,
    escape_spreadsheet_cell,
    escape_terminal,
)
from greenscore.io._hash import sha256_bytes, sha256_file
from greenscore.io._json import parse_json
from greenscore.io._numbers import plain_number
from greenscore.io._provenance import Provenance, greenscore_version, make_provenance
from greenscore.io._read import INPUT_SUFFIXES, TableSource, from_frame, read_table
from greenscore.io._recorded import (
    SIDECAR_SUFFIX,
    cell_text,
    read_output_record,
    read_output_tables,
)
from greenscore.io._write import (
    OUTPUT_SUFFIXES,
    PROVENANCE_KEY,
    SheetStyle,
    check_excel_size,
    excel_cell,
    sheet_titles,
    write_csv,
    write_excel,
    write_json,
    write_parquet,
    write_sheet,
    write_table,
)

__all__ = [
    "INPUT_SUFFIXES",
    "OUTPUT_SUFFIXES",
    "PROVENANCE_KEY",
    "SIDECAR_SUFFIX",
    "Provenance",
    "SheetStyle",
    "TableSource",
    "atomic_folder",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "cell_text",
    "check_excel_size",
    "check_output_path",
    "ensure_not_input",
    "escape_frame",
    "escape_html",
    "escape_markdown",
    "escape_spreadsheet_cell",
    "escape_terminal",
    "excel_cell",
    "from_frame",
    "greenscore_version",
    "make_provenance",
    "parse_json",
    "plain_number",
    "read_output_record",
    "read_output_tables",
    "read_table",
    "sha256_bytes",
    "sha256_file",
    "sheet_titles",
    "text_encoding",
    "write_csv",
    "write_excel",
    "write_json",
    "write_parquet",
    "write_sheet",
    "write_table",
]
