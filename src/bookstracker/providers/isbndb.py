"""ISBNdb API v2: editions by ISBN (one or in bulk), an author's books, book search.

ISBNdb has no work or author ids: an edition's only key is its ISBN-13, and authors are
display strings. Every request carries the REST key in the ``Authorization`` header (no
``Bearer``), never in the URL. The plan picks the defaults: host, requests per second, the
bulk batch size of ``POST /books`` and the (approximate) daily quota.

Quirks handled here:

* ``/books/{query}`` answers ``{"books": [...]}`` although the spec says ``"data"``, and the list
  may arrive as an object keyed by index; all three shapes parse.
* ``/author/{name}`` may answer without ``total``: paging stops at a short page, at ``total``
  when given, and at the API's 10,000-result ceiling (then the page is marked incomplete).
* ``POST /books`` leaves unknown ISBNs out and costs one quota unit per ISBN sent.
* ``date_published`` may be an int, ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``; it is often
  the work's first-publication date rather than this edition's (the Harry Potter reprint of
  2023 says ``"1998-09"``), so treat ``Edition.published`` from ISBNdb as a hint.
* ``language`` is an ISO 639-1 code or an English name, and is often wrong.
* A 429 ``{"message": "Limit Exceeded"}`` means the per-second *or* the daily limit. It becomes
  `QuotaExceeded` when the body speaks of a day or quota, or when the attached quota tracker
  has nothing left; otherwise `RateLimited` (retried).
* A 404 normally means "not found" (``{"errorMessage": "Not Found"}``), but one whose body
  speaks of a limit or quota, or one that arrives while the tracker has nothing left, is taken
  as the daily quota being spent (`QuotaExceeded`), so that a spent key never caches as a miss.
* A response over ISBNdb's 6 MB limit comes back as HTTP 500: with ``pageSize`` 1000 and long
  synopses this can happen; lower ``page_size`` if ``author_editions`` keeps failing with 500.
* The retired pre-2018 API (``index_searched``, ``author_data``, ``book_id``...) is refused as
  `MalformedResponse`: old answers found online must never pass for current ones.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, Literal, get_args
from urllib.parse import urlsplit

import attrs
import msgspec

from bookstracker._gc import collector_paused
from bookstracker._http import HttpRequest, HttpResponse
from bookstracker._patterns import LazyPattern
from bookstracker.config import UNSET, ISBNdbConfig, ProviderConfig, Unset, provider_config
from bookstracker.errors import (
    BooksTrackerError,
    ConfigurationError,
    InvalidQuery,
    MalformedResponse,
    ProviderError,
    ProviderHTTPError,
    QuotaExceeded,
    RateLimited,
)
from bookstracker.isbn import isbn_pair, normalize_isbn
from bookstracker.languages import to_iso639_1
from bookstracker.metrics import ProviderMetrics
from bookstracker.models import Edition, ProviderName, SearchHit, _trusted_edition
from bookstracker.providers._parse import (
    as_dict,
    as_int,
    as_str,
    language_param,
    remembered_for_texts,
)
from bookstracker.providers.base import (
    NOT_FOUND,
    EditionPage,
    ProviderAdapter,
    path_segment,
)
from bookstracker.providers.contract import Capability, SearchPage
from bookstracker.providers.paging import PageFacts, PageSlot, fetch_pages
from bookstracker.resilience import (
    CircuitBreaker,
    LocalQuota,
    QuotaTracker,
    RateLimiter,
    RetryPolicy,
)
from bookstracker.resilience.shared import SharedLimits
from bookstracker.taskgroup import run_all

if TYPE_CHECKING:
    from bookstracker._http import AsyncClient, Transport

__all__ = [
    "API_RESULT_CEILING",
    "COLUMNS",
    "MAX_PAGE_SIZE",
    "PLANS",
    "BookPage",
    "BookWire",
    "ISBNdb",
    "ISBNdbPlan",
    "PlanLimits",
    "decode_book_list",
    "is_book_binding",
    "normalize_binding",
    "parse_authors_response",
    "parse_book",
    "parse_book_page",
    "parse_book_response",
    "parse_date_published",
    "parse_key_response",
    "to_search_hit",
]

PROVIDER: ProviderName = "isbndb"
_SOURCES: tuple[str, ...] = (PROVIDER,)

ISBNdbPlan = Literal["basic", "premium", "pro", "enterprise", "academic"]
Column = Literal["title", "author", "date_published", "subjects"]
COLUMNS: tuple[str, ...] = get_args(Column)

MAX_PAGE_SIZE = 1000
API_RESULT_CEILING = 10_000
MAX_PATH_PARAM = 150


@attrs.frozen(kw_only=True)
class PlanLimits:
    """What an ISBNdb plan allows; ``daily_quota`` is approximate (None: not published)."""

    name: ISBNdbPlan
    base_url: str
    rate: float
    bulk_size: int
    daily_quota: int | None


# Hosts and rates: ISBNdb docs (enterprise: 3rd-party notes). Bulk sizes: OpenAPI 2.7.0.
# Daily quotas: figures quoted in 2025 by third parties, so approximate. The academic plan's
# host and rate are not documented; it is assumed to use the default host at 1 request/s.
PLANS: Mapping[str, PlanLimits] = {
    "basic": PlanLimits(
        name="basic", base_url="https://api2.isbndb.com", rate=1.0, bulk_size=100, daily_quota=7_500
    ),
    "premium": PlanLimits(
        name="premium",
        base_url="https://api.premium.isbndb.com",
        rate=3.0,
        bulk_size=1000,
        daily_quota=15_000,
    ),
    "pro": PlanLimits(
        name="pro",
        base_url="https://api.pro.isbndb.com",
        rate=5.0,
        bulk_size=1000,
        daily_quota=30_000,
    ),
    "enterprise": PlanLimits(
        name="enterprise",
        base_url="https://api.enterprise.isbndb.com",
        rate=10.0,
        bulk_size=1000,
        daily_quota=None,
    ),
    "academic": PlanLimits(
        name="academic",
        base_url="https://api2.isbndb.com",
        rate=1.0,
        bulk_size=10,
        daily_quota=None,
    ),
}

_AUTH_HINT = "check the key and that BOOKSTRACKER_ISBNDB_PLAN matches your key's plan"
_NO_KEY = "ISBNdb needs an API key: set BOOKSTRACKER_ISBNDB_API_KEY"
_QUOTA_WORDS = LazyPattern(r"daily|quota|per day|\bday\b|24 ?hours?", re.IGNORECASE)
_LIMIT_WORDS = LazyPattern(r"limit|quota|exceed", re.IGNORECASE)
_SIZE_WORDS = LazyPattern(r"size|too large|memory", re.IGNORECASE)
_AUTOFILLED = LazyPattern(r"\s*~\s*autofilled\s*~\s*", re.IGNORECASE)
_ISO_DATE = LazyPattern(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T\s].*)?$")
_SCHEME = LazyPattern(r"^https?://", re.IGNORECASE)
_LEGACY_ENVELOPE_KEYS = frozenset({"index_searched"})
_LEGACY_BOOK_KEYS = frozenset({"book_id", "author_data", "publisher_text", "publisher_id"})


# -- bindings ------------------------------------------------------------------------------

_NONBOOK_WORDS = frozenset(
    {"dvd", "dvd-rom", "cd", "cd-rom", "cdrom", "cassette", "audio", "calendar", "vhs", "blu-ray"}
)
_NONBOOK_PHRASES = ("sheet music", "audio cd", "mp3 cd", "audio cassette", "vinyl")
_AUDIO = LazyPattern(r"\baudio|\bmp3\b|\bcassette\b|\baudible\b|(?<![-\w])cd\b(?!-)", re.IGNORECASE)
_EBOOK = LazyPattern(r"e-?book|kindle|electronic|digital|epub|nook", re.IGNORECASE)
_WORDS = LazyPattern(r"[\w-]+")


def is_book_binding(binding: str | None) -> bool:
    """Whether a ``binding`` names a book (True when unknown).

    False for DVDs, CDs and CD-ROMs, cassettes, audio, calendars, VHS, vinyl and sheet
    music, the list Open Library's ISBNdb importer drops (``NONBOOK``) plus calendars and
    video; audiobooks therefore count as non-books here.
    """
    text = (binding or "").strip().casefold()
    if not text:
        return True
    if any(phrase in text for phrase in _NONBOOK_PHRASES):
        return False
    return not any(word in _NONBOOK_WORDS for word in _WORDS.findall(text))


def normalize_binding(binding: object) -> str | None:
    """ISBNdb's ``binding`` as an edition format.

    ``"Paperback"``, ``"Hardcover"``, ``"Mass Market Paperback"``, ``"eBook"`` (Kindle and other
    electronic editions) and ``"Audio"`` (audio CDs, cassettes, downloads); anything else is
    kept as given (``"Calendar"``, ``"Board book"``, ``"CD-ROM"``).
    """
    text = as_str(binding)
    if text is None:
        return None
    return _format_of(text)


@functools.lru_cache(maxsize=4096)
def _format_of(text: str) -> str:
    """The format for a clean binding text (a few dozen distinct ones fill a catalog)."""
    folded = text.casefold()
    if "cd-rom" in folded or "cdrom" in folded or "dvd" in folded:
        return text
    if _EBOOK.search(folded):
        return "eBook"
    if _AUDIO.search(folded):
        return "Audio"
    if "mass market" in folded:
        return "Mass Market Paperback"
    if any(w in folded for w in ("paperback", "softcover", "soft cover", "trade paper")):
        return "Paperback"
    if any(w in folded for w in ("hardcover", "hardback", "hard cover", "library binding")):
        return "Hardcover"
    return text


# -- parsing ---------------------------------------------------------------------------------


def _malformed(message: str) -> MalformedResponse:
    return MalformedResponse(message, provider=PROVIDER)


def parse_date_published(value: object) -> str | None:
    """``date_published`` as ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``; other text as given.

    Integers are years (the data dumps send ``2015``); year 0 and blanks give None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:04d}" if 0 < value < 10_000 else None
    text = as_str(value)
    if text is None:
        return None
    return _date_of(text)


