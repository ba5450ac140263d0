"""The Google Books API v1 adapter: volume search, one volume, ISBN look-ups, an author's volumes.

Google has one volume per edition (and per format), no work grouping and no author ids, so
every result is an `Edition` (or a `SearchHit` built from one) keyed ``{"googlebooks": id}``.

Choices worth knowing:

* **Keyless by default.** Without a key, calls are charged to Google's shared anonymous project,
  which is often spent: expect `QuotaExceeded`. With a key it is sent as the ``key=`` query
  parameter; URLs on errors and responses carry ``key=[secure]`` instead.
* **Partial responses.** Every request sends ``fields=`` naming exactly what the parsers read;
  ``projection`` is not sent (``lite`` drops fields Google does not list, ``fields=`` already
  trims the body).
* ``totalItems`` is an estimate (it can be 1000000, or 16 for one exact ISBN): paging stops at
  ``limit`` or at the first short page, and it is never used to decide found / not found.
* ``first_publish_year`` of a `SearchHit` is the **edition's** year (Google has no works).
* ``format`` is ``"Magazine"`` for ``printType: MAGAZINE`` and None otherwise: ``printType`` is
  only BOOK/MAGAZINE and ``saleInfo.isEbook`` says Google *sells* an e-book, not that the volume's
  ISBN is one (Springer print ISBNs come back with ``isEbook: true``).
* `GoogleBooks.isbn` checks the returned identifiers: an exact ``isbn:`` query can report many
  volumes, and a malformed one falls back to full-text search.
* `GoogleBooks.isbns` sends one request per ISBN, concurrently (paced by the rate limiter):
  Google has no batch endpoint and does not document ``OR`` across ``isbn:`` terms.
* `GoogleBooks.volume` answers None on 404. Google answers **503** for an unknown volume id; a
  503 is retried by the policy and then raised as `ProviderHTTPError`, so an outage is never
  cached as "not found".
* Errors: a 429 (or a 400/403) whose message names a daily limit is `QuotaExceeded`, resetting
  at the next midnight US Pacific time; a per-minute 429 is `RateLimited`; other 4xx/5xx are
  `ProviderHTTPError` carrying Google's message.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar
from zoneinfo import ZoneInfo

import attrs

from bookstracker._http import HttpRequest, HttpResponse
from bookstracker._patterns import LazyPattern
from bookstracker.errors import (
    InvalidISBN,
    InvalidQuery,
    MalformedResponse,
    ProviderError,
    ProviderHTTPError,
    QuotaExceeded,
    RateLimited,
)
from bookstracker.isbn import isbn_pair, normalize_isbn
from bookstracker.languages import to_iso639_1
from bookstracker.models import Edition, SearchHit
from bookstracker.names import name_tokens, split_authors
from bookstracker.providers._parse import (
    as_dict,
    as_int,
    as_list,
    as_str,
    https_url,
    language_param,
    year_of,
)
from bookstracker.providers.base import (
    NOT_FOUND,
    ProviderAdapter,
    SearchPage,
    path_segment,
    retry_after_seconds,
)
from bookstracker.providers.contract import Capability, EditionPage
from bookstracker.providers.paging import PageFacts, PageSlot, fetch_pages
from bookstracker.resilience import GOOGLE_RESET_TZ, LocalQuota, QuotaTracker
from bookstracker.taskgroup import run_all

__all__ = [
    "LIST_FIELDS",
    "MAX_PAGE_SIZE",
    "VOLUME_FIELDS",
    "GoogleBooks",
    "GoogleError",
    "build_query",
    "cover_url",
    "next_quota_reset",
    "parse_error",
    "parse_published",
    "parse_search_hit",
    "parse_search_page",
    "parse_volume",
    "parse_volumes",
    "volume_isbns",
]

PROVIDER = "googlebooks"
MAX_PAGE_SIZE = 40
MAX_QUERY_LENGTH = 1024
PRINT_TYPES = frozenset({"all", "books", "magazines"})

_VOLUME_INFO_FIELDS = (
    "title,subtitle,authors,publisher,publishedDate,industryIdentifiers,"
    "pageCount,printedPageCount,printType,language,imageLinks"
)
VOLUME_FIELDS = f"id,volumeInfo({_VOLUME_INFO_FIELDS})"
"""The ``fields=`` partial-response selector of ``volumes.get``: what `parse_volume` reads."""
LIST_FIELDS = f"totalItems,items({VOLUME_FIELDS})"
"""The ``fields=`` selector of ``volumes.list``."""

_ISBN_TYPES = ("ISBN_13", "ISBN_10")
_IMAGE_PREFERENCE = ("thumbnail", "smallThumbnail", "small", "medium", "large", "extraLarge")
_ISO_DATE = LazyPattern(
    r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$"
)
_EDGE_CURL = LazyPattern(r"([?&])edge=curl(&|$)")
_UNAMBIGUOUS_SEPARATOR = LazyPattern(r"[;/|\n]")
_JOINING_WORD = LazyPattern(r"\s(?:and|&|with)\s", re.IGNORECASE)
_ISBN_AS_NAME = LazyPattern(r"^\s*isbn[\s:#-]*[\dXx\s-]+$", re.IGNORECASE)
_QUOTE_CHARS = LazyPattern(r"[\"“”„«»]")

_DAILY_REASONS = frozenset({"dailyLimitExceeded", "dailyLimitExceededUnreg", "quotaExceeded"})
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


# -- pure helpers: queries ----------------------------------------------------------------


def _clean_value(value: str) -> str:
    return " ".join(_QUOTE_CHARS.sub(" ", value).split())


def _operator(name: str, value: str | None) -> str | None:
    """``name:value``, quoted when the value has several words; None for a blank value."""
    if value is None:
        return None
    text = _clean_value(value)
    if not text:
        return None
    return f'{name}:"{text}"' if " " in text else f"{name}:{text}"


def build_query(
    query: str | None = None,
    *,
    title: str | None = None,
    author: str | None = None,
    isbn: str | None = None,
    publisher: str | None = None,
    subject: str | None = None,
) -> str:
    """The ``q`` parameter: free text plus ``intitle:``/``inauthor:``/... terms.

    Multi-word values are quoted (``intitle:"the martian"``); an ISBN is validated and sent as
    bare ISBN-13. Raises `InvalidQuery` when nothing is left to search for, `InvalidISBN` for a
    bad ISBN.
    """
    terms: list[str] = []
    if query is not None:
        text = " ".join(query.split())
        if text:
            terms.append(text)
    for name, value in (
        ("intitle", title),
        ("inauthor", author),
        ("inpublisher", publisher),
        ("subject", subject),
    ):
        term = _operator(name, value)
        if term:
            terms.append(term)
    if isbn is not None:
        terms.append(f"isbn:{normalize_isbn(isbn)}")
    q = " ".join(terms)
    if not q:
        raise InvalidQuery("a Google Books search needs a query, title, author, isbn, ...")
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidQuery(f"query too long ({len(q)} characters, at most {MAX_QUERY_LENGTH})")
    return q


def _print_type(print_type: str) -> str:
    value = print_type.strip().lower() if isinstance(print_type, str) else ""
    if value not in PRINT_TYPES:
        raise InvalidQuery(f"print_type must be one of {sorted(PRINT_TYPES)}, got {print_type!r}")
    return value


def _positive(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidQuery(f"{what} must be a positive integer, got {value!r}")
    return value


# -- pure helpers: parsing ------------------------------------------------------------------


def parse_published(value: object) -> str | None:
    """Google's ``publishedDate`` as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Other text (``"2004*"``) is kept as given; a missing or blank value is None.
    """
    text = as_str(value)
    if text is None:
        return None
    match = _ISO_DATE.match(text)
    if not match:
        return text
    year, month, day = match.group(1), match.group(2), match.group(3)
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return text
    if day is None:
        return f"{year}-{int(month):02d}"
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return text


def _several_people(entry: str) -> list[str] | None:
    """The people in one author string when it clearly names several, else None."""
    if _UNAMBIGUOUS_SEPARATOR.search(entry):
        names = split_authors(entry)
        return names if len(names) > 1 else None
    if _JOINING_WORD.search(entry) or entry.count(",") >= 2:
        names = split_authors(entry)
        if len(names) > 1 and all(len(name_tokens(n)) >= 2 for n in names):
            return names
    return None


def parse_authors(value: object) -> tuple[str, ...]:
    """``volumeInfo.authors`` as names; one string naming several people is split."""
    out: list[str] = []
    for raw in as_list(value):
        entry = as_str(raw)
        if entry is None or _ISBN_AS_NAME.match(entry):
            continue
        for name in _several_people(entry) or [entry]:
            cleaned = as_str(name)
            if cleaned and cleaned not in out:
                out.append(cleaned)
    return tuple(out)


def _identifiers(volume_info: Mapping[str, object]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for entry in as_list(volume_info.get("industryIdentifiers")):
        item = as_dict(entry)
        kind = as_str(item.get("type"))
        value = as_str(item.get("identifier"))
        if kind and value:
            pairs.append((kind.upper(), value))
    return pairs


def _isbn_pairs(volume_info: Mapping[str, object]) -> list[tuple[str, str | None]]:
    """Valid ISBNs as (isbn13, isbn10), ``ISBN_13`` entries first, without repeats."""
    identifiers = _identifiers(volume_info)
    found: dict[str, str | None] = {}
    for wanted in _ISBN_TYPES:
        for kind, value in identifiers:
            if kind != wanted:
                continue
            try:
                isbn13, isbn10 = isbn_pair(value)
            except InvalidISBN:
                continue
            if found.get(isbn13) is None:
                found[isbn13] = isbn10
    return list(found.items())


def volume_isbns(item: object) -> list[str]:
    """Every valid ISBN-13 of a volume (ISBN-10s converted); ``OTHER``/``ISSN`` are ignored."""
    return [isbn13 for isbn13, _ in _isbn_pairs(as_dict(as_dict(item).get("volumeInfo")))]


def cover_url(image_links: object) -> str | None:
    """The best cover link of ``imageLinks``, as https and without the ``edge=curl`` effect."""
    links = as_dict(image_links)
    for name in _IMAGE_PREFERENCE:
        url = https_url(links.get(name))
        if url:
            return _EDGE_CURL.sub(lambda m: m.group(1) if m.group(2) else "", url).rstrip("?&")
    return None


def _pages(volume_info: Mapping[str, object]) -> int | None:
    for name in ("pageCount", "printedPageCount"):
        pages = as_int(volume_info.get(name))
        if pages is not None and pages > 0:
            return pages
    return None


def _format(volume_info: Mapping[str, object]) -> str | None:
    kind = as_str(volume_info.get("printType"))
    return "Magazine" if kind is not None and kind.upper() == "MAGAZINE" else None


def parse_volume(item: object) -> Edition | None:
    """One ``books#volume`` as an `Edition`; None when it has no id or no title."""
    volume = as_dict(item)
    volume_id = as_str(volume.get("id"))
    info = as_dict(volume.get("volumeInfo"))
    title = as_str(info.get("title"))
    if volume_id is None or title is None:
        return None
    isbns = _isbn_pairs(info)
    isbn13, isbn10 = isbns[0] if isbns else (None, None)
    return Edition(
        title=title,
        subtitle=as_str(info.get("subtitle")),
        isbn13=isbn13,
        isbn10=isbn10,
        authors=parse_authors(info.get("authors")),
        publisher=as_str(info.get("publisher")),
        published=parse_published(info.get("publishedDate")),
        pages=_pages(info),
        language=to_iso639_1(as_str(info.get("language"))),
        format=_format(info),
        cover_url=cover_url(info.get("imageLinks")),
        sources=(PROVIDER,),
        keys={PROVIDER: volume_id},
    )


