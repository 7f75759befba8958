"""Elements a control document is about — not every element inside a material's name."""

import pytest

from parsers.elements import find_elements


@pytest.mark.parametrize(
    ("text", "symbols"),
    [
        ("关于对镓、锗相关物项实施出口管制的公告\n1.金属镓（单质）\n7.铟镓砷", ["Ga", "Ge"]),
        ("公布对钨、碲、铋、钼、铟相关物项实施出口管制的决定", ["W", "Te", "Bi", "Mo", "In"]),
        (
            "对钐、钆、铽、镝、镥、钪、钇等7类中重稀土相关物项",
            ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"],
        ),
        ("1C909.a 金属钬及其合金\n1C910.b 氧化铒\n1C911.c 含铥的化合物", ["Ho", "Er", "Tm"]),
        ("锑及其合金、氧化锑", ["Sb"]),
        ("磷酸铁锂正极材料；锂电池相关物项；钐钴永磁材料", []),
        ("钐钴、钕铁硼、铈磁体制造技术", []),
        ("镍钴锰氢氧化物（三元前驱体）", []),
        ("氧化铟锡靶材", []),
        (
            "1. Samarium metal, dysprosium metal and yttrium metal.\n2. Samarium-cobalt alloys, "
            "terbium-iron alloys.\n3. Dysprosium oxide and terbium oxide.",
            ["Sm", "Dy", "Y", "Tb"],
        ),
        ("gallium-related items; antimony and its alloys; metallic holmium", ["Ga", "Sb", "Ho"]),
        ("indium tin oxide targets; lithium cobalt oxide; lead times; tin plate", []),
    ],
)
def test_elements(text: str, symbols: list[str]) -> None:
    assert find_elements(text) == symbols


def test_first_mention_order_without_duplicates() -> None:
    assert find_elements("金属铒、金属钬、氧化铒、含钬的合金") == ["Er", "Ho"]


def test_english_high_purity_form_alone_names_the_element() -> None:
    # no other English subject word (metal, oxide, alloys …) in the text
    assert find_elements("Export control on high-purity gallium, effective 1 August 2023.") == [
        "Ga"
    ]
