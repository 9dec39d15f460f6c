"""Excel cells that openpyxl reads as blank though Excel shows a value: unsaved formulas, merges."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree.ElementTree import iterparse

_MARKERS = re.compile(rb"<(?:\w+:)?(?:f|mergeCell)\b")
_SHOWN = 10


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def unseen_cells(data: bytes, part: str, title: str) -> list[str]:
    """Each formula cell with no saved result and each merged range of a sheet, as ``sheet!A1``.

    read_only openpyxl gives None for both, which would score a shown value as not reported.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part.lstrip("/"))
    if _MARKERS.search(xml) is None:
        return []
    found: list[str] = []
    for _, element in iterparse(io.BytesIO(xml)):
        name = _local(element.tag)
        if name == "c":
            children = {_local(child.tag): child for child in element}
            value = children.get("v")
            if "f" in children and (value is None or not (value.text or "")):
                found.append(
                    f"{_address(title, element.get('r', '?'))} is a formula with no saved result"
                )
            element.clear()
        elif name == "mergeCell":
            found.append(f"{_address(title, element.get('ref', '?'))} are merged cells")
    return found


def _address(title: str, ref: str) -> str:
    quoted = title if re.fullmatch(r"\w+", title) else "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{ref}"


def describe_unseen(found: list[str]) -> str:
    """The reason a sheet is refused: the cells, then what to do in Excel."""
    listed = "; ".join(found[:_SHOWN])
    more = f"; and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
    return (
        f"cells would read as blank although Excel shows a value: {listed}{more}. Open the "
        "workbook in Excel and save it (so formula results are stored), and unmerge merged "
        "cells, filling in every cell"
    )
