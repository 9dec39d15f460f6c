"""Every report of a batch at once, computing the gaps to the next tier only once."""

from __future__ import annotations

import os
from pathlib import Path

from greenscore.report._data import BatchLike, assessments, gaps
from greenscore.report._excel import write_workbook
from greenscore.report._html import write_html
from greenscore.report._markdown import write_markdown

PathLike = str | os.PathLike[str]


def write_report(
    batch: BatchLike,
    html: PathLike | None = None,
    xlsx: PathLike | None = None,
    markdown: PathLike | None = None,
    *,
    group_by: str | None = None,
    with_gaps: bool = True,
) -> list[Path]:
    """Write the HTML report, Excel workbook and/or Markdown summary; returns the paths written.

    The workbook is written first: it is the one output Excel's limits can refuse, and a refusal
    then leaves nothing written.
    """
    found = gaps(batch, assessments(batch)) if with_gaps and (html or xlsx) else None
    workbook = (
        None
        if xlsx is None
        else write_workbook(batch, xlsx, gaps_by_entity=found, with_gaps=with_gaps)
    )
    written = []
    if html is not None:
        written.append(
            write_html(batch, html, group_by=group_by, gaps_by_entity=found, with_gaps=with_gaps)
        )
    if workbook is not None:
        written.append(workbook)
    if markdown is not None:
        written.append(write_markdown(batch, markdown))
    return written
