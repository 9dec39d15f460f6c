"""What a notebook shows of a result: its HTML parsed into text, tags and table cells."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

VOID = {"br", "hr", "img", "meta", "input", "wbr"}


@dataclass
class Page:
    """An HTML fragment as a reader sees it: its text, the tags used, every table's cells, the
    tooltips and how full each bar is (percent)."""

    html: str
    text: str = ""
    tags: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    bars: list[float] = field(default_factory=list)

    def rows(self, table: int) -> list[list[str]]:
        """The rows of the table-th table, header row first."""
        return self.tables[table]


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.open: list[str] = []
        self.words: list[str] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.append(tag)
        self.page.titles += [value or "" for name, value in attrs if name == "title"]
        style = dict(attrs).get("style") or ""
        filled = re.search(r"display:block;width:([0-9.]+)%", style)
        if tag == "span" and filled:
            self.page.bars.append(float(filled.group(1)))
        if tag not in VOID:
            self.open.append(tag)
        if tag == "table":
            self.page.tables.append([])
        elif tag == "tr":
            self.page.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()
        if tag in ("td", "th") and self.cell is not None:
            self.page.tables[-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        if tag in ("p", "tr", "caption", "table"):
            self.words.append("\n")

    def handle_data(self, data: str) -> None:
        self.words.append(data)
        if self.cell is not None:
            self.cell.append(data)


def read_html(html: str) -> Page:
    """Parse an HTML fragment, asserting that every element it opens is closed in order."""
    page = Page(html)
    reader = _Reader(page)
    reader.feed(html)
    reader.close()
    assert not reader.open, f"unclosed elements: {reader.open}"
    page.text = "\n".join(" ".join(line.split()) for line in "".join(reader.words).split("\n"))
    return page


@pytest.fixture
def shown() -> Callable[[object], Page]:
    """Render an object as a notebook does (its ``_repr_html_``) and parse what it shows."""

    def render(obj: object) -> Page:
        html = obj._repr_html_()  # type: ignore[attr-defined]
        assert isinstance(html, str)
        assert "<script" not in html.lower()
        assert "http" not in html, "no external resources"
        return read_html(html)

    return render
