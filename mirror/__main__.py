"""``python -m mirror``: serve the mirror until SIGTERM/SIGINT.

Prints exactly one line, ``MIRROR_URL=http://127.0.0.1:PORT``, once the port is bound.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from mirror.server import MirrorServer


def serve_forever(
    port: int = 0,
    state: int = 1,
    synthetic: int = 0,
    content: Path | None = None,
    host: str = "127.0.0.1",
) -> None:
    """Start the mirror, print its URL, block until SIGTERM or SIGINT, then stop it."""
    stop = threading.Event()
    server = MirrorServer(content, state=state, synthetic=synthetic, host=host, port=port)
    server.start()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        print(f"MIRROR_URL={server.url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mirror", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument("--state", type=int, default=1, help="initial site state (1-5)")
    parser.add_argument("--synthetic", type=int, default=0, help="generated 公告 to add")
    parser.add_argument("--content", type=Path, default=None, help="content folder")
    args = parser.parse_args(argv)
    try:
        serve_forever(args.port, args.state, args.synthetic, args.content, args.host)
    except (OSError, ValueError) as exc:
        print(f"mirror: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
