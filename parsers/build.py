"""Assemble a ``Record`` from a ``Page``, plain text or file bytes.

The record's ``text`` is the normalised text (for a page: title, header lines ``label：value``
and body — the same content the page hash covers). Every extractor runs on its own: a failure
becomes a line in ``warnings`` and the field keeps its empty value.
Invariants: the public functions never raise; every span satisfies
``0 <= start <= end <= len(text)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from parsers import dates, glossary, kinds
from parsers.anchors import Words
from parsers.blocks import squash
from parsers.control import control_facts
from parsers.encoding import decode_html
from parsers.normalize import (
    has_latin,
    normalize_text,
    search_copy,
    t2s_inert,
    to_simplified,
)
from parsers.numbers import RUNNING_SERIES, Mention, find_numbers, same_document
from parsers.page import Page, extract_page, parse_header, stable_text
from parsers.record import DocNumber, DocRef, Record, Reference, Suspension, guarded

LEGAL_TITLE_RE = re.compile(r"《([^《》\n]{2,80})》")
LEGAL_ENDINGS = ("法", "条例", "规定", "办法", "细则", "规则")
#: ``（以下称《反倾销条例》）`` / ``以下简称`` right before a title: it abbreviates one named before.
SHORT_TITLE_RE = re.compile(r"以下简?称[：:“\"]?\s*$")
OWN_LINE_LABEL = "发布文号"
#: A line that starts with the label (after 【 and spaces).
OWN_LINE_RE = re.compile(rf"^[【 ]*{OWN_LINE_LABEL}", re.MULTILINE)
ANNEX_LINE = "附件："
OWN_SEARCH_LINES = 3
TITLE_SEARCH_LINES = 4
TITLE_MAX_CHARS = 100
TITLE_BAD_ENDINGS = ("。", "：", ":", "；", "，")
#: ``关于将…列入不可靠实体清单的公告`` names its own type: an own number written without one
#: (``不可靠实体清单工作机制〔2025〕10号``) takes it.
TITLE_TYPE_RE = re.compile(r"^关于.*的(公告|决定|通知|令)[ 。]*$")
REPORTING_KINDS = ("news", "qa")
HEADER_LINE_RE = re.compile(r"^【?(?:发布单位|发布文号|发文日期|发布日期|成文日期|发布机构)")
HTML_EXTS = (".html", ".htm", ".shtml", ".xhtml")
BINARY_EXTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".rar")
HTML_SNIFF_RE = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|div|p|meta|title)\b", re.IGNORECASE
)


def _rule(zh: str, english: tuple[str, ...]) -> Words:
    """Chinese alternatives ``zh`` or any of the ``english`` words, case-insensitive."""
    return Words(zh, re.compile("|".join((zh, *english)), re.IGNORECASE), english)


RELATION_RULES = (
    ("suspends", _rule(r"暂停实施|暂停执行|暂停适用", ("suspend",))),
    ("repeals", _rule(r"废止|撤销", ("repeal", "abolish"))),
    # deleting or adding an entry of an earlier text's annex (附件第1项相应删除) amends it
    ("amends", _rule(r"修改|修订|修正|删除|删去|增列", ("amend",))),
    ("supersedes", _rule(r"代替|取代|替代|以《[^》]{1,30}》为准", ("supersede", "replace"))),
)
#: The Chinese words of every rule: a sentence without them needs no rule tried.
RELATION_ZH_RE = re.compile("|".join(rule.zh.pattern for _, rule in RELATION_RULES))
#: ``根据《…条例》（国务院令第792号）``: the number of a regulation cited as the basis.
IMPLEMENTS_TITLE_RE = re.compile(r"(?:根据|依据|按照)[^。；]*》\s*[（(]\s*$")
BACK_REFERENCES = ("上述公告", "前述公告", "该公告", "上述文件", "原公告")
#: ``根据…公告2025年第18号…`` right before the mention: this document implements that one.
IMPLEMENTS_RE = re.compile(
    r"(?:根据|依据|按照|落实|贯彻|implementing|pursuant to)[^。，；,;]{0,12}$", re.IGNORECASE
)
ISSUER_EN = {
    "商务部": "MOFCOM",
    "海关总署": "GAC",
    "不可靠实体清单工作机制": "Unreliable Entity List Working Mechanism",
    "国务院关税税则委员会": "Customs Tariff Commission of the State Council",
    "国家发展改革委": "NDRC",
    "工业和信息化部": "MIIT",
    "科技部": "MOST",
    "国家原子能机构": "CAEA",
    "国家国防科技工业局": "SASTIND",
}
TYPE_EN = {
    "公告": "Announcement",
    "令": "Order",
    "通知": "Notice",
    "决定": "Decision",
    "其他": "Document",
}
KIND_EN = {
    "announcement": "Announcement",
    "entity_list": "Entity-list announcement",
    "news": "News article",
    "qa": "Q&A / spokesperson remarks",
    "notice": "Notice",
    "other": "Document",
}


def _lines(text: str, most: int = -1) -> list[tuple[int, int]]:
    """(start, end) of the lines of ``text``; of the first ``most + 1`` only, when given."""
    out, pos = [], 0
    for line in text.split("\n", most):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _first_lines(text: str, most: int) -> list[tuple[int, int]]:
    """(start, end) of the first ``most`` non-empty lines of ``text``."""
    out: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while len(out) < most and pos <= n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        if end > pos:
            out.append((pos, end))
        pos = end + 1
    return out


def _own_mentions(search: str, mentions: list[Mention]) -> list[Mention]:
    """The document's own number(s): the 发布文号 header line, else a number opening an early line."""
    if not mentions:
        return []
    if OWN_LINE_LABEL in search:  # else no line starts with it
        for line in OWN_LINE_RE.finditer(search):
            start = line.start()
            end = search.find("\n", start)
            end = len(search) if end < 0 else end
            own = [m for m in mentions if start <= m.span[0] < end]
            if own:
                return own
    for start, end in _lines(search, OWN_SEARCH_LINES)[:OWN_SEARCH_LINES]:
        for m in mentions:
            if start <= m.span[0] < end and m.span[0] - start <= 1:
                return [m]
    return []


