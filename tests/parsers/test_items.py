"""Controlled items: entry codes vs mentions, inline sub-items, parents, HS codes, thresholds."""

from hypothesis import given, settings

from parsers.clauses import outline
from parsers.codes import CODE_RE, HS_LABEL_WORDS, normalize_code
from parsers.items import (
    ENTRY_START_RE,
    HS_PAREN_RE,
    HS_PAREN_ZH,
    NOT_CONDITION_RE,
    _entry_start,
    find_items,
    free_thresholds,
)
from parsers.normalize import may_say
from parsers.thresholds import find_thresholds
from tests.parsers.conftest import corpus_searches, texts_of

ANN_58 = """商务部 海关总署公告2025年第58号
决定对锂电池和人造石墨负极材料相关物项实施出口管制。
一、满足以下特性的物项，未经许可，不得出口：
（一）锂电池及其制造设备
1. 3A001 重量能量密度大于等于300Wh/kg的可充放电锂离子电池（含电芯和电池组）（参考税则号列：85076000）。
2. 3B901.a 锂电池制造设备：3B901.a.1 卷绕机（参考税则号列：84798999）；3B901.a.2 叠片机（参考税则号列：84798999）；3B901.a.4 热压机。
3. 3E901.a 用于生产3A001项所管制物项的技术。
（二）正极材料及其制造设备
1. 3C901.a.1 压实密度大于等于2.5g/cm3且克容量大于等于156mAh/g的磷酸铁锂正极材料（参考税则号列：28429040）。
2. 【保留】
（三）人造石墨负极材料及其制造设备
1. 3B901.c.1 造粒设备：3B901.c.1.a 造粒容积大于等于5m³的立式造粒釜。
二、本公告自2025年11月8日起正式实施。
"""


def items():
    return find_items(ANN_58)


def test_codes_in_order_and_mentions_skipped() -> None:
    assert [i.code for i in items()] == [
        "3A001",
        "3B901.a",
        "3B901.a.1",
        "3B901.a.2",
        "3B901.a.4",
        "3E901.a",
        "3C901.a.1",
        "3B901.c.1",
        "3B901.c.1.a",
    ]


def test_parents_clauses_and_hs_codes() -> None:
    by_code = {i.code: i for i in items()}
    assert by_code["3B901.a.2"].parent_code == "3B901.a"
    assert by_code["3B901.c.1.a"].parent_code == "3B901.c.1"
    assert by_code["3A001"].parent_code is None
    assert by_code["3B901.a.1"].clause == "一(一)2"
    assert by_code["3C901.a.1"].clause == "一(二)1"
    assert by_code["3A001"].hs_codes == ("85076000",)
    assert by_code["3B901.a.4"].hs_codes == ()


def test_names_are_trimmed_of_code_qualifier_and_hs() -> None:
    by_code = {i.code: i for i in items()}
    assert by_code["3A001"].name == "可充放电锂离子电池（含电芯和电池组）"
    assert by_code["3B901.a.1"].name == "卷绕机"
    assert by_code["3C901.a.1"].name == "磷酸铁锂正极材料"


def test_thresholds_bind_to_their_item() -> None:
    by_code = {i.code: i for i in items()}
    got = [(t.op, t.value, t.unit) for t in by_code["3C901.a.1"].thresholds]
    assert got == [(">=", 2.5, "g/cm3"), (">=", 156, "mAh/g")]
    assert [(t.op, t.value, t.unit) for t in by_code["3B901.c.1.a"].thresholds] == [(">=", 5, "m3")]
    assert by_code["3B901.c.1"].thresholds == ()
    for item in items():
        for t in item.thresholds:
            assert item.span[0] <= t.span[0] < t.span[1] <= item.span[1]
            assert ANN_58[t.span[0] : t.span[1]].endswith(("Wh/kg", "g/cm3", "mAh/g", "m³"))


def test_uncoded_items_with_hs_codes_2023_style() -> None:
    text = (
        "一、镓相关物项\n（一）金属镓（单质）（参考海关商品编号：8112923010、8112929010）；\n"
        "（二）氮化镓（参考海关商品编号：2850001200）；\n二、锗相关物项\n"
    )
    got = [(i.code, i.name, i.hs_codes, i.clause) for i in find_items(text)]
    assert got == [
        (None, "金属镓（单质）", ("8112923010", "8112929010"), "一(一)"),
        (None, "氮化镓", ("2850001200",), "一(二)"),
    ]


