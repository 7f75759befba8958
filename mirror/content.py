"""The mirror's documents: TOML files (format in ``mirror/CONTENT.md``) loaded into frozen records.

Invariants:
- A ``Document`` is immutable; ``at_state(n)`` returns the document as the site shows it in state
  ``n`` (revisions with ``from_state <= n`` applied in order), or ``None`` when it is not listed
  in that state.
- ``id`` is 32 lowercase hex and the article URL is derived from host, column, published year
  and id only, so an edit (revision) never moves a document.
- A file that cannot be loaded is reported in ``LoadResult.errors`` and skipped; it never stops
  the others from loading.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

WWW = "www.mofcom.gov.cn"
AQYGZJ = "aqygzj.mofcom.gov.cn"
HOSTS = (WWW, AQYGZJ)
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent / "content"

ID_RE = re.compile(r"^[0-9a-f]{32}$")
PUBLISHED_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
# Top-level keys a revision may override (header is merged key by key).
REVISABLE = frozenset(
    {"title", "list_title", "body", "signature", "annexes", "header", "content_source", "origin"}
)


@dataclass(frozen=True)
class Annex:
    """One 附件 link and the file behind it."""

    label: str
    path: str  # root-relative on the document's host, e.g. /cms_files/filemanager/…/x.pdf
    content: str | None = None


@dataclass(frozen=True)
class Header:
    """The 【发布单位】【发布文号】【发文日期】 block of 公告/令 pages (texts as printed)."""

    unit: str = ""
    number: str = ""
    date: str = ""
    date_label: str = "发文日期"


@dataclass(frozen=True)
class Document:
    """One article of the mirrored sites, as written in its TOML file."""

    id: str
    host: str
    column: str
    column_name: str
    published: str  # "YYYY-MM-DD HH:MM", CST
    title: str
    body: str
    states: tuple[int, ...]
    also_in: tuple[str, ...] = ()
    list_title: str | None = None
    content_source: str = "商务部新闻办公室"
    origin: str = "原创"
    header: Header | None = None
    signature: tuple[str, ...] = ()
    annexes: tuple[Annex, ...] = ()
    encoding: str = "utf-8"
    category: str = "对外贸易"  # the 【…】 tag on /zcfb/index.html rows
    keywords: str = ""
    revisions: tuple[dict, ...] = field(default=(), repr=False)
    source_file: str = ""

    @property
    def year(self) -> str:
        return self.published[:4]

    @property
    def day(self) -> str:
        """List date: the day of ``published``."""
        return self.published[:10]

    @property
    def path(self) -> str:
        """Root-relative article path: ``/<column>/art/<YYYY>/art_<id>.html``."""
        return f"/{self.column}/art/{self.year}/art_{self.id}.html"

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"

    @property
    def lists(self) -> tuple[str, ...]:
        """Every list (column path) that shows this document."""
        return (self.column, *self.also_in)

    @property
    def shown_title(self) -> str:
        return self.list_title or self.title

    def at_state(self, n: int) -> Document | None:
        """The document as served in site state ``n``, or None when it is not listed then."""
        if n not in self.states:
            return None
        doc = self
        for rev in sorted(self.revisions, key=lambda r: r["from_state"]):
            if rev["from_state"] <= n:
                doc = _apply_revision(doc, rev)
        return doc


@dataclass
class LoadResult:
    documents: list[Document]
    errors: list[str]


def _annexes(raw: list[dict]) -> tuple[Annex, ...]:
    return tuple(Annex(str(a["label"]), str(a["path"]), a.get("content")) for a in raw)


def _header(raw: dict | None) -> Header | None:
    if raw is None:
        return None
    return Header(
        unit=str(raw.get("unit", "")),
        number=str(raw.get("number", "")),
        date=str(raw.get("date", "")),
        date_label=str(raw.get("date_label", "发文日期")),
    )


def _apply_revision(doc: Document, rev: dict) -> Document:
    changes: dict = {}
    for key, value in rev.items():
        if key == "from_state":
            continue
        if key == "header":
            base = dataclasses.asdict(doc.header) if doc.header else {}
            changes["header"] = _header({**base, **value})
        elif key == "annexes":
            changes["annexes"] = _annexes(value)
        elif key == "signature":
            changes["signature"] = tuple(value)
        else:
            changes[key] = value
    return dataclasses.replace(doc, **changes)


HEADER_KEYS = frozenset({"unit", "number", "date", "date_label"})
ANNEX_KEYS = frozenset({"label", "path", "content"})


def _hoist(table: dict, allowed: frozenset[str], into: dict) -> dict:
    """Move keys that do not belong to a sub-table up into its parent (TOML scoping slip).

    ``CONTENT.md`` shows ``body = …`` written after the ``[header]`` table; TOML then files it
    under ``header``. Such keys are lifted to the parent; a key present in both is an error.
    """
    for key in [k for k in table if k not in allowed]:
        if key in into:
            raise ValueError(f"{key!r} is given twice (once inside a sub-table)")
        into[key] = table.pop(key)
    return table


def _normalise(data: dict) -> dict:
    data = dict(data)
    if isinstance(data.get("header"), dict):
        data["header"] = _hoist(dict(data["header"]), HEADER_KEYS, data)
    annexes = [dict(a) for a in data.get("annexes", [])]
    for annex in annexes:
        _hoist(annex, ANNEX_KEYS, data)
    data["annexes"] = annexes
    revisions = [dict(r) for r in data.get("revisions", [])]
    for rev in revisions:
        if isinstance(rev.get("header"), dict):
            rev["header"] = _hoist(dict(rev["header"]), HEADER_KEYS, rev)
        _hoist(rev, REVISABLE | {"from_state"}, data)
    data["revisions"] = revisions
    return data


def parse_document(data: dict, source_file: str = "", default_host: str = WWW) -> Document:
    """Build a Document from one parsed TOML table; raises ValueError on a structural error."""
    data = _normalise(data)
    doc_id = str(data.get("id", ""))
    if not ID_RE.match(doc_id):
        raise ValueError(f"id {doc_id!r} is not 32 lowercase hex")
    host = str(data.get("host", default_host))
    if host not in HOSTS:
        raise ValueError(f"unknown host {host!r}")
    published = str(data.get("published", ""))
    if not PUBLISHED_RE.match(published):
        raise ValueError(f"published {published!r} is not 'YYYY-MM-DD HH:MM'")
    states = tuple(int(s) for s in data.get("states", ()))
    if not states:
        raise ValueError("states is empty")
    revisions = tuple(data.get("revisions", ()))
    for rev in revisions:
        bad = set(rev) - REVISABLE - {"from_state"}
        if "from_state" not in rev or bad:
            raise ValueError(f"revision needs from_state and only {sorted(REVISABLE)}: {rev}")
    for key in ("column", "title", "body"):
        if not data.get(key):
            raise ValueError(f"missing {key}")
    return Document(
        id=doc_id,
        host=host,
        column=str(data["column"]).strip("/"),
        column_name=str(data.get("column_name", "")),
        published=published,
        title=str(data["title"]),
        body=str(data["body"]),
        states=states,
        also_in=tuple(str(c).strip("/") for c in data.get("also_in", ())),
        list_title=data.get("list_title"),
        content_source=str(data.get("content_source", "商务部新闻办公室")),
        origin=str(data.get("origin", "原创")),
        header=_header(data.get("header")),
        signature=tuple(data.get("signature", ())),
        annexes=_annexes(data.get("annexes", [])),
        encoding=str(data.get("encoding", "utf-8")).lower(),
        category=str(data.get("category", "对外贸易")),
        keywords=str(data.get("keywords", "")),
        revisions=revisions,
        source_file=source_file,
    )


def load_dir(content_dir: Path) -> LoadResult:
    """Load every ``*.toml`` below ``content_dir`` (a missing folder yields no documents)."""
    docs: list[Document] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    if not content_dir.is_dir():
        return LoadResult(docs, errors)
    for path in sorted(content_dir.rglob("*.toml")):
        rel = str(path.relative_to(content_dir))
        top = rel.split("/", 1)[0]
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            doc = parse_document(data, rel, default_host=top if top in HOSTS else WWW)
        except (OSError, ValueError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
            errors.append(f"{rel}: {exc}")
            continue
        if doc.id in seen:
            errors.append(f"{rel}: duplicate id {doc.id} (also in {seen[doc.id]})")
            continue
        seen[doc.id] = rel
        docs.append(doc)
    return LoadResult(docs, errors)
