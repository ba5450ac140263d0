"""Regular expressions compiled on first use.

Compiling a pattern costs tens of microseconds; a module that holds many of them for rarely
taken paths (a provider's error wording, a CSV cell's ISBN labels) would make every start-up pay
for all of them. A `LazyPattern` reads like a compiled ``re.Pattern[str]`` and compiles once,
when one of its methods is first called.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator

__all__ = ["LazyPattern"]

_lock = threading.Lock()

Replacement = str | Callable[[re.Match[str]], str]


class LazyPattern:
    """``re.compile(pattern, flags)``, done on first use and kept."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet)."""
        compiled = self._compiled
        if compiled is None:
            with _lock:
                compiled = self._compiled
                if compiled is None:
                    compiled = self._compiled = re.compile(self._source, self._flags)
        return compiled

    @property
    def pattern(self) -> str:
        """The pattern's source, as given."""
        return self._source

    @property
    def flags(self) -> int:
        """The flags, as ``re.Pattern.flags`` gives them (compiles the pattern)."""
        return self.compiled.flags

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """``re.Pattern.search``."""
        return (self._compiled or self.compiled).search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """``re.Pattern.match``."""
        return (self._compiled or self.compiled).match(string, pos, endpos)

    def fullmatch(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[str] | None:
        """``re.Pattern.fullmatch``."""
        return (self._compiled or self.compiled).fullmatch(string, pos, endpos)

    def sub(self, repl: Replacement, string: str, count: int = 0) -> str:
        """``re.Pattern.sub``."""
        return (self._compiled or self.compiled).sub(repl, string, count)

    def subn(self, repl: Replacement, string: str, count: int = 0) -> tuple[str, int]:
        """``re.Pattern.subn``."""
        return (self._compiled or self.compiled).subn(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        """``re.Pattern.split`` for a pattern without capturing groups (so every item is a
        string)."""
        return (self._compiled or self.compiled).split(string, maxsplit)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[str]:
        """``re.Pattern.findall`` for a pattern with at most one group (so every item is a
        string)."""
        return (self._compiled or self.compiled).findall(string, pos, endpos)

    def finditer(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        """``re.Pattern.finditer``."""
        return (self._compiled or self.compiled).finditer(string, pos, endpos)

    def __repr__(self) -> str:
        return f"LazyPattern({self._source!r}, {self._flags!r})"
