"""Errors raised by the CLI/orchestration layer; each becomes a clear CLI message, not a traceback."""


class RegwatchError(Exception):
    """Base class of regwatch's own errors."""


class ConfigError(RegwatchError):
    """A setting is missing, unknown or has a value of the wrong type."""


class LockHeld(RegwatchError):
    """Another regwatch run holds the lock."""