def _rule_named(sentence: str, latin: bool) -> str | None:
    """The first of ``RELATION_RULES`` found in ``sentence``; ``latin``: it may hold a letter."""
    if latin:
        return next(
            (name for name, rule in RELATION_RULES if rule.found(sentence, document=False)), None
        )
    if RELATION_ZH_RE.search(sentence) is None:  # one scan answers for the usual sentence
        return None
    return next((name for name, rule in RELATION_RULES if rule.zh.search(sentence)), None)


def _relation(search: str, span: tuple[int, int], latin: bool = True) -> str:
    """How the sentence at ``span`` relates the document to the one named there.

    ``latin``: whether ``search`` may hold a letter (``normalize.has_latin``); without one only
    the rules' Chinese words are looked for.
    """
    here = dates.sentence_span(search, span[0])
    if here is None:
        return "cites"
    start, end = here
    sentence = search[start:end]
    name = _rule_named(sentence, latin)
    if name is not None:
        return name
    after = dates.next_sentence(search, end)
    if after is not None:  # 上述公告…以《清单》为准: the next sentence refers back
        a, b = after
        following = search[a:b].lstrip()
        if following.startswith(BACK_REFERENCES):
            name = _rule_named(following, latin)
            if name is not None:
                return name
    if IMPLEMENTS_RE.search(search[start : span[0]]) or IMPLEMENTS_TITLE_RE.search(
        search[start : span[0]]
    ):
        return "implements"
    return "cites"


def _ref(m: Mention, year: int | None) -> DocRef:
    if m.year is None and (m.issuers, m.type) in RUNNING_SERIES:
        year = None  # 国务院令第792号: one series across the years, no year to infer
    return DocRef(m.seq, m.year if m.year is not None else year, m.issuers or None, m.type)


def _context_year(mentions: list[Mention]) -> int | None:
    """The year every dated mention shares (``No. 61 of 2025`` … ``No. 55``), else None."""
    years = {m.year for m in mentions if m.year is not None}
    return years.pop() if len(years) == 1 else None


