"""Switchable failure modes of the mirror (SITE_NOTES §1.7 fixture suggestions).

Invariants: faults are matched in the order they were set, by site-path prefix and optional
host; a fault with ``times`` is consumed once per matching request and disappears at zero;
``apifail`` only matches requests for the JPaaS unit API. The registry is thread-safe.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

MODES = ("412", "403", "429", "502", "reset", "slow", "truncate", "apifail")


@dataclass
class Fault:
    mode: str
    path: str = "/"
    host: str | None = None
    times: int | None = None  # None: until cleared
    seconds: float = 2.0


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        if fault.mode not in MODES:
            raise ValueError(f"unknown fault mode {fault.mode!r}; use one of {', '.join(MODES)}")
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def take(self, host: str, path: str, is_api: bool) -> Fault | None:
        """The first fault matching this request (consuming one of its ``times``), or None."""
        with self._lock:
            for fault in self._faults:
                if not path.startswith(fault.path):
                    continue
                if fault.host is not None and fault.host != host:
                    continue
                if fault.mode == "apifail" and not is_api:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                return fault
        return None