def parse_search_hit(item: object) -> SearchHit | None:
    """One ``books#volume`` of a search as a `SearchHit` (the year is the edition's)."""
    volume = as_dict(item)
    volume_id = as_str(volume.get("id"))
    info = as_dict(volume.get("volumeInfo"))
    title = as_str(info.get("title"))
    if volume_id is None or title is None:
        return None
    return SearchHit(
        title=title,
        subtitle=as_str(info.get("subtitle")),
        authors=parse_authors(info.get("authors")),
        first_publish_year=year_of(info.get("publishedDate")),
        isbn13=tuple(isbn13 for isbn13, _ in _isbn_pairs(info)),
        language=to_iso639_1(as_str(info.get("language"))),
        cover_url=cover_url(info.get("imageLinks")),
        sources=(PROVIDER,),
        keys={PROVIDER: volume_id},
    )


def _items(body: object) -> list[object]:
    return as_list(as_dict(body).get("items"))


def parse_volumes(body: object) -> list[Edition]:
    """The editions of a ``books#volumes`` list (none when ``items`` is absent)."""
    editions = (parse_volume(item) for item in _items(body))
    return [e for e in editions if e is not None]


def parse_search_page(body: object) -> SearchPage:
    """A ``books#volumes`` list as a `SearchPage`; ``total`` is Google's estimate."""
    return _page(_items(body), as_int(as_dict(body).get("totalItems")))