def test_table_rows() -> None:
    text = "序号 | 管制编码 | 物项名称 | 参考税则号列\n1 | 1C909.a | 金属钬 | 28053019\n2 | 1C909.b | 氧化钬 |\n"
    got = [(i.code, i.name, i.hs_codes) for i in find_items(text)]
    assert got == [("1C909.a", "金属钬", ("28053019",)), ("1C909.b", "氧化钬", ())]


def test_table_row_thresholds_come_from_the_indicator_cell_too() -> None:
    text = (
        "序号 | 管制编码 | 物项名称 | 技术指标 | 参考海关商品编号\n"
        "1 | 1C004 | 钨镍铁合金 | 密度大于17.5g/cm3；延伸率大于8% | 8101991001\n"
        "2 | 1C117.d | 钼粉 | — | 8102100001\n"
    )
    got = {
        i.code: (i.name, [(t.op, t.value, t.unit) for t in i.thresholds]) for i in find_items(text)
    }
    assert got == {
        "1C004": ("钨镍铁合金", [(">", 17.5, "g/cm3"), (">", 8, "%")]),
        "1C117.d": ("钼粉", []),
    }


def test_codes_right_after_a_folded_full_width_enumerator() -> None:
    text = (
        "一、满足以下条件的物项，未经许可，不得出口：\n"
        "1.3A 001 重量能量密度≥300Wh/kg的锂离子电池（参考税则号列：8507 6000）。\n"
        "2.3B901.c 石墨负极材料生产设备：\n"
        "a.3B901.c.1.a 立式造粒釜，造粒容积≥5m³。\n"
    )
    got = [(i.code, i.clause, i.parent_code, i.hs_codes) for i in find_items(text)]
    assert got == [
        ("3A001", "一1", None, ("85076000",)),
        ("3B901.c", "一2", None, ()),
        ("3B901.c.1.a", "一2a", "3B901.c", ()),
    ]


def test_free_thresholds_of_announcement_61() -> None:
    text = (
        "一、下列物项出口前，应当申请许可：\n"
        "（一）境外制造的物项，含有原产于中国的所列物项，且其价值比例达到0.1%及以上的；\n"
        "二、对控股50%及以上的子公司的申请，原则上不予许可。\n"
        "三、对用于研发、生产14纳米及以下逻辑芯片或者256层及以上存储芯片的申请，实行逐案审批。\n"
        "四、本公告自公布之日起施行。\n"
    )
    got = [(t.op, t.value, t.unit) for t in free_thresholds(text, find_items(text))]
    assert got == [(">=", 0.1, "%"), (">=", 50, "%"), ("<=", 14, "nm"), (">=", 256, "layer")]


def _free_line_by_line(search: str, items: list) -> list:
    """free_thresholds without passing over the lines its items cover."""
    taken = [i.span for i in items] + [t.span for i in items for t in i.thresholds]
    out = []
    for line in outline(search):
        if not line.path:
            continue
        found = find_thresholds(search, line.body, line.end)
        if found and not NOT_CONDITION_RE.search(search, line.body, line.end):
            out += [t for t in found if not any(a <= t.span[0] < b for a, b in taken)]
    return out


def test_covered_lines_hold_no_free_threshold() -> None:
    for name, search in corpus_searches():
        items = find_items(search)
        assert free_thresholds(search, items) == _free_line_by_line(search, items), name


@settings(max_examples=300, deadline=None)
@given(texts_of([*"：:；;，。a 中\t\n\u3000\xa0", "3A001"], 8))
def test_entry_start_is_its_pattern(before: str) -> None:
    assert _entry_start(before) == bool(ENTRY_START_RE.search(before))


@settings(max_examples=300, deadline=None)
@given(
    texts_of(
        [*"（）()：HhSs 1a中", "税则号列", "商品编码", "HS编码", "hs code", "tariff number"], 10
    )
)
def test_hs_parenthesis_check_skips_only_names_it_cannot_change(raw: str) -> None:
    english = may_say(raw, HS_LABEL_WORDS)
    if not english and HS_PAREN_ZH[0] not in raw and HS_PAREN_ZH[1] not in raw:
        assert HS_PAREN_RE.sub("", raw) == raw


@settings(max_examples=300, deadline=None)
@given(texts_of([*"0123 ABEa.。．·", "3A001", "3A 001", ".a", "。1"], 8))
def test_ascii_codes_without_spaces_are_already_normal(text: str) -> None:
    for m in CODE_RE.finditer(text):
        if m.group().isascii() and " " not in m.group():
            assert normalize_code(m.group()) == m.group()
