"""Clause outline paths and clause references."""

import pytest
from hypothesis import given, settings

from parsers.clauses import LEVEL_FORMAT, MARKERS, clause_refs, marker, outline
from tests.parsers.conftest import texts_of

TEXT = (
    "决定如下：\n一、满足以下特性的物项：\n（一）锂电池\n1. 3A001 电池\n（1）子项\na. 细项\n"
    "2. 3B901.a 设备\n（二）正极材料\n1. 3C901.a.1 材料\n二、本公告自公布之日起实施。\n第三条 附则\n"
)


def test_outline_paths() -> None:
    paths = [
        (TEXT[line.body : line.end], line.path) for line in outline(TEXT) if line.end > line.start
    ]
    assert paths == [
        ("决定如下：", ""),
        ("满足以下特性的物项：", "一"),
        ("锂电池", "一(一)"),
        ("3A001 电池", "一(一)1"),
        ("子项", "一(一)1(1)"),
        ("细项", "一(一)1(1)a"),
        ("3B901.a 设备", "一(一)2"),
        ("正极材料", "一(二)"),
        ("3C901.a.1 材料", "一(二)1"),
        ("本公告自公布之日起实施。", "二"),
        ("附则", "三"),
    ]


def test_decimal_numbers_are_not_markers() -> None:
    assert outline("1.5克以上\n")[0].path == ""


def test_a_folded_full_width_dot_before_a_code_ends_the_marker() -> None:
    text = "（一）电池\n1.3A 001 电池\na.3B901.c.1.a 造粒釜\n2.5A 级\n"
    got = [(line.path, text[line.body : line.end]) for line in outline(text)][:3]
    assert got == [("(一)", "电池"), ("(一)1", "3A 001 电池"), ("(一)1a", "3B901.c.1.a 造粒釜")]
    assert outline(text)[3].level == 0  # 2.5A is no code: a decimal stays a decimal


@pytest.mark.parametrize(
    ("fragment", "paths"),
    [
        ("本公告第一条第（一）项、第（二）项", ["一(一)", "一(二)"]),
        ("第一条第（三）项及其他规定", ["一(三)"]),
        ("第二条", ["二"]),
        ("Paragraphs (1) and (2) of Article 1 shall", ["一(一)", "一(二)"]),
        ("本公告", []),
    ],
)
def test_clause_refs(fragment: str, paths: list[str]) -> None:
    assert clause_refs(fragment) == paths


def _marker_rule_by_rule(line: str) -> tuple[int, str, int] | None:
    for level, rule in MARKERS:
        m = rule.match(line)
        if m:
            value = m.group("v") or (m.groupdict().get("w") or "")
            return level, LEVEL_FORMAT[level].format(value), m.end()
    return None


@settings(max_examples=400, deadline=None)
@given(texts_of([*"第一二十条、.．（）()1234567890abz 3AE", "3A001", "a)", "\u3000", "１"], 8))
def test_one_marker_pattern_reads_lines_as_the_rules_in_turn(line: str) -> None:
    assert marker(line) == _marker_rule_by_rule(line)


def _outline_line_by_line(text: str) -> list[tuple[int, int, int, str, int]]:
    """The outline as each line's ``marker`` gives it."""
    out = []
    stack: list[tuple[int, str]] = []
    path, pos = "", 0
    for line in text.split("\n"):
        found = marker(line)
        level, body = 0, pos
        if found:
            level, written, length = found
            while stack and stack[-1][0] >= level:
                stack.pop()
            path = (stack[-1][1] if stack else "") + written
            stack.append((level, path))
            body = pos + length
        out.append((pos, pos + len(line), body, path, level))
        pos += len(line) + 1
    return out


@settings(max_examples=400, deadline=None)
@given(
    texts_of(
        [
            *"第一二十条、.．（）()1234567890abz 3AE\n\t",
            "3A001",
            "a)",
            "\u3000",
            "１",
            "\n\n",
            " \n",
        ],
        16,
    )
)
def test_whole_text_marker_scans_read_lines_as_marker_does(text: str) -> None:
    got = [(ln.start, ln.end, ln.body, ln.path, ln.level) for ln in outline(text)]
    assert got == _outline_line_by_line(text)