# mypy's attrs plugin cannot type ``converter=tuple``; the converter still runs.
_new_page: Callable[..., SearchPage] = SearchPage
_edition_page: Callable[..., EditionPage] = EditionPage


def _page(items: Iterable[object], total: int | None) -> SearchPage:
    parsed = (parse_search_hit(item) for item in items)
    hits: tuple[SearchHit, ...] = tuple(h for h in parsed if h is not None)
    return _new_page(hits=hits, total=total)


# -- pure helpers: errors -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class GoogleError:
    """The Google JSON error envelope, read leniently."""

    code: int | None = None
    message: str | None = None
    status: str | None = None
    reasons: tuple[str, ...] = ()
    quota_limits: tuple[str, ...] = ()

    @property
    def is_daily(self) -> bool:
        """Whether it says a daily quota is spent (not a per-minute limit)."""
        if self.quota_limits:
            return any("perday" in limit.lower() for limit in self.quota_limits)
        text = (self.message or "").lower()
        if "per day" in text or "daily limit" in text:
            return True
        if "per minute" in text or "per 100 seconds" in text:
            return False
        return bool(_DAILY_REASONS.intersection(self.reasons))


def parse_error(body: object) -> GoogleError:
    """``{"error": {"code", "message", "errors": [{"reason"}], "status", "details"}}``."""
    error = as_dict(as_dict(body).get("error"))
    reasons: list[str] = []
    for entry in as_list(error.get("errors")):
        reason = as_str(as_dict(entry).get("reason"))
        if reason:
            reasons.append(reason)
    limits: list[str] = []
    for entry in as_list(error.get("details")):
        detail = as_dict(entry)
        reason = as_str(detail.get("reason"))
        if reason:
            reasons.append(reason)
        limit = as_str(as_dict(detail.get("metadata")).get("quota_limit"))
        if limit:
            limits.append(limit)
    message = as_str(error.get("message"))
    if message is None and isinstance(as_dict(body).get("error"), str):
        message = as_str(as_dict(body).get("error"))
    return GoogleError(
        code=as_int(error.get("code")),
        message=message[:300] if message else None,
        status=as_str(error.get("status")),
        reasons=tuple(reasons),
        quota_limits=tuple(limits),
    )