def _relations(
    search: str,
    others: list[Mention],
    published: str | None,
    year: int | None,
    reporting: bool = False,
) -> tuple[list[Reference], list[Suspension]]:
    """References to the other documents and suspensions; a report only ``cites``."""
    # the sentences matter only for a relation to tell (none in a report, nothing to relate)
    reading = bool(others) and not reporting
    latin = has_latin(search)
    refs: dict[tuple[DocRef, str], Reference] = {}
    for m in others:
        relation = "cites" if reporting else _relation(search, m.span, latin)
        ref = Reference(_ref(m, year), relation, m.span)
        refs.setdefault((ref.target, ref.relation), ref)
    suspensions: dict[DocRef, Suspension] = {}
    windows = dates.suspension_windows(search, published) if reading else []
    for window in windows:
        a, b = window.span
        targets = [m for m in others if a <= m.span[0] < b]
        if not targets:  # 该措施…暂停实施: the measure was named in the sentence before
            before = dates.previous_sentence(search, a)
            if before is not None:
                x, y = before
                targets = [m for m in others if x <= m.span[0] < y]
        for m in targets:
            target = _ref(m, year)
            suspensions.setdefault(
                target, Suspension(target, "all", window.start, window.until, window.span)
            )
            refs.pop((target, _relation(search, m.span, latin)), None)
            refs.setdefault((target, "suspends"), Reference(target, "suspends", m.span))
    return sorted(refs.values(), key=lambda r: r.span), list(suspensions.values())


def legal_basis(search: str) -> list[str]:
    """Law and regulation titles inside 《》 (simplified, deduplicated, in order).

    A short title the text defines for one it already named (``（以下称《反倾销条例》）``) is
    not listed again, wherever it is used.
    """
    if "《" not in search:
        return []
    titles = [(m.start(), "".join(m.group(1).split())) for m in LEGAL_TITLE_RE.finditer(search)]
    short = {
        name
        for at, name in titles  # (SHORT_TITLE_RE needs the 称 of 以下称 before the title)
        if search.find("称", max(0, at - 8), at) >= 0
        and SHORT_TITLE_RE.search(search, max(0, at - 8), at)
    }
    out: list[str] = []
    for _, name in titles:
        fits = name.endswith(LEGAL_ENDINGS) and "公告" not in name
        if fits and name not in short and name not in out:
            out.append(name)
    return out


def number_en(
    issuers: Sequence[str] | None, doc_type: str | None, year: int | None, seq: int
) -> str:
    """``MOFCOM/GAC Announcement No. 58 of 2025`` for a document number's parts."""
    who = "/".join([ISSUER_EN.get(i, i) for i in issuers or ()])
    of_year = f" of {year}" if year else ""
    return f"{who} {TYPE_EN.get(doc_type or '', 'Document')} No. {seq}{of_year}".strip()


def summary_en(
    rec_kind: str,
    numbers: list[DocNumber],
    title: str | None,
    subject: str | None,
    effective: list[dates.Effective],
    suspensions: list[Suspension],
    n_items: int = 0,
    n_entities: int = 0,
) -> str:
    """A short English line built only from extracted facts and the glossary.

    The subject is the glossary's English for the title; a title it does not cover stays in
    Chinese rather than being guessed.
    """
    if numbers:
        n = numbers[0]
        head = number_en(n.issuers, n.type, n.year, n.seq)
    else:
        head = KIND_EN.get(rec_kind, "Document")
    about = subject or _title_rest(title, numbers)
    parts = [f"{head} — {about}" if about else head]
    when = list(dict.fromkeys(e.date or f"{e.basis} (date unknown)" for e in effective))
    if when:
        parts.append("effective " + ", ".join(when))
    if suspensions:
        nos = ", ".join(str(s.target.seq) for s in suspensions)
        until = suspensions[0].until
        parts.append(f"suspends Nos. {nos}" + (f" until {until}" if until else ""))
    if n_items:
        parts.append(f"{n_items} item" + ("s" if n_items != 1 else ""))
    if n_entities:
        parts.append(f"{n_entities} entit" + ("ies" if n_entities != 1 else "y"))
    return "; ".join(parts)


def _title_rest(title: str | None, numbers: list[DocNumber]) -> str:
    """The title without a leading copy of the document's number."""
    rest = squash(title or "")
    for n in numbers:
        if rest.startswith(n.text):
            rest = rest[len(n.text) :].strip()
    return rest


