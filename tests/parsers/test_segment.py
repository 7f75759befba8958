"""The domain segmenter: its own jieba instance, domain words kept whole."""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources
from pathlib import Path

import jieba
import pytest

from parsers import glossary, segment
from parsers.segment import cut, cut_for_search, tokenizer

USER_DICT_LINE_RE = re.compile(r"^\S+ [1-9][0-9]* [a-z]+$")
#: Words the brief for this dictionary names; each must be in it.
REQUIRED = [
    "锂离子电池",
    "人造石墨",
    "负极材料",
    "正极材料",
    "磷酸铁锂",
    "超硬材料",
    "人造金刚石",
    "稀土",
    "中重稀土",
    "永磁材料",
    "靶材",
    "离心萃取设备",
    "焙烧窑",
    "两用物项",
    "出口管制",
    "管控名单",
    "不可靠实体清单",
    "参考税则号列",
    "参考海关商品编号",
    "价值比例",
    "逻辑芯片",
    "存储芯片",
    "制程",
    "商务部",
    "海关总署",
    "不可靠实体清单工作机制",
    "国务院关税税则委员会",
    "工业和信息化部",
    "国家国防科技工业局",
    "金属钬",
    "氧化钬",
]


def _dict_words() -> list[str]:
    return [line.split(" ")[0] for line in segment.dictionary_text().splitlines()]


def test_dictionary_file_format() -> None:
    lines = segment.dictionary_text().splitlines()
    assert len(lines) >= 150
    bad = [line for line in lines if not USER_DICT_LINE_RE.match(line)]
    assert bad == []
    assert [w for w, n in Counter(_dict_words()).items() if n > 1] == []
    assert set(REQUIRED) <= set(_dict_words())


def test_glossary_terms_are_dictionary_words() -> None:
    words = set(_dict_words())
    missing = [
        zh
        for zh, entry in glossary.entries().items()
        if zh not in words and (len(zh) > 1 or entry.category == "element")
    ]
    assert missing == []


def test_tokenizer_is_cached_and_not_the_global_one() -> None:
    tok = tokenizer()
    assert tok is tokenizer()
    assert tok is not jieba.dt
    assert "人造石墨负极材料" in tok.FREQ
    # our words do not leak into jieba's global tokenizer
    assert "人造石墨负极材料" not in jieba.dt.FREQ


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("锂电池和人造石墨负极材料", ["锂电池", "和", "人造石墨负极材料"]),
        ("列入不可靠实体清单", ["列入", "不可靠实体清单"]),
        ("参考税则号列：85076000", ["参考税则号列", "：", "85076000"]),
        ("金属钬、氧化铒", ["金属钬", "、", "氧化铒"]),
        ("部分中重稀土相关物项", ["部分", "中重稀土", "相关物项"]),
        ("商务部 海关总署公告", ["商务部", " ", "海关总署", "公告"]),
    ],
)
def test_domain_words_are_single_tokens(text: str, tokens: list[str]) -> None:
    assert cut(text, hmm=False) == tokens
    assert "".join(cut(text)) == text


def test_cut_for_search_adds_inner_words() -> None:
    tokens = cut_for_search("人造石墨负极材料")
    assert "人造石墨负极材料" in tokens
    assert "负极" in tokens or "负极材料" in tokens


def test_first_use_writes_nothing_into_the_package() -> None:
    data = Path(str(resources.files("parsers").joinpath("data")))
    before = sorted(p.name for p in data.iterdir())
    tokenizer()
    assert sorted(p.name for p in data.iterdir()) == before
