"""``make bench`` (parse part): documents parsed per second and the cost over a bare lxml parse.

1. Render every bundled mirror article (the announcements, entity decisions, Q&A and news of
   ``mirror/content``) and every HTML document of the golden corpus as the site serves it.
2. Make at least 2,000 variants: each copy gets another announcement number, other dates,
   another control code suffix and an extra paragraph, so no two pages are byte-identical.
3. Time, in this one process: (a) ``lxml.html.fromstring`` on every page (the bare HTML parse);
   (b) the full parse regwatch runs on a stored page — decode, ``extract_page``, ``parse_page``
   (numbers, dates, items, thresholds, elements, entities, glossary summary). jieba and OpenCC
   start-up are paid once, before the clock starts, as in a long-running process.
Prints pages/s for both and the ratio (goal: the full parse costs at most 5x the bare parse).
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

import lxml.html

import parsers
from mirror.content import DEFAULT_CONTENT_DIR, load_dir
from mirror.site import SiteState

CORPUS = Path(__file__).parents[1] / "tests/parsers/corpus"
SEQ_RE = re.compile(r"第(\d{1,3})号")
YEAR_DAY_RE = re.compile(r"(20\d\d)年(\d{1,2})月(\d{1,2})日")
CODE_TAIL_RE = re.compile(r"([0-9][A-E][0-9]{3}\.[a-z])")


def bundled_pages() -> list[bytes]:
    """Every bundled article page as served in the last site state, plus corpus HTML."""
    state = SiteState(load_dir(DEFAULT_CONTENT_DIR).documents, 5)
    pages = []
    for doc in state.documents:
        response = state.respond(doc.host, doc.path, "")
        if response.status == 200:
            pages.append(response.body)
    pages += [p.read_bytes() for p in sorted(CORPUS.glob("*.html"))]
    return pages


def variant(page: bytes, i: int, rng: random.Random) -> bytes:
    """A different but equally realistic copy of ``page``."""
    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        return page + f"<!-- {i} -->".encode()
    text = SEQ_RE.sub(lambda m: f"第{(int(m.group(1)) + i) % 200 + 1}号", text)
    text = YEAR_DAY_RE.sub(
        lambda m: f"{m.group(1)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日", text
    )
    text = CODE_TAIL_RE.sub(lambda m: m.group(1)[:-1] + rng.choice("abcd"), text)
    extra = f"<p>（第{i}份副本）本公告内容以商务部网站发布的文本为准。</p></div>"
    return text.replace("</div>", extra, 1).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(20251009)
    base = bundled_pages()
    pages = [variant(base[i % len(base)], i, rng) for i in range(max(args.pages, len(base)))]

    parsers.parse_text("商务部 海关总署公告2025年第58号\n公布对锂电池相关物项实施出口管制的决定\n")

    start = time.perf_counter()
    for page in pages:
        lxml.html.fromstring(page)
    bare = time.perf_counter() - start

    start = time.perf_counter()
    items = 0
    for page in pages:
        decoded = parsers.decode_html(page, "text/html; charset=UTF-8")
        record = parsers.parse_page(parsers.extract_page(decoded.text))
        items += len(record.items)
    full = time.perf_counter() - start

    n = len(pages)
    print(f"parse corpus: {n} page variants from {len(base)} bundled pages ({items} items found)")
    print(f"bare lxml.html.fromstring: {n / bare:.0f} pages/s ({bare * 1000 / n:.2f} ms/page)")
    print(f"full regwatch parse: {n / full:.0f} pages/s ({full * 1000 / n:.2f} ms/page)")
    print(f"ratio full / bare: {full / bare:.1f}x (goal <= 5x)")


if __name__ == "__main__":
    main()
