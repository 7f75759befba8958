"""Local replica of www.mofcom.gov.cn and aqygzj.mofcom.gov.cn for offline crawls and tests.

See ``mirror/README.md`` (running, URL scheme, control endpoints, faults) and
``mirror/CONTENT.md`` (the TOML document format and the five site states).
"""

from mirror.content import AQYGZJ, HOSTS, WWW, Document, load_dir
from mirror.server import MirrorServer

__all__ = ["AQYGZJ", "HOSTS", "WWW", "Document", "MirrorServer", "load_dir"]