@functools.lru_cache(maxsize=4096)
def _date_of(text: str) -> str | None:
    match = _ISO_DATE.match(text)
    if match is None:
        return text
    year, month, day = match.group(1), match.group(2), match.group(3)
    if int(year) == 0:
        return None
    if month is None or not 1 <= int(month) <= 12:
        return year
    if day is None or not 1 <= int(day) <= 31:
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _clean_author(value: object) -> str | None:
    text = as_str(value)
    if text is None:
        return None
    return _author_of(text)


@functools.lru_cache(maxsize=4096)
def _author_of(text: str) -> str | None:
    """A clean author text without ISBNdb's decorations (an author's listing repeats one name
    on every book)."""
    return as_str(_AUTOFILLED.sub(" ", text))


def _strings(value: object) -> list[str]:
    """Strings from a list, an index-keyed object or a single string."""
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, Mapping):
        items = list(value.values())
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = []
    return [s for s in (as_str(v) for v in items if isinstance(v, (str, int))) if s]


def _authors(value: object) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in _strings(value):
        name = _clean_author(item)
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


_wire_authors = remembered_for_texts(_authors, 4096)
"""`_authors`, remembered for a list of texts: an author's listing repeats it on every book."""


def _cover_url(value: object) -> str | None:
    text = as_str(value)
    if text is None:
        return None
    if _SCHEME.match(text):
        return "https://" + text.split("://", 1)[1]
    if text.startswith("//"):
        return "https:" + text
    return None


