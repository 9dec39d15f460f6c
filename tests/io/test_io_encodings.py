"""CSV encodings by evidence: UTF-8, UTF-16 and GB18030/GBK read; Big5 and Shift-JIS refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenscore.errors import InputFileError
from greenscore.io import read_table

TAIWAN = "park_id,park_name,score\nTW1,臺北內湖科技園區,1\nTW2,新竹科學工業園區,2\n"
JAPAN = "park_id,park_name,score\nJP1,東京ベイエリア産業団地,1\nJP2,大阪みなと工業団地,2\n"
JIANGXI = "park_id,park_name,score\nJX001,南昌高新技术产业开发区,1\nJX002,朱镕基喆园区,2\n"


def _csv(tmp_path: Path, text: str, encoding: str) -> Path:
    path = tmp_path / "parks.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("text", "encoding", "named"),
    [
        (TAIWAN, "big5", "Big5"),
        ("id,name\n1,台北\n", "big5", "Big5"),
        (JAPAN, "shift_jis", "Shift-JIS"),
    ],
    ids=["big5", "big5-two-characters", "shift-jis"],
)
def test_big5_or_shift_jis_is_refused_not_decoded_as_gb18030(
    tmp_path: Path, text: str, encoding: str, named: str
) -> None:
    with pytest.raises(InputFileError) as caught:
        read_table(_csv(tmp_path, text, encoding))
    assert f"looks like {named}" in str(caught.value)
    assert "line 2" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "encoding", "recorded"),
    [
        (JIANGXI, "gbk", "gb18030"),
        (JIANGXI, "gb18030", "gb18030"),
        (TAIWAN, "gb18030", "gb18030"),
        (JIANGXI, "utf-8", "utf-8-sig"),
        (JIANGXI, "utf-8-sig", "utf-8-sig"),
        (JIANGXI, "utf-16", "utf-16"),
        (JAPAN, "utf-16-le", "utf-16-le"),
        (JAPAN, "utf-16-be", "utf-16-be"),
    ],
)
def test_utf8_utf16_and_gb18030_are_read_exactly(
    tmp_path: Path, text: str, encoding: str, recorded: str
) -> None:
    source = read_table(_csv(tmp_path, text, encoding))
    expected = [line.split(",")[1] for line in text.splitlines()[1:]]
    assert source.frame["park_name"].tolist() == expected
    assert source.encoding == recorded


def test_damaged_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_bytes(b"\xff\xfei\x00d\x00\n\x00\x00\xd8")
    with pytest.raises(InputFileError, match="UTF-16 text is damaged"):
        read_table(path)


@pytest.mark.parametrize(
    ("text", "encoding", "named"),
    [
        ("park_id,city\nP1,Zürich Süd\nP2,Gärten\n", "cp1252", "Windows-1252"),
        ("park_id,city\nP1,São Paulo\n", "latin-1", "Windows-1252"),
        ("park_id,city\nP1,Индустриальный парк Москва\n", "cp1251", "Windows-1251"),
    ],
    ids=["windows-1252", "latin-1", "windows-1251"],
)
def test_defect9_western_european_and_cyrillic_text_is_refused_not_read_as_gb18030(
    tmp_path: Path, text: str, encoding: str, named: str
) -> None:
    # Each decodes as GB18030 without error, into rare characters: 'Z黵ich S黡', 'S鉶 Paulo'.
    with pytest.raises(InputFileError) as caught:
        read_table(_csv(tmp_path, text, encoding))
    message = str(caught.value)
    assert "does not read as Chinese GB18030/GBK" in message
    assert f"looks like {named}" in message
    assert "line 2" in message


def test_defect9_chinese_with_rare_characters_is_still_read_as_gb18030(tmp_path: Path) -> None:
    # 婺 and 镕 are level-2 GB2312 characters and 喆 is beyond GB2312; the text is still Chinese.
    text = "park_id,park_name\nJX1,上饶婺源工业园区\nJX2,朱镕基喆园区\nJX3,九江市\n"
    source = read_table(_csv(tmp_path, text, "gb18030"))
    assert source.frame["park_name"].tolist() == ["上饶婺源工业园区", "朱镕基喆园区", "九江市"]
