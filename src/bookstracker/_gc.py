"""Pausing the cyclic garbage collector around sections that build many lasting objects.

Parsing a 1,000-book page or assembling a 2,000-work bibliography makes tens of thousands of
objects that hold no cycles and outlive the section; each collection the allocations set off
walks them again (a full one walks every object of the process). `collector_paused` turns
automatic collection off for the section and back on when the last section still running in
any thread ends; the objects made meanwhile are looked at by the next collection as usual.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_sections = 0
_disabled_here = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cyclic collection while the ``with`` body runs.

    Sections may nest and overlap across threads: the collector is turned off by the first
    to start and on again when the last one ends, and only if it was on when the first
    started (a collector the program turned off stays off). Restored on any exit, an
    exception included.
    """
    global _sections, _disabled_here
    with _lock:
        if _sections == 0:
            _disabled_here = gc.isenabled()
            if _disabled_here:
                gc.disable()
        _sections += 1
    try:
        yield
    finally:
        with _lock:
            _sections -= 1
            if _sections == 0 and _disabled_here:
                _disabled_here = False
                gc.enable()
