"""Legal status on a day from parsed facts: pending, in force, suspended, resumed, ended (pure)."""

from __future__ import annotations

from datetime import date

from db.facts import facts_of, instrument_key
from db.status import InstrumentFacts, Regime, Status
from tests.db import records as R

KEY_55 = "商务部/公告/2025/55"
KEY_70 = "商务部/公告/2025/70"
KEY_18 = "商务部/公告/2025/18"


def regime(*recs: dict) -> Regime:
    facts = [facts_of(r) for r in recs]
    return Regime(
        InstrumentFacts.from_facts(instrument_key(r), f) for r, f in zip(recs, facts, strict=True)
    )


def package() -> Regime:
    return regime(
        R.record(55),
        R.suspension_of([55, 56, 57, 58]),
        R.record(18, publish="2025-04-04", effective="2025-04-04"),
    )


def test_the_package_on_chosen_days() -> None:
    reg = package()
    assert reg.status(KEY_55, date(2025, 10, 8)) is None  # not yet published
    assert reg.status(KEY_55, date(2025, 11, 6)) == Status(
        "pending", KEY_55, date(2025, 10, 9), date(2025, 11, 8)
    )
    suspended = Status("suspended", KEY_70, date(2025, 11, 7), date(2026, 11, 10))
    assert reg.status(KEY_55, date(2025, 11, 20)) == suspended
    assert reg.status(KEY_55, date(2026, 11, 10)) == suspended  # through the last day
    assert reg.status(KEY_55, date(2026, 11, 11)) == Status("in_force", KEY_55, date(2026, 11, 11))
    # the April rare-earth controls are untouched by 70
    assert reg.status(KEY_18, date(2025, 11, 20)) == Status("in_force", KEY_18, date(2025, 4, 4))


def test_without_the_suspension_55_enters_into_force_on_its_date() -> None:
    reg = regime(R.record(55))
    assert reg.status(KEY_55, date(2025, 11, 7)).status == "pending"
    assert reg.status(KEY_55, date(2025, 11, 8)) == Status("in_force", KEY_55, date(2025, 11, 8))


def test_clause_level_effective_dates_and_suspensions() -> None:
    rec = R.record(61, issuers=("商务部",), effective=None)
    rec["effective"] = [
        {"date": "2025-12-01", "applies_to": "一(一),一(二)", "basis": "fixed", "span": [0, 1]},
        {"date": "2025-10-09", "applies_to": "all", "basis": "on_publication", "span": [0, 1]},
    ]
    reg = regime(rec)
    key = "商务部/公告/2025/61"
    assert reg.by_key[key].scopes() == ["all", "一(一),一(二)"]
    assert reg.status(key, date(2025, 11, 1), "一(二)3").status == "pending"
    assert reg.status(key, date(2025, 11, 1), "一(三)").status == "in_force"
    assert reg.status(key, date(2025, 12, 1), "一(一)").status == "in_force"


def test_repeal_and_supersession_end_a_measure_when_they_take_effect() -> None:
    target = {"issuers": ["商务部", "海关总署"], "type": "公告", "year": 2023, "seq": 39}
    old = R.record(39, publish="2023-10-20", effective="2023-12-01")
    old["numbers"][0]["year"] = 2023
    repeal = R.record(
        5,
        publish="2026-01-05",
        effective="2026-02-01",
        references=[{"target": target, "relation": "repeals", "span": [0, 1]}],
    )
    reg = regime(old, repeal)
    key = "商务部/公告/2023/39"
    assert reg.status(key, date(2026, 1, 20)).status == "in_force"
    assert reg.status(key, date(2026, 2, 1)) == Status(
        "repealed", "商务部/公告/2025/5", date(2026, 2, 1)
    )
    repeal["references"][0]["relation"] = "supersedes"
    assert regime(old, repeal).status(key, date(2026, 2, 1)).status == "lifted"
