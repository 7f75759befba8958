"""Kind and language decisions."""

import pytest
from hypothesis import given, settings

from parsers import parse_text
from parsers.kinds import (
    HAN_RUN_RE,
    LANGUAGE_SAMPLE,
    NEWS_RE,
    TEN_HAN_RE,
    _reads_as_news,
    kind,
    language,
)
from parsers.normalize import has_latin, t2s_inert
from tests.parsers.conftest import texts_of


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("商务部公告2025年第61号，决定对相关物项实施出口管制。", "zh-Hans"),
        ("商務部公告2025年第61號，決定對相關物項實施出口管制。", "zh-Hant"),
        ("MOFCOM Announcement No. 61 of 2025 on export controls.", "en"),
        ("Export controls (出口管制) on rare earth items were announced today by MOFCOM.", "en"),
        ("", "zh-Hans"),
    ],
)
def test_language(text: str, lang: str) -> None:
    assert language(text) == lang
    assert language(text, inert=t2s_inert(text)) == lang


LANGUAGE_PIECES = [*"商务部公告管制臺灣國關深沈覆aZ 。\n", "Export controls", "出口", "深，沈"]


@given(texts_of(LANGUAGE_PIECES, max_size=40))
@settings(max_examples=300, deadline=None)
def test_language_told_the_text_is_inert_decides_as_without(text: str) -> None:
    inert = t2s_inert(text)
    assert language(text, inert=inert) == language(text)
    han = "".join(HAN_RUN_RE.findall(text[:LANGUAGE_SAMPLE]))
    assert (TEN_HAN_RE.match(text, 0, LANGUAGE_SAMPLE) is not None) == (len(han) >= 10)


@pytest.mark.parametrize(
    ("title", "text", "own", "url", "expected"),
    [
        (
            "公布对稀土相关技术实施出口管制的决定",
            "决定对稀土技术实施管制。",
            ["公告"],
            None,
            "announcement",
        ),
        ("商务部令2024年第1号", "现予公布。", ["令"], None, "announcement"),
        (
            "不可靠实体清单工作机制公告",
            "决定将以下实体列入不可靠实体清单。",
            ["公告"],
            None,
            "entity_list",
        ),
        ("商务部新闻发言人答记者问", "问：……答：……", [], None, "qa"),
        ("关于做好两用物项出口管理工作的通知", "各有关单位：", [], None, "notice"),
        ("稀土新规落地", "记者从商务部获悉。", [], None, "news"),
        ("陆暂停实施出口管制措施", "2025-11-07 21:40 联合报／ 综合报导\n正文。", [], None, "news"),
        ("Rare earths", "Intro.\nBEIJING — China's Ministry of Commerce said.", [], None, "news"),
        ("稀土管制扩大", "（中央社台北9日电）中国商务部今天发布公告。", [], None, "news"),
        ("联系方式", "请于9日电告联系人。", [], None, "other"),
        ("Notice", "Scope\nAnnouncement — the ministry said.", [], None, "notice"),
        ("Rules", "Intro.\nBeijing — the ministry said.", [], None, "other"),
        ("任意标题", "正文。", [], "https://www.guancha.cn/politics/2025_10_09_1.shtml", "news"),
        ("联系方式", "电话：12345678", [], None, "other"),
    ],
)
def test_kind(title: str, text: str, own: list[str], url: str | None, expected: str) -> None:
    assert kind(text, title, own, url) == expected


def test_news_column_from_meta() -> None:
    assert kind("正文。", "标题", [], None, "商务新闻") == "news"


def test_kind_through_parse_text_for_an_entity_list() -> None:
    rec = parse_text("商务部公告2026年第30号\n商务部决定将下列实体列入出口管制管控名单。").to_dict()
    assert rec["kind"] == "entity_list"


NEWS_PIECES = [
    "新华社",
    "记者",
    "据新华社报道",
    "综合报导",
    "十日电",
    "9日电）",
    "日电(",
    "编辑：",
    "reporter",
    "REPORTED",
    "Reuters",
    "(Reuters)",
    "BEIJING —",
    "Beijing –",
    "AB —",
    "\n",
    " ",
    "x",
    "据",
    "报道",
    "K",
    "\u212a",
]


@settings(max_examples=400, deadline=None)
@given(texts_of(NEWS_PIECES, 10))
def test_news_test_part_by_part_is_the_news_pattern(text: str) -> None:
    assert _reads_as_news(text, has_latin(text)) == (NEWS_RE.search(text) is not None)
