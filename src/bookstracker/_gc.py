"""Pausing the cyclic garbage collector around sections that build many lasting objects.

Parsing a 1,000-book page or assembling a 2,000-work bibliography makes tens of thousands of
objects that hold no cycles and outlive the section; each collection the allocations set off
walks them again (a full one walks every object of the process). `collector_paused` turns
automatic collection off for the section and back on when the last section still running in
any thread ends; the objects made meanwhile are looked at by the next collection as usual.
"""

from __future__ import annotations

import gc
import os
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
            _sections = max(_sections - 1, 0)  # 0 already: a section of the parent of a fork
            if _sections == 0 and _disabled_here:
                _disabled_here = False
                gc.enable()


def _after_fork_in_child() -> None:
    """Only the forking thread lives on in a child process: the sections other threads had
    open never end there, so the collector is put back as it was before them (and the lock,
    which another thread may have held, is new)."""
    global _lock, _sections, _disabled_here
    _lock = threading.Lock()
    if _disabled_here:
        gc.enable()
    _sections = 0
    _disabled_here = False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