def _title_type(title: str | None, simplified: Callable[[], str] | None = None) -> str | None:
    """The document type a title names at its end (``关于…的公告`` → 公告), else None.

    ``simplified`` gives ``to_simplified(title)`` when the caller has it (a squashed title is
    its own squash).
    """
    squashed = squash(title or "")
    reuse = simplified is not None and squashed == (title or "")
    converted = simplified() if simplified and reuse else to_simplified(squashed)
    m = TITLE_TYPE_RE.match(converted) if converted.startswith("关于") else None
    return m.group(1) if m else None


def _title_from_text(text: str, mentions: list[Mention]) -> str | None:
    """First early line that reads like a title; else a line that is only a number; else None."""
    number_line = None
    for a, b in _first_lines(text, TITLE_SEARCH_LINES):
        line = text[a:b]
        if any(m.span[0] <= a + 1 and m.span[1] >= b - 1 for m in mentions):
            number_line = number_line or line
            continue
        if HEADER_LINE_RE.match(line):
            continue
        if len(line) <= TITLE_MAX_CHARS and not line.endswith(TITLE_BAD_ENDINGS):
            return line
        break
    return number_line


def _once(make: Callable[[], str]) -> Callable[[], str]:
    """``make``, called the first time only (a failure is not kept: the next call tries again)."""
    made: list[str] = []

    def get() -> str:
        if not made:
            made.append(make())
        return made[0]

    return get


def build_record(
    raw_text: str,
    *,
    url: str | None = None,
    title: str | None = None,
    header: dict[str, str] | None = None,
    meta: dict[str, str] | None = None,
    warnings: list[str] | None = None,
    stamp: str | None = None,
) -> Record:
    """Extract every field from ``raw_text``; see the module docstring for the rules."""
    warns = list(warnings or [])
    text = guarded(warns, "normalisation", lambda: normalize_text(raw_text), "")
    # most texts are simplified already: then the text is its own copy, and language knows it
    inert = t2s_inert(text)
    search = text if inert else guarded(warns, "simplified copy", lambda: search_copy(text), text)
    if len(search) != len(text):
        warns.append("simplified copy changed length; searching the text as written")
        search = text
    mentions: list[Mention] = guarded(warns, "numbers", lambda: find_numbers(text, search), [])
    head: dict[str, str] = (
        header if header is not None else guarded(warns, "header", lambda: parse_header(search), {})
    )
    published: str | None = guarded(
        warns, "publish date", lambda: dates.publish_date(head, meta or {}, search, stamp), None
    )
    own: list[Mention] = guarded(warns, "own number", lambda: _own_mentions(search, mentions), [])
    year = next((m.year for m in own if m.year), None) or (
        int(published[:4]) if published else None
    )
    title = squash(title or "") or _title_from_text(text, mentions)
    # title type, kind and glossary all read the simplified title: converted once (not kept
    # on failure, so each of them still records its own warning)
    title_s = _once(lambda: to_simplified(title or ""))
    title_type = guarded(warns, "title type", lambda: _title_type(title, title_s), None)
    numbers: list[DocNumber] = []
    for m in own:
        if m.year is None and year is not None:
            warns.append(f"year of own number {m.text!r} inferred as {year}")
        own_year = m.year or year
        if own_year is None:
            warns.append(f"own number {m.text!r} has no year; left out")
            continue
        doc_type = m.type or title_type or "其他"
        numbers.append(DocNumber(m.text, m.issuers, doc_type, own_year, m.seq, m.span))
    lang = guarded(warns, "language", lambda: kinds.language(text, url, inert), "zh-Hans")
    column = (meta or {}).get("ColumnName")
    own_types = [n.type for n in numbers]
    rec_kind = guarded(
        warns, "kind", lambda: kinds.kind(search, title, own_types, url, column, title_s()), "other"
    )
    # News and Q&A report on measures: what they mention is cited, and the dates they report
    # belong to the documents reported on, not to the article.
    reporting = rec_kind in REPORTING_KINDS
    others = (
        [m for m in mentions if m not in own and not any(same_document(m, o) for o in own)]
        if own
        else list(mentions)
    )
    no_relations: tuple[list[Reference], list[Suspension]] = ([], [])
    refs, susp = guarded(
        warns,
        "references",
        lambda: _relations(search, others, published, year or _context_year(others), reporting),
        no_relations,
    )
    effective: list[dates.Effective] = (
        []
        if reporting
        else guarded(warns, "effective dates", lambda: dates.effective_dates(search, published), [])
    )
    basis: list[str] = guarded(warns, "legal basis", lambda: legal_basis(search), [])

    facts = control_facts(search, rec_kind, text)
    warns += facts.warnings
    subject = guarded(warns, "glossary", lambda: glossary.subject_en(title_s()), None)
    summary = guarded(
        warns,
        "summary",
        lambda: summary_en(
            rec_kind,
            numbers,
            title,
            subject,
            effective,
            susp,
            len(facts.items),
            len(facts.entities),
        ),
        "",
    )
    return Record(
        kind=rec_kind,
        language=lang,
        title=title,
        text=text,
        url=url,
        numbers=tuple(numbers),
        publish_date=published,
        effective=tuple(effective),
        suspensions=tuple(susp),
        references=tuple(refs),
        items=tuple(i.to_dict() for i in facts.items),
        thresholds=tuple(t.to_dict() for t in facts.thresholds),
        elements=facts.elements,
        entities=tuple(e.to_dict() for e in facts.entities),
        legal_basis=tuple(basis),
        summary_en=summary,
        warnings=tuple(warns),
    )


