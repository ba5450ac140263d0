"""The OpenLibrary adapter: works search, authors, works, editions, ISBN look-ups, covers.

Parsing is pure: the module-level ``parse_*`` functions turn OpenLibrary JSON into the models
and are tested straight on recorded bodies. `OpenLibrary` builds the requests and glues
``_call`` to the parsers.

Choices worth knowing:

* Every ``/search.json`` request names its ``fields=`` (the server's default set changed in
  2025 and used to be ``*``, about 80 keys a doc).
* A search doc's ``isbn`` list can hold well over a thousand ISBNs (every edition, in both
  forms). The bytes arrive anyway, but a hit keeps at most `MAX_HIT_ISBNS` ISBN-13s and a
  `WorkSignals` at most ``max_isbns`` (default `MAX_SIGNAL_ISBNS`); ``max_isbns=0`` leaves
  ``isbn`` out of ``fields=`` so the server sends none.
* One ISBN, or a batch, goes through ``/api/books?jscmd=details``: its ``details`` is the raw
  edition record (languages, ``works``, ``physical_format``, ``publishers``,
  ``number_of_pages``, both ISBN arrays) *and* its ``authors`` carry names. ``jscmd=data`` has
  author names but no language, work key or format, so it cannot fill an `Edition`.
* An ``/api/books`` batch holds up to `BOOKS_BATCH_SIZE` bibkeys and its whole URL stays within
  `MAX_BATCH_URL` characters, the 2 KB that the strictest proxies accept (nginx's header buffer
  is 8 KB). ``:`` and ``,`` go unencoded, as RFC 3986 allows in a query and as OpenLibrary's
  own examples write them, so 100 ``ISBN:<13 digits>`` keys take 1.9 KB (encoded, 2.3 KB).
  Every request counts against the 3/s limit, so a batch is as full as the URL allows.
* Raw edition records hold author *keys* only; `Edition.authors` is then read from the
  record's ``by_statement`` ("William Gibson ; translated by …" gives ``("William Gibson",)``)
  and left empty when there is none.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, quote_plus, urlsplit

import attrs
import msgspec

from bookstracker._gc import collector_paused
from bookstracker._http import HttpRequest, HttpResponse
from bookstracker._patterns import LazyPattern
from bookstracker.config import ProviderConfig
from bookstracker.errors import (
    InvalidQuery,
    MalformedResponse,
    ProviderError,
    ProviderHTTPError,
    RateLimited,
)
from bookstracker.isbn import isbn13_or_none, isbn_pair, normalize_isbn
from bookstracker.languages import to_iso639_1, to_marc
from bookstracker.models import Author, Edition, SearchHit
from bookstracker.names import split_authors
from bookstracker.providers._parse import (
    as_dict,
    as_int,
    as_list,
    as_str,
    isbn_fields,
    iso_date,
    remembered_for_texts,
    text_value,
    year_of,
)
from bookstracker.providers.base import (
    NOT_FOUND,
    ProviderAdapter,
    path_segment,
    retry_after_seconds,
)
from bookstracker.providers.contract import (
    COVERS_BASE_URL,
    Capability,
    EditionPage,
    RecordType,
    SearchPage,
    SignalsForm,
    WorkRecord,
    WorkSignals,
    WorksListing,
)
from bookstracker.providers.paging import PageFacts, PageSlot, fetch_pages
from bookstracker.taskgroup import gather

__all__ = [
    "BOOKS_BATCH_SIZE",
    "COVERS_BASE_URL",
    "MAX_BATCH_URL",
    "MAX_BOOKS_BATCH",
    "MAX_HIT_ISBNS",
    "MAX_LIST_LIMIT",
    "MAX_SIGNAL_ISBNS",
    "SEARCH_FIELDS",
    "SIGNAL_FIELDS",
    "WORKS_PER_KEY_QUERY",
    "OpenLibrary",
    "SearchDocWire",
    "WorkRecord",
    "WorkSignals",
    "WorkWire",
    "WorksListing",
    "authors_from_by_statement",
    "bare_key",
    "cover_url",
    "decode_search",
    "decode_works_page",
    "next_offset",
    "parse_api_books",
    "parse_author_doc",
    "parse_author_record",
    "parse_author_search",
    "parse_edition_record",
    "parse_editions_page",
    "parse_publish_date",
    "parse_search",
    "parse_search_doc",
    "parse_work_record",
    "parse_work_signals",
    "parse_works_page",
    "user_agent_identifies",
]

log = logging.getLogger(__name__)

PROVIDER = "openlibrary"
SEARCH_FIELDS = (
    "key,title,subtitle,author_name,author_key,first_publish_year,edition_count,cover_i,"
    "language,isbn"
)
SIGNAL_FIELDS = "key,title,language,edition_count,first_publish_year,isbn,author_key,author_name"
AUTHOR_SEARCH_FIELDS = (
    "key,name,alternate_names,birth_date,death_date,top_work,work_count,top_subjects"
)
MAX_HIT_ISBNS = 20
MAX_SIGNAL_ISBNS = 50
MAX_LIST_LIMIT = 1000
MAX_SEARCH_LIMIT = 1000
BOOKS_BATCH_SIZE = 100
MAX_BATCH_URL = 2000
"""The longest URL of a batched request (``/api/books``, the ``key:`` search), in characters:
a batch splits to stay within it."""
_BIBKEYS_SAFE = ":,"
SEARCH_MAX_BODY = 16 * 2**20
"""``/search.json`` pages carry up to 1,000 docs; every other endpoint stays under 4 MiB."""
MAX_BOOKS_BATCH = 300
WORKS_PER_KEY_QUERY = 100
EXPECTED_SHARE = 0.9
"""The share of an expected total (an author's ``work_count``) whose pages are asked at once."""
UNIDENTIFIED_RATE = 1.0

_IDENTIFYING_UA = LazyPattern(r"bot|spider|crawl|google|http|@", re.IGNORECASE)
_OLID = LazyPattern(r"OL\d+[AWM]", re.IGNORECASE)
_KEY_IN_PATH = LazyPattern(
    r"(?:https?://[^/]+)?/*(?:authors|works|books)/(OL\d+[AWM])(?:[/.?#].*)?", re.IGNORECASE
)
_AUTHOR_KEY = LazyPattern(r"OL\d+A")
_WORK_KEY = LazyPattern(r"OL\d+W")
_EDITION = LazyPattern(r"OL\d+M", re.IGNORECASE)
_WORKS_LIST_PATH = LazyPattern(r"/authors/[^/]+/works\.json$")
_warned_user_agents: set[str] = set()


# -- small helpers -------------------------------------------------------------------------


def user_agent_identifies(user_agent: str) -> bool:
    """True when OpenLibrary's nginx counts the UA as identifying (a URL or an e-mail in it)."""
    return bool(_IDENTIFYING_UA.search(user_agent))


def bare_key(value: str) -> str:
    """The bare OpenLibrary id (``OL123A``) of a key, path or URL; other text stays as given.

    Raises `InvalidQuery` for a blank value.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidQuery("an OpenLibrary key must not be blank")
    if _OLID.fullmatch(text):
        return text.upper()
    match = _KEY_IN_PATH.fullmatch(text)
    if match:
        return match.group(1).upper()
    return text


def _key_of(value: object) -> str | None:
    """The bare id of a record key (``"/works/OL1W"`` or ``"OL1W"``)."""
    text = as_str(value)
    if not text:
        return None
    return text.rstrip("/").rsplit("/", 1)[-1] or None


def _record_key(value: object) -> str | None:
    """The bare id of a search doc's key; None for one that names no OpenLibrary record.

    Old search indexes return bare scans as ``"ia:<identifier>"`` and works-less editions as
    ``"/works/OL…M"``: the first is dropped, the second kept as the edition's own id.
    """
    key = _key_of(value)
    return key if key and _OLID.fullmatch(key) else None


def _type_key(value: object) -> str | None:
    """A record's type, whether ``{"key": "/type/work"}`` or the dump's ``"/type/work"``."""
    if isinstance(value, Mapping):
        value = value.get("key")
    return as_str(value)


def _distinct_strings(value: object) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for item in as_list(value):
        text = as_str(item)
        if text:
            out.setdefault(text, None)
    return tuple(out)


_strings_of_list = remembered_for_texts(_distinct_strings, 4096)


def _strings(value: object) -> tuple[str, ...]:
    """Distinct clean strings from a list, a single value or any iterable."""
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping, list)):
        value = list(value)
    return _strings_of_list(value)


def _cover_ids(value: object) -> tuple[int, ...]:
    ids: dict[int, None] = {}
    for item in as_list(value):
        number = as_int(item)
        if number is not None and number > 0:
            ids.setdefault(number, None)
    return tuple(ids)


def _language_codes(value: object) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for item in as_list(value):
        if isinstance(item, Mapping):
            item = item.get("key")
        code = to_iso639_1(as_str(item))
        if code:
            out.setdefault(code, None)
    return tuple(out)


_languages = remembered_for_texts(_language_codes, 1024)
"""ISO 639-1 codes from a list of MARC codes or ``{"key": "/languages/eng"}`` objects."""


def _bare_keys(value: object) -> tuple[str, ...]:
    return tuple(k for k in (_key_of(v) for v in as_list(value)) if k)


_record_keys = remembered_for_texts(_bare_keys, 4096)
"""The bare ids of a list of keys (``author_key``), in order."""


def _capped_isbn13s(values: object, cap: int) -> tuple[str, ...]:
    """Valid ISBN-13s, in order, without repeats, stopping at ``cap``.

    OpenLibrary lists each edition's ISBN in both forms: an ISBN-10 whose ISBN-13 is already
    taken (same nine digits after ``978``) is passed over unread, as it could add nothing.
    """
    seen: dict[str, None] = {}
    taken: set[str] = set()  # the first twelve digits of each ISBN-13 in `seen`
    if cap <= 0:
        return ()
    for value in as_list(values):
        text = value if type(value) is str and len(value) <= 13 else as_str(value)
        if not text or (len(text) == 10 and "978" + text[:9] in taken):
            continue
        isbn13 = isbn13_or_none(text)
        if isbn13 is None:
            continue
        seen.setdefault(isbn13, None)
        taken.add(isbn13[:12])
        if len(seen) >= cap:
            break
    return tuple(seen)


def _object(body: object, response_of: str) -> Mapping[str, object]:
    if not isinstance(body, Mapping):
        raise MalformedResponse(
            f"{response_of}: expected a JSON object, got {type(body).__name__}", provider=PROVIDER
        )
    return body


# -- the wire format -------------------------------------------------------------------------

# A field's value exactly as plain JSON would hold it, for the shapes the readers take: any
# scalar, a list or an object of scalars. A value of another shape fails the typed decode, and
# the body is then decoded as plain JSON: either way the readers see the same values.
Scalar = str | int | float | bool | None
Strings = list[Scalar] | dict[str, Scalar] | Scalar
KeyRef = dict[str, Scalar] | Scalar
"""``{"key": "/type/work"}`` or the bare text."""


class SearchDocWire(msgspec.Struct, gc=False):
    """The fields of a ``/search.json`` doc that the readers use (the ``fields=`` sets, with
    ``edition_key``); msgspec skips the rest without building it."""

    key: Scalar = None
    title: Scalar = None
    subtitle: Scalar = None
    author_name: Strings = None
    author_key: Strings = None
    first_publish_year: Scalar = None
    edition_count: Scalar = None
    cover_i: Strings = None
    language: Strings = None
    isbn: Strings = None
    edition_key: Strings = None


class WorkWire(msgspec.Struct, gc=False):
    """The fields of a work record (an ``/authors/{id}/works.json`` entry) that become a
    `WorkRecord`; revisions, timestamps and the like are skipped."""

    key: Scalar = None
    type: KeyRef = None
    title: Scalar = None
    subtitle: Scalar = None
    authors: list[dict[str, KeyRef]] | dict[str, KeyRef] | Scalar = None
    first_publish_date: Scalar = None
    subjects: Strings = None
    description: KeyRef = None
    covers: Strings = None
    location: Scalar = None


class _SearchWire(msgspec.Struct, gc=False):
    numFound: Scalar = None  # noqa: N815  (the wire's own names)
    num_found: Scalar = None
    docs: list[SearchDocWire] | None = None


class _WorksPageWire(msgspec.Struct, gc=False):
    size: Scalar = None
    links: dict[str, Scalar] | Scalar = None
    entries: list[WorkWire] | None = None


_SEARCH = msgspec.json.Decoder(_SearchWire)
_WORKS_PAGE = msgspec.json.Decoder(_WorksPageWire)


def decode_search(content: bytes) -> dict[str, object] | None:
    """A ``/search.json`` body with its docs as `SearchDocWire`: ``{"numFound", "num_found",
    "docs"}``, the keys the readers and the paging use. None when the body does not fit (not
    JSON, a doc that is not an object, a field of another shape), for the plain JSON reader."""
    try:
        wire = _SEARCH.decode(content)
    except (msgspec.DecodeError, RecursionError):  # ValidationError is a DecodeError
        return None
    return {"numFound": wire.numFound, "num_found": wire.num_found, "docs": wire.docs}


def decode_works_page(content: bytes) -> dict[str, object] | None:
    """An ``/authors/{id}/works.json`` page with its entries as `WorkWire`: ``{"size",
    "links", "entries"}``; None when the body does not fit, as `decode_search`."""
    try:
        wire = _WORKS_PAGE.decode(content)
    except (msgspec.DecodeError, RecursionError):
        return None
    return {"size": wire.size, "links": wire.links, "entries": wire.entries}


def _getter(record: object) -> Callable[[str], object]:
    """How to read a field of a record, plain JSON or wire form."""
    if isinstance(record, (SearchDocWire, WorkWire)):
        return record.__getattribute__
    return as_dict(record).get


# -- dates ---------------------------------------------------------------------------------


def parse_publish_date(value: object) -> str | None:
    """OpenLibrary's free-text date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` when it parses.

    ``"November 2006"`` gives ``"2006-11"``, ``"April 22, 2008"`` ``"2008-04-22"``, ``"c1995"``
    ``"1995"``; text that does not parse (``"19--"``, ``"Spring 1999"``) is kept as given.
    """
    return iso_date(value) or as_str(value)


# -- covers --------------------------------------------------------------------------------


def cover_url(
    *,
    cover_id: int | None = None,
    isbn: str | None = None,
    olid: str | None = None,
    size: str = "M",
    default: bool = False,
) -> str | None:
    """A covers.openlibrary.org image URL, from a cover id, an ISBN or an edition OLID.

    The first one given wins; cover ids ≤ 0 and unreadable ISBNs give None. ``size`` is ``S``,
    ``M`` or ``L``. ``default=False`` adds ``?default=false``, so a missing image is a 404
    instead of a blank placeholder.
    """
    size = size.upper() if isinstance(size, str) else ""
    if size not in {"S", "M", "L"}:
        raise InvalidQuery(f"cover size must be S, M or L, not {size!r}")
    path: str | None = None
    if cover_id is not None:
        number = as_int(cover_id)
        if number is None or number <= 0:
            return None
        path = f"/b/id/{number}-{size}.jpg"
    elif isbn is not None:
        try:
            bare = normalize_isbn(isbn)
        except ValueError:
            return None
        path = f"/b/isbn/{bare}-{size}.jpg"
    elif olid is not None:
        key = _key_of(olid)
        if not key or not _OLID.fullmatch(key):
            return None
        path = f"/b/olid/{key.upper()}-{size}.jpg"
    if path is None:
        return None
    return COVERS_BASE_URL + path + ("" if default else "?default=false")


def _cover_from_ids(ids: Sequence[int]) -> str | None:
    return cover_url(cover_id=ids[0], default=True) if ids else None


# -- values --------------------------------------------------------------------------------


# -- parsers -------------------------------------------------------------------------------

# Through plain callables: mypy's attrs plugin cannot type the generic ``tuple`` converter of
# SearchPage/EditionPage fields.
_search_page: Callable[..., SearchPage] = SearchPage
_edition_page: Callable[..., EditionPage] = EditionPage


def parse_search_doc(doc: object, *, max_isbns: int = MAX_HIT_ISBNS) -> SearchHit | None:
    """One ``/search.json`` doc (plain JSON or `SearchDocWire`) as a `SearchHit`; None without
    a key or a title."""
    get = _getter(doc)
    key = _record_key(get("key"))
    title = as_str(get("title"))
    if not key or not title:
        return None
    languages = _languages(get("language"))
    cover_ids = _cover_ids(get("cover_i"))
    return SearchHit(
        title=title,
        subtitle=as_str(get("subtitle")),
        authors=_strings(get("author_name")),
        first_publish_year=year_of(get("first_publish_year")),
        isbn13=_capped_isbn13s(get("isbn"), max_isbns),
        keys={PROVIDER: key},
        sources=(PROVIDER,),
        cover_url=_cover_from_ids(cover_ids),
        edition_count=as_int(get("edition_count")),
        language=languages[0] if len(languages) == 1 else None,
    )


def parse_search(body: object) -> SearchPage:
    """A ``/search.json`` body (any era: ``numFound``/``num_found``, bare or prefixed keys)."""
    data = as_dict(body)
    hits = [parse_search_doc(doc) for doc in as_list(data.get("docs"))]
    total = as_int(data.get("numFound"))
    if total is None:
        total = as_int(data.get("num_found"))
    return _search_page(hits=tuple(h for h in hits if h is not None), total=total)


def parse_work_signals(
    body: object, *, max_isbns: int = MAX_SIGNAL_ISBNS
) -> dict[str, WorkSignals]:
    """Per-work signals from a ``/search.json`` body, keyed by bare work id."""
    out: dict[str, WorkSignals] = {}
    with collector_paused():
        for doc in as_list(as_dict(body).get("docs")):
            get = _getter(doc)
            key = _record_key(get("key"))
            if not key:
                continue
            out[key] = WorkSignals(
                key=key,
                title=as_str(get("title")),
                languages=_languages(get("language")),
                edition_count=as_int(get("edition_count")),
                first_publish_year=year_of(get("first_publish_year")),
                isbns=_capped_isbn13s(get("isbn"), max_isbns),
                author_keys=_record_keys(get("author_key")),
                authors=_strings(get("author_name")),
            )
    return out


def parse_author_doc(doc: object) -> Author | None:
    """One ``/search/authors.json`` doc (bare ``key``) as an `Author`."""
    data = as_dict(doc)
    key = _key_of(data.get("key"))
    name = as_str(data.get("name"))
    if not key or not name:
        return None
    return Author(
        name=name,
        keys={PROVIDER: key},
        alternate_names=_strings(data.get("alternate_names")),
        birth_date=as_str(data.get("birth_date")),
        death_date=as_str(data.get("death_date")),
        work_count=as_int(data.get("work_count")),
        top_work=as_str(data.get("top_work")),
        top_subjects=_strings(data.get("top_subjects")),
    )


def parse_author_search(body: object) -> list[Author]:
    """A ``/search/authors.json`` body as authors, in the server's order."""
    authors = (parse_author_doc(doc) for doc in as_list(as_dict(body).get("docs")))
    return [a for a in authors if a is not None]


def parse_author_record(record: object) -> Author | None:
    """An ``/authors/{id}.json`` record as an `Author`; None for redirects, deletes, no name."""
    data = as_dict(record)
    if _type_key(data.get("type")) in ("/type/redirect", "/type/delete"):
        return None
    key = _key_of(data.get("key"))
    name = as_str(data.get("name")) or as_str(data.get("personal_name"))
    if not key or not name:
        return None
    return Author(
        name=name,
        keys={PROVIDER: key},
        alternate_names=_strings(data.get("alternate_names")),
        birth_date=as_str(data.get("birth_date")),
        death_date=as_str(data.get("death_date")),
    )


def parse_work_record(record: object) -> WorkRecord | None:
    """A raw work record (``/works/{id}.json``, a works-list entry, a dump line's JSON), plain
    JSON or `WorkWire`."""
    get = _getter(record)
    key = _key_of(get("key"))
    if not key:
        return None
    type_key = _type_key(get("type"))
    kind: RecordType = "work"
    if type_key == "/type/redirect":
        kind = "redirect"
    elif type_key == "/type/delete":
        kind = "delete"
    author_keys: dict[str, None] = {}
    roles: dict[str, str] = {}
    for entry in as_list(get("authors")):
        item = as_dict(entry)
        author = item.get("author")
        author_key = _key_of(as_dict(author).get("key") if isinstance(author, Mapping) else author)
        if author_key is None:
            author_key = _key_of(item.get("key"))
        if not author_key:
            continue
        author_keys.setdefault(author_key, None)
        role = as_str(item.get("role"))
        if role:
            roles.setdefault(author_key, role)
    return WorkRecord(
        key=key,
        title=as_str(get("title")),
        subtitle=as_str(get("subtitle")),
        author_keys=tuple(author_keys),
        roles=roles,
        first_publish_year=year_of(get("first_publish_date")),
        subjects=_strings(get("subjects")),
        description=text_value(get("description")),
        covers=_cover_ids(get("covers")),
        type=kind,
        redirect_to=_key_of(get("location")) if kind == "redirect" else None,
    )


_BY_ROLE_WORDS = LazyPattern(
    r"\b(by|translat\w*|edit\w*|introduc\w*|illustrat\w*|foreword|afterword|preface|notes|"
    r"compil\w*|select\w*|retold|adapt\w*|trad\w*|übers\w*|hrsg|herausg\w*|ed|eds|tr|"
    r"comp|with|and others|et al)\b",
    re.IGNORECASE,
)


# Credit labels as catalogued in comics and manga ("story, X ; art, Y"), lower case only so
# that an inverted name ("Story, Jack Trevor") is never read as one.
_WRITER_LABEL = LazyPattern(
    r"(?:story|text|words|script|writer|author)(?:\s+(?:and|&)\s+(?:art|illustrations?))?"
    r"\s*[,:]\s+"
)
_OTHER_LABEL = LazyPattern(
    r"(?:art|artwork|drawings|pictures|photographs|lettering|colou?rs?|pencils|inks)\s*[,:]\s"
)


def authors_from_by_statement(text: object) -> tuple[str, ...]:
    """Author names from an edition's ``by_statement``; () when it names no plain author.

    Only the part before the first ``;`` is read (what follows names translators and the
    like), and a part mentioning a role (``translated by``, ``edited``…) is not a name. A
    writer's credit label (``story, Riichiro Inagaki``) is dropped; a part that credits
    another role (``art, Boichi``) is not a name.
    """
    statement = as_str(text)
    if not statement:
        return ()
    first = statement.split(";", 1)[0].strip().strip(" .,:/[]")
    if _OTHER_LABEL.match(first):
        return ()
    label = _WRITER_LABEL.match(first)
    if label:
        first = first[label.end() :]
    if not first or _BY_ROLE_WORDS.search(first) or any(c.isdigit() for c in first):
        return ()
    names = (part.strip().strip(" .,:[]") for part in split_authors(first))
    return tuple(n for n in names if len(n) > 1)


def _pages(data: Mapping[str, object]) -> int | None:
    pages = as_int(data.get("number_of_pages"))
    if pages is not None and pages > 0:
        return pages
    pagination = as_str(data.get("pagination"))
    if pagination:
        match = re.search(r"(\d+)\s*(?:p\b|pages)", pagination)
        if match:
            return int(match.group(1))
    return None


def parse_edition_record(record: object, *, authors: Iterable[str] | None = None) -> Edition | None:
    """A raw edition record (``/books/{id}.json``, an editions-list entry, ``jscmd=details``).

    ``authors`` overrides the names; otherwise names come from ``authors[].name`` where the
    record carries them (``jscmd=details``), else from ``by_statement``.
    """
    data = as_dict(record)
    title = as_str(data.get("title")) or as_str(data.get("full_title"))
    if not title or _type_key(data.get("type")) in ("/type/redirect", "/type/delete"):
        return None
    if authors is None:
        names = _strings(as_dict(a).get("name") for a in as_list(data.get("authors")))
        if not names:
            names = authors_from_by_statement(data.get("by_statement"))
    else:
        names = tuple(authors)
    isbn13, isbn10 = isbn_fields(as_list(data.get("isbn_13")) + as_list(data.get("isbn_10")))
    publishers = [
        as_dict(p).get("name") if isinstance(p, Mapping) else p
        for p in as_list(data.get("publishers"))
    ]
    works = [_key_of(as_dict(w).get("key")) for w in as_list(data.get("works"))]
    languages = _languages(data.get("languages"))
    key = _key_of(data.get("key"))
    return Edition(
        title=title,
        subtitle=as_str(data.get("subtitle")),
        isbn13=isbn13,
        isbn10=isbn10,
        authors=names,
        publisher=next((s for s in (as_str(p) for p in publishers) if s), None),
        published=parse_publish_date(data.get("publish_date")),
        pages=_pages(data),
        language=languages[0] if languages else None,
        format=as_str(data.get("physical_format")),
        cover_url=_cover_from_ids(_cover_ids(data.get("covers"))),
        work_key=next((w for w in works if w), None),
        sources=(PROVIDER,),
        keys={PROVIDER: key} if key else None,
        translation_of=as_str(data.get("translation_of")),
    )


def _parse_data_entry(entry: Mapping[str, object]) -> Edition | None:
    """One ``jscmd=data`` entry (flattened: no language, work key or format)."""
    title = as_str(entry.get("title"))
    if not title:
        return None
    identifiers = as_dict(entry.get("identifiers"))
    isbn13, isbn10 = isbn_fields(
        as_list(identifiers.get("isbn_13")) + as_list(identifiers.get("isbn_10"))
    )
    cover = as_dict(entry.get("cover"))
    key = _key_of(entry.get("key"))
    medium = as_str(cover.get("medium"))
    return Edition(
        title=title,
        subtitle=as_str(entry.get("subtitle")),
        isbn13=isbn13,
        isbn10=isbn10,
        authors=_strings(as_dict(a).get("name") for a in as_list(entry.get("authors"))),
        publisher=next(
            (
                s
                for s in (as_str(as_dict(p).get("name")) for p in as_list(entry.get("publishers")))
                if s
            ),
            None,
        ),
        published=parse_publish_date(entry.get("publish_date")),
        pages=_pages(entry),
        cover_url=("https://" + medium[7:]) if medium and medium.startswith("http://") else medium,
        sources=(PROVIDER,),
        keys={PROVIDER: key} if key else None,
    )


def parse_api_books(body: object) -> dict[str, Edition]:
    """A ``/api/books?format=json`` body (``jscmd=details`` or ``data``), keyed by bibkey as sent.

    Unknown bibkeys are simply missing; an all-miss body is ``{}``.
    """
    out: dict[str, Edition] = {}
    with collector_paused():
        for bibkey, entry in as_dict(body).items():
            item = as_dict(entry)
            if "details" in item:
                edition = parse_edition_record(item.get("details"))
                if edition is not None and edition.cover_url is None:
                    thumb = as_str(item.get("thumbnail_url"))
                    if thumb:
                        medium = re.sub(r"-S\.jpg$", "-M.jpg", thumb)
                        edition = attrs.evolve(edition, cover_url=medium)
            else:
                edition = _parse_data_entry(item)
            if edition is not None:
                out[str(bibkey)] = edition
    return out


def next_offset(body: object) -> int | None:
    """The offset of the next page of a works/editions list; None when ``links.next`` is absent."""
    data = as_dict(body)
    nxt = as_str(as_dict(data.get("links")).get("next"))
    if not nxt:
        return None
    for name, value in parse_qsl(urlsplit(nxt).query):
        if name == "offset":
            number = as_int(value)
            if number is not None:
                return number
    return -1


def parse_works_page(body: object) -> WorksListing:
    """One ``/authors/{id}/works.json`` page; ``size`` is the author's total, not the page's."""
    data = as_dict(body)
    with collector_paused():
        parsed = [parse_work_record(entry) for entry in as_list(data.get("entries"))]
    return WorksListing(
        total=as_int(data.get("size")),
        works=tuple(w for w in parsed if w is not None),
        complete=next_offset(data) is None,
        pages=1,
    )


def parse_editions_page(body: object) -> EditionPage:
    """One ``/works/{id}/editions.json`` page; ``size`` is the work's edition total."""
    data = as_dict(body)
    editions = (parse_edition_record(entry) for entry in as_list(data.get("entries")))
    return _edition_page(
        editions=tuple(e for e in editions if e is not None),
        total=as_int(data.get("size")),
        complete=next_offset(data) is None,
        pages=1,
    )


def _detail_message(body: Mapping[str, object]) -> str | None:
    """FastAPI's ``{"detail": [{loc, msg}]}`` or OL's ``{"error": …}`` as one line."""
    detail = body.get("detail")
    parts: list[str] = []
    if isinstance(detail, str):
        parts.append(detail)
    for item in as_list(detail) if not isinstance(detail, str) else ():
        entry = as_dict(item)
        msg = as_str(entry.get("msg"))
        loc = [str(x) for x in as_list(entry.get("loc")) if str(x) != "query"]
        if msg:
            parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
    error = body.get("error")
    for item in as_list(error):
        text = as_str(item)
        if text:
            parts.append(text)
    return "; ".join(parts)[:300] if parts else None


# -- the adapter ---------------------------------------------------------------------------


class OpenLibrary(ProviderAdapter):
    """The OpenLibrary adapter (https://openlibrary.org; no key).

    The default rate is 3 requests/s, OpenLibrary's limit for clients whose User-Agent
    identifies them (a URL or an e-mail in it, which the default UA has). A ``user_agent`` (or
    ``BOOKSTRACKER_USER_AGENT``) that does not identify gets a warning and 1 request/s unless
    a rate is given.
    """

    name = "openlibrary"
    DEFAULT_BASE_URL = "https://openlibrary.org"
    DEFAULT_RATE = 3.0
    MAX_BODY = 4 * 2**20
    capabilities = frozenset(
        {
            Capability.SEARCH,
            Capability.EDITIONS,
            Capability.AUTHOR_LOOKUP,
            Capability.AUTHOR_WORKS,
            Capability.WORK_EDITIONS,
        }
    )

    def _prepare(self, config: ProviderConfig) -> None:
        given = config.user_agent if config.user_agent_given else None
        self.identifies = given is None or user_agent_identifies(given)
        if not self.identifies and given not in _warned_user_agents:
            _warned_user_agents.add(str(given))
            log.warning(
                "OpenLibrary: User-Agent %r names no URL or e-mail; OpenLibrary puts such "
                "clients in a shared, slower bucket. Default rate lowered to %g request/s.",
                given,
                UNIDENTIFIED_RATE,
            )

    def _default_rate(self) -> float:
        return self.DEFAULT_RATE if self.identifies else UNIDENTIFIED_RATE

    # -- errors ----------------------------------------------------------------------------

    def _decode(self, response: HttpResponse) -> object:
        head = response.content.lstrip()[:40]
        if head.startswith((b"var ", b"_OLBookInfo")) or "javascript" in response.content_type:
            raise MalformedResponse(
                "JavaScript (var _OLBookInfo = …) instead of JSON; format=json is missing",
                provider=self.name,
                status=response.status,
                url=response.url,
            )
        body: object = self._decode_wire(response)
        if body is None:
            body = super()._decode(response)
        if not isinstance(body, Mapping):
            raise MalformedResponse(
                f"expected a JSON object, got {type(body).__name__}",
                provider=self.name,
                status=response.status,
                url=response.url,
            )
        return body

    def _decode_wire(self, response: HttpResponse) -> dict[str, object] | None:
        """Searches and works lists, the large bodies, with their records in the wire form (see
        `decode_search`); None for every other body, or one that does not fit that form."""
        if response.content_type == "text/html":
            return None
        path = urlsplit(response.url).path
        if path.endswith("/search.json"):
            return decode_search(response.content)
        if _WORKS_LIST_PATH.search(path):
            return decode_works_page(response.content)
        return None

    def _error_for(
        self, response: HttpResponse, body: Mapping[str, object]
    ) -> ProviderError | None:
        status = response.status
        if status == 404:
            return None
        if status == 429:
            return RateLimited(
                as_str(body.get("message")) or "Too Many Requests",
                provider=self.name,
                url=response.url,
                retry_after=retry_after_seconds(response.header("retry-after")),
            )
        if status == 422:
            return ProviderHTTPError(
                _detail_message(body) or "HTTP 422: request refused",
                provider=self.name,
                status=status,
                url=response.url,
            )
        if status >= 500 and not body:
            return ProviderHTTPError(
                f"HTTP {status}: OpenLibrary's error page (the library is closed)",
                provider=self.name,
                status=status,
                url=response.url,
            )
        return super()._error_for(response, body)

    # -- requests --------------------------------------------------------------------------

    def _get(self, path: str, params: Iterable[tuple[str, str]] = ()) -> HttpRequest:
        max_body = SEARCH_MAX_BODY if path.endswith("/search.json") else None
        return HttpRequest(url=self.url(path), params=tuple(params), max_body=max_body)

    def search_request(
        self,
        query: str | None = None,
        *,
        title: str | None = None,
        author: str | None = None,
        isbn: str | None = None,
        author_key: str | None = None,
        language: str | None = None,
        limit: int = 20,
        page: int = 1,
    ) -> HttpRequest:
        """The ``/search.json`` request; raises `InvalidQuery`/`InvalidISBN` before any I/O."""
        params: list[tuple[str, str]] = []
        q = query.strip() if isinstance(query, str) else None
        if q:
            if len(q) < 3:
                raise InvalidQuery("an OpenLibrary query needs at least 3 characters")
            if q.lower() == "the":
                raise InvalidQuery("OpenLibrary refuses the query 'the'")
            params.append(("q", q))
        for name, value in (("title", title), ("author", author)):
            text = value.strip() if isinstance(value, str) else None
            if text:
                params.append((name, text))
        if isbn is not None:
            params.append(("isbn", normalize_isbn(isbn)))
        if author_key is not None:
            params.append(("author_key", _author_key(author_key)))
        if language is not None:
            marc = to_marc(language)
            if marc is None:
                raise InvalidQuery(f"unknown language {language!r}")
            params.append(("language", marc))
        if not params:
            raise InvalidQuery("nothing to search for: give a query, a title, an author or an ISBN")
        _check_range("limit", limit, 1, MAX_SEARCH_LIMIT)
        _check_range("page", page, 1, None)
        params += [("fields", SEARCH_FIELDS), ("limit", str(limit)), ("page", str(page))]
        return self._get("/search.json", params)

    # -- operations ------------------------------------------------------------------------

    async def search(
        self,
        query: str | None = None,
        *,
        title: str | None = None,
        author: str | None = None,
        isbn: str | None = None,
        author_key: str | None = None,
        language: str | None = None,
        limit: int = 20,
        page: int = 1,
    ) -> SearchPage:
        """Works matching the query and filters; ``language`` in any form (sent as MARC)."""
        request = self.search_request(
            query,
            title=title,
            author=author,
            isbn=isbn,
            author_key=author_key,
            language=language,
            limit=limit,
            page=page,
        )
        body = await self._call(request)
        if body is NOT_FOUND:
            return _search_page()
        return parse_search(_object(body, "search"))

    async def search_authors(self, name: str, *, limit: int = 20) -> list[Author]:
        """Author records whose name matches, in OpenLibrary's order (bare keys)."""
        text = name.strip() if isinstance(name, str) else ""
        if not text:
            raise InvalidQuery("an author name must not be blank")
        _check_range("limit", limit, 1, MAX_SEARCH_LIMIT)
        request = self._get(
            "/search/authors.json",
            (("q", text), ("fields", AUTHOR_SEARCH_FIELDS), ("limit", str(limit))),
        )
        body = await self._call(request)
        if body is NOT_FOUND:
            return []
        return parse_author_search(_object(body, "author search"))

    async def _record(self, kind: str, key: str) -> Mapping[str, object] | None:
        """A raw record, following one ``/type/redirect``; None when missing."""
        bare = bare_key(key)
        for _ in range(2):
            body = await self._call(self._get(f"/{kind}/{path_segment(bare)}.json"))
            if body is NOT_FOUND:
                return None
            record = _object(body, f"{kind} record")
            if _type_key(record.get("type")) != "/type/redirect":
                return record
            target = _key_of(record.get("location"))
            if not target:
                return None
            bare = target
        return None

    async def author(self, key: str) -> Author | None:
        """The author record (``OL123A``, ``/authors/OL123A`` or its URL); None when missing."""
        return parse_author_record(await self._record("authors", key))

    async def work(self, key: str) -> WorkRecord | None:
        """The work record, following a redirect once; None when missing or deleted."""
        record = await self._record("works", key)
        work = parse_work_record(record) if record is not None else None
        return work if work is not None and work.type == "work" else None

    async def edition(self, key: str) -> Edition | None:
        """The edition record (``OL123M``); authors from ``by_statement`` only (see module doc)."""
        record = await self._record("books", key)
        return parse_edition_record(record) if record is not None else None

    async def _pages(
        self, path: str, page_size: int, bound: int, expected: int | None = None
    ) -> tuple[list[Mapping[str, object]], int | None, bool, int]:
        """Every page of a links/size/entries list: (pages, total, complete, requests); the
        pages ``expected`` entries fill are asked at once."""
        _check_range("page_size", page_size, 1, MAX_LIST_LIMIT)
        _check_range("bound", bound, 1, None)

        async def fetch(slot: PageSlot) -> Mapping[str, object] | None:
            params = (("limit", str(slot.size)), ("offset", str(slot.offset)))
            body = await self._call(self._get(path, params))
            return None if body is NOT_FOUND else _object(body, "list page")

        def read(page: Mapping[str, object], slot: PageSlot) -> PageFacts:
            count = len(as_list(page.get("entries")))
            following = next_offset(page)
            if following is not None and following < 0:  # a link without an offset
                following = slot.offset + count
            return PageFacts(count=count, next=following, total=as_int(page.get("size")))

        paged = await fetch_pages(fetch, read, page_size=page_size, cap=bound, expected=expected)
        if paged.end == "missing" and not paged.pages:
            return [], 0, True, paged.requests
        return list(paged.pages), paged.total, paged.complete, paged.requests

    async def author_works(
        self, key: str, *, page_size: int = 1000, max_works: int = 20_000
    ) -> WorksListing:
        """Every work record of the author, page by page (``links.next``), up to ``max_works``.

        A missing author gives an empty, complete listing with ``total=0``. A page that fails
        raises; ``complete`` is False only when ``max_works`` cut the list.
        """
        path = f"/authors/{path_segment(bare_key(key))}/works.json"
        bodies, total, complete, requests = await self._pages(path, page_size, max_works)
        works: dict[str, WorkRecord] = {}
        for body in bodies:
            for work in parse_works_page(body).works:
                works.setdefault(work.key, work)
        return WorksListing(
            total=total, works=tuple(works.values())[:max_works], complete=complete, pages=requests
        )

    async def author_works_expecting(
        self, key: str, expected: int | None, *, page_size: int = 1000, max_works: int = 20_000
    ) -> WorksListing:
        """:meth:`author_works`, asking at once the pages that ``expected`` works (the author
        search's ``work_count``) fill, up to 90 % of it so that an estimate a little high costs
        no request; a listing longer than that is finished page by page."""
        path = f"/authors/{path_segment(bare_key(key))}/works.json"
        hint = int(expected * EXPECTED_SHARE) if expected else None
        bodies, total, complete, requests = await self._pages(path, page_size, max_works, hint)
        works: dict[str, WorkRecord] = {}
        for body in bodies:
            for work in parse_works_page(body).works:
                works.setdefault(work.key, work)
        return WorksListing(
            total=total, works=tuple(works.values())[:max_works], complete=complete, pages=requests
        )

    async def work_editions(
        self, key: str, *, page_size: int = 1000, max_editions: int = 10_000
    ) -> EditionPage:
        """Every edition of the work, page by page, up to ``max_editions``."""
        path = f"/works/{path_segment(bare_key(key))}/editions.json"
        bodies, total, complete, requests = await self._pages(path, page_size, max_editions)
        editions: dict[str, Edition] = {}
        for body in bodies:
            for edition in parse_editions_page(body).editions:
                editions.setdefault(edition.keys.get(PROVIDER) or str(len(editions)), edition)
        return _edition_page(
            editions=tuple(editions.values())[:max_editions],
            total=total,
            complete=complete,
            pages=requests,
        )

    async def author_work_signals(
        self,
        key: str,
        *,
        page_size: int = 1000,
        max_works: int = 20_000,
        max_isbns: int = MAX_SIGNAL_ISBNS,
        form: SignalsForm = "query",
        expected: int | None = None,
    ) -> dict[str, WorkSignals]:
        """Languages, edition counts, years and ISBN-13s of every work of the author.

        One ``/search.json?q=author_key:…`` request per ``page_size`` works (sorted by key so
        that pages do not shift); ``form="filter"`` asks with the ``author_key=`` filter
        parameter instead, and no sort, for servers that read only that. ``max_isbns`` ISBN-13s
        are kept per work; 0 leaves ``isbn`` out of the request. ``expected`` (the author
        search's ``work_count``): the pages that 90 % of it fills are asked at once.
        """
        return await self.authors_work_signals(
            [key],
            page_size=page_size,
            max_works=max_works,
            max_isbns=max_isbns,
            form=form,
            expected=expected,
        )

    async def authors_work_signals(
        self,
        keys: Sequence[str],
        *,
        page_size: int = 1000,
        max_works: int = 20_000,
        max_isbns: int = MAX_SIGNAL_ISBNS,
        form: SignalsForm = "query",
        expected: int | None = None,
    ) -> dict[str, WorkSignals]:
        """:meth:`author_work_signals` of every work of several authors (a person and their
        pen names) in one search, ``q=author_key:(OL1A OR OL2A)``; ``max_works`` and
        ``expected`` count the works of them all. The ``author_key=`` filter form asks one
        search per author (the filter parameter takes one key)."""
        author_keys = list(dict.fromkeys(_author_key(k) for k in keys))
        if not author_keys:
            return {}
        if form == "filter" and len(author_keys) > 1:
            answers = await gather(
                [
                    functools.partial(
                        self.authors_work_signals,
                        [key],
                        page_size=page_size,
                        max_works=max_works,
                        max_isbns=max_isbns,
                        form=form,
                    )
                    for key in author_keys
                ]
            )
            merged: dict[str, WorkSignals] = {}
            for answer in answers:
                for work_key, signals in answer.items():
                    merged.setdefault(work_key, signals)
            return merged
        _check_range("page_size", page_size, 1, MAX_SEARCH_LIMIT)
        _check_range("max_works", max_works, 1, None)
        _check_range("max_isbns", max_isbns, 0, None)
        fields = SIGNAL_FIELDS if max_isbns else SIGNAL_FIELDS.replace(",isbn", "")
        out: dict[str, WorkSignals] = {}
        select: tuple[tuple[str, str], ...] = (
            (("q", f"author_key:{_any_of(author_keys)}"), ("sort", "key"))
            if form == "query"
            else (("author_key", author_keys[0]),)
        )

        async def fetch(slot: PageSlot) -> Mapping[str, object] | None:
            params = (*select, ("fields", fields), ("limit", str(slot.size)))
            request = self._get("/search.json", (*params, ("offset", str(slot.offset))))
            body = await self._call(request)
            return None if body is NOT_FOUND else _object(body, "search")

        def read(data: Mapping[str, object], slot: PageSlot) -> PageFacts:
            for work_key, signals in parse_work_signals(data, max_isbns=max_isbns).items():
                out.setdefault(work_key, signals)
            count = len(as_list(data.get("docs")))
            total = as_int(data.get("numFound"))
            if total is None:
                total = as_int(data.get("num_found"))
            end = slot.offset + count
            last = not count or (total is not None and end >= total)
            return PageFacts(count=count, next=None if last else end, total=total)

        # Once a page has told the total, the remaining pages are asked at once.
        await fetch_pages(
            fetch,
            read,
            page_size=page_size,
            cap=max_works,
            concurrency=None,
            expected=int(expected * EXPECTED_SHARE) if expected else None,
        )
        return out

    def _books_request(self, bibkeys: Sequence[str]) -> HttpRequest:
        """One ``/api/books?jscmd=details`` request for ``bibkeys`` (``ISBN:…``, ``OLID:…``)."""
        params = (("bibkeys", ",".join(bibkeys)), ("format", "json"), ("jscmd", "details"))
        return attrs.evolve(self._get("/api/books", params), safe=_BIBKEYS_SAFE)

    def _books_batches(self, ids: Sequence[str], kind: str, batch_size: int) -> list[list[str]]:
        """``ids`` in order, in batches of at most ``batch_size`` whose request (bibkeys
        ``{kind}:{id}``) keeps within `MAX_BATCH_URL`; one id a batch when even one overflows."""
        room = MAX_BATCH_URL - len(self._books_request(()).full_url())
        return _packed(
            ids,
            lambda i: _encoded_length(f"{kind}:{i}", _BIBKEYS_SAFE),
            _encoded_length(",", _BIBKEYS_SAFE),
            room,
            batch_size,
        )

    async def _books_batch(self, isbn13s: Sequence[str]) -> dict[str, Edition]:
        body = await self._call(self._books_request([f"ISBN:{i}" for i in isbn13s]))
        if body is NOT_FOUND:
            return {}
        found = parse_api_books(_object(body, "books"))
        out: dict[str, Edition] = {}
        for isbn13 in isbn13s:
            edition = found.get(f"ISBN:{isbn13}")
            if edition is not None:
                _, isbn10 = isbn_pair(isbn13)
                if (edition.isbn13, edition.isbn10) != (isbn13, isbn10):
                    edition = attrs.evolve(edition, isbn13=isbn13, isbn10=isbn10)
                out[isbn13] = edition
        return out

    async def isbn(self, isbn: str) -> Edition | None:
        """The edition with this ISBN (``/api/books``, ``jscmd=details``); None when unknown."""
        isbn13 = normalize_isbn(isbn)
        return (await self._books_batch([isbn13])).get(isbn13)

    async def isbn_redirect(self, isbn: str) -> Edition | None:
        """The edition via ``/isbn/{isbn}.json`` (a 302 to ``/books/…``); None when unknown."""
        isbn13 = normalize_isbn(isbn)
        body = await self._call(self._get(f"/isbn/{path_segment(isbn13)}.json"))
        if body is NOT_FOUND:
            return None
        return parse_edition_record(_object(body, "edition record"))

    async def editions(
        self, isbns: Iterable[str], *, batch_size: int = BOOKS_BATCH_SIZE
    ) -> dict[str, Edition]:
        """Editions for many ISBNs, keyed by ISBN-13, misses left out; batches run concurrently.

        Every ISBN is validated first (`InvalidISBN`, nothing sent). A failing batch raises.
        """
        _check_range("batch_size", batch_size, 1, MAX_BOOKS_BATCH)
        wanted = list(dict.fromkeys(normalize_isbn(i) for i in isbns))
        batches = self._books_batches(wanted, "ISBN", batch_size)
        results = await gather([functools.partial(self._books_batch, b) for b in batches])
        merged: dict[str, Edition] = {}
        for result in results:
            merged.update(result)
        return merged

    async def editions_of_works(
        self,
        keys: Iterable[str],
        *,
        per_work: int = 50,
        batch_size: int = BOOKS_BATCH_SIZE,
    ) -> dict[str, tuple[Edition, ...]]:
        """The editions (ISBN or not) of many works in few requests, keyed by bare work id.

        One ``/search.json?q=key:("/works/A" OR "/works/B" …)&fields=key,edition_key`` per
        `WORKS_PER_KEY_QUERY` works (fewer when the URL would pass `MAX_BATCH_URL`) gives their
        edition ids (the first ``per_work`` of each), then ``/api/books?bibkeys=OLID:…``
        batches (``jscmd=details``, run concurrently) give the edition records. A work the
        search did not return is missing from the answer (ask :meth:`work_editions` for it);
        one it returned without editions maps to ``()``.
        """
        _check_range("per_work", per_work, 1, None)
        _check_range("batch_size", batch_size, 1, MAX_BOOKS_BATCH)
        wanted = list(dict.fromkeys(_work_key(k) for k in keys))
        room = MAX_BATCH_URL - len(self._edition_keys_request((), WORKS_PER_KEY_QUERY).full_url())
        chunks = _packed(
            wanted,
            lambda w: _encoded_length(_quoted_work(w)),
            _encoded_length(_KEY_SEPARATOR),
            room,
            WORKS_PER_KEY_QUERY,
        )
        bodies = await gather([functools.partial(self._edition_keys, c) for c in chunks])
        owner: dict[str, str] = {}
        listed: dict[str, list[str]] = {}
        for found in bodies:
            for work, editions in found.items():
                if work in listed or work not in wanted:
                    continue
                listed[work] = [e for e in editions if e not in owner][:per_work]
                owner.update((e, work) for e in listed[work])
        batches = self._books_batches(list(owner), "OLID", batch_size)
        records = await gather([functools.partial(self._olid_batch, b) for b in batches])
        by_id: dict[str, Edition] = {}
        for record in records:
            by_id.update(record)
        return {
            work: tuple(
                attrs.evolve(by_id[e], work_key=by_id[e].work_key or work)
                for e in editions
                if e in by_id
            )
            for work, editions in listed.items()
        }

    def _edition_keys_request(self, works: Sequence[str], limit: int) -> HttpRequest:
        query = "key:(" + _KEY_SEPARATOR.join(_quoted_work(w) for w in works) + ")"
        return self._get(
            "/search.json", (("q", query), ("fields", "key,edition_key"), ("limit", str(limit)))
        )

    async def _edition_keys(self, works: Sequence[str]) -> dict[str, list[str]]:
        """Work id -> its edition ids, from one search by work key."""
        body = await self._call(self._edition_keys_request(works, len(works)))
        if body is NOT_FOUND:
            return {}
        out: dict[str, list[str]] = {}
        for doc in as_list(_object(body, "search").get("docs")):
            get = _getter(doc)
            key = _key_of(get("key"))
            if key is None or not key.endswith("W"):
                continue
            editions = [m.upper() for m in _strings(get("edition_key")) if _EDITION.fullmatch(m)]
            out.setdefault(key, list(dict.fromkeys(editions)))
        return out

    async def _olid_batch(self, edition_ids: Sequence[str]) -> dict[str, Edition]:
        """Edition id -> record, from one ``/api/books?bibkeys=OLID:…`` request, read as the raw
        edition record that ``details`` holds, author names left out, so that it is the edition
        ``/works/…/editions.json`` gives (authors from ``by_statement`` only)."""
        body = await self._call(self._books_request([f"OLID:{e}" for e in edition_ids]))
        if body is NOT_FOUND:
            return {}
        entries = _object(body, "books")
        out: dict[str, Edition] = {}
        for edition_id in edition_ids:
            details = as_dict(as_dict(entries.get(f"OLID:{edition_id}")).get("details"))
            keys_only = [{"key": as_dict(a).get("key")} for a in as_list(details.get("authors"))]
            edition = parse_edition_record({**details, "authors": keys_only}) if details else None
            if edition is not None:
                out[edition_id] = edition
        return out

    def cover_url(
        self,
        *,
        cover_id: int | None = None,
        isbn: str | None = None,
        olid: str | None = None,
        size: str = "M",
        default: bool = False,
    ) -> str | None:
        """See the module-level `cover_url`."""
        return cover_url(cover_id=cover_id, isbn=isbn, olid=olid, size=size, default=default)


_KEY_SEPARATOR = " OR "


def _quoted_work(work_id: str) -> str:
    return f'"/works/{work_id}"'


def _encoded_length(text: str, safe: str = "") -> int:
    """How many URL characters ``text`` takes as a query value (encoded as `HttpRequest` does)."""
    return len(quote_plus(text, safe=safe))


def _packed(
    items: Sequence[str], cost: Callable[[str], int], separator: int, room: int, most: int
) -> list[list[str]]:
    """``items`` in order, in groups of at most ``most`` whose costs, plus ``separator`` between
    two, add up to at most ``room``; an item that alone exceeds ``room`` makes a group of one."""
    groups: list[list[str]] = []
    group: list[str] = []
    used = 0
    for item in items:
        size = cost(item)
        if group and (len(group) >= most or used + separator + size > room):
            groups.append(group)
            group, used = [], 0
        used += size + (separator if group else 0)
        group.append(item)
    if group:
        groups.append(group)
    return groups


def _author_key(value: str) -> str:
    key = bare_key(value)
    if not _AUTHOR_KEY.fullmatch(key):
        raise InvalidQuery(f"not an OpenLibrary author key: {value!r}")
    return key


def _any_of(author_keys: Sequence[str]) -> str:
    """``OL1A`` for one key, ``(OL1A OR OL2A)`` for several (Solr's syntax in ``q``)."""
    if len(author_keys) == 1:
        return author_keys[0]
    return "(" + " OR ".join(author_keys) + ")"


def _work_key(value: str) -> str:
    key = bare_key(value)
    if not _WORK_KEY.fullmatch(key):
        raise InvalidQuery(f"not an OpenLibrary work key: {value!r}")
    return key


def _check_range(name: str, value: int, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuery(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidQuery(f"{name} must be {bound}, got {value}")