def _refusal_kind(status: int, error: GoogleError) -> str | None:
    """``"quota"`` (spent for the day), ``"rate"`` (slow down) or None (another error).

    429: daily when the message or details say so, else per-minute. 403: the older
    ``dailyLimitExceededUnreg`` form, or a rate reason. 400: reported when a keyed project's
    quota runs out; only when the message says quota.
    """
    if status == 429:
        return "quota" if error.is_daily else "rate"
    if status == 403:
        if error.is_daily:
            return "quota"
        return "rate" if _RATE_REASONS.intersection(error.reasons) else None
    if status == 400 and (error.is_daily or "quota" in (error.message or "").lower()):
        return "quota"
    return None


def next_quota_reset(now: float | None = None) -> float:
    """The Unix time of the next midnight US Pacific time, when Google's daily quotas reset."""
    tz = ZoneInfo(GOOGLE_RESET_TZ)
    local = dt.datetime.fromtimestamp(time.time() if now is None else now, tz)
    tomorrow = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=tz).timestamp()


# -- the adapter ----------------------------------------------------------------------------


class GoogleBooks(ProviderAdapter):
    """Google Books API v1 (``https://www.googleapis.com/books/v1``); the key is optional."""

    name = "googlebooks"
    DEFAULT_BASE_URL = "https://www.googleapis.com/books/v1"
    DEFAULT_RATE = 1.0
    MAX_BODY = 4 * 2**20
    capabilities = frozenset(
        {Capability.SEARCH, Capability.EDITIONS_ONE_BY_ONE, Capability.AUTHOR_EDITIONS}
    )
    DAILY_QUOTA = 1000
    ISBN_PAGE_SIZE: ClassVar[int] = 10
    ISBN_CONCURRENCY: ClassVar[int] = 8

    def _default_quota(self) -> QuotaTracker | None:
        """A keyed project's 1,000 calls a day, reset at midnight US Pacific; keyless calls
        share Google's anonymous pool, whose allowance nobody can count, so only a daily 429
        from Google marks it spent."""
        limit = self.DAILY_QUOTA if self.has_api_key else None
        return LocalQuota(self.name, limit, reset_tz=GOOGLE_RESET_TZ)

    # -- requests -------------------------------------------------------------------------

    def _params(self, *pairs: tuple[str, str | None]) -> tuple[tuple[str, str], ...]:
        params = [(k, v) for k, v in pairs if v is not None]
        if self._api_key:
            params.append(("key", self._api_key))
        return tuple(params)

    def list_request(
        self,
        q: str,
        *,
        start: int = 0,
        size: int = MAX_PAGE_SIZE,
        lang: str | None = None,
        print_type: str = "books",
    ) -> HttpRequest:
        """``GET /volumes?q=…`` for one page (``size`` at most 40)."""
        return HttpRequest(
            url=self.url("/volumes"),
            params=self._params(
                ("q", q),
                ("startIndex", str(start)),
                ("maxResults", str(max(0, min(MAX_PAGE_SIZE, size)))),
                ("printType", print_type),
                ("langRestrict", lang),
                ("fields", LIST_FIELDS),
            ),
        )

    def volume_request(self, volume_id: str) -> HttpRequest:
        """``GET /volumes/{id}``."""
        return HttpRequest(
            url=self.url("/volumes/" + path_segment(volume_id)),
            params=self._params(("fields", VOLUME_FIELDS)),
        )

    # -- operations -----------------------------------------------------------------------

    async def search(
        self,
        query: str | None = None,
        *,
        title: str | None = None,
        author: str | None = None,
        isbn: str | None = None,
        publisher: str | None = None,
        subject: str | None = None,
        limit: int = 20,
        lang: str | None = None,
        print_type: str = "books",
    ) -> SearchPage:
        """Volumes matching the query and field terms, in Google's order, up to ``limit``.

        Pages by 40 until ``limit`` hits or a short page. ``total`` is Google's estimate.
        """
        q = build_query(
            query, title=title, author=author, isbn=isbn, publisher=publisher, subject=subject
        )
        items, total = await self._collect(
            q,
            limit=_positive(limit, "limit"),
            lang=language_param(lang),
            print_type=_print_type(print_type),
        )
        return _page(items, total)

    async def volume(self, volume_id: str) -> Edition | None:
        """One volume by id; None when Google answers 404.

        Google answers 503 for an unknown id: that is retried and then raised as
        `ProviderHTTPError` (it cannot be told from an outage).
        """
        text = as_str(volume_id)
        if text is None:
            raise InvalidQuery("a Google Books volume id cannot be empty")
        body = await self._call(self.volume_request(text))
        if body is NOT_FOUND:
            return None
        return parse_volume(body)

    async def isbn(self, isbn: str) -> Edition | None:
        """The volume whose identifiers hold ``isbn`` (ISBN-10 or -13), or None."""
        isbn13 = normalize_isbn(isbn)
        return await self._isbn13(isbn13)

    async def editions(self, isbns: Iterable[str]) -> dict[str, Edition]:
        """Editions keyed by bare ISBN-13; ISBNs Google does not know are absent.

        Every ISBN is validated first (`InvalidISBN`, nothing sent). Then one request per ISBN,
        concurrently, paced by the rate limiter. On a failure the remaining look-ups stop and
        the first error is raised.
        """
        wanted = list(dict.fromkeys(normalize_isbn(i) for i in isbns))
        found: dict[str, Edition] = {}

        async def look_up(isbn13: str) -> None:
            edition = await self._isbn13(isbn13)
            if edition is not None:
                found[isbn13] = edition

        calls = [functools.partial(look_up, isbn13) for isbn13 in wanted]
        await run_all(calls, limit=self.ISBN_CONCURRENCY)
        return {isbn13: found[isbn13] for isbn13 in wanted if isbn13 in found}

    async def author_editions(
        self, name: str, *, max_results: int = 200, lang: str | None = None
    ) -> EditionPage:
        """Volumes Google files under ``inauthor:"name"`` (a loose match), up to ``max_results``.

        For pairing editions with an author's works; Google's matching is by words, so the
        caller filters by author name.
        """
        author = _clean_value(name) if isinstance(name, str) else ""
        if not author:
            raise InvalidQuery("an author name cannot be empty")
        q = build_query(author=author)
        items, total = await self._collect(
            q,
            limit=_positive(max_results, "max_results"),
            lang=language_param(lang),
            print_type="books",
        )
        editions = (parse_volume(item) for item in items)
        return _edition_page(
            editions=[e for e in editions if e is not None],
            total=total,
            complete=total is not None and len(items) >= total,
            pages=-(-len(items) // MAX_PAGE_SIZE),
        )

    # -- internals ------------------------------------------------------------------------

    async def _isbn13(self, isbn13: str) -> Edition | None:
        body = await self._call(
            self.list_request(f"isbn:{isbn13}", size=self.ISBN_PAGE_SIZE, print_type="all")
        )
        if body is NOT_FOUND:
            return None
        for item in _items(body):
            if isbn13 in volume_isbns(item):
                edition = parse_volume(item)
                if edition is not None:
                    return edition
        return None

    async def _collect(
        self, q: str, *, limit: int, lang: str | None, print_type: str
    ) -> tuple[list[Mapping[str, object]], int | None]:
        """Raw volumes over as many pages as ``limit`` needs, without repeated ids."""
        items: list[Mapping[str, object]] = []
        seen: set[str] = set()

        async def fetch(slot: PageSlot) -> Mapping[str, object] | None:
            request = self.list_request(
                q, start=slot.offset, size=slot.size, lang=lang, print_type=print_type
            )
            body = await self._call(request)
            return None if body is NOT_FOUND else as_dict(body)

        def read(body: Mapping[str, object], slot: PageSlot) -> PageFacts:
            page = _items(body)
            before = len(items)
            for raw in page:
                item = as_dict(raw)
                volume_id = as_str(item.get("id"))
                if volume_id is None or volume_id in seen:
                    continue
                seen.add(volume_id)
                items.append(item)
                if len(items) >= limit:
                    break
            following = None if len(page) < slot.size else slot.offset + slot.size
            return PageFacts(count=len(page), next=following, taken=len(items) - before)

        # totalItems is an estimate: the first one told is kept, and never used to plan pages.
        paged = await fetch_pages(fetch, read, page_size=MAX_PAGE_SIZE, cap=limit)
        totals = (as_int(page.get("totalItems")) for page in paged.pages)
        return items, next((t for t in totals if t is not None), None)

    def _decode(self, response: HttpResponse) -> object:
        body = super()._decode(response)
        if not isinstance(body, Mapping):
            raise MalformedResponse(
                f"expected a JSON object, got {type(body).__name__}",
                provider=self.name,
                status=response.status,
                url=response.url,
            )
        return body

    def _scrub(self, message: str | None) -> str | None:
        if message and self._api_key:
            return message.replace(self._api_key, "[secure]")
        return message

    def _error_for(
        self, response: HttpResponse, body: Mapping[str, object]
    ) -> ProviderError | None:
        status = response.status
        if status == 404:
            return None
        error = parse_error(body)
        message = self._scrub(error.message)
        kind = _refusal_kind(status, error)
        if kind == "quota":
            resets_at = next_quota_reset()
            wait = retry_after_seconds(response.header("retry-after"))
            return QuotaExceeded(
                message or "daily quota exceeded",
                provider=self.name,
                status=status,
                url=response.url,
                retry_after=max(0.0, resets_at - time.time()) if wait is None else wait,
                resets_at=resets_at,
            )
        if kind == "rate":
            return RateLimited(
                message or "Too Many Requests",
                provider=self.name,
                status=status,
                url=response.url,
                retry_after=retry_after_seconds(response.header("retry-after")),
            )
        if message is None and response.content.lstrip()[:1] == b"<":
            message = "HTML error page"
        if error.reasons and message:
            message = f"{message} (reason: {error.reasons[0]})"
        return ProviderHTTPError(
            message or f"HTTP {status}",
            provider=self.name,
            status=status,
            url=response.url,
        )