def _isbn_pair_of(isbn13: object, isbn: object, isbn10: object) -> tuple[str | None, str | None]:
    """``(isbn13, isbn10)``: the first valid of ``isbn13``, ``isbn``, ``isbn10``."""
    for value in (isbn13, isbn, isbn10):
        text = as_str(value)
        if not text:
            continue
        try:
            found13, derived10 = isbn_pair(text)
        except BooksTrackerError:
            continue
        given10 = as_str(isbn10)
        if given10 and given10 != derived10:
            try:
                pair = isbn_pair(given10)
            except BooksTrackerError:
                pair = None
            if pair is not None and pair[0] == found13:
                derived10 = pair[1]
        return found13, derived10
    raw = as_str(isbn13)
    if raw and len(raw) == 13 and raw.isdigit():
        return raw, None
    return None, None


def _subtitle(title: str, title_long: str | None) -> str | None:
    if not title_long or title_long == title or not title_long.startswith(title):
        return None
    rest = title_long[len(title) :]
    if not rest.lstrip().startswith((":", " - ", "–", "—")) and not rest.startswith(":"):
        return None
    return as_str(rest.lstrip().lstrip(":–—-").strip())


def _is_legacy_book(data: Mapping[str, object]) -> bool:
    return bool(_LEGACY_BOOK_KEYS & data.keys())


# -- the wire format ---------------------------------------------------------------------------

# What a book field may hold and still be read: any JSON scalar (the readers turn numbers into
# text and drop booleans). A value of another shape fails the typed decode, and the body is then
# read by the lenient path on plain JSON.
Scalar = str | int | float | bool | None
Strings = list[Scalar] | dict[str, Scalar] | Scalar


class BookWire(msgspec.Struct, gc=False):
    """The fields of an ISBNdb ``Book`` that become an `Edition`; msgspec skips the rest (other
    ISBNs, dimensions, synopsis…) without building them. ``gc=False``: ten 1,000-book pages add
    no objects for the garbage collector to walk."""

    title: Scalar = None
    title_long: Scalar = None
    isbn13: Scalar = None
    isbn: Scalar = None
    isbn10: Scalar = None
    authors: Strings = None
    publisher: Scalar = None
    date_published: Scalar = None
    pages: Scalar = None
    language: Scalar = None
    binding: Scalar = None
    image: Scalar = None
    # Present only in records of the discontinued API (kept raw: only their presence counts).
    book_id: msgspec.Raw = msgspec.Raw()
    author_data: msgspec.Raw = msgspec.Raw()
    publisher_text: msgspec.Raw = msgspec.Raw()
    publisher_id: msgspec.Raw = msgspec.Raw()

    def is_legacy(self) -> bool:
        return bool(self.book_id or self.author_data or self.publisher_text or self.publisher_id)


class _BookListWire(msgspec.Struct, gc=False):
    """A list reply's envelope; absent keys stay `msgspec.UNSET`, apart from ``null``."""

    books: list[BookWire] | msgspec.UnsetType | None = msgspec.UNSET
    data: list[BookWire] | msgspec.UnsetType | None = msgspec.UNSET
    total: Scalar = None
    index_searched: msgspec.Raw = msgspec.Raw()


