"""The zh→en glossary file and the English subjects it gives announcement titles."""

from __future__ import annotations

from importlib import resources

import pytest

from parsers import glossary
from parsers.glossary import lookup, parse_glossary, subject_en

RARE_EARTHS = "钪钇镧铈镨钕钷钐铕钆铽镝钬铒铥镱镥"
OTHER_CONTROLLED = "镓锗锑钨碲铋钼铟锂碳"
#: Elements whose metal and oxide the 2023–2025 announcements control by name.
METAL_AND_OXIDE = "镓锗锑钨碲铋钼铟钐钆铽镝镥钪钇钬铒铥铕镱"


def _lines() -> list[str]:
    path = resources.files("parsers").joinpath("data/glossary.tsv")
    return path.read_text(encoding="utf-8").splitlines()


def test_file_has_three_fields_per_line_and_unique_keys() -> None:
    lines = _lines()
    assert len(lines) >= 200
    rows = [line.split("\t") for line in lines]
    assert all(len(row) == 3 and all(row) for row in rows)
    keys = [row[0] for row in rows]
    assert len(keys) == len(set(keys))
    assert {row[2] for row in rows} <= glossary.CATEGORIES


def test_every_controlled_element_is_an_element_entry() -> None:
    table = glossary.entries()
    for ch in RARE_EARTHS + OTHER_CONTROLLED:
        assert table[ch].category == "element", ch
    for ch in METAL_AND_OXIDE:
        assert table["金属" + ch].en == table[ch].en + " metal"
        assert table["氧化" + ch].en == table[ch].en + " oxide"


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("商务部", "MOFCOM"),
        ("海关总署", "GAC"),
        ("不可靠实体清单工作机制", "Unreliable Entity List Working Mechanism"),
        ("钬", "holmium"),
        ("镱", "ytterbium"),
        ("金属钬", "holmium metal"),
        ("氧化铒", "erbium oxide"),
        ("锂电池", "lithium batteries"),
        ("人造石墨负极材料", "artificial graphite anode materials"),
        ("超硬材料", "superhard materials"),
        ("稀土设备", "rare-earth equipment"),
        ("原辅料", "raw and auxiliary materials"),
        ("中重稀土", "medium and heavy rare earths"),
        ("稀土相关技术", "rare-earth-related technologies"),
        ("出口管制", "export controls"),
        ("相关物项", "related items"),
        ("两用物项", "dual-use items"),
        ("参考税则号列", "reference tariff line"),
    ],
)
def test_lookup(zh: str, en: str) -> None:
    assert lookup(zh) == en


def test_lookup_misses_are_none() -> None:
    assert lookup("精密量具") is None
    assert lookup("") is None


@pytest.mark.parametrize(
    ("title", "subject"),
    [
        # 2023-23
        (
            "关于对镓、锗相关物项实施出口管制的公告",
            "export controls on gallium and germanium related items",
        ),
        # 2023-39
        (
            "关于优化调整石墨物项临时出口管制措施的公告",
            "optimization and adjustment of temporary export control measures on graphite items",
        ),
        # 2024-33, as published and as it is often cited
        ("关于对锑等物项实施出口管制的公告", "export controls on antimony and other items"),
        (
            "关于对锑、超硬材料相关物项实施出口管制的公告",
            "export controls on antimony and superhard materials",
        ),
        # 2024-46
        (
            "关于加强相关两用物项对美国出口管制的公告",
            "stronger export controls on related dual-use items to the United States",
        ),
        # 2025-10
        (
            "公布对钨、碲、铋、钼、铟相关物项实施出口管制的决定",
            "export controls on tungsten, tellurium, bismuth, molybdenum and indium related items",
        ),
        # 2025-18 and 2025-57 share a title
        (
            "公布对部分中重稀土相关物项实施出口管制的决定",
            "export controls on certain medium and heavy rare earths related items",
        ),
        # 2025-55
        ("公布对超硬材料相关物项实施出口管制的决定", "export controls on superhard materials"),
        # 2025-56
        (
            "公布对部分稀土设备和原辅料相关物项实施出口管制的决定",
            "export controls on certain rare-earth equipment and raw and auxiliary materials",
        ),
        # 2025-58: the contract example's summary_en uses exactly this subject
        (
            "公布对锂电池和人造石墨负极材料相关物项实施出口管制的决定",
            "export controls on lithium batteries and artificial graphite anode materials",
        ),
        # 2025-61
        ("公布对境外相关稀土物项实施出口管制的决定", "export controls on rare-earth items abroad"),
        # 2025-62
        (
            "公布对稀土相关技术实施出口管制的决定",
            "export controls on rare-earth-related technologies",
        ),
        # 2025-70
        ("关于暂停实施部分出口管制措施的公告", "suspension of certain export control measures"),
        (
            "关于暂停实施2025年10月9日公布的相关出口管制措施的公告",
            "suspension of related export control measures announced on 2025-10-09",
        ),
        # entity lists
        (
            "关于将14家外国实体列入不可靠实体清单的公告",
            "addition of 14 foreign entities to the Unreliable Entity List",
        ),
        (
            "关于将1家外国实体列入不可靠实体清单的决定",
            "addition of 1 foreign entity to the Unreliable Entity List",
        ),
        (
            "关于将28家美国实体列入出口管制管控名单的公告",
            "addition of 28 US entities to the export control list",
        ),
        # 2024-51
        (
            "公布《中华人民共和国两用物项出口管制清单》",
            "publication of the Dual-Use Items Export Control List of the People's Republic of China",
        ),
    ],
)
def test_subject_en(title: str, subject: str) -> None:
    assert subject_en(title) == subject


@pytest.mark.parametrize(
    "title",
    [
        "商务部 海关总署公告2025年第58号 公布对锂电池和人造石墨负极材料相关物项实施出口管制的决定",
        "商务部海关总署关于对镓、锗相关物项实施出口管制的公告",
        "关于公布对钨、碲、铋、钼、铟相关物项实施出口管制的决定",
    ],
)
def test_number_issuers_and_extra_frame_words_are_ignored(title: str) -> None:
    assert subject_en(title) is not None


@pytest.mark.parametrize(
    "title",
    [
        "关于对测试用精密量具相关物项实施出口管制的公告",  # unknown words
        "关于对镓、某新材料相关物项实施出口管制的公告",  # one unknown member spoils the list
        "关于对镓锗相关物项实施出口管制的公告",  # element names are not glued into a compound
        "关于对镓、相关物项实施出口管制的公告",  # empty list member
        "关于调整测试目录的公告",  # no known frame
        "关于对锂电池相关物项实施出口管制的公告的解读",  # frame must cover the whole title
        "答记者问关于对锂电池相关物项实施出口管制的公告",  # head is not an issuer
        "关于暂停实施2025年2月30日公布的相关出口管制措施的公告",  # impossible date
        "",
    ],
)
def test_subject_en_refuses_to_guess(title: str) -> None:
    assert subject_en(title) is None


def test_compound_entry_is_used_whole() -> None:
    assert subject_en("关于对铟镓砷相关物项实施出口管制的公告") == (
        "export controls on indium gallium arsenide"
    )


@pytest.mark.parametrize(
    "text",
    [
        "钬\tholmium",
        "钬\tholmium\telement\textra",
        "钬\tholmium\tmetal",
        "钬\tholmium\telement\n钬\tHo\telement",
        "钬 \tholmium\telement",
    ],
)
def test_parse_glossary_rejects_broken_lines(text: str) -> None:
    with pytest.raises(ValueError):
        parse_glossary(text)


def test_entries_are_loaded_once() -> None:
    assert glossary.entries() is glossary.entries()
