"""JSON Lines files: nested values, nesting too deep to parse, numbers beyond the float range,
NaN literals, duplicate and empty keys, lines that are not objects, bad UTF-8, blank lines."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fuzz_run import TABLE_RUBRIC, Kind, Outcome, assess_outcome, guarded, strict
from fuzz_tables import ENTITY, PERIOD, Table, example_rows, tables
from hypothesis import strategies as st

from greenscore.errors import InputFileError
from greenscore.io import read_table


@dataclass
class JsonlCase:
    """A JSON Lines file's bytes, the records it holds (line number → record), the lines that
    must be refused and the faults it holds."""

    data: bytes
    records: dict[int, dict[str, Any]]
    bad_lines: list[int] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


BAD_LINES: dict[str, list[bytes]] = {
    "jsonl.deep-nesting": [b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"],
    "jsonl.huge-number": [
        b'{"park_id": "P9", "revenue": 1' + b"0" * 400 + b"}",
        b'{"park_id": "P9", "revenue": 1e400}',
        b'{"park_id": "P9", "revenue": -' + b"9" * 5000 + b"}",
    ],
    "jsonl.duplicate-key": [b'{"park_id": "P9", "park_id": "P10"}', b'{"a": 1, " a": 2}'],
    "jsonl.not-object": [b"[1, 2]", b'"P9"', b"42", b"true", b"null"],
    "jsonl.invalid-json": [b'{"park_id": "P9",}', b"{'park_id': 'P9'}", b'{"park_id": "P9"', b"{"],
    "jsonl.invalid-utf8": [b'{"park_id": "P\xff9"}', b'{"park_id": "\xc3"}'],
    "jsonl.empty-key": [b'{"": 1, "park_id": "P9"}', b'{"  ": 1}'],
}
"""Each kind of line that must be refused, with examples."""

NESTED: list[Any] = [{"value": 1}, [1, 2], [], {}, {"a": [{"b": None}]}]
ODD_LITERALS = [b"NaN", b"Infinity", b"-Infinity", b"1E5", b"-0", b"0.0000000000000000001"]


@st.composite
def jsonl_cases(draw: st.DrawFn) -> JsonlCase:
    """A table written as JSON Lines, one object per row, with JSON's own faults."""
    table: Table = draw(tables())
    kinds = set(table.kinds) - {"column.duplicate-header", "column.blank-header"}
    case = JsonlCase(b"", {}, kinds=kinds)
    lines: list[bytes] = []
    if draw(st.integers(0, 8)) == 0:
        case.kinds.add("jsonl.byte-order-mark")
        prefix = b"\xef\xbb\xbf"
    else:
        prefix = b""
    for row in table.rows:
        if row is None:
            case.kinds.add("jsonl.blank-lines")
            lines.append(draw(st.sampled_from([b"", b"   ", b"\t"])))
            continue
        record = {}
        for name, value in zip(table.header, row, strict=False):
            if not name or (draw(st.integers(0, 20)) == 0 and name != ENTITY):
                case.kinds.add("jsonl.missing-keys")
                continue
            record[name] = _value(value)
        text_record = dict(record)
        literal: bytes | None = None
        spare = [n for n in record if n not in (ENTITY, PERIOD)]
        if spare and draw(st.integers(0, 8)) == 0:
            case.kinds.add("jsonl.nested-value")
            record[draw(st.sampled_from(spare))] = draw(st.sampled_from(NESTED))
        elif spare and draw(st.integers(0, 8)) == 0:
            case.kinds.add("jsonl.odd-literals")
            name = draw(st.sampled_from(spare))
            literal = draw(st.sampled_from(ODD_LITERALS))
            record[name] = json.loads(literal)
            text_record[name] = "@@literal@@"
        line = json.dumps(
            record if literal is None else text_record, ensure_ascii=draw(st.booleans())
        )
        if literal is not None:
            line = line.replace('"@@literal@@"', literal.decode())
        lines.append(line.encode("utf-8"))
        stripped = {k.strip(): v for k, v in record.items()}
        if len(stripped) < len(record):
            case.kinds.add("jsonl.duplicate-key")
            case.bad_lines.append(len(lines))
        else:
            case.records[len(lines)] = stripped
    if draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(sorted(BAD_LINES)))
        case.kinds.add(kind)
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.sampled_from(BAD_LINES[kind])))
        case.records = {(n + 1 if n > at else n): r for n, r in case.records.items()}
        case.bad_lines = [n + 1 if n > at else n for n in case.bad_lines] + [at + 1]
    newline = b"\r\n" if draw(st.integers(0, 4)) == 0 else b"\n"
    if newline == b"\r\n":
        case.kinds.add("jsonl.crlf")
    case.data = prefix + newline.join(lines) + (newline if draw(st.booleans()) else b"")
    return case