_BOOK_LIST = msgspec.json.Decoder(_BookListWire)


def decode_book_list(content: bytes) -> dict[str, object] | None:
    """A list reply (``/author/{name}``, ``/books/{query}``, ``POST /books``, ``/search/books``)
    with its books as `BookWire`: the envelope keeps the keys the readers look at (``books``,
    ``data``, ``total``, ``index_searched``) where the body has them. None when the body does
    not fit that form (not JSON, a book that is not an object, a field of an odd shape), for the
    lenient reader of plain JSON."""
    try:
        wire = _BOOK_LIST.decode(content)
    except (msgspec.DecodeError, RecursionError):  # ValidationError is a DecodeError
        return None
    envelope: dict[str, object] = {"total": wire.total}
    if wire.books is not msgspec.UNSET:
        envelope["books"] = wire.books
    if wire.data is not msgspec.UNSET:
        envelope["data"] = wire.data
    if wire.index_searched:
        envelope["index_searched"] = None  # only its presence counts
    return envelope


def _edition(
    title_field: str | None,
    title_long: str | None,
    isbns: tuple[str | None, str | None],
    authors: tuple[str, ...],
    publisher: object,
    published: str | None,
    pages: object,
    language: str | None,
    binding: str | None,
    image: object,
) -> Edition | None:
    title = title_field or title_long
    isbn13, isbn10 = isbns
    if not title or not isbn13:
        return None
    count = as_int(pages)
    return _trusted_edition(
        title=title,
        subtitle=_subtitle(title, title_long) if title_field else None,
        isbn13=isbn13,
        isbn10=isbn10,
        authors=authors,
        publisher=as_str(publisher),
        published=published,
        pages=count if count is not None and count > 0 else None,
        language=language,
        format=binding,
        cover_url=_cover_url(image),
        sources=_SOURCES,
        keys={"isbndb": isbn13},
    )


def _wire_edition(book: BookWire) -> Edition | None:
    if book.is_legacy():
        raise _malformed("a record of the discontinued ISBNdb API (book_id/author_data)")
    return _edition(
        as_str(book.title),
        as_str(book.title_long),
        _isbn_pair_of(book.isbn13, book.isbn, book.isbn10),
        _wire_authors(book.authors),
        book.publisher,
        _scalar_date(book.date_published),
        book.pages,
        _scalar_language(book.language),
        _scalar_binding(book.binding),
        book.image,
    )


# The readers of the fields that repeat from book to book (an author's listing has a few dates,
# languages and bindings), remembered per scalar; ``typed``: 1, 1.0 and True read differently.
_scalar_date = functools.lru_cache(maxsize=4096, typed=True)(parse_date_published)
_scalar_binding = functools.lru_cache(maxsize=1024, typed=True)(normalize_binding)


@functools.lru_cache(maxsize=1024, typed=True)
def _scalar_language(value: Scalar) -> str | None:
    return to_iso639_1(as_str(value))


def parse_book(data: object) -> Edition | None:
    """One ISBNdb ``Book`` object (API or data dump line) as an Edition.

    None when the object has no usable title or ISBN. Raises `MalformedResponse` for a record
    of the discontinued pre-2018 API (``book_id``, ``author_data``...).
    """
    if isinstance(data, BookWire):
        return _wire_edition(data)
    book = as_dict(data)
    if not book:
        return None
    if _is_legacy_book(book):
        raise _malformed("a record of the discontinued ISBNdb API (book_id/author_data)")
    get = book.get
    return _edition(
        as_str(get("title")),
        as_str(get("title_long")),
        _isbn_pair_of(get("isbn13"), get("isbn"), get("isbn10")),
        _authors(get("authors")),
        get("publisher"),
        parse_date_published(get("date_published")),
        get("pages"),
        to_iso639_1(as_str(get("language"))),
        normalize_binding(get("binding")),
        get("image"),
    )


def _check_envelope(body: object) -> Mapping[str, object]:
    if not isinstance(body, Mapping):
        raise _malformed(f"expected a JSON object, got {type(body).__name__}")
    if _LEGACY_ENVELOPE_KEYS & body.keys():
        raise _malformed("an answer of the discontinued ISBNdb API (index_searched)")
    return body


def parse_book_response(body: object) -> Edition:
    """``GET /book/{isbn}``: ``{"book": Book}``.

    Raises `MalformedResponse` when there is no usable ``book`` (including the old API's
    ``{"error": "Unable to locate …"}`` with HTTP 200).
    """
    envelope = _check_envelope(body)
    book = envelope.get("book")
    if not isinstance(book, Mapping):
        raise _malformed("no 'book' object in the reply")
    edition = parse_book(book)
    if edition is None:
        raise _malformed("the 'book' object has no title or no ISBN")
    return edition


@attrs.frozen(kw_only=True)
class BookPage:
    """Books of one list reply: parsed editions, ``total`` when sent, raw item ``count``."""

    editions: tuple[Edition, ...]
    total: int | None
    count: int


