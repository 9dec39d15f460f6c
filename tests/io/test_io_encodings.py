"""CSV encodings by evidence: UTF-8, UTF-16 and GB18030/GBK read; Big5 and Shift-JIS refused,
naming the encoding option that reads them."""

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


# --- an encoding named by the user ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written", "option"),
    [(TAIWAN, "big5", "cp950"), (JAPAN, "shift_jis", "cp932")],
    ids=["big5", "shift-jis"],
)
def test_defect9_the_refusal_names_an_encoding_option_that_then_reads_the_file(
    tmp_path: Path, text: str, written: str, option: str
) -> None:
    path = _csv(tmp_path, text, written)
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    assert f"--encoding {option} (encoding='{option}' in Python)" in str(caught.value)
    source = read_table(path, encoding=option)
    assert source.frame["park_name"].tolist() == [
        line.split(",")[1] for line in text.splitlines()[1:]
    ]
    assert source.encoding == option


def test_a_named_encoding_is_used_as_named(tmp_path: Path) -> None:
    path = _csv(tmp_path, TAIWAN, "big5")
    assert read_table(path, encoding="Big5").frame["park_name"].tolist()[0] == "臺北內湖科技園區"
    assert read_table(path, encoding="Big5").encoding == "big5"


def test_a_named_utf8_encoding_drops_the_byte_order_mark(tmp_path: Path) -> None:
    source = read_table(_csv(tmp_path, JIANGXI, "utf-8-sig"), encoding="utf-8")
    assert list(source.frame.columns) == ["park_id", "park_name", "score"]


def test_text_not_valid_in_the_named_encoding_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_bytes(b"park_id,park_name\nTW1,ok\nTW2,\xff\xff\n")
    with pytest.raises(InputFileError, match=r"not valid big5 \(first bad byte on line 3"):
        read_table(path, encoding="big5")


def test_utf8_text_is_not_read_as_another_named_encoding(tmp_path: Path) -> None:
    path = _csv(tmp_path, JIANGXI, "utf-8")
    with pytest.raises(InputFileError, match="the file is UTF-8 text"):
        read_table(path, encoding="gb18030")


def test_ascii_text_reads_under_any_named_encoding(tmp_path: Path) -> None:
    path = _csv(tmp_path, "park_id,score\np1,1\n", "ascii")
    assert read_table(path, encoding="cp932").frame["park_id"].tolist() == ["p1"]


@pytest.mark.parametrize("name", ["no-such-codec", "rot13", "", "  "])
def test_an_unknown_or_non_text_codec_name_is_refused(tmp_path: Path, name: str) -> None:
    path = _csv(tmp_path, "park_id\np1\n", "utf-8")
    with pytest.raises(ValueError, match="encoding"):
        read_table(path, encoding=name)


def test_an_encoding_is_refused_for_formats_that_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "parks.jsonl"
    path.write_text('{"park_id": "p1"}\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"only be named for \.csv and \.tsv"):
        read_table(path, encoding="utf-8")


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