def _same(got: Any, want: Any) -> bool:
    if isinstance(got, float) and isinstance(want, float) and math.isnan(want):
        return math.isnan(got)
    return bool(got == want) and type(got) is type(want)


def check_jsonl(folder: Path, case: JsonlCase) -> Outcome:
    """Read the file as greenscore does and compare it with the records written, then assess."""
    path = folder / "parks.jsonl"
    path.write_bytes(case.data)
    shown = str(path)
    with strict():
        try:
            source = read_table(path)
        except InputFileError as error:
            message = str(error)
            assert shown in message, message
            if case.bad_lines:
                assert f"line {min(case.bad_lines)}" in message, (case.bad_lines, message)
            else:
                assert not case.records, message
                assert "no JSON records" in message or "file is empty" in message, message
            return Outcome("InputFileError", message)
    assert not case.bad_lines, f"lines {case.bad_lines} must be refused"
    columns = list(dict.fromkeys(k for r in case.records.values() for k in r))
    assert list(source.frame.columns) == columns
    assert source.row_numbers.tolist() == list(case.records)
    for got, record in zip(
        source.frame.itertuples(index=False), case.records.values(), strict=True
    ):
        want = [record.get(c) for c in columns]
        assert all(map(_same, got, want)), (got, want)
    return assess_outcome(source, TABLE_RUBRIC, len(case.records), shown=shown)


def _example(line: bytes, bad: bool) -> JsonlCase:
    """Two valid records, then ``line`` as line 3."""
    table = example_rows()
    records = {
        n: dict(zip(table.header, row, strict=True))
        for n, row in enumerate(table.rows, start=1)
        if row is not None
    }
    data = b"\n".join(json.dumps(r, ensure_ascii=False).encode() for r in records.values())
    data += b"\n" + line + b"\n"
    if not bad and line.strip():
        records[3] = json.loads(line)
    return JsonlCase(data, records, [3] if bad else [])


def _kind(id: str, description: str, line: bytes, expect: str, known: str | None = None) -> Kind:
    case = _example(line, expect == "InputFileError")

    def run(folder: Path) -> Outcome:
        return guarded(lambda: check_jsonl(folder, case), None)

    shown = line if len(line) <= 60 else line[:40] + b"..." + line[-12:]
    return Kind(
        id, "JSON Lines", description, shown.decode("utf-8", "backslashreplace"), expect, run, known
    )


# fmt: off
KINDS = [
    _kind("jsonl.deep-nesting", "nesting 100,000 deep", BAD_LINES["jsonl.deep-nesting"][0], "InputFileError"),
    _kind("jsonl.huge-number", "numbers beyond the float range (10**400, 1e400, 5000 digits)", BAD_LINES["jsonl.huge-number"][1], "InputFileError"),
    _kind("jsonl.duplicate-key", "a key twice in one object (also after trimming)", BAD_LINES["jsonl.duplicate-key"][0], "InputFileError"),
    _kind("jsonl.not-object", "a line that is an array, string, number or literal", b"[1, 2]", "InputFileError"),
    _kind("jsonl.invalid-json", "trailing commas, single quotes, cut-off lines", BAD_LINES["jsonl.invalid-json"][0], "InputFileError"),
    _kind("jsonl.invalid-utf8", "bytes that are not UTF-8", BAD_LINES["jsonl.invalid-utf8"][0], "InputFileError"),
    _kind("jsonl.empty-key", "an empty or blank key", BAD_LINES["jsonl.empty-key"][0], "InputFileError"),
    _kind("jsonl.nested-value", "an object or array as an input's value", b'{"park_id": "P003", "year": 2020, "revenue": {"value": 1}}', "flagged"),
    _kind("jsonl.nested-id", "an object or array as the id", b'{"park_id": {"a": 1}, "year": 2020}', "flagged"),
    _kind("jsonl.odd-literals", "NaN, Infinity and -0 literals", b'{"park_id": "P003", "year": 2020, "revenue": Infinity}', "flagged"),
    _kind("jsonl.missing-keys", "records without some keys", b'{"park_id": "P003", "year": 2020}', "flagged"),
    _kind("jsonl.blank-lines", "blank lines between records", b"\t", "scored"),
    _kind("jsonl.crlf", "CRLF line endings", b'{"park_id": "P003", "year": 2020}\r', "flagged"),
]
# fmt: on


def _bom_kind() -> Kind:
    plain = _example(b"", bad=False)
    case = JsonlCase(b"\xef\xbb\xbf" + plain.data, plain.records)

    def run(folder: Path) -> Outcome:
        return guarded(lambda: check_jsonl(folder, case), None)

    return Kind(
        "jsonl.byte-order-mark",
        "JSON Lines",
        "a UTF-8 byte order mark",
        "BOM, then the records",
        "scored",
        run,
    )


KINDS.append(_bom_kind())
