"""``MirrorServer``: the local replica of www.mofcom.gov.cn and aqygzj.mofcom.gov.cn over HTTP.

Routing (first match wins):
1. ``/_mirror/…`` control endpoints (JSON; never logged, never faulted);
2. ``/_/<host>/<path>?<query>`` — the crawler middleware's form;
3. the ``Host`` header when it names a mirrored host;
4. otherwise www.mofcom.gov.cn.

Invariants: the site state can be switched while serving (each request reads one immutable
``SiteState``); every non-control request is appended to the log with the fault it received.
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from mirror.content import DEFAULT_CONTENT_DIR, HOSTS, WWW, Document, load_dir
from mirror.faults import Fault, FaultRegistry
from mirror.jpaas import FAILURE_BODY
from mirror.render import API_PATH, render
from mirror.site import HTML_TYPES, JSON_TYPE, Response, SiteState
from mirror.synthetic import synthetic_documents

LOG = logging.getLogger(__name__)
DEFAULT_STATES = 5
#: The day each site state stands for (``mirror/CONTENT.md``): what ``regwatch --today`` should
#: be when crawling that state, so legal statuses are computed for the mirror's world.
STATE_DAYS = {
    1: "2025-11-06",
    2: "2025-11-07",
    3: "2025-11-20",
    4: "2025-12-15",
    5: "2026-11-11",
}
LOG_CAP = 1_000_000
REASONS = {
    403: "Forbidden",
    412: "Precondition Failed",
    429: "Too Many Requests",
    502: "Bad Gateway",
}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    app: MirrorServer


class MirrorServer:
    """Serve the mirrored sites from TOML content in a background thread.

    Args:
        content_dir: folder of document TOML files (default ``mirror/content``).
        state: initial site state (1–5, see ``mirror/CONTENT.md``).
        synthetic: number of generated 公告 added to ``zwgk/zcfb`` (benchmarks).
        host: interface to bind; port: 0 picks a free port.
    """

    def __init__(
        self,
        content_dir: Path | None = None,
        state: int = 1,
        synthetic: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.content_dir = Path(content_dir) if content_dir is not None else DEFAULT_CONTENT_DIR
        loaded = load_dir(self.content_dir)
        for error in loaded.errors:
            LOG.warning("mirror content skipped: %s", error)
        self.load_errors = loaded.errors
        self.documents: list[Document] = loaded.documents + synthetic_documents(synthetic)
        self.synthetic = synthetic
        self.max_state = max([DEFAULT_STATES, *(max(d.states) for d in self.documents)])
        self.faults = FaultRegistry()
        self.host, self.port = host, port
        self.url = ""
        self._sites: dict[int, SiteState] = {}
        self._lock = threading.Lock()
        self._log: list[dict] = []
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._state = 1
        self.set_state(state)

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> MirrorServer:
        server = _HTTPServer((self.host, self.port), _Handler)
        server.app = self
        self._server = server
        self.port = server.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="mirror", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- state, faults, log --------------------------------------------------------------

    @property
    def state(self) -> int:
        return self._state

    def set_state(self, n: int) -> None:
        """Switch the world to site state ``n`` (1..max_state); safe while serving."""
        n = int(n)
        if not 1 <= n <= self.max_state:
            raise ValueError(f"state must be between 1 and {self.max_state}, got {n}")
        self._site_for(n)
        self._state = n

    @property
    def day(self) -> str | None:
        """The date (YYYY-MM-DD) the current site state stands for."""
        return STATE_DAYS.get(self._state)

    def site(self) -> SiteState:
        """The current state's responses."""
        return self._site_for(self._state)

    def _site_for(self, n: int) -> SiteState:
        site = self._sites.get(n)
        if site is None:
            with self._lock:
                site = self._sites.get(n)
                if site is None:
                    site = self._sites[n] = SiteState(self.documents, n)
        return site

    def set_fault(
        self,
        mode: str,
        path: str = "/",
        host: str | None = None,
        times: int | None = None,
        seconds: float = 2.0,
    ) -> None:
        """Make requests under ``path`` (and ``host``, if given) fail with ``mode``."""
        self.faults.add(Fault(str(mode), path or "/", host or None, times, float(seconds)))

    def clear_faults(self) -> None:
        self.faults.clear()

    def log(self, clear: bool = False) -> list[dict]:
        """Requests served (not control requests): host, path, query, status, fault."""
        with self._lock:
            entries = list(self._log)
            if clear:
                self._log.clear()
        return entries

    def _record(self, host: str, path: str, query: str, status: int | None, fault: str | None):
        with self._lock:
            if len(self._log) < LOG_CAP:
                self._log.append(
                    {"host": host, "path": path, "query": query, "status": status, "fault": fault}
                )

    def status(self) -> dict:
        site = self.site()
        return {
            "url": self.url,
            "state": self._state,
            "states": list(range(1, self.max_state + 1)),
            "day": STATE_DAYS.get(self._state),
            "documents": len(site.documents),
            "total_documents": len(self.documents),
            "synthetic": self.synthetic,
            "hosts": list(HOSTS),
            "faults": self.faults.list(),
            "load_errors": self.load_errors,
        }

    # ---- control endpoints ---------------------------------------------------------------

    def control(self, path: str, query: str) -> tuple[int, dict | list]:
        """Answer a ``/_mirror/…`` request: (HTTP status, JSON value)."""
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        try:
            if path == "/_mirror/status":
                return 200, self.status()
            if path == "/_mirror/state":
                if "n" in params:
                    self.set_state(int(params["n"]))
                return 200, {"state": self._state}
            if path == "/_mirror/fault":
                mode = params.get("mode", "")
                if mode == "clear":
                    self.clear_faults()
                else:
                    times = params.get("times")
                    self.set_fault(
                        mode,
                        params.get("path", "/"),
                        params.get("host"),
                        int(times) if times else None,
                        float(params.get("seconds", 2.0)),
                    )
                return 200, {"faults": self.faults.list()}
            if path == "/_mirror/log":
                return 200, self.log(clear=params.get("clear") in ("1", "true", "yes"))
        except ValueError as exc:
            return 400, {"error": str(exc)}
        return 404, {"error": f"unknown control endpoint {path}"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are dropped after this
    disable_nagle_algorithm = True  # headers and body go out in two writes; avoid 40 ms stalls
    server: _HTTPServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default per-request stderr line (the app keeps its own log)."""

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._handle(send_body=True)

    def _handle(self, send_body: bool) -> None:
        app = self.server.app
        parts = urlsplit(self.path)
        path, query = unquote(parts.path) or "/", parts.query
        if path.startswith("/_mirror/"):
            status, value = app.control(path, query)
            body = json.dumps(value, ensure_ascii=False).encode("utf-8")
            self._send(Response(status, JSON_TYPE, body), send_body)
            return
        host = (parts.hostname or self.headers.get("Host") or "").split(":")[0].lower()
        if path.startswith("/_/"):
            host, _, rest = path[3:].partition("/")
            host, path = host.lower(), "/" + rest
        elif host not in HOSTS:
            host = WWW
        if host not in HOSTS:
            app._record(host, path, query, 404, None)
            self._send(Response(404, "text/plain; charset=UTF-8", b"not mirrored\n"), send_body)
            return
        fault = app.faults.take(host, path, path == API_PATH)
        mode = fault.mode if fault else None
        if fault is not None and fault.mode == "reset":
            app._record(host, path, query, None, mode)
            self._reset()
            return
        if fault is not None and fault.mode == "slow":
            time.sleep(fault.seconds)
        try:
            resp = _fault_response(fault, host) or app.site().respond(host, path, query)
        except Exception:  # a content/template bug: answer 500 and say why on stderr
            LOG.exception("mirror failed on %s%s", host, path)
            resp = Response(500, "text/plain; charset=UTF-8", b"mirror error\n")
        if fault is not None and fault.mode == "truncate":
            resp.body = resp.body[: len(resp.body) // 2]
        app._record(host, path, query, resp.status, mode)
        self._send(resp, send_body)

    def _send(self, resp: Response, send_body: bool) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(resp.body)

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0) before any byte of response."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()


def _fault_response(fault: Fault | None, host: str) -> Response | None:
    if fault is None or fault.mode in ("slow", "truncate"):
        return None
    if fault.mode == "apifail":
        return Response(200, JSON_TYPE, FAILURE_BODY)
    status = int(fault.mode)
    if status == 412:
        body = render("waf.html", host, token=f"{time.time_ns():x}")
    else:
        body = render("error.html", host, status=status, reason=REASONS[status])
    headers = [("Retry-After", "1")] if status == 429 else []
    ctype = HTML_TYPES[host] if status == 412 else "text/html"
    return Response(status, ctype, body.encode("utf-8"), headers)
