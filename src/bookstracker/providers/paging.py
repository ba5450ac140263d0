"""One pagination driver for every adapter: ask for pages until the list ends or a cap is met.

An adapter says how to fetch one page (``fetch(slot)``, None when the list does not exist) and
what a page says (``read(page, slot)`` → `PageFacts`: the entries it holds, the total it
reports, where the next page starts). The driver asks one page after another or, once a page
has told the total, up to ``concurrency`` of the pages that total implies at once (the first
failure cancels the others and is raised as itself), and stops at the first of:

* ``missing``: ``fetch`` answered None (the list is gone, or never was);
* ``last``: a page says there is no next one;
* ``stalled``: a page holds nothing or points back to itself or earlier, yet says there is more;
* ``cap``: ``cap`` entries are taken.

``read`` is called once per page kept, in page order, so it may keep state (a set of ids seen).
When pages are fetched together and one of them comes back short, the pages after it are not
kept and are asked again from where it ended.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Generic, Literal, TypeVar

import attrs

from bookstracker.taskgroup import gather

__all__ = ["PageEnd", "PageFacts", "PageSlot", "Paged", "fetch_pages"]

P = TypeVar("P")

PageEnd = Literal["last", "cap", "missing", "stalled"]
"""Why the driver stopped asking (see the module docstring)."""


@attrs.frozen
class PageSlot:
    """Which page to ask for: the first entry's ``offset``, the ``size`` to ask and its
    0-based ``number`` (``offset // page_size``, for APIs that page by number)."""

    offset: int
    size: int
    number: int


@attrs.frozen(kw_only=True)
class PageFacts:
    """What one page says about the list.

    ``count``: entries on the page; ``next``: the offset of the next page, None when this is
    the last; ``total``: the list's length when the page tells it; ``taken``: what the page
    adds towards the cap (``count`` unless given, e.g. only the entries not seen before).
    """

    count: int
    next: int | None
    total: int | None = None
    taken: int | None = None


@attrs.frozen(kw_only=True)
class Paged(Generic[P]):
    """The pages kept, in order; the last total told; why paging ended; pages asked for
    (discarded and missing ones included); and the entries taken towards the cap."""

    pages: tuple[P, ...]
    total: int | None
    end: PageEnd
    requests: int
    taken: int

    @property
    def complete(self) -> bool:
        """The list was read to its end."""
        return self.end == "last"


def _check(name: str, value: int | None, low: int) -> None:
    if value is not None and (isinstance(value, bool) or value < low):
        raise ValueError(f"{name} must be at least {low}, got {value!r}")


async def fetch_pages(
    fetch: Callable[[PageSlot], Awaitable[P | None]],
    read: Callable[[P, PageSlot], PageFacts],
    *,
    page_size: int,
    cap: int,
    concurrency: int | None = 1,
    fixed_size: bool = False,
    expected: int | None = None,
) -> Paged[P]:
    """Every page of a list up to ``cap`` entries (see the module docstring).

    Each page asks for ``page_size`` entries, or only what the cap leaves unless
    ``fixed_size`` (APIs that page by number). ``concurrency`` is how many pages are asked at
    once once the total is known (None: every page the total implies); 1 asks one at a time.
    ``expected``: a total known beforehand (an author's work count); until a page tells the
    total, every page it fills is asked at once.
    """
    _check("page_size", page_size, 1)
    _check("cap", cap, 1)
    _check("concurrency", concurrency, 1)
    pages: list[P] = []
    total: int | None = None
    requests = taken = offset = 0

    def done(end: PageEnd) -> Paged[P]:
        return Paged(pages=tuple(pages), total=total, end=end, requests=requests, taken=taken)

    while taken < cap:
        slots = _plan(offset, taken, total, page_size, cap, concurrency, fixed_size, expected)
        requests += len(slots)
        if len(slots) == 1:
            bodies = [await fetch(slots[0])]
        else:
            bodies = await gather([functools.partial(fetch, slot) for slot in slots])
        for slot, body in zip(slots, bodies, strict=True):
            if slot.offset != offset or taken >= cap:  # a page before it came back short
                break
            if body is None:
                return done("missing")
            facts = read(body, slot)
            pages.append(body)
            total = facts.total if facts.total is not None else total
            taken += facts.count if facts.taken is None else facts.taken
            if facts.next is None:
                return done("last")
            if facts.count == 0 or facts.next <= slot.offset:
                return done("stalled")
            offset = facts.next
    return done("cap")


def _plan(
    offset: int,
    taken: int,
    total: int | None,
    page_size: int,
    cap: int,
    concurrency: int | None,
    fixed_size: bool,
    expected: int | None = None,
) -> list[PageSlot]:
    """The next page, or every page the total implies (at most ``concurrency``), or before
    any total is told every page ``expected`` fills."""
    starts = [offset]
    if total is None and expected:
        starts = list(range(offset, min(expected, cap), page_size)) or [offset]
    elif total is not None and concurrency != 1:
        starts = list(range(offset, offset + min(total, cap) - taken, page_size)) or [offset]
        if concurrency is not None:
            starts = starts[:concurrency]
    slots = []
    for at in starts:
        size = page_size if fixed_size else min(page_size, cap - taken - (at - offset))
        slots.append(PageSlot(offset=at, size=size, number=at // page_size))
    return slots
