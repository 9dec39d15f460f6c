"""The HTML report as a person sees it: self-contained, escaped, printable, and in a real browser
its numbers are the BatchResult's."""

from __future__ import annotations

import html
import os
import re
import shutil
import struct
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from greenscore.batch.assess import assess
from greenscore.report import render_html, write_html
from greenscore.report._charts import histogram

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "jiangxi"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CONSOLE = re.compile(r":CONSOLE[:(]")


@pytest.fixture(scope="module")
def batch(jiangxi_batch):
    return jiangxi_batch


@pytest.fixture(scope="module")
def report(batch, jiangxi_gaps, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_html(batch, path, gaps_by_entity=jiangxi_gaps)
    return path


class _Collect(HTMLParser):
    """Tags carrying data-* attributes, with the text inside each, and every id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[dict[str, object]] = []
        self.ids: list[str] = []
        self.open: list[tuple[str, dict[str, object]]] = []
        self.tags: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags[tag] += 1
        if "id" in attributes:
            self.ids.append(str(attributes["id"]))
        if any(k.startswith("data-") for k in attributes):
            item: dict[str, object] = {"tag": tag, **attributes, "text": []}
            self.items.append(item)
            self.open.append((tag, item))

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            self.open.pop()

    def handle_data(self, data):
        for _, item in self.open:
            item["text"].append(data)  # type: ignore[union-attr]


def _parse(text: str) -> _Collect:
    parser = _Collect()
    parser.feed(text)
    return parser


def _check_numbers(text: str, batch) -> None:
    """Ranking rows and park sections carry the BatchResult's totals, tiers and ranks."""
    parsed = _parse(text)
    results = batch.results.set_index("park_id")
    rows = [i for i in parsed.items if i["tag"] == "tr" and "data-entity" in i]
    sections = [i for i in parsed.items if i["tag"] == "section" and "data-entity" in i]
    assert len(rows) == len(sections) == len(results) == 94
    for item in rows + sections:
        expected = results.loc[item["data-entity"]]
        assert float(item["data-total"]) == float(expected["total"])
        assert item["data-tier"] == expected["tier"]
        assert int(item["data-rank"]) == int(expected["rank"])
    for row in rows:
        expected = results.loc[row["data-entity"]]
        shown = " ".join(" ".join(row["text"]).split())
        assert f"{expected['total']:.1f}" in shown
        assert expected["tier_label"] in shown
        assert expected["park_name"] in shown
    counts = batch.results["tier"].value_counts()
    for item in parsed.items:
        if "data-tier-count" in item:
            assert int("".join(item["text"])) == counts.get(item["data-tier-count"], 0)


def test_report_is_self_contained(report):
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in text
    assert "Content-Security-Policy" in text and "default-src 'none'" in html.unescape(text)
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)


def test_report_size(report):
    """94 parks with a chart each stay a few MB (the time to render is in make bench)."""
    size = report.stat().st_size
    assert size < 4_000_000, f"report is {size / 1e6:.1f} MB"


def test_report_sections_and_numbers(report, batch):
    text = report.read_text(encoding="utf-8")
    _check_numbers(text, batch)
    parsed = _parse(text)
    assert parsed.tags["svg"] == 94 + 2
    duplicates = [i for i, n in Counter(parsed.ids).items() if n > 1]
    assert not duplicates, duplicates[:5]
    for anchor in ("overview", "ranking", "parks", "methodology", "provenance"):
        assert anchor in parsed.ids
    prov = batch.provenance
    for value in (prov.rubric_sha256, prov.input_sha256, prov.greenscore_version):
        assert value in text
    assert "Tier transitions since 2015" in text
    assert "南昌高新技术产业开发区" in text and "优秀 Excellent" in text
    assert text.count('class="gap"') >= 87


def test_print_stylesheet(report):
    text = report.read_text(encoding="utf-8")
    css = text[text.index("@media print") :]
    assert "nav.toc" in css and "display: none" in css
    assert "break-before: page" in css


def test_chart_text_stays_text():
    svg = histogram([40.0, 70.0], [("优秀 Excellent", 80.0)], (0.0, 100.0), prefix="t")
    assert re.search(r"<text[^>]*>[^<]*优秀 Excellent", svg)
    assert 'id="t-' in svg and "url(#t-" in svg


def test_everything_from_the_data_is_escaped(tmp_path):
    """A hostile park name or rubric label cannot inject markup: Jinja2 autoescape is on."""
    rubric = (ROOT / "rubrics" / "jiangxi-parks.yaml").read_text(encoding="utf-8")
    rubric = rubric.replace("label: Leading enterprises\n", "label: <script>alert(1)</script>\n", 1)
    frame = pd.read_csv(DATA / "parks_2016.csv", dtype=str, keep_default_na=False).head(3)
    frame.loc[0, "park_name"] = '<img src=x onerror="alert(2)">'
    frame.loc[1, "city"] = "</td><script>alert(3)</script>"
    result = assess(frame, rubric)
    text = render_html(result, with_gaps=False)
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=" in text


def test_write_refuses_the_input_file(batch):
    from greenscore.errors import InputFileError

    with pytest.raises(InputFileError):
        write_html(batch, batch.provenance.input_path)


# --- in a real browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    for name in (os.environ.get("GREENSCORE_CHROMIUM"), *BROWSERS):
        found = shutil.which(name) if name else None
        if found:
            return found
    reason = "no chromium binary found (apt-get install -y chromium, or set GREENSCORE_CHROMIUM)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the browser test must run in CI")
    pytest.skip(reason)


def _browser(chromium: str, tmp: Path, *args: str, timeout: float = 180) -> tuple[str, str]:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={tmp / 'profile'}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    stdout = done.stdout.decode("utf-8", "replace")
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, stderr[-2000:]
    return stdout, stderr


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


def test_console_check_catches_errors(chromium, tmp_path):
    """The console check itself works: a page that logs an error and breaks the CSP is caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><script>console.error("boom"); nope();</script>',
        encoding="utf-8",
    )
    _, stderr = _browser(chromium, tmp_path, "--dump-dom", page.as_uri())
    messages = _console(stderr)
    assert any("boom" in m for m in messages) and any("nope" in m for m in messages)


def test_browser_renders_without_console_errors(chromium, report, batch, tmp_path):
    """Headless chromium loads the 94-park report with no console message at all, and the DOM it
    built holds the BatchResult's totals, tiers and ranks."""
    dom, stderr = _browser(chromium, tmp_path, "--dump-dom", report.as_uri())
    assert not _console(stderr), _console(stderr)[:5]
    assert "</html>" in dom
    _check_numbers(dom, batch)


def test_browser_screenshot(chromium, report, tmp_path):
    shot = tmp_path / "report.png"
    _browser(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", report.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600)
    assert len(data) > 50_000, "the screenshot looks blank"


def test_browser_prints_a_page_per_park(chromium, tmp_path):
    """The print stylesheet starts every park on a new page."""
    frame = pd.read_csv(DATA / "parks_2016.csv", dtype=str, keep_default_na=False).head(4)
    page = tmp_path / "small.html"
    write_html(assess(frame), page)
    pdf = tmp_path / "small.pdf"
    _, stderr = _browser(
        chromium, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()
    )
    assert not _console(stderr)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 1 + 4 + 1
