"""build: record-level rules (legal basis)."""

from parsers import parse_text


def test_legal_basis_leaves_out_a_short_title_the_text_defines() -> None:
    rec = parse_text(
        "商务部公告2025年第34号\n根据《中华人民共和国反倾销条例》（以下称《反倾销条例》）的规定，"
        "依据《反倾销条例》第二十五条和《中华人民共和国对外贸易法》作出裁定。\n"
    ).to_dict()
    assert rec["legal_basis"] == ["中华人民共和国反倾销条例", "中华人民共和国对外贸易法"]