def _empty(url: str | None, title: str | None, warning: str) -> Record:
    return Record(
        kind="other",
        language="zh-Hans",
        title=title,
        text="",
        url=url,
        summary_en="Document",
        warnings=(warning,),
    )


def parse_page(
    page: Page, url: str | None = None, annexes: Sequence[tuple[str, str]] = ()
) -> Record:
    """Parse an extracted page into a record (the page's title, header and body).

    Args:
        page: The extracted page.
        url: Its URL (else the page's own).
        annexes: ``(label, plain text)`` of annexes already turned into text
            (``parsers.annexes.annex_text``); each is appended under a ``附件：label`` line, so its
            items merge into the record and its spans point into the record's text.
    """
    url = url or getattr(page, "url", None)
    try:
        warns = list(page.warnings)
        if page.page_type != "article":
            warns.append(f"page_type {page.page_type}: no document content")
        raw = stable_text(page.title, page.header, page.body_text)
        for label, annex in annexes:
            if annex.strip():
                raw += f"\n{ANNEX_LINE}{label}\n{annex}"
        return build_record(
            raw,
            url=url,
            title=page.title,
            header=page.header,
            meta=page.meta,
            warnings=warns,
            stamp=page.dateline,
        )
    except Exception as exc:  # never raise on input
        return _empty(url, None, f"parse_page failed: {type(exc).__name__}: {exc}")


def parse_text(text: str, url: str | None = None, title: str | None = None) -> Record:
    """Parse plain text; a given title not already at the top becomes the first line."""
    try:
        raw = text if isinstance(text, str) else ""
        if title and squash(title) not in squash(raw[:400]):
            raw = f"{title}\n{raw}"
        return build_record(raw, url=url, title=title)
    except Exception as exc:  # never raise on input
        return _empty(url, title, f"parse_text failed: {type(exc).__name__}: {exc}")


def parse_file(data: bytes, filename: str) -> Record:
    """Parse a file's bytes: HTML when the name or the content says so, else plain text."""
    try:
        name = (filename or "").lower()
        body = bytes(data or b"")
        if name.endswith(BINARY_EXTS) or b"\x00" in body[:1024]:
            return _empty(None, None, f"binary file {filename!r} is not supported yet")
        decoded = decode_html(body, None)
        extra = [] if "last resort" not in decoded.reason else [f"decoding: {decoded.reason}"]
        if name.endswith(HTML_EXTS) or HTML_SNIFF_RE.search(body[:2048]):
            page = extract_page(decoded.text)
            record = parse_page(page)
        else:
            record = parse_text(decoded.text)
        if extra:
            record = replace(record, warnings=(*extra, *record.warnings))
        return record
    except Exception as exc:  # never raise on input
        return _empty(None, None, f"parse_file failed: {type(exc).__name__}: {exc}")
