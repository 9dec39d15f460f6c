"""Reports for offices: a self-contained HTML report, an Excel workbook and a Markdown summary.

Needs the ``report`` extra (matplotlib, jinja2, openpyxl): ``pip install 'greenscore[report]'``.
"""

from greenscore.report._data import gaps
from greenscore.report._excel import write_workbook
from greenscore.report._html import render_html, write_html
from greenscore.report._markdown import render_markdown, write_markdown
from greenscore.report._notice import render_notices, write_notices
from greenscore.report._write import write_report

__all__ = [
    "gaps",
    "render_html",
    "render_markdown",
    "render_notices",
    "write_html",
    "write_markdown",
    "write_notices",
    "write_report",
    "write_workbook",
]
