"""URL canonicalisation: one spelling per document, used as the document key.

Invariants: ``canonical_url`` is pure, idempotent (``f(f(u)) == f(u)``) and never raises; on
input it cannot parse it returns the input stripped of surrounding whitespace.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only track the visitor (udn appends ``?from=udn-ch1_breaknews``).
TRACKING_PARAMS = frozenset({"from", "spm"})
TRACKING_PREFIXES = ("utm_",)
#: Hosts served over https in production; links to them are often written with http://.
HTTPS_HOST_SUFFIXES = ("mofcom.gov.cn", "gov.cn")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: guancha: ``…/2026_08_19_827799_s.shtml`` (full text) and ``…_2.shtml`` (page 2) are one article.
GUANCHA_PAGE_RE = re.compile(r"(/\d{4}_\d{2}_\d{2}_\d+)_(?:s|\d+)(\.shtml)$")


def _is_https_host(host: str) -> bool:
    return any(host == s or host.endswith("." + s) for s in HTTPS_HOST_SUFFIXES)


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return the canonical spelling of ``url``.

    Lower-cases scheme and host, forces https for MOFCOM and other gov.cn hosts, strips the
    default port, the fragment and tracking parameters (``utm_*``, ``from``, ``spm``), sorts the
    remaining query and folds guancha ``_s``/``_N`` page variants onto the article URL.

    Args:
        url: An absolute URL as found in a page or list.

    Returns:
        The canonical URL; the stripped input when it cannot be parsed.
    """
    raw = (url or "").strip()
    try:
        parts = urlsplit(raw)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        if not scheme or not host:
            return raw
        port = parts.port
        if port is not None and port == DEFAULT_PORTS.get(scheme):
            port = None
        if scheme == "http" and _is_https_host(host):
            scheme = "https"
            if port == DEFAULT_PORTS["https"]:
                port = None
        netloc = host
        if parts.username is not None:
            auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
            netloc = f"{auth}@{host}"
        if port is not None:
            netloc = f"{netloc}:{port}"
        path = parts.path or "/"
        if host == "guancha.cn" or host.endswith(".guancha.cn"):
            path = GUANCHA_PAGE_RE.sub(r"\1\2", path)
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        query = urlencode(sorted(p for p in pairs if not _is_tracking(p[0])))
        return urlunsplit((scheme, netloc, path, query, ""))
    except ValueError:
        return raw
