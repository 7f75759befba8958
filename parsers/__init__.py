"""regwatch parsers: pure functions from fetched bytes, HTML or text to frozen records.

No I/O, no database, no Scrapy, no other project package (import-linter enforces this). Every
public function here never raises on bad input: problems become ``warnings`` on the result.
"""

from parsers.annexes import AnnexLimits, AnnexText, annex_text
from parsers.build import number_en, parse_file, parse_page, parse_text
from parsers.encoding import Decoded, decode_html
from parsers.page import Annex, Page, extract_page
from parsers.record import ParseError, Record
from parsers.urls import canonical_url

PARSER_VERSION = "0.3.1"

__all__ = [
    "PARSER_VERSION",
    "Annex",
    "AnnexLimits",
    "AnnexText",
    "Decoded",
    "Page",
    "ParseError",
    "Record",
    "annex_text",
    "canonical_url",
    "decode_html",
    "extract_page",
    "number_en",
    "parse_file",
    "parse_page",
    "parse_text",
]
