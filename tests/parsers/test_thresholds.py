"""Thresholds: Chinese legal operators, units, Chinese numerals, ranges, English, spans."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.thresholds import (
    DECIMAL_RE,
    EN_WORD_CHARS,
    EN_WORDS_RE,
    NOT_PARAM_END_RE,
    NOT_PARAM_ENDS,
    PARAM_TRIM_FIRST,
    PARAM_TRIM_RE,
    PREFIX_OPS,
    QUALIFIER_RE,
    ZH_PREFIX_RE,
    _op_of,
    _prefix_re,
    _scan,
    find_thresholds,
    parse_number,
)
from tests.parsers.conftest import corpus_ranges, texts_of


def one(text: str) -> tuple:
    found = find_thresholds(text)
    assert len(found) == 1, found
    t = found[0]
    return (t.parameter, t.op, t.value, t.value_max, t.unit)


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("功率大于等于10kW", ">="),
        ("功率大于或等于10kW", ">="),
        ("功率不低于10kW", ">="),
        ("功率不小于10kW", ">="),
        ("功率达到10kW", ">="),
        ("功率≥10 kW", ">="),
        ("功率10kW以上", ">="),
        ("功率10kW及以上", ">="),
        ("功率小于等于10kW", "<="),
        ("功率不超过10kW", "<="),
        ("功率不高于10kW", "<="),
        ("功率≤10kW", "<="),
        ("功率10kW以下", "<="),
        ("功率10kW及以下", "<="),
        ("功率大于10kW", ">"),
        ("功率超过10kW", ">"),
        ("功率高于10kW", ">"),
        ("功率小于10kW", "<"),
        ("功率低于10kW", "<"),
        ("功率不足10kW", "<"),
    ],
)
def test_chinese_legal_usage_decides_inclusiveness(text: str, op: str) -> None:
    assert one(text) == ("功率", op, 10, None, "kW")


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("压实密度大于等于2.5g/cm³", "g/cm3", 2.5),
        ("压实密度大于等于2。5克/立方厘米", "g/cm3", 2.5),
        ("设计工作压力大于等于5千兆帕", "GPa", 5),
        ("平均粒径小于等于五十微米", "um", 50),
        ("平均粒径小于等于50μm", "um", 50),
        ("日处理量大于等于5000m³", "m3", 5000),
        ("造粒容积大于等于五立方米", "m3", 5),
        ("克容量大于等于156mAh/g", "mAh/g", 156),
        ("反应温度小于等于850℃", "degC", 850),
        ("破断力小于等于16N", "N", 16),
        ("最高工作速度大于等于40m/s", "m/s", 40),
        ("筒体直径大于0.5m", "m", 0.5),
        ("容积大于300L", "L", 300),
        ("纯度大于99.999%", "%", 99.999),
    ],
)
def test_units_and_numbers(text: str, unit: str, value: float) -> None:
    _, _, got_value, _, got_unit = one(text)
    assert (got_unit, got_value) == (unit, value)


def test_range_with_two_bounds_is_one_between() -> None:
    assert one("平均粒径大于50μm且小于等于500μm的人造金刚石单晶") == (
        "平均粒径",
        "between",
        50,
        500,
        "um",
    )


def rows(text: str) -> list[tuple]:
    return [(t.parameter, t.op, t.value, t.unit) for t in find_thresholds(text)]


def test_dash_range() -> None:
    assert one("粒径50～500μm") == ("粒径", "between", 50, 500, "um")


def test_free_standing_conditions_of_61() -> None:
    text = "价值比例达到0.1%及以上的；控股50%及以上的子公司；14纳米及以下制程逻辑芯片、256层及以上存储芯片"
    assert rows(text) == [
        ("价值比例", ">=", 0.1, "%"),
        ("控股", ">=", 50, "%"),
        ("制程", "<=", 14, "nm"),
        (None, ">=", 256, "layer"),
    ]


def test_english() -> None:
    got = [
        (t.op, t.value, t.unit)
        for t in find_thresholds(
            "an energy density of 300 Wh/kg or more; logic chips of 14 nm or below; at least 256 layers"
        )
    ]
    assert got == [(">=", 300, "Wh/kg"), ("<=", 14, "nm"), (">=", 256, "layer")]


def test_english_units_spelled_out_and_parameter_before_of() -> None:
    text = (
        "a gravimetric energy density of 300 Wh/kg or more; logic chips of 14 nanometers and "
        "below; a barrel diameter exceeding 0.5 metres; particles of 50 microns or less"
    )
    got = [(t.parameter, t.op, t.value, t.unit) for t in find_thresholds(text)]
    assert got == [
        ("energy density", ">=", 300, "Wh/kg"),
        ("logic chips", "<=", 14, "nm"),
        ("barrel diameter", ">", 0.5, "m"),
        ("particles", "<=", 50, "um"),
    ]
    assert find_thresholds("硬度HRB不低于40HRB")[0].parameter == "硬度HRB"


@pytest.mark.parametrize(
    "text",
    [
        "自公布之日起30日后施行",  # no operator
        "2025年10月9日",
        "3A001 电池",
        "参考税则号列：85076000",
        "第二条第3款",
        "大于等于五个工作",  # no unit
    ],
)
def test_no_threshold_without_operator_and_unit(text: str) -> None:
    assert find_thresholds(text) == []


def test_spans_cover_operator_number_and_unit() -> None:
    text = "一、重量能量密度大于等于300Wh/kg的电池；二、14纳米及以下制程"
    for t in find_thresholds(text):
        evidence = text[t.span[0] : t.span[1]]
        assert str(int(t.value)) in evidence
        assert evidence.startswith(("大于", "14"))
        assert evidence.endswith(("Wh/kg", "以下"))


def test_parse_number() -> None:
    assert parse_number("四十五") == 45
    assert parse_number("二点五") == 2.5
    assert parse_number("2。5") == 2.5
    assert parse_number("abc") is None


def test_percentages_written_in_words() -> None:
    text = "含铼量按重量计超过百分之九十；持股百分之五十以上；纯度不低于百分之99.5；百分之十的关税"
    assert rows(text) == [
        ("含铼量", ">", 90, "%"),
        ("持股", ">=", 50, "%"),
        ("纯度", ">=", 99.5, "%"),
    ]
    for t in find_thresholds(text):
        assert text[t.span[0] : t.span[1]].startswith(("超过百分之", "百分之", "不低于百分之"))


def test_the_anchor_precheck_skips_only_ranges_without_thresholds() -> None:
    """Every line of the corpus, and ranges that start or stop mid-line, as if unchecked."""
    for search, start, stop in corpus_ranges(200):
        assert find_thresholds(search, start, stop) == _scan(search, start, stop), search[
            start:stop
        ]


@settings(max_examples=300, deadline=None)
@given(texts_of([*"ab Z-中（）()按计，\n5", "Wh", "energy density of"], 12))
def test_parameter_prechecks_skip_only_what_cannot_match(text: str) -> None:
    if not ("（" in text or "(" in text or "按" in text):
        assert QUALIFIER_RE.search(text) is None
    last = text[-2:-1] if text.endswith("\n") else text[-1:]
    if not (last and last in EN_WORD_CHARS):
        assert EN_WORDS_RE.search(text) is None


SPACE = st.sampled_from(["", " ", "\u3000", "\t"])
NUMBER = st.sampled_from(["5", "2.5", "2。5", "五十", "二点五", "１２", "300"])
UNIT = st.sampled_from(
    ["nm", "NM", "\u212a", "K", "Wh/kg", "纳米", "度", "%", "m³", "ſ", "w/(m·k)"]
)
THRESHOLDISH = st.one_of(
    st.tuples(NUMBER, SPACE, UNIT, SPACE, st.sampled_from(["以上", "及以下", "或者以上", "以内"])),
    st.tuples(NUMBER, SPACE, st.sampled_from(["~", "至", "到", "-", "—"]), SPACE, NUMBER, UNIT),
    st.tuples(
        st.sampled_from(["大于", "不小于", "至少", "达到", "≥", ">"]),
        SPACE,
        st.sampled_from(["", "为", "为 "]),
        st.sampled_from(["", "百分之"]),
        NUMBER,
        UNIT,
    ),
    st.tuples(st.just("百分之"), NUMBER, SPACE, st.sampled_from(["以上", "以下", "or more"])),
    st.sampled_from(["满足以下", "以上", "至", "中", "\n", "，", "a", "or more", "at least 5 nm"]),
).map(lambda parts: "".join(parts))


@settings(max_examples=500, deadline=None)
@given(st.lists(THRESHOLDISH, max_size=5).map("".join))
def test_the_anchor_words_and_their_neighbours_skip_only_ranges_without_thresholds(
    text: str,
) -> None:
    for start in range(len(text) + 1):
        for stop in range(start, len(text) + 1, 2):
            assert find_thresholds(text, start, stop) == _scan(text, start, stop)


@settings(max_examples=300, deadline=None)
@given(
    texts_of([*"且并或者及和以其对于用是有中a 1２٣\n", "可加工成", "同时满足", "包含", "用于"], 8)
)
def test_parameter_word_checks_read_as_their_patterns(text: str) -> None:
    if text[:1] not in PARAM_TRIM_FIRST:
        assert PARAM_TRIM_RE.sub("", text) == text
    name = text.strip()
    assert name.endswith(NOT_PARAM_ENDS) == bool(NOT_PARAM_END_RE.search(name))
    if text.isdecimal():
        assert DECIMAL_RE.fullmatch(text) and parse_number(text) == float(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(THRESHOLDISH, max_size=5).map("".join))
def test_chinese_operator_words_read_as_their_groups(text: str) -> None:
    grouped = _prefix_re(0, 4)
    by_groups = [
        (m.span(), next(PREFIX_OPS[i][0] for i in range(4) if m.group(f"p{i}")))
        for m in grouped.finditer(text)
    ]
    assert [(m.span(), _op_of(m)) for m in ZH_PREFIX_RE.finditer(text)] == by_groups