def _book_items(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        if value and all(str(k).isdigit() for k in value):
            return [value[k] for k in sorted(value, key=lambda k: int(str(k)))]
        if "isbn13" in value or "title" in value:
            return [value]
        return list(value.values())
    return []


def parse_book_page(body: object) -> BookPage:
    """A list reply: ``books`` (real ``/books/{query}``, ``/author/{name}``) or ``data`` (the
    spec, ``POST /books``, ``/search/books``), as an array or an object keyed by index; its
    books plain JSON or `BookWire` (`decode_book_list`).

    Raises `MalformedResponse` when neither key is present.
    """
    envelope = _check_envelope(body)
    if "books" in envelope and envelope["books"] is not None:
        items = _book_items(envelope["books"])
    elif "data" in envelope and envelope["data"] is not None:
        items = _book_items(envelope["data"])
    elif "books" in envelope or "data" in envelope:
        items = []
    else:
        raise _malformed("no 'books' or 'data' list in the reply")
    return _book_page(items, envelope.get("total"))


def _book_page(items: Sequence[object], total: object) -> BookPage:
    editions: dict[str, Edition] = {}
    with collector_paused():
        for item in items:
            edition = parse_book(item)
            if edition is not None and edition.isbn13 is not None:
                editions.setdefault(edition.isbn13, edition)
    return BookPage(editions=tuple(editions.values()), total=as_int(total), count=len(items))


def parse_authors_response(body: object) -> list[str]:
    """``GET /authors/{query}``: the author names (ISBNdb has no author ids)."""
    envelope = _check_envelope(body)
    if "authors" not in envelope:
        raise _malformed("no 'authors' list in the reply")
    return list(_authors(envelope.get("authors")))


def parse_key_response(body: object) -> dict[str, str | int | None]:
    """``GET /key``: ``{"api_host", "plan_name", "total", "spent", "left"}`` (None when absent)."""
    envelope = _check_envelope(body)
    limits = envelope.get("plan_limit")
    if not isinstance(limits, Mapping):
        raise _malformed("no 'plan_limit' object in the reply")
    return {
        "api_host": as_str(envelope.get("api_host")),
        "plan_name": as_str(envelope.get("plan_name")),
        "total": as_int(limits.get("total")),
        "spent": as_int(limits.get("spent")),
        "left": as_int(limits.get("left")),
    }


def to_search_hit(edition: Edition) -> SearchHit:
    """An ISBNdb edition as a search hit (its year stands in for the first-publication year)."""
    return SearchHit.from_edition(edition, provider=PROVIDER)


# -- the adapter -----------------------------------------------------------------------------


def _resolve_plan(name: str | None) -> PlanLimits:
    if name is None:
        return PLANS["basic"]
    limits = PLANS.get(name.strip().lower())
    if limits is None:
        raise ConfigurationError(
            f"unknown ISBNdb plan {name!r}: use one of {', '.join(sorted(PLANS))}"
        )
    return limits


_BOOK_LIST_PATH = LazyPattern(r"/(?:author/[^/]+|books(?:/[^/]+)?|search/books)")


def _is_book_list_path(url: str, base_url: str) -> bool:
    """Whether ``url`` asks one of the endpoints that answer a list of books."""
    path = urlsplit(url).path
    base = urlsplit(base_url).path.rstrip("/")
    return path.startswith(base) and _BOOK_LIST_PATH.fullmatch(path[len(base) :]) is not None


def _check_page(page: int, page_size: int) -> None:
    if page < 1:
        raise InvalidQuery(f"page must be 1 or more: {page!r}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidQuery(f"page_size must be 1 to {MAX_PAGE_SIZE}: {page_size!r}")
    if (page - 1) * page_size >= API_RESULT_CEILING:
        raise InvalidQuery(f"ISBNdb returns at most {API_RESULT_CEILING} results per query")


def _path_text(value: str, what: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidQuery(f"{what} must not be empty")
    if len(text) > MAX_PATH_PARAM:
        raise InvalidQuery(f"{what} is longer than ISBNdb's {MAX_PATH_PARAM} characters")
    return text


class ISBNdb(ProviderAdapter):
    """The ISBNdb API v2 adapter; disabled (every call raises `ConfigurationError`) without a key.

    ``plan`` (or ``BOOKSTRACKER_ISBNDB_PLAN``; default ``"basic"``) picks the host, the rate,
    the ``POST /books`` batch size and `daily_quota`; an explicit ``base_url``/``rate`` (or
    their environment variables) wins over the plan's. Attach a quota tracker
    (``quota=LocalQuota("isbndb", PLANS["pro"].daily_quota)``, or the key's real ``total`` from
    `key_info`) to stop before the key is spent and to tell a spent day from a per-second 429.
    """

    name: ClassVar[str] = "isbndb"
    DEFAULT_BASE_URL: ClassVar[str] = PLANS["basic"].base_url
    DEFAULT_RATE: ClassVar[float] = PLANS["basic"].rate
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.SEARCH, Capability.EDITIONS, Capability.AUTHOR_EDITIONS}
    )
    DAILY_QUOTA: ClassVar[int | None] = PLANS["basic"].daily_quota
    MAX_BODY: ClassVar[int] = 16 * 2**20

    def __init__(
        self,
        config: ProviderConfig | None = None,
        *,
        plan: ISBNdbPlan | None = None,
        base_url: str | Unset = UNSET,
        api_key: str | Unset | None = UNSET,
        rate: float | Unset = UNSET,
        timeout: float | Unset = UNSET,
        user_agent: str | Unset = UNSET,
        transport: Transport | None = None,
        http_client: AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        limiter: RateLimiter | None = None,
        quota: QuotaTracker | None = None,
        metrics: ProviderMetrics | None = None,
        shared_limits: SharedLimits | None = None,
    ) -> None:
        """As :class:`ProviderAdapter`, plus ``plan`` (over the config's, when given)."""
        if config is None:
            config = provider_config(
                "isbndb",
                plan=UNSET if plan is None else plan,
                base_url=base_url,
                api_key=api_key,
                rate=rate,
                timeout=timeout,
                user_agent=user_agent,
            )
        elif plan is not None:
            config = ISBNdbConfig(**{**attrs.asdict(config, recurse=False), "plan": plan})

        super().__init__(
            config,
            base_url=base_url,
            api_key=api_key,
            rate=rate,
            timeout=timeout,
            user_agent=user_agent,
            transport=transport,
            http_client=http_client,
            retry=retry,
            breaker=breaker,
            limiter=limiter,
            quota=quota,
            metrics=metrics,
            shared_limits=shared_limits,
        )

    def _prepare(self, config: ProviderConfig) -> None:
        self.limits = _resolve_plan(config.plan if isinstance(config, ISBNdbConfig) else None)

    def _default_base_url(self) -> str:
        return self.limits.base_url

    def __repr__(self) -> str:
        key = ", api_key=[secure]" if self._api_key else ""
        return f"ISBNdb(plan={self.plan!r}, base_url={self.base_url!r}, rate={self.rate:g}{key})"

    async def __aenter__(self) -> ISBNdb:
        return self

    def _default_rate(self) -> float:
        return self.limits.rate

    def _default_quota(self) -> QuotaTracker | None:
        """A tracker that remembers ISBNdb saying the day's calls are spent (until UTC
        midnight); it counts no allowance of its own, since the plans' figures are approximate:
        pass ``quota=LocalQuota("isbndb", <your plan's calls per day>)`` to stop before that."""
        return LocalQuota(self.name, None)

    @property
    def plan(self) -> ISBNdbPlan:
        """The plan the defaults were taken from."""
        return self.limits.name

    @property
    def bulk_size(self) -> int:
        """How many ISBNs one ``POST /books`` may carry on this plan."""
        return self.limits.bulk_size

    @property
    def daily_quota(self) -> int | None:
        """The plan's approximate daily call allowance (None when not published)."""
        return self.limits.daily_quota

    @property
    def enabled(self) -> bool:
        """False without an API key."""
        return self._api_key is not None

    def _auth_headers(self) -> tuple[tuple[str, str], ...]:
        return (("Authorization", self._api_key),) if self._api_key else ()

    def _require_key(self) -> None:
        if self._api_key is None:
            raise ConfigurationError(_NO_KEY)

    # -- sending and errors ----------------------------------------------------------------

    async def _quota_spent(self) -> bool:
        quota = self.policy.quota
        if quota is None:
            return False
        remaining = await quota.remaining()
        return remaining is not None and remaining <= 0

    async def _call(self, request: HttpRequest, *, cost: int = 1) -> object:
        self._require_key()
        try:
            result = await super()._call(request, cost=cost)
        except RateLimited as exc:
            if isinstance(exc, QuotaExceeded) or not await self._quota_spent():
                raise
            raise QuotaExceeded(
                f"{exc.args[0] if exc.args else 'Limit Exceeded'} (the daily quota is spent)",
                provider=self.name,
                url=exc.url,
            ) from None
        if result is NOT_FOUND and await self._quota_spent():
            raise QuotaExceeded(
                "404 while the daily quota is spent: not taken as 'not found'",
                provider=self.name,
                status=404,
                url=request.redacted_url(),
            )
        return result

    def _decode(self, response: HttpResponse) -> object:
        """A list reply with its books straight into `BookWire` when it fits (see
        `decode_book_list`); anything else as plain JSON."""
        if _is_book_list_path(response.url, self.base_url) and response.content_type != "text/html":
            wire = decode_book_list(response.content)
            if wire is not None:
                return wire
        return super()._decode(response)

    def _scrub(self, text: str) -> str:
        if self._api_key and self._api_key in text:
            return text.replace(self._api_key, "[secure]")
        return text

    def _error_for(
        self, response: HttpResponse, body: Mapping[str, object]
    ) -> ProviderError | None:
        status = response.status
        message = self._error_message(body)
        message = self._scrub(message) if message else None
        if status == 404:
            if message and _LIMIT_WORDS.search(message):
                return QuotaExceeded(message, provider=self.name, status=404, url=response.url)
            return None
        if status == 429:
            if message and _QUOTA_WORDS.search(message):
                return QuotaExceeded(message, provider=self.name, url=response.url)
            return RateLimited(
                message or "Limit Exceeded",
                provider=self.name,
                url=response.url,
                retry_after=None,
            )
        if status in (401, 403):
            return ProviderHTTPError(
                f"{message or 'access denied'} ({_AUTH_HINT})",
                provider=self.name,
                status=status,
                url=response.url,
            )
        if status == 500 and message and _SIZE_WORDS.search(message):
            return ProviderHTTPError(
                f"{message} (over ISBNdb's 6 MB response limit: use a smaller page_size)",
                provider=self.name,
                status=status,
                url=response.url,
            )
        return super()._error_for(response, body)

    # -- requests ----------------------------------------------------------------------------

    def book_request(self, isbn13: str) -> HttpRequest:
        return HttpRequest(url=self.url(f"/book/{path_segment(isbn13)}"))

    def books_request(self, isbns13: list[str]) -> HttpRequest:
        return HttpRequest(url=self.url("/books"), method="POST", json_body={"isbns": isbns13})

    def author_request(
        self, name: str, *, page: int, page_size: int, language: str | None = None
    ) -> HttpRequest:
        params = [("page", str(page)), ("pageSize", str(page_size))]
        if language:
            params.append(("language", language))
        return HttpRequest(url=self.url(f"/author/{path_segment(name)}"), params=tuple(params))

    def search_books_request(
        self,
        query: str,
        *,
        page: int,
        page_size: int,
        column: str | None = None,
        language: str | None = None,
        year: int | None = None,
    ) -> HttpRequest:
        params = [("page", str(page)), ("pageSize", str(page_size))]
        if column:
            params.append(("column", column))
        if language:
            params.append(("language", language))
        if year is not None:
            params.append(("year", str(year)))
        return HttpRequest(url=self.url(f"/books/{path_segment(query)}"), params=tuple(params))

    # -- operations --------------------------------------------------------------------------

    async def book(self, isbn: str) -> Edition | None:
        """The edition with this ISBN (10 or 13, any form); None when ISBNdb does not know it.

        Raises `InvalidISBN` (nothing sent) for a bad ISBN, `QuotaExceeded` when a 404 is a
        spent-quota signal.
        """
        self._require_key()
        isbn13 = normalize_isbn(isbn)
        body = await self._call(self.book_request(isbn13))
        if body is NOT_FOUND:
            return None
        return parse_book_response(body)

    async def editions(self, isbns: Iterable[str]) -> dict[str, Edition]:
        """Editions for many ISBNs, keyed by ISBN-13; unknown ones are absent.

        ``POST /books`` in batches of the plan's `bulk_size`, sent concurrently (the rate
        limiter paces them); each batch costs one quota unit per ISBN. Raises `InvalidISBN`
        (nothing sent) if any ISBN is invalid, and the first batch's error if one fails.
        """
        self._require_key()
        wanted = list(dict.fromkeys(normalize_isbn(i) for i in isbns))
        if not wanted:
            return {}
        size = self.bulk_size
        batches = [wanted[i : i + size] for i in range(0, len(wanted), size)]
        found: dict[str, Edition] = {}

        async def fetch(batch: list[str]) -> None:
            body = await self._call(self.books_request(batch), cost=len(batch))
            if body is NOT_FOUND:
                return
            requested = set(batch)
            for edition in parse_book_page(body).editions:
                key = _requested_key(edition, requested)
                if key is not None:
                    found.setdefault(key, edition)

        await run_all([functools.partial(fetch, batch) for batch in batches])
        return {isbn: found[isbn] for isbn in wanted if isbn in found}

    async def author_editions(
        self,
        name: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_results: int = API_RESULT_CEILING,
        language: str | None = None,
    ) -> EditionPage:
        """Every edition ISBNdb lists under the author ``name`` (``GET /author/{name}``, paged).

        Pages until a short page, ``total`` (when the reply has one) or ``max_results`` /
        the API's 10,000-result ceiling; ``complete`` is False when results were left.
        ``language`` (any form `to_iso639_1` reads) filters on ISBNdb's side.
        """
        self._require_key()
        text = _path_text(name, "author name")
        if max_results < 1:
            raise InvalidQuery(f"max_results must be 1 or more: {max_results!r}")
        _check_page(1, page_size)
        lang = language_param(language)
        limit = min(max_results, API_RESULT_CEILING)
        size = min(page_size, limit)
        editions: dict[str, Edition] = {}
        short = False

        async def fetch(slot: PageSlot) -> Mapping[str, object] | None:
            request = self.author_request(
                text, page=slot.number + 1, page_size=slot.size, language=lang
            )
            body = await self._call(request)
            return None if body is NOT_FOUND else _check_envelope(body)

        def read(body: Mapping[str, object], slot: PageSlot) -> PageFacts:
            nonlocal short
            result = parse_book_page(body)
            for edition in result.editions:
                if edition.isbn13 is not None:
                    editions.setdefault(edition.isbn13, edition)
            fetched = slot.offset + result.count
            short = result.count < size
            last = short or (result.total is not None and fetched >= result.total)
            return PageFacts(count=result.count, next=None if last else fetched, total=result.total)

        # Once a reply has told the total, the remaining pages are asked at once (the rate
        # limiter still spaces them); until then, one page after another.
        paged = await fetch_pages(
            fetch, read, page_size=size, cap=limit, concurrency=None, fixed_size=True
        )
        total = paged.total
        reached_total = total is not None and paged.taken >= total
        complete = paged.end != "cap" and (
            not short or reached_total or paged.taken < API_RESULT_CEILING
        )
        found = list(editions.values())
        if len(found) > max_results:
            found = found[:max_results]
            complete = False
        return _edition_page(found, total=total, complete=complete, pages=len(paged.pages))

    async def search_books(
        self,
        query: str,
        *,
        column: str | None = None,
        page: int = 1,
        page_size: int = 20,
        language: str | None = None,
        year: int | None = None,
    ) -> EditionPage:
        """One page of ``GET /books/{query}``; ``column`` narrows the match to one field.

        ``complete`` says whether this page reached the end of the results.
        """
        self._require_key()
        text = _path_text(query, "query")
        if column is not None and column not in COLUMNS:
            raise InvalidQuery(f"column must be one of {', '.join(COLUMNS)}: {column!r}")
        _check_page(page, page_size)
        lang = language_param(language)
        request = self.search_books_request(
            text, page=page, page_size=page_size, column=column, language=lang, year=year
        )
        return self._one_page(await self._call(request), page=page, page_size=page_size)

    async def search(self, query: str, *, limit: int = 20) -> SearchPage:
        """Hits for ``query`` from one page of ``GET /books/{query}`` (at least 20 asked)."""
        page = await self.search_books(query, page_size=min(max(limit, 20), MAX_PAGE_SIZE))
        return SearchPage(hits=[to_search_hit(e) for e in page.editions], total=page.total)

    async def search_by(
        self,
        *,
        text: str | None = None,
        author: str | None = None,
        isbn: str | None = None,
        publisher: str | None = None,
        subject: str | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> EditionPage:
        """One page of ``GET /search/books``: books matching every criterion given."""
        self._require_key()
        params: list[tuple[str, str]] = []
        for field, value in (
            ("text", text),
            ("author", author),
            ("publisher", publisher),
            ("subject", subject),
        ):
            if value is not None and value.strip():
                params.append((field, value.strip()))
        if isbn is not None:
            params.append(("isbn13", normalize_isbn(isbn)))
        if not params:
            raise InvalidQuery("give at least one of text, author, isbn, publisher, subject")
        _check_page(page, page_size)
        params += [("page", str(page)), ("pageSize", str(page_size))]
        request = HttpRequest(url=self.url("/search/books"), params=tuple(params))
        return self._one_page(await self._call(request), page=page, page_size=page_size)

    @staticmethod
    def _one_page(body: object, *, page: int, page_size: int) -> EditionPage:
        if body is NOT_FOUND:
            return _edition_page((), total=0, complete=True, pages=0)
        result = parse_book_page(body)
        seen = (page - 1) * page_size + result.count
        complete = result.count < page_size or (result.total is not None and seen >= result.total)
        return _edition_page(result.editions, total=result.total, complete=complete, pages=1)

    async def authors(self, query: str, *, page: int = 1, page_size: int = 20) -> list[str]:
        """Author names matching ``query`` (``GET /authors/{query}``); ISBNdb has no ids."""
        self._require_key()
        text = _path_text(query, "query")
        _check_page(page, page_size)
        params = (("page", str(page)), ("pageSize", str(page_size)))
        request = HttpRequest(url=self.url(f"/authors/{path_segment(text)}"), params=params)
        body = await self._call(request)
        if body is NOT_FOUND:
            return []
        return parse_authors_response(body)

    async def key_info(self) -> dict[str, str | int | None]:
        """The key's host and quota: ``{"api_host", "plan_name", "total", "spent", "left"}``."""
        self._require_key()
        body = await self._call(HttpRequest(url=self.url("/key")))
        if body is NOT_FOUND:
            raise MalformedResponse("GET /key answered 404", provider=self.name)
        return parse_key_response(body)


def _edition_page(
    editions: Iterable[Edition], *, total: int | None, complete: bool, pages: int
) -> EditionPage:
    return EditionPage(editions=tuple(editions), total=total, complete=complete, pages=pages)


def _requested_key(edition: Edition, requested: set[str]) -> str | None:
    if edition.isbn13 in requested:
        return edition.isbn13
    if edition.isbn10:
        isbn13 = normalize_isbn(edition.isbn10)
        if isbn13 in requested:
            return isbn13
    return None
